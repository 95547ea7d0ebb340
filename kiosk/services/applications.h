#pragma once
// Applications: lifecycle submitted -> paid -> in_review -> approved | rejected; approved -> ready ->
// delivered. Each change is a history row and a journal entry in the same transaction.

#include "base/result.h"
#include "kiosk/services/catalogue.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace nafitha::services {

enum class AppStatus { Submitted, Paid, InReview, Approved, Rejected, Ready, Delivered };
std::string_view app_status_name(AppStatus status);  // "submitted", "paid", "in_review", ...
Result<AppStatus> parse_app_status(std::string_view name);
// True when the lifecycle allows `from` -> `to`.
bool transition_allowed(AppStatus from, AppStatus to);
// The steps a staff decision takes from `from` to `to`: the shortest walk along the lifecycle that never
// passes through paid (only a payment makes an application paid). Empty when `to` cannot be reached
// (or `from` == `to`). Approving a paid application is {in_review, approved}; marking it ready is
// {in_review, approved, ready}.
std::vector<AppStatus> decision_path(AppStatus from, AppStatus to);

enum class Channel { Kiosk, Counter };
std::string_view channel_name(Channel channel); // "kiosk", "counter"
// A note from staff or central: at most 500 characters, UTF-8, no control characters (error.application.bad_note).
Result<std::string> check_note(std::string_view note);

struct SubmitRequest {
    SubmitRequest() = default;
    SubmitRequest(std::string service, FormValues form_values, std::string exemption_code = {})
        : service_code(std::move(service)), values(std::move(form_values)), exemption(std::move(exemption_code))
    {
    }

    std::string service_code;
    FormValues values;             // as typed; validated and normalised by submit
    std::string exemption;         // exemption code claimed, or empty
    Channel channel = Channel::Kiosk;
    std::optional<int64_t> staff_id;  // the clerk, for counter submissions
    std::optional<int64_t> ticket_id; // the queue ticket this visit came with
};

struct HistoryItem {
    AppStatus status = AppStatus::Submitted;
    std::string time;      // ISO 8601 UTC
    std::string note;
    std::string actor;     // "kiosk", "staff:<id>", "central"
    std::string reason;    // a decision's reason code (counter.h), "reversal" for a reversal
};

// Personal data of the applicant, decrypted (only in memory; stored encrypted).
struct Applicant {
    std::string full_name;
    std::string national_id;
    std::string phone;
    std::string address;
};

struct Application {
    int64_t id = 0;
    std::string reference;      // "TTTT-NNNNNN-C"
    std::string service_code;
    std::string centre;
    AppStatus status = AppStatus::Submitted;
    Channel channel = Channel::Kiosk;
    std::optional<int64_t> staff_id; // the clerk who registered it at the counter
    Fee fee;                    // as quoted at submission
    int64_t paid_minor = 0;     // sum of payments
    int64_t refunded_minor = 0; // sum of refunds
    std::string submitted_at;   // ISO 8601 UTC
    std::string expected_ready; // YYYY-MM-DD from processing_days
    FormValues values;          // every normalised value, personal ones decrypted
    Applicant applicant;
    std::vector<HistoryItem> history;
    int64_t catalogue_version = 0;
};

// One line of the staff inbox: what a clerk needs to pick an application, personal data masked.
struct InboxItem {
    std::string reference;
    std::string service_code;
    AppStatus status = AppStatus::Submitted;
    std::string submitted_at;   // ISO 8601 UTC
    std::string applicant_hint; // the national ID's last four digits, "…4821"; empty when none
};

// The statuses a clerk still has to act on (the inbox).
inline constexpr AppStatus kAwaitingStaff[] = {AppStatus::Submitted, AppStatus::Paid, AppStatus::InReview};

} // namespace nafitha::services
