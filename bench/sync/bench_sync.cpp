// Sync benchmarks, measured side by side in one run:
//   bench sync.drain_tx_per_s      20,000 queued journal entries drained to a local nafitha-central (its own
//                                  process) over loopback by the real sync worker (gzip, signed requests).
//   bench sync.wire_bytes_per_tx   compressed request-body bytes sent per entry in that drain.
//   bench central.ingest_ratio     central's ingest path as the route runs it (the request's signature, gunzip and
//                                  parse, chain, the batch's last signature, each entry's hash, store + log + project in
//                                  one transaction per batch) over a bare batched SQLite insert of the same rows with
//                                  the same settings (WAL, synchronous=FULL), batch by batch alternating.
//   bench central.ingest_ratio_all_checked   the same plus the deferred check of every transaction's signature
//                                  (central/signatures.h), timed: the whole CPU cost when no core is free for it.
//   bench central.ingest_ratio_inline        every signature checked before storing (the checker's queue full).
//   bench central.ingest_cpu_ratio the same two windows as central.ingest_ratio in the process's CPU time (every
//                                  thread) instead of wall time: no target, a figure that the machine's load and the
//                                  fsync's cost move much less (on 2 shared cores the wall ratio moves 0.2-0.35 with
//                                  them); the route encodes on other threads while its transaction runs, so its CPU
//                                  exceeds its wall time on a quiet machine.

#include "tests/sync/harness.h"

#include "base/clock.h"
#include "central/server.h"
#include "central/signatures.h"
#include "central/store.h"
#include "db/sqlite.h"
#include "sync/client/enroll.h"
#include "sync/client/worker.h"
#include "sync/protocol/batch_reader.h"
#include "sync/protocol/gzip.h"

#include <cstdio>
#include <ctime>
#include <iostream>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

double seconds_since(int64_t start_ns) { return static_cast<double>(clock::monotonic_ns() - start_ns) / 1e9; }

// CPU time of the whole process (every thread), ns: what the machine spends, whatever the load does to the wall.
int64_t process_cpu_ns()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int bench_drain()
{
    constexpr int64_t kEntries = 20000;
    TempDir c("bench-sync-c"), t("bench-sync-t");
    {
        InProcessCentral setup(c.path());
        make_terminal_journal(t.path(), kEntries);
        auto enrolled = sync::enroll(t.path(), setup.url(), setup.add_code(), {});
        if (!enrolled.ok()) {
            std::cerr << enrolled.error().to_string() << "\n";
            return 1;
        }
    }
    CentralProcess central(c.path());
    central.start();
    sync::SyncOptions options;
    options.data_dir = t.path();
    options.server_url = central.url();
    auto worker = sync::SyncWorker::create(options, {});
    if (!worker.ok()) {
        std::cerr << worker.error().to_string() << "\n";
        return 1;
    }
    auto start = clock::monotonic_ns();
    auto r = worker.value()->run_once();
    double elapsed = seconds_since(start);
    if (!r.ok() || worker.value()->progress().pending != 0) {
        std::cerr << "drain failed: " << (r.ok() ? std::string("entries left") : r.error().to_string()) << "\n";
        return 1;
    }
    auto p = worker.value()->progress();
    std::printf("bench sync.drain_tx_per_s %.0f tx/s\n", static_cast<double>(kEntries) / elapsed);
    std::printf("bench sync.wire_bytes_per_tx %.1f bytes\n", static_cast<double>(p.wire_bytes) / static_cast<double>(kEntries));
    worker.value().reset();
    central.stop();
    return 0;
}

