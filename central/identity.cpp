#include "central/identity.h"

#include "base/fs.h"
#include "base/log.h"

#include <sodium.h>

namespace nafitha::central {

namespace {

Result<protocol::KeyPair> from_secret(const std::string& text)
{
    protocol::KeyPair keys;
    keys.secret_key = TRY(protocol::decode_secret_key(text));
    crypto_sign_ed25519_sk_to_pk(keys.public_key.data(), keys.secret_key.data());
    return keys;
}

// The key in `path`, made (mode 0600) when the file does not exist.
Result<protocol::KeyPair> key_in_file(const std::filesystem::path& path)
{
    for (auto& warning : TRY(fs::secure_key_file(path)))
        log::warn("data", warning);
    if (std::filesystem::exists(path)) {
        auto text = TRY(fs::read_file(path, 4096));
        while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
            text.pop_back();
        return from_secret(text);
    }
    auto keys = protocol::generate_keypair();
    TRY(fs::write_file_atomic(path, protocol::encode_secret_key(keys.secret_key) + "\n", 0600));
    return keys;
}

} // namespace

Result<protocol::KeyPair> load_central_key(Store& store, const std::filesystem::path& data_dir,
                                           const std::filesystem::path& key_file)
{
    protocol::init_crypto();
    if (!key_file.empty())
        return key_in_file(key_file);
    if (!data_dir.empty())
        return key_in_file(data_dir / "server.key");
    auto candidate = protocol::generate_keypair();
    auto stored = TRY(store.setting("central_secret_key", protocol::encode_secret_key(candidate.secret_key)));
    return from_secret(stored);
}

} // namespace nafitha::central
