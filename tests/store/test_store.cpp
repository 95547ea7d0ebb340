// The store suite: every test runs against SQLite and against PostgreSQL (a private cluster).

#include "tests/store/store_env.h"

#include "base/clock.h"
#include "central/indicators.h"
#include "central/store/rollup.h"
#include "central/server.h"
#include "central/store/archive.h"
#include "central/store/codec.h"
#include "central/store/facts.h"
#include "central/store/postgres/pg.h"
#include "central/store/verify.h"
#include "central/store/web_store.h"
#include "db/sqlite.h"

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>
#include <zlib.h>

using namespace nafitha;
using namespace nafitha::testing;
using nlohmann::json;

namespace {

const std::string kTime = "2026-03-14T09:30:00.000Z";

std::vector<std::pair<std::string, json>> visits(int n, const std::string& centre, int first_ref = 1)
{
    std::vector<std::pair<std::string, json>> out;
    for (int i = 0; i < n; ++i) {
        std::string ref = centre + "-" + std::to_string(first_ref + i);
        out.push_back({"ticket.issued", {{"ticket_id", first_ref + i}, {"category", "civil"}, {"centre", centre}}});
        out.push_back({"application.submitted",
                       {{"reference", ref}, {"service_code", "civil.birth_extract"}, {"entity", "civil"}, {"centre", centre},
                        {"channel", "kiosk"}, {"fee_minor", 5000 + i}}});
        out.push_back({"payment.recorded", {{"reference", ref}, {"amount_minor", 5000 + i}, {"method", "cash"}, {"centre", centre}}});
        out.push_back({"application.status_changed", {{"reference", ref}, {"from", "submitted"}, {"to", "paid"}}});
        out.push_back({"ticket.called", {{"ticket_id", first_ref + i}}});
        out.push_back({"ticket.served", {{"ticket_id", first_ref + i}}});
        out.push_back({"survey.recorded", {{"reference", ref}, {"rating", 1 + i % 5}}});
    }
    return out;
}

std::vector<std::pair<int64_t, std::string>> hashes_of(const std::vector<protocol::Entry>& chain)
{
    std::vector<std::pair<int64_t, std::string>> out;
    for (const auto& e : chain)
        out.emplace_back(e.seq, e.hash);
    return out;
}

std::vector<std::pair<int64_t, std::string>> stored_hashes(central::Store& store, const std::string& id)
{
    std::vector<std::pair<int64_t, std::string>> out;
    auto list = store.entries(id).value();
    for (const auto& e : list)
        out.emplace_back(e.seq, e.hash);
    return out;
}

int64_t now() { return clock::unix_ms(); }

} // namespace

STORE_TEST("Enrollment uses a code once and a lost answer can be asked for again")
{
    auto store = env.open();
    auto code = central::create_enrollment_code(*store, "DAM-01", "kiosk 1", now()).value();
    auto hash = protocol::sha256_hex(central::normalise_code(code));
    auto a = protocol::generate_keypair(), b = protocol::generate_keypair();
    auto id_a = protocol::terminal_id_for(a.public_key), id_b = protocol::terminal_id_for(b.public_key);
    auto key_a = protocol::encode_public_key(a.public_key), key_b = protocol::encode_public_key(b.public_key);
    CHECK(store->enroll("0000", id_a, key_a, now()).error().code == "error.central.enroll_code");
    auto t = store->enroll(hash, id_a, key_a, now());
    REQUIRE(t.ok());
    CHECK(t->centre == "DAM-01");
    CHECK(t->last_seq == 0);
    CHECK(t->last_hash == protocol::kGenesisHash);
    // The same terminal again: the same record. Another terminal: refused.
    CHECK(store->enroll(hash, id_a, key_a, now()).ok());
    CHECK(store->enroll(hash, id_b, key_b, now()).error().code == "error.central.enroll_code");
    // An expired code; a second code for the same id with another key; a revoked terminal.
    store->add_enrollment_code({"expired", "DAM-01", "x", now() - 10, now() - 5}).value();
    CHECK(store->enroll("expired", id_b, key_b, now()).error().code == "error.central.enroll_code");
    auto code2 = protocol::sha256_hex(central::normalise_code(central::create_enrollment_code(*store, "DAM-01", "k", now()).value()));
    CHECK(store->enroll(code2, id_a, key_b, now()).error().code == "error.central.terminal_conflict");
    REQUIRE(store->revoke(id_a).ok());
    CHECK(store->revoke("Tnobody").error().code == "error.central.unknown_terminal");
    auto code3 = protocol::sha256_hex(central::normalise_code(central::create_enrollment_code(*store, "DAM-01", "k", now()).value()));
    CHECK(store->enroll(code3, id_a, key_a, now()).error().code == "error.central.revoked");
    CHECK(store->find_terminal(id_a).value()->status == "revoked");
    CHECK_FALSE(store->find_terminal("Tnobody").value());
    CHECK(store->terminals().value().size() == 1);
}

STORE_TEST("Ingest stores a chain once and every retry changes nothing")
{
    auto store = env.open();
    auto t = enroll_terminal(*store);
    auto chain = seal_chain(t, 1, protocol::kGenesisHash, visits(20, "DAM-01"), kTime);
    int64_t at = now();
    CHECK(ingest_ok(*store, t.id, slice(chain, 0, 50), at).stored == 50);
    CHECK(ingest_ok(*store, t.id, slice(chain, 30, 60), at).stored == 40); // 20 resent, 40 new
    CHECK(ingest_ok(*store, t.id, slice(chain, 90, 50), at).stored == 50);
    auto again = ingest_ok(*store, t.id, chain, at);
    CHECK(again.stored == 0);
    CHECK(again.acked_seq == 140);
    CHECK(ingest_ok(*store, t.id, {}, at).acked_seq == 140);
    CHECK(stored_hashes(*store, t.id) == hashes_of(chain));
    auto rec = store->find_terminal(t.id).value().value();
    CHECK(rec.last_seq == 140);
    CHECK(rec.last_hash == chain.back().hash);
    CHECK(rec.entries == 140);
    auto c = store->counts().value();
    CHECK(c.entries == 140);
    CHECK(c.applications == 20);
    CHECK(c.payments == 20);
    CHECK(c.tickets == 20);
    CHECK(c.surveys == 20);
    // What is stored is the signed bytes, byte for byte.
    std::vector<central::SignedEntry> signed_entries;
    REQUIRE(store->scan_entries(t.id, 135, [&](const central::SignedEntry& e) -> Result<void> {
        signed_entries.push_back(e);
        return {};
    }).ok());
    REQUIRE(signed_entries.size() == 5);
    CHECK(signed_entries[0].seq == 136);
    CHECK(signed_entries[0].bytes == protocol::signing_bytes(chain[135]).value());
    CHECK(protocol::to_base64(signed_entries[0].signature) == chain[135].signature);
    CHECK(central::verify_store(*store).value().ok());
}

