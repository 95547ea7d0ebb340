#pragma once
// The terminal's business tables are projections of its journal: applications (and their history), payments,
// queue tickets, surveys, installed catalogues and policies. check_projection() replays the journal and compares
// every row the journal determines with the tables, and names the first difference ("payments 3: amount is 1 in
// the table, 200000 in the journal (entry 17)"). `nafitha-ctl journal verify` runs it after the chain check.
//
// What is compared: applications (reference, service, centre, channel, fee, paid total, status, catalogue version,
// submission time, expected ready day) and the statuses of their history in order; payments (application, method,
// amount, tendered, change, waived, staff, time, day); tickets (number, category, centre, day, status, counter,
// recalls); surveys (rating, application, ticket); the versions of installed catalogues and policies; and that no
// table holds a row the journal does not. Personal data (encrypted, never journalled), card authorisations and
// staff accounts are not projections of the journal.
//
// With central's key, every status change with actor "central" must carry central's signature of that decision
// (central_sig); one without it is accepted only where central already acknowledged it.

#include "base/result.h"
#include "db/sqlite.h"
#include "sync/protocol/crypto.h"

#include <cstdint>
#include <optional>
#include <string>

namespace nafitha::services {

struct ProjectionReport {
    int64_t rows = 0;               // table rows compared
    std::string first_difference;   // empty when the tables equal the journal's projection
    bool ok() const { return first_difference.empty(); }
};

Result<ProjectionReport> check_projection(db::Db& db, const std::string& terminal_id,
                                          const std::optional<protocol::PublicKey>& central_key = std::nullopt);

} // namespace nafitha::services
