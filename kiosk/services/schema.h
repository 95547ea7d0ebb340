#pragma once
// Numbered migrations of the terminal database. PRAGMA user_version holds the version reached; each
// migration runs in its own transaction. Version 1 also creates the journal tables (sync/journal).

#include "base/result.h"
#include "db/sqlite.h"

namespace nafitha::services {

inline constexpr int kSchemaVersion = 9;

// The capability the business tables' triggers ask for (migration 7): defined on the services' own connection
// (Terminal::open) before it writes anything.
inline constexpr const char* kServicesCapability = "nafitha_services";

// Brings the database up to `target` (kSchemaVersion by default). A database newer than this program is
// error.db.too_new.
Result<int> migrate(db::Db& db, int target = kSchemaVersion);
Result<int> schema_version(db::Db& db);

} // namespace nafitha::services
