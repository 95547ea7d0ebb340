// The staff dashboard: one tile per section.

#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

namespace nafitha::ui {

void draw_staff_home(Ctx& ctx)
{
    std::string name = ctx.staff.session ? ctx.staff.session->name : std::string();
    Rect body = staff_header(ctx, ctx.tr("ui.staff.home.title", {{"name", name}}));
    float m = margin(ctx);
    Rect c = body.inset(m);
    struct Item {
        const char* screen;
        const char* icon;
        const char* key;
    };
    const Item items[] = {{"staff_queue", "queue", "ui.staff.tab.queue"},
                          {"staff_inbox", "inbox", "ui.staff.tab.inbox"},
                          {"staff_payments", "money", "ui.staff.tab.payments"},
                          {"staff_sync", "sync", "ui.staff.tab.sync"}};
    int cols = 2;
    float gap = ctx.u(30);
    float tw = (c.w - gap) / static_cast<float>(cols);
    float th = std::min(tw * 0.8f, (c.h - gap) * 0.5f);
    for (int i = 0; i < 4; ++i) {
        Rect r{c.x + static_cast<float>(i % cols) * (tw + gap), c.y + static_cast<float>(i / cols) * (th + gap), tw, th};
        r = mirror(ctx, r, c);
        if (tile(ctx, r, items[i].icon, ctx.tr(items[i].key))) {
            ctx.screen = items[i].screen;
            std::string s = ctx.screen;
            if (s == "staff_queue")
                refresh_queue(ctx);
            else if (s == "staff_inbox")
                refresh_inbox(ctx);
            else if (s == "staff_payments")
                refresh_payments(ctx);
        }
    }
}

void demo_staff(Ctx& ctx)
{
    ctx.staff.session = StaffSession{"clerk1", "سلمى حداد", false};
    ctx.staff.sync.enrolled = true;
    ctx.staff.sync.pending = 12;
    ctx.staff.sync.last_seq = 140;
    ctx.staff.sync.acked_seq = 128;
    ctx.staff.sync.last_success = "2026-11-28T08:15:00Z";
    ctx.staff.sync.last_error = "ui.sync.error.unreachable";
}

} // namespace nafitha::ui
