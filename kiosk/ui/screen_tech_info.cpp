// Technician: versions and identifiers, and the log export.

#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

namespace nafitha::ui {

void draw_tech_info(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.tech.title"));
    Rect area = tech_tabs(ctx, body);
    float m = margin(ctx);
    Rect c = area.inset(m);
    StaffView& sv = ctx.staff;
    if (sv.versions.empty() && !ctx.demo && ctx.session.busy_message.empty()) {
        Backend* b = ctx.backend;
        staff_task(ctx, "ui.busy.loading", [b]() -> std::function<void(Ctx&)> {
            auto v = b->versions();
            return [v](Ctx& cx) { cx.staff.versions = v; };
        });
    }
    float y = c.y;
    float rh = ctx.u(90);
    label(ctx, Rect{c.x, y, c.w, ctx.u(60)}, ctx.tr("ui.tech.versions"), ctx.font(38), p.primary);
    y += ctx.u(70);
    for (const auto& [k, v] : sv.versions) {
        // Identifiers and numbers are left-to-right: isolated inside an Arabic line.
        std::string& isolated = ctx.text.next();
        isolated.append("\u2066").append(v).append("\u2069");
        y += key_value_row(ctx, Rect{c.x, y, c.w, rh}, ctx.tr(k), isolated, p.text, rh);
    }
    y += ctx.u(30);
    if (!sv.tech_message.empty())
        paragraph(ctx, Rect{c.x, y, c.w, ctx.u(120)}, ctx.tr(sv.tech_message, {{"detail", sv.tech_detail}}), ctx.font(32), p.text);
    float bh = std::max(ctx.u(150), touch_min(ctx));
    if (icon_button(ctx, Rect{c.x, c.y + c.h - bh, c.w, bh}, "document", ctx.tr("ui.tech.export_logs"), Look::Primary)) {
        Backend* b = ctx.backend;
        staff_task(ctx, "ui.busy.working", [b]() -> std::function<void(Ctx&)> {
            auto r = b->export_logs();
            if (!r.ok())
                return [key = r.error().code](Ctx& cx) { cx.staff.tech_message = key; };
            return [path = *r](Ctx& cx) {
                cx.staff.tech_message = "ui.tech.exported";
                // A path is left-to-right text: isolate it inside the Arabic sentence.
                cx.staff.tech_detail = "\u2066" + path + "\u2069";
            };
        });
    }
}

} // namespace nafitha::ui
