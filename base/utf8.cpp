#include "base/utf8.h"

namespace nafitha::utf8 {

char32_t decode_next(std::string_view s, size_t& pos)
{
    auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char b0 = byte(pos);
    if (b0 < 0x80) {
        pos += 1;
        return b0;
    }
    int len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        cp = b0 & 0x1F;
        min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        cp = b0 & 0x0F;
        min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        cp = b0 & 0x07;
        min = 0x10000;
    } else {
        pos += 1;
        return kReplacement;
    }
    if (pos + len > s.size()) {
        // Truncated: consume the lead byte and the continuation bytes that are there.
        size_t i = pos + 1;
        while (i < s.size() && (byte(i) & 0xC0) == 0x80)
            ++i;
        pos = i;
        return kReplacement;
    }
    for (int i = 1; i < len; ++i) {
        unsigned char b = byte(pos + i);
        if ((b & 0xC0) != 0x80) {
            pos += i;
            return kReplacement;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    pos += len;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return kReplacement;
    return cp;
}

std::u32string decode(std::string_view s, std::vector<uint32_t>* byte_offsets)
{
    std::u32string out;
    out.reserve(s.size());
    if (byte_offsets) {
        byte_offsets->clear();
        byte_offsets->reserve(s.size());
    }
    size_t pos = 0;
    while (pos < s.size()) {
        if (byte_offsets)
            byte_offsets->push_back(static_cast<uint32_t>(pos));
        out.push_back(decode_next(s, pos));
    }
    return out;
}

void append(std::string& out, char32_t cp)
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = kReplacement;
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string encode(std::u32string_view s)
{
    std::string out;
    out.reserve(s.size() * 2);
    for (char32_t cp : s)
        append(out, cp);
    return out;
}

bool is_valid(std::string_view s)
{
    size_t pos = 0;
    while (pos < s.size()) {
        size_t start = pos;
        char32_t cp = decode_next(s, pos);
        if (cp == kReplacement) {
            // A literal U+FFFD (EF BF BD) is valid; anything else that decoded to it is not.
            if (pos - start != 3 || s.substr(start, 3) != "\xEF\xBF\xBD")
                return false;
        }
    }
    return true;
}

size_t length(std::string_view s)
{
    size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

} // namespace nafitha::utf8
