// "Are you still there?": shown after the idle timeout over any screen; counts down, then the visit ends
// and every trace of the citizen is wiped.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace nafitha::ui {

void draw_idle_prompt(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    scrim(ctx, IM_COL32(0, 0, 0, 150));
    float w = std::min(ctx.size.x - 2 * margin(ctx), ctx.u(900));
    float h = ctx.u(560);
    Rect box{(ctx.size.x - w) * 0.5f, (ctx.size.y - h) * 0.5f, w, h};
    fill(ctx, box, p.surface, ctx.u(28));
    outline(ctx, box, p.primary, ctx.u(28), ctx.u(4));
    float pad = ctx.u(40);
    label(ctx, Rect{box.x + pad, box.y + pad, box.w - 2 * pad, ctx.u(80)}, ctx.tr("ui.idle.title"), ctx.font(52), p.text,
          Align::Center);
    double timeout = ctx.mode == Mode::Citizen ? ctx.idle_timeout_s : std::max(ctx.idle_timeout_s, 300.0);
    double left = std::max(0.0, ctx.idle_prompt_s - (ctx.now - ctx.last_activity - timeout));
    int secs = static_cast<int>(std::ceil(left));
    int64_t n = std::clamp(secs, 0, static_cast<int>(ctx.idle_prompt_s));
    paragraph(ctx, Rect{box.x + pad, box.y + pad + ctx.u(110), box.w - 2 * pad, ctx.u(120)}, ctx.count("ui.idle.body", n),
              ctx.font(36), p.text_muted, Align::Center);
    float gap = ctx.u(24);
    Rect row{box.x + pad, box.y + box.h - pad - ctx.u(150), box.w - 2 * pad, ctx.u(150)};
    float half = (row.w - gap) * 0.5f;
    if (button(ctx, from_start(ctx, row, 0, half), ctx.tr("ui.idle.stay"), Look::Primary)) {
        ctx.idle_prompt = false;
        ctx.last_activity = ctx.now;
        return;
    }
    if (button(ctx, from_end(ctx, row, 0, half), ctx.tr("ui.idle.leave"), Look::Secondary))
        ctx.end_visit();
}

} // namespace nafitha::ui
