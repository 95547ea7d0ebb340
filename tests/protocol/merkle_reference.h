#pragma once
// An independent RFC 9162 Merkle tree written from the RFC's definitions (2.1.1 MTH, 2.1.3.1 PATH, 2.1.4.1
// PROOF/SUBPROOF), recursive over the list of leaves, hashing with OpenSSL's EVP SHA-256 rather than the
// project's code: what tests check sync/protocol/merkle.h and central's transparency log against.

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <string>
#include <vector>

namespace nafitha::testing::rfc9162 {

using Bytes = std::vector<unsigned char>;

inline Bytes sha256(const Bytes& in)
{
    Bytes out(32);
    unsigned int len = 0;
    REQUIRE(EVP_Digest(in.data(), in.size(), out.data(), &len, EVP_sha256(), nullptr) == 1);
    return out;
}

struct Reference {
    std::vector<std::string> leaves;

    Bytes leaf(size_t i) const
    {
        Bytes in{0x00};
        in.insert(in.end(), leaves[i].begin(), leaves[i].end());
        return sha256(in);
    }
    static Bytes node(const Bytes& l, const Bytes& r)
    {
        Bytes in{0x01};
        in.insert(in.end(), l.begin(), l.end());
        in.insert(in.end(), r.begin(), r.end());
        return sha256(in);
    }
    static size_t k_of(size_t n)
    {
        size_t k = 1;
        while (k * 2 < n)
            k *= 2;
        return k;
    }
    // MTH(D[a:b])
    Bytes mth(size_t a, size_t b) const
    {
        if (b == a)
            return sha256({});
        if (b - a == 1)
            return leaf(a);
        size_t k = k_of(b - a);
        return node(mth(a, a + k), mth(a + k, b));
    }
    // PATH(m, D[a:b])
    std::vector<Bytes> path(size_t m, size_t a, size_t b) const
    {
        size_t n = b - a;
        if (n == 1)
            return {};
        size_t k = k_of(n);
        std::vector<Bytes> out;
        if (m < k) {
            out = path(m, a, a + k);
            out.push_back(mth(a + k, b));
        } else {
            out = path(m - k, a + k, b);
            out.push_back(mth(a, a + k));
        }
        return out;
    }
    // SUBPROOF(m, D[a:b], whole)
    std::vector<Bytes> subproof(size_t m, size_t a, size_t b, bool whole) const
    {
        size_t n = b - a;
        if (m == n)
            return whole ? std::vector<Bytes>{} : std::vector<Bytes>{mth(a, b)};
        size_t k = k_of(n);
        std::vector<Bytes> out;
        if (m <= k) {
            out = subproof(m, a, a + k, whole);
            out.push_back(mth(a + k, b));
        } else {
            out = subproof(m - k, a + k, b, false);
            out.push_back(mth(a, a + k));
        }
        return out;
    }
};

} // namespace nafitha::testing::rfc9162
