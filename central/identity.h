#pragma once
// Central's Ed25519 key, which signs answers and archives. Every instance of one central must use the same key:
//   --key FILE        that file (the same on every instance; made with mode 0600 if missing)
//   --data DIR        DIR/server.key (the embedded SQLite set-up)
//   otherwise         kept in the store (setting "central_secret_key", made by the first instance)

#include "base/result.h"
#include "central/store/store.h"
#include "sync/protocol/crypto.h"

#include <filesystem>

namespace nafitha::central {

Result<protocol::KeyPair> load_central_key(Store& store, const std::filesystem::path& data_dir,
                                           const std::filesystem::path& key_file);

} // namespace nafitha::central
