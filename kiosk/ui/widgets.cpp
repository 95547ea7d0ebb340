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
}

void outline(Ctx& ctx, const Rect& r, ImU32 colour, float rounding, float thickness)
{
    canvas(ctx)->AddRect(r.min(), r.max(), colour, rounding, 0, thickness);
}

void label(Ctx& ctx, const Rect& r, std::string_view text, float px, ImU32 colour, Align align)
{
    ImVec2 size = ctx.labels->measure(text, px);
    float x = r.x;
    bool right = (align == Align::Start && ctx.rtl()) || (align == Align::End && !ctx.rtl());
    if (align == Align::Center)
        x = r.x + (r.w - size.x) * 0.5f;
    else if (right)
        x = r.x + r.w - size.x;
    float y = r.y + (r.h - size.y) * 0.5f;
    ctx.labels->draw(canvas(ctx), ImVec2(std::floor(x), std::floor(y)), text, px, colour);
}

float paragraph(Ctx& ctx, const Rect& r, std::string_view text, float px, ImU32 colour, Align align)
{
    return ctx.labels->draw_wrapped(canvas(ctx), r.min(), r.w, text, px, colour, align, ctx.lang);
}

float paragraph_in(Ctx& ctx, Lang lang, const Rect& r, std::string_view text, float px, ImU32 colour, Align align)
{
    return ctx.labels->draw_wrapped(canvas(ctx), r.min(), r.w, text, px, colour, align, lang);
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

bool tile(Ctx& ctx, const Rect& r, std::string_view icon, std::string_view text)
{
    const Palette& p = ctx.pal();
    bool held = ctx.touch.held(r);
    float round = ctx.u(24);
    fill(ctx, r, held ? p.surface_pressed : p.surface, round);
    outline(ctx, r, p.border, round, std::max(1.0f, ctx.u(3)));
    float is = std::min(r.w, r.h) * 0.42f;
    Rect icon_r{r.x + (r.w - is) * 0.5f, r.y + r.h * 0.14f, is, is};
    fill(ctx, icon_r.inset(-ctx.u(14)), p.surface_pressed, is);
    draw_icon(ctx, icon, icon_r, p.primary);
    Rect text_r{r.x + ctx.u(12), icon_r.y + is + ctx.u(18), r.w - ctx.u(24), r.h - (icon_r.y + is - r.y) - ctx.u(24)};
    float h = ctx.labels->draw_wrapped(nullptr, text_r.min(), text_r.w, text, ctx.font(38), p.text, Align::Center,
                                       ctx.lang);
    Rect centred = text_r;
    centred.y += std::max(0.0f, (text_r.h - h) * 0.5f);
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

float header_h(const Ctx& ctx)
{
    return ctx.u(128);
}

float margin(const Ctx& ctx)
{
    return ctx.u(40);
}

float touch_min(const Ctx& ctx)
{
    return std::max(44.0f, ctx.u(64));
}

Rect header(Ctx& ctx, std::string_view title, bool show_back)
{
    const Palette& p = ctx.pal();
    Rect bar{0, 0, ctx.size.x, header_h(ctx)};
    fill(ctx, bar, p.header);
    float pad = ctx.u(20);
    float bh = bar.h - 2 * pad;
    Rect inner{pad, pad, bar.w - 2 * pad, bh};
    float side_w = ctx.u(250);
    if (show_back && !ctx.history.empty()) {
        Rect back_r = from_start(ctx, inner, 0, side_w);
        bool held = ctx.touch.held(back_r);
        fill(ctx, back_r, held ? p.primary_pressed : p.header, ctx.u(16));
        outline(ctx, back_r, p.on_header, ctx.u(16), std::max(1.0f, ctx.u(2)));
        float is = bh * 0.5f;
        Rect ir = from_start(ctx, Rect{back_r.x, back_r.y + (bh - is) * 0.5f, back_r.w, is}, ctx.u(16), is);
        draw_icon(ctx, "back", ir, p.on_header);
        Rect tr = from_start(ctx, back_r, ctx.u(24) + is, back_r.w - ctx.u(32) - is);
        label(ctx, tr, ctx.tr("ui.back"), ctx.font(34), p.on_header, Align::Center);
        ctx.target(ctx.tr("ui.back"), back_r);
        if (ctx.touch.tap(back_r))
            ctx.back();
    }
    Rect lang_r = from_end(ctx, inner, 0, side_w);
    {
        bool held = ctx.touch.held(lang_r);
        fill(ctx, lang_r, held ? p.primary_pressed : p.header, ctx.u(16));
        outline(ctx, lang_r, p.on_header, ctx.u(16), std::max(1.0f, ctx.u(2)));
        // The switch names the other language in that language.
        std::string_view other = ctx.tr_in(ctx.lang == Lang::Ar ? Lang::En : Lang::Ar, "ui.language.self");
        label(ctx, lang_r, other, ctx.font(34), p.on_header, Align::Center);
        ctx.target(other, lang_r);
        if (ctx.touch.tap(lang_r))
            ctx.lang = ctx.lang == Lang::Ar ? Lang::En : Lang::Ar;
    }
    Rect title_r{inner.x + side_w + pad, inner.y, inner.w - 2 * (side_w + pad), bh};
    label(ctx, title_r, title, ctx.font(44), p.on_header, Align::Center);
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
    label(ctx, inner, text, ctx.font(34), p.on_primary, Align::Start);
}

void busy_overlay(Ctx& ctx, std::string_view text)
{
    const Palette& p = ctx.pal();
    ImDrawList* dl = canvas(ctx);
    dl->AddRectFilled(ImVec2(0, 0), ctx.size, IM_COL32(0, 0, 0, 140));
    float w = std::min(ctx.size.x * 0.8f, ctx.u(800));
    float h = ctx.u(260);
    Rect box{(ctx.size.x - w) * 0.5f, (ctx.size.y - h) * 0.5f, w, h};
    dl->AddRectFilled(box.min(), box.max(), p.surface, ctx.u(24));
    // A ring of dots, the brightest one turning with time.
    ImVec2 c{box.x + box.w * 0.5f, box.y + ctx.u(80)};
    int lit = static_cast<int>(ctx.now * 8) % 8;
    for (int i = 0; i < 8; ++i) {
        float a = static_cast<float>(i) * 3.14159265f / 4;
        ImVec2 d{c.x + std::cos(a) * ctx.u(36), c.y + std::sin(a) * ctx.u(36)};
        dl->AddCircleFilled(d, ctx.u(8), i == lit ? p.primary : p.border);
    }
    ImVec2 ts = ctx.labels->measure(text, ctx.font(38));
    ctx.labels->draw(dl, ImVec2(std::floor(box.x + (box.w - ts.x) * 0.5f), std::floor(box.y + ctx.u(150))), text,
                     ctx.font(38), p.text);
}

} // namespace nafitha::ui
