// The sync client against the real nafitha-central on 127.0.0.1 with real libcurl: end to end, through a
// fault-injecting proxy, with the client and the central SIGKILLed mid-sync.

#include "tests/sync/harness.h"
#include "tests/support/command.h"
#include "tests/support/progress.h"

#include "base/clock.h"
#include "base/fs.h"
#include "sync/client/central_client.h"
#include "sync/client/config.h"
#include "sync/client/enroll.h"
#include "sync/client/worker.h"
#include "sync/journal/journal.h"
#include "central/store.h"
#include "db/sqlite.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <fcntl.h>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

sync::SyncOptions options_for(const std::filesystem::path& dir, size_t batch = 2000, std::string url = {})
{
    sync::SyncOptions o;
    o.data_dir = dir;
    o.batch_max_entries = batch;
    o.server_url = std::move(url);
    o.backoff_initial_ms = 20;
    o.backoff_max_ms = 200;
    o.poll_interval_ms = 50;
    o.http.connect_timeout_ms = 2000;
    o.http.transfer_timeout_ms = 15000;
    o.http.stall_timeout_s = 5;
    return o;
}

// A terminal with `count` journal entries, enrolled at `central`.
journal::Identity enrolled_terminal(InProcessCentral& central, const std::filesystem::path& dir, int64_t count)
{
    auto id = make_terminal_journal(dir, count);
    auto config = sync::enroll(dir, central.url(), central.add_code(), {});
    REQUIRE(config.ok());
    return id;
}

// Central holds exactly the terminal's journal: same seqs 1..n, same hashes, nothing more.
void require_exact_copy(central::Store& store, const std::filesystem::path& dir, const std::string& tid)
{
    auto local = journal_hashes(dir);
    auto remote = central_hashes(store, tid);
    REQUIRE(remote.size() == local.size());
    for (size_t i = 0; i < local.size(); ++i) {
        REQUIRE(remote[i].first == static_cast<int64_t>(i + 1));
        REQUIRE(remote[i].second == local[i].second);
    }
    auto t = store.find_terminal(tid).value();
    REQUIRE(t);
    CHECK(t->entries == static_cast<int64_t>(local.size()));
    CHECK(t->last_seq == static_cast<int64_t>(local.size()));
}

int64_t acked(const std::filesystem::path& dir)
{
    return journal::Reader::open(journal::database_file(dir)).release_value().acked_seq().value();
}

// run_once until it succeeds; returns the number of failed passes.
int drain_with_retries(sync::SyncWorker& worker, int max_passes = 60)
{
    int failures = 0;
    for (int i = 0; i < max_passes; ++i) {
        auto r = worker.run_once();
        if (r.ok())
            return failures;
        REQUIRE(sync::classify(r.error(), {}) == sync::Retry::Later);
        ++failures;
    }
    FAIL("the journal never drained");
    return failures;
}

std::string id_of(const std::filesystem::path& dir) { return journal::load_identity(dir).value().terminal_id; }

// The first application reference central projected.
std::string first_reference(const std::filesystem::path& central_dir)
{
    auto db = db::Db::open(central_dir / "central.db").release_value();
    auto st = db.prepare("SELECT reference FROM applications ORDER BY submitted_ms LIMIT 1").release_value();
    REQUIRE(st.step().value());
    return st.text(0);
}

} // namespace

TEST_CASE("Enroll then drain the journal exactly once and move the watermark")
{
    TempDir c("sync-c"), t("sync-t");
    InProcessCentral central(c.path());
    auto id = enrolled_terminal(central, t.path(), 1234);
    auto config = sync::load_config(t.path());
    REQUIRE(config.ok());
    CHECK(config->terminal_id == id.terminal_id);
    CHECK(config->centre == "DAM-01");
    CHECK_FALSE(config->server_public_key.empty());

    auto worker = sync::SyncWorker::create(options_for(t.path(), 300), {}).release_value();
    CHECK(worker->progress().pending == 1234);
    REQUIRE(worker->run_once().ok());
    require_exact_copy(central.store(), t.path(), id.terminal_id);
    CHECK(acked(t.path()) == 1234);
    auto p = worker->progress();
    CHECK(p.pending == 0);
    CHECK(p.last_success_ms > 0);
    CHECK_FALSE(p.last_error);
    CHECK(p.entries_sent == 1234);
    // More entries later; nothing is sent twice.
    append_entries(t.path(), id, 66);
    REQUIRE(worker->run_once().ok());
    CHECK(worker->progress().entries_sent == 1300);
    require_exact_copy(central.store(), t.path(), id.terminal_id);
}

