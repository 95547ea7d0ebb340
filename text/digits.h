#pragma once
// Digits. Display digits are a per-locale choice (Western 0-9 or Arabic-Indic ٠-٩) applied at layout time
// (LayoutOptions::digits): the text itself is never altered. For storage, normalise_digits() turns every
// decimal digit form into ASCII.

#include "base/i18n.h"
#include "text/paragraph.h"

#include <string>
#include <string_view>

namespace nafitha::text {

// The display style a locale uses (Arabic: Arabic-Indic; English: Western).
DigitStyle digit_style_for(Lang lang);

// The code point to display for `cp` under `style` (digits of any supported form map to the style's form;
// other code points are returned unchanged).
char32_t display_digit(char32_t cp, DigitStyle style);

// The digit value 0-9 of `cp` for ASCII, Arabic-Indic (U+0660), Extended Arabic-Indic (U+06F0) and
// fullwidth (U+FF10) digits; -1 for anything else.
int digit_value(char32_t cp);

// Replaces every supported digit form with its ASCII digit; other text is unchanged (invalid UTF-8 becomes
// U+FFFD).
std::string normalise_digits(std::string_view text);

// Returns `text` with digits converted for display (for places that need a string, such as a printer's
// plain-text fallback).
std::string to_display_digits(std::string_view text, DigitStyle style);

} // namespace nafitha::text
