// Several nafitha-central instances on one PostgreSQL store: SIGKILLed again and again behind a round-robin
// front, and a failover of the database from a primary to its synchronous standby. Real processes, real
// clusters, real sync clients over loopback HTTP.

#include "tests/store/round_robin.h"
#include "tests/store/store_env.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/progress.h"

#include "base/clock.h"
#include "central/server.h"
#include "central/store/verify.h"
#include "sync/client/enroll.h"
#include "sync/client/worker.h"
#include "sync/journal/journal.h"

#include <libpq-fe.h>

#include <atomic>
#include <csignal>
#include <random>
#include <sys/wait.h>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

sync::SyncOptions options_for(const std::filesystem::path& dir, const std::string& url)
{
    sync::SyncOptions o;
    o.data_dir = dir;
    o.batch_max_entries = 25;
    o.server_url = url;
    o.backoff_initial_ms = 10;
    o.backoff_max_ms = 100;
    o.poll_interval_ms = 50;
    o.http.connect_timeout_ms = 2000;
    o.http.transfer_timeout_ms = 15000;
    o.http.stall_timeout_s = 5;
    return o;
}

int64_t acked(const std::filesystem::path& dir)
{
    return journal::Reader::open(journal::database_file(dir)).release_value().acked_seq().value();
}

// Terminals that keep working (new journal entries) and keep syncing through `url` until told to finish,
// then drain what is left.
class Fleet {
public:
    Fleet(int count, const std::string& url, central::Store& store) : m_url(url)
    {
        for (int i = 0; i < count; ++i) {
            m_dirs.push_back(std::make_unique<TempDir>("fleet-" + std::to_string(i)));
            m_ids.push_back(make_terminal_journal(m_dirs.back()->path(), 40));
            auto code = central::create_enrollment_code(store, i % 2 ? "DAM-01" : "ALP-01", "kiosk", clock::unix_ms()).value();
            auto config = sync::enroll(m_dirs.back()->path(), url, code, {});
            if (!config.ok())
                FAIL("enroll: " << config.error().to_string());
        }
    }
    ~Fleet() { finish(); }

    void start()
    {
        for (size_t i = 0; i < m_dirs.size(); ++i)
            m_threads.emplace_back([this, i] { run(i); });
    }
    // Stops adding entries; returns once every terminal's journal is acknowledged.
    void finish()
    {
        m_done = true;
        for (auto& t : m_threads)
            t.join();
        m_threads.clear();
    }
    int64_t passes() const { return m_passes; }
    int64_t failures() const { return m_failures; }
    size_t size() const { return m_dirs.size(); }
    const std::filesystem::path& dir(size_t i) const { return m_dirs[i]->path(); }
    const std::string& id(size_t i) const { return m_ids[i].terminal_id; }

private:
    void run(size_t i)
    {
        for (;;) {
            // A worker per pass: a new connection each time, so that the front spreads the passes over every
            // instance (a kept-alive connection would pin a terminal to one instance until it dies).
            auto worker = sync::SyncWorker::create(options_for(m_dirs[i]->path(), m_url), {}).release_value();
            if (!m_done && worker->progress().pending < 30)
                append_entries(m_dirs[i]->path(), m_ids[i], 10);
            auto r = worker->run_once();
            ++m_passes;
            if (!r.ok()) {
                ++m_failures;
                std::this_thread::yield();
            } else if (m_done && worker->progress().pending == 0) {
                return;
            }
            if (worker->progress().alarm)
                FAIL("terminal " << m_ids[i].terminal_id << " raised an alarm");
        }
    }

    std::string m_url;
    std::vector<std::unique_ptr<TempDir>> m_dirs;
    std::vector<journal::Identity> m_ids;
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_done{false};
    std::atomic<int64_t> m_passes{0}, m_failures{0};
};