TEST_CASE("After a crash the worker resumes from the acknowledged seq central reports")
{
    TempDir c("sync-c"), t("sync-t");
    InProcessCentral central(c.path());
    auto id = enrolled_terminal(central, t.path(), 500);
    // Central received 201 entries (a batch ends with a signed entry: transactions of three here) but the terminal
    // never saw the answer (its watermark is still 0).
    {
        auto reader = journal::Reader::open(journal::database_file(t.path())).release_value();
        sync::CentralClient client(central.url(), id, {});
        auto first = reader.entries_after(0, 200, 1 << 30).value();
        REQUIRE(first.size() == 201);
        REQUIRE(client.ingest(first).ok());
    }
    CHECK(acked(t.path()) == 0);
    auto worker = sync::SyncWorker::create(options_for(t.path(), 100), {}).release_value();
    REQUIRE(worker->run_once().ok());
    CHECK(worker->progress().entries_sent == 299); // only what central lacked
    require_exact_copy(central.store(), t.path(), id.terminal_id);
    CHECK(acked(t.path()) == 500);
}

TEST_CASE("The worker thread drains in the background and stops promptly")
{
    TempDir c("sync-c"), t("sync-t");
    InProcessCentral central(c.path());
    auto id = enrolled_terminal(central, t.path(), 200);
    auto worker = sync::SyncWorker::create(options_for(t.path(), 100), {}).release_value();
    worker->start();
    append_entries(t.path(), id, 100);
    worker->sync_now();
    REQUIRE(test::eventually([&] { return worker->progress().pending == 0 && worker->progress().last_seq == 300; }));
    auto p = worker->progress();
    CHECK(p.pending == 0);
    CHECK(p.acked_seq == 300);
    worker->stop();
    // The UI copies the snapshot only when something changed.
    uint64_t seen = 0;
    sync::SyncProgress ui;
    CHECK(worker->progress_if_changed(seen, ui));
    CHECK(ui.acked_seq == 300);
    CHECK_FALSE(worker->progress_if_changed(seen, ui));
    require_exact_copy(central.store(), t.path(), id.terminal_id);
}

TEST_CASE("Decisions and catalogue updates are handed to the callbacks once")
{
    TempDir c("sync-c"), t("sync-t");
    InProcessCentral central(c.path());
    auto id = enrolled_terminal(central, t.path(), 8);
    std::vector<protocol::Decision> seen;
    std::vector<int64_t> catalogues;
    sync::SyncCallbacks cb;
    cb.apply_decision = [&](const sync::CheckedDecision& d) -> Result<void> {
        seen.push_back({d.decision.cursor, d.decision.reference, d.decision.status, d.decision.note, d.decision.decided_at, d.decision.reason});
        return {};
    };
    cb.install_catalogue = [&](const sync::CheckedCatalogue& c) -> Result<void> {
        catalogues.push_back(c.document["version"].get<int64_t>());
        return {};
    };
    auto worker = sync::SyncWorker::create(options_for(t.path()), cb).release_value();
    REQUIRE(worker->run_once().ok());
    CHECK(seen.empty());
    CHECK(catalogues.empty());
    std::string ref = sample_payload(4, id.terminal_id)["reference"];
    REQUIRE(central.store().add_decision(ref, "approved", "", clock::unix_ms()).ok());
    REQUIRE(central.store().import_catalogue({{"version", 7}, {"services", nlohmann::json::array()}}, clock::unix_ms()).ok());
    REQUIRE(worker->run_once().ok());
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].reference == ref);
    CHECK(seen[0].status == "approved");
    CHECK(catalogues == std::vector<int64_t>{7});
    // A new worker (after a restart) remembers the cursor and the version.
    worker.reset();
    auto again = sync::SyncWorker::create(options_for(t.path()), cb).release_value();
    REQUIRE(again->run_once().ok());
    CHECK(seen.size() == 1);
    CHECK(catalogues.size() == 1);
    CHECK(sync::load_config(t.path())->catalogue_version == 7);
}

