// The per-transaction signatures checked after the answer survive a crash (issue 14, central/signatures.h): each
// terminal's signature watermark (schema 17) says through which seq every stored entry was checked, and a central
// that starts checks, in the background, the stored entries above it. Both stores; real nafitha-central processes
// over loopback HTTP, killed with SIGKILL (by the test, or by themselves at a crash point).

#include "tests/store/store_env.h"
#include "tests/support/progress.h"

#include "base/clock.h"
#include "central/server.h"
#include "central/signatures.h"
#include "sync/client/central_client.h"
#include "sync/client/http.h"

#include <csignal>
#include <random>
#include <set>
#include <sys/wait.h>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

// A nafitha-central serving the test's store: SQLite in the store's folder, PostgreSQL through --store (its own
// folder holds the log).
std::unique_ptr<CentralProcess> central_for(StoreEnv& env, const TempDir& dir)
{
    auto where = env.location();
    if (!where.url.empty())
        return std::make_unique<CentralProcess>(dir.path(), std::vector<std::string>{"--store", where.url});
    return std::make_unique<CentralProcess>(where.data_dir);
}

std::string new_code(StoreEnv& env)
{
    auto store = env.open();
    return central::create_enrollment_code(*store, "DAM-01", "signatures test", clock::unix_ms()).value();
}

journal::Identity enroll_at(const std::string& url, const std::string& code)
{
    journal::Identity id;
    id.keys = protocol::generate_keypair();
    id.terminal_id = protocol::terminal_id_for(id.keys.public_key);
    sync::CentralClient client(url, id, {});
    auto answer = client.enroll(code);
    if (!answer.ok())
        FAIL("enroll: " << answer.error().to_string());
    return id;
}

int64_t watermark(StoreEnv& env, const std::string& terminal_id)
{
    return env.sql_int("SELECT signatures_checked_seq FROM terminals WHERE id = '" + terminal_id + "'");
}

int64_t last_seq(StoreEnv& env, const std::string& terminal_id)
{
    return env.sql_int("SELECT last_seq FROM terminals WHERE id = '" + terminal_id + "'");
}

// The entry's signature replaced by another key's over the same bytes: the chain and every hash stay valid.
void forge(protocol::Entry& e)
{
    static const auto thief = protocol::generate_keypair();
    e.signature = protocol::sign(thief.secret_key, protocol::signing_bytes(e).value());
}

// Whether the child has exited, without reaping it (CentralProcess::wait_exit does).
bool exited(pid_t pid)
{
    siginfo_t info{};
    return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

std::multiset<int64_t> signature_alarms(central::Store& store, const std::string& terminal_id)
{
    std::multiset<int64_t> out;
    auto alarms = store.fork_alarms().value(); // (kept: a loop over a temporary Result's value would read freed memory)
    for (const auto& a : alarms)
        if (a.terminal_id == terminal_id && a.stored_hash == "signature:invalid")
            out.insert(a.seq);
    return out;
}

} // namespace

STORE_TEST("A bad inner signature acknowledged by a central killed before its checker ran is raised when central next starts")
{
    TempDir dir("signatures-kill");
    std::string code = new_code(env);
    auto central = central_for(env, dir);
    // The checker held: it checks nothing, so the kill below lands after the answer and before any check.
    central->start(0, {{"NAFITHA_TEST_HOLD_SIGNATURES", "1"}});
    auto id = enroll_at(central->url(), code);
    // Transactions of three: entries 3, 6, 9 signed; entry 6 signed by another key. Entry 9's signature, the chain
    // and the request authenticate the batch: it is stored and acknowledged.
    auto chain = make_chain(id.keys, id.terminal_id, 1, 9, protocol::kGenesisHash, 3);
    REQUIRE(protocol::is_signed(chain[5]));
    forge(chain[5]);
    sync::CentralClient client(central->url(), id, {});
    auto ack = client.ingest(chain);
    REQUIRE(ack.ok());
    CHECK(ack->ack.seq == 9);
    // Operators see them: stored above the watermark, and waiting on this instance.
    sync::HttpClient http({});
    auto metrics = http.request("GET", central->admin_url() + "/metrics", {}, "");
    REQUIRE(metrics.ok());
    CHECK(metrics->body.find("\nnafitha_central_signatures_unchecked 9\n") != std::string::npos);
    CHECK(metrics->body.find("\nnafitha_central_signatures_backlog 9\n") != std::string::npos);
    central->kill_hard();
    CHECK(watermark(env, id.terminal_id) == 0);
    CHECK(last_seq(env, id.terminal_id) == 9);
    {
        auto store = env.open();
        CHECK(signature_alarms(*store, id.terminal_id).empty());
        auto backlog = store->signature_backlog().value();
        REQUIRE(backlog.size() == 1);
        CHECK(backlog[0].terminal_id == id.terminal_id);
        CHECK(backlog[0].checked_seq == 0);
        CHECK(backlog[0].last_seq == 9);
    }
    // Started again, without the hold: the stored entries above the watermark are checked in the background.
    central->start(central->port());
    REQUIRE(test::eventually([&] { return watermark(env, id.terminal_id) == 9; }));
    // And the terminal goes on meanwhile.
    auto more = make_chain(id.keys, id.terminal_id, 10, 6, chain.back().hash, 3);
    REQUIRE(client.ingest(more).ok());
    REQUIRE(test::eventually([&] { return watermark(env, id.terminal_id) == 15; }));
    central->stop();
    {
        auto store = env.open();
        CHECK(signature_alarms(*store, id.terminal_id) == std::multiset<int64_t>{6});
        CHECK(store->signature_backlog().value().empty());
    }
    // A third start has nothing to check and raises nothing again.
    central->start(central->port());
    central->stop();
    auto store = env.open();
    CHECK(signature_alarms(*store, id.terminal_id) == std::multiset<int64_t>{6});
}

