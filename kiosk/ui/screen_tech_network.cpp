// Technician: network check and enrollment status.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

namespace nafitha::ui {

void poll_sync(Ctx& ctx);

void draw_tech_network(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.tech.title"));
    Rect area = tech_tabs(ctx, body);
    float m = margin(ctx);
    Rect c = area.inset(m);
    poll_sync(ctx);
    const SyncStatus& s = ctx.staff.sync;
    float y = c.y;
    float rh = ctx.u(100);
    auto row = [&](std::string_view k, std::string_view v, ImU32 colour) {
        y += key_value_row(ctx, Rect{c.x, y, c.w, rh}, k, v, colour, rh);
    };
    row(ctx.tr("ui.sync.enrolled"), ctx.tr(s.enrolled ? "ui.yes" : "ui.no"), s.enrolled ? p.success : p.danger);
    row(ctx.tr("ui.sync.pending_title"), ctx.number(s.pending), p.text);
    // "No problem" only for an enrolled terminal: one that is not enrolled cannot sync at all.
    std::string_view problem = !s.last_error.empty() ? ctx.tr(s.last_error)
                               : s.enrolled          ? ctx.tr("ui.sync.no_error")
                                                     : ctx.tr("ui.tech.not_enrolled");
    row(ctx.tr("ui.sync.last_error"), problem, s.last_error.empty() && s.enrolled ? p.success : p.danger);
    y += ctx.u(30);
    StaffView& sv = ctx.staff;
    if (!sv.tech_message.empty()) {
        float mh = paragraph_height(ctx, c.w, ctx.tr(sv.tech_message), ctx.font(36));
        y += paragraph(ctx, Rect{c.x, y, c.w, mh}, ctx.tr(sv.tech_message), ctx.font(36), p.text, Align::Center);
    }
    float bh = std::max(ctx.u(150), touch_min(ctx));
    if (icon_button(ctx, Rect{c.x, c.y + c.h - bh, c.w, bh}, "network", ctx.tr("ui.tech.network_check"), Look::Primary)) {
        Backend* b = ctx.backend;
        staff_task(ctx, "ui.busy.network", [b]() -> std::function<void(Ctx&)> {
            auto r = b->network_check();
            std::string key = r.ok() ? *r : r.error().code;
            return [key](Ctx& cx) { cx.staff.tech_message = key; };
        });
    }
}

} // namespace nafitha::ui
