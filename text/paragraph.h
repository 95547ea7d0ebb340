#pragma once
// Paragraph layout: UTF-8 text in, lines of positioned glyph runs out.
//
// Pipeline (Godot's text server order): split paragraphs on newlines -> bidi levels per paragraph (FriBidi,
// bracket types) -> itemise into runs of one level, script and font (per-cluster fallback through the
// FontStack) -> shape each run with HarfBuzz using the whole paragraph as context -> break lines (UAX #14,
// libunibreak) to the maximum width, whole words, emergency breaks inside a word only when one word is wider
// than the box -> per line: rule L1 and visual order of runs -> ellipsis, alignment and justification.
//
// Coordinates are pixels, x to the right, y down. A Layout's origin is the top-left corner of its box; the
// box is `max_width` wide (or the widest line when there is no maximum width). Glyph positions already
// include alignment, so a consumer draws glyph g of a line at (origin.x + g.x, origin.y + line.baseline + g.y).
//
// Invalid UTF-8 is decoded to U+FFFD (never a crash). Input beyond kMaxLayoutCodePoints is cut off and the
// layout is marked `truncated`.

#include "text/bidi.h"
#include "text/font.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::text {

inline constexpr size_t kMaxLayoutCodePoints = 262144;
inline constexpr int kMinPixelSize = 4;
inline constexpr int kMaxPixelSize = 4096;  // Large enough to lay out at one pixel per font unit.

enum class Align : uint8_t { Start, End, Center };  // Start is the right edge in an RTL paragraph.
enum class Justify : uint8_t { None, Spaces };      // Spaces: stretch spaces on every line but a paragraph's last.
enum class Overflow : uint8_t { Clip, Ellipsis };   // Ellipsis: "…" at the logical end of the last kept line.
enum class DigitStyle : uint8_t { AsIs, Western, ArabicIndic };  // Display digits (see text/digits.h).

struct LayoutOptions {
    Direction direction = Direction::Auto;
    Weight weight = Weight::Regular;  // Selects the FontStack's chain.
    int pixel_size = 24;              // The em size in pixels (clamped to [kMinPixelSize, kMaxPixelSize]).
    float max_width = 0;              // 0: no wrapping (each paragraph is one line).
    int max_lines = 0;                // 0: no limit.
    Align align = Align::Start;
    Justify justify = Justify::None;
    Overflow overflow = Overflow::Ellipsis;
    DigitStyle digits = DigitStyle::AsIs;
    float line_spacing = 1.0f;        // Multiplier on the font stack's natural line height.

    bool operator==(const LayoutOptions&) const = default;
};

// One glyph, ready to draw: its pen origin relative to the line's left edge and baseline (y down).
struct Glyph {
    uint32_t glyph = 0;      // Glyph id in face `font`.
    uint32_t cluster = 0;    // UTF-8 byte offset into the layout's input text of the cluster's first character.
    float x = 0;             // Pen x of the glyph origin (offsets applied), relative to the layout box's left.
    float y = 0;             // Offset from the baseline, y down (HarfBuzz y offset negated).
    float advance = 0;       // Horizontal advance in pixels (unhinted).
    FontId font = 0;
};

// A run of glyphs of one font and one direction, in visual order, within a line.
struct GlyphRun {
    uint32_t first_glyph = 0;   // Index into Layout::glyphs.
    uint32_t glyph_count = 0;
    uint32_t byte_begin = 0;    // Logical UTF-8 range of the run in the input text.
    uint32_t byte_end = 0;
    float x = 0;                // Left edge and width in pixels.
    float width = 0;
    FontId font = 0;
    int8_t level = 0;           // Bidi level; odd is RTL.
    bool rtl() const { return level & 1; }
};

struct Line {
    uint32_t first_run = 0;     // Index into Layout::runs; the runs are in visual order, left to right.
    uint32_t run_count = 0;
    uint32_t byte_begin = 0;    // Logical UTF-8 range of the line (without the newline that ends it).
    uint32_t byte_end = 0;
    float x = 0;                // Left edge of the ink-advance box after alignment.
    float width = 0;            // Sum of advances (trailing spaces excluded).
    float top = 0;              // Top of the line box.
    float baseline = 0;         // y of the baseline from the layout's top.
    float ascent = 0;           // Positive, pixels.
    float descent = 0;          // Positive, pixels.
    float height = 0;           // Line advance (ascent + descent + gap) * line_spacing.
    bool rtl = false;           // The paragraph direction of this line.
    bool ellipsized = false;    // This line ends in an ellipsis.
    bool paragraph_end = false; // Last line of its paragraph (not justified).
};

struct Layout {
    std::vector<Glyph> glyphs;
    std::vector<GlyphRun> runs;
    std::vector<Line> lines;
    float width = 0;            // Box width: max_width when set, else the widest line.
    float height = 0;           // Sum of line heights.
    float content_width = 0;    // The widest line.
    int pixel_size = 0;
    bool rtl = false;           // Direction of the first paragraph.
    bool truncated = false;     // Lines were dropped (max_lines) or the input was cut at the size limit.
    size_t text_bytes = 0;      // Size of the input text the clusters refer to.
    // Byte offsets of every grapheme boundary in the input text, ascending, including 0 and text_bytes (used
    // by text/caret.h to place carets inside ligatures).
    std::vector<uint32_t> graphemes;

    void clear();
};

// Reusable shaping state (HarfBuzz buffer, scratch arrays). Owning one per thread makes layout allocate
// only for its output.
class Shaper {
public:
    Shaper();
    ~Shaper();
    Shaper(const Shaper&) = delete;
    Shaper& operator=(const Shaper&) = delete;

    // Lays out `text` into `out` (cleared first; its capacity is reused).
    void layout(std::string_view text, const FontStack& fonts, const LayoutOptions& options, Layout& out);

    struct Scratch;
private:
    std::unique_ptr<Scratch> m_scratch;
};

// One-shot convenience (creates a Shaper).
Layout layout_paragraph(std::string_view text, const FontStack& fonts, const LayoutOptions& options);

} // namespace nafitha::text
