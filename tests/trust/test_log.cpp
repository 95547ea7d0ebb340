// The national transparency log (issue 14), on both stores, with a real central over loopback HTTP: leaves
// numbered once in commit order (also by two instances at once), signed checkpoints, inclusion and consistency
// proofs served by central and equal to an independent RFC 9162 implementation (tests/protocol/merkle_reference.h),
// the log and its checkpoints kept across a restart, entries stored before the log backfilled; nafitha-ctl audit
// and verify-receipt --online; and the attacks: a central whose store was edited directly (a leaf rewritten, a
// leaf dropped) cannot produce a checkpoint consistent with the one an auditor saw, and a receipt that is not in
// the log fails verify-receipt --online.

#include "base/clock.h"
#include "central/server.h"
#include "sync/client/http.h"
#include "sync/protocol/receipt.h"
#include "sync/protocol/transparency.h"
#include "tests/protocol/merkle_reference.h"
#include "tests/store/store_env.h"
#include "tests/sync/harness.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <set>
#include <sys/wait.h>
#include <thread>

using namespace nafitha;
using namespace nafitha::testing;
namespace ref = nafitha::testing::rfc9162;

namespace {

std::unique_ptr<InProcessCentral> start_central(StoreEnv& env)
{
    central::ServerConfig config;
    auto loc = env.location();
    config.data_dir = loc.data_dir;
    config.store_url = loc.url;
    config.front.checkpoint_every_ms = 0; // checkpoints on demand only: the test decides when
    config.threads = 4;
    return std::make_unique<InProcessCentral>(config);
}

nlohmann::json http_json(const std::string& method, const std::string& url, long expect_status)
{
    sync::HttpOptions o;
    sync::HttpClient http(o);
    auto r = http.request(method, url, {}, {});
    REQUIRE(r.ok());
    INFO(method << " " << url << " -> " << r->status << " " << r->body);
    REQUIRE(r->status == expect_status);
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    REQUIRE(j.is_object());
    return j;
}

protocol::Checkpoint make_checkpoint(InProcessCentral& c)
{
    auto j = http_json("POST", c.admin_url() + "/v1/log/checkpoint", 200);
    auto s = protocol::signed_from_json(j["checkpoint"]);
    REQUIRE(s.ok());
    auto cp = protocol::verify_checkpoint(s.value(), c.server().context().keys.public_key);
    REQUIRE(cp.ok());
    return cp.value();
}

ref::Bytes raw(const protocol::MerkleHash& h) { return ref::Bytes(h.begin(), h.end()); }
ref::Bytes hex_bytes(const std::string& hex)
{
    auto h = protocol::hash_from_hex(hex);
    REQUIRE(h.ok());
    return raw(h.value());
}
std::vector<ref::Bytes> proof_bytes(const nlohmann::json& j)
{
    auto v = protocol::hashes_from_json(j);
    REQUIRE(v.ok());
    std::vector<ref::Bytes> out;
    for (auto& h : v.value())
        out.push_back(raw(h));
    return out;
}

// A terminal's chain of submissions (each with its reference) and payments, sealed and signed.
struct Writer {
    TestTerminal t;
    int64_t next_seq = 1;
    std::string prev = protocol::kGenesisHash;
    std::vector<std::string> references;

    Writer() = default;
    explicit Writer(TestTerminal terminal) : t(std::move(terminal)) {}