STORE_TEST("A gap is refused with the expected seq and a fork or broken chain is refused")
{
    auto store = env.open();
    auto t = enroll_terminal(*store);
    auto chain = seal_chain(t, 1, protocol::kGenesisHash, visits(3, "DAM-01"), kTime);
    central::IngestRefusal why;
    auto gap = store->ingest(t.id, slice(chain, 5, 5), now(), why);
    CHECK(gap.error().code == "error.central.gap");
    CHECK(why.seq == 1);
    ingest_ok(*store, t.id, slice(chain, 0, 10), now());
    // Another entry under seq 5: a fork, with both hashes.
    auto other = seal_chain(t, 5, chain[3].hash, {{"survey.recorded", {{"rating", 1}}}}, kTime);
    auto fork = store->ingest(t.id, other, now(), why);
    CHECK(fork.error().code == "error.central.fork");
    CHECK(why.seq == 5);
    CHECK(why.stored_hash == chain[4].hash);
    CHECK(why.offered_hash == other[0].hash);
    REQUIRE(store->record_fork_alarm(t.id, 5, why.stored_hash, why.offered_hash, now()).ok());
    auto alarms = store->fork_alarms().value();
    REQUIRE(alarms.size() == 1);
    CHECK(alarms[0].offered_hash == other[0].hash);
    // A new entry that does not chain to the last stored one.
    auto unchained = seal_chain(t, 11, chain[3].hash, {{"survey.recorded", {{"rating", 2}}}}, kTime);
    CHECK(store->ingest(t.id, unchained, now(), why).error().code == "error.central.chain");
    CHECK(why.seq == 11);
    CHECK(store->find_terminal(t.id).value()->last_seq == 10);
    CHECK(store->counts().value().entries == 10);
    // An entry whose hash does not match its content is never stored.
    auto altered = slice(chain, 10, 1);
    altered[0].payload["fee_minor"] = 1;
    CHECK(store->ingest(t.id, altered, now(), why).error().code == "error.central.entry_invalid");
    CHECK(store->find_terminal(t.id).value()->last_seq == 10);
    // A revoked terminal ingests nothing.
    REQUIRE(store->revoke(t.id).ok());
    CHECK(store->ingest(t.id, slice(chain, 10, 1), now(), why).error().code == "error.central.revoked");
    CHECK(store->ingest("Tnobody", slice(chain, 10, 1), now(), why).error().code == "error.central.unknown_terminal");
}

STORE_TEST("A large batch with one entry whose hash does not match its content stores nothing of the batch")
{
    // The entries are encoded and checked on other threads while the store writes the batch's projections: one bad
    // entry in the middle of a batch large enough for several encoding threads rolls the whole batch back.
    auto store = env.open();
    auto t = enroll_terminal(*store);
    auto chain = seal_chain(t, 1, protocol::kGenesisHash, visits(100, "DAM-01"), kTime);
    ingest_ok(*store, t.id, slice(chain, 0, 70), now());
    auto before = store->counts().value();
    auto log_before = store->log_size().value();
    auto batch = slice(chain, 70, 560);
    batch[412].payload["rating"] = 5; // seq 483, a survey: its hash no longer matches, the chain still links
    REQUIRE(batch[412].type == "survey.recorded");
    central::IngestRefusal why;
    auto r = store->ingest(t.id, batch, now(), why);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "error.central.entry_invalid");
    CHECK(why.seq == 483);
    auto after = store->counts().value();
    CHECK(after.entries == before.entries);
    CHECK(after.applications == before.applications);
    CHECK(after.payments == before.payments);
    CHECK(after.tickets == before.tickets);
    CHECK(after.surveys == before.surveys);
    CHECK(store->log_size().value() == log_before);
    CHECK(store->find_terminal(t.id).value()->last_seq == 70);
    // The same batch unaltered is stored whole, projections included.
    CHECK(ingest_ok(*store, t.id, slice(chain, 70, 560), now()).stored == 560);
    auto whole = store->counts().value();
    CHECK(whole.entries == 630);
    CHECK(whole.applications == 90);
    CHECK(store->log_size().value() == log_before + 560);
}

STORE_TEST("Projections answer the indicator queries the same whatever the batches")
{
    auto store = env.open();
    auto a = enroll_terminal(*store, "DAM-01");
    auto b = enroll_terminal(*store, "DAM-01");
    auto items = visits(6, "DAM-01");
    // An application paid in two parts, another never paid, a payment for no known application.
    items.push_back({"application.submitted", {{"reference", "DAM-01-X"}, {"service_code", "civil.id"}, {"entity", "civil"},
                                                {"channel", "counter"}, {"fee_minor", 900}}});
    items.push_back({"payment.recorded", {{"reference", "DAM-01-X"}, {"amount_minor", 400}, {"method", "card"}}});
    items.push_back({"payment.recorded", {{"reference", "DAM-01-X"}, {"amount_minor", 500}, {"method", "cash"}}});
    items.push_back({"application.submitted", {{"reference", "DAM-01-Y"}, {"service_code", "civil.id"}, {"entity", "civil"},
                                                {"channel", "counter"}, {"fee_minor", 700}}});
    items.push_back({"payment.recorded", {{"reference", "ORPHAN"}, {"amount_minor", 300}, {"method", "cash"}}});
    items.push_back({"application.status_changed", {{"reference", "DAM-01-X"}, {"to", "approved"}}});
    items.push_back({"ticket.recalled", {{"ticket_id", 1}}});
    auto chain_a = seal_chain(a, 1, protocol::kGenesisHash, items, kTime);
    auto chain_b = seal_chain(b, 1, protocol::kGenesisHash, items, kTime);
    ingest_ok(*store, a.id, chain_a, now()); // one batch
    for (const auto& e : chain_b)            // one entry at a time
        ingest_ok(*store, b.id, {e}, now());
    auto rows = store->fees_due_vs_paid("DAM-01", 202603).value();
    REQUIRE(rows.size() == 2 * 9);
    std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> by_terminal;
    for (const auto& r : rows) {
        by_terminal[r.terminal_id].emplace_back(r.due_minor, r.paid_minor);
        if (r.reference == "DAM-01-X")
            CHECK((r.due_minor == 900 && r.paid_minor == 900));
        if (r.reference == "DAM-01-Y")
            CHECK((r.due_minor == 700 && r.paid_minor == 0));
        if (r.reference == "ORPHAN")
            CHECK((r.due_minor == 0 && r.paid_minor == 300));
        if (r.reference == "DAM-01-3")
            CHECK((r.due_minor == 5002 && r.paid_minor == 5002));
    }
    CHECK(by_terminal[a.id] == by_terminal[b.id]);
    CHECK(store->fees_due_vs_paid("DAM-01", 202604).value().empty());
    CHECK(store->fees_due_vs_paid("ALP-01", 202603).value().empty());
    auto types = store->entries_by_type(20260314, 20260314).value();
    std::map<std::string, int64_t> per_type;
    for (const auto& c : types) {
        CHECK(c.day == 20260314);
        per_type[c.type] = c.count;
    }
    CHECK(per_type["application.submitted"] == 2 * 8);
    CHECK(per_type["payment.recorded"] == 2 * 9);
    CHECK(per_type["ticket.recalled"] == 2);
    auto apps = store->applications_by_status(central::month_start_ms(202603), central::month_start_ms(202604)).value();
    std::map<std::string, int64_t> per_status;
    for (const auto& c : apps) {
        CHECK(c.centre == "DAM-01");
        CHECK(c.entity == "civil");
        per_status[c.status] += c.count;
    }
    CHECK(per_status["paid"] == 12);
    CHECK(per_status["approved"] == 2);
    CHECK(per_status["submitted"] == 2);
    // Decisions update the projection and come back by cursor, in order.
    CHECK(store->add_decision("DAM-01-Y", "approved", "", now()).error().code == "error.central.ambiguous_application");
    CHECK(store->add_decision("NONE", "approved", "", now()).error().code == "error.central.unknown_application");
    auto c1 = store->add_decision("DAM-01-Y", "approved", "ok", now(), a.id).value();
    auto c2 = store->add_decision("DAM-01-2", "ready", "", now(), a.id).value();
    CHECK(c2 > c1);
    auto ds = store->decisions_after(a.id, 0, 10).value();
    REQUIRE(ds.size() == 2);
    CHECK(ds[0].reference == "DAM-01-Y");
    CHECK(ds[0].note == "ok");
    CHECK(store->decisions_after(a.id, c1, 10).value().size() == 1);
    CHECK(store->decisions_after(b.id, 0, 10).value().empty());
    // A decision is found by terminal and cursor (central checks a terminal's "actor: central" entries with it).
    auto found = store->find_decision(a.id, c2).value();
    REQUIRE(found);
    CHECK(found->reference == "DAM-01-2");
    CHECK(found->status == "ready");
    CHECK_FALSE(store->find_decision(b.id, c2).value());
    CHECK_FALSE(store->find_decision(a.id, c2 + 1000).value());
}

