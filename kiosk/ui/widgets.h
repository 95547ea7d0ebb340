#pragma once
// Shared drawing pieces for screens: mirrored placement, labels, buttons with press feedback, the header
// with back and language, the progress strip, tiles and busy/error banners.

#include "kiosk/ui/context.h"

#include <string>
#include <string_view>

namespace nafitha::ui {

// `r` laid out left-to-right inside `within`, mirrored when the language is right-to-left.
Rect mirror(const Ctx& ctx, Rect r, const Rect& within);
// A rect `w` wide placed `offset` from the start edge (right in Arabic) of `within`, full height.
Rect from_start(const Ctx& ctx, const Rect& within, float offset, float w);
Rect from_end(const Ctx& ctx, const Rect& within, float offset, float w);

ImDrawList* canvas(Ctx& ctx);
void fill(Ctx& ctx, const Rect& r, ImU32 colour, float rounding = 0);
void outline(Ctx& ctx, const Rect& r, ImU32 colour, float rounding, float thickness);

// One line of text inside `r`: horizontally by `align` (Start = right in Arabic), vertically centred.
void label(Ctx& ctx, const Rect& r, std::string_view text, float px, ImU32 colour, Align align = Align::Start);
// A wrapped paragraph from the top of `r`; returns its height.
float paragraph(Ctx& ctx, const Rect& r, std::string_view text, float px, ImU32 colour, Align align = Align::Start);
// The same in a given language's direction (for text in the other language than the screen's).
float paragraph_in(Ctx& ctx, Lang lang, const Rect& r, std::string_view text, float px, ImU32 colour, Align align);

enum class Look { Primary, Secondary, Danger, Quiet };
// A button: pressed look while held, true on tap.
bool button(Ctx& ctx, const Rect& r, std::string_view text, Look look = Look::Primary);
// A button with an icon at its start side.
bool icon_button(Ctx& ctx, const Rect& r, std::string_view icon, std::string_view text, Look look = Look::Primary);
// A large tile: icon above its label.
bool tile(Ctx& ctx, const Rect& r, std::string_view icon, std::string_view text);
// True once a press inside `r` has been held for `seconds` (then the press has to lift and start again).
// Draws nothing. The press's state is ctx.long_press (one pointer: one long press at a time); `id` tells
// long presses apart when a screen has several.
bool long_press(Ctx& ctx, std::string_view id, const Rect& r, double seconds);

// The top bar: back (start side, when there is history), the title, the language switch (end side).
// Returns the rect below it.
Rect header(Ctx& ctx, std::string_view title, bool show_back = true);
// The citizen flow's steps, numbered from the start side.
void progress(Ctx& ctx, const Rect& r, int step, int steps);
// A card with a rounded surface.
void card(Ctx& ctx, const Rect& r);
// The bottom bar with a back (start) and a next (end) button. Returns true for next; sets `back` on back.
bool footer_nav(Ctx& ctx, const Rect& r, std::string_view next_text, bool next_enabled, bool& back);
// A message strip in the error colour.
void error_banner(Ctx& ctx, const Rect& r, std::string_view text);
// Draws a dimmed layer with a spinner-like mark and the text while a task runs.
void busy_overlay(Ctx& ctx, std::string_view text);

// Standard sizes in pixels for this screen.
float header_h(const Ctx& ctx);
float margin(const Ctx& ctx);
float touch_min(const Ctx& ctx); // 64 px at 1080p, never smaller than 44 px

} // namespace nafitha::ui
