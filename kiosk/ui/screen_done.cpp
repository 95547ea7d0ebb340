// Done: the reference number (committed before it is shown), the receipt, the queue ticket when a counter
// visit is needed, then the one-tap survey or finish.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_done(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = header(ctx, ctx.tr("ui.done.title"), false);
    Session& ses = ctx.session;
    if (!ses.submission)
        return;
    const Submitted& done = *ses.submission;
    const services::Application& app = done.submission.application;
    float m = margin(ctx);
    Rect c = body.inset(m);
    progress(ctx, Rect{c.x, c.y, c.w, ctx.u(30)}, 4, kFlowSteps);
    // Landscape: the reference on the start half, the details on the end half.
    bool wide = !ctx.portrait();
    Rect all = c;
    if (wide)
        c = from_start(ctx, all, 0, all.w * 0.5f - ctx.u(20));
    float y = c.y + ctx.u(70);
    float is = ctx.u(140);
    Rect ok{c.x + (c.w - is) * 0.5f, y, is, is};
    canvas(ctx)->AddCircleFilled(ok.centre(), is * 0.5f, p.success);
    draw_icon(ctx, "check", ok.inset(is * 0.2f), p.on_primary);
    y += is + ctx.u(30);
    label(ctx, Rect{c.x, y, c.w, ctx.u(70)}, ctx.tr("ui.done.thanks"), ctx.font(48), p.text, Align::Center);
    y += ctx.u(100);

    card(ctx, Rect{c.x, y, c.w, ctx.u(230)});
    label(ctx, Rect{c.x, y + ctx.u(24), c.w, ctx.u(50)}, ctx.tr("ui.done.reference"), ctx.font(34), p.text_muted, Align::Center);
    // Reference numbers stay in Western digits: they are printed, scanned and read out that way.
    label(ctx, Rect{c.x, y + ctx.u(90), c.w, ctx.u(110)}, app.reference, ctx.font(80), p.primary, Align::Center);
    y += ctx.u(260);
    if (wide) {
        c = from_end(ctx, all, 0, all.w * 0.5f - ctx.u(20));
        y = c.y + ctx.u(70);
    }

    float lh = ctx.u(80);
    auto line = [&](const char* icon, std::string_view text, ImU32 colour) {
        Rect r{c.x, y, c.w, lh};
        float s = ctx.u(50);
        draw_icon(ctx, icon, from_start(ctx, Rect{r.x, r.y + (lh - s) * 0.5f, r.w, s}, 0, s), colour);
        label(ctx, from_start(ctx, r, s + ctx.u(24), r.w - s - ctx.u(24)), text, ctx.font(36), colour);
        y += lh;
    };
    int64_t change = done.submission.payment ? done.submission.payment->change_minor : 0;
    line("money", ctx.tr("ui.done.paid", {{"amount", ctx.money(app.paid_minor)}}), p.text);
    if (change > 0)
        line("cash", ctx.tr("ui.done.change", {{"amount", ctx.money(change)}}), p.text);
    if (!app.expected_ready.empty())
        line("clock", ctx.tr("ui.done.ready", {{"date", ctx.date(app.expected_ready)}}), p.text);
    if (done.receipt.queued)
        line("printer", ctx.tr("ui.done.receipt_printed"), p.success);
    else
        line("printer", ctx.tr(done.receipt.error.empty() ? std::string_view("ui.done.receipt_failed") : done.receipt.error),
             p.danger);
    if (done.submission.ticket) {
        y += ctx.u(20);
        card(ctx, Rect{c.x, y, c.w, ctx.u(170)});
        label(ctx, Rect{c.x, y + ctx.u(16), c.w, ctx.u(50)}, ctx.tr("ui.done.ticket"), ctx.font(32), p.text_muted, Align::Center);
        label(ctx, Rect{c.x, y + ctx.u(70), c.w, ctx.u(90)}, done.submission.ticket->number, ctx.font(68), p.accent,
              Align::Center);
        y += ctx.u(190);
    }

    c = all;
    float foot_h = ctx.u(150);
    Rect foot{c.x, c.y + c.h - foot_h, c.w, foot_h};
    float gap = ctx.u(24);
    float half = (c.w - gap) * 0.5f;
    if (button(ctx, from_start(ctx, foot, 0, half), ctx.tr("ui.done.survey"), Look::Primary)) {
        ctx.go(ScreenId::Survey);
        return;
    }
    if (button(ctx, from_end(ctx, foot, 0, half), ctx.tr("ui.done.finish"), Look::Secondary))
        ctx.end_visit();
}


} // namespace nafitha::ui