STORE_TEST("Refunds are taken off the fees collected in the same batch and in a later one and the rollup follows")
{
    auto store = env.open();
    auto a = enroll_terminal(*store, "DAM-01");
    auto items = visits(3, "DAM-01");
    items.push_back({"payment.refunded", {{"reference", "DAM-01-1"}, {"amount_minor", 5000}, {"method", "cash"}}});
    ingest_ok(*store, a.id, seal_chain(a, 1, protocol::kGenesisHash, items, kTime), now());
    auto collected = [&](bool raw) {
        central::MeasureQuery q{central::month_start_ms(202603), central::month_start_ms(202604), {}};
        q.raw = raw;
        auto rows = store->measures(q).value();
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].fees_due_minor == 5000 + 5001 + 5002);
        return rows[0].fees_collected_minor;
    };
    CHECK(collected(false) == 5001 + 5002);
    CHECK(collected(true) == 5001 + 5002);
    auto later = seal_chain(a, static_cast<int64_t>(items.size()) + 1, store->entries(a.id).value().back().hash,
                            {{"payment.refunded", {{"reference", "DAM-01-3"}, {"amount_minor", 2000}, {"method", "cash"}}},
                             {"payment.refunded", {{"reference", "NO-SUCH"}, {"amount_minor", 9999}, {"method", "cash"}}}},
                            "2026-03-15T09:00:00.000Z");
    ingest_ok(*store, a.id, later, now());
    CHECK(collected(false) == 5001 + 3002);
    CHECK(collected(true) == 5001 + 3002);
}

STORE_TEST("The enrolled centre counts and a disagreeing payload is flagged and every dimension and status change is projected")
{
    auto store = env.open();
    auto a = enroll_terminal(*store, "ALP-01"); // its payloads claim DAM-01
    auto b = enroll_terminal(*store, "DAM-01");
    int64_t t0 = central::parse_time_ms(kTime).value();
    auto items = visits(4, "DAM-01");
    items.push_back({"application.submitted", {{"reference", "X-1"}, {"service_code", "civil.id"}, {"entity", "civil"},
                                               {"category", "civil_records"}, {"channel", "counter"}, {"fee_minor", 0},
                                               {"waived_minor", 3000}, {"exemption", "disability"}, {"staff_id", 7}}});
    int64_t r1 = now();
    ingest_ok(*store, a.id, seal_chain(a, 1, protocol::kGenesisHash, items, kTime), r1); // one batch
    auto chain_b = seal_chain(b, 1, protocol::kGenesisHash, visits(4, "DAM-01"), kTime);
    for (const auto& e : chain_b) // one entry at a time
        ingest_ok(*store, b.id, {e}, r1);
    // Two hours later the clerk approves DAM-01-1 on terminal a; central decides DAM-01-2 (ready) itself, and the
    // terminal's echo of that decision (a walk through in_review and approved) does not move central's time.
    int64_t seq_a = static_cast<int64_t>(items.size());
    auto later = seal_chain(a, seq_a + 1, store->entries(a.id).value().back().hash,
                            {{"application.status_changed", {{"reference", "DAM-01-1"}, {"to", "approved"}, {"actor", "staff:7"}}}},
                            "2026-03-14T11:30:00.000Z");
    ingest_ok(*store, a.id, later, r1 + 500);
    int64_t decided_c = r1 + 1000;
    REQUIRE(store->add_decision("DAM-01-2", "ready", "", decided_c, a.id).ok());
    auto echo = seal_chain(a, seq_a + 2, later.back().hash,
                           {{"application.status_changed", {{"reference", "DAM-01-2"}, {"to", "in_review"}, {"actor", "central"}}},
                            {"application.status_changed", {{"reference", "DAM-01-2"}, {"to", "approved"}, {"actor", "central"}}},
                            {"application.status_changed", {{"reference", "DAM-01-2"}, {"to", "ready"}, {"actor", "central"}}},
                            {"survey.recorded", {{"reference", "X-1"}, {"rating", 5}}}},
                           "2026-03-14T15:30:00.000Z");
    ingest_ok(*store, a.id, echo, r1 + 2000);

    central::MeasureQuery q{central::month_start_ms(202603), central::month_start_ms(202604), {"centre", "channel"}};
    auto rows = store->measures(q).value();
    std::map<std::string, central::MeasureRow> by;
    for (auto& r : rows)
        by[r.keys.at(0) + "/" + r.keys.at(1)] = r;
    REQUIRE(by.size() == 3);
    const auto& ak = by.at("ALP-01/kiosk");
    CHECK(ak.applications == 4);
    CHECK(ak.kiosk == 4);
    CHECK(ak.centre_flagged == 4);
    CHECK(ak.fees_due_minor == 5000 + 5001 + 5002 + 5003);
    CHECK(ak.fees_collected_minor == ak.fees_due_minor);
    CHECK(ak.surveyed == 4);
    CHECK(ak.rating_sum == 1 + 2 + 3 + 4);
    CHECK(ak.rating_count == 4);
    CHECK(ak.decided == 2);
    CHECK(ak.ready == 1);
    CHECK(ak.open == 2);
    CHECK(ak.oldest_open_ms == t0);
    namespace ru = central::rollup;
    CHECK(ak.decision_hist == ru::to_dense({{ru::bucket_of(2 * 3600 * 1000), 1}, {ru::bucket_of(decided_c - t0), 1}}));
    CHECK(ak.ready_hist == ru::to_dense({{ru::bucket_of(decided_c - t0), 1}}));
    // The same from the applications themselves.
    auto raw_q = q;
    raw_q.raw = true;
    auto raw_rows = store->measures(raw_q).value();
    REQUIRE(raw_rows.size() == 3);
    for (const auto& r : raw_rows) {
        const auto& m = by.at(r.keys.at(0) + "/" + r.keys.at(1));
        CHECK(r.applications == m.applications);
        CHECK(r.decision_hist == m.decision_hist);
        CHECK(r.oldest_open_ms == m.oldest_open_ms);
        CHECK(r.fees_collected_minor == m.fees_collected_minor);
    }
    const auto& ac = by.at("ALP-01/counter");
    CHECK(ac.applications == 1);
    CHECK(ac.counter == 1);
    CHECK(ac.exempted == 1);
    CHECK(ac.fees_exempted_minor == 3000);
    CHECK(ac.fees_due_minor == 0);
    CHECK(ac.surveyed == 1);
    CHECK(ac.rating_sum == 5);
    CHECK(ac.centre_flagged == 0);
    const auto& dk = by.at("DAM-01/kiosk");
    CHECK(dk.applications == 4);
    CHECK(dk.centre_flagged == 0);
    CHECK(dk.fees_collected_minor == ak.fees_collected_minor);
    CHECK(dk.rating_sum == ak.rating_sum);
    CHECK(dk.decided == 0);
    CHECK(dk.open == 4);
    // Terminal, service, category, entity and day are dimensions too; an unknown one is refused.
    auto per_terminal = store->measures({q.from_ms, q.to_ms, {"terminal", "entity", "service", "category", "day"}}).value();
    std::map<std::string, int64_t> apps_of;
    for (const auto& r : per_terminal) {
        apps_of[r.keys.at(0)] += r.applications;
        CHECK(r.keys.at(1) == "civil");
        CHECK(r.keys.at(4) == std::to_string((t0 + 3 * 3600 * 1000) / 86400000)); // Asia/Damascus: UTC+3
        if (r.keys.at(2) == "civil.id")
            CHECK(r.keys.at(3) == "civil_records");
    }
    CHECK(apps_of[a.id] == 5);
    CHECK(apps_of[b.id] == 4);
    CHECK(store->measures({q.from_ms, q.to_ms, {"colour"}}).error().code == "error.indicators.dimension");
    int64_t in_empty_period = 0;
    for (const auto& r : store->measures({q.from_ms, q.from_ms, {}}).value())
        in_empty_period += r.applications;
    CHECK(in_empty_period == 0);
    // The history keeps every change with the terminal's time and central's receipt time, central's decision first.
    auto h = store->application_history(a.id, "DAM-01-2").value();
    std::vector<std::string> statuses;
    for (const auto& x : h)
        statuses.push_back(x.status + "@" + x.actor);
    CHECK(statuses == std::vector<std::string>{"submitted@kiosk", "paid@", "ready@central", "in_review@central", "approved@central",
                                               "ready@central"});
    CHECK(h[2].time_ms == decided_c);
    CHECK(h[3].time_ms == central::parse_time_ms("2026-03-14T15:30:00.000Z").value());
    CHECK(h[3].received_ms == r1 + 2000);
    CHECK(store->application_history(a.id, "X-1").value().at(0).actor == "staff:7");
}

