// The web application's tables in the PostgreSQL store (central/store/web_store.h): one connection of its own,
// serialized by a mutex and opened again when it breaks (a failover, a restarted server); a read is retried once
// on a fresh connection, a write is not (its commit may have happened).

#include "central/store/web_store.h"

#include "central/store/postgres/pg.h"

#include <mutex>

namespace nafitha::central {

namespace {

using pg::Params;

constexpr const char* kAppColumns =
    "t.id, a.reference, a.centre, a.entity, a.service_code, a.category, a.channel, a.status, a.exemption, a.claimed_centre, "
    "a.fee_minor, a.staff_id, a.decided_ms, a.ready_ms, a.paid_minor, a.waived_minor, a.submitted_ms, a.updated_ms";
constexpr const char* kUserColumns = "name, role, entity, centre, password_hash, failed, locked_until_ms, created_ms, disabled";

ApplicationRow app_row(const pg::Rows& r, int i)
{
    ApplicationRow a;
    a.terminal_id = r.text(i, 0);
    a.reference = r.text(i, 1);
    a.centre = r.text(i, 2);
    a.entity = r.text(i, 3);
    a.service_code = r.text(i, 4);
    a.category = r.text(i, 5);
    a.channel = r.text(i, 6);
    a.status = r.text(i, 7);
    a.exemption = r.text(i, 8);
    a.claimed_centre = r.text(i, 9);
    a.fee_minor = r.optional_integer(i, 10);
    a.staff_id = r.optional_integer(i, 11);
    a.decided_ms = r.optional_integer(i, 12);
    a.ready_ms = r.optional_integer(i, 13);
    a.paid_minor = r.integer(i, 14);
    a.waived_minor = r.integer(i, 15);
    a.submitted_ms = r.integer(i, 16);
    a.updated_ms = r.integer(i, 17);
    return a;
}

WebUser user_row(const pg::Rows& r, int i)
{
    return WebUser{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.integer(i, 5), r.integer(i, 6), r.integer(i, 7),
                   r.integer(i, 8) != 0};
}

class PostgresWebStore final : public WebStore {
public:
    explicit PostgresWebStore(std::string url) : m_url(std::move(url)) {}

    Result<void> add_user(const WebUser& u) override
    {
        return run(false, [&](pg::Conn& c) -> Result<void> {
            auto r = TRY(c.query("INSERT INTO web_users(name, role, entity, centre, password_hash, created_ms) "
                                 "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING",
                                 Params().add(u.name).add(u.role).add(u.entity).add(u.centre).add(u.password_hash).add(u.created_ms)));
            if (r.affected() == 0)
                return Error::make("error.web.user_exists", "there is already a user " + u.name, "name");
            return {};
        });
    }

    Result<std::optional<WebUser>> find_user(const std::string& name) override
    {
        return run(true, [&](pg::Conn& c) -> Result<std::optional<WebUser>> {
            auto r = TRY(c.query(std::string("SELECT ") + kUserColumns + " FROM web_users WHERE name = $1", Params().add(name)));
            if (r.count() == 0)
                return std::optional<WebUser>();
            return std::optional<WebUser>(user_row(r, 0));
        });
    }

    Result<std::vector<WebUser>> users() override
    {
        return run(true, [&](pg::Conn& c) -> Result<std::vector<WebUser>> {
            auto r = TRY(c.query(std::string("SELECT ") + kUserColumns + " FROM web_users ORDER BY name"));
            std::vector<WebUser> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back(user_row(r, i));
            return out;
        });
    }

    Result<WebUser> login_failed(const std::string& name, int64_t now_ms, int64_t max_failures, int64_t lock_ms) override
    {
        return run(false, [&](pg::Conn& c) -> Result<WebUser> {
            auto r = TRY(c.query(std::string("UPDATE web_users SET failed = failed + 1, locked_until_ms = CASE WHEN failed + 1 >= $1 "
                                             "THEN $2 ELSE locked_until_ms END WHERE name = $3 RETURNING ")
                                     + kUserColumns,
                                 Params().add(max_failures).add(now_ms + lock_ms).add(name)));
            if (r.count() == 0)
                return Error::make("error.web.unknown_user", "no user " + name);
            return user_row(r, 0);
        });
    }

    Result<void> login_succeeded(const std::string& name) override
    {
        return run(false, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("UPDATE web_users SET failed = 0 WHERE name = $1", Params().add(name)));
            return {};
        });
    }

    Result<void> set_disabled(const std::string& name, bool disabled) override
    {
        return run(false, [&](pg::Conn& c) -> Result<void> {
            // One statement: the flag and the end of the sessions commit together.
            auto r = TRY(c.query("WITH u AS (UPDATE web_users SET disabled = $1 WHERE name = $2 RETURNING name), "
                                 "d AS (DELETE FROM web_sessions WHERE \"user\" IN (SELECT name FROM u) AND $1 = 1) "
                                 "SELECT count(*) FROM u",
                                 Params().add(static_cast<int64_t>(disabled ? 1 : 0)).add(name)));
            if (r.integer(0, 0) == 0)
                return Error::make("error.web.unknown_user", "no user " + name, "name");
            return {};
        });
    }