STORE_TEST("Central killed at many points while a terminal syncs checks every stored signature and raises each bad one once")
{
    // SQLite: 50 kills; PostgreSQL (slower to start): 10. Each start arms a crash point of its work after it is ready
    // (a statement, a commit: of the ingest, of the checker's watermark or alarm, of the start-up check).
    const int kills = env.kind() == "sqlite" ? 50 : 10;
    constexpr int64_t kBatch = 30;
    TempDir dir("signatures-kills");
    std::string code = new_code(env);
    auto central = central_for(env, dir);
    central->start();
    auto id = enroll_at(central->url(), code);
    sync::CentralClient client(central->url(), id, {});
    // The terminal's journal, made as it goes, in batches of kBatch (a transaction of three entries each, so every
    // third entry signed); in every fifth batch the signature of its 15th entry is another key's.
    std::vector<protocol::Entry> journal;
    std::set<int64_t> forged;
    auto grow = [&] {
        int64_t first = static_cast<int64_t>(journal.size()) + 1;
        auto batch = make_chain(id.keys, id.terminal_id, first, kBatch, journal.empty() ? protocol::kGenesisHash : journal.back().hash, 3);
        if ((first / kBatch) % 5 == 2) {
            REQUIRE(protocol::is_signed(batch[14]));
            forge(batch[14]);
            forged.insert(batch[14].seq);
        }
        journal.insert(journal.end(), batch.begin(), batch.end());
    };
    int64_t acked = 0;
    // Sends the next batch; false when the request failed (central died, or answered an error).
    auto send = [&]() -> bool {
        while (static_cast<int64_t>(journal.size()) < acked + kBatch)
            grow();
        std::vector<protocol::Entry> batch(journal.begin() + acked, journal.begin() + acked + kBatch);
        auto r = client.ingest(batch);
        if (!r.ok())
            return false;
        REQUIRE(r->ack.seq >= acked);
        acked = r->ack.seq;
        return true;
    };
    std::mt19937 rng(14);
    int64_t before_kills = 0;
    for (int k = 0; k < kills; ++k) {
        int port = central->port();
        central->stop();
        long long at = std::uniform_int_distribution<long long>(1, 1500)(rng);
        central->start(port, {{"NAFITHA_CRASH_AT", std::to_string(at)}, {"NAFITHA_CRASH_AFTER_READY", "1"}});
        if (k == 0)
            before_kills = acked;
        // The terminal syncs until central kills itself at the armed point (a failed request is retried while it lives).
        while (!exited(central->pid()))
            (void)send();
        int status = central->wait_exit();
        REQUIRE(WIFSIGNALED(status));
        REQUIRE(WTERMSIG(status) == SIGKILL);
        central->start(port);
    }
    // After the last start: the terminal sends the rest of its journal, and central checks everything stored.
    while (acked < static_cast<int64_t>(journal.size()))
        REQUIRE(send());
    const int64_t last = static_cast<int64_t>(journal.size());
    REQUIRE(test::eventually([&] { return watermark(env, id.terminal_id) == last; }));
    central->stop();
    auto store = env.open();
    // Nothing lost, nothing doubled: central holds exactly the journal.
    auto held = central_hashes(*store, id.terminal_id);
    REQUIRE(held.size() == journal.size());
    for (size_t i = 0; i < held.size(); ++i) {
        REQUIRE(held[i].first == static_cast<int64_t>(i + 1));
        REQUIRE(held[i].second == journal[i].hash);
    }
    CHECK(store->find_terminal(id.terminal_id).value()->entries == last);
    CHECK(env.sql_int("SELECT COUNT(*) FROM (SELECT terminal, seq FROM entries GROUP BY 1, 2 HAVING COUNT(*) > 1) d") == 0);
    // Every bad signature raised exactly once, and nothing for the good ones.
    auto alarms = signature_alarms(*store, id.terminal_id);
    CHECK(alarms == std::multiset<int64_t>(forged.begin(), forged.end()));
    CHECK(store->signature_backlog().value().empty());
    CHECK(watermark(env, id.terminal_id) == last);
    REQUIRE(acked > before_kills);
    WARN(env.kind() << ": central killed " << kills << " times at crash points while a terminal synced " << last << " entries ("
                    << forged.size() << " with a bad inner signature): every one stored once, every bad one raised once");
}

