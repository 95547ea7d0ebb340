#pragma once
// Caret placement and hit-testing on a Layout, cluster- and grapheme-aware: a ligature (lam-alef) covering
// two characters gets a caret stop inside it at the proportional position. Offsets are UTF-8 byte offsets
// into the text the Layout was made from, always on grapheme boundaries.

#include "text/paragraph.h"

#include <cstddef>
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

// Where the caret for logical `offset` is drawn (the leading edge of the character at `offset` in its own
// direction; at the end of a line, the trailing edge of the last character).
CaretPos caret_position(const Layout& layout, size_t offset);

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
