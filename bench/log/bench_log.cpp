// Transparency log benchmarks (issue 14, step 7: the tree only, sync/protocol/merkle.h):
//   bench central.checkpoint_ms          a signed checkpoint over 1,000,000 accepted entries built from nothing
//                                        (1,000,000 leaf hashes, every interior node, the root, one Ed25519 signature)
//   bench central.checkpoint_append_ms   the next checkpoint after 10,000 more entries (the tree kept in memory)
//   bench central.inclusion_proof_us     one inclusion proof in the 1,010,000-entry tree

#include "base/clock.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/merkle.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace nafitha;

int main()
{
    protocol::init_crypto();
    auto keys = protocol::generate_keypair();
    constexpr int kEntries = 1'000'000;
    // Leaves as central would log them: terminal, seq and the entry's hash.
    std::vector<std::string> leaves;
    leaves.reserve(kEntries + 10'000);
    for (int i = 0; i < kEntries + 10'000; ++i)
        leaves.push_back("T0123456789ab|" + std::to_string(i + 1) + "|" + protocol::sha256_hex(std::to_string(i)));

    auto checkpoint = [&](const protocol::MerkleTree& tree) {
        auto root = tree.root();
        std::string body = "nafitha-log-checkpoint-v1\n" + std::to_string(tree.size()) + "\n" +
                           protocol::to_base64(std::string(root.begin(), root.end())) + "\n";
        return protocol::sign(keys.secret_key, body);
    };
    auto t0 = clock::monotonic_ns();
    protocol::MerkleTree tree;
    tree.reserve(kEntries + 10'000);
    for (int i = 0; i < kEntries; ++i)
        tree.append(leaves[static_cast<size_t>(i)]);
    auto sig = checkpoint(tree);
    double full_ms = double(clock::monotonic_ns() - t0) / 1e6;
    t0 = clock::monotonic_ns();
    for (int i = kEntries; i < kEntries + 10'000; ++i)
        tree.append(leaves[static_cast<size_t>(i)]);
    sig = checkpoint(tree);
    double append_ms = double(clock::monotonic_ns() - t0) / 1e6;
    t0 = clock::monotonic_ns();
    size_t n = 0;
    for (uint64_t i = 0; i < 1000; ++i)
        n += tree.inclusion_proof(i * 997, tree.size()).value().size();
    double proof_us = double(clock::monotonic_ns() - t0) / 1e3 / 1000;
    std::printf("bench central.checkpoint_ms %.0f ms\n", full_ms);
    std::printf("bench central.checkpoint_append_ms %.1f ms\n", append_ms);
    std::printf("bench central.inclusion_proof_us %.1f us\n", proof_us);
    std::fprintf(stderr, "proof hashes %zu, signature %zu bytes\n", n, sig.size());
    return 0;
}
