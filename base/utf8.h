#pragma once
// UTF-8 decoding and encoding. Invalid sequences decode to U+FFFD, never a crash.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at `pos` and advances `pos` past it (by at least one byte).
char32_t decode_next(std::string_view s, size_t& pos);

// Whole-string decode. `byte_offsets`, when given, receives the byte offset of each code point.
std::u32string decode(std::string_view s, std::vector<uint32_t>* byte_offsets = nullptr);

void append(std::string& out, char32_t cp);
std::string encode(std::u32string_view s);

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool is_valid(std::string_view s);

// Number of code points.
size_t length(std::string_view s);

} // namespace nafitha::utf8
