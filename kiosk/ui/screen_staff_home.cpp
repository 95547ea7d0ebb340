// The staff dashboard: one tile per section.

#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

namespace nafitha::ui {

void draw_staff_home(Ctx& ctx)
{
    std::string_view name = ctx.staff.session ? std::string_view(ctx.staff.session->full_name) : std::string_view();
    Rect body = staff_header(ctx, ctx.tr("ui.staff.home.title", {{"name", name}}));
    float m = margin(ctx);
    Rect c = body.inset(m);
    struct Item {
        ScreenId screen;
        const char* icon;
        const char* key;
    };
    const Item items[] = {{ScreenId::StaffQueue, "queue", "ui.staff.tab.queue"},
                          {ScreenId::StaffInbox, "inbox", "ui.staff.tab.inbox"},
                          {ScreenId::StaffPayments, "money", "ui.staff.tab.payments"},
                          {ScreenId::StaffSync, "sync", "ui.staff.tab.sync"},
                          {ScreenId::StaffUpdates, "clock", "ui.updates.title"}};
    int cols = 2;
    float gap = ctx.u(30);
    float tw = (c.w - gap) / static_cast<float>(cols);
    constexpr int count = static_cast<int>(std::size(items));
    constexpr int rows = (count + 1) / 2;
    float th = std::min(tw * 0.8f, (c.h - gap * (rows - 1)) / static_cast<float>(rows));
    for (int i = 0; i < count; ++i) {
        Rect r{c.x + static_cast<float>(i % cols) * (tw + gap), c.y + static_cast<float>(i / cols) * (th + gap), tw, th};
        r = mirror(ctx, r, c);
        if (tile(ctx, r, items[i].icon, ctx.tr(items[i].key))) {
            ctx.screen = items[i].screen;
            refresh_section(ctx);
        }
    }
}


} // namespace nafitha::ui
