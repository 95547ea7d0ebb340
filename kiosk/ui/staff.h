#pragma once
// Helpers for the staff and technician screens: the mode bar (sections as tabs, logout) and worker actions.

#include "kiosk/ui/context.h"

#include <functional>
#include <string>

namespace nafitha::ui {

// The staff header: title, language, logout at the end side. Returns the area below.
Rect staff_header(Ctx& ctx, std::string_view title);
// Section tabs (queue, inbox, payments, sync) under the header; returns the area below.
Rect staff_tabs(Ctx& ctx, const Rect& area);
Rect tech_tabs(Ctx& ctx, const Rect& area);

// Runs `fn` on the worker with the busy overlay; `done` runs on the UI thread with the result message key
// (empty on success).
void staff_task(Ctx& ctx, const char* busy_key, std::function<std::function<void(Ctx&)>()> fn);

// True at most once every `every_s` seconds of the frame clock, never in the demo: when a staff screen asks the
// services for fresh figures (on the worker). Moves `last_poll` to now when it says yes.
bool poll_due(const Ctx& ctx, double& last_poll, double every_s);

// Loads the current section's data (queue, inbox or payments) into ctx.staff.
void refresh_section(Ctx& ctx);
// Loads the queue, inbox or payments into ctx.staff.
void refresh_queue(Ctx& ctx);
void refresh_inbox(Ctx& ctx);
void refresh_payments(Ctx& ctx);

} // namespace nafitha::ui
