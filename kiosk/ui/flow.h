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