STORE_TEST("The built-in indicators by month and centre and their periods and definitions")
{
    namespace ind = central::indicators;
    auto store = env.open();
    auto a = enroll_terminal(*store, "DAM-01");
    auto b = enroll_terminal(*store, "ALP-01");
    ingest_ok(*store, a.id, seal_chain(a, 1, protocol::kGenesisHash, visits(5, "DAM-01"), kTime), now());
    ingest_ok(*store, b.id, seal_chain(b, 1, protocol::kGenesisHash, visits(2, "ALP-01"), "2026-04-02T08:00:00.000Z"), now());
    auto defs = ind::builtin_definitions().value();
    ind::Query q{ind::parse_day("2026-03-01", "from").value(), ind::parse_day("2026-04-30", "to").value() + 86400000,
                 {"month", "centre"}, now()};
    auto rows = ind::compute(*store, defs, q).value();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["month"] == "2026-03");
    CHECK(rows[0]["centre"] == "DAM-01");
    CHECK(rows[0]["applications"] == 5);
    CHECK(rows[0]["fees_collected_minor"] == 5000 + 5001 + 5002 + 5003 + 5004);
    CHECK(rows[0]["share_kiosk"] == 1.0);
    CHECK(rows[0]["share_counter"] == 0.0);
    CHECK(rows[0]["satisfaction_average"] == 3.0); // ratings 1..5
    CHECK(rows[0]["survey_response_rate"] == 1.0);
    CHECK(rows[0]["decision_median_ms"].is_null());
    CHECK(rows[0]["backlog"] == 5);
    CHECK(rows[1]["month"] == "2026-04");
    CHECK(rows[1]["centre"] == "ALP-01");
    CHECK(rows[1]["applications"] == 2);
    // The whole period in one row; a period only once; unknown dimensions refused.
    q.by = {};
    auto total = ind::compute(*store, defs, q).value();
    REQUIRE(total.size() == 1);
    CHECK(total[0]["applications"] == 7);
    q.by = {"week", "month"};
    CHECK(ind::compute(*store, defs, q).error().code == "error.indicators.period_twice");
    q.by = {"centre", "centre"};
    CHECK(ind::compute(*store, defs, q).error().code == "error.indicators.dimension");
    // Period labels (ISO weeks across a year's end), nearest-rank percentiles, dates and definitions checked.
    auto day = [](const char* d) { return ind::parse_day(d, "x").value() / 86400000; };
    CHECK(ind::period_label("week", day("2026-12-31")) == "2026-W53");
    CHECK(ind::period_label("week", day("2027-01-04")) == "2027-W01");
    CHECK(ind::period_label("week", day("2024-12-30")) == "2025-W01");
    CHECK(ind::period_label("quarter", day("2026-11-28")) == "2026-Q4");
    CHECK(ind::period_label("day", day("2026-02-28")) == "2026-02-28");
    CHECK(ind::percentile({5, 1, 4, 2, 3}, 50) == 3);
    CHECK(ind::percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90) == 9);
    CHECK(ind::percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50) == 5);
    CHECK_FALSE(ind::percentile({}, 50));
    CHECK(ind::parse_day("2026-02-29", "from").error().code == "error.indicators.date");
    CHECK(ind::parse_day("2026-1-01", "from").error().code == "error.indicators.date");
    auto bad = [](const json& j) { return ind::parse_definitions(j).error().code; };
    json ok = {{"format", "nafitha.indicators/1"}, {"indicators", {{{"id", "x"}, {"numerator", "p75(ready_ms)"}, {"unit", "ms"}, {"direction", "down"}}}}};
    CHECK(ind::parse_definitions(ok).value().at(0).numerator == "p75(ready_ms)");
    auto broken = ok;
    broken["indicators"][0]["numerator"] = "p100(ready_ms)";
    CHECK(bad(broken) == "error.indicators.definitions");
    broken = ok;
    broken["indicators"][0]["id"] = "centre";
    CHECK(bad(broken) == "error.indicators.definitions");
    broken = ok;
    broken["indicators"][0]["denominator"] = "p50(decision_ms)";
    CHECK(bad(broken) == "error.indicators.definitions");
    CHECK(bad(json::array()) == "error.indicators.definitions");
}

STORE_TEST("Catalogues settings and everything else survive a reopen")
{
    auto t = TestTerminal{};
    std::vector<protocol::Entry> chain;
    {
        auto store = env.open();
        CHECK(store->latest_catalogue().value() == std::nullopt);
        CHECK(store->import_catalogue(json{{"version", 2}, {"services", json::array()}}, now()).value() == 2);
        CHECK(store->import_catalogue(json{{"version", 2}}, now()).error().code == "error.central.catalogue_old");
        CHECK(store->import_catalogue(json{{"services", 1}}, now()).error().code == "error.central.catalogue_invalid");
        CHECK(store->import_catalogue(json::array(), now()).error().code == "error.central.catalogue_invalid");
        CHECK(store->setting("k", "first").value() == "first");
        CHECK(store->setting("k", "second").value() == "first");
        t = enroll_terminal(*store);
        chain = seal_chain(t, 1, protocol::kGenesisHash, visits(2, "DAM-01"), kTime);
        ingest_ok(*store, t.id, chain, now());
    }
    auto store = env.open();
    CHECK(store->schema_version() == (env.kind() == "sqlite" ? central::sqlite_schema_latest() : central::postgres_schema_latest()));
    CHECK(store->latest_catalogue().value()->version == 2);
    CHECK(store->setting("k", "third").value() == "first");
    CHECK(stored_hashes(*store, t.id) == hashes_of(chain));
    CHECK(store->counts().value().applications == 2);
    CHECK(store->stored_bytes().value() > 0);
}

STORE_TEST("Strings with NUL bytes and odd payloads project without failing the batch")
{
    auto store = env.open();
    auto t = enroll_terminal(*store);
    std::string nul("A\0B", 3);
    std::string long_text(5000, 'x');
    auto chain = seal_chain(t, 1, protocol::kGenesisHash,
                            {{"application.submitted", {{"reference", nul}, {"service_code", long_text}, {"fee_minor", 10}}},
                             {"payment.recorded", {{"reference", nul}, {"amount_minor", "not a number"}}},
                             {"application.status_changed", {{"reference", 7}, {"to", json::array()}}},
                             {"something.new", {{"x", json::object()}}},
                             {"ticket.issued", json::object()}},
                            kTime);
    CHECK(ingest_ok(*store, t.id, chain, now()).stored == 5);
    CHECK(store->counts().value().applications == 1);
    CHECK(central::verify_store(*store).value().ok());
}

