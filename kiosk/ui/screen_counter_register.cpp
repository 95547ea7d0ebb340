// Counter: a clerk registers a walk-in citizen's application. Services offered here on the start side; the
// form (the same catalogue, the same validation authority) on the end side, typed on a physical keyboard
// (Arabic or English through SDL text input, Tab between fields, Enter to go on) or touched; then the fee
// taken at the counter: cash with the change computed, card (the card terminal's approval), or an exemption
// with the supporting document noted. Register prints the receipt and the summary the citizen signs.

#include "kiosk/ui/counter.h"
#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/text_field.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

namespace {

void focus(Ctx& ctx, std::string_view name, size_t len)
{
    if (ctx.session.focused_field != name)
        ctx.session.focused_field = std::string(name);
    EditState& st = ctx.session.edits[ctx.session.focused_field];
    if (st.caret > len)
        st.caret = st.anchor = len;
}

// One labelled input: the label above, the field below; returns the field's rect.
void input_row(Ctx& ctx, const Rect& r, std::string_view name, std::string_view title, std::string& value, bool error_shown,
               std::string_view problem)
{
    const Palette& p = ctx.pal();
    float lh = r.h * 0.36f;
    label(ctx, Rect{r.x, r.y, r.w, lh}, title, ctx.font(26), p.text_muted);
    Rect f{r.x, r.y + lh, r.w, r.h - lh - ctx.u(20)};
    EditState& st = ctx.session.edits[std::string(name)];
    bool focused = ctx.session.focused_field == name;
    if (text_field(ctx, f, value, st, focused, error_shown))
        focus(ctx, name, value.size());
    ctx.target(title, f);
    if (error_shown && !problem.empty())
        label(ctx, Rect{r.x, r.y + r.h - ctx.u(20), r.w, ctx.u(20)}, problem, ctx.font(18), p.danger);
}

} // namespace

