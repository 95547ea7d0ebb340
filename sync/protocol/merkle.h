#pragma once
// RFC 9162 (Certificate Transparency 2.0) Merkle trees, section 2.1: leaf hashes SHA-256(0x00 || data), interior
// nodes SHA-256(0x01 || left || right), the root of n leaves split at the largest power of two below n. Inclusion
// proofs (2.1.3) and consistency proofs (2.1.4) are built by MerkleTree and checked by the two verify functions,
// which follow the RFC's verification algorithms step by step (a verifier needs nothing else from this file).

#include "base/result.h"

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace nafitha::protocol {

using MerkleHash = std::array<uint8_t, 32>;

MerkleHash merkle_leaf_hash(std::string_view data);
MerkleHash merkle_node_hash(const MerkleHash& left, const MerkleHash& right);
MerkleHash merkle_empty_root(); // SHA-256 of nothing

// An append-only tree that keeps every complete subtree (about 2n hashes for n leaves), so that the root of any
// earlier size and every proof cost O(log n) hashes, and appending costs one hash per completed subtree.
class MerkleTree {
public:
    // Room for `leaves` leaves and their subtrees (a tree loaded from a store knows its size).
    void reserve(uint64_t leaves);
    void append_leaf_hash(const MerkleHash& leaf);
    void append(std::string_view data) { append_leaf_hash(merkle_leaf_hash(data)); }
    uint64_t size() const { return m_levels.empty() ? 0 : m_levels[0].size(); }

    // The root of the first `tree_size` leaves; error.merkle.size past size().
    Result<MerkleHash> root(uint64_t tree_size) const;
    MerkleHash root() const;
    // PATH(index, D[tree_size]).
    Result<std::vector<MerkleHash>> inclusion_proof(uint64_t index, uint64_t tree_size) const;
    // PROOF(old_size, D[new_size]), 0 < old_size <= new_size.
    Result<std::vector<MerkleHash>> consistency_proof(uint64_t old_size, uint64_t new_size) const;

private:
    MerkleHash subtree(uint64_t begin, uint64_t end) const; // MTH(D[begin:end])
    void path(uint64_t index, uint64_t begin, uint64_t end, std::vector<MerkleHash>& out) const;
    void subproof(uint64_t m, uint64_t begin, uint64_t end, bool whole, std::vector<MerkleHash>& out) const;
    // m_levels[k][i]: the root of the complete subtree of 2^k leaves starting at leaf i * 2^k.
    std::vector<std::vector<MerkleHash>> m_levels;
};

// RFC 9162 2.1.3.2: true when `proof` shows the leaf at `index` in a tree of `tree_size` with `root`.
bool verify_inclusion(uint64_t index, uint64_t tree_size, const MerkleHash& leaf_hash,
                      const std::vector<MerkleHash>& proof, const MerkleHash& root);
// RFC 9162 2.1.4.2: true when `proof` shows the tree of `old_size` with `old_root` is a prefix of the tree of
// `new_size` with `new_root`.
bool verify_consistency(uint64_t old_size, uint64_t new_size, const MerkleHash& old_root, const MerkleHash& new_root,
                        const std::vector<MerkleHash>& proof);

} // namespace nafitha::protocol
