// Transparency log benchmarks (issue 14): central's real path (central/log.h over the SQLite store).
//   bench central.checkpoint_ms          a signed checkpoint of a 1,000,000-entry log in a running central: the
//                                        10,000 leaves accepted since the previous checkpoint read from the store,
//                                        the root, one Ed25519 signature, the checkpoint kept in the store
//                                        (TransparencyLog::make_checkpoint; the tree is kept in memory)
//   bench central.checkpoint_cold_ms     the first checkpoint after a restart: all 1,000,000 leaves read from the
//                                        store, the tree rebuilt, signed and kept
//   bench central.tree_build_ms          the RFC 9162 tree alone over 1,000,000 leaf hashes in memory
//   bench central.inclusion_proof_us     one inclusion proof in the 1,010,000-entry tree

#include "base/clock.h"
#include "central/log.h"
#include "central/store/store.h"
#include "db/sqlite.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/merkle.h"
#include "tests/sync/harness.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace nafitha;

namespace {

double ms_since(int64_t t0) { return double(clock::monotonic_ns() - t0) / 1e6; }

// Appends `count` leaves to the store's log as ingest would (the hashes of distinct entries), in transactions of
// 50,000 (bench set-up: the leaves only, written directly).
void add_leaves(const std::filesystem::path& db_file, int64_t from, int64_t count)
{
    auto db = db::Db::open(db_file).release_value();
    auto ins = db.prepare("INSERT INTO log_leaves(idx, terminal, seq, leaf) VALUES(?,?,?,?)").release_value();
    for (int64_t i = from; i < from + count;) {
        (void)db.exec("BEGIN IMMEDIATE");
        for (int64_t end = std::min(from + count, i + 50'000); i < end; ++i) {
            auto h = protocol::merkle_leaf_hash("entry " + std::to_string(i));
            ins.bind(1, i).bind(2, 1 + i % 500).bind(3, 1 + i / 500)
                .bind_blob(4, std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
            (void)ins.run();
        }
        (void)db.exec("UPDATE log_head SET size = " + std::to_string(i) + " WHERE id = 1");
        (void)db.exec("COMMIT");
    }
}

} // namespace

int main()
{
    protocol::init_crypto();
    auto keys = protocol::generate_keypair();
    constexpr int64_t kEntries = 1'000'000, kMore = 10'000;

    testing::TempDir dir("bench-log");
    (void)central::open_sqlite_store(dir.path()).release_value(); // schema
    add_leaves(dir.path() / "central.db", 0, kEntries - kMore);

    auto store = central::open_sqlite_store(dir.path()).release_value();
    double warm_ms = 0, cold_ms = 0;
    {
        central::TransparencyLog log(*store, keys);
        (void)log.catch_up();
        (void)log.make_checkpoint(clock::unix_ms()).value(); // the previous checkpoint, 990,000 entries
        add_leaves(dir.path() / "central.db", kEntries - kMore, kMore);
        auto t0 = clock::monotonic_ns();
        auto cp = log.make_checkpoint(clock::unix_ms());
        warm_ms = ms_since(t0);
        if (!cp.ok() || cp->size != kEntries) {
            std::fprintf(stderr, "checkpoint failed: %s\n", cp.ok() ? "wrong size" : cp.error().to_string().c_str());
            return 1;
        }
    }
    {
        // A restart: a new log over the same store, its first checkpoint (the latest kept one is re-checked too).
        add_leaves(dir.path() / "central.db", kEntries, 1);
        auto t0 = clock::monotonic_ns();
        central::TransparencyLog log(*store, keys);
        auto cp = log.make_checkpoint(clock::unix_ms());
        cold_ms = ms_since(t0);
        if (!cp.ok() || cp->size != kEntries + 1) {
            std::fprintf(stderr, "cold checkpoint failed\n");
            return 1;
        }
    }

    std::vector<protocol::MerkleHash> leaves;
    leaves.reserve(kEntries + kMore);
    for (int64_t i = 0; i < kEntries + kMore; ++i)
        leaves.push_back(protocol::merkle_leaf_hash("entry " + std::to_string(i)));
    auto t0 = clock::monotonic_ns();
    protocol::MerkleTree tree;
    tree.reserve(kEntries + kMore);
    for (int64_t i = 0; i < kEntries; ++i)
        tree.append_leaf_hash(leaves[static_cast<size_t>(i)]);
    auto root = tree.root();
    double tree_ms = ms_since(t0);
    for (int64_t i = kEntries; i < kEntries + kMore; ++i)
        tree.append_leaf_hash(leaves[static_cast<size_t>(i)]);
    t0 = clock::monotonic_ns();
    size_t n = 0;
    for (uint64_t i = 0; i < 1000; ++i)
        n += tree.inclusion_proof(i * 997, tree.size()).value().size();
    double proof_us = double(clock::monotonic_ns() - t0) / 1e3 / 1000;
    std::printf("bench central.checkpoint_ms %.1f ms\n", warm_ms);
    std::printf("bench central.checkpoint_cold_ms %.0f ms\n", cold_ms);
    std::printf("bench central.tree_build_ms %.0f ms\n", tree_ms);
    std::printf("bench central.inclusion_proof_us %.1f us\n", proof_us);
    std::fprintf(stderr, "proof hashes %zu, root %s\n", n, protocol::to_hex(root).c_str());
    return 0;
}
