// Unicode property helpers on HarfBuzz's default Unicode functions.

#include "text/unicode.h"

#include <hb.h>

namespace nafitha::text::unicode {

namespace {

hb_unicode_general_category_t category(char32_t cp)
{
    static hb_unicode_funcs_t* funcs = hb_unicode_funcs_get_default();
    return hb_unicode_general_category(funcs, cp);
}

bool is_pictographic(char32_t cp)
{
    return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF);
}

} // namespace

bool is_mark(char32_t cp)
{
    if (cp < 0x300)
        return false;
    auto c = category(cp);
    return c == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK || c == HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK ||
           c == HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK;
}

bool continues_grapheme(char32_t prev, char32_t cp)
{
    if (prev == U'\r')
        return cp == U'\n';
    if (cp < 0x300)
        return false;
    if (cp == 0x200C || cp == 0x200D)
        return true;
    if ((cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) || (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
        (cp >= 0xE0020 && cp <= 0xE007F))
        return true;
    if (prev == 0x200D && is_pictographic(cp))
        return true;
    return is_mark(cp);
}

bool is_space(char32_t cp)
{
    if (cp == U' ' || cp == U'\t')
        return true;
    if (cp < 0xA0)
        return false;
    return category(cp) == HB_UNICODE_GENERAL_CATEGORY_SPACE_SEPARATOR;
}

} // namespace nafitha::text::unicode
