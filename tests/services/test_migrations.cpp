// Every migration is tested by upgrading a database made by the previous version, with data in it.

#include "helpers.h"

#include "kiosk/services/pii.h"
#include "kiosk/services/reference.h"
#include "kiosk/services/schema.h"
#include "sync/journal/journal.h"

using namespace nafitha;
using namespace nafitha::services;

// Writes, with the SQL of schema version 1, one paid application with its journal entries.
static std::string seed_version1(const std::filesystem::path& dir, db::Db& db, const journal::Identity& id)
{
    auto vault = PiiVault::load_or_create(dir).value();
    auto ref = make_reference(terminal_tag(id.terminal_id), 1);
    auto tx = db::Transaction::begin(db).value();
    auto st = db.prepare("INSERT INTO applications (id, reference, service_code, centre, status, channel, fee_json, fee_total, "
                         "paid_total, values_json, pii, nid_hash, submitted_at, catalogue_version) VALUES "
                         "(1, ?1, 'civil.birth_extract', 'DAM-01', 'paid', 'kiosk', '{\"total\":200000}', 200000, 200000, "
                         "'{\"copies\":\"1\"}', ?2, ?3, '2026-10-01T08:00:00.000Z', 1)").value();
    st.bind(1, ref).bind_blob(2, vault.seal(R"({"full_name":"نور الشامي","national_id":"55555555555"})", ref))
        .bind(3, vault.lookup_hash("55555555555"));
    REQUIRE(st.run().ok());
    REQUIRE(db.exec("INSERT INTO application_history (application_id, status, time, actor) VALUES "
                    "(1, 'submitted', '2026-10-01T08:00:00.000Z', 'kiosk'), (1, 'paid', '2026-10-01T08:00:01.000Z', 'kiosk');"
                    "INSERT INTO payments (application_id, method, amount, tendered, change, time, day) VALUES "
                    "(1, 'cash', 200000, 200000, 0, '2026-10-01T08:00:01.000Z', '2026-10-01');").ok());
    // Version 1 signed every entry.
    REQUIRE(journal::append(db, id, "application.submitted", {{"reference", ref}}).ok());
    REQUIRE(journal::sign_pending(db, id).ok());
    REQUIRE(journal::append(db, id, "payment.recorded",
                            {{"payment_id", 1}, {"reference", ref}, {"method", "cash"}, {"amount_minor", 200000},
                             {"tendered_minor", 200000}, {"change_minor", 0}, {"waived_minor", 0}, {"day", "2026-10-01"},
                             {"time", "2026-10-01T08:00:01.000Z"}})
                .ok());
    REQUIRE(journal::sign_pending(db, id).ok());
    REQUIRE(tx.commit().ok());
    return ref;
}

TEST_CASE("Migration 2 and 3 upgrade a version 1 database with its data")
{
    test::TempDir dir("mig1");
    std::filesystem::create_directories(dir.path);
    auto id = journal::load_or_create_identity(dir.path).value();
    std::string ref;
    {
        auto db = db::Db::open(journal::database_file(dir.path)).value();
        REQUIRE(migrate(db, 1).value() == 1);
        CHECK_FALSE(db.exec("SELECT * FROM tickets").ok());
        ref = seed_version1(dir.path, db, id);
    }
    auto t = test::open_terminal(dir.path);
    CHECK(schema_version(t->database()).value() == kSchemaVersion);
    auto app = t->application(ref).value();
    CHECK(app.status == AppStatus::Paid);
    CHECK(app.applicant.full_name == "نور الشامي");
    CHECK(app.expected_ready.empty());
    CHECK(app.history.size() == 2);
    CHECK(t->applications_of("55555555555").value().size() == 1);
    CHECK(t->day_totals("2026-10-01").value().cash_minor == 200000);
    // Version 2 and 3 features work on the upgraded data.
    CHECK(t->issue_ticket("civil_records").ok());
    REQUIRE(t->apply_central_decision(ref, "approved", "", "2026-11-01T00:00:00.000Z", 7).ok());
    CHECK(t->application(ref).value().status == AppStatus::Approved);
    // The new application after the upgrade continues the numbering.
    auto sub = t->submit({"civil.birth_extract", test::birth_extract_values()}).value();
    CHECK(sub.application.id == 2);
    auto report = journal::verify(t->database(), t->identity().keys.public_key).value();
    CHECK(report.ok());
    CHECK(report.entries >= 5);
    CHECK(test::integrity(t->database()) == "ok");
}

TEST_CASE("Migration 3 upgrades a version 2 database with tickets and surveys")
{
    test::TempDir dir("mig2");
    std::filesystem::create_directories(dir.path);
    auto id = journal::load_or_create_identity(dir.path).value();
    std::string ref;
    {
        auto db = db::Db::open(journal::database_file(dir.path)).value();
        REQUIRE(migrate(db, 2).value() == 2);
        ref = seed_version1(dir.path, db, id);
        REQUIRE(db.exec("INSERT INTO tickets (id, number, category, centre, day, seq, status, issued_ms, called_ms, served_ms, counter) "
                        "VALUES (1, 'A001', 'civil_records', 'DAM-01', '2026-10-01', 1, 'served', 1000, 61000, 181000, 2);"
                        "INSERT INTO surveys (application_id, ticket_id, rating, reason, time) VALUES (1, 1, 4, '', '2026-10-01T08:05:00.000Z');")
                    .ok());
        CHECK_FALSE(db.exec("SELECT expected_ready FROM applications").ok());
    }
    auto t = test::open_terminal(dir.path);
    CHECK(schema_version(t->database()).value() == kSchemaVersion);
    CHECK(t->ticket(1).value().number == "A001");
    CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM surveys").value() == 1);
    CHECK(t->application(ref).value().expected_ready.empty());
    REQUIRE(t->apply_central_decision(ref, "rejected", "ناقص وثائق", "2026-11-01T00:00:00.000Z", 1).ok());
    CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM central_decisions").value() == 1);
    CHECK(t->application(ref).value().status == AppStatus::Rejected);
    CHECK(journal::verify(t->database(), t->identity().keys.public_key).value().ok());
}

TEST_CASE("A database from a newer version is refused")
{
    test::TempDir dir("newer");
    std::filesystem::create_directories(dir.path);
    {
        auto db = db::Db::open(journal::database_file(dir.path)).value();
        REQUIRE(db.exec("PRAGMA user_version = 99").ok());
    }
    auto t = Terminal::open(test::options(dir.path));
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == "error.db.too_new");
}
