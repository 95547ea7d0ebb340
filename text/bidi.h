#pragma once
// The bidi stage (UAX #9) on FriBidi: paragraph embedding levels with paired-bracket types, then per line the
// L1 level reset and the L2 visual order. Used by layout and checked against Unicode's BidiCharacterTest.txt.

#include <cstdint>
#include <span>
#include <vector>

namespace nafitha::text {

// Base direction requested for a paragraph: Auto takes the first strong character (rule P2/P3, LTR when
// there is none).
enum class Direction : uint8_t { Auto, Rtl, Ltr };

struct BidiParagraph {
    // Resolved paragraph embedding level: 0 (LTR) or 1 (RTL).
    int8_t paragraph_level = 0;
    // One resolved embedding level per code point (before the per-line rules).
    std::vector<int8_t> levels;
    // FriBidi's bidi type per code point (needed again for line rule L1).
    std::vector<uint32_t> types;
};

// Resolves levels for one paragraph (the text should not contain paragraph separators; layout splits on
// them first). Never fails; an empty text gives an empty result.
void bidi_paragraph(std::span<const char32_t> text, Direction direction, BidiParagraph& out);

// For the line [begin, end) of a resolved paragraph: writes the line's final levels (rule L1 applied:
// trailing whitespace and separators back to the paragraph level) into `line_levels` (size end - begin) and
// the visual order into `visual_to_logical` (visual index -> logical index relative to `begin`).
void bidi_line(const BidiParagraph& para, size_t begin, size_t end, std::vector<int8_t>& line_levels,
               std::vector<uint32_t>& visual_to_logical);

// The same without the visual order (layout orders its runs itself): only the line's final levels.
void bidi_line_levels(const BidiParagraph& para, size_t begin, size_t end, std::vector<int8_t>& line_levels);

// The Unicode version of FriBidi's character data ("12.1.0" for FriBidi 1.0.8).
const char* bidi_unicode_version();

} // namespace nafitha::text
