// What only the SQLite store has: its first schema (before numbered migrations) and the online backup.

#include "tests/store/store_env.h"

#include "base/clock.h"
#include "central/indicators.h"
#include "central/identity.h"
#include "central/store/verify.h"
#include "db/sqlite.h"

#include <atomic>
#include <sys/stat.h>
#include <thread>

using namespace nafitha;
using namespace nafitha::testing;
using nlohmann::json;

TEST_CASE("SQLite: a version 1 store holding data migrates to the latest and keeps everything")
{
    TempDir dir("migrate");
    {
        auto v1 = central::open_sqlite_store(dir.path(), {.target_version = 1});
        REQUIRE(v1.ok());
        CHECK(v1.value()->schema_version() == 1);
    }
    auto keys = protocol::generate_keypair();
    TestTerminal t{keys, protocol::terminal_id_for(keys.public_key), "HMS-01"};
    std::vector<std::pair<std::string, json>> items;
    for (int i = 1; i <= 40; ++i) {
        std::string ref = "HMS-" + std::to_string(i);
        items.push_back({"application.submitted", {{"reference", ref}, {"service_code", "civil.id"}, {"entity", "civil"},
                                                    {"channel", "kiosk"}, {"centre", "HMS-01"}, {"fee_minor", 100 * i},
                                                    {"name", "سارة"}}});
        items.push_back({"payment.recorded", {{"reference", ref}, {"amount_minor", 100 * i}, {"method", "cash"}}});
        items.push_back({"ticket.issued", {{"ticket_id", i}, {"category", "civil"}}});
    }
    auto chain = seal_chain(t, 1, protocol::kGenesisHash, items, "2026-01-05T08:00:00.000Z");
    {
        // Rows exactly as the version 1 code wrote them.
        auto db = db::Db::open(dir.path() / "central.db").release_value();
        auto ins = db.prepare("INSERT INTO terminals(id, centre, name, status, public_key, last_seq, last_hash, entries, enrolled_ms, "
                              "last_ingest_ms) VALUES(?,?,?,?,?,?,?,?,?,?)").release_value();
        ins.bind(1, t.id).bind(2, "HMS-01").bind(3, "kiosk").bind(4, "active").bind(5, protocol::encode_public_key(keys.public_key))
            .bind(6, static_cast<int64_t>(chain.size())).bind(7, chain.back().hash).bind(8, static_cast<int64_t>(chain.size()))
            .bind(9, int64_t{1000}).bind(10, int64_t{2000});
        REQUIRE(ins.run().ok());
        for (const auto& e : chain) {
            auto st = db.prepare("INSERT INTO entries(terminal_id, seq, id, type, time, payload, prev_hash, hash, signature, received_ms) "
                                 "VALUES(?,?,?,?,?,?,?,?,?,?)").release_value();
            st.bind(1, t.id).bind(2, e.seq).bind(3, e.id).bind(4, e.type).bind(5, e.time).bind(6, e.payload.dump()).bind(7, e.prev_hash)
                .bind(8, e.hash).bind(9, e.signature).bind(10, int64_t{1767600000000} + e.seq / 10);
            REQUIRE(st.run().ok());
            if (e.type == "application.submitted") {
                auto a = db.prepare("INSERT INTO applications(terminal_id, reference, centre, service_code, status, fee_minor, "
                                    "submitted_at, updated_at) VALUES(?,?,?,?,?,?,?,?)").release_value();
                bool decided = e.payload["reference"] == "HMS-7";
                a.bind(1, t.id).bind(2, e.payload["reference"].get<std::string>()).bind(3, "HMS-01").bind(4, "civil.id")
                    .bind(5, decided ? "approved" : "submitted").bind(6, e.payload["fee_minor"].get<int64_t>()).bind(7, e.time)
                    .bind(8, decided ? "2026-01-06T10:00:00.000Z" : e.time);
                REQUIRE(a.run().ok());
            }
        }
        REQUIRE(db.exec("INSERT INTO decisions(reference, terminal_id, status, note, decided_at) "
                        "VALUES('HMS-7', '" + t.id + "', 'approved', 'ok', '2026-01-06T10:00:00.000Z');"
                        "INSERT INTO catalogues(version, document, imported_ms) VALUES(3, '{\"version\":3}', 5);"
                        "INSERT INTO enrollment_codes(code_hash, centre, name, created_ms, expires_ms) VALUES('h', 'HMS-01', 'n', 1, 2);"
                        "INSERT INTO fork_alarms(terminal_id, seq, stored_hash, offered_hash, time_ms) VALUES('" + t.id + "', 3, 'a', 'b', 9);")
                    .ok());
    }
    auto opened = central::open_sqlite_store(dir.path());
    if (!opened.ok())
        FAIL(opened.error().to_string());
    auto store = opened.release_value();
    CHECK(store->schema_version() == central::sqlite_schema_latest());
    auto report = central::verify_store(*store).value();
    for (const auto& d : report.details)
        UNSCOPED_INFO(d);
    CHECK(report.ok());
    CHECK(report.entries == 120);
    auto stored = store->entries(t.id).value();
    REQUIRE(stored.size() == chain.size());
    for (size_t i = 0; i < chain.size(); ++i)
        CHECK(stored[i].hash == chain[i].hash);
    auto rec = store->find_terminal(t.id).value().value();
    CHECK(rec.last_seq == 120);
    CHECK(rec.last_ingest_ms == 2000);
    auto rows = store->fees_due_vs_paid("HMS-01", 202601).value();
    REQUIRE(rows.size() == 40);
    for (const auto& r : rows)
        CHECK(r.due_minor == r.paid_minor);
    auto apps = store->applications_by_status(central::month_start_ms(202601), central::month_start_ms(202602)).value();
    std::map<std::string, int64_t> per_status;
    for (const auto& a : apps)
        per_status[a.status] += a.count;
    CHECK(per_status["approved"] == 1); // the central decision carried over
    CHECK(per_status["submitted"] == 39);
    CHECK(store->decisions_after(t.id, 0, 10).value().size() == 1);
    CHECK(store->latest_catalogue().value()->version == 3);
    CHECK(store->fork_alarms().value().size() == 1);
    CHECK(store->months().value() == std::vector<int32_t>{202601});
    CHECK(store->counts().value().tickets == 40);
    // Version 7: the rollup built from the stored applications answers as the applications themselves.
    for (const auto& by : std::vector<std::vector<std::string>>{{}, {"day", "terminal"}, {"month", "service", "channel"}}) {
        auto defs = central::indicators::builtin_definitions().value();
        central::indicators::Query q{0, 30000LL * 86400000, by, clock::unix_ms()};
        auto from_rollup = central::indicators::compute(*store, defs, q).value();
        q.raw = true;
        CHECK(from_rollup == central::indicators::compute(*store, defs, q).value());
        CHECK(!from_rollup.empty());
    }
    // The terminal carries on where it was.
    auto more = seal_chain(t, 121, chain.back().hash, {{"survey.recorded", {{"rating", 5}}}}, "2026-01-07T08:00:00.000Z");
    CHECK(ingest_ok(*store, t.id, more, clock::unix_ms()).acked_seq == 121);
}

