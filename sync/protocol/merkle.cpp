#include "sync/protocol/merkle.h"

#include <bit>
#include <openssl/sha.h>
#include <sodium.h>

namespace nafitha::protocol {

namespace {

// SHA-256 through OpenSSL's one-block interface, which uses the CPU's SHA extensions without the EVP dispatch
// (libsodium's portable SHA-256 is about four times slower here, EVP's per-call setup twice). The low-level calls are
// deprecated in OpenSSL 3 but present and exact.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
MerkleHash sha256_two(const unsigned char* a, size_t an, const unsigned char* b, size_t bn)
{
    MerkleHash out;
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, a, an);
    if (bn)
        SHA256_Update(&ctx, b, bn);
    SHA256_Final(out.data(), &ctx);
    return out;
}
#pragma GCC diagnostic pop

// The largest power of two strictly below n (n >= 2).
uint64_t split_point(uint64_t n) { return std::bit_floor(n - 1); }

} // namespace

MerkleHash merkle_leaf_hash(std::string_view data)
{
    const unsigned char prefix = 0x00;
    return sha256_two(&prefix, 1, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

MerkleHash merkle_node_hash(const MerkleHash& left, const MerkleHash& right)
{
    unsigned char buf[65];
    buf[0] = 0x01;
    std::copy(left.begin(), left.end(), buf + 1);
    std::copy(right.begin(), right.end(), buf + 33);
    return sha256_two(buf, sizeof buf, nullptr, 0);
}

MerkleHash merkle_empty_root()
{
    MerkleHash out;
    crypto_hash_sha256(out.data(), nullptr, 0);
    return out;
}

void MerkleTree::reserve(uint64_t leaves)
{
    for (size_t k = 0; leaves > 0; ++k, leaves /= 2) {
        if (k == m_levels.size())
            m_levels.emplace_back();
        m_levels[k].reserve(static_cast<size_t>(leaves));
    }
}

void MerkleTree::append_leaf_hash(const MerkleHash& leaf)
{
    if (m_levels.empty())
        m_levels.emplace_back();
    m_levels[0].push_back(leaf);
    // Every subtree the new leaf completes: one hash per level while the count there becomes even.
    for (size_t k = 0; m_levels[k].size() % 2 == 0; ++k) {
        if (k + 1 == m_levels.size())
            m_levels.emplace_back();
        auto& level = m_levels[k];
        m_levels[k + 1].push_back(merkle_node_hash(level[level.size() - 2], level[level.size() - 1]));
    }
}

MerkleHash MerkleTree::subtree(uint64_t begin, uint64_t end) const
{
    uint64_t n = end - begin;
    if (n == 0)
        return merkle_empty_root();
    if (std::has_single_bit(n) && begin % n == 0) {
        auto k = static_cast<size_t>(std::countr_zero(n));
        return m_levels[k][begin >> k];
    }
    uint64_t k = split_point(n);
    return merkle_node_hash(subtree(begin, begin + k), subtree(begin + k, end));
}

Result<MerkleHash> MerkleTree::root(uint64_t tree_size) const
{
    if (tree_size > size())
        return Error::make("error.merkle.size", "tree size " + std::to_string(tree_size) + " past " + std::to_string(size()));
    return subtree(0, tree_size);
}

MerkleHash MerkleTree::root() const { return subtree(0, size()); }

void MerkleTree::path(uint64_t index, uint64_t begin, uint64_t end, std::vector<MerkleHash>& out) const
{
    uint64_t n = end - begin;
    if (n <= 1)
        return;
    uint64_t k = split_point(n);
    if (index - begin < k) {
        path(index, begin, begin + k, out);
        out.push_back(subtree(begin + k, end));
    } else {
        path(index, begin + k, end, out);
        out.push_back(subtree(begin, begin + k));
    }
}

Result<std::vector<MerkleHash>> MerkleTree::inclusion_proof(uint64_t index, uint64_t tree_size) const
{
    if (tree_size > size() || index >= tree_size)
        return Error::make("error.merkle.size", "leaf " + std::to_string(index) + " of " + std::to_string(tree_size) +
                                                    " (tree holds " + std::to_string(size()) + ")");
    std::vector<MerkleHash> out;
    path(index, 0, tree_size, out);
    return out;
}

void MerkleTree::subproof(uint64_t m, uint64_t begin, uint64_t end, bool whole, std::vector<MerkleHash>& out) const
{
    uint64_t n = end - begin;
    if (m == n) {
        if (!whole)
            out.push_back(subtree(begin, end));
        return;
    }
    uint64_t k = split_point(n);
    if (m <= k) {
        subproof(m, begin, begin + k, whole, out);
        out.push_back(subtree(begin + k, end));
    } else {
        subproof(m - k, begin + k, end, false, out);
        out.push_back(subtree(begin, begin + k));
    }
}

Result<std::vector<MerkleHash>> MerkleTree::consistency_proof(uint64_t old_size, uint64_t new_size) const
{
    if (new_size > size() || old_size == 0 || old_size > new_size)
        return Error::make("error.merkle.size", "consistency of " + std::to_string(old_size) + " with " +
                                                    std::to_string(new_size) + " (tree holds " + std::to_string(size()) + ")");
    std::vector<MerkleHash> out;
    subproof(old_size, 0, new_size, true, out);
    return out;
}

bool verify_inclusion(uint64_t index, uint64_t tree_size, const MerkleHash& leaf_hash,
                      const std::vector<MerkleHash>& proof, const MerkleHash& root)
{
    if (index >= tree_size)
        return false;
    uint64_t fn = index, sn = tree_size - 1;
    MerkleHash r = leaf_hash;
    for (auto& p : proof) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            r = merkle_node_hash(p, r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            r = merkle_node_hash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

bool verify_consistency(uint64_t old_size, uint64_t new_size, const MerkleHash& old_root, const MerkleHash& new_root,
                        const std::vector<MerkleHash>& proof)
{
    if (old_size > new_size)
        return false;
    if (old_size == new_size)
        return proof.empty() && old_root == new_root;
    if (old_size == 0)
        return proof.empty(); // the empty tree is a prefix of every tree
    if (proof.empty())
        return false;
    std::vector<MerkleHash> path;
    if (std::has_single_bit(old_size))
        path.push_back(old_root);
    path.insert(path.end(), proof.begin(), proof.end());
    uint64_t fn = old_size - 1, sn = new_size - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    MerkleHash fr = path[0], sr = path[0];
    for (size_t i = 1; i < path.size(); ++i) {
        const auto& c = path[i];
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            fr = merkle_node_hash(c, fr);
            sr = merkle_node_hash(c, sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            sr = merkle_node_hash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return fr == old_root && sr == new_root && sn == 0;
}

} // namespace nafitha::protocol
