#include "db/sqlite.h"
#include "db/version.h"

#include "base/crash_point.h"

#include <chrono>
#include <sqlite3.h>
#include <thread>

namespace nafitha::db {

const char* sqlite_version() { return sqlite3_libversion(); }

Error sqlite_error(int rc, std::string_view what, sqlite3* conn)
{
    std::string detail(what);
    detail += ": ";
    detail += conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return Error::make("error.db.disk_full", std::move(detail));
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return Error::make("error.db.io", std::move(detail));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return Error::make("error.db.busy", std::move(detail));
    case SQLITE_CONSTRAINT:
        return Error::make("error.db.constraint", std::move(detail));
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return Error::make("error.db.open_failed", std::move(detail));
    default:
        return Error::make("error.db.failed", std::move(detail));
    }
}

Statement::Statement(Statement&& o) noexcept
    : m_stmt(o.m_stmt), m_conn(o.m_conn), m_cached_in_use(o.m_cached_in_use), m_bind_error(std::move(o.m_bind_error)),
      m_bind_failed(o.m_bind_failed)
{
    o.m_stmt = nullptr;
    o.m_cached_in_use = nullptr;
}

static void release(sqlite3_stmt* stmt, bool* cached_in_use)
{
    if (!stmt)
        return;
    if (cached_in_use) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        *cached_in_use = false;
    } else {
        sqlite3_finalize(stmt);
    }
}

Statement& Statement::operator=(Statement&& o) noexcept
{
    if (this != &o) {
        release(m_stmt, m_cached_in_use);
        m_stmt = o.m_stmt;
        m_conn = o.m_conn;
        m_cached_in_use = o.m_cached_in_use;
        m_bind_error = std::move(o.m_bind_error);
        m_bind_failed = o.m_bind_failed;
        o.m_stmt = nullptr;
        o.m_cached_in_use = nullptr;
    }
    return *this;
}

Statement::~Statement() { release(m_stmt, m_cached_in_use); }

static void note_bind(int rc, bool& failed, Error& error, sqlite3* conn)
{
    if (rc != SQLITE_OK && !failed) {
        failed = true;
        error = sqlite_error(rc, "bind", conn);
    }
}

Statement& Statement::bind(int index, int64_t value)
{
    note_bind(sqlite3_bind_int64(m_stmt, index, value), m_bind_failed, m_bind_error, m_conn);
    return *this;
}

Statement& Statement::bind(int index, std::string_view text)
{
    note_bind(sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT),
              m_bind_failed, m_bind_error, m_conn);
    return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes)
{
    note_bind(sqlite3_bind_blob(m_stmt, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT),
              m_bind_failed, m_bind_error, m_conn);
    return *this;
}

Statement& Statement::bind_null(int index)
{
    note_bind(sqlite3_bind_null(m_stmt, index), m_bind_failed, m_bind_error, m_conn);
    return *this;
}

Statement& Statement::bind(int index, const std::optional<int64_t>& value)
{
    return value ? bind(index, *value) : bind_null(index);
}

Result<bool> Statement::step()
{
    if (m_bind_failed)
        return m_bind_error;
    crash_point();
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    auto err = sqlite_error(rc, sqlite3_sql(m_stmt) ? std::string_view(sqlite3_sql(m_stmt)).substr(0, 60) : "step", m_conn);
    sqlite3_reset(m_stmt);
    return err;
}

Result<void> Statement::run()
{
    while (TRY(step())) {
    }
    sqlite3_reset(m_stmt);
    return {};
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_bind_failed = false;
}

int64_t Statement::int64(int column) const { return sqlite3_column_int64(m_stmt, column); }

