#pragma once
// Helpers the citizen screens share: the icon of a category, money and digits for display, the flow's
// step numbers, and the actions that run on the worker (payment + submission, ticket, tracking, survey).

#include "kiosk/ui/context.h"

#include <string>

namespace nafitha::ui {

inline constexpr int kFlowSteps = 5; // service, form, review, payment, done

std::string icon_for_category(const std::string& code);
// Money with the currency name, digits in the language's form ("٢٬٥٠٠ ل.س" / "SYP 2,500").
std::string money_text(const Ctx& ctx, int64_t minor);
// Digits of `s` shown in the language's form (Arabic-Indic in Arabic).
std::string display_digits(const Ctx& ctx, const std::string& s);
// The selected service, or null.
const services::Service* current_service(const Ctx& ctx);
// A field's value as the review shows it (choice labels, not codes).
std::string field_display(const Ctx& ctx, const services::FormField& field, const std::string& value);

// The form's validation and the fee, computed on the UI thread from the UI's catalogue snapshot (pure
// functions: no database, no lock) and cached until the answers, the method or the exemption change.
struct Quote {
    services::Validation validation;
    Result<services::Fee> fee = Error::make("ui.error.form");
    Result<services::Fee> full_fee = Error::make("ui.error.form"); // without any exemption
};
const Quote& current_quote(Ctx& ctx);

// Worker actions: each shows the busy overlay and lands on the next screen when done.
void start_payment_and_submit(Ctx& ctx);
void start_ticket(Ctx& ctx);
void start_track(Ctx& ctx);
void start_scan(Ctx& ctx);
void start_survey(Ctx& ctx, int score);

} // namespace nafitha::ui
