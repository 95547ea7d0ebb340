#pragma once
// Helpers the citizen screens share: the icon of a category, the flow's
// step numbers, the form's assessment, and the actions that run on the worker (payment + submission, ticket,
// tracking, survey).

#include "kiosk/ui/context.h"

#include <string>
#include <string_view>

namespace nafitha::ui {

inline constexpr int kFlowSteps = 5; // service, form, review, payment, done

const char* icon_for_category(std::string_view code);
// The catalogue's categories as a scrolled grid of tiles in `area` (two columns in portrait, four in landscape,
// every tile as tall as the tallest needs). Returns the category tapped this frame, or null.
const services::Category* category_grid(Ctx& ctx, const Rect& area);
// A flow step's screen below its header: the step's progress bar drawn along the top of the margins-inset
// `body`, the footer (one button high) at the bottom, and the scrolled area between them.
struct StepFrame {
    Rect content, foot, area;
};
StepFrame step_frame(Ctx& ctx, const Rect& body, int step);
// The selected service, or null.
const services::Service* current_service(const Ctx& ctx);
// A field's value as the review shows it (choice labels, not codes).
std::string_view field_display(const Ctx& ctx, const services::FormField& field, const std::string& value);
// A value as the review, tracking and paper show it: choice labels for codes, dates day first in the language's
// digits, national IDs and phone numbers in the language's digits, amounts as money. `normalised` is the value
// the validation authority returned (empty when it refused it: the raw value is shown as typed).
std::string_view value_display(Ctx& ctx, const services::FormField& field, const std::string& raw, std::string_view normalised);
// Day/month/year as typed on the pad (slashes appear by themselves; "1/5/1990" becomes "01/05/1990").
void format_date_typing(std::string& value, EditState& st);
// The translation key of an application status ("ui.status.paid").
const char* status_key(services::AppStatus status);
// The colour that carries a status's meaning: approved, ready and delivered in the success colour, rejected in
// the danger colour (never green), the rest in the primary colour.
ImU32 status_colour(const Palette& p, services::AppStatus status);

// The form's assessment by the one validation authority (services::assess: service offered at this centre,
// every field, the fee), computed on the UI thread from the UI's catalogue snapshot and cached until the
// answers, the method or the exemption change. submit() re-checks the same once.
const services::Assessment& current_quote(Ctx& ctx);

// Worker actions: each shows the busy overlay and lands on the next screen when done.
void start_payment_and_submit(Ctx& ctx);
void start_ticket(Ctx& ctx);
void start_track(Ctx& ctx);
void start_scan(Ctx& ctx);
void start_survey(Ctx& ctx, int score);
// Prints a copy of `reference`'s receipt (marked "copy"); the outcome lands in session.reprint_message.
void start_receipt_copy(Ctx& ctx, const std::string& reference);

} // namespace nafitha::ui
