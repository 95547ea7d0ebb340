// Categories as large tiles with icons, scrolled by dragging (with inertia) when they do not fit, with a cue
// below when more follow.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

namespace nafitha::ui {

void draw_categories(Ctx& ctx)
{
    Rect body = header(ctx, ctx.tr("ui.categories.title"));
    float m = margin(ctx);
    Rect area = body.inset(m);
    if (!ctx.catalogue || ctx.catalogue->categories.empty()) {
        label(ctx, area, ctx.tr("ui.categories.empty"), ctx.font(40), ctx.pal().text_muted, Align::Center);
        return;
    }
    if (const services::Category* c = category_grid(ctx, area)) {
        ctx.session.category = c->code;
        ctx.go(ScreenId::Services);
    }
}

} // namespace nafitha::ui
