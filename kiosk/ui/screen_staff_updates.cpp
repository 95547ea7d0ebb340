// Updates, for staff: when this terminal installs its signed updates (the maintenance window, local time), whether
// the window is open now, whether staff postponed them and until when, the updater's last run; staff postpone
// them (4 or 24 hours, e.g. for a busy day that runs late) or let them run again. An update never interrupts a
// citizen's visit in any case (kiosk/app/visit_lock.h). nafitha-ctl update reads the same files
// (kiosk/services/maintenance.h).

#include "kiosk/ui/counter.h"
#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace nafitha::ui {

namespace {

void poll_updates(Ctx& ctx)
{
    if (!poll_due(ctx, ctx.staff.last_poll, 1.0))
        return;
    Backend* b = ctx.backend;
    Ctx* c = &ctx;
    ctx.worker->post([b, c]() -> Worker::Completion {
        services::UpdateState s = b->update_state();
        return [c, s] { c->staff.updates = s; };
    });
}

// Unix seconds as the stored UTC form ctx.date_time() shows in the centre's local time.
std::string_view when(Ctx& ctx, int64_t unix_seconds)
{
    time_t t = static_cast<time_t>(unix_seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string& iso = ctx.text.next();
    iso = buf;
    return ctx.date_time(iso);
}

// Minutes after midnight as "HH:MM" in the screen's digits (Arabic-Indic in Arabic).
std::string_view clock_text(Ctx& ctx, int minutes)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 24, minutes % 60);
    std::string& out = ctx.text.next();
    for (const char* c = buf; *c; ++c) {
        if (ctx.lang == Lang::Ar && *c >= '0' && *c <= '9') {
            out.append("\xD9");
            out.push_back(static_cast<char>(0xA0 + (*c - '0'))); // U+0660..U+0669
        } else {
            out.push_back(*c);
        }
    }
    return out;
}

void postpone(Ctx& ctx, int64_t hours)
{
    staff_task(ctx, "ui.updates.saving", [b = ctx.backend, hours]() -> std::function<void(Ctx&)> {
        auto r = b->postpone_updates(hours);
        auto s = b->update_state();
        return [r, s](Ctx& c) {
            c.staff.updates = s;
            c.staff.message = r.ok() ? "ui.updates.postponed_done" : r.error().code;
        };
    });
}

void resume(Ctx& ctx)
{
    staff_task(ctx, "ui.updates.saving", [b = ctx.backend]() -> std::function<void(Ctx&)> {
        auto r = b->resume_updates();
        auto s = b->update_state();
        return [r, s](Ctx& c) {
            c.staff.updates = s;
            c.staff.message = r.ok() ? "ui.updates.resumed_done" : r.error().code;
        };
    });
}

} // namespace

void draw_staff_updates(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.updates.title"));
    Rect area = staff_tabs(ctx, body);
    float m = margin(ctx);
    poll_updates(ctx);
    static const services::UpdateState kNone;
    const services::UpdateState& s = ctx.staff.updates ? *ctx.staff.updates : kNone;
    bool postponed = s.postponed_until > 0;

    // The buttons at the bottom; what is above them scrolls when it does not fit (large text).
    float bh = std::max(button_h(ctx), touch_min(ctx));
    float gap = ctx.u(16);
    int buttons = postponed ? 3 : 2;
    Rect c = area.inset(m);
    float buttons_h = static_cast<float>(buttons) * bh + static_cast<float>(buttons - 1) * gap;
    Rect view = begin_scroll(ctx, Rect{c.x, c.y, c.w, c.h - buttons_h - ctx.u(24)});
    float y = view.y - ctx.scroller.offset();

    // The window and whether it is open now.
    std::string_view window_line = s.window ? ctx.tr("ui.updates.window", {{"from", clock_text(ctx, s.window->start)},
                                                                           {"to", clock_text(ctx, s.window->end)}})
                                            : ctx.tr("ui.updates.window_bad");
    std::string_view state = ctx.tr(s.open_now ? "ui.updates.open_now" : "ui.updates.closed_now");
    float t_px = ctx.font(34), s_px = ctx.font(44);
    float th = paragraph_height(ctx, view.w - ctx.u(40), window_line, t_px);
    float sh = std::max(ctx.u(70), text_h(ctx, s_px) + ctx.u(8));
    float ch = ctx.u(24) + th + ctx.u(12) + sh + ctx.u(24);
    card(ctx, Rect{view.x, y, view.w, ch});
    paragraph(ctx, Rect{view.x + ctx.u(20), y + ctx.u(24), view.w - ctx.u(40), th}, window_line, t_px, p.text_muted, Align::Center);
    label(ctx, Rect{view.x, y + ctx.u(24) + th + ctx.u(12), view.w, sh}, state, s_px,
          postponed ? p.warning_text : s.open_now ? p.success : p.text, Align::Center);
    y += ch + ctx.u(20);

    // Postponement and the last run, one row each.
    float rh = ctx.u(70);
    y += key_value_row(ctx, Rect{view.x, y, view.w, rh}, ctx.tr("ui.updates.postponed_until"),
                       postponed ? when(ctx, s.postponed_until) : ctx.tr("ui.updates.not_postponed"), postponed ? p.warning_text : p.text, rh);
    std::string_view last = ctx.tr("ui.sync.never");
    if (s.last_time > 0) {
        // "installed", "up_to_date", "postponed", or an error's code (its translation: a full sentence).
        std::string& key = ctx.text.next();
        key.append("ui.updates.result.").append(s.last_result);
        std::string_view result = ctx.i18n->has(ctx.lang, key)           ? ctx.tr(key)
                                  : ctx.i18n->has(ctx.lang, s.last_result) ? ctx.tr(s.last_result)
                                                                           : std::string_view(s.last_result);
        std::string& text = ctx.text.next();
        text.append(when(ctx, s.last_time)).append(" — ").append(result);
        if (!s.last_version.empty())
            text.append(" (").append(ltr(ctx, s.last_version)).append(")");
        last = text;
    }
    y += key_value_row(ctx, Rect{view.x, y, view.w, rh}, ctx.tr("ui.updates.last_run"), last, p.text, rh);
    y += ctx.u(20);
    y += paragraph(ctx, Rect{view.x, y, view.w, ctx.u(200)}, ctx.tr("ui.updates.explain"), ctx.font(28), p.text_muted);
    y += ctx.u(16);
    if (!ctx.staff.message.empty()) {
        std::string_view msg = ctx.tr(ctx.staff.message); // a ui.updates.* result or an error's code
        y += paragraph(ctx, Rect{view.x, y, view.w, ctx.u(200)}, msg, ctx.font(30), p.text);
    }
    end_scroll(ctx, view, y);

    float by = c.y + c.h - buttons_h;
    if (button(ctx, Rect{c.x, by, c.w, bh}, ctx.count("ui.updates.postpone_hours", 24), Look::Primary))
        postpone(ctx, 24);
    by += bh + gap;
    if (button(ctx, Rect{c.x, by, c.w, bh}, ctx.count("ui.updates.postpone_hours", 4), Look::Secondary))
        postpone(ctx, 4);
    by += bh + gap;
    if (postponed && button(ctx, Rect{c.x, by, c.w, bh}, ctx.tr("ui.updates.resume"), Look::Secondary))
        resume(ctx);
}

} // namespace nafitha::ui
