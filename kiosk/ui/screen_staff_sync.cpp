// The sync panel: what has not reached the centre yet (each item, oldest first, with its age), days since the
// last successful sync against central's policy (warned days before payments stop), the last error in plain
// words, and sync now.

#include "kiosk/ui/counter.h"
#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/widgets.h"

namespace nafitha::ui {

void poll_sync(Ctx& ctx)
{
    if (!poll_due(ctx, ctx.staff.last_poll, 1.0))
        return;
    Backend* b = ctx.backend;
    Ctx* c = &ctx;
    ctx.worker->post([b, c]() -> Worker::Completion {
        SyncStatus s = b->sync_status();
        auto h = b->policy_state();
        auto u = b->unsynced();
        return [c, s, h = h.ok() ? std::optional<services::PolicyState>(*h) : std::nullopt,
                u = u.ok() ? *u : std::vector<services::UnsyncedItem>{}] {
            c->staff.sync = s;
            c->staff.health = h;
            c->staff.unsynced = u;
        };
    });
}

namespace {

// "3 days", "5 h", "12 min" in the language's digits, in this frame's text.
std::string_view age_text(Ctx& ctx, int64_t seconds)
{
    if (seconds >= 86400)
        return ctx.count("ui.counter.age.days", seconds / 86400);
    if (seconds >= 3600)
        return ctx.count("ui.counter.age.hours", seconds / 3600);
    return ctx.count("ui.counter.age.minutes", seconds / 60);
}

// The policy's banner: a warning days before payments stop, or the stop itself.
float policy_banner(Ctx& ctx, const Rect& r)
{
    const Palette& p = ctx.pal();
    const auto& h = ctx.staff.health;
    if (!h || !h->has_policy || !h->warn)
        return 0;
    std::string& text = ctx.text.next();
    if (h->stop_payments) {
        text.append(ctx.count("ui.counter.policy.stopped", h->days_without_sync));
    } else {
        text.append(ctx.count("ui.counter.policy.no_sync", h->days_without_sync));
        if (h->days_until_stop >= 0)
            text.append(" ").append(ctx.count("ui.counter.policy.stop_in", h->days_until_stop));
    }
    float th = ctx.labels->draw_wrapped(nullptr, ImVec2(0, 0), r.w - ctx.u(40), text, ctx.font(28), p.text, Align::Start, ctx.lang);
    Rect box{r.x, r.y, r.w, th + ctx.u(30)};
    fill(ctx, box, p.surface, ctx.u(12));
    outline(ctx, box, h->stop_payments ? p.danger : p.accent, ctx.u(12), ctx.u(4));
    paragraph(ctx, box.inset(ctx.u(15)), text, ctx.font(28), p.text);
    return box.h + ctx.u(16);
}

void unsynced_list(Ctx& ctx, const Rect& area)
{
    const Palette& p = ctx.pal();
    std::string_view title = ctx.tr("ui.counter.sync.items");
    float th = paragraph_height(ctx, area.w, title, ctx.font(28));
    paragraph(ctx, Rect{area.x, area.y, area.w, th}, title, ctx.font(28), p.text);
    Rect view{area.x, area.y + th + ctx.u(6), area.w, area.h - th - ctx.u(6)};
    const auto& items = ctx.staff.unsynced;
    if (items.empty()) {
        label(ctx, Rect{view.x, view.y, view.w, ctx.u(60)}, ctx.tr("ui.sync.all_sent"), ctx.font(28), p.success, Align::Center);
        return;
    }
    float rh = ctx.u(50);
    ctx.scroller.update(ctx.touch, view, static_cast<float>(items.size()) * rh, ctx.dt);
    canvas(ctx)->PushClipRect(view.min(), view.max(), true);
    for (size_t i = 0; i < items.size(); ++i) {
        Rect r{view.x, view.y + static_cast<float>(i) * rh - ctx.scroller.offset(), view.w, rh};
        if (r.y + r.h < view.y || r.y > view.y + view.h)
            continue;
        const auto& u = items[i];
        if (i % 2 == 0)
            fill(ctx, r, p.surface);
        std::string& key = ctx.text.next();
        key.append("ui.entry.").append(u.type);
        std::string_view what = ctx.i18n->has(ctx.lang, key) ? ctx.tr(key) : std::string_view(u.type);
        Rect in = r.inset(ctx.u(8));
        label(ctx, from_start(ctx, in, 0, in.w * 0.42f), what, ctx.font(22), p.text);
        if (!u.reference.empty())
            label(ctx, from_start(ctx, in, in.w * 0.42f, in.w * 0.3f), ltr(ctx, u.reference), ctx.font(22), p.text_muted);
        label(ctx, in, age_text(ctx, u.age_s), ctx.font(22), p.warning_text, Align::End);
    }
    canvas(ctx)->PopClipRect();
}

} // namespace

void draw_staff_sync(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.staff.tab.sync"));
    Rect area = staff_tabs(ctx, body);
    float m = margin(ctx);
    Rect c = area.inset(m);
    poll_sync(ctx);
    const SyncStatus& s = ctx.staff.sync;
    // Landscape: the unsynced items on the end half, the last problem and "send now" under them. Portrait: the
    // button at the bottom and what is above it scrolls when it does not fit (large text).
    bool tall = ctx.portrait();
    float bh = std::max(ctx.u(tall ? 150 : 96), touch_min(ctx));
    Rect now_r{c.x, c.y + c.h - bh, c.w, bh};
    Rect err_area = c;
    float err_text_h = 0;
    if (!tall) {
        Rect list = from_end(ctx, c, 0, c.w * 0.5f - m * 0.5f);
        now_r = Rect{list.x, list.y + list.h - bh, list.w, bh};
        list.h -= bh + ctx.u(16);
        if (!s.last_error.empty())
            err_text_h = ctx.labels->draw_wrapped(nullptr, ImVec2(0, 0), list.w - ctx.u(40), ctx.tr(s.last_error), ctx.font(32),
                                                  p.text, Align::Start, ctx.lang);
        float eh = err_text_h > 0 ? err_text_h + ctx.u(90) : 0;
        unsynced_list(ctx, Rect{list.x, list.y, list.w, list.h - (eh > 0 ? eh + ctx.u(16) : 0)});
        err_area = Rect{list.x, list.y + list.h - eh, list.w, eh};
        c = from_start(ctx, c, 0, c.w * 0.5f - m * 0.5f);
    }
    Rect view = tall ? begin_scroll(ctx, Rect{c.x, c.y, c.w, now_r.y - ctx.u(12) - c.y}) : c;
    c = view;
    float y = tall ? view.y - ctx.scroller.offset() : view.y;
    y += policy_banner(ctx, Rect{c.x, y, c.w, ctx.u(200)});
    bool all_sent = s.pending == 0;
    // The card's two lines as tall as their text (large text).
    float t_px = ctx.font(36), n_px = ctx.font(tall ? 110 : 76);
    float top = ctx.u(tall ? 30 : 16);
    float th = std::max(ctx.u(60), text_h(ctx, t_px) + ctx.u(4));
    float nh = std::max(ctx.u(tall ? 130 : 90), text_h(ctx, n_px) + ctx.u(4));
    float ch = std::max(ctx.u(tall ? 260 : 170), top + th + ctx.u(8) + nh + ctx.u(8));
    card(ctx, Rect{c.x, y, c.w, ch});
    label(ctx, Rect{c.x, y + top, c.w, th}, ctx.tr(all_sent ? "ui.sync.all_sent" : "ui.sync.pending_title"), t_px, p.text_muted,
          Align::Center);
    label(ctx, Rect{c.x, y + top + th + ctx.u(8), c.w, nh}, ctx.number(s.pending), n_px, all_sent ? p.success : p.warning_text,
          Align::Center);
    y += ch + ctx.u(tall ? 30 : 14);
    float rh = ctx.u(tall ? 90 : 60);
    auto row = [&](const char* key, std::string_view value, ImU32 colour) {
        Rect r{c.x, y, c.w, rh};
        label(ctx, r, ctx.tr(key), ctx.font(32), p.text_muted, Align::Start);
        label(ctx, r, value, ctx.font(34), colour, Align::End);
        canvas(ctx)->AddLine(ImVec2(r.x, r.y + rh - 1), ImVec2(r.x + r.w, r.y + rh - 1), p.border, 1);
        y += rh;
    };
    row("ui.sync.enrolled", ctx.tr(s.enrolled ? "ui.yes" : "ui.no"), s.enrolled ? p.text : p.danger);
    if (const auto& h = ctx.staff.health)
        row("ui.counter.sync.days", ctx.number(h->days_without_sync), h->warn ? p.danger : p.text);
    row("ui.sync.last_success", s.last_success.empty() ? ctx.tr("ui.sync.never") : ctx.date_time(s.last_success), p.text);
    std::string& sent = ctx.text.next();
    sent.append(ctx.number(s.acked_seq)).append(" / ").append(ctx.number(s.last_seq));
    row("ui.sync.sent", sent, p.text);
    y += ctx.u(20);
    if (!s.last_error.empty()) {
        bool beside = !ctx.portrait();
        Rect at = beside ? err_area : Rect{c.x, y, c.w, 0};
        float h = beside ? err_text_h
                         : ctx.labels->draw_wrapped(nullptr, ImVec2(0, 0), c.w - ctx.u(40), ctx.tr(s.last_error), ctx.font(32),
                                                    p.text, Align::Start, ctx.lang);
        Rect box{at.x, at.y, at.w, h + ctx.u(90)};
        fill(ctx, box, p.surface, ctx.u(16));
        outline(ctx, box, p.danger, ctx.u(16), ctx.u(3));
        label(ctx, Rect{box.x + ctx.u(20), box.y + ctx.u(10), box.w - ctx.u(40), ctx.u(50)}, ctx.tr("ui.sync.last_error"), ctx.font(28),
              p.danger);
        paragraph(ctx, Rect{box.x + ctx.u(20), box.y + ctx.u(70), box.w - ctx.u(40), h}, ctx.tr(s.last_error), ctx.font(32), p.text);
        if (!beside)
            y += box.h + ctx.u(20);
    }
    if (tall)
        end_scroll(ctx, view, y);
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
