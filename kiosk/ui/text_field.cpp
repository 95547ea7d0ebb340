#include "kiosk/ui/text_field.h"

#include "kiosk/ui/widgets.h"

#include "base/utf8.h"

#include <algorithm>
#include <cmath>

namespace nafitha::ui {

namespace {

size_t nearest_stop(const std::vector<CaretStop>& stops, float x)
{
    size_t best = 0;
    float best_d = 1e30f;
    for (const CaretStop& s : stops) {
        float d = std::fabs(s.x - x);
        if (d < best_d) {
            best_d = d;
            best = s.byte_offset;
        }
    }
    return best;
}

float stop_x(const std::vector<CaretStop>& stops, size_t offset)
{
    for (const CaretStop& s : stops) {
        if (s.byte_offset == offset)
            return s.x;
    }
    return stops.empty() ? 0 : stops.back().x;
}

} // namespace

bool text_field(Ctx& ctx, const Rect& r, std::string& value, EditState& st, bool focused, bool error, std::string_view placeholder)
{
    const Palette& p = ctx.pal();
    st.caret = std::min(st.caret, value.size());
    st.anchor = std::min(st.anchor, value.size());
    float round = ctx.u(12);
    fill(ctx, r, p.surface, round);
    outline(ctx, r, error ? p.danger : (focused ? p.primary : p.border), round, focused || error ? ctx.u(5) : ctx.u(2));
    // The text fits the field: a compact field (the counter's forms) gets a smaller size.
    float px = std::min(ctx.font(40), r.h * 0.58f);
    float pad = ctx.u(20);
    ImVec2 size = ctx.labels->measure(value, px);
    float box_x = ctx.rtl() ? r.x + r.w - pad - size.x : r.x + pad;
    float box_y = r.y + (r.h - size.y) * 0.5f;
    bool tapped = false;
    std::vector<CaretStop>& stops = ctx.scratch.caret_stops;
    stops.clear();
    bool need_stops = focused || ctx.touch.held(r) || (ctx.touch.down() && r.contains(ctx.touch.press_pos()));
    if (need_stops)
        ctx.labels->caret_stops(value, px, stops);
    // Press places the caret; dragging extends the selection from where the press began.
    if (ctx.touch.held(r) || (ctx.touch.dragging() && ctx.touch.down() && r.contains(ctx.touch.press_pos()) && !ctx.touch.blocked())) {
        if (ctx.touch.pressed_now()) {
            st.caret = st.anchor = nearest_stop(stops, ctx.touch.pos().x - box_x);
        } else if (ctx.touch.dragging()) {
            st.caret = nearest_stop(stops, ctx.touch.pos().x - box_x);
        }
    }
    if (ctx.touch.tap(r))
        tapped = true;
    if (focused && st.caret != st.anchor) {
        float x0 = stop_x(stops, std::min(st.caret, st.anchor));
        float x1 = stop_x(stops, std::max(st.caret, st.anchor));
        Rect sel{box_x + std::min(x0, x1), r.y + pad * 0.5f, std::fabs(x1 - x0), r.h - pad};
        canvas(ctx)->AddRectFilled(sel.min(), sel.max(), p.surface_pressed);
    }
    if (value.empty() && !placeholder.empty()) {
        // The mask of what to type (a date's "day/month/year"), in the muted colour until the first key.
        label(ctx, Rect{r.x + pad, r.y, r.w - 2 * pad, r.h}, placeholder, px, p.text_muted, Align::Start);
    }
    ImVec2 at(std::floor(box_x), std::floor(box_y));
    ctx.labels->draw(canvas(ctx), at, value, px, p.text);
    ImVec4 ink = ctx.labels->last_ink();
    ctx.record(LayoutItem::Kind::Text, Rect{r.x + pad * 0.5f, r.y, r.w - pad, r.h}, Rect{ink.x, ink.y, ink.z - ink.x, ink.w - ink.y},
               p.text, px, value);
    if (focused) {
        // The caret blinks at one hertz, solid while typing (a mark, not a surface: drawn straight on the canvas).
        bool on = std::fmod(ctx.now - ctx.last_activity, 1.0) < 0.6;
        if (on) {
            float cx = std::floor(box_x + stop_x(stops, st.caret));
            Rect caret{cx - ctx.u(2), r.y + pad * 0.6f, std::max(2.0f, ctx.u(4)), r.h - pad * 1.2f};
            canvas(ctx)->AddRectFilled(caret.min(), caret.max(), p.primary);
        }
    }
    return tapped;
}

void apply_key(Ctx& ctx, const KeyEvent& ev, std::string& value, EditState& st, size_t max_chars)
{
    st.caret = std::min(st.caret, value.size());
    st.anchor = std::min(st.anchor, value.size());
    size_t a = std::min(st.caret, st.anchor), b = std::max(st.caret, st.anchor);
    switch (ev.kind) {
    case KeyEvent::Kind::Insert: {
        std::string after = value.substr(0, a) + value.substr(b);
        if (utf8::length(after) + utf8::length(ev.text) > max_chars)
            return;
        value = value.substr(0, a) + ev.text + value.substr(b);
        st.caret = st.anchor = a + ev.text.size();
        break;
    }
    case KeyEvent::Kind::Backspace:
        if (a != b) {
            value.erase(a, b - a);
            st.caret = st.anchor = a;
        } else if (st.caret > 0) {
            size_t prev = ctx.labels->prev_boundary(value, st.caret);
            value.erase(prev, st.caret - prev);
            st.caret = st.anchor = prev;
        }
        break;
    case KeyEvent::Kind::Left:
    case KeyEvent::Kind::Right: {
        // Visual moves over the laid-out line (bidi-aware).
        auto side = ev.kind == KeyEvent::Kind::Left ? Labels::Side::Left : Labels::Side::Right;
        st.caret = st.anchor = ctx.labels->move_visual(value, ctx.font(40), st.caret, side);
        break;
    }
    case KeyEvent::Kind::Done:
    case KeyEvent::Kind::None:
        break;
    }
}

} // namespace nafitha::ui
