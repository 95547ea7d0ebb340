#pragma once
// Shared by the text tests: the default font stack (real Debian fonts), loaded once per test binary.

#include "text/font.h"
#include "text/paragraph.h"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

namespace text_test {

inline const nafitha::text::FontStack& fonts()
{
    static auto stack = [] {
        auto r = nafitha::text::FontStack::load_default();
        if (!r.ok())
            FAIL(r.error().to_string());
        return r.release_value();
    }();
    return stack;
}

// Glyphs of a layout in drawing order (lines, then runs left to right).
template<typename Fn>
void each_glyph(const nafitha::text::Layout& l, Fn fn)
{
    for (const auto& line : l.lines)
        for (uint32_t r = line.first_run; r < line.first_run + line.run_count; ++r)
            for (uint32_t g = l.runs[r].first_glyph; g < l.runs[r].first_glyph + l.runs[r].glyph_count; ++g)
                fn(line, l.runs[r], l.glyphs[g]);
}

} // namespace text_test
