// The bidi stage on FriBidi 1.0 (UAX #9 with paired brackets).

#include "text/bidi.h"

#include <fribidi.h>

#include <numeric>

namespace nafitha::text {

static_assert(sizeof(FriBidiLevel) == sizeof(int8_t));
static_assert(sizeof(FriBidiCharType) == sizeof(uint32_t));
static_assert(sizeof(FriBidiChar) == sizeof(char32_t));

namespace {

// Per-thread scratch for bracket types: the paragraph levels are the only output.
thread_local std::vector<FriBidiBracketType> t_brackets;

} // namespace

void bidi_paragraph(std::span<const char32_t> text, Direction direction, BidiParagraph& out)
{
    size_t n = text.size();
    out.levels.resize(n);
    out.types.resize(n);
    FriBidiParType base = direction == Direction::Rtl ? FRIBIDI_PAR_RTL
                        : direction == Direction::Ltr ? FRIBIDI_PAR_LTR
                                                      : FRIBIDI_PAR_ON;
    if (n == 0) {
        out.paragraph_level = direction == Direction::Rtl ? 1 : 0;
        return;
    }
    auto* chars = reinterpret_cast<const FriBidiChar*>(text.data());
    auto* types = reinterpret_cast<FriBidiCharType*>(out.types.data());
    fribidi_get_bidi_types(chars, FriBidiStrIndex(n), types);
    t_brackets.resize(n);
    fribidi_get_bracket_types(chars, FriBidiStrIndex(n), types, t_brackets.data());
    FriBidiLevel max = fribidi_get_par_embedding_levels_ex(types, t_brackets.data(), FriBidiStrIndex(n), &base,
                                                           reinterpret_cast<FriBidiLevel*>(out.levels.data()));
    if (max == 0) {
        // FriBidi failed (out of memory): fall back to a plain paragraph of the requested direction.
        int8_t level = direction == Direction::Rtl ? 1 : 0;
        std::fill(out.levels.begin(), out.levels.end(), level);
        out.paragraph_level = level;
        return;
    }
    out.paragraph_level = FRIBIDI_DIR_TO_LEVEL(base);
}

void bidi_line(const BidiParagraph& para, size_t begin, size_t end, std::vector<int8_t>& line_levels,
               std::vector<uint32_t>& visual_to_logical)
{
    size_t len = end - begin;
    line_levels.assign(para.levels.begin() + std::ptrdiff_t(begin), para.levels.begin() + std::ptrdiff_t(end));
    visual_to_logical.resize(len);
    std::iota(visual_to_logical.begin(), visual_to_logical.end(), 0u);
    if (len == 0)
        return;
    FriBidiParType base = para.paragraph_level & 1 ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
    static_assert(sizeof(FriBidiStrIndex) == sizeof(uint32_t));
    // Flags 0: plain UAX #9 rule L2 (no non-spacing-mark reordering, no mirroring: HarfBuzz mirrors).
    FriBidiLevel max = fribidi_reorder_line(0, reinterpret_cast<const FriBidiCharType*>(para.types.data()) + begin,
                         FriBidiStrIndex(len), 0, base, reinterpret_cast<FriBidiLevel*>(line_levels.data()), nullptr,
                         reinterpret_cast<FriBidiStrIndex*>(visual_to_logical.data()));
    if (max == 0) {
        // FriBidi failed (out of memory): keep logical order.
        std::iota(visual_to_logical.begin(), visual_to_logical.end(), 0u);
    }
}

void bidi_line_levels(const BidiParagraph& para, size_t begin, size_t end, std::vector<int8_t>& line_levels)
{
    size_t len = end - begin;
    line_levels.assign(para.levels.begin() + std::ptrdiff_t(begin), para.levels.begin() + std::ptrdiff_t(end));
    if (len == 0)
        return;
    FriBidiParType base = para.paragraph_level & 1 ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
    // Without a map or a string FriBidi applies rule L1 to the levels and reorders nothing.
    FriBidiLevel max = fribidi_reorder_line(0, reinterpret_cast<const FriBidiCharType*>(para.types.data()) + begin,
                                            FriBidiStrIndex(len), 0, base,
                                            reinterpret_cast<FriBidiLevel*>(line_levels.data()), nullptr, nullptr);
    (void)max;  // On failure the levels are the paragraph's, which is still a usable line.
}

const char* bidi_unicode_version() { return FRIBIDI_UNICODE_VERSION; }

} // namespace nafitha::text
