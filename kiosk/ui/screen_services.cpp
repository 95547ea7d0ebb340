// The services of one category: a scrolled list of rows with the fee and the expected time. A row is as tall
// as its wrapped name and facts need.

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
    Rect area = body.inset(m);
    if (!ctx.catalogue)
        return;
    // The category's services offered at this centre (what the validation authority accepts), drawn straight from
    // the catalogue: no list is built every frame.
    auto listed = [&](const services::Service& s) { return s.category == ctx.session.category && s.available_at(ctx.centre); };
    if (std::none_of(ctx.catalogue->services.begin(), ctx.catalogue->services.end(), listed)) {
        label(ctx, area, ctx.tr("ui.services.empty"), ctx.font(40), p.text_muted, Align::Center);
        return;
    }
    Rect view = begin_scroll(ctx, area);
    float gap = ctx.u(24);
    float is = ctx.u(90);
    float pad = ctx.u(24);
    float y = view.y - ctx.scroller.offset();
    for (const services::Service& s : ctx.catalogue->services) {
        if (!listed(s))
            continue;
        Rect probe = from_start(ctx, Rect{view.x, y, view.w, 1}, ctx.u(150), view.w - ctx.u(230));
        std::string_view fee = s.fee.kind == services::FeeKind::Fixed ? ctx.money(s.fee.amount) : ctx.tr("ui.service.fee_varies");
        std::string_view days = s.processing_days == 0 ? ctx.tr("ui.service.same_day") : ctx.count("ui.service.days", s.processing_days);
        std::string& facts = ctx.text.next();
        facts.append(fee).append("  ·  ").append(days);
        float name_h = paragraph_height(ctx, probe.w, s.name.in(ctx.lang), ctx.font(42));
        float facts_h = paragraph_height(ctx, probe.w, facts, ctx.font(34));
        float rh = std::max({ctx.u(190), touch_min(ctx) * 2, pad + name_h + ctx.u(10) + facts_h + pad});
        Rect r{view.x, y, view.w, rh};
        y += rh + gap;
        if (r.y + r.h < view.y || r.y > view.y + view.h)
            continue;
        bool held = ctx.touch.held(r) && view.contains(ctx.touch.pos());
        fill(ctx, r, held ? p.surface_pressed : p.surface, ctx.u(20));
        outline(ctx, r, p.border, ctx.u(20), ctx.u(2));
        Rect icon = from_start(ctx, Rect{r.x, r.y + (rh - is) * 0.5f, r.w, is}, ctx.u(30), is);
        draw_icon(ctx, icon_for_category(s.category), icon, p.primary);
        float ty = r.y + (rh - name_h - ctx.u(10) - facts_h) * 0.5f;
        paragraph(ctx, Rect{probe.x, ty, probe.w, name_h}, s.name.in(ctx.lang), ctx.font(42), p.text);
        paragraph(ctx, Rect{probe.x, ty + name_h + ctx.u(10), probe.w, facts_h}, facts, ctx.font(34), p.text_muted);
        Rect arrow = from_end(ctx, Rect{r.x, r.y + (rh - ctx.u(50)) * 0.5f, r.w, ctx.u(50)}, ctx.u(30), ctx.u(50));
        draw_icon(ctx, "next", arrow, p.primary);
        ctx.target(s.name.in(ctx.lang), r);
        if (ctx.touch.tap(r) && view.contains(ctx.touch.pos())) {
            ctx.session.service_code = s.code;
            ctx.go(ScreenId::Service);
        }
    }
    end_scroll(ctx, view, y - gap);
}

} // namespace nafitha::ui