STORE_TEST("Two instances on one store with four threads ingest every terminal exactly once")
{
    auto one = env.open(), two = env.open();
    std::vector<TestTerminal> terminals;
    std::vector<std::vector<protocol::Entry>> chains;
    for (int i = 0; i < 3; ++i) {
        terminals.push_back(enroll_terminal(*one));
        chains.push_back(seal_chain(terminals.back(), 1, protocol::kGenesisHash, visits(30, "DAM-01", i * 1000), kTime));
    }
    std::atomic<int> refusals{0}, errors{0};
    auto worker = [&](int n) {
        std::mt19937 rng(static_cast<unsigned>(n));
        central::Store& store = n % 2 ? *one : *two;
        for (int round = 0; round < 200; ++round) {
            size_t k = rng() % chains.size();
            auto last = store.find_terminal(terminals[k].id).value()->last_seq;
            // Resend a little of what is stored and add new entries, as a terminal does after a lost answer.
            size_t from = static_cast<size_t>(std::max<int64_t>(0, last - static_cast<int64_t>(rng() % 5)));
            auto batch = slice(chains[k], from, 1 + rng() % 12);
            central::IngestRefusal why;
            auto r = store.ingest(terminals[k].id, batch, now(), why);
            if (!r.ok()) {
                // Another thread got there first between the read and the ingest: a gap is the only refusal.
                if (r.error().code == "error.central.gap")
                    ++refusals;
                else
                    ++errors;
            }
        }
    };
    std::vector<std::thread> threads;
    for (int n = 0; n < 4; ++n)
        threads.emplace_back(worker, n);
    for (auto& th : threads)
        th.join();
    CHECK(errors == 0);
    for (size_t k = 0; k < chains.size(); ++k)
        ingest_ok(*one, terminals[k].id, chains[k], now()); // finish
    for (size_t k = 0; k < chains.size(); ++k)
        CHECK(stored_hashes(*two, terminals[k].id) == hashes_of(chains[k]));
    CHECK(one->counts().value().entries == 3 * 210);
    CHECK(one->counts().value().payments == 3 * 30);
    CHECK(central::verify_store(*two).value().ok());
}

STORE_TEST("Verify finds an altered signature and a removed entry")
{
    auto store = env.open();
    auto t = enroll_terminal(*store);
    auto chain = seal_chain(t, 1, protocol::kGenesisHash, visits(5, "DAM-01"), kTime);
    ingest_ok(*store, t.id, chain, now());
    auto good = central::verify_store(*store).value();
    CHECK(good.ok());
    CHECK(good.entries == 35);
    if (env.kind() == "sqlite") {
        env.sql("DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;"
                "UPDATE entries SET sig = zeroblob(64) WHERE seq = 7; DELETE FROM entries WHERE seq = 20;");
    } else {
        env.sql("SET session_replication_role = replica; UPDATE entries SET sig = set_byte(sig, 0, get_byte(sig, 0) # 1) WHERE seq = 7;"
                "DELETE FROM entries WHERE seq = 20;");
    }
    auto bad = central::verify_store(*store).value();
    CHECK_FALSE(bad.ok());
    bool signature = false, gap = false;
    for (const auto& d : bad.details) {
        signature = signature || d.find("seq 7: bad signature") != std::string::npos;
        gap = gap || d.find("expected seq 20, found 21") != std::string::npos;
    }
    CHECK(signature);
    CHECK(gap);
}

STORE_TEST("A closed month exports to a signed archive that checks itself offline")
{
    TempDir dir("archive");
    auto store = env.open();
    auto central_key = protocol::generate_keypair();
    auto t = enroll_terminal(*store), u = enroll_terminal(*store, "ALP-01");
    auto chain_t = seal_chain(t, 1, protocol::kGenesisHash, visits(10, "DAM-01"), kTime);
    auto chain_u = seal_chain(u, 1, protocol::kGenesisHash, visits(4, "ALP-01"), kTime);
    // February and March 2026 (closed), then the current month.
    int64_t feb = central::month_start_ms(202602) + 5000, mar = central::month_start_ms(202603) + 5000;
    ingest_ok(*store, t.id, slice(chain_t, 0, 30), feb);
    ingest_ok(*store, u.id, slice(chain_u, 0, 28), feb);
    ingest_ok(*store, t.id, slice(chain_t, 30, 30), mar);
    ingest_ok(*store, t.id, slice(chain_t, 60, 10), now());
    CHECK(store->months().value() == std::vector<int32_t>{202602, 202603, central::month_of_ms(now())});
    auto info = central::export_month(*store, 202603, central_key, dir / "2026-03.nafitha-archive", now());
    REQUIRE(info.ok());
    CHECK(info->entries == 30);
    CHECK(info->terminals == 1);
    auto feb_info = central::export_month(*store, 202602, central_key, dir / "2026-02.nafitha-archive", now());
    REQUIRE(feb_info.ok());
    CHECK(feb_info->entries == 58);
    REQUIRE(feb_info->ranges.size() == 2);
    auto checked = central::verify_archive(dir / "2026-02.nafitha-archive");
    REQUIRE(checked.ok());
    CHECK(checked->server_public_key == protocol::encode_public_key(central_key.public_key));
    // The current month is refused, and so is an existing file.
    CHECK(central::export_month(*store, central::month_of_ms(now()), central_key, dir / "now", now()).error().code
          == "error.central.month_open");
    CHECK(central::export_month(*store, 202603, central_key, dir / "2026-03.nafitha-archive", now()).error().code
          == "error.central.archive_exists");
    // An altered entry inside the file: the entry's own signature fails; a re-signed digest fails central's.
    {
        gzFile in = gzopen((dir / "2026-02.nafitha-archive").c_str(), "rb");
        std::string text;
        char buf[65536];
        int n;
        while ((n = gzread(in, buf, sizeof buf)) > 0)
            text.append(buf, static_cast<size_t>(n));
        gzclose(in);
        auto write = [&](const std::string& name, const std::string& content) {
            gzFile out = gzopen((dir / name).c_str(), "wb");
            gzwrite(out, content.data(), static_cast<unsigned>(content.size()));
            gzclose(out);
            return dir / name;
        };
        auto pos = text.find("\"amount_minor\":5000");
        REQUIRE(pos != std::string::npos);
        auto altered = text;
        altered.replace(pos, 19, "\"amount_minor\":9000");
        CHECK(central::verify_archive(write("altered", altered)).error().detail.find("bad signature") != std::string::npos);
        auto truncated = text.substr(0, text.size() / 2);
        CHECK(central::verify_archive(write("truncated", truncated)).error().code == "error.central.archive_invalid");
        auto dropped = text;
        auto e = dropped.find("\nE 5 ");
        auto next = dropped.find("\nE 6 ");
        dropped.erase(e, next - e);
        CHECK(central::verify_archive(write("dropped", dropped)).error().code == "error.central.archive_invalid");
        CHECK(central::verify_archive(write("empty", "")).error().code == "error.central.archive_invalid");
    }
    if (env.kind() == "postgresql") {
        // Detach February: the store keeps verifying (the archived range fills the chain) and ingest goes on.
        central::MonthSummary summary{202602, feb_info->entries, feb_info->file_sha256, feb_info->ranges};
        auto wrong = summary;
        wrong.entries = 57;
        CHECK(store->detach_month(wrong, now()).error().code == "error.central.archive_mismatch");
        REQUIRE(store->detach_month(summary, now()).value() == "entries_202602");
        CHECK(store->months().value() == std::vector<int32_t>{202603, central::month_of_ms(now())});
        auto report = central::verify_store(*store).value();
        for (const auto& d : report.details)
            UNSCOPED_INFO(d);
        CHECK(report.ok());
        CHECK(report.archived == 58);
        CHECK(report.entries == 40);
        ingest_ok(*store, u.id, slice(chain_u, 28, 100), now());
        ingest_ok(*store, t.id, chain_t, now()); // resending archived entries is harmless
        CHECK(central::verify_store(*store).value().ok());
        CHECK(store->archived_months().value().size() == 1);
    } else {
        CHECK(store->detach_month({202602, 58, feb_info->file_sha256, feb_info->ranges}, now()).error().code
              == "error.central.unsupported");
    }
}

