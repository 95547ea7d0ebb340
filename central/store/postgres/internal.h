#pragma once
// Pieces of the PostgreSQL store shared by the store and its migrations.

#include "central/store/postgres/pg.h"
#include "central/store/rollup.h"
#include "central/store/store.h"

#include <set>

namespace nafitha::central::pg_store {

// Brings the database to `target` (0 = the latest); refuses a newer store. Returns the version reached.
Result<int> migrate(pg::Conn& conn, int target);
int latest_version();

// Creates the partition of entries for `month` (YYYYMM) if it does not exist (concurrent instances agree).
// error.central.month_archived for a month already archived and detached.
Result<void> ensure_partition(pg::Conn& conn, int32_t month);

// The rollup (central/store/rollup.h), inside the caller's transaction: the applications' rows as it counts
// them, its cells changed by a delta (`fresh`: the table holds none of them yet), the zones of the latest
// catalogue, and a rebuild from the applications (local days included).
Result<std::vector<rollup::App>> read_apps(pg::Conn& c, int32_t terminal_no, const std::set<std::string>& references);
Result<void> write_rollup(pg::Conn& c, const rollup::Delta& delta, bool fresh = false);
Result<rollup::ZoneBook> zones(pg::Conn& c);
Result<void> rebuild_rollup(pg::Conn& c);       // local days, and the cells when the schema has version 11's columns
Result<void> rebuild_rollup_cells(pg::Conn& c); // the cells from the applications (and their surveys)
// The queue's rollup (ticket_rollup, version 10): the same for tickets.
Result<std::vector<rollup::Ticket>> read_tickets(pg::Conn& c, int32_t terminal_no, const std::set<std::string>& tickets);
Result<void> write_ticket_rollup(pg::Conn& c, const rollup::TicketDelta& delta, bool fresh = false);
Result<void> rebuild_ticket_rollup(pg::Conn& c);

} // namespace nafitha::central::pg_store
