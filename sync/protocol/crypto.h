#pragma once
// Hashing and signatures (libsodium): SHA-256, Ed25519, hex and base64.

#include "base/result.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace nafitha::protocol {

using PublicKey = std::array<uint8_t, 32>;
using SecretKey = std::array<uint8_t, 64>;
using Digest = std::array<uint8_t, 32>;

struct KeyPair {
    PublicKey public_key{};
    SecretKey secret_key{};
};

// Initialises libsodium once; safe from any thread.
void init_crypto();

KeyPair generate_keypair();

Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

// Detached Ed25519 signature of `message`, base64 (standard alphabet, padded).
std::string sign(const SecretKey& secret_key, std::string_view message);
bool verify(const PublicKey& public_key, std::string_view message, std::string_view signature_b64);
// The same with the raw 64-byte signature (as central's store keeps it).
bool verify_raw(const PublicKey& public_key, std::string_view message, std::string_view signature);

std::string to_hex(const uint8_t* data, size_t size);
template<size_t N>
std::string to_hex(const std::array<uint8_t, N>& a) { return to_hex(a.data(), N); }
Result<std::string> from_hex(std::string_view hex);

std::string to_base64(std::string_view bytes);
Result<std::string> from_base64(std::string_view b64);

// Key encodings for files and the wire: base64 of the raw bytes.
std::string encode_public_key(const PublicKey& key);
Result<PublicKey> decode_public_key(std::string_view b64);
std::string encode_secret_key(const SecretKey& key);
Result<SecretKey> decode_secret_key(std::string_view b64);

} // namespace nafitha::protocol
