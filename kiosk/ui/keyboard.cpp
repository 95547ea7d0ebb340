#include "kiosk/ui/keyboard.h"

#include "kiosk/ui/context.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/widgets.h"

#include "base/utf8.h"

#include <algorithm>

namespace nafitha::ui {

namespace {

// The standard Arabic layout (xkeyboard-config "ara"), rows Q, A and Z, plain and shifted. Keys stay where
// they are on a physical Arabic keyboard (the layout is not mirrored). The lam-alef keys insert two
// characters (lam + alef variants), never presentation forms.
const char* const kArabic[3][12] = {
    {"ض", "ص", "ث", "ق", "ف", "غ", "ع", "ه", "خ", "ح", "ج", "د"},
    {"ش", "س", "ي", "ب", "ل", "ا", "ت", "ن", "م", "ك", "ط", "ذ"},
    {"ئ", "ء", "ؤ", "ر", "لا", "ى", "ة", "و", "ز", "ظ", nullptr, nullptr},
};
const char* const kArabicShift[3][12] = {
    {"\u064E", "\u064B", "\u064F", "\u064C", "لإ", "إ", "\u2018", "÷", "×", "؛", "<", ">"},
    {"\u0650", "\u064D", "]", "[", "لأ", "أ", "ـ", "،", "/", ":", "\"", "ّ"},
    {"~", "\u0652", "}", "{", "لآ", "آ", "\u2019", ",", ".", "؟", nullptr, nullptr},
};
const char* const kEnglish[3][12] = {
    {"q", "w", "e", "r", "t", "y", "u", "i", "o", "p", nullptr, nullptr},
    {"a", "s", "d", "f", "g", "h", "j", "k", "l", nullptr, nullptr, nullptr},
    {"z", "x", "c", "v", "b", "n", "m", ".", "-", nullptr, nullptr, nullptr},
};
const char* const kEnglishShift[3][12] = {
    {"Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P", nullptr, nullptr},
    {"A", "S", "D", "F", "G", "H", "J", "K", "L", nullptr, nullptr, nullptr},
    {"Z", "X", "C", "V", "B", "N", "M", ",", "'", nullptr, nullptr, nullptr},
};
const char* const kSymbols[3][12] = {
    {"-", "/", ":", "(", ")", "@", "&", "+", "=", "#", nullptr, nullptr},
    {".", ",", "?", "!", "'", "\"", "%", "*", "_", nullptr, nullptr, nullptr},
    {"؟", "،", "؛", "«", "»", "<", ">", nullptr, nullptr, nullptr, nullptr, nullptr},
};

int row_count(const char* const row[12])
{
    int n = 0;
    while (n < 12 && row[n])
        ++n;
    return n;
}

bool key(Ctx& ctx, const Rect& r, std::string_view text, bool special, bool active = false)
{
    const Palette& p = ctx.pal();
    bool held = ctx.touch.held(r);
    ImU32 bg = held ? p.key_pressed : (special ? p.surface_pressed : p.key);
    if (active)
        bg = p.primary;
    fill(ctx, r, bg, ctx.u(10));
    outline(ctx, r, p.border, ctx.u(10), std::max(1.0f, ctx.u(2)));
    Rect lr = r;
    if (held) {
        // Press feedback: the key's label pops up above the finger.
        Rect pop{r.x - r.w * 0.1f, r.y - r.h * 1.05f, r.w * 1.2f, r.h};
        fill(ctx, pop, p.primary, ctx.u(10));
        label(ctx, pop, text, ctx.font(special ? 30 : 44), p.on_primary, Align::Center);
    }
    label(ctx, lr, text, ctx.font(special ? 30 : 40), active ? p.on_primary : p.text, Align::Center);
    if (!text.empty())
        ctx.target(text, r, special ? Target::Kind::SpecialKey : Target::Kind::Key);
    return ctx.touch.tap(r);
}

} // namespace

void Keyboard::reset_for(bool numeric_only, bool arabic)
{
    shift = false;
    letters = arabic ? KeyLayout::Arabic : KeyLayout::English;
    layout = numeric_only ? KeyLayout::Numeric : letters;
}

const char* const* key_row(KeyLayout layout, bool shift, int row, int& count)
{
    count = 0;
    if (row < 0 || row > 2)
        return nullptr;
    const char* const* r = nullptr;
    switch (layout) {
    case KeyLayout::Arabic:
        r = shift ? kArabicShift[row] : kArabic[row];
        break;
    case KeyLayout::English:
        r = shift ? kEnglishShift[row] : kEnglish[row];
        break;
    case KeyLayout::Symbols:
        r = kSymbols[row];
        break;
    case KeyLayout::Numeric:
        return nullptr;
    }
    count = row_count(r);
    return r;
}

std::string digit(DigitForm form, int d)
{
    std::string out;
    utf8::append(out, form == DigitForm::ArabicIndic ? static_cast<char32_t>(0x0660 + d) : static_cast<char32_t>('0' + d));
    return out;
}

KeyEvent draw_keyboard(Ctx& ctx, const Rect& area, bool numeric_only, PadExtra extra)
{
    Keyboard& kb = ctx.keyboard;
    const Palette& p = ctx.pal();
    KeyEvent ev;
    fill(ctx, area, ctx.theme.contrast == Contrast::High ? p.background : p.border, 0);
    float gap = ctx.u(10);
    Rect a = area.inset(gap);

    if (numeric_only || kb.layout == KeyLayout::Numeric) {
        // A phone-style pad: 1 2 3 / 4 5 6 / 7 8 9 / form 0 delete, then a wide done key. With the slash, the
        // fourth row is / 0 delete and the digit form moves beside done.
        float kw = std::min((a.w - 2 * gap) / 3.0f, ctx.u(260));
        float kh = (a.h - 4 * gap) / 5.0f;
        bool slash = extra == PadExtra::Slash;
        float x0 = a.x + (a.w - (3 * kw + 2 * gap)) * 0.5f;
        auto cell = [&](int col, int row) {
            return Rect{x0 + static_cast<float>(col) * (kw + gap), a.y + static_cast<float>(row) * (kh + gap), kw, kh};
        };
        for (int d = 1; d <= 9; ++d) {
            std::string s = digit(kb.digits, d);
            if (key(ctx, cell((d - 1) % 3, (d - 1) / 3), s, false))
                ev = {KeyEvent::Kind::Insert, s};
        }
        std::string form_label = kb.digits == DigitForm::Western ? "١٢٣" : "123";
        if (slash) {
            if (key(ctx, cell(0, 3), "/", false))
                ev = {KeyEvent::Kind::Insert, "/"};
        } else if (key(ctx, cell(0, 3), form_label, true)) {
            kb.digits = kb.digits == DigitForm::Western ? DigitForm::ArabicIndic : DigitForm::Western;
        }
        std::string zero = digit(kb.digits, 0);
        if (key(ctx, cell(1, 3), zero, false))
            ev = {KeyEvent::Kind::Insert, zero};
        if (key(ctx, cell(2, 3), ctx.tr("ui.key.delete"), true))
            ev = {KeyEvent::Kind::Backspace, {}};
        Rect done{x0, a.y + 4 * (kh + gap), 3 * kw + 2 * gap, kh};
        if (slash) {
            Rect form = cell(0, 4);
            done = Rect{form.x + kw + gap, done.y, 2 * kw + gap, kh};
            if (key(ctx, form, form_label, true))
                kb.digits = kb.digits == DigitForm::Western ? DigitForm::ArabicIndic : DigitForm::Western;
        }
        if (key(ctx, done, ctx.tr("ui.key.done"), true, true))
            ev = {KeyEvent::Kind::Done, {}};
        if (!numeric_only) {
            Rect letters{a.x, done.y, std::max(0.0f, x0 - a.x - gap), kh};
            if (letters.w > ctx.u(100) && key(ctx, letters, kb.letters == KeyLayout::Arabic ? "أ ب ت" : "ABC", true))
                kb.layout = kb.letters;
        }
        return ev;
    }

    // Five rows: digits, three letter rows, and the bottom row.
    float kh = (a.h - 4 * gap) / 5.0f;
    const int cols = 12;
    float kw = (a.w - static_cast<float>(cols - 1) * gap) / static_cast<float>(cols);
    // Row 0: the ten digits in the chosen form, then delete.
    for (int i = 0; i < 10; ++i) {
        int d = (i + 1) % 10;
        Rect r{a.x + static_cast<float>(i) * (kw + gap), a.y, kw, kh};
        std::string s = digit(kb.digits, d);
        if (key(ctx, r, s, false))
            ev = {KeyEvent::Kind::Insert, s};
    }
    {
        Rect r{a.x + 10 * (kw + gap), a.y, 2 * kw + gap, kh};
        if (key(ctx, r, ctx.tr("ui.key.delete"), true))
            ev = {KeyEvent::Kind::Backspace, {}};
    }
    for (int row = 0; row < 3; ++row) {
        int n = 0;
        const char* const* keys = key_row(kb.layout, kb.shift, row, n);
        float used = static_cast<float>(n) * kw + static_cast<float>(n - 1) * gap;
        float x = a.x + (a.w - used) * 0.5f;
        float y = a.y + static_cast<float>(row + 1) * (kh + gap);
        if (row == 2 && kb.layout != KeyLayout::Symbols) {
            // Shift at the row's left end, as on a physical keyboard; the letters follow it.
            float sw = 1.5f * kw + 0.5f * gap;
            x = std::max(x, a.x + sw + gap);
            Rect sr{a.x, y, sw, kh};
            ctx.target(ctx.tr("ui.key.shift"), sr, Target::Kind::SpecialKey);
            if (key(ctx, sr, "", true, kb.shift))
                kb.shift = !kb.shift;
            float s = std::min(sr.w, sr.h) * 0.5f;
            draw_icon(ctx, "shift", Rect{sr.x + (sr.w - s) * 0.5f, sr.y + (sr.h - s) * 0.5f, s, s},
                      kb.shift ? ctx.pal().on_primary : ctx.pal().text);
        }
        for (int i = 0; i < n; ++i) {
            Rect r{x + static_cast<float>(i) * (kw + gap), y, kw, kh};
            if (key(ctx, r, keys[i], false)) {
                ev = {KeyEvent::Kind::Insert, keys[i]};
                if (kb.layout == KeyLayout::English)
                    kb.shift = false;
            }
        }
    }
    // Bottom row: letters (Arabic/English), symbols, digit form, space, caret moves, done.
    float y = a.y + 4 * (kh + gap);
    float x = a.x;
    auto next_rect = [&](float units) {
        Rect r{x, y, units * kw + (units - 1) * gap, kh};
        x += r.w + gap;
        return r;
    };
    bool arabic = kb.layout == KeyLayout::Arabic;
    if (key(ctx, next_rect(2), arabic ? "ABC" : "عربي", true)) {
        kb.letters = arabic ? KeyLayout::English : KeyLayout::Arabic;
        kb.layout = kb.letters;
        kb.shift = false;
    }
    bool symbols = kb.layout == KeyLayout::Symbols;
    if (key(ctx, next_rect(1.5f), symbols ? (kb.letters == KeyLayout::Arabic ? "أ ب" : "abc") : "#+=", true)) {
        kb.layout = symbols ? kb.letters : KeyLayout::Symbols;
        kb.shift = false;
    }
    if (key(ctx, next_rect(1.5f), kb.digits == DigitForm::Western ? "١٢٣" : "123", true))
        kb.digits = kb.digits == DigitForm::Western ? DigitForm::ArabicIndic : DigitForm::Western;
    if (key(ctx, next_rect(3), ctx.tr("ui.key.space"), true))
        ev = {KeyEvent::Kind::Insert, " "};
    for (const char* dir : {"left", "right"}) {
        Rect r = next_rect(1);
        ctx.target(dir, r, Target::Kind::SpecialKey);
        if (key(ctx, r, "", true))
            ev = {dir[0] == 'l' ? KeyEvent::Kind::Left : KeyEvent::Kind::Right, {}};
        float s = std::min(r.w, r.h) * 0.5f;
        draw_icon(ctx, dir, Rect{r.x + (r.w - s) * 0.5f, r.y + (r.h - s) * 0.5f, s, s}, ctx.pal().text);
    }
    Rect done{x, y, a.x + a.w - x, kh};
    if (key(ctx, done, ctx.tr("ui.key.done"), true, true))
        ev = {KeyEvent::Kind::Done, {}};
    return ev;
}

} // namespace nafitha::ui
