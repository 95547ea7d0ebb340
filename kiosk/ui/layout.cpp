#include "kiosk/ui/layout.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nafitha::ui {

namespace {

// Boxes may touch and may differ by rounding: a finding needs more than this many pixels.
constexpr float kTolerance = 1.5f;

Rect intersect(const Rect& a, const Rect& b)
{
    float x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
    float x1 = std::min(a.x + a.w, b.x + b.w), y1 = std::min(a.y + a.h, b.y + b.h);
    return Rect{x0, y0, std::max(0.0f, x1 - x0), std::max(0.0f, y1 - y0)};
}

bool overlaps(const Rect& a, const Rect& b)
{
    Rect i = intersect(a, b);
    return i.w > kTolerance && i.h > kTolerance;
}

bool within(const Rect& inner, const Rect& outer)
{
    return inner.x >= outer.x - kTolerance && inner.y >= outer.y - kTolerance &&
           inner.x + inner.w <= outer.x + outer.w + kTolerance && inner.y + inner.h <= outer.y + outer.h + kTolerance;
}

bool within_x(const Rect& inner, const Rect& outer)
{
    return inner.x >= outer.x - kTolerance && inner.x + inner.w <= outer.x + outer.w + kTolerance;
}

bool same(const Rect& a, const Rect& b)
{
    return std::fabs(a.x - b.x) < 0.5f && std::fabs(a.y - b.y) < 0.5f && std::fabs(a.w - b.w) < 0.5f &&
           std::fabs(a.h - b.h) < 0.5f;
}

double channel(unsigned v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(ImU32 c)
{
    unsigned r = (c >> IM_COL32_R_SHIFT) & 0xFF, g = (c >> IM_COL32_G_SHIFT) & 0xFF, b = (c >> IM_COL32_B_SHIFT) & 0xFF;
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

unsigned alpha(ImU32 c) { return (c >> IM_COL32_A_SHIFT) & 0xFF; }

std::string describe(const Rect& r)
{
    char buf[96];
    std::snprintf(buf, sizeof buf, "[%.0f,%.0f %.0fx%.0f]", r.x, r.y, r.w, r.h);
    return buf;
}

std::string quote(const LayoutItem& t)
{
    std::string s = t.text.substr(0, 60);
    return "\"" + s + "\"";
}

} // namespace

std::string_view finding_name(LayoutFinding::Kind kind)
{
    switch (kind) {
    case LayoutFinding::Kind::TextOverflow: return "text overflows its box";
    case LayoutFinding::Kind::TextOffScreen: return "text cut off";
    case LayoutFinding::Kind::TextOverlap: return "text overlaps text";
    case LayoutFinding::Kind::TextHidden: return "text under a later surface";
    case LayoutFinding::Kind::ControlCut: return "control cut off";
    case LayoutFinding::Kind::ControlOverlap: return "controls overlap";
    case LayoutFinding::Kind::ControlHidden: return "control under a later surface";
    case LayoutFinding::Kind::Contrast: return "contrast too low";
    }
    return "?";
}

double contrast_ratio(ImU32 a, ImU32 b)
{
    double la = luminance(a), lb = luminance(b);
    if (la < lb)
        std::swap(la, lb);
    return (la + 0.05) / (lb + 0.05);
}

ImU32 blend_over(ImU32 top, ImU32 bottom)
{
    unsigned a = alpha(top);
    auto mix = [a](unsigned t, unsigned b) { return (t * a + b * (255 - a) + 127) / 255; };
    unsigned r = mix((top >> IM_COL32_R_SHIFT) & 0xFF, (bottom >> IM_COL32_R_SHIFT) & 0xFF);
    unsigned g = mix((top >> IM_COL32_G_SHIFT) & 0xFF, (bottom >> IM_COL32_G_SHIFT) & 0xFF);
    unsigned b = mix((top >> IM_COL32_B_SHIFT) & 0xFF, (bottom >> IM_COL32_B_SHIFT) & 0xFF);
    return IM_COL32(r, g, b, 255);
}

std::vector<LayoutFinding> check_layout(const LayoutLog& log, ImVec2 size, float scale, ImU32 page)
{
    std::vector<LayoutFinding> out;
    const auto& items = log.items();
    const Rect screen{0, 0, size.x, size.y};
    // A modal's scrim puts everything drawn before it out of play.
    size_t first = 0;
    for (size_t i = 0; i < items.size(); ++i)
        if (items[i].kind == LayoutItem::Kind::Scrim)
            first = i;
    using K = LayoutItem::Kind;
    auto visible = [&](const LayoutItem& it, const Rect& r) { return intersect(intersect(r, it.clip), screen); };
    auto add = [&](LayoutFinding::Kind k, std::string detail) { out.push_back({k, std::move(detail)}); };

    for (size_t i = first; i < items.size(); ++i) {
        const LayoutItem& t = items[i];
        if (t.kind == K::Text) {
            if (t.text.empty())
                continue;
            // Overflow: the glyphs' box against the box the text was given.
            bool fits = t.wraps ? within_x(t.ink, t.box) : within(t.ink, t.box);
            if (!fits)
                add(LayoutFinding::Kind::TextOverflow, quote(t) + " ink " + describe(t.ink) + " box " + describe(t.box));
            // Cut: by the screen, or by a clip that does not scroll.
            Rect bounds = intersect(t.clip, screen);
            bool shown = t.in_scroll ? within_x(t.ink, bounds) && within_x(t.ink, screen) : within(t.ink, bounds);
            if (!shown)
                add(LayoutFinding::Kind::TextOffScreen, quote(t) + " ink " + describe(t.ink) + " clip " + describe(bounds));
            Rect vis = visible(t, t.ink);
            if (vis.w <= 0 || vis.h <= 0)
                continue; // scrolled out of view
            for (size_t j = i + 1; j < items.size(); ++j) {
                const LayoutItem& o = items[j];
                if (o.kind == K::Text && !o.text.empty() && overlaps(vis, visible(o, o.ink)))
                    add(LayoutFinding::Kind::TextOverlap, quote(t) + " " + describe(t.ink) + " and " + quote(o) + " " + describe(o.ink));
                if (o.kind == K::Fill && alpha(o.colour) >= 16 && overlaps(vis, visible(o, o.box)))
                    add(LayoutFinding::Kind::TextHidden, quote(t) + " " + describe(t.ink) + " under a surface " + describe(o.box));
            }
            // Contrast against what is beneath the middle of the text.
            ImVec2 centre = vis.centre();
            ImU32 bg = page;
            for (size_t j = 0; j < i; ++j) {
                const LayoutItem& f = items[j];
                if ((f.kind == K::Fill || f.kind == K::Scrim) && visible(f, f.box).contains(centre))
                    bg = blend_over(f.colour, bg);
            }
            ImU32 fg = blend_over(t.colour, bg);
            double ratio = contrast_ratio(fg, bg);
            double need = t.px / scale >= kLargeTextDesignPx ? kMinContrastLarge : kMinContrast;
            if (ratio + 1e-6 < need) {
                char buf[96];
                std::snprintf(buf, sizeof buf, " %.2f:1 (needs %.1f:1) colour %08X on %08X", ratio, need, fg, bg);
                add(LayoutFinding::Kind::Contrast, quote(t) + buf);
            }
        } else if (t.kind == K::Control) {
            Rect bounds = intersect(t.clip, screen);
            bool shown = t.in_scroll ? within_x(t.box, bounds) : within(t.box, bounds);
            if (!shown)
                add(LayoutFinding::Kind::ControlCut, quote(t) + " " + describe(t.box) + " clip " + describe(bounds));
            Rect vis = visible(t, t.box);
            if (vis.w <= 0 || vis.h <= 0)
                continue;
            for (size_t j = i + 1; j < items.size(); ++j) {
                const LayoutItem& o = items[j];
                if (o.kind == K::Control && !same(o.box, t.box) && overlaps(vis, visible(o, o.box)))
                    add(LayoutFinding::Kind::ControlOverlap, quote(t) + " " + describe(t.box) + " and " + quote(o) + " " + describe(o.box));
                // A later surface over a control hides it, unless it is part of the control (drawn inside it).
                if (o.kind == K::Fill && alpha(o.colour) >= 16 && !within(o.box, t.box) && overlaps(vis, visible(o, o.box)))
                    add(LayoutFinding::Kind::ControlHidden, quote(t) + " " + describe(t.box) + " under a surface " + describe(o.box));
            }
        }
    }
    return out;
}

} // namespace nafitha::ui
