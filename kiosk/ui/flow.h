#pragma once
// Helpers the citizen screens share: the icon of a category, money and digits for display, the flow's
// step numbers, the form's assessment, and the actions that run on the worker (payment + submission, ticket,
// tracking, survey).

#include "kiosk/ui/context.h"

#include <string>
#include <string_view>

namespace nafitha::ui {

inline constexpr int kFlowSteps = 5; // service, form, review, payment, done

const char* icon_for_category(std::string_view code);
// Money with the currency name, digits in the language's form ("٢٬٥٠٠ ل.س" / "SYP 2,500"), in this frame's text.
std::string_view money_text(Ctx& ctx, int64_t minor);
// Digits of `s` shown in the language's form (Arabic-Indic in Arabic), in this frame's text.
std::string_view display_digits(Ctx& ctx, std::string_view s);
std::string_view display_number(Ctx& ctx, int64_t n);
// The selected service, or null.
const services::Service* current_service(const Ctx& ctx);
// A field's value as the review shows it (choice labels, not codes).
std::string_view field_display(const Ctx& ctx, const services::FormField& field, const std::string& value);
// The translation key of an application status ("ui.status.paid").
const char* status_key(services::AppStatus status);

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

} // namespace nafitha::ui
