#include "kiosk/ui/staff.h"

#include "kiosk/ui/counter.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>
#include <span>

namespace nafitha::ui {

Rect staff_header(Ctx& ctx, std::string_view title)
{
    const Palette& p = ctx.pal();
    Rect body = header(ctx, title, false);
    float pad = ctx.u(16);
    Rect bar{pad, pad, ctx.size.x - 2 * pad, header_h(ctx) - 2 * pad};
    Rect out = from_start(ctx, bar, 0, ctx.u(230));
    bool held = ctx.touch.held(out);
    fill(ctx, out, held ? p.primary_pressed : p.danger, ctx.u(16));
    label(ctx, out, ctx.tr("ui.staff.logout"), ctx.font(34), p.on_primary, Align::Center);
    ctx.target(ctx.tr("ui.staff.logout"), out);
    if (ctx.touch.tap(out)) {
        Backend* b = ctx.backend;
        ctx.worker->post([b]() -> Worker::Completion {
            b->staff_logout();
            return {};
        });
        ctx.end_visit();
    }
    return body;
}

namespace {

struct Tab {
    ScreenId screen;
    const char* key;
};

Rect tabs(Ctx& ctx, const Rect& area, std::span<const Tab> items)
{
    const Palette& p = ctx.pal();
    float h = std::max(ctx.u(110), touch_min(ctx));
    Rect bar{area.x, area.y, area.w, h};
    fill(ctx, bar, p.surface);
    float w = bar.w / static_cast<float>(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        Rect r = from_start(ctx, bar, static_cast<float>(i) * w, w);
        // The application and the visit's end belong to the inbox and the registration.
        ScreenId shown = ctx.screen == ScreenId::CounterApplication ? ScreenId::StaffInbox
                         : ctx.screen == ScreenId::CounterDone      ? ScreenId::CounterRegister
                         : ctx.screen == ScreenId::StaffPayments    ? ScreenId::CounterDrawer
                                                                    : ctx.screen;
        bool active = shown == items[i].screen;
        bool held = ctx.touch.held(r);
        fill(ctx, r, held ? p.surface_pressed : p.surface);
        if (active)
            fill(ctx, Rect{r.x, r.y + r.h - ctx.u(8), r.w, ctx.u(8)}, p.primary);
        label(ctx, r, ctx.tr(items[i].key), ctx.font(32), active ? p.primary : p.text, Align::Center);
        ctx.target(ctx.tr(items[i].key), r);
        if (ctx.touch.tap(r) && (!active || ctx.screen != items[i].screen)) {
            // Leaving an application or a finished visit wipes the citizen's data from the screen.
            if (ctx.screen == ScreenId::CounterApplication || ctx.screen == ScreenId::CounterDone || ctx.screen == ScreenId::CounterRegister) {
                ctx.counter.wipe();
                ctx.session.wipe();
            }
            ctx.screen = items[i].screen;
            ctx.history.clear();
            ctx.scroller.reset();
            ctx.staff.message.clear();
            ctx.counter.message.clear();
            refresh_section(ctx);
        }
    }
    canvas(ctx)->AddLine(ImVec2(bar.x, bar.y + h), ImVec2(bar.x + bar.w, bar.y + h), p.border, 2);
    return Rect{area.x, area.y + h, area.w, area.h - h};
}

} // namespace

Rect staff_tabs(Ctx& ctx, const Rect& area)
{
    static constexpr Tab kTabs[] = {{ScreenId::CounterRegister, "ui.staff.tab.register"},
                                    {ScreenId::StaffQueue, "ui.staff.tab.queue"},
                                    {ScreenId::StaffInbox, "ui.staff.tab.inbox"},
                                    {ScreenId::CounterDrawer, "ui.staff.tab.drawer"},
                                    {ScreenId::StaffSync, "ui.staff.tab.sync"}};
    return tabs(ctx, area, kTabs);
}

Rect tech_tabs(Ctx& ctx, const Rect& area)
{
    static constexpr Tab kTabs[] = {{ScreenId::TechDevices, "ui.tech.tab.devices"},
                                    {ScreenId::TechNetwork, "ui.tech.tab.network"},
                                    {ScreenId::TechInfo, "ui.tech.tab.info"}};
    return tabs(ctx, area, kTabs);
}

void staff_task(Ctx& ctx, const char* busy_key, std::function<std::function<void(Ctx&)>()> fn)
{
    ctx.session.busy_message = busy_key;
    Ctx* c = &ctx;
    ctx.worker->post([c, fn = std::move(fn)]() -> Worker::Completion {
        auto apply = fn();
        return [c, apply = std::move(apply)] {
            c->session.busy_message.clear();
            if (apply)
                apply(*c);
        };
    });
}

void refresh_section(Ctx& ctx)
{
    switch (ctx.screen) {
    case ScreenId::StaffQueue:
        refresh_queue(ctx);
        break;
    case ScreenId::StaffInbox:
        refresh_inbox(ctx);
        break;
    case ScreenId::StaffPayments:
        refresh_payments(ctx);
        break;
    case ScreenId::CounterDrawer:
        refresh_drawer(ctx);
        break;
    case ScreenId::StaffUpdates:
        // Polled by the screen itself (screen_staff_updates.cpp): at once, and without an older result.
        ctx.staff.message.clear();
        ctx.staff.last_poll = -1e9;
        break;
    default:
        break;
    }
}

void refresh_queue(Ctx& ctx)
{
    Backend* b = ctx.backend;
    staff_task(ctx, "ui.busy.loading", [b]() -> std::function<void(Ctx&)> {
        auto q = b->queue_state();
        if (!q.ok())
            return [e = q.error()](Ctx& c) { c.staff.message = e.code; };
        return [q = *q](Ctx& c) { c.staff.queue = q; };
    });
}

void refresh_inbox(Ctx& ctx)
{
    Backend* b = ctx.backend;
    staff_task(ctx, "ui.busy.loading", [b]() -> std::function<void(Ctx&)> {
        auto items = b->inbox();
        if (!items.ok())
            return [e = items.error()](Ctx& c) { c.staff.message = e.code; };
        return [items = *items](Ctx& c) { c.staff.inbox = items; };
    });
}

void refresh_payments(Ctx& ctx)
{
    Backend* b = ctx.backend;
    staff_task(ctx, "ui.busy.loading", [b]() -> std::function<void(Ctx&)> {
        auto s = b->payments_today();
        if (!s.ok())
            return [e = s.error()](Ctx& c) { c.staff.message = e.code; };
        return [s = *s](Ctx& c) { c.staff.payments = s; };
    });
}

bool poll_due(const Ctx& ctx, double& last_poll, double every_s)
{
    if (ctx.demo || ctx.now - last_poll < every_s)
        return false;
    last_poll = ctx.now;
    return true;
}

} // namespace nafitha::ui
