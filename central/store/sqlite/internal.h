#pragma once
// Pieces of the SQLite store shared by the store and its migrations.

#include "central/store/facts.h"
#include "central/store/rollup.h"
#include "db/sqlite.h"

#include <functional>
#include <set>

namespace nafitha::central::sqlite_store {

// Writes what one batch changes in the projections (inside the caller's transaction). `version`: the store's
// schema version (a store opened at an older one by the migration tests lacks later columns).
Result<void> apply_facts(db::Db& db, int64_t terminal_no, const BatchFacts& facts, int64_t received_ms, int version);

// The rollup (central/store/rollup.h): the applications' rows as it counts them, its cells changed by a delta,
// the zones of the latest catalogue, and a rebuild from the applications (local days included).
Result<std::vector<rollup::App>> read_apps(db::Db& db, int64_t terminal_no, const std::set<std::string>& references);
Result<void> write_rollup(db::Db& db, const rollup::Delta& delta);
Result<rollup::ZoneBook> zones(db::Db& db);
Result<void> rebuild_rollup(db::Db& db);       // local days, and the cells when the schema has version 11's columns
Result<void> rebuild_rollup_cells(db::Db& db); // the cells from the applications (and their surveys)
// The queue's rollup (ticket_rollup, version 10): the same for tickets.
Result<std::vector<rollup::Ticket>> read_tickets(db::Db& db, int64_t terminal_no, const std::set<std::string>& tickets);
Result<void> write_ticket_rollup(db::Db& db, const rollup::TicketDelta& delta);
Result<void> rebuild_ticket_rollup(db::Db& db);

// Brings the database to `target` (0 = the latest) in one transaction per migration; refuses a newer store.
// Returns the version reached.
Result<int> migrate(db::Db& db, int target);

int latest_version();

} // namespace nafitha::central::sqlite_store
