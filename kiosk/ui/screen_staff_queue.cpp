// The counter's queue: the ticket being served, call next, recall, no-show, and who waits.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_staff_queue(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.staff.tab.queue"));
    Rect area = staff_tabs(ctx, body);
    float m = margin(ctx);
    Rect c = area.inset(m);
    StaffView& sv = ctx.staff;
    float y = c.y;
    // The card's lines as tall as their text (large text).
    std::string_view current =
        sv.queue && !sv.queue->current.empty() ? std::string_view(sv.queue->current) : ctx.tr("ui.staff.queue.none");
    float big = ctx.font(sv.queue && !sv.queue->current.empty() ? 140 : 44);
    float th = std::max(ctx.u(50), text_h(ctx, ctx.font(34)) + ctx.u(4));
    float bh_text = std::max(ctx.u(170), text_h(ctx, big) + ctx.u(8));
    float ch = std::max(ctx.u(300), ctx.u(24) + th + ctx.u(16) + bh_text + ctx.u(16));
    card(ctx, Rect{c.x, y, c.w, ch});
    label(ctx, Rect{c.x, y + ctx.u(24), c.w, th}, ctx.tr("ui.staff.queue.current"), ctx.font(34), p.text_muted, Align::Center);
    label(ctx, Rect{c.x, y + ctx.u(24) + th + ctx.u(16), c.w, bh_text}, current, big, p.primary, Align::Center);
    y += ch + ctx.u(30);

    float gap = ctx.u(20);
    float bh = std::max(ctx.u(140), touch_min(ctx));
    float third = (c.w - 2 * gap) / 3.0f;
    Rect row{c.x, y, c.w, bh};
    Backend* b = ctx.backend;
    auto act = [&](Result<QueueState> (Backend::*fn)()) {
        staff_task(ctx, "ui.busy.working", [b, fn]() -> std::function<void(Ctx&)> {
            auto q = (b->*fn)();
            if (!q.ok())
                return [e = q.error()](Ctx& cx) { cx.staff.message = e.code; };
            return [q = *q](Ctx& cx) {
                cx.staff.queue = q;
                cx.staff.message.clear();
            };
        });
    };
    if (button(ctx, from_start(ctx, row, 0, third), ctx.tr("ui.staff.queue.next"), Look::Primary))
        act(&Backend::queue_call_next);
    bool has_current = sv.queue && !sv.queue->current.empty();
    if (button(ctx, from_start(ctx, row, third + gap, third), ctx.tr("ui.staff.queue.recall"), Look::Secondary) && has_current)
        act(&Backend::queue_recall);
    if (button(ctx, from_start(ctx, row, 2 * (third + gap), third), ctx.tr("ui.staff.queue.no_show"), Look::Danger) && has_current)
        act(&Backend::queue_no_show);
    y += bh + ctx.u(30);
    if (!sv.message.empty()) {
        error_banner(ctx, Rect{c.x, y, c.w, ctx.u(90)}, ctx.tr(sv.message));
        y += ctx.u(110);
    }
    if (sv.queue) {
        label(ctx, Rect{c.x, y, c.w, ctx.u(60)},
              ctx.count("ui.staff.queue.waiting", static_cast<int64_t>(sv.queue->waiting.size())), ctx.font(36), p.text);
        y += ctx.u(70);
        float tw = ctx.u(180), th = ctx.u(90);
        int per_row = std::max(1, static_cast<int>((c.w + gap) / (tw + gap)));
        for (size_t i = 0; i < sv.queue->waiting.size() && i < 24; ++i) {
            int col = static_cast<int>(i % static_cast<size_t>(per_row));
            int r = static_cast<int>(i / static_cast<size_t>(per_row));
            Rect t = from_start(ctx, Rect{c.x, y + static_cast<float>(r) * (th + gap), c.w, th}, static_cast<float>(col) * (tw + gap), tw);
            fill(ctx, t, p.surface, ctx.u(12));
            outline(ctx, t, p.border, ctx.u(12), ctx.u(2));
            label(ctx, t, sv.queue->waiting[i], ctx.font(36), p.text, Align::Center);
        }
    }
}


} // namespace nafitha::ui
