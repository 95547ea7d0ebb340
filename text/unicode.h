#pragma once
// Small Unicode property helpers shared by layout and caret code (HarfBuzz's Unicode functions underneath).

#include <cstdint>

namespace nafitha::text::unicode {

// True when `cp` is a combining mark (Mn, Mc, Me): harakat, shadda, superscript alef.
bool is_mark(char32_t cp);
// True when `cp` continues the grapheme cluster that `prev` is in (UAX #29, simplified: marks, ZWJ and ZWNJ,
// variation selectors, emoji modifiers, a pictograph after ZWJ, LF after CR).
bool continues_grapheme(char32_t prev, char32_t cp);
// Space separators and tab (hanging at the end of a wrapped line).
bool is_space(char32_t cp);
// Paragraph separators: LF, CR, NEL, U+2029.
inline bool is_paragraph_separator(char32_t cp)
{
    return cp == U'\n' || cp == U'\r' || cp == 0x85 || cp == 0x2029;
}
// C0/C1 controls other than the separators and tab, which layout shows as nothing.
inline bool is_hidden_control(char32_t cp)
{
    return (cp < 0x20 && cp != U'\t' && cp != U'\n' && cp != U'\r') || (cp >= 0x7F && cp < 0xA0 && cp != 0x85);
}

} // namespace nafitha::text::unicode
