// The services of one category: a scrolled list of rows with the fee and the expected time.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_services(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    std::string_view title = ctx.tr("ui.services.title");
    const services::Category* cat = ctx.catalogue ? ctx.catalogue->category(ctx.session.category) : nullptr;
    if (cat)
        title = cat->name.in(ctx.lang);
    Rect body = header(ctx, title);
    float m = margin(ctx);
    Rect view{body.x + m, body.y + m, body.w - 2 * m, body.h - 2 * m};
    if (!ctx.catalogue)
        return;
    // The category's services offered at this centre (what the validation authority accepts), counted and
    // drawn straight from the catalogue: no list is built every frame.
    auto listed = [&](const services::Service& s) { return s.category == ctx.session.category && s.available_at(ctx.centre); };
    size_t count = 0;
    for (const services::Service& s : ctx.catalogue->services)
        count += listed(s) ? 1 : 0;
    if (count == 0) {
        label(ctx, view, ctx.tr("ui.services.empty"), ctx.font(40), p.text_muted, Align::Center);
        return;
    }
    float rh = std::max(ctx.u(190), touch_min(ctx) * 2);
    float gap = ctx.u(24);
    float content_h = static_cast<float>(count) * (rh + gap) - gap;
    ctx.scroller.update(ctx.touch, view, content_h, ctx.dt);
    canvas(ctx)->PushClipRect(view.min(), view.max(), true);
    ctx.touch.set_clip(view);
    size_t i = 0;
    for (const services::Service& s : ctx.catalogue->services) {
        if (!listed(s))
            continue;
        Rect r{view.x, view.y + static_cast<float>(i++) * (rh + gap) - ctx.scroller.offset(), view.w, rh};
        if (r.y + r.h < view.y || r.y > view.y + view.h)
            continue;
        bool held = ctx.touch.held(r) && view.contains(ctx.touch.pos());
        fill(ctx, r, held ? p.surface_pressed : p.surface, ctx.u(20));
        outline(ctx, r, p.border, ctx.u(20), ctx.u(2));
        float is = ctx.u(90);
        Rect icon = from_start(ctx, Rect{r.x, r.y + (rh - is) * 0.5f, r.w, is}, ctx.u(30), is);
        draw_icon(ctx, icon_for_category(s.category), icon, p.primary);
        Rect text = from_start(ctx, r, ctx.u(150), r.w - ctx.u(230));
        label(ctx, Rect{text.x, r.y + ctx.u(24), text.w, ctx.u(64)}, s.name.in(ctx.lang), ctx.font(42), p.text);
        std::string_view fee = s.fee.kind == services::FeeKind::Fixed ? ctx.money(s.fee.amount)
                                                                      : ctx.tr("ui.service.fee_varies");
        std::string_view days = s.processing_days == 0
                                    ? ctx.tr("ui.service.same_day")
                                    : ctx.count("ui.service.days", s.processing_days);
        std::string& facts = ctx.text.next();
        facts.append(fee).append("  ·  ").append(days);
        label(ctx, Rect{text.x, r.y + ctx.u(100), text.w, ctx.u(56)}, facts, ctx.font(34), p.text_muted);
        Rect arrow = from_end(ctx, Rect{r.x, r.y + (rh - ctx.u(50)) * 0.5f, r.w, ctx.u(50)}, ctx.u(30), ctx.u(50));
        draw_icon(ctx, "next", arrow, p.primary);
        ctx.target(s.name.in(ctx.lang), r);
        if (ctx.touch.tap(r) && view.contains(ctx.touch.pos())) {
            ctx.session.service_code = s.code;
            ctx.go(ScreenId::Service);
        }
    }
    canvas(ctx)->PopClipRect();
    ctx.touch.clear_clip();
}


} // namespace nafitha::ui