TEST_CASE("A refusal for good stops the queue with an alarm instead of looping")
{
    TempDir c("sync-c"), t("sync-t");
    InProcessCentral central(c.path());
    auto id = enrolled_terminal(central, t.path(), 50);
    REQUIRE(central.store().revoke(id.terminal_id).ok());
    auto worker = sync::SyncWorker::create(options_for(t.path()), {}).release_value();
    worker->start();
    REQUIRE(test::eventually([&] { return worker->progress().alarm; }));
    auto p = worker->progress();
    REQUIRE(p.alarm);
    CHECK(p.state == sync::SyncState::Stopped);
    REQUIRE(p.last_error);
    CHECK(p.last_error->code == "error.central.revoked");
    // It does not keep knocking: woken up three more times, its passes end before reaching central.
    auto before = central.server().metrics().render();
    for (int i = 0; i < 3; ++i) {
        int64_t passes = worker->progress().passes;
        worker->sync_now();
        REQUIRE(test::eventually([&] { return worker->progress().passes > passes; }));
    }
    CHECK(central.server().metrics().render() == before);
    worker->stop();
    CHECK(std::filesystem::exists(t.path() / "sync_alarm.json"));
    // The alarm survives a restart until a technician clears it.
    auto again = sync::SyncWorker::create(options_for(t.path()), {}).release_value();
    CHECK(again->progress().alarm);
    CHECK(again->run_once().error().code == "error.central.revoked");
    REQUIRE(sync::SyncWorker::clear_alarm(t.path()).ok());
    CHECK_FALSE(sync::SyncWorker::create(options_for(t.path()), {}).release_value()->progress().alarm);
    CHECK(central.store().entries(id.terminal_id).value().empty());
}

TEST_CASE("Faults on the link: cuts mid-request and mid-response and 500s and truncation heal")
{
    TempDir c("sync-c"), t("sync-t");
    InProcessCentral central(c.path());
    auto id = enrolled_terminal(central, t.path(), 1200);
    FaultProxy proxy(central.port());
    std::mt19937 rng(42);
    // Connection n: a cycle of every fault, then clean passes.
    proxy.set_plan([&](int n) {
        Fault f;
        if (n >= 30)
            return f; // then a clean link
        switch (n % 5) {
        case 0: f.cut_request_after = 300 + rng() % 3000; break;       // cut mid-request
        case 1: f.cut_response_after = 20 + rng() % 100; break;        // cut mid-headers or mid-body
        case 2: f.kind = Fault::Kind::Http500; break;                  // a broken server or middlebox
        case 3: f.delay_ms = 30; f.cut_response_after = 2000; break;   // slow, then cut after a few answers
        default: f.cut_response_after = 150 + rng() % 60; break;       // truncated body
        }
        return f;
    });
    auto options = options_for(t.path(), 40, proxy.url());
    auto worker = sync::SyncWorker::create(options, {}).release_value();
    int failures = drain_with_retries(*worker);
    CHECK(failures >= 5);
    require_exact_copy(central.store(), t.path(), id.terminal_id);
    CHECK(acked(t.path()) == 1200);
    CHECK(proxy.connections() >= 10);
}

TEST_CASE("A slow 64 kbit link with delays still drains")
{
    TempDir c("sync-c"), t("sync-t");
    InProcessCentral central(c.path());
    auto id = enrolled_terminal(central, t.path(), 60);
    FaultProxy proxy(central.port());
    proxy.set_plan([](int) {
        Fault f;
        f.bytes_per_s = 8000; // 64 kbit/s
        f.delay_ms = 5;
        return f;
    });
    auto worker = sync::SyncWorker::create(options_for(t.path(), 1000, proxy.url()), {}).release_value();
    REQUIRE(worker->run_once().ok());
    require_exact_copy(central.store(), t.path(), id.terminal_id);
}

