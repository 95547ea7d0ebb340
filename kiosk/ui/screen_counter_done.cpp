// Counter: the visit is committed. The reference (always left to right), the change to hand back, the
// receipt and the summary to sign at the printer; the next citizen, or a copy of the receipt.

#include "kiosk/ui/counter.h"
#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

namespace nafitha::ui {

void draw_counter_done(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.counter.done.title"));
    Rect area = staff_tabs(ctx, body);
    Rect c = area.inset(margin(ctx));
    CounterView& cv = ctx.counter;
    if (!cv.done)
        return;
    const services::Application& app = cv.done->submission.application;
    Rect box{c.x + c.w * 0.15f, c.y, c.w * 0.7f, c.h * 0.78f};
    card(ctx, box);
    Rect in = box.inset(ctx.u(30));
    // The buttons stay at the bottom; the card's lines scroll when they do not fit (large text in landscape).
    float bh = std::max(ctx.u(90), touch_min(ctx));
    float buttons_y = c.y + c.h - bh;
    Rect view = begin_scroll(ctx, Rect{in.x, in.y, in.w, std::min(in.h, buttons_y - ctx.u(12) - in.y)});
    in = Rect{view.x, view.y, view.w, view.h};
    float y = view.y - ctx.scroller.offset();
    // Every line as tall as its text needs (wrapped, large text included).
    auto line = [&](std::string_view text, float px, ImU32 colour, float after) {
        float h = paragraph_height(ctx, in.w, text, px);
        paragraph(ctx, Rect{in.x, y, in.w, h}, text, px, colour, Align::Center);
        y += h + after;
    };
    line(ctx.tr("ui.counter.done.reference"), ctx.font(30), p.text_muted, ctx.u(6));
    line(ltr(ctx, app.reference), ctx.font(72), p.text, ctx.u(20));
    if (const services::Service* s = ctx.catalogue ? ctx.catalogue->service(app.service_code) : nullptr)
        line(s->name.in(ctx.lang), ctx.font(34), p.text, ctx.u(20));
    if (const auto& pay = cv.done->submission.payment) {
        std::string_view how = pay->method == PayMethod::Cash ? ctx.tr("ui.counter.pay.cash")
                               : pay->method == PayMethod::Card ? ctx.tr("ui.counter.pay.card")
                                                                : ctx.tr("ui.counter.pay.exemption");
        line(ctx.tr("ui.counter.done.paid", {{"amount", ctx.money(pay->amount_minor)}, {"method", how}}), ctx.font(32), p.text,
             ctx.u(14));
        if (pay->change_minor > 0) {
            // The change to hand back, boxed (the success colour on the surface reads at AA).
            std::string_view change = ctx.tr("ui.counter.done.change", {{"amount", ctx.money(pay->change_minor)}});
            float pad = ctx.u(16);
            float h = paragraph_height(ctx, in.w - 2 * pad, change, ctx.font(44));
            Rect ch{in.x, y, in.w, h + 2 * pad};
            fill(ctx, ch, p.surface, ctx.u(12));
            outline(ctx, ch, p.success, ctx.u(12), std::max(1.0f, ctx.u(3)));
            paragraph(ctx, Rect{ch.x + pad, ch.y + pad, ch.w - 2 * pad, h}, change, ctx.font(44), p.success, Align::Center);
            y += ch.h + ctx.u(20);
        }
    }
    bool printed = cv.done->receipt.queued;
    std::string_view print_key = printed ? std::string_view("ui.counter.done.printed") : std::string_view(cv.done->receipt.error);
    line(ctx.tr(print_key), ctx.font(30), printed ? p.success : p.danger, ctx.u(6));
    if (!cv.message.empty())
        line(ctx.tr(cv.message), ctx.font(28), cv.message_ok ? p.success : p.danger, 0);
    end_scroll(ctx, view, y);

    float bw = std::min(c.w * 0.34f, ctx.u(520));
    Rect row{c.x, c.y + c.h - bh, c.w, bh};
    if (button(ctx, from_end(ctx, row, c.w * 0.15f, bw), ctx.tr("ui.counter.done.next"), Look::Primary)) {
        cv.wipe();
        ctx.session.wipe();
        ctx.screen = ScreenId::CounterRegister;
        return;
    }
    if (button(ctx, from_start(ctx, row, c.w * 0.15f, bw), ctx.tr("ui.counter.reprint"), Look::Secondary))
        start_reprint(ctx, app.reference);
}

} // namespace nafitha::ui
