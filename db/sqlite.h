#pragma once
// The storage floor: RAII owners for an SQLite connection, a prepared statement and a write transaction,
// used by sync/journal, kiosk/services and central's store (the only three places that open a database).
// Every SQLite failure becomes an Error whose code says what kind of failure it was (error.db.disk_full,
// error.db.io, ...). Every step, every exec and both sides of every commit pass a crash_point()
// (base/crash_point.h), so fault tests can kill a process at any storage step.

#include "base/result.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <memory>

struct sqlite3;
struct sqlite3_stmt;

namespace nafitha::db {

enum class OpenMode { ReadWriteCreate, ReadWrite, ReadOnly };

// The error for an SQLite result code, with `what` and the connection's message as detail.
Error sqlite_error(int rc, std::string_view what, sqlite3* conn = nullptr);

class Statement {
public:
    Statement() = default;
    Statement(sqlite3_stmt* stmt, sqlite3* conn, bool* cached_in_use = nullptr)
        : m_stmt(stmt), m_conn(conn), m_cached_in_use(cached_in_use)
    {
    }
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    // Parameters are numbered from 1, as in SQLite.
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    Statement& bind_blob(int index, std::string_view bytes);
    Statement& bind_null(int index);
    Statement& bind(int index, const std::optional<int64_t>& value);

    // True when a row is ready, false when the statement is done.
    Result<bool> step();
    // Runs the statement to completion (for INSERT, UPDATE, DELETE) and resets it, so a statement kept by
    // its owner can be bound and run again. Bindings stay until bound again or reset().
    Result<void> run();
    void reset();

    int64_t int64(int column) const;
    std::string text(int column) const;
    std::string blob(int column) const;
    bool is_null(int column) const;
    size_t bytes(int column) const;
    std::optional<int64_t> optional_int64(int column) const;

    sqlite3_stmt* handle() const { return m_stmt; }

private:
    sqlite3_stmt* m_stmt = nullptr;
    sqlite3* m_conn = nullptr;
    bool* m_cached_in_use = nullptr; // set for a statement lent by Db::cached(): reset, not finalized
    Error m_bind_error;
    bool m_bind_failed = false;
};

class Db {
public:
    // Opens (or creates) the database with WAL, synchronous=FULL, foreign_keys=ON and a busy timeout. The
    // connection is serialized (SQLITE_OPEN_FULLMUTEX); callers that share one across threads still hold
    // their own lock around a transaction.
    static Result<Db> open(const std::filesystem::path& file, OpenMode mode = OpenMode::ReadWriteCreate,
                           int busy_timeout_ms = 5000);

    Db() = default;
    Db(Db&& other) noexcept;
    Db& operator=(Db&& other) noexcept;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db();

    Result<void> exec(std::string_view sql);
    Result<Statement> prepare(std::string_view sql);
    // Like prepare(), but the compiled statement is kept and lent again next time (hot paths). A statement
    // already lent out (nested use) or a full cache falls back to prepare(). Do not keep the Statement past
    // the Db.
    Result<Statement> cached(std::string_view sql);
    // The first column of the first row as an integer, or `fallback` when there is no row or it is NULL.
    Result<int64_t> scalar_int64(std::string_view sql, int64_t fallback = 0);

    // Defines the SQL function `name()` (no arguments, returns 1) on this connection only. Triggers use such a
    // function as a capability: a write that a trigger guards with `WHEN name() IS NOT 1` passes on the connection
    // that defined it and fails anywhere else (another program's connection does not even know the function).
    Result<void> define_capability(const char* name);

    int64_t last_insert_rowid() const;
    int changes() const;
    bool in_transaction() const;
    sqlite3* handle() const { return m_db; }
    const std::filesystem::path& file() const { return m_file; }

private:
    struct CachedStatement {
        sqlite3_stmt* stmt = nullptr;
        bool in_use = false;
    };
    void drop_cache();

    sqlite3* m_db = nullptr;
    std::filesystem::path m_file;
    std::unordered_map<std::string, std::unique_ptr<CachedStatement>> m_cache;
};

// BEGIN IMMEDIATE on construction; ROLLBACK in the destructor unless commit() succeeded.
class Transaction {
public:
    static Result<Transaction> begin(Db& db);
    Transaction(Transaction&& other) noexcept : m_db(other.m_db) { other.m_db = nullptr; }
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    ~Transaction();
    Result<void> commit();

private:
    explicit Transaction(Db* db) : m_db(db) {}
    Db* m_db = nullptr;
};

} // namespace nafitha::db
