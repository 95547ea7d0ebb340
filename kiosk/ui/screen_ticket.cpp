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
        error_banner(ctx, Rect{c.x, y, c.w, ctx.u(110)}, ctx.tr(ses.error.empty() ? std::string_view("ui.ticket.failed") : ses.error));
    } else {
        const services::Ticket& t = ses.ticket->ticket;
        bool printed = ses.ticket->print.queued;
        float ch = ctx.u(420);
        card(ctx, Rect{c.x, y, c.w, ch});
        label(ctx, Rect{c.x, y + ctx.u(30), c.w, ctx.u(50)}, ctx.tr("ui.ticket.number"), ctx.font(36), p.text_muted, Align::Center);
        label(ctx, Rect{c.x, y + ctx.u(100), c.w, ctx.u(180)}, t.number, ctx.font(160), p.primary, Align::Center);
        label(ctx, Rect{c.x, y + ctx.u(310), c.w, ctx.u(60)},
              ctx.count("ui.ticket.ahead", t.waiting_ahead), ctx.font(38),
              p.text, Align::Center);
        y += ch + ctx.u(30);
        int64_t minutes = (t.estimated_wait_s + 59) / 60;
        label(ctx, Rect{c.x, y, c.w, ctx.u(60)},
              ctx.count("ui.ticket.wait", minutes), ctx.font(36), p.text, Align::Center);
        y += ctx.u(80);
        label(ctx, Rect{c.x, y, c.w, ctx.u(60)}, ctx.tr(printed ? "ui.ticket.printed" : "ui.ticket.not_printed"),
              ctx.font(34), printed ? p.success : p.danger, Align::Center);
    }
    float bw = std::min(c.w, ctx.u(700));
    if (button(ctx, Rect{c.x + (c.w - bw) * 0.5f, c.y + c.h - ctx.u(150), bw, ctx.u(150)}, ctx.tr("ui.done.finish")))
        ctx.end_visit();
}


} // namespace nafitha::ui
