#include "kiosk/services/text_normalize.h"

#include "base/utf8.h"

namespace nafitha::services {

// The value 0..9 of a Unicode decimal digit the kiosk may meet, or -1.
static int digit_value(char32_t c)
{
    static constexpr char32_t zeros[] = {
        U'0',      0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6,
        0x0C66,    0x0CE6, 0x0D66, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810, 0xFF10,
        0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6,
    };
    for (char32_t z : zeros)
        if (c >= z && c <= z + 9)
            return static_cast<int>(c - z);
    return -1;
}

static bool is_space(char32_t c)
{
    return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\v' || c == U'\f' || c == 0x00A0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

std::string digits_to_ascii(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        char32_t c = utf8::decode_next(text, pos);
        int d = digit_value(c);
        if (d >= 0)
            out.push_back(static_cast<char>('0' + d));
        else
            utf8::append(out, c);
    }
    return out;
}

std::string trim_collapse(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    size_t pos = 0;
    while (pos < text.size()) {
        char32_t c = utf8::decode_next(text, pos);
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space)
            out.push_back(' ');
        pending_space = false;
        utf8::append(out, c);
    }
    return out;
}

std::string fold_for_search(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    size_t pos = 0;
    while (pos < text.size()) {
        char32_t c = utf8::decode_next(text, pos);
        if (is_space(c) || c == U'-' || c == U'_' || c == 0x060C /* ، */) {
            pending_space = !out.empty();
            continue;
        }
        // Harakat, superscript alef and tatweel carry no meaning for search.
        if ((c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640)
            continue;
        if (int d = digit_value(c); d >= 0)
            c = static_cast<char32_t>(U'0' + d);
        else if (c >= U'A' && c <= U'Z')
            c = c - U'A' + U'a';
        else if (c == 0x0623 || c == 0x0625 || c == 0x0622 || c == 0x0671)
            c = 0x0627; // أ إ آ ٱ -> ا
        else if (c == 0x0629)
            c = 0x0647; // ة -> ه
        else if (c == 0x0649 || c == 0x06CC || c == 0x0626)
            c = 0x064A; // ى ی ئ -> ي
        else if (c == 0x0624)
            c = 0x0648; // ؤ -> و
        else if (c == 0x06A9)
            c = 0x0643; // ک -> ك
        if (pending_space)
            out.push_back(' ');
        pending_space = false;
        utf8::append(out, c);
    }
    return out;
}

} // namespace nafitha::services
