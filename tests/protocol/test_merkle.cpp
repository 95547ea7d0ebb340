// RFC 9162 Merkle trees (sync/protocol/merkle.h) against an independent implementation written here from the RFC's
// definitions (2.1.1 MTH, 2.1.3.1 PATH, 2.1.4.1 PROOF/SUBPROOF), recursive over the list of leaves, hashing with
// OpenSSL's EVP SHA-256 rather than libsodium; and the RFC's published empty-tree hash.

#include "sync/protocol/merkle.h"
#include "tests/protocol/merkle_reference.h"

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <string>
#include <vector>

using namespace nafitha::protocol;

using namespace nafitha::testing::rfc9162;

namespace {

Bytes bytes(const MerkleHash& h) { return Bytes(h.begin(), h.end()); }
std::vector<Bytes> bytes(const std::vector<MerkleHash>& v)
{
    std::vector<Bytes> out;
    for (auto& h : v)
        out.push_back(bytes(h));
    return out;
}

} // namespace

TEST_CASE("Merkle roots inclusion and consistency proofs equal an independent RFC 9162 implementation")
{
    // RFC 9162 / RFC 6962 test vector: the empty tree.
    CHECK(bytes(merkle_empty_root()) == sha256({}));
    MerkleTree tree;
    Reference ref;
    CHECK(bytes(tree.root()) == sha256({}));
    const size_t kMax = 70;
    for (size_t n = 1; n <= kMax; ++n) {
        auto leaf = "entry " + std::to_string(n * 7919);
        tree.append(leaf);
        ref.leaves.push_back(leaf);
    }
    for (size_t n = 1; n <= kMax; ++n) {
        INFO("tree size " << n);
        auto root = tree.root(n).value();
        REQUIRE(bytes(root) == ref.mth(0, n));
        for (size_t m = 0; m < n; ++m) {
            auto proof = tree.inclusion_proof(m, n).value();
            REQUIRE(bytes(proof) == ref.path(m, 0, n));
            CHECK(verify_inclusion(m, n, merkle_leaf_hash(ref.leaves[m]), proof, root));
            // Another leaf, another index, another size or a changed proof does not verify.
            CHECK_FALSE(verify_inclusion(m, n, merkle_leaf_hash("forged"), proof, root));
            if (n > 1)
                CHECK_FALSE(verify_inclusion((m + 1) % n, n, merkle_leaf_hash(ref.leaves[m]), proof, root));
            if (!proof.empty()) {
                auto bad = proof;
                bad.back()[0] ^= 1;
                CHECK_FALSE(verify_inclusion(m, n, merkle_leaf_hash(ref.leaves[m]), bad, root));
            }
        }
        for (size_t m = 1; m <= n; ++m) {
            auto proof = tree.consistency_proof(m, n).value();
            REQUIRE(bytes(proof) == ref.subproof(m, 0, n, true));
            auto old_root = tree.root(m).value();
            CHECK(verify_consistency(m, n, old_root, root, proof));
            if (m < n) {
                // A rewritten old tree (another old root) or a forged new root is caught.
                auto other = old_root;
                other[5] ^= 0x40;
                CHECK_FALSE(verify_consistency(m, n, other, root, proof));
                auto forged = root;
                forged[0] ^= 1;
                CHECK_FALSE(verify_consistency(m, n, old_root, forged, proof));
                if (!proof.empty()) {
                    auto bad = proof;
                    bad.front()[31] ^= 1;
                    CHECK_FALSE(verify_consistency(m, n, old_root, root, bad));
                }
            }
        }
    }
    // Sizes past the tree are refused.
    CHECK(tree.root(kMax + 1).error().code == "error.merkle.size");
    CHECK(tree.inclusion_proof(kMax, kMax).error().code == "error.merkle.size");
    CHECK(tree.consistency_proof(0, 3).error().code == "error.merkle.size");
}

TEST_CASE("A tree that drops or rewrites an entry cannot prove consistency with what it published")
{
    MerkleTree honest, rewritten;
    for (int i = 0; i < 1000; ++i) {
        honest.append("tx " + std::to_string(i));
        rewritten.append(i == 400 ? std::string("tx 400 with amount 1") : "tx " + std::to_string(i));
    }
    auto published = honest.root(500).value();
    // The rewritten log's proof from 500 to 1000 does not connect to the checkpoint the auditor kept.
    auto proof = rewritten.consistency_proof(500, 1000).value();
    CHECK_FALSE(verify_consistency(500, 1000, published, rewritten.root(), proof));
    CHECK(verify_consistency(500, 1000, published, honest.root(), honest.consistency_proof(500, 1000).value()));
}
