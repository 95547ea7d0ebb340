#pragma once
// A journal entry as it is hashed, signed, stored and sent. Shared by terminal and central.
//
// signing bytes = canonical JSON of {"id","payload","prev","seq","terminal","time","type"}
// hash          = lowercase hex SHA-256 of the signing bytes
// signature     = base64 Ed25519 (terminal key) over the signing bytes
// prev          = the previous entry's hash; the first entry (seq 1) has kGenesisHash.

#include "base/result.h"
#include "sync/protocol/crypto.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace nafitha::protocol {

inline const std::string kGenesisHash(64, '0');

// Limits on what one entry may hold (documented in docs/PROTOCOL.md).
inline constexpr size_t kMaxEntryPayloadBytes = 64 * 1024;
inline constexpr size_t kMaxEntryTypeBytes = 64;

struct Entry {
    int64_t seq = 0;           // 1, 2, 3, ... per terminal, no gaps
    std::string id;            // unique id (terminal id + seq is also unique)
    std::string terminal_id;   // the terminal that wrote it
    std::string type;          // "application.submitted", "payment.recorded", ...
    std::string time;          // UTC, ISO 8601 with milliseconds
    nlohmann::json payload;    // canonical-JSON-able object
    std::string prev_hash;     // previous entry's hash, kGenesisHash for seq 1
    std::string hash;          // filled by seal()
    std::string signature;     // filled by seal()
};

Result<std::string> signing_bytes(const Entry& entry);

// Computes hash and signature in place.
Result<void> seal(Entry& entry, const SecretKey& secret_key);
// Computes the hash only; the signature stays empty. The journal signs once per committed transaction: the last
// entry of a commit carries the signature, and the earlier ones are covered by the hash chain (each entry's
// signing bytes hold the previous entry's hash), see docs/PROTOCOL.md "One signature per transaction".
Result<std::string> seal_hash(Entry& entry);

// Checks that the hash matches the content and, when the entry is signed, that the signature matches the signing
// bytes and the key. An unsigned entry is only valid when a later signed entry of the same chain covers it: whoever
// checks a chain (journal::verify, central) requires that. error.protocol.entry_hash or error.protocol.entry_signature.
Result<void> verify_entry(const Entry& entry, const PublicKey& public_key);
inline bool is_signed(const Entry& entry) { return !entry.signature.empty(); }

nlohmann::json to_json(const Entry& entry);
// Parses and bounds-checks one entry from the wire; error.protocol.entry_malformed says what is wrong.
Result<Entry> entry_from_json(const nlohmann::json& json);

} // namespace nafitha::protocol