void draw_counter_register(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.counter.register.title"));
    Rect area = staff_tabs(ctx, body);
    float m = margin(ctx) * 0.6f;
    Rect c = area.inset(m);
    Session& ses = ctx.session;
    CounterView& cv = ctx.counter;
    if (!ctx.catalogue)
        return;

    // The services offered here, drawn straight from the catalogue.
    float list_w = c.w * (ctx.portrait() ? 0.34f : 0.26f);
    Rect list = from_start(ctx, c, 0, list_w);
    Rect form = from_end(ctx, c, 0, c.w - list_w - m);
    fill(ctx, list, p.surface, ctx.u(10));
    // Each row as tall as its name needs (two lines in large text); a scrolled list with its cue.
    Rect lv = begin_scroll(ctx, list);
    float ry = lv.y - ctx.scroller.offset();
    float pad = ctx.u(14);
    for (const services::Service& s : ctx.catalogue->services) {
        if (!s.available_at(ctx.centre))
            continue;
        std::string_view name = s.name.in(ctx.lang);
        float nh = paragraph_height(ctx, lv.w - 2 * pad, name, ctx.font(26));
        float rh = std::max({ctx.u(64), touch_min(ctx) * 0.8f, nh + 2 * pad});
        Rect r{lv.x, ry, lv.w, rh};
        ry += rh;
        if (r.y + r.h < lv.y || r.y > lv.y + lv.h)
            continue;
        bool sel = ses.service_code == s.code;
        fill(ctx, r.inset(ctx.u(3)), sel ? p.primary : (ctx.touch.held(r) ? p.surface_pressed : p.surface), ctx.u(8));
        paragraph(ctx, Rect{r.x + pad, r.y + (rh - nh) * 0.5f, r.w - 2 * pad, nh}, name, ctx.font(26), sel ? p.on_primary : p.text);
        ctx.target(name, r);
        if (ctx.touch.tap(r) && lv.contains(ctx.touch.pos()) && !sel) {
            ses.wipe();
            cv.wipe();
            ses.service_code = s.code;
            ses.category = s.category;
            std::string_view order[32];
            if (counter_focus_order(ctx, order, 32) > 0)
                focus(ctx, order[0], 0);
        }
    }
    end_scroll(ctx, lv, ry);

    const services::Service* svc = current_service(ctx);
    if (!svc) {
        paragraph(ctx, form.inset(ctx.u(30)), ctx.tr("ui.counter.register.pick"), ctx.font(32), p.text_muted, Align::Center);
        return;
    }
    const services::Assessment& quote = current_quote(ctx);
    // Title and fee.
    float th = ctx.u(56);
    label(ctx, Rect{form.x, form.y, form.w, th}, svc->name.in(ctx.lang), ctx.font(34), p.text);
    int64_t due = counter_due(ctx);
    label(ctx, Rect{form.x, form.y, form.w, th}, ctx.money(due), ctx.font(34), p.primary, Align::End);
    float y = form.y + th + ctx.u(8);

    // The form's fields in two columns (one in portrait).
    int cols = ctx.portrait() ? 1 : 2;
    float gap = ctx.u(18);
    float cw = (form.w - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
    float fh = ctx.u(108);
    int col = 0;
    for (const services::FormField& f : svc->form) {
        Rect cell = from_start(ctx, Rect{form.x, y, form.w, fh}, static_cast<float>(col) * (cw + gap), cw);
        std::string& value = ses.values[f.name];
        const Error* problem = quote.validation.problem(f.name);
        bool shown = problem && (!value.empty() || !ses.errors.empty());
        if (f.type == services::FieldType::Choice) {
            label(ctx, Rect{cell.x, cell.y, cell.w, fh * 0.36f}, f.label.in(ctx.lang), ctx.font(26), p.text_muted);
            float ow = (cell.w - ctx.u(8) * static_cast<float>(f.options.size())) / static_cast<float>(std::max<size_t>(1, f.options.size()));
            for (size_t k = 0; k < f.options.size(); ++k) {
                Rect o = from_start(ctx, Rect{cell.x, cell.y + fh * 0.36f, cell.w, fh * 0.64f - ctx.u(22)},
                                    static_cast<float>(k) * (ow + ctx.u(8)), ow);
                bool on = value == f.options[k].value;
                if (button(ctx, o, f.options[k].label.in(ctx.lang), on ? Look::Primary : Look::Quiet))
                    value = f.options[k].value;
            }
        } else {
            input_row(ctx, cell, f.name, f.label.in(ctx.lang), value, shown, shown ? ctx.message(*problem) : std::string_view());
        }
        if (++col == cols) {
            col = 0;
            y += fh;
        }
    }
    if (col != 0)
        y += fh;
    y += ctx.u(6);

    // The fee at the counter.
    canvas(ctx)->AddLine(ImVec2(form.x, y), ImVec2(form.x + form.w, y), p.border, 2);
    y += ctx.u(12);
    struct Method {
        PayMethod method;
        const char* key;
    };
    static constexpr Method kMethods[] = {{PayMethod::Cash, "ui.counter.pay.cash"},
                                          {PayMethod::Card, "ui.counter.pay.card"},
                                          {PayMethod::Exemption, "ui.counter.pay.exemption"}};
    // The methods across the form; below them the method's input on the start half and what it means (the
    // change, the exemptions) on the end half.
    float mw = (form.w - 2 * gap) / 3.0f;
    float mh = std::max(ctx.u(60), touch_min(ctx) * 0.75f);
    for (size_t k = 0; k < 3; ++k) {
        bool on = ses.method == kMethods[k].method;
        Rect r = from_start(ctx, Rect{form.x, y, form.w, mh}, static_cast<float>(k) * (mw + gap), mw);
        if (button(ctx, r, ctx.tr(kMethods[k].key), on ? Look::Primary : Look::Quiet) && !on) {
            ses.method = kMethods[k].method;
            if (ses.method != PayMethod::Exemption)
                ses.exemption.clear();
            std::string_view order[32];
            size_t n = counter_focus_order(ctx, order, 32);
            if (n > 0)
                focus(ctx, order[n - 1], 0);
        }
    }
    y += mh + ctx.u(8);
    float half_w = (form.w - gap) * 0.5f;
    Rect pay_in = from_start(ctx, Rect{form.x, y, form.w, fh}, 0, half_w);
    // What the method means, beside its input: as tall as the input row (large text needs the room).
    Rect info = from_end(ctx, Rect{form.x, y, form.w, fh}, 0, half_w);
    switch (ses.method) {
    case PayMethod::Cash: {
        input_row(ctx, pay_in, kTenderedField, ctx.tr("ui.counter.pay.tendered"), cv.tendered, false, {});
        int64_t tendered = counter_tendered(ctx);
        if (due > 0 && tendered >= due)
            label(ctx, info, ctx.tr("ui.counter.pay.change", {{"amount", ctx.money(tendered - due)}}), ctx.font(32), p.success);
        else if (due > 0 && tendered >= 0)
            label(ctx, info, ctx.tr("ui.counter.pay.short"), ctx.font(28), p.danger);
        break;
    }
    case PayMethod::Card:
        input_row(ctx, pay_in, kCardField, ctx.tr("ui.counter.pay.card_auth"), cv.card_auth, false, {});
        break;
    case PayMethod::Exemption: {
        input_row(ctx, pay_in, kDocumentField, ctx.tr("ui.counter.pay.document"), cv.document, false, {});
        size_t n = svc->exemptions.size();
        if (n == 0) {
            label(ctx, info, ctx.tr("ui.counter.pay.no_exemption"), ctx.font(26), p.text_muted);
            break;
        }
        float ew = (info.w - ctx.u(10) * static_cast<float>(n - 1)) / static_cast<float>(n);
        for (size_t k = 0; k < n; ++k) {
            const auto& e = svc->exemptions[k];
            Rect r = from_start(ctx, info, static_cast<float>(k) * (ew + ctx.u(10)), ew);
            if (button(ctx, r, e.name.in(ctx.lang), ses.exemption == e.code ? Look::Primary : Look::Quiet))
                ses.exemption = e.code;
        }
        break;
    }
    }

    // Register: commits, then prints the receipt and the summary to sign.
    float bh = std::max(ctx.u(84), touch_min(ctx));
    Rect go = from_end(ctx, Rect{form.x, form.y + form.h - bh, form.w, bh}, 0, std::min(form.w, ctx.u(520)));
    if (!cv.message.empty())
        label(ctx, from_start(ctx, Rect{form.x, go.y, form.w, bh}, 0, form.w - go.w - gap), ctx.tr(cv.message), ctx.font(26),
              cv.message_ok ? p.success : p.danger);
    if (button(ctx, go, ctx.tr("ui.counter.register.submit"), counter_ready(ctx) ? Look::Primary : Look::Quiet))
        start_counter_submit(ctx);
}

} // namespace nafitha::ui