TEST_CASE("The client SIGKILLed at 100 chosen points mid-sync leaves central with exactly the journal")
{
    TempDir c("sync-kill-c"), t("sync-kill-t"), scratch("sync-kill-x");
    journal::Identity id;
    CentralProcess central(c.path());
    {
        // Enroll with an in-process central on the same data folder, then serve it from the real binary.
        InProcessCentral setup(c.path());
        id = enrolled_terminal(setup, t.path(), 2000);
    }
    central.start();
    auto config = sync::load_config(t.path()).release_value();
    config.server_url = central.url();
    REQUIRE(sync::save_config(t.path(), config).ok());

    std::string exe = std::string(NAFITHA_BINARY_DIR) + "/tests/sync_child";
    std::string dir = t.path().string();
    auto err_file = scratch / "child.err";
    // One pass of the child, killed at its `crash_at`-th crash point (0: never); returns its wait status and,
    // when it finished, how many crash points it passed (SQLite steps, commits, both sides of each request).
    auto run_child = [&](const char* batch, long long crash_at) -> std::pair<int, long long> {
        pid_t pid = fork();
        if (pid == 0) {
            int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            dup2(err, 2);
            setenv("NAFITHA_CRASH_COUNT", "1", 1);
            if (crash_at > 0)
                setenv("NAFITHA_CRASH_AT", std::to_string(crash_at).c_str(), 1);
            close_range(3, ~0U, 0);
            const char* argv[] = {exe.c_str(), dir.c_str(), batch, nullptr};
            execv(argv[0], const_cast<char* const*>(argv));
            _exit(127);
        }
        REQUIRE(pid > 0);
        int status = 0;
        waitpid(pid, &status, 0);
        long long points = 0;
        if (WIFEXITED(status)) {
            auto err = fs::read_file(err_file, 1 << 20).value();
            auto at = err.rfind("crash points: ");
            if (at != std::string::npos)
                points = std::atoll(err.c_str() + at + 14);
        }
        return {status, points};
    };
    std::mt19937 rng(7);
    // A pass over 25 new entries in batches of 20 is the shortest; measure it, then kill below its end.
    auto first = run_child("20", 0);
    REQUIRE(WIFEXITED(first.first));
    append_entries(t.path(), id, 25);
    auto counted = run_child("20", 0);
    REQUIRE(WIFEXITED(counted.first));
    REQUIRE(WEXITSTATUS(counted.first) == 0);
    long long points = counted.second;
    REQUIRE(points > 10);
    int killed = 0, finished = 0;
    for (int i = 0; killed < 100 && i < 150; ++i) {
        append_entries(t.path(), id, 25); // the terminal keeps working meanwhile
        long long at = std::uniform_int_distribution<long long>(1, points - 1)(rng);
        auto [status, passed] = run_child("20", at);
        if (WIFSIGNALED(status)) {
            REQUIRE(WTERMSIG(status) == SIGKILL);
            ++killed;
        } else {
            REQUIRE(WIFEXITED(status));
            REQUIRE(WEXITSTATUS(status) == 0);
            ++finished;
        }
    }
    INFO("finished before the chosen point: " << finished);
    CHECK(killed == 100);
    // A last pass finishes the job.
    auto last = run_child("500", 0);
    REQUIRE(WIFEXITED(last.first));
    CHECK(WEXITSTATUS(last.first) == 0);
    central.stop();
    auto store = central::open_sqlite_store(c.path()).release_value();
    require_exact_copy(*store, t.path(), id.terminal_id);
    CHECK(acked(t.path()) == static_cast<int64_t>(journal_hashes(t.path()).size()));
}

TEST_CASE("Central SIGKILLed at 100 chosen points of its work and restarted loses nothing and doubles nothing")
{
    TempDir c("sync-ckill-c"), t("sync-ckill-t");
    journal::Identity id;
    {
        InProcessCentral setup(c.path());
        id = enrolled_terminal(setup, t.path(), 1000);
    }
    CentralProcess central(c.path());
    central.start();
    FaultProxy proxy(central.port()); // a stable address while central restarts
    auto options = options_for(t.path(), 25, proxy.url());
    auto worker = sync::SyncWorker::create(options, {}).release_value();
    std::atomic<bool> done{false};
    std::atomic<int> failures{0};
    // The client keeps sending until told to finish and nothing is left; until then the terminal keeps
    // working, so that every pass has a batch for central (the passes are what move central to its point).
    std::thread client([&] {
        for (;;) {
            if (!done && worker->progress().pending == 0)
                append_entries(t.path(), id, 20);
            auto r = worker->run_once();
            if (!r.ok()) {
                ++failures;
                std::this_thread::yield(); // central may be down: let it start
            } else if (done && worker->progress().pending == 0) {
                break;
            }
        }
    });
    std::mt19937 rng(11);
    int kills = 0;
    int port = central.port();
    for (int i = 0; i < 100; ++i) {
        // Central kills itself at a chosen crash point of its work (a statement, either side of a commit);
        // the client's requests are what move it there.
        central.stop();
        long long at = std::uniform_int_distribution<long long>(1, 400)(rng);
        central.start(port, {{"NAFITHA_CRASH_AT", std::to_string(at)}, {"NAFITHA_CRASH_AFTER_READY", "1"}});
        int status = central.wait_exit();
        REQUIRE(WIFSIGNALED(status));
        REQUIRE(WTERMSIG(status) == SIGKILL);
        ++kills;
    }
    central.start(port);
    done = true;
    client.join();
    CHECK(failures >= 50);
    CHECK(worker->progress().pending == 0);
    worker.reset(); // closes its kept-alive connection
    central.stop();
    auto store = central::open_sqlite_store(c.path()).release_value();
    require_exact_copy(*store, t.path(), id.terminal_id);
    CHECK(acked(t.path()) == static_cast<int64_t>(journal_hashes(t.path()).size()));
    WARN("central killed " << kills << " times at crash points, client passes failed " << failures.load() << " times");
}

