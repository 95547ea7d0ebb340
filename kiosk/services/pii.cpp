#include "kiosk/services/pii.h"

#include "base/fs.h"
#include "sync/protocol/crypto.h"

#include <sodium.h>

namespace nafitha::services {

PiiVault::PiiVault(PiiVault&& other) noexcept : m_enc_key(other.m_enc_key), m_hash_key(other.m_hash_key)
{
    sodium_memzero(other.m_enc_key.data(), other.m_enc_key.size());
    sodium_memzero(other.m_hash_key.data(), other.m_hash_key.size());
}

PiiVault::~PiiVault()
{
    sodium_memzero(m_enc_key.data(), m_enc_key.size());
    sodium_memzero(m_hash_key.data(), m_hash_key.size());
}

Result<PiiVault> PiiVault::load_or_create(const std::filesystem::path& data_dir)
{
    protocol::init_crypto();
    auto file = data_dir / "pii.key";
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        std::string raw(64, '\0');
        randombytes_buf(raw.data(), raw.size());
        auto encoded = protocol::to_base64(raw);
        sodium_memzero(raw.data(), raw.size());
        // First writer wins when two processes start on a fresh folder (kiosk and sync worker).
        TRY(fs::create_file_once(file, encoded + "\n", 0600));
    }
    auto text = TRY(fs::read_file(file, 1024));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    auto raw = protocol::from_base64(text);
    if (!raw.ok() || raw->size() != 64)
        return Error::make("error.pii.bad_key", "pii.key is not 64 bytes of base64");
    PiiVault vault;
    std::copy(raw->begin(), raw->begin() + 32, vault.m_enc_key.begin());
    std::copy(raw->begin() + 32, raw->end(), vault.m_hash_key.begin());
    sodium_memzero(raw->data(), raw->size());
    return vault;
}

std::string PiiVault::seal(std::string_view plaintext, std::string_view context) const
{
    std::string out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    auto* nonce = reinterpret_cast<unsigned char*>(out.data());
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
                                               reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                                               reinterpret_cast<const unsigned char*>(context.data()), context.size(),
                                               nullptr, nonce, m_enc_key.data());
    out.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + clen);
    return out;
}

Result<std::string> PiiVault::open(std::string_view sealed, std::string_view context) const
{
    constexpr size_t overhead = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (sealed.size() < overhead)
        return Error::make("error.pii.decrypt_failed", "sealed personal data too short");
    std::string out(sealed.size() - overhead, '\0');
    unsigned long long mlen = 0;
    auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(out.data()), &mlen, nullptr,
                                                   nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                                   sealed.size() - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                                   reinterpret_cast<const unsigned char*>(context.data()), context.size(),
                                                   nonce, m_enc_key.data()) != 0)
        return Error::make("error.pii.decrypt_failed", "personal data does not decrypt with this terminal's key");
    out.resize(mlen);
    return out;
}

std::string PiiVault::lookup_hash(std::string_view national_id) const
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(national_id.data()), national_id.size(),
                       m_hash_key.data(), m_hash_key.size());
    return protocol::to_hex(h, sizeof h);
}

} // namespace nafitha::services
