#pragma once
// What one batch of entries changes in the projections, worked out once and applied by either store, so that
// both stores project identically. Within a batch the last change of an application or a ticket wins, exactly
// as if the entries were applied one by one. A row that the batch itself creates is written once in its final
// state (status, paid amount, call and service times): only rows from earlier batches are updated, so that a
// typical visit (submitted, paid, status changed, all in one batch) costs inserts only.

#include "sync/protocol/entry.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::central {

// The centre of every fact is the terminal's enrolled centre: the payload's own "centre" is only a claim. When it
// disagrees, the application keeps the claim in `claimed_centre` (flagged; empty when they agree or none is made).
struct ApplicationFact {
    std::string reference, centre, entity, service_code, channel;
    std::optional<int64_t> fee_minor;
    int64_t submitted_ms = 0;
    std::string status = "submitted"; // final state within the batch
    int64_t updated_ms = 0;
    int64_t paid_minor = 0;
    std::string category, exemption, claimed_centre;
    int64_t waived_minor = 0;
    std::optional<int64_t> staff_id;
    std::optional<int64_t> decided_ms, ready_ms; // the first approval/rejection and the first "ready" (terminal time)
    int64_t surveys = 0, rating_sum = 0, ratings = 0; // surveys about it in this batch
    int64_t local_day = 0; // set by the store: the local day of submitted_ms in the centre's zone (rollup.h)
};

// Surveys about an application of an earlier batch.
struct SurveyTally {
    int64_t surveys = 0, rating_sum = 0, ratings = 0;
};

struct StatusFact {
    std::string status;
    int64_t time_ms = 0;
    std::optional<int64_t> decided_ms, ready_ms; // first in the batch; kept only if none is stored yet
};

// One status change of an application as the terminal journalled it (every one, in order): the terminal's time
// (bounded by central's receipt) and the actor ("kiosk", "staff:N", "central", ...). The store adds central's
// receipt time. Central's own decisions are recorded when taken (Store::add_decision).
struct HistoryFact {
    int64_t seq = 0;
    std::string reference, status, actor;
    int64_t time_ms = 0;
};

// Statuses that decide an application (the first one is its decision time) and the one that makes it ready.
bool is_decision_status(std::string_view status);
inline bool is_ready_status(std::string_view status) { return status == "ready"; }

struct PaymentFact {
    int64_t seq = 0;
    std::string reference, centre, method, service_code;
    int64_t waived_minor = 0;
    std::optional<int64_t> amount_minor;
    int64_t time_ms = 0;
    bool application_in_batch = false; // its application is submitted in the same batch (else the store looks)
};

struct TicketFact {
    std::string ticket, centre, category;
    int64_t issued_ms = 0;
    std::string status = "issued"; // final state within the batch
    std::optional<int64_t> called_ms, served_ms;
    std::string entity;            // the category's entity (from the payload)
    int64_t local_day = 0;         // set by the store: the local day of issued_ms in the centre's zone (rollup.h)
};

struct TicketChange {
    std::string status;                 // the last status in the batch
    std::optional<int64_t> called_ms;   // the first call in the batch (kept only if none is stored yet)
    std::optional<int64_t> done_ms;     // the last served / no-show time in the batch
};

struct SurveyFact {
    int64_t seq = 0;
    std::string reference, centre, service_code;
    std::optional<int64_t> rating;
    int64_t time_ms = 0;
    std::string reasons; // the payload's known reason codes as stored (rollup::stored_reasons)
};

struct BatchFacts {
    std::vector<ApplicationFact> applications;         // new in this batch, in their final state
    std::map<std::string, StatusFact> statuses;        // reference (of an earlier batch) -> last status
    std::vector<HistoryFact> history;                  // every status change of the batch, in order
    std::vector<PaymentFact> payments;
    std::map<std::string, int64_t> paid;               // reference (of an earlier batch) -> amount paid now
    std::vector<TicketFact> tickets;                   // new in this batch, in their final state
    std::map<std::string, TicketChange> ticket_changes; // ticket (of an earlier batch) -> changes
    std::vector<SurveyFact> surveys;
    std::map<std::string, SurveyTally> surveyed;       // reference (of an earlier batch) -> surveys now
    std::map<std::pair<int32_t, std::string>, int64_t> day_counts; // (YYYYMMDD, type) -> entries
};

// `default_centre` is the terminal's enrolled centre: every fact is counted there, whatever the payload claims. `received_ms` (central's clock
// when the batch arrived; 0: unknown) bounds the times the facts carry: an entry cannot have been made after
// central received it, so a terminal whose clock runs ahead does not report into the future.
BatchFacts project_batch(const std::vector<protocol::Entry>& entries, size_t first, const std::string& default_centre,
                         int64_t received_ms = 0);

// A citizen's visit that ended before submitting (entry visit.abandoned): no personal data, only the service, the
// last step reached and why. Counted at the enrolled centre; the store adds the local day.
struct AbandonedVisitFact {
    int64_t seq = 0;
    std::string centre, entity, service_code, category, channel, last_step, reason;
    int64_t time_ms = 0;
};
std::vector<AbandonedVisitFact> abandoned_visits(const std::vector<protocol::Entry>& entries, size_t first,
                                                 const std::string& default_centre, int64_t received_ms);

// The close of a cash drawer's day (entry drawer.z_report): the cash the staff declared against the cash the
// terminal computed, and their difference (declared - computed; the terminal's own figure). Counted at the enrolled
// centre on the business day it closes: the payload's "day" (YYYY-MM-DD, the terminal's local day) as a day number
// (rollup::days_from_civil), or -1 when absent or not a date (the store then takes the local day of its time).
struct ZReportFact {
    int64_t seq = 0;
    std::string centre;
    int64_t day = -1;
    int64_t declared_minor = 0, computed_minor = 0, difference_minor = 0;
    int64_t time_ms = 0;
};
std::vector<ZReportFact> z_reports(const std::vector<protocol::Entry>& entries, size_t first, const std::string& default_centre,
                                   int64_t received_ms);

// YYYYMMDD (UTC) of a unix time in ms.
int32_t day_of_ms(int64_t unix_ms);

} // namespace nafitha::central
