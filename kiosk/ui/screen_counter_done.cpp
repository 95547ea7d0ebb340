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
    float y = in.y;
    label(ctx, Rect{in.x, y, in.w, ctx.u(50)}, ctx.tr("ui.counter.done.reference"), ctx.font(30), p.text_muted, Align::Center);
    y += ctx.u(56);
    label(ctx, Rect{in.x, y, in.w, ctx.u(90)}, ltr(ctx, app.reference), ctx.font(72), p.text, Align::Center);
    y += ctx.u(110);
    if (const services::Service* s = ctx.catalogue ? ctx.catalogue->service(app.service_code) : nullptr)
        label(ctx, Rect{in.x, y, in.w, ctx.u(50)}, s->name.in(ctx.lang), ctx.font(34), p.text, Align::Center);
    y += ctx.u(70);
    if (const auto& pay = cv.done->submission.payment) {
        std::string_view how = pay->method == PayMethod::Cash ? ctx.tr("ui.counter.pay.cash")
                               : pay->method == PayMethod::Card ? ctx.tr("ui.counter.pay.card")
                                                                : ctx.tr("ui.counter.pay.exemption");
        label(ctx, Rect{in.x, y, in.w, ctx.u(50)}, ctx.tr("ui.counter.done.paid", {{"amount", ctx.money(pay->amount_minor)}, {"method", how}}),
              ctx.font(32), p.text, Align::Center);
        y += ctx.u(64);
        if (pay->change_minor > 0) {
            Rect ch{in.x + in.w * 0.15f, y, in.w * 0.7f, ctx.u(90)};
            fill(ctx, ch, p.surface_pressed, ctx.u(12));
            label(ctx, ch, ctx.tr("ui.counter.done.change", {{"amount", ctx.money(pay->change_minor)}}), ctx.font(44), p.success,
                  Align::Center);
            y += ctx.u(110);
        }
    }
    bool printed = cv.done->receipt.queued;
    std::string_view print_key = printed ? std::string_view("ui.counter.done.printed") : std::string_view(cv.done->receipt.error);
    label(ctx, Rect{in.x, y, in.w, ctx.u(50)}, ctx.tr(print_key), ctx.font(30), printed ? p.success : p.danger, Align::Center);
    y += ctx.u(56);
    if (!cv.message.empty())
        label(ctx, Rect{in.x, y, in.w, ctx.u(46)}, ctx.tr(cv.message), ctx.font(28), cv.message_ok ? p.success : p.danger, Align::Center);

    float bh = std::max(ctx.u(90), touch_min(ctx));
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
