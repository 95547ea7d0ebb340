#pragma once
// The terminal's identity: an Ed25519 key pair kept in DIR/terminal.key (base64 secret key, mode 0600) and
// DIR/identity.json ({"terminal_id", "public_key"}). terminal_id = "T" + the first 12 hex characters of
// sha256(public key bytes). Made on first use; the id never changes afterwards.

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

std::string terminal_id_for(const protocol::PublicKey& public_key);

// Loads the identity from `data_dir`, creating the folder (0700), the key and identity.json when missing.
// A key that does not match identity.json is error.journal.identity_mismatch.
Result<Identity> load_or_create_identity(const std::filesystem::path& data_dir);

// Creates `path` with `data` durably (write, fsync, link, fsync the folder) only if it does not exist yet:
// when two processes start on a fresh folder, the first writer wins and the other reads its file. Returns
// false when the file already existed (nothing written).
Result<bool> create_file_once(const std::filesystem::path& path, std::string_view data, unsigned mode);

// Loads without creating anything: error.journal.no_identity when the folder holds no key.
Result<Identity> load_identity(const std::filesystem::path& data_dir);

} // namespace nafitha::journal