    std::vector<protocol::Entry> batch(int count)
    {
        std::vector<std::pair<std::string, nlohmann::json>> items;
        for (int i = 0; i < count; ++i) {
            int64_t seq = next_seq + i;
            if (seq % 2 == 1) {
                std::string reference = "R-" + t.id.substr(0, 6) + "-" + std::to_string(seq);
                references.push_back(reference);
                items.push_back({"application.submitted",
                                 {{"reference", reference}, {"service_code", "CIV-001"}, {"entity", "civil"}, {"centre", t.centre},
                                  {"fee_minor", 500}, {"channel", "kiosk"}}});
            } else {
                items.push_back({"payment.recorded", {{"reference", references.back()}, {"amount_minor", 500}, {"method", "cash"}}});
            }
        }
        auto chain = seal_chain(t, next_seq, prev, items, "2026-12-01T10:00:00.000Z");
        next_seq += count;
        prev = chain.back().hash;
        return chain;
    }
};

std::string run_capture(const std::string& cmd, int* status)
{
    std::string out;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    int st = ::pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

std::string ctl() { return (bin_dir() / "nafitha-ctl").string(); }

std::string audit_cmd(InProcessCentral& c, const std::filesystem::path& state)
{
    return ctl() + " audit --server " + c.url() + " --central-key "
           + protocol::encode_public_key(c.server().context().keys.public_key) + " --state " + state.string();
}

std::string file_text(const std::filesystem::path& p)
{
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

STORE_TEST("The transparency log numbers every accepted entry once and central serves signed checkpoints and proofs an independent RFC 9162 implementation agrees with")
{
    auto central = start_central(env);
    auto& store = central->store();
    std::vector<Writer> writers;
    for (int i = 0; i < 3; ++i)
        writers.push_back(Writer{enroll_terminal(store, i == 2 ? "ALP-01" : "DAM-01")});
    // No checkpoint yet.
    http_json("GET", central->url() + "/v1/log/checkpoint", 404);

    // Interleaved batches of three terminals; the reference list holds every leaf in the order they were accepted.
    ref::Reference reference;
    std::vector<std::pair<std::string, int64_t>> order;
    auto ingest = [&](Writer& w, int count) {
        auto chain = w.batch(count);
        ingest_ok(store, w.t.id, chain, clock::unix_ms());
        for (auto& e : chain) {
            reference.leaves.push_back(protocol::signing_bytes(e).value());
            order.push_back({w.t.id, e.seq});
        }
    };
    for (int round = 0; round < 4; ++round)
        for (size_t i = 0; i < writers.size(); ++i)
            ingest(writers[i], 3 + static_cast<int>(i) + round);
    // A retried batch adds no leaf.
    {
        Writer again = writers[0];
        again.next_seq = 1;
        again.prev = protocol::kGenesisHash;
        again.references.clear();
        ingest_ok(store, again.t.id, again.batch(4), clock::unix_ms());
    }
    const auto n = reference.leaves.size();
    REQUIRE(store.log_size().value() == static_cast<int64_t>(n));
    for (size_t i = 0; i < n; ++i) {
        auto leaf = store.log_leaf_of(order[i].first, order[i].second).value();
        REQUIRE(leaf);
        CHECK(leaf->index == static_cast<int64_t>(i));
    }

    auto first = make_checkpoint(*central);
    REQUIRE(first.size == static_cast<int64_t>(n));
    CHECK(hex_bytes(first.root) == reference.mth(0, n));
    CHECK(first.origin == protocol::log_origin(central->server().context().keys.public_key));
    // Made again without new leaves: the same checkpoint.
    CHECK(make_checkpoint(*central).time_ms == first.time_ms);
    auto latest = http_json("GET", central->url() + "/v1/log/checkpoint", 200);
    CHECK(protocol::verify_checkpoint(protocol::signed_from_json(latest["checkpoint"]).value(),
                                      central->server().context().keys.public_key).value().root == first.root);

    // Every inclusion proof of the tree, and consistency proofs of every earlier size, as the RFC defines them.
    for (size_t i = 0; i < n; ++i) {
        auto j = http_json("GET", central->url() + "/v1/log/inclusion?index=" + std::to_string(i) + "&size=" + std::to_string(n), 200);
        INFO("leaf " << i);
        CHECK(proof_bytes(j["proof"]) == reference.path(i, 0, n));
        auto leaf_proof = protocol::hashes_from_json(j["proof"]).value();
        CHECK(protocol::verify_inclusion(i, n, protocol::merkle_leaf_hash(reference.leaves[i]), leaf_proof,
                                         protocol::hash_from_hex(first.root).value()));
    }
    for (size_t m = 1; m <= n; ++m) {
        auto j = http_json("GET", central->url() + "/v1/log/consistency?first=" + std::to_string(m) + "&second=" + std::to_string(n), 200);
        INFO("size " << m);
        auto expected = m == n ? std::vector<ref::Bytes>{} : reference.subproof(m, 0, n, true);
        CHECK(proof_bytes(j["proof"]) == expected);
        auto old_root = reference.mth(0, m);
        protocol::MerkleHash old_h;
        std::copy(old_root.begin(), old_root.end(), old_h.begin());
        CHECK(protocol::verify_consistency(m, n, old_h, protocol::hash_from_hex(first.root).value(),
                                           protocol::hashes_from_json(j["proof"]).value()));
    }
    // Past the log, malformed: refused.
    http_json("GET", central->url() + "/v1/log/inclusion?index=0&size=" + std::to_string(n + 5), 404);
    http_json("GET", central->url() + "/v1/log/consistency?first=9&second=3", 400);
    http_json("GET", central->url() + "/v1/log/inclusion?index=x&size=3", 400);
    http_json("GET", central->url() + "/v1/log/entry?terminal=" + writers[0].t.id + "&seq=9999", 404);

    // An entry by seq and a receipt's submission by reference, proved up to the checkpoint.
    auto entry = http_json("GET", central->url() + "/v1/log/entry?terminal=" + writers[1].t.id + "&seq=2", 200);
    auto logged = protocol::logged_entry_from_json(entry).value();
    CHECK(logged.bytes == reference.leaves[static_cast<size_t>(logged.index)]);
    const std::string& ref1 = writers[2].references[1];
    auto receipt = http_json("GET", central->url() + "/v1/log/receipt?terminal=" + writers[2].t.id + "&reference=" + ref1, 200);
    auto receipt_cp = protocol::verify_checkpoint(protocol::signed_from_json(receipt["checkpoint"]).value(),
                                                  central->server().context().keys.public_key).value();
    auto receipt_entry = protocol::logged_entry_from_json(receipt).value();
    CHECK(protocol::check_receipt_inclusion(receipt_entry, writers[2].t.id, ref1, receipt_cp,
                                            protocol::hashes_from_json(receipt["proof"]).value()).ok());
    CHECK(proof_bytes(receipt["proof"]) == reference.path(static_cast<size_t>(receipt_entry.index), 0, n));
    // The same proof does not hold for another reference or another leaf.
    CHECK_FALSE(protocol::check_receipt_inclusion(receipt_entry, writers[2].t.id, writers[2].references[0], receipt_cp,
                                                  protocol::hashes_from_json(receipt["proof"]).value()).ok());

    // Restart: the log and its checkpoints are kept; new leaves extend them consistently.
    central.reset();
    central = start_central(env);
    auto& store2 = central->store();
    CHECK(store2.log_size().value() == static_cast<int64_t>(n));
    auto kept = http_json("GET", central->url() + "/v1/log/checkpoint", 200);
    CHECK(protocol::verify_checkpoint(protocol::signed_from_json(kept["checkpoint"]).value(),
                                      central->server().context().keys.public_key).value().size == first.size);
    for (auto& w : writers) {
        auto chain = w.batch(5);
        ingest_ok(store2, w.t.id, chain, clock::unix_ms());
        for (auto& e : chain)
            reference.leaves.push_back(protocol::signing_bytes(e).value());
    }
    auto second = make_checkpoint(*central);
    const auto n2 = reference.leaves.size();
    REQUIRE(second.size == static_cast<int64_t>(n2));
    CHECK(hex_bytes(second.root) == reference.mth(0, n2));
    auto j = http_json("GET", central->url() + "/v1/log/consistency?first=" + std::to_string(n) + "&second=" + std::to_string(n2), 200);
    CHECK(proof_bytes(j["proof"]) == reference.subproof(n, 0, n2, true));
    CHECK(protocol::check_consistency(first, second, protocol::hashes_from_json(j["proof"]).value()).ok());
}

STORE_TEST("Two instances ingesting at once number the log without gaps or repeats in each terminal's order")
{
    auto a = env.open();
    auto b = env.open();
    std::vector<Writer> writers;
    for (int i = 0; i < 4; ++i)
        writers.push_back(Writer{enroll_terminal(*a)});
    std::vector<std::thread> threads;
    for (size_t i = 0; i < writers.size(); ++i)
        threads.emplace_back([&, i] {
            central::Store& s = i % 2 ? *b : *a;
            for (int k = 0; k < 15; ++k) {
                auto chain = writers[i].batch(1 + k % 4);
                central::IngestRefusal why;
                auto r = s.ingest(writers[i].t.id, chain, clock::unix_ms(), why);
                if (!r.ok())
                    throw std::runtime_error(r.error().to_string());
            }
        });
    for (auto& t : threads)
        t.join();
    int64_t total = 0;
    for (auto& w : writers)
        total += w.next_seq - 1;
    REQUIRE(a->log_size().value() == total);
    REQUIRE(b->log_leaf_hashes(0, total).value().size() == static_cast<size_t>(total)); // 0..total-1, no gap
    std::set<int64_t> seen;
    for (auto& w : writers) {
        int64_t last = -1;
        for (int64_t seq = 1; seq < w.next_seq; ++seq) {
            auto leaf = b->log_leaf_of(w.t.id, seq).value();
            REQUIRE(leaf);
            CHECK(leaf->index > last); // a terminal's entries in its order
            CHECK(seen.insert(leaf->index).second);
            last = leaf->index;
            auto stored = b->entry_at(w.t.id, seq).value();
            REQUIRE(stored);
            CHECK(leaf->hash == protocol::merkle_leaf_hash(stored->bytes));
        }
    }
}

STORE_TEST("Entries stored before the log existed get their leaves when the store is upgraded")
{
    const int before = 6; // the schema before the log (SQLite and PostgreSQL)
    Writer w;
    {
        central::OpenOptions old;
        old.target_version = before;
        auto s = env.open(old);
        w.t = enroll_terminal(*s);
        ingest_ok(*s, w.t.id, w.batch(7), clock::unix_ms());
    }
    auto s = env.open();
    REQUIRE(s->log_size().value() == 7);
    for (int64_t seq = 1; seq <= 7; ++seq) {
        auto leaf = s->log_leaf_of(w.t.id, seq).value();
        REQUIRE(leaf);
        CHECK(leaf->index == seq - 1);
        CHECK(leaf->hash == protocol::merkle_leaf_hash(s->entry_at(w.t.id, seq).value()->bytes));
    }
    ingest_ok(*s, w.t.id, w.batch(3), clock::unix_ms());
    CHECK(s->log_size().value() == 10);
    CHECK(s->log_leaf_of(w.t.id, 10).value()->index == 9);
    // Reopening does not add them again.
    s.reset();
    CHECK(env.open()->log_size().value() == 10);
}

STORE_TEST("nafitha-ctl audit and verify-receipt online catch a central that rewrote or dropped a logged entry or never logged a receipt")
{
    TempDir dir("audit");
    auto state = dir / "audit.json";
    auto central = start_central(env);
    Writer w{enroll_terminal(central->store())};
    ingest_ok(central->store(), w.t.id, w.batch(12), clock::unix_ms());
    make_checkpoint(*central);
    int status = -1;
    auto out = run_capture(audit_cmd(*central, state), &status);
    INFO(out);
    REQUIRE(status == 0);
    CHECK(out.find("OK origin=") != std::string::npos);
    CHECK(out.find("size=12") != std::string::npos);
    ingest_ok(central->store(), w.t.id, w.batch(9), clock::unix_ms());
    make_checkpoint(*central);
    out = run_capture(audit_cmd(*central, state), &status);
    INFO(out);
    REQUIRE(status == 0);
    CHECK(out.find("size=21") != std::string::npos);
    CHECK(out.find("12") != std::string::npos);

    // A genuine receipt: in the log up to a signed checkpoint.
    std::string central_key = protocol::encode_public_key(central->server().context().keys.public_key);
    // The key auditors are given: nafitha-central public-key prints it.
    auto loc = env.location();
    out = run_capture((bin_dir() / "nafitha-central").string() + " public-key "
                          + (loc.is_postgres() ? "--store '" + loc.url + "'" : "--data " + loc.data_dir.string()),
                      &status);
    CHECK(status == 0);
    CHECK(out.find(central_key) != std::string::npos);
    std::string term_key = protocol::encode_public_key(w.t.keys.public_key);
    auto receipt_cmd = [&](const std::string& reference) {
        auto payload = protocol::sign_receipt(reference, w.t.id, w.t.keys.secret_key).value();
        return ctl() + " verify-receipt '" + payload + "' --public-key " + term_key + " --online --server " + central->url()
               + " --central-key " + central_key;
    };
    out = run_capture(receipt_cmd(w.references[3]), &status);
    INFO(out);
    CHECK(status == 0);
    CHECK(out.find("IN-LOG reference=" + w.references[3]) != std::string::npos);
    // A receipt the terminal signed but whose transaction central never logged: refused, in both languages.
    out = run_capture(receipt_cmd("R-NEVER-SENT-1"), &status);
    INFO(out);
    CHECK(status == 1);
    CHECK(out.find("NOT-IN-LOG") != std::string::npos);
    CHECK(out.find("not in central's national log") != std::string::npos);
    CHECK(out.find("غير موجودة في السجل الوطني") != std::string::npos);
    // A receipt logged after the last checkpoint: not yet provable (no alarm).
    auto more = w.batch(2);
    ingest_ok(central->store(), w.t.id, more, clock::unix_ms());
    out = run_capture(receipt_cmd(w.references.back()), &status);
    INFO(out);
    CHECK(status == 3);
    CHECK(out.find("error.log.not_checkpointed") != std::string::npos);
    make_checkpoint(*central);
    out = run_capture(audit_cmd(*central, state), &status);
    REQUIRE(status == 0);
    const std::string good_state = file_text(state);

    // Attack 1: leaf 5 rewritten in the store (the entry at seq 6 replaced by another). Central itself refuses to
    // sign over it while it keeps the checkpoint it signed before...
    central.reset();
    std::string forged(64, 'a');
    env.sql(env.kind() == "sqlite" ? "UPDATE log_leaves SET leaf = x'" + forged + "' WHERE idx = 5"
                                   : "UPDATE log_leaves SET leaf = '\\x" + forged + "'::bytea WHERE idx = 5");
    central = start_central(env);
    ingest_ok(central->store(), w.t.id, w.batch(3), clock::unix_ms());
    http_json("POST", central->admin_url() + "/v1/log/checkpoint", 500);
    // ... and once its own checkpoints are deleted too, the one it signs is inconsistent with the auditor's.
    env.sql("DELETE FROM log_checkpoints");
    make_checkpoint(*central);
    out = run_capture(audit_cmd(*central, state), &status);
    INFO(out);
    CHECK(status == 1);
    CHECK(out.find("ALARM error.audit.inconsistent") != std::string::npos);
    CHECK(out.find("entries were rewritten or removed") != std::string::npos);
    CHECK(out.find("عُدّلت قيود أو حُذفت") != std::string::npos);
    CHECK(file_text(state) == good_state); // the auditor keeps the checkpoint it trusted

    // Attack 2: leaf 2 dropped and the rest moved down (checkpoints deleted again): inconsistent as well...
    central.reset();
    env.sql("DELETE FROM log_checkpoints");
    env.sql("DELETE FROM log_leaves WHERE idx = 2");
    env.sql("UPDATE log_leaves SET idx = -idx WHERE idx > 2");
    env.sql("UPDATE log_leaves SET idx = -idx - 1 WHERE idx < 0");
    env.sql("UPDATE log_head SET size = size - 1");
    central = start_central(env);
    make_checkpoint(*central);
    out = run_capture(audit_cmd(*central, state), &status);
    INFO(out);
    CHECK(status == 1);
    CHECK(out.find("ALARM error.audit.inconsistent") != std::string::npos);
    CHECK(file_text(state) == good_state);
    // ... and with its tail cut, a smaller log than the auditor saw.
    central.reset();
    env.sql("DELETE FROM log_checkpoints");
    env.sql("DELETE FROM log_leaves WHERE idx >= 20");
    env.sql("UPDATE log_head SET size = 20");
    central = start_central(env);
    make_checkpoint(*central);
    out = run_capture(audit_cmd(*central, state), &status);
    INFO(out);
    CHECK(status == 1);
    CHECK(out.find("ALARM error.audit.log_shrank") != std::string::npos);
    CHECK(out.find("حُذفت قيود") != std::string::npos);
    CHECK(file_text(state) == good_state);

    // A checkpoint signed by another key (a fake central): refused.
    auto fake_key = protocol::encode_public_key(protocol::generate_keypair().public_key);
    out = run_capture(ctl() + " audit --server " + central->url() + " --central-key " + fake_key + " --state " + (dir / "other.json").string(),
                      &status);
    INFO(out);
    CHECK(status == 1);
    CHECK(out.find("ALARM error.audit.checkpoint_forged") != std::string::npos);
}