TEST_CASE("The worker notices when the link returns and backs off meanwhile")
{
    TempDir c("sync-c"), t("sync-t");
    InProcessCentral central(c.path());
    auto id = enrolled_terminal(central, t.path(), 150);
    // The link is down: the proxy's upstream is a port where nobody listens.
    FaultProxy proxy(1);
    auto worker = sync::SyncWorker::create(options_for(t.path(), 50, proxy.url()), {}).release_value();
    worker->start();
    // One snapshot, taken once the worker waits after its third failure: a second read could land in the
    // middle of the next attempt (state Syncing), as it once did on a loaded machine.
    sync::SyncProgress down;
    REQUIRE(test::eventually([&] {
        down = worker->progress();
        return down.failures >= 3 && down.state == sync::SyncState::Waiting;
    }));
    CHECK(down.state == sync::SyncState::Waiting);
    REQUIRE(down.last_error);
    CHECK(down.last_error->code == "error.sync.network");
    CHECK_FALSE(down.alarm);
    CHECK(down.pending == 150);
    // The link comes back.
    proxy.set_upstream(central.port());
    sync::SyncProgress up;
    REQUIRE(test::eventually([&] {
        up = worker->progress();
        return up.pending == 0 && !up.last_error;
    }));
    CHECK_FALSE(up.last_error);
    CHECK(up.failures == 0);
    worker->stop();
    require_exact_copy(central.store(), t.path(), id.terminal_id);
}

TEST_CASE("nafitha-ctl enroll and sync move a simulated day to central and bring decisions back")
{
    TempDir c("sync-ctl-c"), t("sync-ctl-t");
    auto ctl = (bin_dir() / "nafitha-ctl").string();
    auto run = [](const std::string& cmd) { return test::run_command(cmd); };
    REQUIRE(run(ctl + " simulate --data " + t.path().string() + " --transactions 20").first == 0);
    CentralProcess central(c.path());
    {
        InProcessCentral setup(c.path());
        auto code = setup.add_code("DAM-01");
        auto enroll = run(ctl + " enroll --data " + t.path().string() + " --server " + setup.url() + " --code " + code);
        REQUIRE(enroll.first == 0);
        // The same terminal asking again (its answer lost) is enrolled again; any other terminal is refused.
        CHECK(run(ctl + " enroll --data " + t.path().string() + " --server " + setup.url() + " --code " + code).first == 0);
        TempDir other("sync-ctl-o");
        REQUIRE(run(ctl + " simulate --data " + other.path().string() + " --transactions 1").first == 0);
        CHECK(run(ctl + " enroll --data " + other.path().string() + " --server " + setup.url() + " --code " + code).first != 0);
    }
    central.start();
    auto sync = run(ctl + " sync --data " + t.path().string() + " --once --server " + central.url());
    CHECK(sync.first == 0);
    auto status = nlohmann::json::parse(run(ctl + " status --data " + t.path().string() + " --json").second);
    CHECK(status["pending"] == 0);
    CHECK(status["sync"]["enrolled"] == true);
    int64_t last = status["journal_last_seq"];
    CHECK(last > 20);
    // A decision taken centrally comes back as a journal entry and goes out again.
    central.stop();
    std::string ref;
    {
        auto store = central::open_sqlite_store(c.path()).release_value();
        CHECK(static_cast<int64_t>(store->entries(id_of(t.path())).value().size()) == last);
        ref = first_reference(c.path());
        REQUIRE(store->add_decision(ref, "approved", "", clock::unix_ms()).ok());
    }
    central.start();
    CHECK(run(ctl + " sync --data " + t.path().string() + " --once --server " + central.url()).first == 0);
    status = nlohmann::json::parse(run(ctl + " status --data " + t.path().string() + " --json").second);
    CHECK(status["journal_last_seq"] == last + 1);
    CHECK(status["pending"] == 0);
    central.stop();
    auto store = central::open_sqlite_store(c.path()).release_value();
    require_exact_copy(*store, t.path(), id_of(t.path()));
}

