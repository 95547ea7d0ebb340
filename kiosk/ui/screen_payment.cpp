// Payment: cash, card or an exemption, through the payment devices. The kiosk takes no money when it could
// not honour it (the out-of-service check runs before this screen is reachable). While cash goes in, the
// overlay shows what was inserted, the change to come, and a cancel that gives every note back.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>
#include <span>

namespace nafitha::ui {

void draw_payment(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    const services::Service* s = current_service(ctx);
    Rect body = header(ctx, ctx.tr("ui.payment.title"));
    if (!s)
        return;
    Session& ses = ctx.session;
    auto [c, foot, area] = step_frame(ctx, body, 3);

    const services::Assessment& q = current_quote(ctx);
    const services::Validation& v = q.validation;
    const Result<services::Fee>& fee = q.fee;
    const Result<services::Fee>& full = q.fee_without_exemption;
    int64_t due = fee.ok() ? fee->total : 0;

    Rect view = begin_scroll(ctx, area);
    float y = view.y - ctx.scroller.offset();
    // Landscape: what is due at the start side, the choices at the end side.
    bool wide = !ctx.portrait();
    Rect left = wide ? from_start(ctx, Rect{view.x, y, view.w, view.h}, 0, view.w * 0.4f) : Rect{view.x, y, view.w, view.h};
    Rect right = wide ? from_end(ctx, Rect{view.x, y, view.w, view.h}, 0, view.w * 0.6f - ctx.u(30)) : left;
    float due_title_h = text_h(ctx, ctx.font(34)), due_h = text_h(ctx, ctx.font(72));
    float card_h = ctx.u(24) + due_title_h + due_h + ctx.u(24);
    card(ctx, Rect{left.x, y, left.w, card_h});
    label(ctx, Rect{left.x, y + ctx.u(24), left.w, due_title_h}, ctx.tr("ui.payment.due"), ctx.font(34), p.text_muted, Align::Center);
    label(ctx, Rect{left.x + ctx.u(16), y + ctx.u(24) + due_title_h, left.w - ctx.u(32), due_h}, ctx.money(due), ctx.font(72), p.primary,
          Align::Center);
    float left_bottom = y + card_h;
    float ry = wide ? y : y + card_h + ctx.u(30);

    float ch = text_h(ctx, ctx.font(38));
    label(ctx, Rect{right.x, ry, right.w, ch}, ctx.tr("ui.payment.choose"), ctx.font(38), p.text);
    ry += ch + ctx.u(16);
    float bh = button_h(ctx);
    struct Option {
        PayMethod method;
        const char* icon;
        const char* key;
    };
    static constexpr Option kOptions[] = {{PayMethod::Cash, "cash", "ui.payment.cash"},
                                          {PayMethod::Card, "card", "ui.payment.card"},
                                          {PayMethod::Exemption, "exemption", "ui.payment.exemption"}};
    // Exemption is offered only by services that have exemptions.
    std::span<const Option> options(kOptions, s->exemptions.empty() ? 2 : 3);
    bool free_service = full.ok() && full->total == 0;
    bool paid = ses.payment.has_value();
    if (!free_service) {
        for (const Option& o : options) {
            Rect r{right.x, ry, right.w, bh};
            if (icon_button(ctx, r, o.icon, ctx.tr(o.key), ses.method == o.method ? Look::Primary : Look::Quiet) && !paid &&
                view.contains(ctx.touch.pos())) {
                ses.method = o.method;
                ses.error.clear();
                if (o.method == PayMethod::Exemption && ses.exemption.empty())
                    ses.exemption = s->exemptions.front().code;
            }
            ry += bh + ctx.u(16);
        }
        const char* note = "ui.payment.card_note";
        if (ses.method == PayMethod::Exemption) {
            // Which exemption: one button per kind the service allows.
            for (const auto& e : s->exemptions) {
                Rect r = mirror(ctx, Rect{right.x + ctx.u(60), ry, right.w - ctx.u(60), bh}, right);
                if (button(ctx, r, e.name.in(ctx.lang), ses.exemption == e.code ? Look::Secondary : Look::Quiet) &&
                    view.contains(ctx.touch.pos()))
                    ses.exemption = e.code;
                ry += bh + ctx.u(16);
            }
            note = "ui.payment.exemption_note";
        } else if (ses.method == PayMethod::Cash) {
            note = "ui.payment.cash_note";
        }
        float nh = paragraph_height(ctx, right.w, ctx.tr(note), ctx.font(30));
        paragraph(ctx, Rect{right.x, ry, right.w, nh}, ctx.tr(note), ctx.font(30), p.text_muted);
        ry += nh + ctx.u(20);
    }
    if (!ses.error.empty()) {
        std::string_view msg = ses.error == "ui.payment.cancelled" ? ctx.tr(ses.error, {{"amount", ctx.money(ses.cash_returned)}})
                                                                   : ctx.tr(ses.error);
        float eh = error_banner_h(ctx, right.w, msg);
        error_banner(ctx, Rect{right.x, ry, right.w, eh}, msg);
        ry += eh;
    }
    end_scroll(ctx, view, std::max(ry, left_bottom));

    bool back = false;
    // Once money was taken, there is no going back: only retrying the submission.
    std::string_view next = ctx.tr(paid ? "ui.payment.retry" : (due == 0 ? "ui.payment.submit" : "ui.payment.pay"));
    if (footer_nav(ctx, foot, next, fee.ok() && v.ok(), back))
        start_payment_and_submit(ctx);
    else if (back && !paid)
        ctx.back();
}

void draw_cash_overlay(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Session& ses = ctx.session;
    scrim(ctx, IM_COL32(0, 0, 0, 140));
    float m = margin(ctx);
    float w = std::min(ctx.size.x - 2 * m, ctx.u(900));
    float pad = ctx.u(36);
    int64_t in = ses.cash_inserted ? ses.cash_inserted->load() : 0;
    bool cancelling = ses.cash_cancel && ses.cash_cancel->load();
    std::string_view title = ctx.tr(cancelling ? "ui.busy.cash_returning" : "ui.busy.cash");
    std::string_view progress_text = ctx.tr("ui.busy.cash_progress", {{"in", ctx.money(in)}, {"due", ctx.money(ses.cash_due)}});
    std::string_view change = in > ses.cash_due ? ctx.tr("ui.done.change", {{"amount", ctx.money(in - ses.cash_due)}}) : std::string_view();
    float tw = w - 2 * pad;
    float th = paragraph_height(ctx, tw, title, ctx.font(40));
    float ph = paragraph_height(ctx, tw, progress_text, ctx.font(44));
    float chh = change.empty() ? 0 : paragraph_height(ctx, tw, change, ctx.font(36)) + ctx.u(12);
    float bh = button_h(ctx);
    float h = pad + th + ctx.u(20) + ph + ctx.u(12) + chh + ctx.u(24) + (cancelling ? 0 : bh + ctx.u(10)) + pad;
    Rect box{(ctx.size.x - w) * 0.5f, (ctx.size.y - h) * 0.5f, w, h};
    fill(ctx, box, p.surface, ctx.u(24));
    float y = box.y + pad;
    paragraph(ctx, Rect{box.x + pad, y, tw, th}, title, ctx.font(40), p.text, Align::Center);
    y += th + ctx.u(20);
    paragraph(ctx, Rect{box.x + pad, y, tw, ph}, progress_text, ctx.font(44), p.primary, Align::Center);
    y += ph + ctx.u(12);
    if (!change.empty()) {
        paragraph(ctx, Rect{box.x + pad, y, tw, chh - ctx.u(12)}, change, ctx.font(36), p.text, Align::Center);
        y += chh;
    }
    y += ctx.u(24);
    if (!cancelling) {
        Rect cancel{box.x + pad, y, tw, bh};
        if (button(ctx, cancel, ctx.tr("ui.payment.cancel_cash"), Look::Danger) && ses.cash_cancel)
            ses.cash_cancel->store(true);
    }
}

} // namespace nafitha::ui
