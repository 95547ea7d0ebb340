// Technician: every device's state, a printer test page and a scanner test.

#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

void draw_tech_devices(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.tech.title"));
    Rect area = tech_tabs(ctx, body);
    float m = margin(ctx);
    Rect c = area.inset(m);
    StaffView& sv = ctx.staff;
    if (!ctx.demo && ctx.now - sv.last_poll >= 2.0) {
        sv.last_poll = ctx.now;
        Backend* b = ctx.backend;
        Ctx* cx = &ctx;
        ctx.worker->post([b, cx]() -> Worker::Completion {
            auto d = b->devices();
            return [cx, d] { cx->staff.devices = d; };
        });
    }
    float y = c.y;
    float rh = std::max(ctx.u(120), touch_min(ctx));
    int cols = ctx.portrait() ? 1 : 2;
    float cw = (c.w - ctx.u(20) * static_cast<float>(cols - 1)) / static_cast<float>(cols);
    for (size_t i = 0; i < sv.devices.size(); ++i) {
        const DeviceInfo& d = sv.devices[i];
        int col = static_cast<int>(i % static_cast<size_t>(cols));
        Rect r = from_start(ctx, Rect{c.x, y, c.w, rh}, static_cast<float>(col) * (cw + ctx.u(20)), cw);
        card(ctx, r);
        ImU32 colour = d.state == DeviceState::Ok ? p.success : (d.state == DeviceState::Warning ? p.warning_text : p.danger);
        float dot = ctx.u(18);
        Rect dr = from_start(ctx, Rect{r.x, r.y + (rh - 2 * dot) * 0.5f, r.w, 2 * dot}, ctx.u(30), 2 * dot);
        canvas(ctx)->AddCircleFilled(dr.centre(), dot, colour);
        Rect t = from_start(ctx, r, ctx.u(90), r.w - ctx.u(120));
        label(ctx, t, ctx.tr(d.name), ctx.font(36), p.text, Align::Start);
        label(ctx, t, ctx.tr(d.detail), ctx.font(32), colour, Align::End);
        if (col == cols - 1 || i + 1 == sv.devices.size())
            y += rh + ctx.u(16);
    }
    y += ctx.u(20);
    if (!sv.tech_message.empty()) {
        std::string_view msg = ctx.tr(sv.tech_message, {{"detail", sv.tech_detail}});
        label(ctx, Rect{c.x, y, c.w, ctx.u(70)}, msg, ctx.font(34), p.text, Align::Center);
        y += ctx.u(90);
    }
    float gap = ctx.u(24);
    float bh = std::max(ctx.u(150), touch_min(ctx));
    Rect row{c.x, c.y + c.h - bh, c.w, bh};
    float half = (c.w - gap) * 0.5f;
    Backend* b = ctx.backend;
    Lang lang = ctx.lang;
    if (icon_button(ctx, from_start(ctx, row, 0, half), "printer", ctx.tr("ui.tech.test_print"), Look::Primary)) {
        staff_task(ctx, "ui.busy.printing", [b, lang]() -> std::function<void(Ctx&)> {
            auto r = b->test_print(lang);
            std::string key = r.ok() ? "ui.tech.print_ok" : r.error().code;
            return [key](Ctx& cx) {
                cx.staff.tech_message = key;
                cx.staff.tech_detail.clear();
            };
        });
    }
    if (icon_button(ctx, from_end(ctx, row, 0, half), "qr", ctx.tr("ui.tech.test_scan"), Look::Secondary)) {
        staff_task(ctx, "ui.busy.scan", [b]() -> std::function<void(Ctx&)> {
            auto r = b->test_scan();
            if (!r.ok())
                return [key = r.error().code](Ctx& cx) {
                    cx.staff.tech_message = key;
                    cx.staff.tech_detail.clear();
                };
            return [code = *r](Ctx& cx) {
                cx.staff.tech_message = "ui.tech.scan_ok";
                cx.staff.tech_detail = "\u2066" + code.substr(0, 40) + "\u2069";
            };
        });
    }
}


} // namespace nafitha::ui