TEST_CASE("A tampered journal entry is refused by central and raises the alarm once")
{
    TempDir c("sync-c"), t("sync-t");
    InProcessCentral central(c.path());
    auto id = enrolled_terminal(central, t.path(), 40);
    {
        auto worker = sync::SyncWorker::create(options_for(t.path(), 10), {}).release_value();
        REQUIRE(worker->run_once().ok());
    }
    append_entries(t.path(), id, 40);
    {
        // Someone edits entry 55 behind the journal's back.
        auto db = db::Db::open(journal::database_file(t.path())).release_value();
        REQUIRE(db.exec("DROP TRIGGER journal_no_update").ok());
        REQUIRE(db.exec("UPDATE journal SET payload = '{\"amount_minor\":1}' WHERE seq = 55").ok());
    }
    auto worker = sync::SyncWorker::create(options_for(t.path(), 10), {}).release_value();
    auto r = worker->run_once();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "error.central.entry_invalid");
    auto p = worker->progress();
    CHECK(p.alarm);
    // The batches before the bad one went through: batches of 10 entries end with a signed entry (transactions of
    // three in this journal), so the one before entry 55 ended at 51.
    CHECK(p.acked_seq == 51);
    CHECK(central.store().entries(id.terminal_id).value().size() == 51);
    // Passes after the alarm do not knock on central again.
    CHECK(worker->run_once().error().code == "error.central.entry_invalid");
    CHECK(central.store().entries(id.terminal_id).value().size() == 51);
}

TEST_CASE("Central refuses a batch that ends with an entry no signature covers and stores nothing of it")
{
    TempDir c("sync-c"), t("sync-t");
    InProcessCentral central(c.path());
    auto id = enrolled_terminal(central, t.path(), 9); // three transactions of three entries
    auto reader = journal::Reader::open(journal::database_file(t.path())).release_value();
    auto all = reader.entries_after(0, 100, 1 << 30).value();
    REQUIRE(all.size() == 9);
    REQUIRE(protocol::is_signed(all[2]));
    REQUIRE_FALSE(protocol::is_signed(all[3]));
    sync::CentralClient client(central.url(), id, {});
    // Cut in the middle of a transaction: entries 1..5, the last one unsigned (a man in the middle, or a bug).
    std::vector<protocol::Entry> cut(all.begin(), all.begin() + 5);
    auto r = client.ingest(cut);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "error.central.entry_unsigned");
    CHECK(central.store().entries(id.terminal_id).value().empty());
    // The signature of a transaction's last entry stripped: refused too.
    std::vector<protocol::Entry> stripped(all.begin(), all.begin() + 3);
    stripped.back().signature.clear();
    CHECK(client.ingest(stripped).error().code == "error.central.entry_unsigned");
    CHECK(central.store().entries(id.terminal_id).value().empty());
    // An unsigned entry changed (its hash recomputed) breaks the chain the next signature covers.
    std::vector<protocol::Entry> changed(all.begin(), all.begin() + 3);
    changed[1].payload["amount_minor"] = 1;
    REQUIRE(protocol::seal_hash(changed[1]).ok());
    CHECK(client.ingest(changed).error().code == "error.central.entry_invalid");
    CHECK(central.store().entries(id.terminal_id).value().empty());
    // The honest batch goes through whole.
    REQUIRE(client.ingest(all).ok());
    CHECK(central.store().entries(id.terminal_id).value().size() == 9);
}
