#pragma once
// The on-screen keyboard: Arabic (the standard Arabic layout, keys where they are on a physical Arabic
// keyboard; the lam-alef key inserts U+0644 U+0627), English, symbols and a numeric pad; shift; Western or
// Arabic-Indic digits.

#include <string>

namespace nafitha::ui {

struct Ctx;
struct Rect;

enum class KeyLayout { Arabic, English, Symbols, Numeric };
enum class DigitForm { Western, ArabicIndic };

struct KeyEvent {
    enum class Kind { None, Insert, Backspace, Left, Right, Done };
    Kind kind = Kind::None;
    std::string text;
};

struct Keyboard {
    KeyLayout layout = KeyLayout::Arabic;
    KeyLayout letters = KeyLayout::Arabic; // the letter layout to return to from symbols
    bool shift = false;
    DigitForm digits = DigitForm::Western;

    void reset_for(bool numeric_only, bool arabic);
};

// The rows of a layout's letter keys (UTF-8, one string per key); for tests and drawing.
const char* const* key_row(KeyLayout layout, bool shift, int row, int& count);
// The ten digits in the chosen form, "0".."9" or "٠".."٩".
std::string digit(DigitForm form, int d);

// Draws the keyboard into `area` and returns what was tapped this frame. A date field's pad has a "/" key (the
// separator of day/month/year; it also appears by itself after two digits).
enum class PadExtra { None, Slash };
KeyEvent draw_keyboard(Ctx& ctx, const Rect& area, bool numeric_only, PadExtra extra = PadExtra::None);

} // namespace nafitha::ui
