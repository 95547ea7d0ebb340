#include "central/sqlite.h"

namespace nafitha::central {

Result<bool> Stmt::step()
{
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return Error::make("error.central.storage", std::string("sqlite step: ") + sqlite3_errmsg(m_db));
}

Result<void> Stmt::run()
{
    TRY(step());
    reset();
    return {};
}

Result<Db> Db::open(const std::filesystem::path& path)
{
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK)
        return Error::make("error.central.storage", "cannot open " + path.string() + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
    sqlite3_busy_timeout(raw, 10000);
    return db;
}

Db::~Db()
{
    if (m_db)
        sqlite3_close_v2(m_db);
}

Db& Db::operator=(Db&& o) noexcept
{
    if (this != &o) {
        if (m_db)
            sqlite3_close_v2(m_db);
        m_db = o.m_db;
        o.m_db = nullptr;
    }
    return *this;
}

Result<void> Db::exec(const std::string& sql)
{
    char* err = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown";
        sqlite3_free(err);
        return Error::make("error.central.storage", "sqlite: " + msg);
    }
    return {};
}

Result<Stmt> Db::prepare(std::string_view sql)
{
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
        return Error::make("error.central.storage", std::string("sqlite prepare: ") + sqlite3_errmsg(m_db));
    return Stmt(m_db, stmt);
}

} // namespace nafitha::central
