#pragma once
// Normalisation of what citizens type: any digit form to ASCII, trimming, and a folded form of Arabic text
// for search (letter variants unified, diacritics and tatweel removed).

#include <string>
#include <string_view>

namespace nafitha::services {

// Arabic-Indic (U+0660..0669), Extended Arabic-Indic (U+06F0..06F9), fullwidth and other Unicode decimal
// digits that kiosks meet become ASCII 0..9; everything else is kept.
std::string digits_to_ascii(std::string_view text);

// Removes leading and trailing white space (ASCII and Unicode spaces) and collapses inner runs to one space.
std::string trim_collapse(std::string_view text);

// Folds text for search: digits to ASCII, ASCII lower case, أ إ آ ٱ -> ا, ة -> ه, ى -> ي, ؤ -> و, ئ -> ي,
// Persian ک/ی -> ك/ي, harakat and tatweel removed, spaces collapsed.
std::string fold_for_search(std::string_view text);

} // namespace nafitha::services