// Central holds exactly each terminal's journal: seqs 1..n, same hashes, nothing twice.
void require_exact_copies(central::Store& store, const Fleet& fleet)
{
    for (size_t i = 0; i < fleet.size(); ++i) {
        auto local = journal_hashes(fleet.dir(i));
        auto remote = central_hashes(store, fleet.id(i));
        REQUIRE(remote.size() == local.size());
        for (size_t k = 0; k < local.size(); ++k) {
            REQUIRE(remote[k].first == static_cast<int64_t>(k + 1));
            REQUIRE(remote[k].second == local[k].second);
        }
        auto t = store.find_terminal(fleet.id(i)).value().value();
        CHECK(t.entries == static_cast<int64_t>(local.size()));
        CHECK(acked(fleet.dir(i)) == static_cast<int64_t>(local.size()));
    }
}

int64_t sql_int(const std::string& url, const std::string& sql)
{
    PGconn* c = PQconnectdb(url.c_str());
    REQUIRE(PQstatus(c) == CONNECTION_OK);
    PGresult* r = PQexec(c, sql.c_str());
    REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
    int64_t v = PQntuples(r) ? std::stoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    PQfinish(c);
    return v;
}

} // namespace

TEST_CASE("PostgreSQL: three instances behind a round-robin front SIGKILLed again and again mid-batch hold exactly each journal")
{
    std::string url = test_database("instances");
    auto store = central::open_store({{}, url}).release_value();
    TempDir shared("instances"); // the instances' log (and nothing else: central's key is in the store)
    std::vector<std::unique_ptr<CentralProcess>> instances;
    std::vector<int> ports;
    for (int i = 0; i < 3; ++i) {
        instances.push_back(std::make_unique<CentralProcess>(shared.path(), std::vector<std::string>{"--store", url}));
        instances.back()->start();
        ports.push_back(instances.back()->port());
    }
    RoundRobinFront front(ports);
    Fleet fleet(4, front.url(), *store);
    fleet.start();
    // Each instance in turn is started with a crash point armed and waited for: it SIGKILLs itself at that point
    // of its work (before or after a statement, a pipeline, a commit), which the terminals' traffic moves it to.
    std::mt19937 rng(13);
    int kills = 0;
    for (int round = 0; round < 24; ++round) {
        auto& instance = *instances[static_cast<size_t>(round % 3)];
        int port = instance.port();
        instance.stop();
        long long at = std::uniform_int_distribution<long long>(1, 120)(rng);
        instance.start(port, {{"NAFITHA_CRASH_AT", std::to_string(at)}, {"NAFITHA_CRASH_AFTER_READY", "1"}});
        int status = instance.wait_exit();
        REQUIRE(WIFSIGNALED(status));
        REQUIRE(WTERMSIG(status) == SIGKILL);
        ++kills;
        instance.start(port);
    }
    fleet.finish();
    // Every stored entry's signature checked (issue 14): the checks a killed instance lost are made when it starts
    // again, and the other instances' checked ranges above them join its watermark when they read it again.
    REQUIRE(test::eventually([&] { return sql_int(url, "SELECT COUNT(*) FROM terminals WHERE signatures_checked_seq < last_seq") == 0; }));
    CHECK(sql_int(url, "SELECT COUNT(*) FROM fork_alarms") == 0);
    auto served = front.served();
    for (auto& i : instances)
        i->stop();
    require_exact_copies(*store, fleet);
    CHECK(sql_int(url, "SELECT COUNT(*) FROM (SELECT terminal, seq FROM entries GROUP BY 1, 2 HAVING COUNT(*) > 1) d") == 0);
    CHECK(central::verify_store(*store).value().ok());
    for (int s : served)
        CHECK(s > 10); // every instance served terminals
    int64_t entries = store->counts().value().entries;
    WARN("3 instances killed " << kills << " times mid-work; " << entries << " entries from " << fleet.size()
                                << " terminals, exactly once; " << fleet.failures() << " of " << fleet.passes()
                                << " sync passes failed and were retried; connections per instance " << served[0] << "/"
                                << served[1] << "/" << served[2]);
}

