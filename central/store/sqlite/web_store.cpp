// The web application's tables in the SQLite store (central/store/web_store.h): its own connection to
// DIR/central.db, serialized by a mutex (web traffic is small; WAL lets it write between ingest's batches).

#include "central/store/web_store.h"

#include "db/sqlite.h"

#include <mutex>

namespace nafitha::central {

namespace {

constexpr const char* kAppColumns =
    "t.id, a.reference, a.centre, a.entity, a.service_code, a.category, a.channel, a.status, a.exemption, a.claimed_centre, "
    "a.fee_minor, a.staff_id, a.decided_ms, a.ready_ms, a.paid_minor, a.waived_minor, a.submitted_ms, a.updated_ms";

ApplicationRow app_row(const db::Statement& st)
{
    ApplicationRow r;
    r.terminal_id = st.text(0);
    r.reference = st.text(1);
    r.centre = st.text(2);
    r.entity = st.text(3);
    r.service_code = st.text(4);
    r.category = st.text(5);
    r.channel = st.text(6);
    r.status = st.text(7);
    r.exemption = st.text(8);
    r.claimed_centre = st.text(9);
    r.fee_minor = st.optional_int64(10);
    r.staff_id = st.optional_int64(11);
    r.decided_ms = st.optional_int64(12);
    r.ready_ms = st.optional_int64(13);
    r.paid_minor = st.int64(14);
    r.waived_minor = st.int64(15);
    r.submitted_ms = st.int64(16);
    r.updated_ms = st.int64(17);
    return r;
}

WebUser user_row(const db::Statement& st)
{
    return WebUser{st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.int64(5), st.int64(6), st.int64(7), st.int64(8) != 0};
}

constexpr const char* kUserColumns = "name, role, entity, centre, password_hash, failed, locked_until_ms, created_ms, disabled";

class SqliteWebStore final : public WebStore {
public:
    explicit SqliteWebStore(db::Db db) : m_db(std::move(db)) {}

    Result<void> add_user(const WebUser& u) override
    {
        std::lock_guard lock(m_mutex);
        auto exists = TRY(m_db.prepare("SELECT 1 FROM web_users WHERE name = ?"));
        exists.bind(1, u.name);
        if (TRY(exists.step()))
            return Error::make("error.web.user_exists", "there is already a user " + u.name, "name");
        auto st = TRY(m_db.prepare("INSERT INTO web_users(name, role, entity, centre, password_hash, created_ms) VALUES(?,?,?,?,?,?)"));
        st.bind(1, u.name).bind(2, u.role).bind(3, u.entity).bind(4, u.centre).bind(5, u.password_hash).bind(6, u.created_ms);
        return st.run();
    }

    Result<std::optional<WebUser>> find_user(const std::string& name) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached(std::string("SELECT ") + kUserColumns + " FROM web_users WHERE name = ?"));
        st.bind(1, name);
        if (!TRY(st.step()))
            return std::optional<WebUser>();
        return std::optional<WebUser>(user_row(st));
    }

