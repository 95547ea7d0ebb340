// Before a queue ticket is printed, the citizen says what the visit is for: the category of the service, so
// that the ticket goes to the right counter (the ticket names it).

#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <cmath>

namespace nafitha::ui {

void draw_ticket_choice(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = header(ctx, ctx.tr("ui.ticket.choose_title"));
    float m = margin(ctx);
    Rect c = body.inset(m);
    if (!ctx.catalogue || ctx.catalogue->categories.empty()) {
        label(ctx, c, ctx.tr("ui.categories.empty"), ctx.font(40), p.text_muted, Align::Center);
        return;
    }
    float ph = paragraph_height(ctx, c.w, ctx.tr("ui.ticket.choose_prompt"), ctx.font(36));
    paragraph(ctx, Rect{c.x, c.y, c.w, ph}, ctx.tr("ui.ticket.choose_prompt"), ctx.font(36), p.text);
    // Whole pixels: the icons' outlines are stable there (see "Pictures do not change" in tests/ui).
    float top = std::round(c.y + ph + ctx.u(24));
    Rect area{c.x, top, c.w, c.y + c.h - top};
    if (const services::Category* cat = category_grid(ctx, area)) {
        ctx.session.category = cat->code;
        start_ticket(ctx);
    }
}

} // namespace nafitha::ui
