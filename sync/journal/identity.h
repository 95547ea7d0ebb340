#pragma once
// The terminal's identity: an Ed25519 key pair kept in DIR/terminal.key (base64 secret key, mode 0600) and
// DIR/identity.json ({"terminal_id", "public_key"}). The id is protocol::terminal_id_for(public key)
// (sync/protocol/messages.h, the one rule). Made on first use; the id never changes afterwards.

#include "base/result.h"
#include "sync/protocol/crypto.h"

#include <filesystem>
#include <string>
#include <string_view>

namespace nafitha::journal {

struct Identity {
    std::string terminal_id;
    protocol::KeyPair keys;
};

// Loads the identity from `data_dir`, creating the folder (0700), the key and identity.json when missing.
// A key that does not match identity.json is error.journal.identity_mismatch.
Result<Identity> load_or_create_identity(const std::filesystem::path& data_dir);

// Loads without creating anything: error.journal.no_identity when the folder holds no key.
Result<Identity> load_identity(const std::filesystem::path& data_dir);

} // namespace nafitha::journal
