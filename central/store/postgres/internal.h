#pragma once
// Pieces of the PostgreSQL store shared by the store and its migrations.

#include "central/store/postgres/pg.h"
#include "central/store/store.h"

namespace nafitha::central::pg_store {

// Brings the database to `target` (0 = the latest); refuses a newer store. Returns the version reached.
Result<int> migrate(pg::Conn& conn, int target);
int latest_version();

// Creates the partition of entries for `month` (YYYYMM) if it does not exist (concurrent instances agree).
// error.central.month_archived for a month already archived and detached.
Result<void> ensure_partition(pg::Conn& conn, int32_t month);

} // namespace nafitha::central::pg_store
