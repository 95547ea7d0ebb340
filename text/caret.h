#pragma once
// Caret placement and hit-testing on a Layout, cluster- and grapheme-aware: a ligature (lam-alef) covering
// two characters gets a caret stop inside it at the proportional position. Offsets are UTF-8 byte offsets
// into the text the Layout was made from, always on grapheme boundaries.

#include "text/paragraph.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace nafitha::text {

struct CaretPos {
    size_t line = 0;
    float x = 0;        // Relative to the layout box's left.
    float top = 0;      // Line box top and height, for drawing the caret bar.
    float height = 0;
};

struct Rect {
    float x = 0, y = 0, w = 0, h = 0;
};

namespace detail {
// One grapheme (or a part of a ligature for one grapheme) on screen.
struct CaretCell {
    uint32_t b0 = 0, b1 = 0;  // Logical byte range.
    float x0 = 0, x1 = 0;     // Visual extent.
    bool rtl = false;
};
// A cluster of a run in visual order: logical range, pen position and width.
struct ClusterGroup {
    uint32_t c, next;
    float x, w;
    bool removed;
};
} // namespace detail

// Buffers a caret query works in. A caller that asks every frame (a text field) keeps one, so that its
// steady frames allocate nothing.
struct CaretScratch {
    std::vector<detail::CaretCell> cells;
    std::vector<uint32_t> starts;
    std::vector<detail::ClusterGroup> groups;
};

// Where the caret for logical `offset` is drawn (the leading edge of the character at `offset` in its own
// direction; at the end of a line, the trailing edge of the last character).
CaretPos caret_position(const Layout& layout, size_t offset);
CaretPos caret_position(const Layout& layout, size_t offset, CaretScratch& scratch);

// The grapheme boundary nearest to the point (x, y), both relative to the layout box.
size_t hit_test(const Layout& layout, float x, float y);

// Rectangles covering the logical selection [begin, end); bidi text gives several rectangles per line.
std::vector<Rect> selection_rects(const Layout& layout, size_t begin, size_t end);

enum class VisualMove : uint8_t { Left, Right };
// The offset whose caret is next to the left or right of the caret at `offset`, in visual order on its line
// (it moves to the neighbouring line at the line's ends). Returns `offset` when it cannot move.
size_t move_visual(const Layout& layout, size_t offset, VisualMove move);

// Grapheme boundaries in UTF-8 text (a base character with its marks, harakat, shadda, ZWJ sequences,
// CR LF). Offsets are byte offsets; invalid bytes count one byte each.
size_t previous_grapheme(std::string_view text, size_t offset);
size_t next_grapheme(std::string_view text, size_t offset);
// "Delete previous" for a text field: removes the grapheme before `offset` from `text`; returns the new
// caret offset.
size_t delete_previous_grapheme(std::string& text, size_t offset);

} // namespace nafitha::text
