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

struct RowText {
    std::string_view name, status, reference, hint, time;
};

RowText row_text(Ctx& ctx, std::string_view reference, std::string_view service_code, services::AppStatus status,
                 std::string_view submitted_at, std::string_view hint)
{
    RowText t;
    t.name = service_code;
    if (ctx.catalogue)
        if (const auto* s = ctx.catalogue->service(service_code))
            t.name = s->name.in(ctx.lang);
    t.status = ctx.tr(status_key(status));
    t.reference = ltr(ctx, reference);
    t.hint = hint;
    t.time = ctx.date_time(submitted_at);
    return t;
}

// A row's lines from the text's measured sizes: the service and its status on one line when they fit (else two),
// the reference with the masked hint, and the time on the same line when they fit (else under them).
struct RowLayout {
    float pad, gap, h1, h2;
    bool split_top, split_bottom;
    float height;
};

RowLayout row_layout(Ctx& ctx, float w, const RowText& t)
{
    RowLayout l;
    l.pad = ctx.u(16);
    l.gap = ctx.u(6);
    float inner = w - 2 * l.pad;
    float space = ctx.u(24);
    l.h1 = std::max(text_h(ctx, ctx.font(30)), text_h(ctx, ctx.font(28)));
    l.h2 = std::max(text_h(ctx, ctx.font(26)), text_h(ctx, ctx.font(24)));
    float name_w = ctx.labels->measure(t.name, ctx.font(30)).x, status_w = ctx.labels->measure(t.status, ctx.font(28)).x;
    float ref_w = ctx.labels->measure(t.reference, ctx.font(26)).x + (t.hint.empty() ? 0 : space + ctx.labels->measure(t.hint, ctx.font(26)).x);
    float time_w = ctx.labels->measure(t.time, ctx.font(24)).x;
    l.split_top = name_w + space + status_w > inner;
    l.split_bottom = ref_w + space + time_w > inner;
    float lines = (l.split_top ? 2 * l.h1 : l.h1) + (l.split_bottom ? 2 * l.h2 : l.h2);
    int count = (l.split_top ? 2 : 1) + (l.split_bottom ? 2 : 1);
    l.height = std::max(touch_min(ctx), 2 * l.pad + lines + static_cast<float>(count - 1) * l.gap);
    return l;
}

void row(Ctx& ctx, const Rect& view, const Rect& r, const RowText& t, const RowLayout& l, std::string_view reference)
{
    const Palette& p = ctx.pal();
    bool held = ctx.touch.held(r);
    fill(ctx, r, held ? p.surface_pressed : p.surface, ctx.u(12));
    outline(ctx, r, p.border, ctx.u(12), ctx.u(2));
    Rect inner = r.inset(l.pad);
    float y = inner.y;
    float status_w = ctx.labels->measure(t.status, ctx.font(28)).x + ctx.u(4);
    if (l.split_top) {
        label(ctx, Rect{inner.x, y, inner.w, l.h1}, t.name, ctx.font(30), p.text);
        y += l.h1 + l.gap;
        label(ctx, Rect{inner.x, y, inner.w, l.h1}, t.status, ctx.font(28), p.warning_text);
    } else {
        label(ctx, from_start(ctx, Rect{inner.x, y, inner.w, l.h1}, 0, inner.w - status_w - ctx.u(20)), t.name, ctx.font(30), p.text);
        label(ctx, from_end(ctx, Rect{inner.x, y, inner.w, l.h1}, 0, status_w), t.status, ctx.font(28), p.warning_text, Align::End);
    }
    y += l.h1 + l.gap;
    float ref_w = ctx.labels->measure(t.reference, ctx.font(26)).x + ctx.u(4);
    float hint_w = t.hint.empty() ? 0 : ctx.labels->measure(t.hint, ctx.font(26)).x + ctx.u(4);
    Rect line{inner.x, y, inner.w, l.h2};
    label(ctx, from_start(ctx, line, 0, ref_w), t.reference, ctx.font(26), p.text_muted);
    if (!t.hint.empty())
        label(ctx, from_start(ctx, line, ref_w + ctx.u(20), hint_w), t.hint, ctx.font(26), p.text_muted);
    if (l.split_bottom) {
        y += l.h2 + l.gap;
        label(ctx, Rect{inner.x, y, inner.w, l.h2}, t.time, ctx.font(24), p.text_muted);
    } else {
        float time_w = ctx.labels->measure(t.time, ctx.font(24)).x + ctx.u(4);
        label(ctx, from_end(ctx, line, 0, time_w), t.time, ctx.font(24), p.text_muted, Align::End);
    }
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
        std::string_view msg = ctx.tr(cv.message);
        float mh = paragraph_height(ctx, c.w, msg, ctx.font(26));
        paragraph(ctx, Rect{c.x, y, c.w, mh}, msg, ctx.font(26), p.danger);
        y += mh + ctx.u(4);
    }
    std::string_view what = ctx.tr(cv.searched ? "ui.counter.search.results" : "ui.counter.inbox.waiting");
    float wh = paragraph_height(ctx, c.w, what, ctx.font(26));
    paragraph(ctx, Rect{c.x, y, c.w, wh}, what, ctx.font(26), p.text_muted);
    y += wh + ctx.u(4);
    Rect view{c.x, y, c.w, c.y + c.h - y};
    size_t n = cv.searched ? cv.hits.size() : sv.inbox.size();
    if (n == 0) {
        label(ctx, Rect{view.x, view.y, view.w, ctx.u(80)}, ctx.tr(cv.searched ? "ui.counter.search.none" : "ui.staff.inbox.empty"),
              ctx.font(32), p.text_muted, Align::Center);
        return;
    }
    float gap = ctx.u(10);
    // Every row's height from its measured text (large text makes rows taller, never overlapping).
    auto text_of = [&](size_t i) {
        if (cv.searched) {
            const services::SearchHit& h = cv.hits[i];
            return row_text(ctx, h.reference, h.service_code, h.status, h.submitted_at, h.applicant_hint);
        }
        const services::InboxItem& it = sv.inbox[i];
        return row_text(ctx, it.reference, it.service_code, it.status, it.submitted_at, it.applicant_hint);
    };
    float total = 0;
    for (size_t i = 0; i < n; ++i)
        total += row_layout(ctx, view.w, text_of(i)).height + gap;
    ctx.scroller.update(ctx.touch, view, total, ctx.dt);
    canvas(ctx)->PushClipRect(view.min(), view.max(), true);
    ctx.touch.set_clip(view);
    float ry = view.y - ctx.scroller.offset();
    for (size_t i = 0; i < n; ++i) {
        RowText t = text_of(i);
        RowLayout l = row_layout(ctx, view.w, t);
        Rect r{view.x, ry, view.w, l.height};
        ry += l.height + gap;
        if (r.y + r.h < view.y || r.y > view.y + view.h)
            continue;
        row(ctx, view, r, t, l, cv.searched ? std::string_view(cv.hits[i].reference) : std::string_view(sv.inbox[i].reference));
    }
    canvas(ctx)->PopClipRect();
    ctx.touch.clear_clip();
}

} // namespace nafitha::ui
