// Power cuts (tests/support/powercut_vfs.h): the machine loses power at a random storage operation and every
// write not yet synced may or may not reach the disk, page by page. On the terminal during citizen visits,
// and on central's SQLite store during ingest, hundreds of times each: after every cut, everything
// acknowledged before it is there, the chain verifies, and integrity_check says ok.

#include "base/clock.h"
#include "central/server.h"
#include "central/store.h"
#include "db/sqlite.h"
#include "kiosk/services/simulator.h"
#include "kiosk/services/terminal.h"
#include "sync/journal/identity.h"
#include "sync/journal/journal.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/messages.h"
#include "tests/support/powercut_vfs.h"
#include "tests/sync/harness.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

constexpr int kTerminalCuts = 600;
constexpr int kCentralCuts = 500;

std::string integrity(const std::filesystem::path& file)
{
    auto db = db::Db::open(file, db::OpenMode::ReadWrite);
    REQUIRE(db.ok());
    auto st = db->prepare("PRAGMA integrity_check").value();
    REQUIRE(st.step().value());
    return st.text(0);
}

services::TerminalOptions terminal_options(const std::filesystem::path& dir)
{
    services::TerminalOptions o;
    o.data_dir = dir;
    o.centre = "DAM-01";
    o.seed_catalogue = std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets/catalogue/seed.json";
    o.pin_cost = services::PinCost::test();
    return o;
}

// One "boot" of the terminal: open it and run up to `visits` visits; every reference shown goes to `shown`.
void terminal_session(const std::filesystem::path& dir, uint64_t seed, int visits, std::set<std::string>& shown)
{
    auto t = services::Terminal::open(terminal_options(dir));
    if (!t.ok())
        return; // the power went while it started
    auto clerk = services::Simulator::ensure_clerk(*t.value());
    if (!clerk.ok())
        return;
    services::Simulator sim(*t.value(), seed, clerk.value());
    sim.on_committed([&](const std::string& reference, const std::string&) { shown.insert(reference); });
    for (int i = 0; i < visits; ++i)
        if (!sim.visit().ok())
            return;
}

// The terminal after a reboot: a sound database, a chain that verifies, projections that match the journal,
// and every reference in `shown` there exactly once.
void check_terminal(const std::filesystem::path& dir, const std::set<std::string>& shown, int64_t verify_from)
{
    REQUIRE(integrity(journal::database_file(dir)) == "ok");
    auto id = journal::load_identity(dir);
    REQUIRE(id.ok());
    auto db = db::Db::open(journal::database_file(dir), db::OpenMode::ReadWrite).value();
    auto report = journal::verify(db, id->keys.public_key, verify_from);
    REQUIRE(report.ok());
    INFO(report->problem);
    REQUIRE(report->ok());
    auto count = [&](const std::string& sql) { return db.scalar_int64(sql).value(); };
    CHECK(count("SELECT COUNT(*) FROM applications")
          == count("SELECT COUNT(*) FROM journal WHERE type = 'application.submitted'"));
    CHECK(count("SELECT COUNT(*) FROM payments") == count("SELECT COUNT(*) FROM journal WHERE type = 'payment.recorded'"));
    for (const auto& ref : shown) {
        auto q = db.prepare("SELECT COUNT(*) FROM applications WHERE reference = ?1").value();
        q.bind(1, ref);
        REQUIRE(q.step().value());
        INFO("reference shown before the cut: " << ref);
        REQUIRE(q.int64(0) == 1);
    }
}

} // namespace

