#include "sync/journal/identity.h"

#include "base/fs.h"
#include "base/log.h"
#include "sync/protocol/messages.h"

#include <nlohmann/json.hpp>
#include <sodium.h>

namespace nafitha::journal {

static Result<Identity> read_identity(const std::filesystem::path& dir)
{
    auto key_text = TRY(fs::read_file(dir / "terminal.key", 1024));
    while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == '\r' || key_text.back() == ' '))
        key_text.pop_back();
    auto secret = protocol::decode_secret_key(key_text);
    if (!secret.ok())
        return Error::make("error.journal.bad_key", "terminal.key is not a valid Ed25519 secret key");
    Identity id;
    id.keys.secret_key = secret.value();
    protocol::init_crypto();
    crypto_sign_ed25519_sk_to_pk(id.keys.public_key.data(), id.keys.secret_key.data());
    id.terminal_id = protocol::terminal_id_for(id.keys.public_key);

    std::error_code ec;
    if (std::filesystem::exists(dir / "identity.json", ec)) {
        auto text = TRY(fs::read_file(dir / "identity.json", 4096));
        auto j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("terminal_id") || !j["terminal_id"].is_string())
            return Error::make("error.journal.bad_key", "identity.json is malformed");
        if (j["terminal_id"].get<std::string>() != id.terminal_id ||
            j.value("public_key", std::string()) != protocol::encode_public_key(id.keys.public_key))
            return Error::make("error.journal.identity_mismatch", "identity.json does not match terminal.key");
    } else {
        nlohmann::json j = {{"terminal_id", id.terminal_id}, {"public_key", protocol::encode_public_key(id.keys.public_key)}};
        TRY(fs::create_file_once(dir / "identity.json", j.dump(2) + "\n", 0600));
    }
    return id;
}

// The data folder 0700 and its files 0600, checked at every start (issue 14): narrowed with a warning in the log, or
// refused (another user's, a linked key).
static Result<void> secure(const std::filesystem::path& data_dir)
{
    for (auto& warning : TRY(fs::secure_data_dir(data_dir)))
        log::warn("data", warning);
    return {};
}

Result<Identity> load_identity(const std::filesystem::path& data_dir)
{
    std::error_code ec;
    if (!std::filesystem::exists(data_dir / "terminal.key", ec))
        return Error::make("error.journal.no_identity", data_dir.string() + " holds no terminal.key");
    TRY(secure(data_dir));
    return read_identity(data_dir);
}

Result<Identity> load_or_create_identity(const std::filesystem::path& data_dir)
{
    TRY(fs::ensure_dir(data_dir, 0700));
    TRY(secure(data_dir));
    std::error_code ec;
    if (!std::filesystem::exists(data_dir / "terminal.key", ec)) {
        auto kp = protocol::generate_keypair();
        TRY(fs::create_file_once(data_dir / "terminal.key", protocol::encode_secret_key(kp.secret_key) + "\n", 0600));
        sodium_memzero(kp.secret_key.data(), kp.secret_key.size());
    }
    return read_identity(data_dir);
}

} // namespace nafitha::journal