STORE_TEST("Migration 17 gives existing terminals watermark 0 and the first start checks what earlier versions stored")
{
    TestTerminal t;
    std::vector<protocol::Entry> chain;
    {
        auto old = env.open({.target_version = 16});
        REQUIRE(old->schema_version() == 16);
        t = enroll_terminal(*old);
        chain = make_chain(t.keys, t.id, 1, 12, protocol::kGenesisHash, 3);
        forge(chain[5]); // entry 6: stored by the earlier version, never checked (as after a crash)
        ingest_ok(*old, t.id, chain, clock::unix_ms());
    }
    auto store = env.open();
    REQUIRE(store->schema_version() >= 17);
    CHECK(watermark(env, t.id) == 0);
    auto backlog = store->signature_backlog().value();
    REQUIRE(backlog.size() == 1);
    CHECK(backlog[0].checked_seq == 0);
    CHECK(backlog[0].last_seq == 12);
    {
        central::DeferredSignatures checker(*store, nullptr);
        checker.wait_idle();
        CHECK(checker.bad() == 1);
        CHECK(checker.checked() == 4); // entries 3, 6, 9, 12
        CHECK(checker.backlog() == 0);
    }
    CHECK(watermark(env, t.id) == 12);
    CHECK(signature_alarms(*store, t.id) == std::multiset<int64_t>{6});

    // A batch checked before storing (the queue was full) moves the watermark in its own transaction when it was
    // contiguous; a batch left to the checker does not, and then neither does a checked one above the gap.
    auto next = make_chain(t.keys, t.id, 13, 6, chain.back().hash, 3);
    central::IngestRefusal why;
    REQUIRE(store->ingest(t.id, next, clock::unix_ms(), why, central::SignatureCheck::done).ok());
    CHECK(watermark(env, t.id) == 18);
    auto deferred = make_chain(t.keys, t.id, 19, 6, next.back().hash, 3);
    forge(deferred[2]); // entry 21
    REQUIRE(store->ingest(t.id, deferred, clock::unix_ms(), why, central::SignatureCheck::deferred).ok());
    auto above = make_chain(t.keys, t.id, 25, 6, deferred.back().hash, 3);
    REQUIRE(store->ingest(t.id, above, clock::unix_ms(), why, central::SignatureCheck::done).ok());
    CHECK(watermark(env, t.id) == 18);
    {
        // The next start checks 19..30 (checking 25..30 again costs nothing but time) and raises entry 21 once.
        central::DeferredSignatures checker(*store, nullptr);
        checker.wait_idle();
        CHECK(checker.bad() == 1);
    }
    CHECK(watermark(env, t.id) == 30);
    CHECK(signature_alarms(*store, t.id) == std::multiset<int64_t>{6, 21});
    {
        central::DeferredSignatures checker(*store, nullptr); // nothing left
        checker.wait_idle();
        CHECK(checker.checked() == 0);
    }
    CHECK(signature_alarms(*store, t.id) == std::multiset<int64_t>{6, 21});
}

STORE_TEST("Batches of one terminal checked out of order move its watermark only over what is checked below it")
{
    auto store = env.open();
    auto t = enroll_terminal(*store);
    central::DeferredSignatures checker(*store, nullptr); // nothing to check at its start
    checker.wait_idle();
    auto chain = make_chain(t.keys, t.id, 1, 40, protocol::kGenesisHash, 3);
    central::IngestRefusal why;
    for (size_t k = 0; k < 3; ++k)
        REQUIRE(store->ingest(t.id, slice(chain, k * 10, 10), clock::unix_ms(), why).ok());
    // The checks of 11..20 and 21..30 finish before those of 1..10 (two requests answered out of order): the
    // watermark stays at 0 until 1..10 is checked too.
    checker.submit(t.id, t.keys.public_key, slice(chain, 20, 10));
    checker.submit(t.id, t.keys.public_key, slice(chain, 10, 10));
    checker.wait_idle();
    CHECK(watermark(env, t.id) == 0);
    checker.submit(t.id, t.keys.public_key, slice(chain, 0, 10));
    checker.wait_idle();
    CHECK(watermark(env, t.id) == 30);
    // Checked before storing, contiguous: the ingest transaction moves it itself.
    REQUIRE(store->ingest(t.id, slice(chain, 30, 10), clock::unix_ms(), why, central::SignatureCheck::done).ok());
    CHECK(watermark(env, t.id) == 40);
    checker.checked_before_storing(t.id, 31, 40);
    checker.wait_idle();
    CHECK(watermark(env, t.id) == 40);
    CHECK(checker.bad() == 0);
    // The store's own rule: never down, never past what is stored.
    CHECK(store->advance_signatures_checked(t.id, 3).value() == 40);
    CHECK(store->advance_signatures_checked(t.id, 99).value() == 40);
}
