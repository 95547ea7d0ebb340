#pragma once
// The counter: what staff may do (roles), decisions with a reason and what happens to the fee, reversals
// within a short window, search through the blind index, the cash drawer, central's policy on days without a
// sync, and the unsynced items. Terminal (terminal.h) carries the calls; these are their types and rules.

#include "kiosk/services/applications.h"
#include "kiosk/services/staff.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace nafitha::services {

// What a staff member asks the services to do. Checked in the services (Terminal::require), not only hidden
// in the UI.
enum class Action {
    Register,     // register an application for a walk-in citizen
    TakePayment,  // take a fee at the counter
    Queue,        // call, recall, serve tickets
    ViewCitizen,  // see an application's personal data (each view journalled)
    Search,       // search applications (by reference, name, national id, phone)
    Reprint,      // reprint a receipt (marked copy, journalled)
    CashDrawer,   // opening float, cash in and out
    Decide,       // approve, reject, mark ready, deliver
    Reverse,      // reverse a decision within kReversalWindowMs
    Refund,       // give a fee back
    ZReport,      // close a day: the Z report with declared cash
    Devices,      // printers, scanners, network
};
std::string_view action_name(Action action);
// clerk: register, take payment, queue, view, search, reprint, cash drawer; supervisor: all of the clerk's,
// and decisions, reversals, refunds, Z report; technician: devices and network, no citizen data.
bool role_allows(Role role, Action action);

// What happens to a paid fee when an application is decided.
enum class FeeOutcome { None, Kept, Refunded };
std::string_view fee_outcome_name(FeeOutcome outcome); // "none", "kept", "refunded"

// One reason a decider can give; its translation key is "decision.reason.<code>".
struct DecisionReason {
    std::string_view code;
    AppStatus decision;     // Approved or Rejected
    FeeOutcome fee;         // for a rejection: the fee is kept (work was done) or refunded
    bool needs_note;        // "other": the free text is required
};
std::span<const DecisionReason> decision_reasons();
const DecisionReason* find_reason(AppStatus decision, std::string_view code);

// A decision is reversible by a supervisor for this long after it was taken.
inline constexpr int64_t kReversalWindowMs = 15 * 60 * 1000;

struct DecisionRequest {
    std::string reference;
    AppStatus to = AppStatus::Approved;
    int64_t staff_id = 0;
    std::string reason;     // a DecisionReason code; required for approved and rejected
    std::string note;       // free text (<= 500 characters)
    bool confirmed = false; // the decider confirmed (error.decision.unconfirmed otherwise)
};

struct DecisionOutcome {
    Application application;
    FeeOutcome fee = FeeOutcome::None;
    int64_t refunded_minor = 0;
    int64_t decision_id = 0;         // the history row of the decision's first step
    int64_t reversible_until_ms = 0; // 0 when it cannot be reversed
};

// A match of a staff search; personal data masked (the detail is a journalled view).
struct SearchHit {
    std::string reference;
    std::string service_code;
    AppStatus status = AppStatus::Submitted;
    Channel channel = Channel::Kiosk;
    std::string submitted_at;   // ISO 8601 UTC
    std::string applicant_hint; // "…4821"
    std::string matched;        // "reference", "national_id", "phone", "name"
};

enum class DrawerMove { Float, CashIn, CashOut };
std::string_view drawer_move_name(DrawerMove kind); // "float", "cash_in", "cash_out"

struct CashMovement {
    int64_t id = 0;
    DrawerMove kind = DrawerMove::Float;
    int64_t amount_minor = 0;
    std::string note;
    int64_t staff_id = 0;
    std::string time; // ISO 8601 UTC
    std::string day;
};

// A day closed by a supervisor: declared cash against what the records say the drawer holds.
struct ZClose {
    std::string day;
    int64_t declared_minor = 0;
    int64_t computed_minor = 0;
    int64_t difference_minor = 0; // declared - computed
    int64_t staff_id = 0;
    std::string time;
};

// One journal entry central has not acknowledged yet.
struct UnsyncedItem {
    int64_t seq = 0;
    std::string type;
    std::string reference; // the application's, when the entry has one
    std::string time;      // ISO 8601 UTC (the entry's)
    int64_t age_s = 0;
};

// "YYYY-MM-DD" moved by `days` (either way); the input when it is not a day.
std::string add_days_to(std::string_view day, int days);

} // namespace nafitha::services
