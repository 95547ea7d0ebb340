// Sync benchmarks, measured side by side in one run:
//   bench sync.drain_tx_per_s      20,000 queued journal entries drained to a local nafitha-central (its own
//                                  process) over loopback by the real sync worker (gzip, signed requests).
//   bench sync.wire_bytes_per_tx   compressed request-body bytes sent per entry in that drain.
//   bench central.ingest_ratio     central's ingest (gunzip, parse, verify every signature, chain and sequence
//                                  checks, store + project in one transaction per batch) over a bare batched
//                                  SQLite insert of the same rows with the same settings (WAL, synchronous=FULL).

#include "tests/sync/harness.h"

#include "base/clock.h"
#include "central/store.h"
#include "db/sqlite.h"
#include "sync/client/enroll.h"
#include "sync/client/worker.h"
#include "sync/protocol/batch_reader.h"
#include "sync/protocol/gzip.h"

#include <cstdio>
#include <iostream>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

double seconds_since(int64_t start_ns) { return static_cast<double>(clock::monotonic_ns() - start_ns) / 1e9; }

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
    // payment, ticket), so a batch ends at a transaction's end.
    constexpr int64_t kPerTransaction = 3;
    constexpr int64_t kBatch = 999;
    constexpr int64_t kEntries = 20 * kBatch;
    auto keys = protocol::generate_keypair();
    std::string tid = protocol::terminal_id_for(keys.public_key);
    auto chain = make_chain(keys, tid, 1, kEntries, protocol::kGenesisHash, kPerTransaction);
    std::vector<std::string> bodies;
    for (int64_t i = 0; i < kEntries; i += kBatch) {
        protocol::IngestRequest req{tid, {chain.begin() + i, chain.begin() + i + kBatch}};
        bodies.push_back(protocol::gzip_compress(protocol::to_json(req).dump()));
    }

    // Central's ingest path, without the HTTP transport.
    TempDir c("bench-ingest-c");
    auto store = central::open_sqlite_store(c.path()).release_value();
    (void)store->add_enrollment_code({protocol::sha256_hex("BENCHCODE"), "DAM-01", "bench", 0, INT64_MAX});
    (void)store->enroll(protocol::sha256_hex("BENCHCODE"), tid, protocol::encode_public_key(keys.public_key), clock::unix_ms());
    auto start = clock::monotonic_ns();
    int64_t t_parse = 0, t_verify = 0, t_store = 0;
    for (const auto& body : bodies) {
        auto t0 = clock::monotonic_ns();
        // The bounded streaming reader central uses: gunzip and parse in one pass (sync/protocol/batch_reader.h).
        auto batch = protocol::read_ingest_batch(body).release_value();
        int64_t bad = 0;
        auto t1 = clock::monotonic_ns();
        t_parse += t1 - t0;
        if (!central::verify_entries(batch.entries, keys.public_key, bad).ok()) {
            std::cerr << "verification failed at " << bad << "\n";
            return 1;
        }
        central::IngestRefusal why;
        auto t2 = clock::monotonic_ns();
        t_verify += t2 - t1;
        if (!store->ingest(tid, batch.entries, clock::unix_ms(), why).ok()) {
            std::cerr << "ingest failed\n";
            return 1;
        }
        t_store += clock::monotonic_ns() - t2;
    }
    double central_rate = static_cast<double>(kEntries) / seconds_since(start);
    // The former parse (gunzip whole, nlohmann DOM, then entries) over the same bodies, for comparison.
    int64_t t_old = clock::monotonic_ns();
    for (const auto& body : bodies) {
        auto text = protocol::gzip_decompress(body, protocol::kMaxBatchJsonBytes).release_value();
        (void)protocol::ingest_request_from_json(protocol::parse_json(text, protocol::kMaxBatchJsonBytes).value());
    }
    std::fprintf(stderr, "parse with the bounded streaming reader %.3f s, with gunzip + nlohmann DOM %.3f s\n", t_parse / 1e9,
                 static_cast<double>(clock::monotonic_ns() - t_old) / 1e9);
    std::fprintf(stderr, "parse %.3f s, verify %.3f s, store %.3f s\n", t_parse / 1e9, t_verify / 1e9, t_store / 1e9);

    // A bare batched insert of the same rows with the same settings.
    TempDir b("bench-ingest-bare");
    auto db = db::Db::open(b.path() / "bare.db").release_value();
    (void)db.exec("PRAGMA journal_mode=WAL");
    (void)db.exec("PRAGMA synchronous=FULL");
    (void)db.exec("CREATE TABLE entries(terminal_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,"
                  " time TEXT NOT NULL, payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
                  " signature TEXT NOT NULL, received_ms INTEGER NOT NULL, PRIMARY KEY(terminal_id, seq)) WITHOUT ROWID");
    auto insert = db.prepare("INSERT INTO entries VALUES(?,?,?,?,?,?,?,?,?,?)").release_value();
    start = clock::monotonic_ns();
    for (int64_t i = 0; i < kEntries; i += kBatch) {
        (void)db.exec("BEGIN IMMEDIATE");
        for (int64_t k = i; k < i + kBatch; ++k) {
            const auto& e = chain[static_cast<size_t>(k)];
            insert.bind(1, tid).bind(2, e.seq).bind(3, e.id).bind(4, e.type).bind(5, e.time).bind(6, e.payload.dump())
                .bind(7, e.prev_hash).bind(8, e.hash).bind(9, e.signature).bind(10, clock::unix_ms());
            (void)insert.run();
        }
        (void)db.exec("COMMIT");
    }
    double bare_rate = static_cast<double>(kEntries) / seconds_since(start);
    std::fprintf(stderr, "central ingest %.0f entries/s, bare insert %.0f rows/s\n", central_rate, bare_rate);
    std::printf("bench central.ingest_ratio %.2f ratio\n", central_rate / bare_rate);
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