    Result<void> set_password(const std::string& name, const std::string& password_hash) override
    {
        return run(false, [&](pg::Conn& c) -> Result<void> {
            auto r = TRY(c.query("WITH u AS (UPDATE web_users SET password_hash = $1, failed = 0, locked_until_ms = 0 "
                                 "WHERE name = $2 RETURNING name), "
                                 "d AS (DELETE FROM web_sessions WHERE \"user\" IN (SELECT name FROM u)) "
                                 "SELECT count(*) FROM u",
                                 Params().add(password_hash).add(name)));
            if (r.integer(0, 0) == 0)
                return Error::make("error.web.unknown_user", "no user " + name, "name");
            return {};
        });
    }

    Result<void> extend_session(const std::string& token_hash, int64_t expires_ms) override
    {
        return run(false, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("UPDATE web_sessions SET expires_ms = $1 WHERE token_hash = $2 AND expires_ms < $1",
                        Params().add(expires_ms).add(token_hash)));
            return {};
        });
    }

    Result<void> add_session(const WebSession& s) override
    {
        return run(false, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("INSERT INTO web_sessions(token_hash, \"user\", csrf, created_ms, expires_ms) VALUES($1, $2, $3, $4, $5)",
                        Params().add(s.token_hash).add(s.user).add(s.csrf).add(s.created_ms).add(s.expires_ms)));
            return {};
        });
    }

    Result<std::optional<WebSession>> find_session(const std::string& token_hash, int64_t now_ms) override
    {
        return run(true, [&](pg::Conn& c) -> Result<std::optional<WebSession>> {
            auto r = TRY(c.query("SELECT token_hash, \"user\", csrf, created_ms, expires_ms FROM web_sessions "
                                 "WHERE token_hash = $1 AND expires_ms > $2",
                                 Params().add(token_hash).add(now_ms)));
            if (r.count() == 0)
                return std::optional<WebSession>();
            return std::optional<WebSession>(WebSession{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.integer(0, 3), r.integer(0, 4)});
        });
    }

    Result<void> delete_session(const std::string& token_hash) override
    {
        return run(true, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("DELETE FROM web_sessions WHERE token_hash = $1", Params().add(token_hash)));
            return {};
        });
    }

    Result<void> expire_sessions(int64_t now_ms) override
    {
        return run(true, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("DELETE FROM web_sessions WHERE expires_ms <= $1", Params().add(now_ms)));
            return {};
        });
    }

    Result<void> add_audit(const AuditRow& a) override
    {
        return run(false, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("INSERT INTO web_audit(time_ms, \"user\", action, subject, peer) VALUES($1, $2, $3, $4, $5)",
                        Params().add(a.time_ms).add(a.user).add(a.action).add(a.subject).add(a.peer)));
            return {};
        });
    }

    Result<std::vector<AuditRow>> audit(int64_t max_rows) override
    {
        return run(true, [&](pg::Conn& c) -> Result<std::vector<AuditRow>> {
            auto r = TRY(c.query("SELECT id, time_ms, \"user\", action, subject, peer FROM web_audit ORDER BY id DESC LIMIT $1",
                                 Params().add(max_rows)));
            std::vector<AuditRow> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back({r.integer(i, 0), r.integer(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5)});
            return out;
        });
    }

    Result<std::vector<ApplicationRow>> applications(const ApplicationFilter& f) override
    {
        return run(true, [&](pg::Conn& c) -> Result<std::vector<ApplicationRow>> {
            auto r = TRY(c.query(
                std::string("SELECT ") + kAppColumns + " FROM applications a JOIN terminals t ON t.no = a.terminal "
                "WHERE ($1 = '' OR a.entity = $1) AND ($2 = '' OR a.centre = $2) "
                "AND ($3 = '' OR a.status = $3 OR ($3 = 'open' AND a.status IN ('submitted', 'paid', 'in_review'))) "
                "AND ($4 = '' OR a.reference = $4) ORDER BY a.submitted_ms DESC, a.reference LIMIT $5",
                Params().add(f.entity).add(f.centre).add(f.status).add(f.reference).add(f.limit)));
            std::vector<ApplicationRow> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back(app_row(r, i));
            return out;
        });
    }

    Result<std::optional<ApplicationRow>> application(const std::string& terminal_id, const std::string& reference) override
    {
        return run(true, [&](pg::Conn& c) -> Result<std::optional<ApplicationRow>> {
            auto r = TRY(c.query(std::string("SELECT ") + kAppColumns
                                     + " FROM applications a JOIN terminals t ON t.no = a.terminal WHERE t.id = $1 AND a.reference = $2",
                                 Params().add(terminal_id).add(reference)));
            if (r.count() == 0)
                return std::optional<ApplicationRow>();
            return std::optional<ApplicationRow>(app_row(r, 0));
        });
    }

private:
    template <typename F>
    auto run(bool retry, F&& fn) -> decltype(fn(std::declval<pg::Conn&>()))
    {
        std::lock_guard lock(m_mutex);
        for (int attempt = 0;; ++attempt) {
            if (!m_conn.healthy()) {
                auto c = pg::Conn::connect(m_url);
                if (!c.ok())
                    return c.error();
                m_conn = std::move(c.value());
            }
            auto r = fn(m_conn);
            if (r.ok() || m_conn.healthy() || !retry || attempt > 0)
                return r;
        }
    }

    std::string m_url;
    std::mutex m_mutex;
    pg::Conn m_conn;
};

} // namespace

Result<std::unique_ptr<WebStore>> open_postgres_web_store(const std::string& url)
{
    auto store = std::make_unique<PostgresWebStore>(url);
    TRY(store->users()); // connects, and checks the tables are there
    return std::unique_ptr<WebStore>(std::move(store));
}

} // namespace nafitha::central