STORE_TEST("A store written by a newer version is refused and left as it is")
{
    {
        auto store = env.open();
        enroll_terminal(*store);
    }
    if (env.kind() == "sqlite")
        env.sql("PRAGMA user_version = 99");
    else
        env.sql("INSERT INTO schema_migrations(version, description) VALUES(99, 'from the future')");
    auto r = central::open_store(env.location());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "error.central.store_newer");
    CHECK(r.error().detail.find("99") != std::string::npos);
    CHECK(env.sql_int("SELECT COUNT(*) FROM terminals") == 1);
}

TEST_CASE("The entry codec keeps the signed bytes exactly and compresses them")
{
    CHECK(protocol::sha256_hex(std::string(central::entries_v1_dictionary())) == central::kEntriesV1DictSha256);
    auto keys = protocol::generate_keypair();
    TestTerminal t{keys, protocol::terminal_id_for(keys.public_key), "DAM-01"};
    auto chain = seal_chain(t, 1, protocol::kGenesisHash, visits(10, "DAM-01"), kTime);
    size_t raw = 0, stored = 0;
    for (const auto& e : chain) {
        auto bytes = protocol::signing_bytes(e).value();
        auto body = central::encode_signed_bytes(bytes);
        CHECK(central::decode_signed_bytes(body).value() == bytes);
        raw += bytes.size();
        stored += body.size();
    }
    CHECK(stored * 2 < raw);
    // Codec 2 leaves the prev and terminal values out, even when the payload holds the same text, and needs them back.
    auto tricky = seal_chain(t, 7, chain[5].hash,
                             {{"x.y", {{"prev", chain[5].hash}, {"terminal", t.id}, {"note", ",\"prev\":\"\",\"seq\":"}}}}, kTime);
    for (const auto& e : {chain[6], tricky[0]}) {
        auto bytes = protocol::signing_bytes(e).value();
        auto enc = central::encode_entry(e).value();
        CHECK(enc.body[0] == central::kCodecZstdV1Chained);
        if (e.seq == 7 && e.type != "x.y")
            CHECK(enc.body.size() + 30 < central::encode_signed_bytes(bytes).size()); // the prev hash costs ~35 bytes
        CHECK(central::decode_signed_bytes(enc.body, e.prev_hash, t.id).value() == bytes);
        CHECK(central::decode_signed_bytes(enc.body, chain[0].hash, t.id).value() != bytes);
        CHECK(central::decode_signed_bytes(enc.body).error().code == "error.central.corrupt_entry");
    }
    // Incompressible bytes are kept raw; bad bodies are errors, not crashes.
    std::string noise(300, '\0');
    std::mt19937 rng(5);
    for (auto& c : noise)
        c = static_cast<char>(rng());
    CHECK(central::encode_signed_bytes(noise)[0] == central::kCodecRaw);
    CHECK(central::decode_signed_bytes(central::encode_signed_bytes(noise)).value() == noise);
    CHECK(central::decode_signed_bytes("").error().code == "error.central.corrupt_entry");
    CHECK(central::decode_signed_bytes(std::string("\x01garbage", 8)).error().code == "error.central.corrupt_entry");
    CHECK(central::decode_signed_bytes(std::string("\x07", 1)).error().code == "error.central.corrupt_entry");
}

TEST_CASE("Months and times are computed in UTC")
{
    CHECK(central::month_of_ms(central::month_start_ms(202612)) == 202612);
    CHECK(central::month_of_ms(central::month_start_ms(202701) - 1) == 202612);
    CHECK(central::next_month(202612) == 202701);
    CHECK(central::parse_time_ms("1970-01-01T00:00:01.500Z") == 1500);
    CHECK(central::parse_time_ms("2026-03-14T09:30:00Z") == central::parse_time_ms("2026-03-14T11:30:00+02:00"));
    CHECK_FALSE(central::parse_time_ms("yesterday"));
    CHECK_FALSE(central::parse_time_ms("2026-13-14T09:30:00Z"));
    CHECK(central::parse_month("2026-03") == 202603);
    CHECK(central::parse_month("202603") == 202603);
    CHECK_FALSE(central::parse_month("2026-3"));
    CHECK_FALSE(central::parse_month("2026-13"));
    central::StoreLocation loc{{}, "postgresql://central:s3cret@db1,db2/nafitha?target_session_attrs=read-write"};
    CHECK(loc.describe() == "postgresql://central@db1,db2/nafitha?target_session_attrs=read-write");
}