TEST_CASE("PostgreSQL: the primary killed mid-ingest and its synchronous standby promoted lose no acknowledged entry")
{
    TempDir dir("failover");
    PgCluster::Options primary_options;
    primary_options.conf = {"synchronous_standby_names = 'standby1'", "synchronous_commit = on"};
    PgCluster primary(dir / "p", primary_options);
    PgCluster::Options standby_options;
    standby_options.port = 5433;
    standby_options.standby_of = dir / "p";
    standby_options.name = "standby1";
    PgCluster standby(dir / "s", standby_options);
    REQUIRE(test::eventually([&] {
        return sql_int(primary.url(), "SELECT COUNT(*) FROM pg_stat_replication WHERE sync_state = 'sync'") == 1;
    }));
    // Every instance knows both servers and wants the one that accepts writes.
    std::string url = "postgresql:///postgres?host=" + primary.socket_dir() + "," + standby.socket_dir()
        + "&port=5432,5433&user=nafitha&target_session_attrs=read-write&connect_timeout=5";
    auto setup = central::open_store({{}, url}).release_value();
    TempDir shared("failover-central");
    std::vector<std::unique_ptr<CentralProcess>> instances;
    std::vector<int> ports;
    for (int i = 0; i < 2; ++i) {
        instances.push_back(std::make_unique<CentralProcess>(shared.path(), std::vector<std::string>{"--store", url}));
        instances.back()->start();
        ports.push_back(instances.back()->port());
    }
    RoundRobinFront front(ports);
    Fleet fleet(4, front.url(), *setup);
    fleet.start();
    // Ingest is running: every terminal has had batches acknowledged.
    REQUIRE(test::eventually([&] {
        for (size_t i = 0; i < fleet.size(); ++i)
            if (acked(fleet.dir(i)) < 200)
                return false;
        return true;
    }));
    // Kill the primary as a crash would (no shutdown checkpoint), note what the terminals hold as acknowledged,
    // and promote the standby.
    primary.kill();
    int64_t killed_ms = clock::unix_ms();
    std::vector<int64_t> acked_at_kill;
    for (size_t i = 0; i < fleet.size(); ++i)
        acked_at_kill.push_back(acked(fleet.dir(i)));
    standby.promote();
    int64_t promoted_ms = clock::unix_ms();
    // Ingest resumes on the promoted standby through the same instances and connection string.
    REQUIRE(test::eventually([&] {
        for (size_t i = 0; i < fleet.size(); ++i)
            if (acked(fleet.dir(i)) < acked_at_kill[i] + 50)
                return false;
        return true;
    }));
    fleet.finish();
    for (auto& i : instances)
        i->stop();
    std::string now_primary = standby.url();
    auto store = central::open_store({{}, now_primary}).release_value();
    require_exact_copies(*store, fleet);
    // Acknowledged before the kill: each must have been stored before the kill (not lost and sent again).
    int64_t acknowledged = 0, lost = 0;
    for (size_t i = 0; i < fleet.size(); ++i) {
        acknowledged += acked_at_kill[i];
        lost += sql_int(now_primary, "SELECT COALESCE(SUM(b.last_seq - b.first_seq + 1), 0) FROM batches b JOIN terminals t ON t.no = b.terminal "
                                     "WHERE t.id = '" + fleet.id(i) + "' AND b.first_seq <= " + std::to_string(acked_at_kill[i])
                                         + " AND b.received_ms > " + std::to_string(killed_ms));
    }
    int64_t duplicated = sql_int(now_primary, "SELECT COUNT(*) FROM (SELECT terminal, seq FROM entries GROUP BY 1, 2 HAVING COUNT(*) > 1) d");
    // How long ingest stopped: from the last batch stored before the kill to the first one after it.
    int64_t last_before = sql_int(now_primary, "SELECT MAX(received_ms) FROM batches WHERE received_ms <= " + std::to_string(killed_ms));
    int64_t first_after = sql_int(now_primary, "SELECT MIN(received_ms) FROM batches WHERE received_ms > " + std::to_string(killed_ms));
    CHECK(lost == 0);
    CHECK(duplicated == 0);
    CHECK(central::verify_store(*store).value().ok());
    WARN("failover: acknowledged before the kill " << acknowledged << ", lost " << lost << ", duplicated " << duplicated
                                                    << "; ingest stopped " << first_after - last_before << " ms (promotion took "
                                                    << promoted_ms - killed_ms << " ms); " << fleet.failures()
                                                    << " sync passes failed and were retried");
}
