// Review: every answer as it will be recorded (dates day first with the language's digits, choices by their
// labels) with a button to change it, and the fee, before paying.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_review(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    const services::Service* s = current_service(ctx);
    Rect body = header(ctx, ctx.tr("ui.review.title"));
    if (!s)
        return;
    Session& ses = ctx.session;
    auto [c, foot, area] = step_frame(ctx, body, 2);

    const services::Assessment& q = current_quote(ctx);
    const services::Validation& v = q.validation;
    const Result<services::Fee>& fee = q.fee;

    Rect view = begin_scroll(ctx, area);
    float y = view.y - ctx.scroller.offset();
    float pad = ctx.u(30);
    float name_h = paragraph_height(ctx, view.w, s->name.in(ctx.lang), ctx.font(44));
    paragraph(ctx, Rect{view.x, y, view.w, name_h}, s->name.in(ctx.lang), ctx.font(44), p.primary);
    y += name_h + ctx.u(20);
    // The answers: label, value and "change" on one row when they fit, the value under its label otherwise.
    float inner_w = view.w - 2 * pad;
    float edit_w = std::max(touch_min(ctx) * 2.2f, ctx.labels->measure(ctx.tr("ui.review.edit"), ctx.font(32)).x + ctx.u(90));
    float text_w = inner_w - edit_w - ctx.u(20);
    bool stacked = !ctx.portrait() ? false : ctx.theme.text_size == TextSize::Large;
    float lw = stacked ? text_w : text_w * 0.45f;
    float vw = stacked ? text_w : text_w - lw - ctx.u(20);
    auto row_h = [&](std::string_view label_text, std::string_view value) {
        float lh = paragraph_height(ctx, lw, label_text, ctx.font(32));
        float vh = paragraph_height(ctx, vw, value, ctx.font(38));
        float h = stacked ? lh + ctx.u(6) + vh : std::max(lh, vh);
        return std::max(h + ctx.u(36), touch_min(ctx) + ctx.u(24));
    };
    float answers_h = 2 * pad;
    for (const auto& f : s->form) {
        auto it = ses.values.find(f.name);
        auto nv = v.values.find(f.name);
        std::string_view value = it == ses.values.end() || it->second.empty()
                                     ? ctx.tr("ui.review.empty")
                                     : value_display(ctx, f, it->second, nv == v.values.end() ? std::string_view() : std::string_view(nv->second));
        answers_h += row_h(f.label.in(ctx.lang), value);
    }
    card(ctx, Rect{view.x, y, view.w, answers_h});
    float ry = y + pad;
    for (const auto& f : s->form) {
        auto it = ses.values.find(f.name);
        auto nv = v.values.find(f.name);
        std::string_view value = it == ses.values.end() || it->second.empty()
                                     ? ctx.tr("ui.review.empty")
                                     : value_display(ctx, f, it->second, nv == v.values.end() ? std::string_view() : std::string_view(nv->second));
        float rh = row_h(f.label.in(ctx.lang), value);
        Rect row{view.x + pad, ry, inner_w, rh};
        Rect text = from_start(ctx, row, 0, text_w);
        float lh = paragraph_height(ctx, lw, f.label.in(ctx.lang), ctx.font(32));
        if (stacked) {
            paragraph(ctx, Rect{text.x, ry + ctx.u(18), text.w, lh}, f.label.in(ctx.lang), ctx.font(32), p.text_muted);
            paragraph(ctx, Rect{text.x, ry + ctx.u(24) + lh, text.w, rh - lh - ctx.u(42)}, value, ctx.font(38), p.text);
        } else {
            Rect lr = from_start(ctx, text, 0, lw), vr = from_end(ctx, text, 0, vw);
            paragraph(ctx, Rect{lr.x, ry + ctx.u(18), lr.w, lh}, f.label.in(ctx.lang), ctx.font(32), p.text_muted);
            paragraph(ctx, Rect{vr.x, ry + ctx.u(18), vr.w, rh - ctx.u(36)}, value, ctx.font(38), p.text);
        }
        Rect edit = from_end(ctx, Rect{row.x, ry + (rh - touch_min(ctx) - ctx.u(8)) * 0.5f, row.w, touch_min(ctx) + ctx.u(8)}, 0, edit_w);
        std::string& edit_label = ctx.text.next();
        edit_label.append(ctx.tr("ui.review.edit")).append(": ").append(f.label.in(ctx.lang));
        bool held = ctx.touch.held(edit);
        fill(ctx, edit, held ? p.surface_pressed : p.surface, ctx.u(14));
        outline(ctx, edit, p.primary, ctx.u(14), ctx.u(2));
        float is = std::min(edit.h * 0.5f, ctx.u(40));
        draw_icon(ctx, "edit", from_start(ctx, Rect{edit.x, edit.y + (edit.h - is) * 0.5f, edit.w, is}, ctx.u(16), is), p.primary);
        label(ctx, from_end(ctx, edit, ctx.u(12), edit.w - is - ctx.u(40)), ctx.tr("ui.review.edit"), ctx.font(32), p.primary, Align::Center);
        ctx.target(edit_label, edit);
        if (ctx.touch.tap(edit) && view.contains(ctx.touch.pos())) {
            // Change one answer: the form opens at that field with the keyboard, and returns here.
            ses.focused_field = f.name;
            ses.scroll_to_field = f.name;
            ses.editing_from_review = true;
            ctx.keyboard.reset_for(f.type != services::FieldType::ArabicName && f.type != services::FieldType::Text &&
                                       f.type != services::FieldType::Choice,
                                   f.type == services::FieldType::ArabicName || ctx.lang == Lang::Ar);
            ctx.keyboard.digits = ctx.lang == Lang::Ar ? DigitForm::ArabicIndic : DigitForm::Western;
            ctx.go(ScreenId::Form);
            end_scroll(ctx, view, ry);
            return;
        }
        if (&f != &s->form.back())
            canvas(ctx)->AddLine(ImVec2(row.x, ry + rh - 1), ImVec2(row.x + row.w, ry + rh - 1), p.border, 1);
        ry += rh;
    }
    y += answers_h + ctx.u(24);
    if (fee.ok()) {
        float lh = std::max(ctx.u(80), text_h(ctx, ctx.font(44)) + ctx.u(16));
        float lines_h = static_cast<float>(fee->lines.size() + 1) * lh + 2 * pad;
        card(ctx, Rect{view.x, y, view.w, lines_h});
        float fy = y + pad;
        float amount_w = inner_w * 0.45f;
        for (const auto& line : fee->lines) {
            Rect row{view.x + pad, fy, inner_w, lh};
            label(ctx, from_start(ctx, row, 0, inner_w - amount_w - ctx.u(16)), line.label.in(ctx.lang), ctx.font(34), p.text, Align::Start);
            label(ctx, from_end(ctx, row, 0, amount_w), ctx.money(line.amount), ctx.font(34), p.text, Align::End);
            fy += lh;
        }
        Rect total{view.x + pad, fy, inner_w, lh};
        label(ctx, from_start(ctx, total, 0, inner_w - amount_w - ctx.u(16)), ctx.tr("ui.review.total"), ctx.font(40), p.primary, Align::Start);
        label(ctx, from_end(ctx, total, 0, amount_w), ctx.money(fee->total), ctx.font(44), p.primary, Align::End);
        y += lines_h;
    } else {
        std::string_view msg = ctx.message(fee.error());
        float h = paragraph_height(ctx, view.w - ctx.u(32), msg, ctx.font(34)) + ctx.u(32);
        error_banner(ctx, Rect{view.x, y, view.w, h}, msg);
        y += h;
    }
    end_scroll(ctx, view, y);

    bool back = false;
    if (footer_nav(ctx, foot, ctx.tr("ui.review.pay"), v.ok() && fee.ok(), back))
        ctx.go(ScreenId::Payment);
    else if (back)
        ctx.back();
}

} // namespace nafitha::ui
