#pragma once
// Small RAII owners for sqlite3 and sqlite3_stmt used by the central SQLite store.

#include "base/result.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <sqlite3.h>
#include <string>
#include <string_view>

namespace nafitha::central {

class Stmt {
public:
    Stmt() = default;
    Stmt(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
    ~Stmt() { sqlite3_finalize(m_stmt); }
    Stmt(Stmt&& o) noexcept : m_db(o.m_db), m_stmt(o.m_stmt) { o.m_stmt = nullptr; }
    Stmt& operator=(Stmt&& o) noexcept
    {
        if (this != &o) {
            sqlite3_finalize(m_stmt);
            m_db = o.m_db;
            m_stmt = o.m_stmt;
            o.m_stmt = nullptr;
        }
        return *this;
    }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    Stmt& bind(int i, int64_t v)
    {
        sqlite3_bind_int64(m_stmt, i, v);
        return *this;
    }
    Stmt& bind(int i, std::string_view v)
    {
        sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Stmt& bind_null(int i)
    {
        sqlite3_bind_null(m_stmt, i);
        return *this;
    }
    // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else an error.
    Result<bool> step();
    Result<void> run();
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    int64_t col_int(int i) const { return sqlite3_column_int64(m_stmt, i); }
    std::string col_text(int i) const
    {
        auto p = sqlite3_column_text(m_stmt, i);
        return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(m_stmt, i)) : std::string();
    }
    bool col_null(int i) const { return sqlite3_column_type(m_stmt, i) == SQLITE_NULL; }

private:
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_stmt = nullptr;
};

class Db {
public:
    static Result<Db> open(const std::filesystem::path& path);
    Db() = default;
    ~Db();
    Db(Db&& o) noexcept : m_db(o.m_db) { o.m_db = nullptr; }
    Db& operator=(Db&& o) noexcept;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    sqlite3* get() const { return m_db; }
    Result<void> exec(const std::string& sql);
    Result<Stmt> prepare(std::string_view sql);

private:
    explicit Db(sqlite3* db) : m_db(db) {}
    sqlite3* m_db = nullptr;
};

// A transaction that rolls back unless committed.
class Transaction {
public:
    explicit Transaction(Db& db) : m_db(db) {}
    Result<void> begin() { return m_db.exec("BEGIN IMMEDIATE"); }
    Result<void> commit()
    {
        auto r = m_db.exec("COMMIT");
        if (r.ok())
            m_done = true;
        return r;
    }
    ~Transaction()
    {
        if (!m_done)
            sqlite3_exec(m_db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

private:
    Db& m_db;
    bool m_done = false;
};

} // namespace nafitha::central
