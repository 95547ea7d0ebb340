// Display digits per locale and normalisation of every digit form to ASCII.

#include "text/digits.h"

#include "base/utf8.h"

namespace nafitha::text {

DigitStyle digit_style_for(Lang lang) { return lang == Lang::Ar ? DigitStyle::ArabicIndic : DigitStyle::Western; }

int digit_value(char32_t cp)
{
    if (cp >= U'0' && cp <= U'9')
        return int(cp - U'0');
    if (cp >= 0x0660 && cp <= 0x0669)
        return int(cp - 0x0660);
    if (cp >= 0x06F0 && cp <= 0x06F9)
        return int(cp - 0x06F0);
    if (cp >= 0xFF10 && cp <= 0xFF19)
        return int(cp - 0xFF10);
    return -1;
}

char32_t display_digit(char32_t cp, DigitStyle style)
{
    if (style == DigitStyle::AsIs)
        return cp;
    int v = digit_value(cp);
    if (v < 0)
        return cp;
    return style == DigitStyle::Western ? char32_t(U'0' + v) : char32_t(0x0660 + v);
}

std::string normalise_digits(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        char32_t cp = utf8::decode_next(text, pos);
        int v = digit_value(cp);
        utf8::append(out, v >= 0 ? char32_t(U'0' + v) : cp);
    }
    return out;
}

std::string to_display_digits(std::string_view text, DigitStyle style)
{
    std::string out;
    out.reserve(text.size() * 2);
    size_t pos = 0;
    while (pos < text.size())
        utf8::append(out, display_digit(utf8::decode_next(text, pos), style));
    return out;
}

} // namespace nafitha::text
