#pragma once
// The SQLite library's version, for version reports (nafitha-ctl version). Apart from db/sqlite.h so that a
// program can name the version without reaching the storage floor.

namespace nafitha::db {

// "3.40.1"
const char* sqlite_version();

} // namespace nafitha::db