STORE_TEST("Nonces rate windows counters and heartbeats are shared by every instance")
{
    auto one = env.open(), two = env.open();
    int64_t t0 = 1'800'000'000'000;
    CHECK(one->use_nonce("T1", "n-1", t0 + 1000, t0).value());
    CHECK_FALSE(two->use_nonce("T1", "n-1", t0 + 1000, t0 + 10).value()); // a replay through another instance
    CHECK(two->use_nonce("T2", "n-1", t0 + 1000, t0).value());
    CHECK(two->use_nonce("T1", "n-1", t0 + 5000, t0 + 2000).value()); // expired: may be used again
    auto w1 = one->count_in_window("enroll:1.2.3.4", 60'000, t0 + 5);
    auto w2 = two->count_in_window("enroll:1.2.3.4", 60'000, t0 + 6);
    CHECK(w1.value().count == 1);
    CHECK(w2.value().count == 2);
    CHECK(w2.value().window_end_ms == t0 - t0 % 60'000 + 60'000);
    CHECK(one->count_in_window("enroll:1.2.3.4", 60'000, t0 + 60'000).value().count == 1); // the next window
    REQUIRE(one->add_counters({{"a_total", 2}, {"b_total{x=\"1\"}", 5}, {"a_total", 1}}).ok());
    REQUIRE(two->add_counters({{"a_total", 10}}).ok());
    auto counters = one->counters().value();
    REQUIRE(counters.size() == 2);
    CHECK(counters[0] == std::make_pair(std::string("a_total"), int64_t{13}));
    CHECK(counters[1].second == 5);
    REQUIRE(one->probe_write("instance-a", t0).ok());
    REQUIRE(two->probe_write("instance-a", t0 + 1).ok());
    REQUIRE(one->expire_state(t0 + 10'000'000).ok());
    CHECK(one->use_nonce("T2", "n-1", t0 + 20'000'000, t0 + 10'000'001).value()); // forgotten after expiry
}

TEST_CASE("PostgreSQL: a version 1 store holding data migrates to the latest and keeps everything")
{
    auto env = postgres_env();
    TestTerminal t;
    std::vector<protocol::Entry> chain;
    {
        auto v1 = env->open({.target_version = 1});
        REQUIRE(v1->schema_version() == 1);
        t = enroll_terminal(*v1);
        auto items = visits(10, "DAM-01");
        items.push_back({"payment.recorded", {{"reference", "NOPE"}, {"amount_minor", 77}, {"method", "cash"}}});
        chain = seal_chain(t, 1, protocol::kGenesisHash, items, kTime);
        // Rows exactly as version 1 wrote them: codec 1 entries in March's partition, one batch, the projections.
        auto conn = central::pg::Conn::connect(env->location().url).value();
        REQUIRE(conn.exec("CREATE TABLE entries_202603 PARTITION OF entries FOR VALUES FROM (202603) TO (202604)").ok());
        int32_t no = static_cast<int32_t>(env->sql_int("SELECT no FROM terminals WHERE id = '" + t.id + "'"));
        for (const auto& e : chain)
            REQUIRE(conn.query("INSERT INTO entries(terminal, month, seq, body, sig) VALUES($1, $2, $3, $4, $5)",
                               central::pg::Params().add_int4(no).add_int4(202603).add(e.seq)
                                   .add_bytea(central::encode_signed_bytes(protocol::signing_bytes(e).value()))
                                   .add_bytea(protocol::from_base64(e.signature).value()))
                        .ok());
        int64_t received = central::month_start_ms(202603) + 1000;
        REQUIRE(conn.query("INSERT INTO batches(terminal, first_seq, last_seq, received_ms) VALUES($1, 1, $2, $3)",
                           central::pg::Params().add_int4(no).add(chain.back().seq).add(received)).ok());
        auto f = central::project_batch(chain, 0, "DAM-01");
        for (const auto& a : f.applications)
            REQUIRE(conn.query("INSERT INTO applications(terminal, reference, centre, entity, service_code, channel, status, fee_minor, "
                               "paid_minor, submitted_ms, updated_ms) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                               central::pg::Params().add_int4(no).add(a.reference).add(a.centre).add(a.entity).add(a.service_code)
                                   .add(a.channel).add(a.status).add(a.fee_minor).add(a.paid_minor).add(a.submitted_ms).add(a.updated_ms))
                        .ok());
        for (const auto& p : f.payments)
            REQUIRE(conn.query("INSERT INTO payments(terminal, seq, reference, centre, method, amount_minor, time_ms) VALUES($1,$2,$3,$4,$5,$6,$7)",
                               central::pg::Params().add_int4(no).add(p.seq).add(p.reference).add(p.centre).add(p.method)
                                   .add(p.amount_minor).add(p.time_ms))
                        .ok());
        REQUIRE(conn.query("UPDATE terminals SET last_seq = $1, last_hash = $2, entries = $1, last_ingest_ms = $3 WHERE no = $4",
                           central::pg::Params().add(chain.back().seq).add(chain.back().hash).add(received).add_int4(no)).ok());
        // A central decision as version 1 took it (the live add_decision writes the newest schema).
        REQUIRE(conn.query("INSERT INTO decisions(reference, terminal_id, status, note, decided_at) VALUES('DAM-01-3', $1, 'approved', '', "
                           "'2026-03-01T10:00:00Z')", central::pg::Params().add(t.id)).ok());
        REQUIRE(conn.query("UPDATE applications SET status = 'approved', updated_ms = $1 WHERE terminal = $2 AND reference = 'DAM-01-3'",
                           central::pg::Params().add(now()).add_int4(no)).ok());
    }
    CHECK(env->sql_int("SELECT MAX(version) FROM schema_migrations") == 1);
    auto store = env->open();
    CHECK(store->schema_version() == central::postgres_schema_latest());
    CHECK(env->sql_int("SELECT MAX(version) FROM schema_migrations") == central::postgres_schema_latest());
    CHECK(stored_hashes(*store, t.id) == hashes_of(chain));
    CHECK(central::verify_store(*store).value().ok());
    CHECK(store->decisions_after(t.id, 0, 10).value().size() == 1);
    // Version 6: the decision time and a status history rebuilt from what the projection kept.
    CHECK(env->sql_int("SELECT COUNT(*) FROM applications WHERE decided_ms IS NOT NULL") == 1);
    // Version 7: the rollup built from the stored applications answers as the applications themselves.
    for (const auto& by : std::vector<std::vector<std::string>>{{}, {"day", "terminal"}, {"month", "service", "channel"}}) {
        auto defs = central::indicators::builtin_definitions().value();
        central::indicators::Query q{0, 30000LL * 86400000, by, clock::unix_ms()};
        auto from_rollup = central::indicators::compute(*store, defs, q).value();
        q.raw = true;
        CHECK(from_rollup == central::indicators::compute(*store, defs, q).value());
        CHECK(!from_rollup.empty());
    }
    auto history = store->application_history(t.id, "DAM-01-3").value();
    REQUIRE(history.size() == 2);
    CHECK(history[0].status == "submitted");
    CHECK(history[1].status == "approved");
    CHECK(store->use_nonce(t.id, "first", now() + 1000, now()).value());
    auto rows = store->fees_due_vs_paid("DAM-01", 202603).value();
    REQUIRE(rows.size() == 11);
    CHECK(std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.reference == "NOPE" && r.paid_minor == 77 && r.due_minor == 0; }) == 1);
    CHECK(store->months().value() == std::vector<int32_t>{202603});
    auto more = seal_chain(t, 72, chain.back().hash, {{"survey.recorded", {{"rating", 4}}}}, kTime);
    CHECK(ingest_ok(*store, t.id, more, now()).acked_seq == 72);
    // Entries stored before (codec 1) and after (codec 2) the migrations read back as one chain.
    CHECK(central::verify_store(*store).value().ok());
    CHECK(store->entries(t.id).value().back().hash == more[0].hash);
    // Instances starting together on a fresh database agree on one migration run.
    auto fresh = postgres_env();
    std::vector<std::thread> starters;
    std::atomic<int> opened{0};
    for (int i = 0; i < 4; ++i)
        starters.emplace_back([&] {
            if (central::open_store(fresh->location()).ok())
                ++opened;
        });
    for (auto& s : starters)
        s.join();
    CHECK(opened == 4);
    CHECK(fresh->sql_int("SELECT COUNT(*) FROM schema_migrations") == central::postgres_schema_latest());
}

STORE_TEST("Unsigned entries covered by a later signed one are stored and verify and a chain may not end unsigned")
{
    TempDir dir("unsigned");
    auto store = env.open();
    auto t = enroll_terminal(*store);
    auto chain = seal_chain(t, 1, protocol::kGenesisHash, visits(3, "DAM-01"), kTime);
    // Only the last entry of each visit (7 entries) is signed, as the terminal will do per transaction.
    for (auto& e : chain)
        if (e.seq % 7 != 0)
            e.signature.clear();
    ingest_ok(*store, t.id, slice(chain, 0, 14), central::month_start_ms(202602) + 1000);
    ingest_ok(*store, t.id, slice(chain, 14, 7), now());
    CHECK(stored_hashes(*store, t.id) == hashes_of(chain));
    auto report = central::verify_store(*store).value();
    for (const auto& d : report.details)
        UNSCOPED_INFO(d);
    CHECK(report.ok());
    auto key = protocol::generate_keypair();
    auto info = central::export_month(*store, 202602, key, dir / "feb", now());
    REQUIRE(info.ok());
    CHECK(info->entries == 14);
    // A chain that ends unsigned is reported.
    auto more = seal_chain(t, 22, chain.back().hash, {{"survey.recorded", {{"rating", 3}}}}, kTime);
    more[0].signature.clear();
    ingest_ok(*store, t.id, more, now());
    auto open_end = central::verify_store(*store).value();
    CHECK_FALSE(open_end.ok());
    REQUIRE_FALSE(open_end.details.empty());
    CHECK(open_end.details.back().find("from seq 22 on are unsigned") != std::string::npos);
    // A malformed signature is still refused.
    auto bad = seal_chain(t, 23, more[0].hash, {{"survey.recorded", {{"rating", 3}}}}, kTime);
    bad[0].signature = "not base64!";
    central::IngestRefusal why;
    CHECK(store->ingest(t.id, bad, now(), why).error().code == "error.central.entry_invalid");
}

namespace {

// What the queries reading the applications and payments answer (the reconciliation, the counts by status, the
// back office's list with each of its filters), as text, to compare a store's answers across a migration.
std::string answers(central::Store& store, central::WebStore& web)
{
    std::string out;
    for (const auto& centre : {"DAM-01", "ALP-01"}) {
        auto rows = store.fees_due_vs_paid(centre, 202603).value();
        for (const auto& r : rows)
            out += "reconcile " + r.terminal_id + " " + r.reference + " " + std::to_string(r.due_minor) + " " + std::to_string(r.paid_minor) + "\n";
    }
    auto counts = store.applications_by_status(central::month_start_ms(202603), central::month_start_ms(202604)).value();
    for (const auto& c : counts)
        out += "status " + c.centre + " " + c.entity + " " + c.service_code + " " + c.status + " " + std::to_string(c.count) + "\n";
    std::vector<central::ApplicationFilter> filters(6);
    filters[1].entity = "civil";
    filters[2].entity = "water";
    filters[2].status = "open";
    filters[3].centre = "ALP-01";
    filters[4].reference = "DAM-01-3";
    filters[5].status = "approved";
    for (const auto& f : filters) {
        out += "list";
        auto rows = web.applications(f).value();
        for (const auto& a : rows)
            out += " " + a.reference + ":" + a.status + ":" + std::to_string(a.paid_minor);
        out += "\n";
    }
    return out;
}

} // namespace

