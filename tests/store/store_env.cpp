#include "tests/store/store_env.h"

#include "base/clock.h"
#include "central/server.h"
#include "db/sqlite.h"
#include "tests/support/pg_cluster.h"

#include <libpq-fe.h>

namespace nafitha::testing {

namespace {

class SqliteEnv final : public StoreEnv {
public:
    std::string kind() const override { return "sqlite"; }
    central::StoreLocation location() const override { return {m_dir.path(), {}}; }
    void sql(const std::string& statements) override
    {
        auto db = db::Db::open(m_dir.path() / "central.db").release_value();
        auto r = db.exec(statements);
        if (!r.ok())
            FAIL(statements << ": " << r.error().to_string());
    }
    int64_t sql_int(const std::string& query) override
    {
        auto db = db::Db::open(m_dir.path() / "central.db").release_value();
        auto r = db.scalar_int64(query);
        if (!r.ok())
            FAIL(query << ": " << r.error().to_string());
        return r.value();
    }

private:
    TempDir m_dir{"store"};
};

class PostgresEnv final : public StoreEnv {
public:
    PostgresEnv() : m_url(test_database("store")) {}
    std::string kind() const override { return "postgresql"; }
    central::StoreLocation location() const override { return {{}, m_url}; }
    void sql(const std::string& statements) override { (void)run(statements); }
    int64_t sql_int(const std::string& query) override { return std::stoll(run(query)); }

private:
    std::string run(const std::string& sql)
    {
        PGconn* c = PQconnectdb(m_url.c_str());
        REQUIRE(PQstatus(c) == CONNECTION_OK);
        PGresult* r = PQexec(c, sql.c_str());
        auto st = PQresultStatus(r);
        std::string msg = PQresultErrorMessage(r);
        std::string value = st == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
        PQclear(r);
        PQfinish(c);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
            FAIL(sql << ": " << msg);
        return value;
    }
    std::string m_url;
};

} // namespace

std::unique_ptr<StoreEnv> sqlite_env() { return std::make_unique<SqliteEnv>(); }
std::unique_ptr<StoreEnv> postgres_env() { return std::make_unique<PostgresEnv>(); }

TestTerminal enroll_terminal(central::Store& store, const std::string& centre)
{
    TestTerminal t;
    t.keys = protocol::generate_keypair();
    t.id = protocol::terminal_id_for(t.keys.public_key);
    t.centre = centre;
    auto code = central::create_enrollment_code(store, centre, "kiosk " + t.id, clock::unix_ms());
    REQUIRE(code.ok());
    auto r = store.enroll(protocol::sha256_hex(central::normalise_code(code.value())), t.id,
                          protocol::encode_public_key(t.keys.public_key), clock::unix_ms());
    if (!r.ok())
        FAIL(r.error().to_string());
    return t;
}

std::vector<protocol::Entry> seal_chain(const TestTerminal& t, int64_t first_seq, const std::string& prev,
                                        const std::vector<std::pair<std::string, nlohmann::json>>& items, const std::string& time)
{
    std::vector<protocol::Entry> out;
    std::string p = prev;
    int64_t seq = first_seq;
    for (const auto& [type, payload] : items) {
        protocol::Entry e;
        e.seq = seq++;
        e.id = t.id + "-" + std::to_string(e.seq);
        e.terminal_id = t.id;
        e.type = type;
        e.time = time;
        e.payload = payload;
        e.prev_hash = p;
        REQUIRE(protocol::seal(e, t.keys.secret_key).ok());
        p = e.hash;
        out.push_back(std::move(e));
    }
    return out;
}

central::IngestOutcome ingest_ok(central::Store& store, const std::string& terminal_id, const std::vector<protocol::Entry>& entries,
                                 int64_t now_ms)
{
    central::IngestRefusal why;
    auto r = store.ingest(terminal_id, entries, now_ms, why);
    if (!r.ok())
        FAIL("ingest refused: " << r.error().to_string());
    return r.value();
}

std::vector<protocol::Entry> slice(const std::vector<protocol::Entry>& v, size_t from, size_t count)
{
    from = std::min(from, v.size());
    return {v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(std::min(v.size(), from + count))};
}

} // namespace nafitha::testing
