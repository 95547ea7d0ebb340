#pragma once
// Pieces of the SQLite store shared by the store and its migrations.

#include "central/store/facts.h"
#include "db/sqlite.h"

#include <functional>

namespace nafitha::central::sqlite_store {

// Writes what one batch changes in the projections (inside the caller's transaction).
Result<void> apply_facts(db::Db& db, int64_t terminal_no, const BatchFacts& facts, int64_t received_ms);

// Brings the database to `target` (0 = the latest) in one transaction per migration; refuses a newer store.
// Returns the version reached.
Result<int> migrate(db::Db& db, int target);

int latest_version();

} // namespace nafitha::central::sqlite_store