std::string Statement::text(int column) const
{
    auto p = sqlite3_column_text(m_stmt, column);
    int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

std::string Statement::blob(int column) const
{
    auto p = sqlite3_column_blob(m_stmt, column);
    int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

size_t Statement::bytes(int column) const { return static_cast<size_t>(sqlite3_column_bytes(m_stmt, column)); }

bool Statement::is_null(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }

std::optional<int64_t> Statement::optional_int64(int column) const
{
    if (is_null(column))
        return std::nullopt;
    return int64(column);
}

Result<Db> Db::open(const std::filesystem::path& file, OpenMode mode, int busy_timeout_ms)
{
    int flags = SQLITE_OPEN_FULLMUTEX;
    switch (mode) {
    case OpenMode::ReadWriteCreate:
        flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        break;
    case OpenMode::ReadWrite:
        flags |= SQLITE_OPEN_READWRITE;
        break;
    case OpenMode::ReadOnly:
        flags |= SQLITE_OPEN_READONLY;
        break;
    }
    Db db;
    db.m_file = file;
    int rc = sqlite3_open_v2(file.c_str(), &db.m_db, flags, nullptr);
    if (rc != SQLITE_OK)
        return sqlite_error(rc, "open " + file.string(), db.m_db);
    sqlite3_extended_result_codes(db.m_db, 1);
    sqlite3_busy_timeout(db.m_db, busy_timeout_ms);
    if (mode != OpenMode::ReadOnly) {
        // WAL is persistent; switching a fresh file needs an exclusive lock that the busy handler does not
        // wait for, so processes starting together on a new database retry here.
        for (int waited_ms = 0;; waited_ms += 10) {
            auto wal = TRY(db.prepare("PRAGMA journal_mode=WAL"));
            auto row = wal.step();
            if (row.ok() && row.value() && wal.text(0) == "wal")
                break;
            if ((row.ok() || row.error().code == "error.db.busy") && waited_ms < busy_timeout_ms) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                continue;
            }
            if (!row.ok())
                return row.release_error();
            return Error::make("error.db.failed", "could not switch " + file.string() + " to WAL");
        }
    }
    TRY(db.exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
    return db;
}

Db::Db(Db&& o) noexcept : m_db(o.m_db), m_file(std::move(o.m_file)), m_cache(std::move(o.m_cache)) { o.m_db = nullptr; }

Db& Db::operator=(Db&& o) noexcept
{
    if (this != &o) {
        drop_cache();
        sqlite3_close_v2(m_db);
        m_db = o.m_db;
        m_file = std::move(o.m_file);
        m_cache = std::move(o.m_cache);
        o.m_db = nullptr;
    }
    return *this;
}

Db::~Db()
{
    drop_cache();
    sqlite3_close_v2(m_db);
}

void Db::drop_cache()
{
    for (auto& [sql, entry] : m_cache)
        sqlite3_finalize(entry->stmt);
    m_cache.clear();
}

Result<Statement> Db::cached(std::string_view sql)
{
    static constexpr size_t kMaxCached = 64;
    auto it = m_cache.find(std::string(sql));
    if (it == m_cache.end()) {
        if (m_cache.size() >= kMaxCached)
            return prepare(sql);
        sqlite3_stmt* stmt = nullptr;
        int rc = sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK)
            return sqlite_error(rc, "prepare", m_db);
        auto entry = std::make_unique<CachedStatement>();
        entry->stmt = stmt;
        it = m_cache.emplace(std::string(sql), std::move(entry)).first;
    }
    auto& entry = *it->second;
    if (entry.in_use)
        return prepare(sql);
    entry.in_use = true;
    return Statement(entry.stmt, m_db, &entry.in_use);
}

Result<void> Db::exec(std::string_view sql)
{
    std::string s(sql);
    char* msg = nullptr;
    crash_point();
    int rc = sqlite3_exec(m_db, s.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
        std::string detail = msg ? msg : sqlite3_errstr(rc);
        sqlite3_free(msg);
        auto err = sqlite_error(rc, "exec", nullptr);
        err.detail = "exec: " + detail;
        return err;
    }
    return {};
}

Result<Statement> Db::prepare(std::string_view sql)
{
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK)
        return sqlite_error(rc, "prepare", m_db);
    return Statement(stmt, m_db);
}

Result<int64_t> Db::scalar_int64(std::string_view sql, int64_t fallback)
{
    // Callers pass constant SQL: kept prepared (a parse costs more than most of these lookups).
    auto st = TRY(cached(sql));
    if (!TRY(st.step()) || st.is_null(0))
        return fallback;
    return st.int64(0);
}

Result<void> Db::define_capability(const char* name)
{
    auto one = [](sqlite3_context* ctx, int, sqlite3_value**) { sqlite3_result_int(ctx, 1); };
    if (sqlite3_create_function(m_db, name, 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, one, nullptr, nullptr) != SQLITE_OK)
        return Error::make("error.db.failed", std::string("cannot define ") + name + "(): " + sqlite3_errmsg(m_db));
    return {};
}

int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(m_db); }
int Db::changes() const { return sqlite3_changes(m_db); }
bool Db::in_transaction() const { return m_db && sqlite3_get_autocommit(m_db) == 0; }

Result<Transaction> Transaction::begin(Db& db)
{
    TRY(db.exec("BEGIN IMMEDIATE"));
    return Transaction(&db);
}

Transaction::~Transaction()
{
    if (m_db && m_db->in_transaction())
        (void)m_db->exec("ROLLBACK");
}

Result<void> Transaction::commit()
{
    if (!m_db)
        return Error::make("error.db.failed", "commit without a transaction");
    auto r = m_db->exec("COMMIT");
    crash_point();
    if (!r.ok()) {
        // A failed COMMIT may leave the transaction open; roll it back so nothing is half written.
        if (m_db->in_transaction())
            (void)m_db->exec("ROLLBACK");
        m_db = nullptr;
        return r;
    }
    m_db = nullptr;
    return {};
}

} // namespace nafitha::db
