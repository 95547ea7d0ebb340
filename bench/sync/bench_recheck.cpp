// What the start-up signature check costs on a large store (issue 14, docs/PROTOCOL.md "Authenticating a batch at
// ingest"): a SQLite store of 1,000,000 entries (NAFITHA_BENCH_RECHECK_ENTRIES to change it) of 20 terminals, made as
// terminals write them (transactions of three entries, the last signed) and stored with the watermark at 0, as
// migration 17 leaves a store made by an earlier version; then a checker is started on it and waited for.
//   bench central.signature_recheck_s_sqlite / _pg      wall time of the whole start-up check
//   bench central.signature_recheck_us_per_entry_sqlite / _pg  the same per stored entry
// (the PostgreSQL store on a cluster of its own, port 5471; NAFITHA_BENCH_RECHECK_PG=0 skips it)
// The check runs on its own thread, page by page, while central serves; this is the time until the watermarks
// reach every terminal's last seq.

#include "tests/sync/harness.h"

#include "base/clock.h"
#include "central/signatures.h"
#include "central/store.h"
#include "tests/support/pg_cluster.h"
#include "base/log.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

// Fills `store` with `total` entries (watermarks left at 0) and times a checker's start-up check of them; prints the
// two lines with `kind` (sqlite or pg). False when anything fails.
bool measure(central::Store& store, int64_t total, const char* kind)
{
    constexpr int kTerminals = 20;
    constexpr int64_t kBatch = 999;
    const int64_t per_terminal = std::max<int64_t>(kBatch, total / kTerminals / kBatch * kBatch);
    auto t0 = clock::monotonic_ns();
    for (int t = 0; t < kTerminals; ++t) {
        auto keys = protocol::generate_keypair();
        std::string tid = protocol::terminal_id_for(keys.public_key);
        std::string code = protocol::sha256_hex("BENCHCODE" + std::to_string(t));
        (void)store.add_enrollment_code({code, "DAM-01", "bench", 0, INT64_MAX});
        if (!store.enroll(code, tid, protocol::encode_public_key(keys.public_key), clock::unix_ms()).ok()) {
            std::cerr << "enroll failed\n";
            return false;
        }
        std::string prev = protocol::kGenesisHash;
        for (int64_t first = 1; first <= per_terminal; first += kBatch) {
            auto chain = make_chain(keys, tid, first, kBatch, prev, 3);
            prev = chain.back().hash;
            central::IngestRefusal why;
            if (!store.ingest(tid, chain, clock::unix_ms(), why).ok()) {
                std::cerr << "ingest failed\n";
                return false;
            }
        }
    }
    const int64_t stored = per_terminal * kTerminals;
    std::fprintf(stderr, "%s: store of %lld entries made in %.1f s\n", kind, static_cast<long long>(stored),
                 static_cast<double>(clock::monotonic_ns() - t0) / 1e9);
    auto start = clock::monotonic_ns();
    {
        central::DeferredSignatures checker(store, nullptr);
        checker.wait_idle();
        if (checker.bad() != 0 || checker.checked() != stored / 3) {
            std::cerr << "the start-up check checked " << checker.checked() << " signatures, " << checker.bad() << " bad\n";
            return false;
        }
    }
    double s = static_cast<double>(clock::monotonic_ns() - start) / 1e9;
    if (!store.signature_backlog().value().empty()) {
        std::cerr << "watermarks behind after the check\n";
        return false;
    }
    std::printf("bench central.signature_recheck_s_%s %.1f s\n", kind, s);
    std::printf("bench central.signature_recheck_us_per_entry_%s %.2f us\n", kind, s * 1e6 / static_cast<double>(stored));
    std::fflush(stdout);
    return true;
}

} // namespace

int main()
{
    protocol::init_crypto();
    log::set_level(log::Level::Warn);
    int64_t total = 1'000'000;
    if (const char* n = std::getenv("NAFITHA_BENCH_RECHECK_ENTRIES"))
        total = std::max<int64_t>(999, std::atoll(n));
    {
        TempDir dir("bench-recheck");
        auto store = central::open_sqlite_store(dir.path()).release_value();
        if (!measure(*store, total, "sqlite"))
            return 1;
    }
    if (const char* pg = std::getenv("NAFITHA_BENCH_RECHECK_PG"); pg && std::string(pg) == "0")
        return 0;
    try {
        TempDir dir("rchk");
        testing::PgCluster::Options options;
        options.port = 5471; // not the test fixture's
        testing::PgCluster cluster(dir / "pg", options);
        auto store = central::open_store({{}, cluster.create_database("recheck")}).release_value();
        if (!measure(*store, total, "pg"))
            return 1;
    } catch (const std::exception& e) {
        std::cerr << "bench_recheck: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
