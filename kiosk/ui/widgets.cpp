#include "kiosk/ui/widgets.h"

#include "kiosk/ui/icons.h"

#include <algorithm>
#include <cmath>

namespace nafitha::ui {

Rect mirror(const Ctx& ctx, Rect r, const Rect& within)
{
    if (ctx.rtl())
        r.x = within.x + within.w - (r.x - within.x) - r.w;
    return r;
}

Rect from_start(const Ctx& ctx, const Rect& within, float offset, float w)
{
    return mirror(ctx, Rect{within.x + offset, within.y, w, within.h}, within);
}

Rect from_end(const Ctx& ctx, const Rect& within, float offset, float w)
{
    return mirror(ctx, Rect{within.x + within.w - offset - w, within.y, w, within.h}, within);
}

ImDrawList* canvas(Ctx& ctx)
{
    return ctx.layer ? ctx.layer : ImGui::GetBackgroundDrawList();
}

void fill(Ctx& ctx, const Rect& r, ImU32 colour, float rounding)
{
    canvas(ctx)->AddRectFilled(r.min(), r.max(), colour, rounding);
    ctx.record(LayoutItem::Kind::Fill, r, r, colour, 0, {});
}

void scrim(Ctx& ctx, ImU32 colour)
{
    Rect all{0, 0, ctx.size.x, ctx.size.y};
    canvas(ctx)->AddRectFilled(all.min(), all.max(), colour);
    ctx.record(LayoutItem::Kind::Scrim, all, all, colour, 0, {});
}

float text_h(Ctx& ctx, float px)
{
    // Arabic and Latin letters with their ascenders and descenders: the taller of the two fonts' lines.
    return ctx.labels->measure("نافذة Ag", px).y;
}

void outline(Ctx& ctx, const Rect& r, ImU32 colour, float rounding, float thickness)
{
    canvas(ctx)->AddRect(r.min(), r.max(), colour, rounding, 0, thickness);
}

namespace {

// Where a line or paragraph `w` wide starts in `r` for `align` in `lang`'s direction.
float aligned_x(const Rect& r, float w, Align align, Lang lang)
{
    bool right = (align == Align::Start && is_rtl(lang)) || (align == Align::End && !is_rtl(lang));
    if (align == Align::Center)
        return r.x + (r.w - w) * 0.5f;
    return right ? r.x + r.w - w : r.x;
}

Rect ink(Ctx& ctx)
{
    ImVec4 i = ctx.labels->last_ink();
    return Rect{i.x, i.y, i.z - i.x, i.w - i.y};
}

float wrapped(Ctx& ctx, Lang lang, const Rect& r, std::string_view text, float px, ImU32 colour, Align align)
{
    float h = ctx.labels->draw_wrapped(canvas(ctx), r.min(), r.w, text, px, colour, align, lang);
    ctx.record(LayoutItem::Kind::Text, Rect{r.x, r.y, r.w, std::max(r.h, h)}, ink(ctx), colour, px, text, true);
    return h;
}

} // namespace

void label(Ctx& ctx, const Rect& r, std::string_view text, float px, ImU32 colour, Align align)
{
    ImVec2 size = ctx.labels->measure(text, px);
    if (size.x > r.w + 0.5f && !text.empty()) {
        // Too wide for its box: two lines when the box is tall enough for them, else a smaller size (never below
        // three quarters of the asked size: what still does not fit is reported by the layout check).
        ImVec2 two = ctx.labels->measure_wrapped(text, px, r.w, ctx.lang);
        if (two.y <= r.h + 0.5f && two.x <= r.w + 0.5f) {
            float y = r.y + (r.h - two.y) * 0.5f;
            ctx.labels->draw_wrapped(canvas(ctx), ImVec2(r.x, std::floor(y)), r.w, text, px, colour, align, ctx.lang);
            ctx.record(LayoutItem::Kind::Text, r, ink(ctx), colour, px, text);
            return;
        }
        px = std::max(px * 0.75f, px * r.w / size.x);
        size = ctx.labels->measure(text, px);
    }
    float x = aligned_x(r, size.x, align, ctx.lang);
    float y = r.y + (r.h - size.y) * 0.5f;
    ImVec2 at(std::floor(x), std::floor(y));
    ctx.labels->draw(canvas(ctx), at, text, px, colour);
    ctx.record(LayoutItem::Kind::Text, r, ink(ctx), colour, px, text);
}

float paragraph(Ctx& ctx, const Rect& r, std::string_view text, float px, ImU32 colour, Align align)
{
    return wrapped(ctx, ctx.lang, r, text, px, colour, align);
}

float paragraph_in(Ctx& ctx, Lang lang, const Rect& r, std::string_view text, float px, ImU32 colour, Align align)
{
    return wrapped(ctx, lang, r, text, px, colour, align);
}

float paragraph_height(Ctx& ctx, float width, std::string_view text, float px)
{
    return ctx.labels->measure_wrapped(text, px, width, ctx.lang).y;
}

float key_value_row(Ctx& ctx, const Rect& outer, std::string_view key, std::string_view value, ImU32 value_colour, float min_h)
{
    const Palette& p = ctx.pal();
    // A little room at both ends for glyphs that reach past their advance (a J, a final yeh).
    Rect r{outer.x + ctx.u(8), outer.y, outer.w - ctx.u(16), outer.h};
    float kpx = ctx.font(32), vpx = ctx.font(34), gap = ctx.u(24), pad = ctx.u(12);
    float kw = ctx.labels->measure(key, kpx).x, vw = ctx.labels->measure(value, vpx).x;
    float kh = text_h(ctx, kpx), vh = text_h(ctx, vpx);
    float h;
    if (kw + ctx.u(12) + gap + vw <= r.w) {
        h = std::max(min_h, std::max(kh, vh) + 2 * pad);
        Rect row{r.x, r.y, r.w, h};
        // The name centred in a box a little wider than it: a glyph reaching past its advance stays inside.
        label(ctx, from_start(ctx, row, 0, kw + ctx.u(12)), key, kpx, p.text_muted, Align::Center);
        label(ctx, from_end(ctx, row, 0, r.w - kw - gap - ctx.u(12)), value, vpx, value_colour, Align::End);
    } else {
        float ph = paragraph_height(ctx, r.w, value, vpx);
        h = std::max(min_h, pad + kh + ctx.u(4) + ph + pad);
        label(ctx, Rect{r.x, r.y + pad, r.w, kh}, key, kpx, p.text_muted, Align::Start);
        paragraph(ctx, Rect{r.x, r.y + pad + kh + ctx.u(4), r.w, ph}, value, vpx, value_colour);
    }
    canvas(ctx)->AddLine(ImVec2(outer.x, r.y + h - 1), ImVec2(outer.x + outer.w, r.y + h - 1), p.border, 1);
    return h;
}

namespace {

struct Colours {
    ImU32 bg, bg_pressed, fg, border;
};

Colours look_colours(const Ctx& ctx, Look look)
{
    const Palette& p = ctx.pal();
    switch (look) {
    case Look::Primary:
        return {p.primary, p.primary_pressed, p.on_primary, p.primary};
    case Look::Secondary:
        return {p.surface, p.surface_pressed, p.primary, p.primary};
    case Look::Danger:
        return {p.danger, p.primary_pressed, p.on_primary, p.danger};
    case Look::Quiet:
        return {p.surface, p.surface_pressed, p.text, p.border};
    }
    return {p.primary, p.primary_pressed, p.on_primary, p.primary};
}

} // namespace

bool button(Ctx& ctx, const Rect& r, std::string_view text, Look look)
{
    Colours c = look_colours(ctx, look);
    bool held = ctx.touch.held(r);
    float round = ctx.u(18);
    fill(ctx, r, held ? c.bg_pressed : c.bg, round);
    outline(ctx, r, c.border, round, std::max(1.0f, ctx.u(3)));
    Rect inner = r;
    if (held)
        inner.y += ctx.u(2);
    label(ctx, inner, text, ctx.font(40), c.fg, Align::Center);
    ctx.target(text, r);
    return ctx.touch.tap(r);
}

bool icon_button(Ctx& ctx, const Rect& r, std::string_view icon, std::string_view text, Look look)
{
    Colours c = look_colours(ctx, look);
    bool held = ctx.touch.held(r);
    float round = ctx.u(18);
    fill(ctx, r, held ? c.bg_pressed : c.bg, round);
    outline(ctx, r, c.border, round, std::max(1.0f, ctx.u(3)));
    float is = std::min(r.h * 0.55f, ctx.u(64));
    float pad = ctx.u(24);
    Rect icon_r = from_start(ctx, Rect{r.x, r.y + (r.h - is) * 0.5f, r.w, is}, pad, is);
    draw_icon(ctx, icon, icon_r, c.fg);
    Rect text_r = from_start(ctx, r, pad * 2 + is, r.w - pad * 3 - is);
    label(ctx, text_r, text, ctx.font(40), c.fg, Align::Start);
    ctx.target(text, r);
    return ctx.touch.tap(r);
}

namespace {

float tile_icon(const Ctx& ctx, float w) { return std::min(w * 0.36f, ctx.u(150)); }

} // namespace

float tile_height(Ctx& ctx, float w, std::string_view text)
{
    float is = tile_icon(ctx, w);
    return ctx.u(30) + is + ctx.u(26) + paragraph_height(ctx, w - ctx.u(24), text, ctx.font(38)) + ctx.u(24);
}

bool tile(Ctx& ctx, const Rect& r, std::string_view icon, std::string_view text)
{
    const Palette& p = ctx.pal();
    bool held = ctx.touch.held(r);
    float round = ctx.u(24);
    fill(ctx, r, held ? p.surface_pressed : p.surface, round);
    outline(ctx, r, p.border, round, std::max(1.0f, ctx.u(3)));
    float is = tile_icon(ctx, r.w);
    Rect icon_r{r.x + (r.w - is) * 0.5f, r.y + ctx.u(30), is, is};
    canvas(ctx)->AddRectFilled(icon_r.inset(-ctx.u(12)).min(), icon_r.inset(-ctx.u(12)).max(), p.surface_pressed, is);
    draw_icon(ctx, icon, icon_r, p.primary);
    Rect text_r{r.x + ctx.u(12), icon_r.y + is + ctx.u(26), r.w - ctx.u(24), r.y + r.h - ctx.u(24) - (icon_r.y + is + ctx.u(26))};
    float h = paragraph_height(ctx, text_r.w, text, ctx.font(38));
    Rect centred = text_r;
    centred.y += std::max(0.0f, (text_r.h - h) * 0.5f);
    centred.h = h;
    paragraph(ctx, centred, text, ctx.font(38), p.text, Align::Center);
    ctx.target(text, r);
    return ctx.touch.tap(r);
}

namespace {

// FNV-1a: a widget's id from its name.
uint32_t widget_id(std::string_view name)
{
    uint32_t h = 2166136261u;
    for (char c : name)
        h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
    return h == 0 ? 1 : h;
}

} // namespace

bool long_press(Ctx& ctx, std::string_view id, const Rect& r, double seconds)
{
    LongPressState& lp = ctx.long_press;
    uint32_t me = widget_id(id);
    if (!ctx.touch.held(r)) {
        if (lp.id == me)
            lp = LongPressState{};
        return false;
    }
    if (lp.id != me || lp.since < 0) {
        lp.id = me;
        lp.since = ctx.now;
    }
    if (ctx.now - lp.since < seconds)
        return false;
    // Fired: the same press does not fire again (since stays 0 until the finger lifts).
    lp.since = 1e300;
    return true;
}

float header_h(Ctx& ctx)
{
    // Tall enough for its buttons' text in large-text mode too.
    return std::max(ctx.u(120), text_h(ctx, ctx.font(34)) + ctx.u(64));
}

float margin(const Ctx& ctx)
{
    return ctx.u(40);
}

float button_h(Ctx& ctx)
{
    return std::max({touch_min(ctx), ctx.u(130), text_h(ctx, ctx.font(40)) + ctx.u(36)});
}

float touch_min(const Ctx& ctx)
{
    return std::max(44.0f, ctx.u(64));
}

namespace {

// A button of the header bar: outlined on the header colour, an optional icon at its start, its label.
bool bar_button(Ctx& ctx, const Rect& r, std::string_view icon, std::string_view text)
{
    const Palette& p = ctx.pal();
    bool held = ctx.touch.held(r);
    fill(ctx, r, held ? p.primary_pressed : p.header, ctx.u(16));
    outline(ctx, r, p.on_header, ctx.u(16), std::max(1.0f, ctx.u(2)));
    float px = ctx.font(32);
    if (!icon.empty()) {
        float is = std::min(r.h * 0.5f, ctx.u(44));
        Rect ir = from_start(ctx, Rect{r.x, r.y + (r.h - is) * 0.5f, r.w, is}, ctx.u(14), is);
        draw_icon(ctx, icon, ir, p.on_header);
        label(ctx, from_start(ctx, r, ctx.u(22) + is, r.w - ctx.u(34) - is), text, px, p.on_header, Align::Center);
    } else {
        label(ctx, r.inset(ctx.u(8)), text, px, p.on_header, Align::Center);
    }
    ctx.target(text, r);
    return ctx.touch.tap(r);
}

} // namespace

bool can_end_visit(const Ctx& ctx)
{
    // Not while money taken is not yet written with its application, nor while a task runs.
    bool money_pending = ctx.session.payment.has_value() && !ctx.session.submission.has_value();
    return ctx.mode == Mode::Citizen && ctx.screen != ScreenId::Attract && !money_pending && ctx.session.busy_message.empty();
}

Rect header(Ctx& ctx, std::string_view title, bool show_back)
{
    const Palette& p = ctx.pal();
    float bar_h = header_h(ctx);
    float pad = ctx.u(16);
    Rect inner{pad, pad, ctx.size.x - 2 * pad, bar_h - 2 * pad};
    float gap = ctx.u(14);
    float back_w = ctx.u(230), lang_w = ctx.u(210), end_w = ctx.u(290);
    bool end_visit = can_end_visit(ctx);
    // The title sits between the buttons when it fits on one line there; otherwise it gets a row of its own
    // under them (long service names, large text).
    float start_used = show_back && !ctx.history.empty() ? back_w + gap : 0;
    float end_used = lang_w + gap + (end_visit ? end_w + gap : 0);
    float side = std::max(start_used, end_used);
    Rect middle{inner.x + side, inner.y, inner.w - 2 * side, inner.h};
    float title_px = ctx.font(42);
    bool inline_title = middle.w > 0 && ctx.labels->measure(title, title_px).x <= middle.w;
    float title_h = 0;
    if (!inline_title)
        title_h = paragraph_height(ctx, ctx.size.x - 2 * margin(ctx), title, title_px) + ctx.u(20);
    Rect bar{0, 0, ctx.size.x, bar_h + title_h};
    fill(ctx, bar, p.header);
    if (show_back && !ctx.history.empty()) {
        if (bar_button(ctx, from_start(ctx, inner, 0, back_w), "back", ctx.tr("ui.back")))
            ctx.back();
    }
    if (end_visit) {
        if (bar_button(ctx, from_end(ctx, inner, 0, end_w), "exit", ctx.tr("ui.visit.end"))) {
            ctx.end_visit();
            return Rect{0, bar.h, ctx.size.x, ctx.size.y - bar.h};
        }
    }
    // The switch names the other language in that language.
    std::string_view other = ctx.tr_in(ctx.lang == Lang::Ar ? Lang::En : Lang::Ar, "ui.language.self");
    if (bar_button(ctx, from_end(ctx, inner, end_visit ? end_w + gap : 0, lang_w), {}, other))
        ctx.lang = ctx.lang == Lang::Ar ? Lang::En : Lang::Ar;
    if (inline_title)
        label(ctx, middle, title, title_px, p.on_header, Align::Center);
    else
        paragraph(ctx, Rect{margin(ctx), bar_h, ctx.size.x - 2 * margin(ctx), title_h - ctx.u(20)}, title, title_px,
                  p.on_header, Align::Center);
    return Rect{0, bar.h, ctx.size.x, ctx.size.y - bar.h};
}

void progress(Ctx& ctx, const Rect& r, int step, int steps)
{
    const Palette& p = ctx.pal();
    if (steps <= 0)
        return;
    float gap = ctx.u(12);
    float w = (r.w - gap * static_cast<float>(steps - 1)) / static_cast<float>(steps);
    for (int i = 0; i < steps; ++i) {
        Rect s = from_start(ctx, r, static_cast<float>(i) * (w + gap), w);
        ImU32 c = i < step ? p.primary : (i == step ? p.accent : p.border);
        fill(ctx, Rect{s.x, s.y + s.h * 0.35f, s.w, s.h * 0.3f}, c, s.h * 0.15f);
    }
}

void card(Ctx& ctx, const Rect& r)
{
    const Palette& p = ctx.pal();
    fill(ctx, r, p.surface, ctx.u(24));
    outline(ctx, r, p.border, ctx.u(24), std::max(1.0f, ctx.u(2)));
}

bool footer_nav(Ctx& ctx, const Rect& r, std::string_view next_text, bool next_enabled, bool& back)
{
    float gap = ctx.u(24);
    float bw = (r.w - gap) * 0.38f;
    Rect back_r = from_start(ctx, r, 0, bw);
    Rect next_r = from_end(ctx, r, 0, r.w - bw - gap);
    back = icon_button(ctx, back_r, "back", ctx.tr("ui.back"), Look::Secondary);
    if (!next_enabled) {
        const Palette& p = ctx.pal();
        fill(ctx, next_r, p.border, ctx.u(18));
        label(ctx, next_r, next_text, ctx.font(40), p.text_muted, Align::Center);
        return false;
    }
    return button(ctx, next_r, next_text, Look::Primary);
}

void error_banner(Ctx& ctx, const Rect& r, std::string_view text)
{
    const Palette& p = ctx.pal();
    fill(ctx, r, p.danger, ctx.u(16));
    Rect inner = r.inset(ctx.u(16));
    float h = paragraph_height(ctx, inner.w, text, ctx.font(34));
    paragraph(ctx, Rect{inner.x, inner.y + std::max(0.0f, (inner.h - h) * 0.5f), inner.w, h}, text, ctx.font(34), p.on_primary);
}

float error_banner_h(Ctx& ctx, float w, std::string_view text)
{
    return std::max(touch_min(ctx), paragraph_height(ctx, w - 2 * ctx.u(16), text, ctx.font(34)) + 2 * ctx.u(16));
}

void busy_overlay(Ctx& ctx, std::string_view text)
{
    const Palette& p = ctx.pal();
    ImDrawList* dl = canvas(ctx);
    scrim(ctx, IM_COL32(0, 0, 0, 140));
    float w = std::min(ctx.size.x * 0.8f, ctx.u(800));
    float pad = ctx.u(30);
    float th = paragraph_height(ctx, w - 2 * pad, text, ctx.font(38));
    float h = ctx.u(150) + th + pad;
    Rect box{(ctx.size.x - w) * 0.5f, (ctx.size.y - h) * 0.5f, w, h};
    fill(ctx, box, p.surface, ctx.u(24));
    // A ring of dots, the brightest one turning with time.
    ImVec2 c{box.x + box.w * 0.5f, box.y + ctx.u(80)};
    int lit = static_cast<int>(ctx.now * 8) % 8;
    for (int i = 0; i < 8; ++i) {
        float a = static_cast<float>(i) * 3.14159265f / 4;
        ImVec2 d{c.x + std::cos(a) * ctx.u(36), c.y + std::sin(a) * ctx.u(36)};
        dl->AddCircleFilled(d, ctx.u(8), i == lit ? p.primary : p.border);
    }
    paragraph(ctx, Rect{box.x + pad, box.y + ctx.u(150), box.w - 2 * pad, th}, text, ctx.font(38), p.text, Align::Center);
}

Rect begin_scroll(Ctx& ctx, const Rect& area)
{
    // The cue's strip is kept below the view while the content (as measured last frame) is taller than the area.
    float cue_h = scroll_cue_h(ctx);
    Rect view = area;
    if (ctx.scroller.content() > area.h + 1.0f)
        view.h = area.h - cue_h;
    ctx.scroller.update(ctx.touch, view, ctx.dt);
    canvas(ctx)->PushClipRect(view.min(), view.max(), true);
    ctx.touch.set_clip(view);
    ctx.in_scroll = true;
    ctx.scroll_screen = ctx.screen;
    ctx.record(LayoutItem::Kind::Scroll, view, view, 0, 0, {});
    return view;
}

void end_scroll(Ctx& ctx, const Rect& view, float content_bottom)
{
    float content = content_bottom + ctx.scroller.offset() - view.y;
    canvas(ctx)->PopClipRect();
    ctx.touch.clear_clip();
    ctx.in_scroll = false;
    if (ctx.scroll_screen != ctx.screen)
        return; // a tap inside went to another screen: its scroller starts afresh
    ctx.scroller.measure(content);
    if (content <= view.h + 1.0f && ctx.scroller.content() <= view.h + 1.0f)
        return;
    // Content continues: a cue below the view says so, and a tap on it turns the page.
    const Palette& p = ctx.pal();
    Rect cue{view.x, view.y + view.h, view.w, scroll_cue_h(ctx)};
    bool at_end = ctx.scroller.offset() + view.h >= content - 1.0f;
    std::string_view text = ctx.tr(at_end ? "ui.scroll.top" : "ui.scroll.more");
    bool held = ctx.touch.held(cue);
    Rect pill = cue.inset(ctx.u(6));
    fill(ctx, pill, held ? p.surface_pressed : p.surface, pill.h * 0.5f);
    outline(ctx, pill, p.primary, pill.h * 0.5f, std::max(1.0f, ctx.u(2)));
    float is = std::min(pill.h * 0.6f, ctx.u(40));
    ImVec2 tsize = ctx.labels->measure(text, ctx.font(30));
    float total = is + ctx.u(16) + tsize.x;
    Rect inner{pill.x + (pill.w - total) * 0.5f, pill.y, total, pill.h};
    draw_icon(ctx, at_end ? "up" : "down", from_start(ctx, Rect{inner.x, pill.y + (pill.h - is) * 0.5f, inner.w, is}, 0, is), p.primary);
    label(ctx, from_end(ctx, inner, 0, tsize.x + ctx.u(2)), text, ctx.font(30), p.primary, Align::Center);
    ctx.target(text, cue);
    if (ctx.touch.tap(cue))
        ctx.scroller.scroll_by(at_end ? -content : view.h * 0.8f);
}

float scroll_cue_h(const Ctx& ctx)
{
    return std::max(touch_min(ctx), ctx.u(76));
}

} // namespace nafitha::ui
