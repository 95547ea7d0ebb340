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
// The dimming layer under a modal (what is beneath is out of play for the layout check).
void scrim(Ctx& ctx, ImU32 colour);
// The height of one line of text at `px` (Arabic and Latin), for sizing rows from their text.
float text_h(Ctx& ctx, float px);
void outline(Ctx& ctx, const Rect& r, ImU32 colour, float rounding, float thickness);

// One line of text inside `r`: horizontally by `align` (Start = right in Arabic), vertically centred.
void label(Ctx& ctx, const Rect& r, std::string_view text, float px, ImU32 colour, Align align = Align::Start);
// A wrapped paragraph from the top of `r`; returns its height.
float paragraph(Ctx& ctx, const Rect& r, std::string_view text, float px, ImU32 colour, Align align = Align::Start);
// The same in a given language's direction (for text in the other language than the screen's).
float paragraph_in(Ctx& ctx, Lang lang, const Rect& r, std::string_view text, float px, ImU32 colour, Align align);
// A row "name ... value": both on one line when they fit, else the value on its own lines under the name.
// Draws a rule under it and returns its height (at least `min_h`).
float key_value_row(Ctx& ctx, const Rect& r, std::string_view key, std::string_view value, ImU32 value_colour, float min_h);
// The height paragraph() would take, without drawing.
float paragraph_height(Ctx& ctx, float width, std::string_view text, float px);

enum class Look { Primary, Secondary, Danger, Quiet };
// A button: pressed look while held, true on tap.
bool button(Ctx& ctx, const Rect& r, std::string_view text, Look look = Look::Primary);
// A button with an icon at its start side.
bool icon_button(Ctx& ctx, const Rect& r, std::string_view icon, std::string_view text, Look look = Look::Primary);
// A large tile: icon above its label (wrapped, centred). tile_height() is what a tile `w` wide needs for `text`.
bool tile(Ctx& ctx, const Rect& r, std::string_view icon, std::string_view text);
float tile_height(Ctx& ctx, float w, std::string_view text);
// True once a press inside `r` has been held for `seconds` (then the press has to lift and start again).
// Draws nothing. The press's state is ctx.long_press (one pointer: one long press at a time); `id` tells
// long presses apart when a screen has several.
bool long_press(Ctx& ctx, std::string_view id, const Rect& r, double seconds);

// The top bar: back (start side, when there is history), the language switch and, on every citizen screen,
// "end my visit" (end side), and the title (between them, or on a row of its own when it does not fit there).
// Returns the rect below it.
Rect header(Ctx& ctx, std::string_view title, bool show_back = true);
// Whether "end my visit" is offered now (a citizen screen, no money waiting to be written, nothing running).
bool can_end_visit(const Ctx& ctx);
// The citizen flow's steps, numbered from the start side.
void progress(Ctx& ctx, const Rect& r, int step, int steps);
// A card with a rounded surface.
void card(Ctx& ctx, const Rect& r);
// The bottom bar with a back (start) and a next (end) button. Returns true for next; sets `back` on back.
bool footer_nav(Ctx& ctx, const Rect& r, std::string_view next_text, bool next_enabled, bool& back);
// A message strip in the error colour.
void error_banner(Ctx& ctx, const Rect& r, std::string_view text);
float error_banner_h(Ctx& ctx, float w, std::string_view text); // the banner's height for `text` in `w`
// Draws a dimmed layer with a spinner-like mark and the text while a task runs.
void busy_overlay(Ctx& ctx, std::string_view text);

// A scrolled region: begin_scroll() returns the view inside `area` (less a strip for the cue when the content
// is taller), clips to it and scrolls by dragging; draw the content from view.y - ctx.scroller.offset(), then
// end_scroll() with the content's bottom edge: it measures the content and, when it continues past the view,
// draws the cue ("more below", a tap turns the page; "back to the top" at the end).
Rect begin_scroll(Ctx& ctx, const Rect& area);
void end_scroll(Ctx& ctx, const Rect& view, float content_bottom);
float scroll_cue_h(const Ctx& ctx);

// Standard sizes in pixels for this screen.
float header_h(Ctx& ctx); // the header bar without a title row
float margin(const Ctx& ctx);
float touch_min(const Ctx& ctx); // 64 px at 1080p, never smaller than 44 px
float button_h(Ctx& ctx);        // a button's height: room for its label at the current text size

} // namespace nafitha::ui
