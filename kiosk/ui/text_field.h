#pragma once
// A single-line text field for touch: tap to focus and place the caret, drag to select, keys from the
// on-screen keyboard. Right-to-left and mixed text through text/ (caret stops per grapheme cluster; delete
// removes a whole cluster: a letter with its harakat, a lam-alef typed as two letters stays two).

#include "kiosk/ui/context.h"

#include <string>

namespace nafitha::ui {

// Draws the field; returns true when it was tapped this frame (the caller focuses it). `placeholder` shows
// (muted) while the field is empty: the mask of what to type.
bool text_field(Ctx& ctx, const Rect& r, std::string& value, EditState& st, bool focused, bool error,
                std::string_view placeholder = {});
// Applies one key to the focused field. `max_chars` limits code points.
void apply_key(Ctx& ctx, const KeyEvent& ev, std::string& value, EditState& st, size_t max_chars);

} // namespace nafitha::ui