TEST_CASE("The terminal loses power at random moments of citizen visits and keeps every acknowledged one")
{
    powercut::install();
    TempDir dir("powercut-terminal");
    std::set<std::string> shown;
    // A first boot without a cut (identity, schema, clerk), then one to learn how many storage operations
    // three visits take.
    terminal_session(dir.path(), 1, 1, shown);
    powercut::arm(0, 0);
    terminal_session(dir.path(), 2, 3, shown);
    uint64_t per_session = powercut::operations();
    REQUIRE(per_session > 10);
    check_terminal(dir.path(), shown, 1);

    std::mt19937_64 rng(2024);
    int cuts = 0;
    int64_t verified = 0;
    auto start = powercut::stats();
    for (int i = 0; i < kTerminalCuts; ++i) {
        std::set<std::string> fresh;
        powercut::arm(std::uniform_int_distribution<uint64_t>(1, per_session)(rng), rng());
        terminal_session(dir.path(), rng(), 3, fresh);
        bool cut = powercut::is_off();
        powercut::power_on();
        cuts += cut;
        INFO("cut " << i);
        // The chain from where the last check left it (all of it every 50 cuts); this boot's references.
        check_terminal(dir.path(), fresh, i % 50 == 0 ? 1 : verified + 1);
        shown.insert(fresh.begin(), fresh.end());
        auto db = db::Db::open(journal::database_file(dir.path()), db::OpenMode::ReadWrite).value();
        verified = journal::last_seq(db).value();
    }
    check_terminal(dir.path(), shown, 1);
    auto end = powercut::stats();
    WARN("terminal: " << cuts << " power cuts, " << end.pages_lost - start.pages_lost << " unsynced pages lost and "
                      << end.pages_kept - start.pages_kept << " kept, " << shown.size() << " acknowledged visits all there");
    CHECK(cuts >= kTerminalCuts * 9 / 10);
    CHECK(end.pages_lost > start.pages_lost);
    CHECK(shown.size() > 100);
}

TEST_CASE("Central's SQLite store loses power at random moments of ingest and keeps every acknowledged entry")
{
    powercut::install();
    TempDir dir("powercut-central");
    auto keys = protocol::generate_keypair();
    std::string tid = protocol::terminal_id_for(keys.public_key);
    constexpr int64_t kBatch = 25;
    auto chain = make_chain(keys, tid, 1, 40 * kBatch * 3 + kCentralCuts * kBatch * 3);
    {
        auto store = central::open_sqlite_store(dir.path()).release_value();
        auto code = central::create_enrollment_code(*store, "DAM-01", "powercut", nafitha::clock::unix_ms()).value();
        REQUIRE(store->enroll(protocol::sha256_hex(central::normalise_code(code)), tid,
                              protocol::encode_public_key(keys.public_key), nafitha::clock::unix_ms())
                    .ok());
    }
    int64_t acked = 0; // the highest seq central ever acknowledged
    // One "boot" of central's store: ingest up to three batches from where central stands.
    auto session = [&](int64_t from) {
        auto store = central::open_sqlite_store(dir.path());
        if (!store.ok())
            return;
        for (int b = 0; b < 3 && from < static_cast<int64_t>(chain.size()); ++b) {
            std::vector<protocol::Entry> batch(chain.begin() + from,
                                               chain.begin() + std::min<int64_t>(from + kBatch, static_cast<int64_t>(chain.size())));
            central::IngestRefusal refusal;
            auto r = store.value()->ingest(tid, batch, nafitha::clock::unix_ms(), refusal);
            if (!r.ok())
                return;
            acked = std::max(acked, r->acked_seq);
            from = r->acked_seq;
        }
    };
    // Where central stands after a reboot, checked: a sound database, exactly the chain's first entries.
    auto stored_after_reboot = [&]() -> int64_t {
        REQUIRE(integrity(dir / "central.db") == "ok");
        auto store = central::open_sqlite_store(dir.path()).release_value();
        auto held = store->entries(tid).value();
        REQUIRE(static_cast<int64_t>(held.size()) >= acked);
        size_t same = 0;
        while (same < held.size() && held[same].seq == static_cast<int64_t>(same + 1) && held[same].hash == chain[same].hash)
            ++same;
        REQUIRE(same == held.size()); // exactly the chain's first entries, in order
        auto counts = store->counts().value();
        CHECK(counts.entries == static_cast<int64_t>(held.size()));
        CHECK(counts.fork_alarms == 0);
        return static_cast<int64_t>(held.size());
    };
    powercut::arm(0, 0);
    session(0);
    uint64_t per_session = powercut::operations();
    REQUIRE(per_session > 5);
    int64_t stored = stored_after_reboot();
    std::mt19937_64 rng(77);
    int cuts = 0;
    for (int i = 0; i < kCentralCuts && stored + kBatch * 3 <= static_cast<int64_t>(chain.size()); ++i) {
        powercut::arm(std::uniform_int_distribution<uint64_t>(1, per_session)(rng), rng());
        session(stored);
        bool cut = powercut::is_off();
        powercut::power_on();
        cuts += cut;
        INFO("cut " << i);
        stored = stored_after_reboot();
    }
    WARN("central: " << cuts << " power cuts during ingest, " << stored << " entries stored, every acknowledged one there");
    CHECK(cuts >= kCentralCuts * 9 / 10);
}
