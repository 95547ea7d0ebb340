#include "sync/journal/journal.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace nafitha;

namespace {

struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& name)
    {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               ("nafitha-journal-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

db::Db open_db(const std::filesystem::path& dir)
{
    auto db = db::Db::open(journal::database_file(dir));
    REQUIRE(db.ok());
    REQUIRE(journal::create_schema(db.value()).ok());
    return db.release_value();
}

void append_n(db::Db& db, const journal::Identity& id, int n)
{
    for (int i = 0; i < n; ++i) {
        auto tx = db::Transaction::begin(db);
        REQUIRE(tx.ok());
        auto e = journal::append(db, id, "test.entry", {{"i", i}, {"text", "نافذة"}});
        REQUIRE(e.ok());
        REQUIRE(journal::commit(db, id, tx.value()).ok());
    }
}

} // namespace

TEST_CASE("Identity is created once with a private key file and a stable terminal id")
{
    TempDir dir("identity");
    auto a = journal::load_or_create_identity(dir.path / "data");
    REQUIRE(a.ok());
    CHECK(a->terminal_id.size() == 13);
    CHECK(a->terminal_id[0] == 'T');
    struct stat st {};
    REQUIRE(::stat((dir.path / "data" / "terminal.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto b = journal::load_or_create_identity(dir.path / "data");
    REQUIRE(b.ok());
    CHECK(b->terminal_id == a->terminal_id);
    CHECK(b->keys.public_key == a->keys.public_key);
    CHECK(journal::load_identity(dir.path / "missing").error().code == "error.journal.no_identity");
}

TEST_CASE("Appends form a gapless signed chain that verifies")
{
    TempDir dir("chain");
    auto id = journal::load_or_create_identity(dir.path).value();
    auto db = open_db(dir.path);
    append_n(db, id, 20);
    CHECK(journal::last_seq(db).value() == 20);
    auto report = journal::verify(db, id.keys.public_key);
    REQUIRE(report.ok());
    CHECK(report->ok());
    CHECK(report->entries == 20);
    auto tail = journal::verify(db, id.keys.public_key, 15).value();
    CHECK(tail.ok());
    CHECK(tail.entries == 6);
    CHECK(tail.last_seq == 20);
    auto entries = journal::entries_after(db, 5, 3, 1 << 20).value();
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].seq == 6);
    CHECK(entries[1].prev_hash == entries[0].hash);
    CHECK(entries[0].payload["text"] == "نافذة");
    CHECK(protocol::verify_entry(entries[2], id.keys.public_key).ok());
    // A tiny byte budget still returns one entry.
    CHECK(journal::entries_after(db, 0, 100, 1).value().size() == 1);
}

TEST_CASE("Append outside a transaction is refused")
{
    TempDir dir("notx");
    auto id = journal::load_or_create_identity(dir.path).value();
    auto db = open_db(dir.path);
    auto e = journal::append(db, id, "test.entry", {{"a", 1}});
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().code == "error.journal.no_transaction");
    auto tx = db::Transaction::begin(db);
    REQUIRE(tx.ok());
    CHECK(journal::append(db, id, "test.entry", {{"f", 1.5}}).error().code == "error.journal.bad_entry");
    std::string big(protocol::kMaxEntryPayloadBytes + 1, 'x');
    CHECK(journal::append(db, id, "test.entry", {{"big", big}}).error().code == "error.journal.payload_too_large");
}

TEST_CASE("The database refuses to update or delete journal entries")
{
    TempDir dir("triggers");
    auto id = journal::load_or_create_identity(dir.path).value();
    auto db = open_db(dir.path);
    append_n(db, id, 3);
    auto upd = db.exec("UPDATE journal SET payload = '{}' WHERE seq = 2");
    REQUIRE_FALSE(upd.ok());
    CHECK(upd.error().code == "error.db.constraint");
    CHECK_FALSE(db.exec("DELETE FROM journal WHERE seq = 3").ok());
    CHECK(journal::last_seq(db).value() == 3);
}

TEST_CASE("Verify names the first altered or missing entry")
{
    TempDir dir("tamper");
    auto id = journal::load_or_create_identity(dir.path).value();
    auto db = open_db(dir.path);
    append_n(db, id, 10);
    // An attacker with file access can drop the triggers; verification must still catch the change.
    REQUIRE(db.exec("DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete;").ok());

    SECTION("altered payload")
    {
        REQUIRE(db.exec("UPDATE journal SET payload = '{\"i\":99,\"text\":\"x\"}' WHERE seq = 4").ok());
        auto r = journal::verify(db, id.keys.public_key).value();
        CHECK(r.first_bad_seq == 4);
        CHECK(r.problem.find("hash") != std::string::npos);
    }
    SECTION("re-hashed but not re-signed")
    {
        auto e = journal::entries_after(db, 6, 1, 1 << 20).value().at(0);
        e.payload["i"] = 1000;
        auto bytes = protocol::signing_bytes(e).value();
        auto st = db.prepare("UPDATE journal SET payload = ?1, hash = ?2 WHERE seq = 7").value();
        st.bind(1, e.payload.dump()).bind(2, protocol::sha256_hex(bytes));
        REQUIRE(st.run().ok());
        auto r = journal::verify(db, id.keys.public_key).value();
        CHECK(r.first_bad_seq == 7);
    }
    SECTION("deleted entry")
    {
        REQUIRE(db.exec("DELETE FROM journal WHERE seq = 5").ok());
        auto r = journal::verify(db, id.keys.public_key).value();
        CHECK(r.first_bad_seq == 5);
        CHECK(r.problem.find("missing") != std::string::npos);
    }
    SECTION("another terminal's key")
    {
        auto other = protocol::generate_keypair();
        auto r = journal::verify(db, other.public_key).value();
        CHECK(r.first_bad_seq == 1);
    }
}

TEST_CASE("The acknowledged watermark only moves forward and never past the end")
{
    TempDir dir("watermark");
    auto id = journal::load_or_create_identity(dir.path).value();
    auto db = open_db(dir.path);
    append_n(db, id, 5);
    CHECK(journal::pending(db).value() == 5);
    REQUIRE(journal::set_acked_seq(db, 3).ok());
    CHECK(journal::acked_seq(db).value() == 3);
    CHECK(journal::pending(db).value() == 2);
    REQUIRE(journal::set_acked_seq(db, 1).ok());
    CHECK(journal::acked_seq(db).value() == 3);
    CHECK(journal::set_acked_seq(db, 6).error().code == "error.journal.ack_beyond_end");
    CHECK_FALSE(db.exec("UPDATE journal_watermark SET acked_seq = 0").ok());

    // A second connection (the sync worker's) sees the same state and moves the watermark.
    auto reader = journal::Reader::open(journal::database_file(dir.path));
    REQUIRE(reader.ok());
    CHECK(reader->last_seq().value() == 5);
    CHECK(reader->entries_after(3, 10, 1 << 20).value().size() == 2);
    REQUIRE(reader->set_acked_seq(5).ok());
    CHECK(journal::pending(db).value() == 0);
}

TEST_CASE("A rolled back transaction leaves no entry and no gap")
{
    TempDir dir("rollback");
    auto id = journal::load_or_create_identity(dir.path).value();
    auto db = open_db(dir.path);
    append_n(db, id, 2);
    {
        auto tx = db::Transaction::begin(db);
        REQUIRE(tx.ok());
        REQUIRE(journal::append(db, id, "test.entry", {{"lost", 1}}).ok());
        // No commit: the destructor rolls back.
    }
    append_n(db, id, 1);
    CHECK(journal::last_seq(db).value() == 3);
    CHECK(journal::verify(db, id.keys.public_key).value().ok());
}

TEST_CASE("One signature per transaction covers its earlier entries through the chain")
{
    TempDir dir("one-sig");
    auto id = journal::load_or_create_identity(dir.path).value();
    auto db = open_db(dir.path);
    append_n(db, id, 2); // two transactions of one entry
    {
        auto tx = db::Transaction::begin(db).value();
        for (int i = 0; i < 3; ++i)
            REQUIRE(journal::append(db, id, "test.visit", {{"i", i}}).ok());
        // Before the commit, the end of the journal is unsigned: a batch leaves it out.
        CHECK(journal::entries_after(db, 0, 100, SIZE_MAX).value().size() == 2);
        REQUIRE(journal::commit(db, id, tx).ok());
    }
    auto all = journal::entries_after(db, 0, 100, SIZE_MAX).value();
    REQUIRE(all.size() == 5);
    CHECK(all[2].signature.empty());
    CHECK(all[3].signature.empty());
    CHECK_FALSE(all[4].signature.empty());
    CHECK(journal::verify(db, id.keys.public_key).value().ok());
    // A batch cut after entry 3 goes on to the end of its transaction.
    auto batch = journal::entries_after(db, 0, 3, SIZE_MAX).value();
    CHECK(batch.size() == 5);
    CHECK(journal::entries_after(db, 0, 2, SIZE_MAX).value().size() == 2);
    // The commit's signature may be set once; nothing else of an entry may change.
    CHECK_FALSE(db.exec("UPDATE journal SET signature = 'x' WHERE seq = 5").ok());
    CHECK_FALSE(db.exec("UPDATE journal SET payload = '{}' WHERE seq = 3").ok());
    CHECK_FALSE(db.exec("UPDATE journal SET signature = 'x', payload = '{}' WHERE seq = 3").ok());
}

TEST_CASE("An unsigned entry that no signature covers or that was changed does not verify")
{
    TempDir dir("uncovered");
    auto id = journal::load_or_create_identity(dir.path).value();
    auto db = open_db(dir.path);
    append_n(db, id, 2);
    {
        // A transaction committed without signing (a bug, or an attacker): its entries are not covered.
        auto tx = db::Transaction::begin(db).value();
        REQUIRE(journal::append(db, id, "test.visit", {{"i", 1}}).ok());
        REQUIRE(journal::append(db, id, "test.visit", {{"i", 2}}).ok());
        REQUIRE(tx.commit().ok());
    }
    auto report = journal::verify(db, id.keys.public_key).value();
    CHECK_FALSE(report.ok());
    CHECK(report.first_bad_seq == 3);
    // The next commit signs its own last entry, which covers them.
    append_n(db, id, 1);
    CHECK(journal::verify(db, id.keys.public_key).value().ok());
    // Changing a covered entry breaks its hash even though it carries no signature.
    REQUIRE(db.exec("DROP TRIGGER journal_no_update").ok());
    REQUIRE(db.exec("UPDATE journal SET payload = '{\"i\":9}' WHERE seq = 3").ok());
    report = journal::verify(db, id.keys.public_key).value();
    CHECK(report.first_bad_seq == 3);
}

TEST_CASE("A journal signed entry by entry (before one signature per transaction) still verifies")
{
    TempDir dir("old-style");
    auto id = journal::load_or_create_identity(dir.path).value();
    auto db = open_db(dir.path);
    auto tx = db::Transaction::begin(db).value();
    for (int i = 0; i < 4; ++i) {
        REQUIRE(journal::append(db, id, "test.entry", {{"i", i}}).ok());
        REQUIRE(journal::sign_pending(db, id).ok()); // every entry signed, as earlier versions did
    }
    REQUIRE(tx.commit().ok());
    for (const auto& e : journal::entries_after(db, 0, 100, SIZE_MAX).value())
        CHECK_FALSE(e.signature.empty());
    CHECK(journal::verify(db, id.keys.public_key).value().ok());
}
