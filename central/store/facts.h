#pragma once
// What one batch of entries changes in the projections, worked out once and applied by either store, so that
// both stores project identically. Within a batch the last change of an application or a ticket wins, exactly
// as if the entries were applied one by one.

#include "sync/protocol/entry.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::central {

struct ApplicationFact {
    std::string reference, centre, entity, service_code, channel;
    std::optional<int64_t> fee_minor;
    int64_t submitted_ms = 0;
};

struct StatusFact {
    std::string status;
    int64_t time_ms = 0;
};

struct PaymentFact {
    int64_t seq = 0;
    std::string reference, centre, method;
    std::optional<int64_t> amount_minor;
    int64_t time_ms = 0;
};

struct TicketFact {
    std::string ticket, centre, category;
    int64_t issued_ms = 0;
};

struct TicketChange {
    std::string status;                 // the last status in the batch
    std::optional<int64_t> called_ms;   // the first call in the batch (kept only if none is stored yet)
    std::optional<int64_t> done_ms;     // the last served / no-show time in the batch
};

struct SurveyFact {
    int64_t seq = 0;
    std::string reference;
    std::optional<int64_t> rating;
    int64_t time_ms = 0;
};

struct BatchFacts {
    std::vector<ApplicationFact> applications;
    std::map<std::string, StatusFact> statuses;      // reference -> last status
    std::vector<PaymentFact> payments;
    std::map<std::string, int64_t> paid;             // reference -> amount paid in this batch
    std::vector<TicketFact> tickets;
    std::map<std::string, TicketChange> ticket_changes;
    std::vector<SurveyFact> surveys;
    std::map<std::pair<int32_t, std::string>, int64_t> day_counts; // (YYYYMMDD, type) -> entries
};

// `default_centre` is the terminal's centre, for entries that do not name one.
BatchFacts project_batch(const std::vector<protocol::Entry>& entries, size_t first, const std::string& default_centre);

// YYYYMMDD (UTC) of a unix time in ms.
int32_t day_of_ms(int64_t unix_ms);

} // namespace nafitha::central