int bench_ingest_ratio()
{
    // As terminals write them (issue 14): one signature per committed transaction of three entries (application,
    // payment, ticket), so a batch ends at a transaction's end; each batch in a signed request.
    constexpr int64_t kPerTransaction = 3;
    constexpr int64_t kBatch = 999;
    constexpr int64_t kEntries = 20 * kBatch;
    auto keys = protocol::generate_keypair();
    std::string tid = protocol::terminal_id_for(keys.public_key);
    auto chain = make_chain(keys, tid, 1, kEntries, protocol::kGenesisHash, kPerTransaction);
    struct Body {
        std::string gz;
        protocol::RequestAuth auth;
    };
    std::vector<Body> bodies;
    for (int64_t i = 0; i < kEntries; i += kBatch) {
        protocol::IngestRequest req{tid, {chain.begin() + i, chain.begin() + i + kBatch}};
        Body b;
        b.gz = protocol::gzip_compress(protocol::to_json(req).dump());
        b.auth = protocol::sign_request(keys.secret_key, tid, "POST", "/v1/ingest", b.gz, clock::unix_ms());
        bodies.push_back(std::move(b));
    }

    // Central's ingest path without the HTTP transport, into two stores: as the route does it now (the request's
    // signature, the chain, the batch's last signature, each hash by the store; the transactions' signatures on
    // the deferred checker, drained after each batch outside the timed window, and timed apart), and with every
    // signature checked before storing (the checker's queue full). And a bare batched insert of the same rows with
    // the same settings (WAL, synchronous=FULL). Batch by batch, alternating, so that all three see the same load.
    auto open_store = [&](TempDir& dir) {
        auto store = central::open_sqlite_store(dir.path()).release_value();
        (void)store->add_enrollment_code({protocol::sha256_hex("BENCHCODE"), "DAM-01", "bench", 0, INT64_MAX});
        (void)store->enroll(protocol::sha256_hex("BENCHCODE"), tid, protocol::encode_public_key(keys.public_key), clock::unix_ms());
        return store;
    };
    TempDir cd("bench-ingest-deferred"), ci("bench-ingest-inline"), b("bench-ingest-bare");
    auto deferred_store = open_store(cd);
    auto inline_store = open_store(ci);
    central::DeferredSignatures checker(*deferred_store, nullptr);
    auto db = db::Db::open(b.path() / "bare.db").release_value();
    (void)db.exec("PRAGMA journal_mode=WAL");
    (void)db.exec("PRAGMA synchronous=FULL");
    (void)db.exec("CREATE TABLE entries(terminal_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,"
                  " time TEXT NOT NULL, payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
                  " signature TEXT NOT NULL, received_ms INTEGER NOT NULL, PRIMARY KEY(terminal_id, seq)) WITHOUT ROWID");
    auto insert = db.prepare("INSERT INTO entries VALUES(?,?,?,?,?,?,?,?,?,?)").release_value();

    int64_t t_bare = 0, t_deferred = 0, t_checker = 0, t_inline = 0;
    int64_t t_parse = 0, t_auth = 0, t_store = 0, t_verify_all = 0;
    int64_t cpu_bare = 0, cpu_route = 0; // process CPU time in each timed window (the checker is idle in both)
    for (size_t k = 0; k < bodies.size(); ++k) {
        const auto& body = bodies[k];
        // Bare.
        auto c0 = process_cpu_ns();
        auto t0 = clock::monotonic_ns();
        (void)db.exec("BEGIN IMMEDIATE");
        for (int64_t i = static_cast<int64_t>(k) * kBatch; i < static_cast<int64_t>(k + 1) * kBatch; ++i) {
            const auto& e = chain[static_cast<size_t>(i)];
            insert.bind(1, tid).bind(2, e.seq).bind(3, e.id).bind(4, e.type).bind(5, e.time).bind(6, e.payload.dump())
                .bind(7, e.prev_hash).bind(8, e.hash).bind(9, e.signature).bind(10, clock::unix_ms());
            (void)insert.run();
        }
        (void)db.exec("COMMIT");
        t_bare += clock::monotonic_ns() - t0;
        cpu_bare += process_cpu_ns() - c0;

        // As the route does it.
        c0 = process_cpu_ns();
        t0 = clock::monotonic_ns();
        if (!protocol::verify_request(keys.public_key, body.auth, "POST", "/v1/ingest", body.gz)) {
            std::cerr << "request signature\n";
            return 1;
        }
        auto batch = protocol::read_ingest_batch(body.gz).release_value();
        auto t1 = clock::monotonic_ns();
        int64_t bad = 0;
        if (!central::authenticate_batch(batch.entries, keys.public_key, bad).ok()) {
            std::cerr << "authentication failed at " << bad << "\n";
            return 1;
        }
        auto t2 = clock::monotonic_ns();
        central::IngestRefusal why;
        if (!deferred_store->ingest(tid, batch.entries, clock::unix_ms(), why).ok()) {
            std::cerr << "ingest failed\n";
            return 1;
        }
        checker.submit(tid, keys.public_key, std::move(batch.entries));
        auto t3 = clock::monotonic_ns();
        cpu_route += process_cpu_ns() - c0;
        t_parse += t1 - t0;
        t_auth += t2 - t1;
        t_store += t3 - t2;
        t_deferred += t3 - t0;
        checker.wait_idle();
        t_checker += clock::monotonic_ns() - t3;

        // Every signature before storing.
        t0 = clock::monotonic_ns();
        if (!protocol::verify_request(keys.public_key, body.auth, "POST", "/v1/ingest", body.gz)) {
            std::cerr << "request signature\n";
            return 1;
        }
        auto batch2 = protocol::read_ingest_batch(body.gz).release_value();
        t1 = clock::monotonic_ns();
        if (!central::verify_entries(batch2.entries, keys.public_key, bad).ok()) {
            std::cerr << "verification failed at " << bad << "\n";
            return 1;
        }
        t_verify_all += clock::monotonic_ns() - t1;
        if (!inline_store->ingest(tid, batch2.entries, clock::unix_ms(), why, central::SignatureCheck::done).ok()) {
            std::cerr << "ingest failed\n";
            return 1;
        }
        t_inline += clock::monotonic_ns() - t0;
    }
    if (checker.bad() != 0 || checker.checked() != kEntries / kPerTransaction - static_cast<int64_t>(bodies.size())) {
        std::cerr << "the deferred checker checked " << checker.checked() << " signatures, " << checker.bad() << " bad\n";
        return 1;
    }
    auto per_entry_us = [&](int64_t ns) { return static_cast<double>(ns) / 1e3 / kEntries; };
    std::fprintf(stderr,
                 "per entry: bare insert %.2f us; route %.2f us (request signature + parse %.2f, chain + last signature %.2f, "
                 "store %.2f) + deferred transaction signatures %.2f us; every signature before storing %.2f us (of which "
                 "verification %.2f)\n",
                 per_entry_us(t_bare), per_entry_us(t_deferred), per_entry_us(t_parse), per_entry_us(t_auth), per_entry_us(t_store),
                 per_entry_us(t_checker), per_entry_us(t_inline), per_entry_us(t_verify_all));
    std::fprintf(stderr, "CPU per entry (every thread of the process): bare insert %.2f us; route %.2f us\n", per_entry_us(cpu_bare),
                 per_entry_us(cpu_route));
    double bare = static_cast<double>(t_bare);
    std::printf("bench central.ingest_ratio %.2f ratio\n", bare / static_cast<double>(t_deferred));
    std::printf("bench central.ingest_ratio_all_checked %.2f ratio\n", bare / static_cast<double>(t_deferred + t_checker));
    std::printf("bench central.ingest_ratio_inline %.2f ratio\n", bare / static_cast<double>(t_inline));
    std::printf("bench central.ingest_cpu_ratio %.2f ratio\n", static_cast<double>(cpu_bare) / static_cast<double>(cpu_route));
    return 0;
}

} // namespace

int main()
{
    protocol::init_crypto();
    if (int rc = bench_ingest_ratio())
        return rc;
    return bench_drain();
}
