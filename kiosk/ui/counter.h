#pragma once
// The counter's helpers: the registration form's focus order (Tab, Enter on a physical keyboard), keys typed
// on the keyboard, and the worker actions (register and take the fee, open an application as a journalled
// view, decide, reverse, reprint, search, the drawer and the Z report, the sync panel).

#include "kiosk/ui/context.h"

#include <string_view>

namespace nafitha::ui {

// Pseudo-fields after the form's own: the payment's inputs.
inline constexpr std::string_view kTenderedField = "$tendered";
inline constexpr std::string_view kCardField = "$card";
inline constexpr std::string_view kDocumentField = "$document";

// A reference (or any identifier) isolated left to right inside a line of either direction, in this frame's text.
std::string_view ltr(Ctx& ctx, std::string_view s);

// The registration form: what Tab moves through, in order (the form's fields, then the payment's input).
// `count` is how many were written to `out` (at most `max`).
size_t counter_focus_order(const Ctx& ctx, std::string_view* out, size_t max);
// What is due for the form as it stands (0 when it is not assessed yet) and the change of the cash typed.
int64_t counter_due(Ctx& ctx);
int64_t counter_tendered(const Ctx& ctx); // minor units, -1 when not a valid amount
bool counter_ready(Ctx& ctx);             // the form is accepted and the payment's input is complete

// A key from the physical keyboard ('\t' next field, '\x0b' previous, '\n' Enter, '\b' backspace, text).
void counter_key(Ctx& ctx, char32_t ch);

void start_counter_submit(Ctx& ctx);
void start_counter_search(Ctx& ctx);
void open_application(Ctx& ctx, const std::string& reference);
void start_decide(Ctx& ctx);
void start_reverse(Ctx& ctx);
void start_reprint(Ctx& ctx, const std::string& reference);
void refresh_drawer(Ctx& ctx);
void start_drawer_move(Ctx& ctx);
void start_close_day(Ctx& ctx);
void start_print_z(Ctx& ctx);

} // namespace nafitha::ui
