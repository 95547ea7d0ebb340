// Categories as large tiles with icons, scrolled by dragging (with inertia) when they do not fit.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_categories(Ctx& ctx)
{
    Rect body = header(ctx, ctx.tr("ui.categories.title"));
    float m = margin(ctx);
    Rect view{body.x + m, body.y + m, body.w - 2 * m, body.h - 2 * m};
    if (!ctx.catalogue || ctx.catalogue->categories.empty()) {
        label(ctx, view, ctx.tr("ui.categories.empty"), ctx.font(40), ctx.pal().text_muted, Align::Center);
        return;
    }
    const auto& cats = ctx.catalogue->categories;
    int cols = ctx.portrait() ? 2 : 4;
    float gap = ctx.u(32);
    float tw = (view.w - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
    float th = std::max(tw * 0.82f, touch_min(ctx) * 3);
    if (!ctx.portrait())
        th = std::max(std::min(th, (view.h - gap) / 2.35f), touch_min(ctx) * 3);
    int rows = static_cast<int>((cats.size() + static_cast<size_t>(cols) - 1) / static_cast<size_t>(cols));
    float content_h = static_cast<float>(rows) * (th + gap) - gap;
    ctx.scroller.update(ctx.touch, view, content_h, ctx.dt);
    canvas(ctx)->PushClipRect(view.min(), view.max(), true);
    ctx.touch.set_clip(view);
    for (size_t i = 0; i < cats.size(); ++i) {
        int col = static_cast<int>(i % static_cast<size_t>(cols));
        int row = static_cast<int>(i / static_cast<size_t>(cols));
        Rect r{view.x + static_cast<float>(col) * (tw + gap), view.y + static_cast<float>(row) * (th + gap) - ctx.scroller.offset(), tw, th};
        r = mirror(ctx, r, view); // the first tile sits at the start side
        if (r.y + r.h < view.y || r.y > view.y + view.h)
            continue;
        Rect hit = r;
        hit.y = std::max(r.y, view.y);
        hit.h = std::min(r.y + r.h, view.y + view.h) - hit.y;
        bool tapped = tile(ctx, r, icon_for_category(cats[i].code), cats[i].name.in(ctx.lang));
        if (tapped && hit.contains(ctx.touch.pos())) {
            ctx.session.category = cats[i].code;
            ctx.go(ScreenId::Services);
        }
    }
    canvas(ctx)->PopClipRect();
    ctx.touch.clear_clip();
}


} // namespace nafitha::ui