TEST_CASE("SQLite: the online backup is a consistent copy taken while central writes")
{
    TempDir dir("backup"), out("backup-out");
    auto store = central::open_sqlite_store(dir.path()).release_value();
    auto t = enroll_terminal(*store);
    std::vector<std::pair<std::string, json>> items(3000, {"survey.recorded", {{"rating", 3}}});
    auto chain = seal_chain(t, 1, protocol::kGenesisHash, items, "2026-01-07T08:00:00.000Z");
    ingest_ok(*store, t.id, slice(chain, 0, 500), clock::unix_ms());
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (size_t from = 500; from < chain.size(); from += 50)
            ingest_ok(*store, t.id, slice(chain, from, 50), clock::unix_ms());
        done = true;
    });
    int copies = 0;
    do {
        auto target = out / ("copy-" + std::to_string(copies++) + ".db");
        auto entries = central::backup_sqlite_store(dir.path(), target);
        if (!entries.ok())
            FAIL(entries.error().to_string());
        // Each copy is a store of its own that verifies, holding a prefix of the chain.
        TempDir restored("backup-restored");
        std::filesystem::copy_file(target, restored / "central.db");
        auto copy = central::open_sqlite_store(restored.path()).release_value();
        auto report = central::verify_store(*copy).value();
        CHECK(report.ok());
        CHECK(report.entries == entries.value());
        CHECK(copy->counts().value().surveys == entries.value());
    } while (!done);
    writer.join();
    CHECK(copies >= 1);
    CHECK(central::backup_sqlite_store(dir.path(), out / "copy-0.db").error().code == "error.central.backup_exists");
}

TEST_CASE("SQLite: central's data folder and key are narrowed to 0700 and 0600 at every start and a linked key is refused")
{
    TempDir dir("perm");
    auto mode = [](const std::filesystem::path& p) {
        struct stat st{};
        REQUIRE(::lstat(p.c_str(), &st) == 0);
        return st.st_mode & 07777;
    };
    {
        auto store = central::open_sqlite_store(dir.path()).release_value();
        REQUIRE(central::load_central_key(*store, dir.path(), {}).ok());
    }
    CHECK(mode(dir.path()) == 0700);
    CHECK(mode(dir.path() / "central.db") == 0600);
    CHECK(mode(dir.path() / "server.key") == 0600);
    ::chmod(dir.path().c_str(), 0755);
    ::chmod((dir.path() / "central.db").c_str(), 0644);
    ::chmod((dir.path() / "server.key").c_str(), 0640);
    {
        auto store = central::open_sqlite_store(dir.path()).release_value();
        REQUIRE(central::load_central_key(*store, dir.path(), {}).ok());
    }
    CHECK(mode(dir.path()) == 0700);
    CHECK(mode(dir.path() / "central.db") == 0600);
    CHECK(mode(dir.path() / "server.key") == 0600);
    // --key pointing at a link: refused, the key is not used.
    TempDir other("perm-other");
    std::filesystem::create_directories(other.path());
    std::filesystem::create_symlink(dir.path() / "server.key", other.path() / "linked.key");
    auto store = central::open_sqlite_store(dir.path()).release_value();
    auto refused = central::load_central_key(*store, {}, other.path() / "linked.key");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "error.fs.unsafe_key_file");
}
