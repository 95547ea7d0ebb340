// The applications inbox: what waits for a decision, newest first, and a search by reference, name, national
// id or phone (through the blind index). Personal data is masked here; a tap opens the whole application as
// a journalled view (screen_counter_application.cpp). References always read left to right.

#include "kiosk/ui/counter.h"
#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/text_field.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

namespace {

void row(Ctx& ctx, const Rect& view, const Rect& r, std::string_view reference, std::string_view service_code,
         services::AppStatus status, std::string_view submitted_at, std::string_view hint)
{
    const Palette& p = ctx.pal();
    bool held = ctx.touch.held(r);
    fill(ctx, r, held ? p.surface_pressed : p.surface, ctx.u(12));
    outline(ctx, r, p.border, ctx.u(12), ctx.u(2));
    std::string_view name = service_code;
    if (ctx.catalogue)
        if (const auto* s = ctx.catalogue->service(service_code))
            name = s->name.in(ctx.lang);
    Rect inner = r.inset(ctx.u(16));
    Rect top{inner.x, inner.y, inner.w, inner.h * 0.55f};
    Rect bottom{inner.x, inner.y + inner.h * 0.55f, inner.w, inner.h * 0.45f};
    label(ctx, top, name, ctx.font(30), p.text);
    label(ctx, top, ctx.tr(status_key(status)), ctx.font(28), p.warning_text, Align::End);
    label(ctx, from_start(ctx, bottom, 0, bottom.w * 0.3f), ltr(ctx, reference), ctx.font(26), p.text_muted);
    if (!hint.empty())
        label(ctx, from_start(ctx, bottom, bottom.w * 0.3f, bottom.w * 0.2f), hint, ctx.font(26), p.text_muted);
    label(ctx, bottom, ctx.date_time(submitted_at), ctx.font(24), p.text_muted, Align::End);
    ctx.target(reference, r);
    if (ctx.touch.tap(r) && view.contains(ctx.touch.pos()))
        open_application(ctx, std::string(reference));
}

} // namespace

void draw_staff_inbox(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    Rect body = staff_header(ctx, ctx.tr("ui.staff.tab.inbox"));
    Rect area = staff_tabs(ctx, body);
    float m = margin(ctx) * 0.6f;
    Rect c = area.inset(m);
    StaffView& sv = ctx.staff;
    CounterView& cv = ctx.counter;

    // The search bar: a field (Enter searches) and its button.
    float sh = std::max(ctx.u(70), touch_min(ctx));
    float bw = std::min(c.w * 0.25f, ctx.u(300));
    Rect bar{c.x, c.y, c.w, sh};
    Rect field = from_start(ctx, bar, 0, c.w - 2 * bw - ctx.u(24));
    if (text_field(ctx, field, cv.query, cv.query_edit, true, false))
        cv.query_focused = true;
    if (cv.query.empty())
        label(ctx, field.inset(ctx.u(18)), ctx.tr("ui.counter.search.hint"), ctx.font(24), p.text_muted);
    ctx.target(ctx.tr("ui.counter.search.hint"), field);
    if (button(ctx, from_end(ctx, bar, bw + ctx.u(12), bw), ctx.tr("ui.counter.search"), Look::Primary))
        start_counter_search(ctx);
    if (cv.searched && button(ctx, from_end(ctx, bar, 0, bw), ctx.tr("ui.counter.search.clear"), Look::Quiet)) {
        cv.query.clear();
        cv.query_edit = {};
        cv.hits.clear();
        cv.searched = false;
        ctx.scroller.reset();
    }
    float y = c.y + sh + ctx.u(12);
    if (!cv.message.empty()) {
        label(ctx, Rect{c.x, y, c.w, ctx.u(40)}, ctx.tr(cv.message), ctx.font(26), p.danger);
        y += ctx.u(44);
    }
    label(ctx, Rect{c.x, y, c.w, ctx.u(40)}, ctx.tr(cv.searched ? "ui.counter.search.results" : "ui.counter.inbox.waiting"),
          ctx.font(26), p.text_muted);
    y += ctx.u(44);
    Rect view{c.x, y, c.w, c.y + c.h - y};
    size_t n = cv.searched ? cv.hits.size() : sv.inbox.size();
    if (n == 0) {
        label(ctx, Rect{view.x, view.y, view.w, ctx.u(80)}, ctx.tr(cv.searched ? "ui.counter.search.none" : "ui.staff.inbox.empty"),
              ctx.font(32), p.text_muted, Align::Center);
        return;
    }
    float rh = std::max(ctx.u(96), touch_min(ctx));
    float gap = ctx.u(10);
    ctx.scroller.update(ctx.touch, view, static_cast<float>(n) * (rh + gap), ctx.dt);
    canvas(ctx)->PushClipRect(view.min(), view.max(), true);
    ctx.touch.set_clip(view);
    for (size_t i = 0; i < n; ++i) {
        Rect r{view.x, view.y + static_cast<float>(i) * (rh + gap) - ctx.scroller.offset(), view.w, rh};
        if (r.y + r.h < view.y || r.y > view.y + view.h)
            continue;
        if (cv.searched) {
            const services::SearchHit& h = cv.hits[i];
            row(ctx, view, r, h.reference, h.service_code, h.status, h.submitted_at, h.applicant_hint);
        } else {
            const services::InboxItem& it = sv.inbox[i];
            row(ctx, view, r, it.reference, it.service_code, it.status, it.submitted_at, it.applicant_hint);
        }
    }
    canvas(ctx)->PopClipRect();
    ctx.touch.clear_clip();
}

} // namespace nafitha::ui
