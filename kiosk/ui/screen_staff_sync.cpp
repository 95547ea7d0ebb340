// The sync panel: what has not reached the centre yet, the last success, the last error in plain words,
// and sync now.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

namespace nafitha::ui {

void poll_sync(Ctx& ctx)
{
    if (ctx.demo || ctx.now - ctx.staff.last_poll < 1.0)
        return;
    ctx.staff.last_poll = ctx.now;
    Backend* b = ctx.backend;
    Ctx* c = &ctx;
    ctx.worker->post([b, c]() -> Worker::Completion {
        SyncStatus s = b->sync_status();
        return [c, s] { c->staff.sync = s; };
    });
}

void draw_staff_sync(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.staff.tab.sync"));
    Rect area = staff_tabs(ctx, body);
    float m = margin(ctx);
    Rect c = area.inset(m);
    poll_sync(ctx);
    const SyncStatus& s = ctx.staff.sync;
    float y = c.y;
    float ch = ctx.u(260);
    card(ctx, Rect{c.x, y, c.w, ch});
    bool all_sent = s.pending == 0;
    label(ctx, Rect{c.x, y + ctx.u(30), c.w, ctx.u(60)}, ctx.tr(all_sent ? "ui.sync.all_sent" : "ui.sync.pending_title"),
          ctx.font(36), p.text_muted, Align::Center);
    label(ctx, Rect{c.x, y + ctx.u(100), c.w, ctx.u(130)}, ctx.number(s.pending), ctx.font(110),
          all_sent ? p.success : p.accent, Align::Center);
    y += ch + ctx.u(30);
    float rh = ctx.u(90);
    auto row = [&](const char* key, std::string_view value, ImU32 colour) {
        Rect r{c.x, y, c.w, rh};
        label(ctx, r, ctx.tr(key), ctx.font(32), p.text_muted, Align::Start);
        label(ctx, r, value, ctx.font(34), colour, Align::End);
        canvas(ctx)->AddLine(ImVec2(r.x, r.y + rh - 1), ImVec2(r.x + r.w, r.y + rh - 1), p.border, 1);
        y += rh;
    };
    row("ui.sync.enrolled", ctx.tr(s.enrolled ? "ui.yes" : "ui.no"), s.enrolled ? p.text : p.danger);
    row("ui.sync.last_success", s.last_success.empty() ? ctx.tr("ui.sync.never") : ctx.date_time(s.last_success), p.text);
    std::string& sent = ctx.text.next();
    sent.append(ctx.number(s.acked_seq)).append(" / ").append(ctx.number(s.last_seq));
    row("ui.sync.sent", sent, p.text);
    y += ctx.u(20);
    if (!s.last_error.empty()) {
        float h = ctx.labels->draw_wrapped(nullptr, ImVec2(0, 0), c.w - ctx.u(40), ctx.tr(s.last_error), ctx.font(32), p.text,
                                           Align::Start, ctx.lang);
        Rect box{c.x, y, c.w, h + ctx.u(90)};
        fill(ctx, box, p.surface, ctx.u(16));
        outline(ctx, box, p.danger, ctx.u(16), ctx.u(3));
        label(ctx, Rect{c.x + ctx.u(20), y + ctx.u(10), c.w - ctx.u(40), ctx.u(50)}, ctx.tr("ui.sync.last_error"), ctx.font(28), p.danger);
        paragraph(ctx, Rect{c.x + ctx.u(20), y + ctx.u(70), c.w - ctx.u(40), h}, ctx.tr(s.last_error), ctx.font(32), p.text);
        y += box.h + ctx.u(20);
    }
    float bh = std::max(ctx.u(150), touch_min(ctx));
    Rect now_r{c.x, c.y + c.h - bh, c.w, bh};
    if (s.running) {
        fill(ctx, now_r, p.border, ctx.u(18));
        label(ctx, now_r, ctx.tr("ui.sync.running"), ctx.font(40), p.text_muted, Align::Center);
    } else if (icon_button(ctx, now_r, "sync", ctx.tr("ui.sync.now"), Look::Primary) && s.enrolled) {
        Backend* b = ctx.backend;
        ctx.staff.sync.running = true;
        ctx.worker->post([b]() -> Worker::Completion {
            b->sync_now();
            return {};
        });
    }
}

} // namespace nafitha::ui