STORE_TEST("Migration 18 drops the indexes no query uses and every query on those tables answers the same")
{
    const std::vector<std::string> dropped = env.kind() == "sqlite"
                                                 ? std::vector<std::string>{"applications_by_service", "applications_by_entity_time",
                                                                            "payments_by_centre", "tickets_by_day"}
                                                 : std::vector<std::string>{"applications_by_service", "payments_by_centre", "tickets_by_day"};
    auto count_indexes = [&](const std::vector<std::string>& names) {
        std::string list;
        for (const auto& n : names)
            list += (list.empty() ? "'" : ",'") + n + "'";
        return env.sql_int(env.kind() == "sqlite" ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN (" + list + ")"
                                                  : "SELECT COUNT(*) FROM pg_indexes WHERE indexname IN (" + list + ")");
    };
    std::string before;
    TestTerminal dam, alp;
    {
        auto old = env.open({.target_version = 17});
        REQUIRE(old->schema_version() == 17);
        CHECK(count_indexes(dropped) == static_cast<int64_t>(dropped.size()));
        dam = enroll_terminal(*old, "DAM-01");
        alp = enroll_terminal(*old, "ALP-01");
        auto items = visits(6, "DAM-01");
        items.push_back({"payment.recorded", {{"reference", "NOPE"}, {"amount_minor", 77}, {"method", "cash"}, {"centre", "DAM-01"}}});
        ingest_ok(*old, dam.id, seal_chain(dam, 1, protocol::kGenesisHash, items, kTime), now());
        std::vector<std::pair<std::string, json>> water;
        for (int i = 1; i <= 3; ++i)
            water.push_back({"application.submitted", {{"reference", "W-" + std::to_string(i)}, {"service_code", "water.new"}, {"entity", "water"},
                                                       {"centre", "ALP-01"}, {"channel", "counter"}, {"fee_minor", 700}}});
        ingest_ok(*old, alp.id, seal_chain(alp, 1, protocol::kGenesisHash, water, kTime), now());
        REQUIRE(old->add_decision("DAM-01-3", "approved", "", now(), "", "").ok());
        before = answers(*old, *central::open_web_store(env.location()).value());
    }
    CHECK(before.find("reconcile") != std::string::npos);
    CHECK(before.find("NOPE") != std::string::npos);
    CHECK(before.find("W-2:submitted") != std::string::npos);
    CHECK(before.find("DAM-01-3:approved") != std::string::npos);

    auto store = env.open();
    CHECK(store->schema_version() >= 18);
    CHECK(count_indexes(dropped) == 0);
    // The indexes the queries use are still there.
    CHECK(count_indexes({"applications_by_centre", "applications_by_time", "applications_by_day", "payments_unmatched"}) == 4);
    auto web = central::open_web_store(env.location()).value();
    CHECK(answers(*store, *web) == before);
    // Decisions still find an application by its reference alone.
    REQUIRE(store->add_decision("W-1", "rejected", "", now(), "", "").ok());
    CHECK(answers(*store, *web) != before);
    if (env.kind() == "sqlite") {
        // Each query walks an index (SQLite plans with unknown parameters, so this holds whatever the data).
        auto db = db::Db::open(env.location().data_dir / "central.db", db::OpenMode::ReadOnly).release_value();
        auto plan = [&](const std::string& sql) {
            auto st = db.prepare("EXPLAIN QUERY PLAN " + sql).release_value();
            std::string out;
            while (st.step().value())
                out += st.text(3) + "\n";
            return out;
        };
        CHECK(plan("SELECT t.id FROM applications a JOIN terminals t ON t.no = a.terminal WHERE a.reference = ?1 AND (?2 = '' OR t.id = ?2) LIMIT 2")
                  .find("applications_by_reference") != std::string::npos);
        CHECK(plan("SELECT reference FROM applications WHERE centre = ?1 AND submitted_ms >= ?2 AND submitted_ms < ?3")
                  .find("applications_by_centre") != std::string::npos);
        CHECK(plan("SELECT reference FROM payments WHERE centre = ?1 AND time_ms >= ?2 AND time_ms < ?3 AND NOT application_known")
                  .find("payments_unmatched") != std::string::npos);
        CHECK(plan("SELECT centre, COUNT(*) FROM applications WHERE submitted_ms >= ? AND submitted_ms < ? GROUP BY centre")
                  .find("applications_by_time") != std::string::npos);
    }
}

STORE_TEST("A batch touching more applications and tickets than one read takes keeps the rollup equal to the applications")
{
    // The rollup reads the rows a batch touches before and after it, 64 keys a statement on SQLite: 150 visits in
    // one batch, then a batch changing 100 of them (rows read before and after in several groups, the last one
    // partial), and the indicators from the rollup must equal those from the applications themselves.
    auto store = env.open();
    auto t = enroll_terminal(*store, "DAM-01");
    // SQLite writes a batch's rows 64 a statement: a reference submitted again in the same batch (its second row
    // meets the first one's conflict, as with one statement a row) keeps its row and adds what came after.
    auto items = visits(150, "DAM-01");
    items.push_back({"application.submitted", {{"reference", "DAM-01-5"}, {"service_code", "civil.birth_extract"}, {"entity", "civil"},
                                               {"centre", "DAM-01"}, {"channel", "kiosk"}, {"fee_minor", 1}}});
    items.push_back({"payment.recorded", {{"reference", "DAM-01-5"}, {"amount_minor", 100}, {"method", "cash"}, {"centre", "DAM-01"}}});
    auto chain = seal_chain(t, 1, protocol::kGenesisHash, items, kTime);
    ingest_ok(*store, t.id, chain, now());
    {
        auto web = central::open_web_store(env.location()).value();
        auto row = web->application(t.id, "DAM-01-5").value();
        REQUIRE(row);
        CHECK(row->paid_minor == 5004 + 100);
        CHECK(row->status == "paid");
        CHECK(row->fee_minor == 5004);
        CHECK(store->fees_due_vs_paid("DAM-01", 202603).value().size() == 150);
    }
    std::vector<std::pair<std::string, json>> changes;
    for (int i = 1; i <= 100; ++i) {
        changes.push_back({"application.status_changed",
                           {{"reference", "DAM-01-" + std::to_string(i)}, {"from", "paid"}, {"to", i % 2 ? "in_review" : "rejected"}}});
        changes.push_back({"survey.recorded", {{"reference", "DAM-01-" + std::to_string(i)}, {"rating", 5}}});
        changes.push_back({"ticket.recalled", {{"ticket_id", i}}});
        changes.push_back({"ticket.issued", {{"ticket_id", 1000 + i}, {"category", "civil"}, {"centre", "DAM-01"}}});
    }
    auto more = seal_chain(t, chain.back().seq + 1, chain.back().hash, changes, kTime);
    ingest_ok(*store, t.id, more, now());
    CHECK(store->counts().value().applications == 150);
    CHECK(store->counts().value().tickets == 250);
    auto defs = central::indicators::builtin_definitions().value();
    for (const auto& by : std::vector<std::vector<std::string>>{{}, {"day", "terminal"}, {"month", "service", "channel"}, {"category"}}) {
        central::indicators::Query q{0, 30000LL * 86400000, by, clock::unix_ms()};
        auto from_rollup = central::indicators::compute(*store, defs, q).value();
        q.raw = true;
        CHECK(from_rollup == central::indicators::compute(*store, defs, q).value());
        CHECK(!from_rollup.empty());
    }
}
