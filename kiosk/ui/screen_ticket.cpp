// The queue ticket taken from the attract screen (after the citizen chose what for): its number, what it is
// for, who is ahead, the wait.

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
        // Every height from the text it holds: large text grows the card instead of overlapping it.
        float title_h = text_h(ctx, ctx.font(36)), number_h = text_h(ctx, ctx.font(160)), ahead_h = text_h(ctx, ctx.font(38));
        // What the ticket is for: the category the citizen chose (the counter that will call it).
        const services::Category* cat = ctx.catalogue ? ctx.catalogue->category(ses.category) : nullptr;
        std::string_view for_text = cat ? ctx.tr("ui.ticket.for", {{"category", cat->name.in(ctx.lang)}}) : std::string_view();
        float for_h = cat ? text_h(ctx, ctx.font(34)) + ctx.u(10) : 0;
        float ch = ctx.u(30) + title_h + ctx.u(10) + number_h + ctx.u(10) + ahead_h + for_h + ctx.u(30);
        // Landscape: the ticket at the start side, the wait and the printer's word at the end side.
        bool wide = !ctx.portrait();
        if (wide)
            y = c.y + ctx.u(20);
        Rect left = wide ? from_start(ctx, Rect{c.x, y, c.w, ch}, 0, c.w * 0.5f - ctx.u(15)) : Rect{c.x, y, c.w, ch};
        Rect right = wide ? from_end(ctx, Rect{c.x, y, c.w, ch}, 0, c.w * 0.5f - ctx.u(15)) : left;
        card(ctx, left);
        float cy = y + ctx.u(30);
        label(ctx, Rect{left.x, cy, left.w, title_h}, ctx.tr("ui.ticket.number"), ctx.font(36), p.text_muted, Align::Center);
        cy += title_h + ctx.u(10);
        label(ctx, Rect{left.x, cy, left.w, number_h}, t.number, ctx.font(160), p.primary, Align::Center);
        cy += number_h + ctx.u(10);
        label(ctx, Rect{left.x, cy, left.w, ahead_h}, ctx.count("ui.ticket.ahead", t.waiting_ahead), ctx.font(38), p.text, Align::Center);
        if (cat) {
            cy += ahead_h + ctx.u(10);
            label(ctx, Rect{left.x + ctx.u(16), cy, left.w - ctx.u(32), for_h - ctx.u(10)}, for_text, ctx.font(34), p.primary,
                  Align::Center);
        }
        int64_t minutes = (t.estimated_wait_s + 59) / 60;
        std::string_view wait = ctx.count("ui.ticket.wait", minutes);
        std::string_view printer = ctx.tr(printed ? "ui.ticket.printed" : "ui.ticket.not_printed");
        float wait_h = paragraph_height(ctx, right.w, wait, ctx.font(36));
        float printer_h = paragraph_height(ctx, right.w, printer, ctx.font(34));
        y = wide ? y + std::max(0.0f, (ch - wait_h - ctx.u(20) - printer_h) * 0.5f) : y + ch + ctx.u(30);
        paragraph(ctx, Rect{right.x, y, right.w, wait_h}, wait, ctx.font(36), p.text, Align::Center);
        y += wait_h + ctx.u(20);
        paragraph(ctx, Rect{right.x, y, right.w, printer_h}, printer, ctx.font(34), printed ? p.success : p.danger, Align::Center);
    }
    float bw = std::min(c.w, ctx.u(700)), bh = button_h(ctx);
    if (button(ctx, Rect{c.x + (c.w - bw) * 0.5f, c.y + c.h - bh, bw, bh}, ctx.tr("ui.done.finish")))
        ctx.end_visit();
}


} // namespace nafitha::ui
