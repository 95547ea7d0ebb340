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
    if (poll_due(ctx, sv.last_poll, 2.0)) {
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
    y += ctx.u(8);
    float gap = ctx.u(24);
    float bh = std::max(button_h(ctx), ctx.u(150));
    Rect row{c.x, c.y + c.h - bh, c.w, bh};
    // The scanner's live test: whatever the reader scans now is shown decoded (a receipt with its reference and
    // whether its signature verifies, an enrollment QR with its server and centre, or the text read).
    {
        float pad = ctx.u(24);
        float tw = c.w - 2 * pad;
        std::string_view title = ctx.tr("ui.tech.scan.title");
        std::string_view line1, line2;
        ImU32 colour1 = p.text_muted;
        if (sv.scan) {
            const ScanReading& r = *sv.scan;
            line1 = ctx.tr(r.valid ? "ui.tech.scan.valid" : "ui.tech.scan.invalid", {{"kind", ctx.tr(r.kind)}});
            colour1 = r.valid ? p.success : p.danger;
            std::string& d = ctx.text.next();
            d = "\u2066";
            d += r.detail;
            d += "\u2069  \u00b7  ";
            d += ctx.count("ui.tech.scan.length", static_cast<int64_t>(r.length));
            line2 = d;
        } else {
            line1 = ctx.tr("ui.tech.scan.waiting");
        }
        float t_h = paragraph_height(ctx, tw, title, ctx.font(34));
        float h1 = paragraph_height(ctx, tw, line1, ctx.font(32));
        float h2 = line2.empty() ? 0 : paragraph_height(ctx, tw, line2, ctx.font(30)) + ctx.u(6);
        float ch = pad + t_h + ctx.u(6) + h1 + h2 + pad;
        float room = row.y - gap - y;
        if (sv.scan || ch <= room) {
            // Above the buttons; a long message is cut by the screen's own clip rather than running under them.
            Rect box{c.x, y, c.w, std::min(ch, std::max(room, 0.0f))};
            if (box.h >= ch) {
                card(ctx, box);
                float ly = y + pad;
                ly += paragraph(ctx, Rect{c.x + pad, ly, tw, t_h}, title, ctx.font(34), p.text) + ctx.u(6);
                ly += paragraph(ctx, Rect{c.x + pad, ly, tw, h1}, line1, ctx.font(32), colour1);
                if (!line2.empty())
                    paragraph(ctx, Rect{c.x + pad, ly + ctx.u(6), tw, h2 - ctx.u(6)}, line2, ctx.font(30), p.text);
                y += ch + ctx.u(16);
            }
        }
    }
    if (!sv.tech_message.empty()) {
        std::string_view msg = ctx.tr(sv.tech_message, {{"detail", sv.tech_detail}});
        float mh = paragraph_height(ctx, c.w, msg, ctx.font(34));
        if (y + mh <= row.y - ctx.u(8))
            paragraph(ctx, Rect{c.x, y, c.w, mh}, msg, ctx.font(34), p.text, Align::Center);
        y += mh + ctx.u(16);
    }
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
