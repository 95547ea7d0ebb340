// The queue ticket taken in one tap from the attract screen: its number, who is ahead, the wait.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_ticket(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = header(ctx, ctx.tr("ui.ticket.title"), false);
    Session& ses = ctx.session;
    float m = margin(ctx);
    Rect c = body.inset(m);
    float y = c.y + ctx.u(80);
    if (!ses.ticket) {
        error_banner(ctx, Rect{c.x, y, c.w, ctx.u(110)}, ctx.tr(ses.error.empty() ? "ui.ticket.failed" : ses.error));
    } else {
        const Ticket& t = *ses.ticket;
        float ch = ctx.u(420);
        card(ctx, Rect{c.x, y, c.w, ch});
        label(ctx, Rect{c.x, y + ctx.u(30), c.w, ctx.u(50)}, ctx.tr("ui.ticket.number"), ctx.font(36), p.text_muted, Align::Center);
        label(ctx, Rect{c.x, y + ctx.u(100), c.w, ctx.u(180)}, t.number, ctx.font(160), p.primary, Align::Center);
        label(ctx, Rect{c.x, y + ctx.u(310), c.w, ctx.u(60)},
              ctx.tr("ui.ticket.ahead", {{"n", display_digits(ctx, std::to_string(t.waiting_ahead))}}), ctx.font(38),
              p.text, Align::Center);
        y += ch + ctx.u(30);
        int64_t minutes = (t.estimated_wait_s + 59) / 60;
        label(ctx, Rect{c.x, y, c.w, ctx.u(60)},
              ctx.tr("ui.ticket.wait", {{"n", display_digits(ctx, std::to_string(minutes))}}), ctx.font(36), p.text, Align::Center);
        y += ctx.u(80);
        label(ctx, Rect{c.x, y, c.w, ctx.u(60)}, ctx.tr(t.printed ? "ui.ticket.printed" : "ui.ticket.not_printed"),
              ctx.font(34), t.printed ? p.success : p.danger, Align::Center);
    }
    float bw = std::min(c.w, ctx.u(700));
    if (button(ctx, Rect{c.x + (c.w - bw) * 0.5f, c.y + c.h - ctx.u(150), bw, ctx.u(150)}, ctx.tr("ui.done.finish")))
        ctx.end_visit();
}

void demo_ticket(Ctx& ctx)
{
    Ticket t;
    t.number = "A017";
    t.waiting_ahead = 4;
    t.estimated_wait_s = 720;
    t.printed = true;
    ctx.session.ticket = t;
}

} // namespace nafitha::ui
