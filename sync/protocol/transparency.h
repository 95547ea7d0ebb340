#pragma once
// The transparency log as a client sees it (docs/PROTOCOL.md "Transparency log"): the answers of central's
// public /v1/log/* routes, and the checks an auditor or a citizen's verifier makes on them with nothing but
// central's public key. A checkpoint is the signed statement {kind "checkpoint", origin, size, root, time_ms}
// (sync/protocol/signed.h); proofs are lists of hex SHA-256 hashes (RFC 9162 2.1.3 and 2.1.4); a leaf is the
// RFC 9162 leaf hash of an entry's signed bytes (sync/protocol/entry.h).

#include "base/result.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/merkle.h"
#include "sync/protocol/signed.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nafitha::protocol {

// A proof for a tree of up to 2^63 leaves has at most 2 * 63 hashes.
inline constexpr size_t kMaxProofHashes = 130;

nlohmann::json hashes_to_json(const std::vector<MerkleHash>& hashes);
// error.log.malformed when `j` is not a list of at most kMaxProofHashes hex hashes.
Result<std::vector<MerkleHash>> hashes_from_json(const nlohmann::json& j);
Result<MerkleHash> hash_from_hex(std::string_view hex);

// The checkpoint in `s`, checked: central's signature with `central_key` and the origin of that key
// (error.audit.checkpoint_forged), its fields in range.
Result<Checkpoint> verify_checkpoint(const Signed& s, const PublicKey& central_key);

// The auditor's check: `next` extends `seen` (an earlier checkpoint of the same log). error.audit.log_shrank
// when `next` is smaller, error.audit.inconsistent when the proof does not show `seen`'s tree as a prefix of
// `next`'s (rewritten or removed leaves), error.audit.origin for another log.
Result<void> check_consistency(const Checkpoint& seen, const Checkpoint& next, const std::vector<MerkleHash>& proof);

// GET /v1/log/entry and /v1/log/receipt: one logged entry, and (receipt) its inclusion in a checkpoint.
struct LoggedEntry {
    int64_t index = 0;
    std::string terminal_id;
    int64_t seq = 0;
    std::string bytes;     // the entry's signed bytes
    std::string signature; // base64, empty when a later entry of its transaction carries the signature
};
nlohmann::json to_json(const LoggedEntry& e);
Result<LoggedEntry> logged_entry_from_json(const nlohmann::json& j);

// The citizen's check: the entry's bytes are the submission of `reference` by `terminal_id`, and its leaf is
// at its index in the tree of the (already verified) checkpoint. error.log.not_included otherwise.
Result<void> check_receipt_inclusion(const LoggedEntry& entry, const std::string& terminal_id, const std::string& reference,
                                     const Checkpoint& checkpoint, const std::vector<MerkleHash>& proof);

} // namespace nafitha::protocol
