#pragma once
// Pieces of the SQLite store shared by the store and its migrations.

#include "central/store/facts.h"
#include "central/store/rollup.h"
#include "db/sqlite.h"

#include <functional>
#include <set>

namespace nafitha::central::sqlite_store {

// Writes what one batch changes in the projections (inside the caller's transaction).
Result<void> apply_facts(db::Db& db, int64_t terminal_no, const BatchFacts& facts, int64_t received_ms, bool local_days = true);

// The rollup (central/store/rollup.h): the applications' rows as it counts them, its cells changed by a delta,
// the zones of the latest catalogue, and a rebuild from the applications (local days included).
Result<std::vector<rollup::App>> read_apps(db::Db& db, int64_t terminal_no, const std::set<std::string>& references);
Result<void> write_rollup(db::Db& db, const rollup::Delta& delta);
Result<rollup::ZoneBook> zones(db::Db& db);
Result<void> rebuild_rollup(db::Db& db);

// Brings the database to `target` (0 = the latest) in one transaction per migration; refuses a newer store.
// Returns the version reached.
Result<int> migrate(db::Db& db, int target);

int latest_version();

} // namespace nafitha::central::sqlite_store
