#pragma once
// Personal data at rest: XChaCha20-Poly1305 with a per-terminal key, and a keyed BLAKE2b hash
// (crypto_generichash with a second key) for lookups by national ID. Keys live in DIR/pii.key (mode 0600).

#include "base/result.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace nafitha::services {

class PiiVault {
public:
    // Loads DIR/pii.key, creating it when missing.
    static Result<PiiVault> load_or_create(const std::filesystem::path& data_dir);

    PiiVault(const PiiVault&) = delete;
    PiiVault& operator=(const PiiVault&) = delete;
    PiiVault(PiiVault&& other) noexcept;
    PiiVault& operator=(PiiVault&&) = delete;
    ~PiiVault();

    // nonce || ciphertext || tag; `context` (e.g. the application reference) is authenticated as associated data.
    std::string seal(std::string_view plaintext, std::string_view context) const;
    // error.pii.decrypt_failed when the blob was altered or belongs to another context or key.
    Result<std::string> open(std::string_view sealed, std::string_view context) const;
    // Hex keyed hash of a normalised national ID, for lookups.
    std::string lookup_hash(std::string_view national_id) const;

private:
    PiiVault() = default;
    std::array<uint8_t, 32> m_enc_key{};
    std::array<uint8_t, 32> m_hash_key{};
};

} // namespace nafitha::services
