// Trust in both directions (issue 14). A terminal with real services and a real central on 127.0.0.1; a fake central
// (plain HTTP, tests/trust/fake_central.h) plays the attacker on the network; the terminal's own files are attacked
// with its key, as root would.

#include "tests/sync/harness.h"
#include "tests/trust/fake_central.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "central/server.h"
#include "kiosk/services/projection.h"
#include "kiosk/services/simulator.h"
#include "kiosk/services/terminal.h"
#include "sync/client/config.h"
#include "sync/client/enroll.h"
#include "sync/client/worker.h"
#include "sync/journal/journal.h"
#include "sync/protocol/canonical.h"
#include "sync/protocol/signed.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <sys/wait.h>
#include <fstream>

using namespace nafitha;
using namespace nafitha::testing;
using central::front::Request;
using central::front::Response;

namespace {

std::filesystem::path seed_file() { return std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets/catalogue/seed.json"; }

nlohmann::json seed_catalogue()
{
    std::ifstream f(seed_file());
    return nlohmann::json::parse(f);
}

// The seed catalogue as version `v`, every fixed fee multiplied by `fee_factor` (or set to `fixed_fee` when >= 0).
nlohmann::json catalogue_version(int64_t v, int64_t fixed_fee = -1)
{
    auto doc = seed_catalogue();
    doc["version"] = v;
    for (auto& s : doc["services"])
        if (s["fee"]["kind"] == "fixed" && fixed_fee >= 0)
            s["fee"]["amount"] = fixed_fee;
    return doc;
}

// A terminal (real services) enrolled at a real central, with some citizens served and everything synced once.
struct Site {
    TempDir central_dir{"trust-c"};
    TempDir terminal_dir{"trust-t"};
    std::unique_ptr<InProcessCentral> central;
    std::unique_ptr<services::Terminal> terminal;
    int64_t clerk = 0;

    explicit Site(int visits = 5)
    {
        central = std::make_unique<InProcessCentral>(central_dir.path());
        REQUIRE(central->store().import_catalogue(catalogue_version(2), clock::unix_ms()).ok());
        terminal = open_terminal();
        REQUIRE(sync::enroll(terminal_dir.path(), central->url(), central->add_code(), {}).ok());
        clerk = services::Simulator::ensure_clerk(*terminal).value();
        serve(visits);
        REQUIRE(sync_via(central->url()).ok());
        REQUIRE(terminal->catalogue()->version == 2);
    }

    std::unique_ptr<services::Terminal> open_terminal()
    {
        services::TerminalOptions o;
        o.data_dir = terminal_dir.path();
        o.seed_catalogue = seed_file();
        o.pin_cost = services::PinCost::test();
        auto t = services::Terminal::open(o);
        REQUIRE(t.ok());
        return t.release_value();
    }

    void serve(int visits)
    {
        services::Simulator sim(*terminal, 7 + static_cast<uint64_t>(visits), clerk);
        for (int i = 0; i < visits; ++i)
            REQUIRE(sim.visit().ok());
    }

    sync::SyncCallbacks callbacks()
    {
        sync::SyncCallbacks cb;
        auto* t = terminal.get();
        cb.apply_decision = [t](const sync::CheckedDecision& c) {
            const auto& d = c.decision;
            return t->apply_central_decision(d.reference, d.status, d.note, d.decided_at, d.cursor, c.signed_decision.signature, d.reason);
        };
        cb.install_catalogue = [t](const sync::CheckedCatalogue& c) { return t->install_central_catalogue(c.document, c.signed_statement); };
        return cb;
    }

    // One pass of the real sync worker (what `nafitha-ctl sync --once --server URL` does).
    Result<void> sync_via(const std::string& url, sync::SyncProgress* progress = nullptr)
    {
        sync::SyncOptions o;
        o.data_dir = terminal_dir.path();
        o.server_url = url;
        o.http.connect_timeout_ms = 2000;
        o.http.transfer_timeout_ms = 15000;
        auto worker = sync::SyncWorker::create(o, callbacks());
        if (!worker.ok())
            return worker.release_error();
        auto r = worker.value()->run_once();
        if (progress)
            *progress = worker.value()->progress();
        return r;
    }

    int64_t acked() { return journal::acked_seq(terminal->database()).value(); }
    int64_t last() { return journal::last_seq(terminal->database()).value(); }
    std::string reference() { return terminal->last_reference().value(); }
};

// The alarm was raised with `code`, and `code` reads in Arabic and in English.
void require_alarm(Site& site, const sync::SyncProgress& p, const std::string& code)
{
    CHECK(p.alarm);
    REQUIRE(p.last_error);
    CHECK(p.last_error->code == code);
    CHECK(std::filesystem::exists(site.terminal_dir.path() / "sync_alarm.json"));
    auto i18n = I18n::load(paths::assets_dir());
    REQUIRE(i18n.ok());
    CHECK(i18n->has(Lang::Ar, code));
    CHECK(i18n->has(Lang::En, code));
    REQUIRE(sync::SyncWorker::clear_alarm(site.terminal_dir.path()).ok());
}

Response json_answer(const nlohmann::json& j) { return Response::json(200, j); }

} // namespace

TEST_CASE("A fake central that acknowledges without storing is refused and nothing moves")
{
    Site site;
    site.serve(3);
    int64_t acked_before = site.acked(), last = site.last();
    REQUIRE(last > acked_before);
    FakeCentral fake;
    auto other = protocol::generate_keypair();
    std::string tid = site.terminal->identity().terminal_id;
    // It claims to hold everything, unsigned...
    fake.on("GET", "/v1/terminal", [&](Request&) {
        return json_answer({{"terminal_id", tid}, {"acked_seq", acked_before}, {"last_hash", protocol::kGenesisHash},
                            {"centre", "DAM-01"}, {"status", "active"}});
    });
    sync::SyncProgress p;
    CHECK_FALSE(site.sync_via(fake.url(), &p).ok());
    require_alarm(site, p, "error.sync.answer_unsigned");
    // ...then signed with a key of its own, with a well-formed ack for every batch.
    fake.on("GET", "/v1/terminal", [&](Request& req) {
        auto hash = journal::hash_at(site.terminal->database(), acked_before).value().value();
        auto ack = protocol::sign_statement(protocol::statement_of(protocol::Ack{tid, acked_before, hash, clock::unix_ms()}),
                                            other.secret_key).value();
        auto res = json_answer({{"terminal_id", tid}, {"acked_seq", acked_before}, {"last_hash", hash}, {"ack", protocol::to_json(ack)}});
        FakeCentral::sign_answer(other.secret_key, req, res);
        return res;
    });
    fake.on("POST", "/v1/ingest", [&](Request& req) {
        auto ack = protocol::sign_statement(
            protocol::statement_of(protocol::Ack{tid, last, journal::hash_at(site.terminal->database(), last).value().value(), 0}),
            other.secret_key).value();
        auto res = json_answer({{"acked_seq", last}, {"stored", last - acked_before}, {"ack", protocol::to_json(ack)}});
        FakeCentral::sign_answer(other.secret_key, req, res);
        return res;
    });
    CHECK_FALSE(site.sync_via(fake.url(), &p).ok());
    require_alarm(site, p, "error.sync.answer_forged");
    CHECK(fake.hits("/v1/ingest") == 0);
    CHECK(site.acked() == acked_before);
    // --server was for those runs only: sync.json still names the real central, which gets everything.
    CHECK(sync::load_config(site.terminal_dir.path())->server_url == site.central->url());
    REQUIRE(site.sync_via({}).ok());
    CHECK(site.acked() == last);
    CHECK(central_hashes(site.central->store(), tid).size() == static_cast<size_t>(last));
}

TEST_CASE("Forged decisions and catalogues from a fake central are refused with nothing applied")
{
    Site site;
    FakeCentral fake;
    auto other = protocol::generate_keypair();
    std::string tid = site.terminal->identity().terminal_id;
    std::string ref = site.reference();
    auto status_before = site.terminal->application(ref).value().status;
    // Where the fake is honest, it forwards to the real central.
    fake.forward("GET", "/v1/terminal", site.central->url());
    fake.forward("POST", "/v1/ingest", site.central->url());
    fake.forward("GET", "/v1/catalogue", site.central->url());
    auto forged_decision = [&](const protocol::SecretKey* key) {
        fake.on("GET", "/v1/status", [&, key](Request& req) {
            protocol::DecisionStatement d{tid, 999, ref, "approved", "", clock::now_iso8601(), ""};
            nlohmann::json list = nlohmann::json::array();
            if (key)
                list.push_back(protocol::to_json(protocol::sign_statement(protocol::statement_of(d), *key).value()));
            else
                list.push_back({{"cursor", 999}, {"reference", ref}, {"status", "approved"}, {"note", ""}, {"decided_at", ""}});
            auto res = json_answer({{"decisions", list}, {"next_cursor", 999}});
            if (key)
                FakeCentral::sign_answer(*key, req, res);
            return res;
        });
    };
    sync::SyncProgress p;
    forged_decision(nullptr);
    CHECK_FALSE(site.sync_via(fake.url(), &p).ok());
    require_alarm(site, p, "error.sync.answer_unsigned");
    forged_decision(&other.secret_key);
    CHECK_FALSE(site.sync_via(fake.url(), &p).ok());
    require_alarm(site, p, "error.sync.answer_forged");
    CHECK(site.terminal->application(ref).value().status == status_before);

    // A catalogue of version 99 where every fixed fee is 1 minor unit.
    fake.forward("GET", "/v1/status", site.central->url());
    auto forged_catalogue = [&](const protocol::SecretKey* key) {
        fake.on("GET", "/v1/catalogue", [&, key](Request& req) {
            auto doc = catalogue_version(99, 1);
            protocol::CatalogueStatement st{99, protocol::sha256_hex(protocol::canonical_json(doc).value()), clock::unix_ms(),
                                            clock::unix_ms() + 86'400'000};
            nlohmann::json answer = {{"version", 99}, {"up_to_date", false}, {"document", doc}};
            if (key)
                answer["catalogue"] = protocol::to_json(protocol::sign_statement(protocol::statement_of(st), *key).value());
            auto res = json_answer(answer);
            if (key)
                FakeCentral::sign_answer(*key, req, res);
            return res;
        });
    };
    forged_catalogue(nullptr);
    CHECK_FALSE(site.sync_via(fake.url(), &p).ok());
    require_alarm(site, p, "error.sync.answer_unsigned");
    forged_catalogue(&other.secret_key);
    CHECK_FALSE(site.sync_via(fake.url(), &p).ok());
    require_alarm(site, p, "error.sync.answer_forged");
    CHECK(site.terminal->catalogue()->version == 2);
    auto fee = site.terminal->catalogue()->service("civil.birth_extract")->fee.amount;
    CHECK(fee > 1);
    CHECK(sync::load_config(site.terminal_dir.path())->catalogue_version == 2);
    CHECK(site.terminal->database().scalar_int64("SELECT COUNT(*) FROM catalogue_versions WHERE version = 99").value() == 0);
}

TEST_CASE("Replayed answers and old catalogues are refused even when central once signed them")
{
    Site site;
    FakeCentral fake;
    fake.forward("GET", "/v1/terminal", site.central->url());
    fake.forward("POST", "/v1/ingest", site.central->url());
    fake.forward("GET", "/v1/status", site.central->url());
    fake.forward("GET", "/v1/catalogue", site.central->url());
    // Central publishes version 3; the terminal gets it through the (for now honest) fake, which records it.
    REQUIRE(site.central->store().import_catalogue(catalogue_version(3), clock::unix_ms()).ok());
    REQUIRE(site.sync_via(fake.url()).ok());
    REQUIRE(site.terminal->catalogue()->version == 3);
    auto answers = fake.recorded("/v1/catalogue");
    auto v3 = std::find_if(answers.begin(), answers.end(), [](const auto& a) { return a.body.find("\"document\"") != std::string::npos; });
    REQUIRE(v3 != answers.end());
    // Version 4 is published; the fake replays central's genuine answer for version 3 (signed, for another request).
    REQUIRE(site.central->store().import_catalogue(catalogue_version(4, 5), clock::unix_ms()).ok());
    fake.replay("GET", "/v1/catalogue", *v3);
    sync::SyncProgress p;
    CHECK_FALSE(site.sync_via(fake.url(), &p).ok());
    require_alarm(site, p, "error.sync.answer_forged");
    // A recorded acknowledgement replayed to a later request is refused the same way.
    auto acks = fake.recorded("/v1/terminal");
    REQUIRE_FALSE(acks.empty());
    fake.replay("GET", "/v1/terminal", acks.front());
    CHECK_FALSE(site.sync_via(fake.url(), &p).ok());
    require_alarm(site, p, "error.sync.answer_forged");
    CHECK(site.terminal->catalogue()->version == 3);

    // Even with central's own key (a central that lost its mind, or its key stolen), an older catalogue than the one
    // installed from central is refused: no rollback.
    auto key = central::load_or_create_server_key(site.central_dir.path()).value();
    fake.forward("GET", "/v1/terminal", site.central->url());
    fake.on("GET", "/v1/catalogue", [&](Request& req) {
        auto doc = catalogue_version(2, 1);
        protocol::CatalogueStatement st{2, protocol::sha256_hex(protocol::canonical_json(doc).value()), 0, clock::unix_ms() + 86'400'000};
        auto res = json_answer({{"version", 2}, {"up_to_date", false}, {"document", doc},
                                {"catalogue", protocol::to_json(protocol::sign_statement(protocol::statement_of(st), key.secret_key).value())}});
        FakeCentral::sign_answer(key.secret_key, req, res);
        return res;
    });
    CHECK_FALSE(site.sync_via(fake.url(), &p).ok());
    require_alarm(site, p, "error.sync.catalogue_rollback");
    CHECK(site.terminal->catalogue()->version == 3);
    // The real central then brings version 4.
    REQUIRE(site.sync_via({}).ok());
    CHECK(site.terminal->catalogue()->version == 4);
    CHECK(site.terminal->catalogue_expires_ms() > clock::unix_ms());
}

TEST_CASE("A status change posing as central is refused by central and recorded as an alarm")
{
    Site site;
    std::string ref = site.reference();
    std::string tid = site.terminal->identity().terminal_id;
    // Root on the terminal, with its key: a status change with actor central that central never decided.
    REQUIRE(site.terminal->apply_central_decision(ref, "approved", "", clock::now_iso8601(), 4242).ok());
    CHECK(site.terminal->application(ref).value().status == services::AppStatus::Approved);
    sync::SyncProgress p;
    auto r = site.sync_via({}, &p);
    REQUIRE_FALSE(r.ok());
    require_alarm(site, p, "error.central.forged_decision");
    auto alarms = site.central->store().fork_alarms().value();
    REQUIRE(alarms.size() == 1);
    CHECK(alarms[0].terminal_id == tid);
    CHECK(alarms[0].stored_hash == "decision:none");
    // Central's tables did not move.
    auto apps = site.central->store().applications_by_status(0, INT64_MAX).value();
    for (const auto& a : apps)
        CHECK(a.status != "approved");
}

TEST_CASE("A central decision comes back signed and is accepted when it is journalled")
{
    Site site;
    std::string ref = site.reference();
    REQUIRE(site.central->store().add_decision(ref, "approved", "ok", clock::unix_ms()).ok());
    REQUIRE(site.sync_via({}).ok());
    CHECK(site.terminal->application(ref).value().status == services::AppStatus::Approved);
    CHECK(site.acked() == site.last());
    CHECK(site.central->store().fork_alarms().value().empty());
}

namespace {

// Root on the terminal, with its key: drops the journal's guards and rewrites entry `seq` (a new payload field), then
// re-chains and re-signs every entry after it, so that the journal verifies on its own.
void rewrite_and_resign(Site& site, int64_t seq)
{
    auto& db = site.terminal->database();
    const auto& id = site.terminal->identity();
    REQUIRE(db.exec("DROP TRIGGER IF EXISTS journal_no_update").ok());
    auto entries = journal::entries_after(db, seq - 1, 1'000'000, SIZE_MAX).value();
    std::string prev = journal::hash_at(db, seq - 1).value().value();
    for (auto& e : entries) {
        if (e.seq == seq)
            e.payload["rewritten"] = true;
        e.prev_hash = prev;
        REQUIRE(protocol::seal(e, id.keys.secret_key).ok());
        prev = e.hash;
        auto st = db.prepare("UPDATE journal SET payload = ?1, prev_hash = ?2, hash = ?3, signature = ?4 WHERE seq = ?5").value();
        st.bind(1, protocol::canonical_json(e.payload).value()).bind(2, e.prev_hash).bind(3, e.hash).bind(4, e.signature).bind(5, e.seq);
        REQUIRE(st.run().ok());
    }
}

protocol::PublicKey central_key(Site& site)
{
    return protocol::decode_public_key(sync::load_config(site.terminal_dir.path())->server_public_key).value();
}

} // namespace

TEST_CASE("An acknowledged entry rewritten and re-signed with the terminal key is caught by journal verify and at the next sync on both ends")
{
    Site site;
    int64_t acked = site.acked();
    REQUIRE(acked > 3);
    rewrite_and_resign(site, 3);
    auto& db = site.terminal->database();
    const auto& pub = site.terminal->identity().keys.public_key;
    // The chain alone verifies (the attacker has the key)...
    auto plain = journal::verify(db, pub).value();
    CHECK_FALSE(plain.ok()); // ...but not against central's kept acknowledgement, even without central's key
    CHECK(plain.first_bad_seq == acked);
    auto full = journal::verify(db, pub, 1, central_key(site)).value();
    CHECK_FALSE(full.ok());
    CHECK(full.first_bad_seq == acked);
    CHECK(full.problem.find("central acknowledged") != std::string::npos);
    // The attacker also removes the kept acknowledgement: the next sync compares with central's signed one.
    REQUIRE(db.exec("DELETE FROM central_ack").ok());
    CHECK(journal::verify(db, pub, 1, central_key(site)).value().ok());
    sync::SyncProgress p;
    CHECK_FALSE(site.sync_via({}, &p).ok());
    require_alarm(site, p, "error.sync.fork");
    auto alarms = site.central->store().fork_alarms().value();
    REQUIRE(alarms.size() == 1);
    CHECK(alarms[0].seq == acked);
    CHECK(alarms[0].offered_hash == journal::hash_at(db, acked).value().value());
}

TEST_CASE("Acknowledged entries cut from the journal are caught by journal verify and at the next sync")
{
    Site site;
    site.serve(2);
    int64_t acked = site.acked();
    auto& db = site.terminal->database();
    const auto& pub = site.terminal->identity().keys.public_key;
    REQUIRE(db.exec("DROP TRIGGER IF EXISTS journal_no_delete").ok());
    REQUIRE(db.exec("DROP TRIGGER IF EXISTS journal_watermark_forward").ok());
    auto cut = db.prepare("DELETE FROM journal WHERE seq > ?1").value();
    cut.bind(1, acked - 2);
    REQUIRE(cut.run().ok());
    auto wm = db.prepare("UPDATE journal_watermark SET acked_seq = ?1").value();
    wm.bind(1, acked - 2);
    REQUIRE(wm.run().ok());
    auto report = journal::verify(db, pub, 1, central_key(site)).value();
    CHECK_FALSE(report.ok());
    INFO(report.problem);
    CHECK((report.problem.find("removed") != std::string::npos || report.problem.find("not signed") != std::string::npos));
    // Reusing the numbers: new entries at the cut seqs.
    site.serve(1);
    CHECK_FALSE(journal::verify(db, pub, 1, central_key(site)).value().ok());
    sync::SyncProgress p;
    CHECK_FALSE(site.sync_via({}, &p).ok());
    CHECK(p.alarm);
    REQUIRE(p.last_error);
    CHECK((p.last_error->code == "error.sync.fork" || p.last_error->code == "error.sync.journal_truncated"));
}

namespace {

std::string run_capture(const std::string& cmd, int* status = nullptr)
{
    std::string out;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    int rc = ::pclose(p);
    if (status)
        *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

std::string ctl() { return (bin_dir() / "nafitha-ctl").string(); }

} // namespace

TEST_CASE("Business tables refuse changes from outside the services and journal verify names the first difference")
{
    Site site(6);
    // The terminal's own today (its local day): between local midnight and UTC midnight the UTC date is another
    // day, and this test once failed in the three hours after 21:00 UTC by asking for it.
    auto z_before = site.terminal->day_totals().value();
    auto day = z_before.day;
    REQUIRE(z_before.count > 0);
    int status = -1;
    auto ok = run_capture(ctl() + " journal verify --data " + site.terminal_dir.path().string(), &status);
    INFO(ok);
    CHECK(status == 0);
    CHECK(ok.find("table rows equal the journal's projection") != std::string::npos);
    CHECK(ok.find("central's signed acknowledgement matches") != std::string::npos);
    // Root with the sqlite3 shell (any connection but the services'): the tables refuse.
    auto raw = db::Db::open(journal::database_file(site.terminal_dir.path())).value();
    CHECK_FALSE(raw.exec("UPDATE payments SET amount = 1").ok());
    CHECK_FALSE(raw.exec("DELETE FROM payments").ok());
    CHECK_FALSE(raw.exec("UPDATE applications SET status = 'approved'").ok());
    CHECK_FALSE(raw.exec("DELETE FROM tickets").ok());
    CHECK_FALSE(raw.exec("INSERT INTO application_history (application_id, status, time, actor) VALUES (1, 'approved', 'x', 'central')").ok());
    // Dropping the guards works (root can), and then journal verify names the first difference while the Z report,
    // computed from the journal, does not move.
    REQUIRE(raw.exec("DROP TRIGGER payments_no_update").ok());
    REQUIRE(raw.exec("UPDATE payments SET amount = 1 WHERE id = (SELECT MIN(id) FROM payments WHERE amount > 1)").ok());
    auto z_after = site.terminal->day_totals(day).value();
    CHECK(z_after.cash_minor == z_before.cash_minor);
    CHECK(z_after.card_minor == z_before.card_minor);
    auto bad = run_capture(ctl() + " journal verify --data " + site.terminal_dir.path().string(), &status);
    INFO(bad);
    CHECK(status == 1);
    CHECK(bad.find("the tables differ") != std::string::npos);
    CHECK(bad.find("payments") != std::string::npos);
    CHECK(bad.find("amount is 1 in the table") != std::string::npos);
    // An application moved to approved behind the journal's back is named too.
    REQUIRE(raw.exec("DROP TRIGGER applications_only_services_update").ok());
    REQUIRE(raw.exec("UPDATE payments SET amount = (SELECT amount FROM payments WHERE id = 1) WHERE id = 1").ok());
    auto report = services::check_projection(raw, site.terminal->identity().terminal_id).value();
    CHECK_FALSE(report.ok());
}

TEST_CASE("A status change posing as central is caught by journal verify with central's key")
{
    Site site;
    std::string ref = site.reference();
    REQUIRE(site.terminal->apply_central_decision(ref, "approved", "", clock::now_iso8601(), 4242, "bm90IGNlbnRyYWw=").ok());
    int status = -1;
    auto out = run_capture(ctl() + " journal verify --data " + site.terminal_dir.path().string(), &status);
    INFO(out);
    CHECK(status == 1);
    CHECK(out.find("claims a decision of central") != std::string::npos);
}

TEST_CASE("A central decision with a reason code is signed with it and journal verify accepts it")
{
    Site site;
    std::string ref = site.reference();
    REQUIRE(site.central->store().add_decision(ref, "rejected", "صورة غير واضحة", clock::unix_ms(), {}, "documents_missing").ok());
    REQUIRE(site.sync_via({}).ok());
    auto app = site.terminal->application(ref).value();
    CHECK(app.status == services::AppStatus::Rejected);
    CHECK(app.history.back().reason == "documents_missing");
    CHECK(app.history.back().note == "صورة غير واضحة");
    CHECK(site.central->store().fork_alarms().value().empty());
    int status = -1;
    auto out = run_capture(ctl() + " journal verify --data " + site.terminal_dir.path().string(), &status);
    INFO(out);
    CHECK(status == 0);
    // A code this terminal does not know for that decision is left out of the history, but the journal keeps
    // it as central signed it, so journal verify still accepts the entry.
    site.serve(1);
    REQUIRE(site.sync_via({}).ok());
    std::string other = site.reference();
    REQUIRE(other != ref);
    REQUIRE(site.central->store().add_decision(other, "rejected", "", clock::unix_ms(), {}, "not_a_reason_here").ok());
    REQUIRE(site.sync_via({}).ok());
    auto app2 = site.terminal->application(other).value();
    CHECK(app2.status == services::AppStatus::Rejected);
    CHECK(app2.history.back().reason.empty());
    out = run_capture(ctl() + " journal verify --data " + site.terminal_dir.path().string(), &status);
    INFO(out);
    CHECK(status == 0);
    // The statement carries the reason only when there is one: older statements verify unchanged.
    CHECK_FALSE(protocol::statement_of(protocol::DecisionStatement{"T", 1, ref, "approved", "", "x", ""}).contains("reason"));
    auto with = protocol::statement_of(protocol::DecisionStatement{"T", 1, ref, "rejected", "", "x", "duplicate"});
    CHECK(protocol::decision_statement(with).value().reason == "duplicate");
}