    Result<std::vector<WebUser>> users() override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare(std::string("SELECT ") + kUserColumns + " FROM web_users ORDER BY name"));
        std::vector<WebUser> out;
        while (TRY(st.step()))
            out.push_back(user_row(st));
        return out;
    }

    Result<WebUser> login_failed(const std::string& name, int64_t now_ms, int64_t max_failures, int64_t lock_ms) override
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto st = TRY(m_db.cached("UPDATE web_users SET failed = failed + 1, locked_until_ms = CASE WHEN failed + 1 >= ?1 "
                                  "THEN ?2 ELSE locked_until_ms END WHERE name = ?3"));
        st.bind(1, max_failures).bind(2, now_ms + lock_ms).bind(3, name);
        TRY(st.run());
        auto get = TRY(m_db.cached(std::string("SELECT ") + kUserColumns + " FROM web_users WHERE name = ?"));
        get.bind(1, name);
        if (!TRY(get.step()))
            return Error::make("error.web.unknown_user", "no user " + name);
        WebUser u = user_row(get);
        get.reset();
        TRY(tx.commit());
        return u;
    }

    Result<void> login_succeeded(const std::string& name) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached("UPDATE web_users SET failed = 0 WHERE name = ?"));
        st.bind(1, name);
        return st.run();
    }

    Result<void> set_disabled(const std::string& name, bool disabled) override
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto st = TRY(m_db.prepare("UPDATE web_users SET disabled = ? WHERE name = ?"));
        st.bind(1, static_cast<int64_t>(disabled ? 1 : 0)).bind(2, name);
        TRY(st.run());
        if (m_db.changes() == 0)
            return Error::make("error.web.unknown_user", "no user " + name, "name");
        if (disabled)
            TRY(end_sessions_locked(name));
        return tx.commit();
    }

    Result<void> set_password(const std::string& name, const std::string& password_hash) override
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto st = TRY(m_db.prepare("UPDATE web_users SET password_hash = ?, failed = 0, locked_until_ms = 0 WHERE name = ?"));
        st.bind(1, password_hash).bind(2, name);
        TRY(st.run());
        if (m_db.changes() == 0)
            return Error::make("error.web.unknown_user", "no user " + name, "name");
        TRY(end_sessions_locked(name));
        return tx.commit();
    }

    Result<void> extend_session(const std::string& token_hash, int64_t expires_ms) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached("UPDATE web_sessions SET expires_ms = ? WHERE token_hash = ? AND expires_ms < ?"));
        st.bind(1, expires_ms).bind(2, token_hash).bind(3, expires_ms);
        return st.run();
    }

    Result<void> add_session(const WebSession& s) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached("INSERT INTO web_sessions(token_hash, user, csrf, created_ms, expires_ms) VALUES(?,?,?,?,?)"));
        st.bind(1, s.token_hash).bind(2, s.user).bind(3, s.csrf).bind(4, s.created_ms).bind(5, s.expires_ms);
        return st.run();
    }

    Result<std::optional<WebSession>> find_session(const std::string& token_hash, int64_t now_ms) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached("SELECT token_hash, user, csrf, created_ms, expires_ms FROM web_sessions "
                                  "WHERE token_hash = ? AND expires_ms > ?"));
        st.bind(1, token_hash).bind(2, now_ms);
        if (!TRY(st.step()))
            return std::optional<WebSession>();
        return std::optional<WebSession>(WebSession{st.text(0), st.text(1), st.text(2), st.int64(3), st.int64(4)});
    }

    Result<void> delete_session(const std::string& token_hash) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached("DELETE FROM web_sessions WHERE token_hash = ?"));
        st.bind(1, token_hash);
        return st.run();
    }

    Result<void> expire_sessions(int64_t now_ms) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached("DELETE FROM web_sessions WHERE expires_ms <= ?"));
        st.bind(1, now_ms);
        return st.run();
    }

    Result<void> add_audit(const AuditRow& r) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached("INSERT INTO web_audit(time_ms, user, action, subject, peer) VALUES(?,?,?,?,?)"));
        st.bind(1, r.time_ms).bind(2, r.user).bind(3, r.action).bind(4, r.subject).bind(5, r.peer);
        return st.run();
    }

    Result<std::vector<AuditRow>> audit(int64_t max_rows) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare("SELECT id, time_ms, user, action, subject, peer FROM web_audit ORDER BY id DESC LIMIT ?"));
        st.bind(1, max_rows);
        std::vector<AuditRow> out;
        while (TRY(st.step()))
            out.push_back({st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5)});
        return out;
    }

    Result<std::vector<ApplicationRow>> applications(const ApplicationFilter& f) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare(
            std::string("SELECT ") + kAppColumns + " FROM applications a JOIN terminals t ON t.no = a.terminal "
            "WHERE (?1 = '' OR a.entity = ?1) AND (?2 = '' OR a.centre = ?2) "
            "AND (?3 = '' OR a.status = ?3 OR (?3 = 'open' AND a.status IN ('submitted', 'paid', 'in_review'))) "
            "AND (?4 = '' OR a.reference = ?4) ORDER BY a.submitted_ms DESC, a.reference LIMIT ?5"));
        st.bind(1, f.entity).bind(2, f.centre).bind(3, f.status).bind(4, f.reference).bind(5, f.limit);
        std::vector<ApplicationRow> out;
        while (TRY(st.step()))
            out.push_back(app_row(st));
        return out;
    }

    Result<std::optional<ApplicationRow>> application(const std::string& terminal_id, const std::string& reference) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare(std::string("SELECT ") + kAppColumns
                                   + " FROM applications a JOIN terminals t ON t.no = a.terminal WHERE t.id = ? AND a.reference = ?"));
        st.bind(1, terminal_id).bind(2, reference);
        if (!TRY(st.step()))
            return std::optional<ApplicationRow>();
        return std::optional<ApplicationRow>(app_row(st));
    }

private:
    Result<void> end_sessions_locked(const std::string& name)
    {
        auto st = TRY(m_db.prepare("DELETE FROM web_sessions WHERE user = ?"));
        st.bind(1, name);
        return st.run();
    }

    std::mutex m_mutex;
    db::Db m_db;
};

} // namespace

Result<std::unique_ptr<WebStore>> open_sqlite_web_store(const std::filesystem::path& data_dir)
{
    auto db = TRY(db::Db::open(data_dir / "central.db", db::OpenMode::ReadWrite, 10000));
    return std::unique_ptr<WebStore>(std::make_unique<SqliteWebStore>(std::move(db)));
}

} // namespace nafitha::central
