#pragma once
// What a frame laid out, as boxes: every text with the box it was given and the box its glyphs take, every
// filled surface, every control, every scrolled region, with the clip in effect and the drawing order. The
// widgets record into a LayoutLog when one is attached to the context (the layout tests);
// a production frame records nothing and allocates nothing.
//
// check_layout() reads a frame's log and finds what makes a screen unreadable, from the boxes and not from
// pixels: text overflowing its box or the screen, text overlapping text, text or a control hidden under a
// later surface, controls cut off or overlapping, and text whose colour does not contrast enough with what is
// drawn beneath it (WCAG 2.1 relative luminance; see kMinContrast).

#include "kiosk/ui/touch.h"

#include <imgui.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::ui {

struct LayoutItem {
    enum class Kind : uint8_t {
        Text,    // a line or a paragraph: `box` given, `ink` where its glyphs go
        Fill,    // an opaque or translucent surface (cards, buttons, bars, tiles)
        Scrim,   // a modal's dimming layer: what is beneath is out of play
        Control, // something tappable
        Scroll,  // a scrolled region: `box` is the view, `content_h` what it holds
    };
    Kind kind = Kind::Text;
    Rect box;
    Rect ink;
    Rect clip;          // the clip in effect (the screen when none)
    ImU32 colour = 0;   // text or fill colour
    float px = 0;       // text size in pixels
    float content_h = 0;
    bool in_scroll = false; // drawn inside a scrolled region (may be clipped vertically by it)
    bool wraps = false;     // a paragraph: only its width is bounded by its box
    std::string text;       // for the findings (recorded only when a log is attached)
};

class LayoutLog {
public:
    void clear() { m_items.clear(); }
    void add(LayoutItem item) { m_items.push_back(std::move(item)); }
    const std::vector<LayoutItem>& items() const { return m_items; }

private:
    std::vector<LayoutItem> m_items;
};

struct LayoutFinding {
    enum class Kind { TextOverflow, TextOffScreen, TextOverlap, TextHidden, ControlCut, ControlOverlap, ControlHidden, Contrast };
    Kind kind;
    std::string detail;
};
std::string_view finding_name(LayoutFinding::Kind kind);

// Contrast: at least 4.5:1 for text, 3:1 for large text. Large text is text at least `kLargeTextDesignPx`
// design pixels (1080 px on the short side of the screen; scale = short side / 1080).
inline constexpr double kMinContrast = 4.5;
inline constexpr double kMinContrastLarge = 3.0;
inline constexpr float kLargeTextDesignPx = 48.0f;

// WCAG 2.1 contrast ratio of two opaque colours (1 to 21).
double contrast_ratio(ImU32 a, ImU32 b);
// `top` (with its alpha) over the opaque `bottom`.
ImU32 blend_over(ImU32 top, ImU32 bottom);

// Every finding of one frame of `screen` size; `page` is the colour beneath everything (the clear colour).
std::vector<LayoutFinding> check_layout(const LayoutLog& log, ImVec2 screen, float scale, ImU32 page);

} // namespace nafitha::ui
