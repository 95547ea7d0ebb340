#pragma once
// `nafitha-central verify`: re-checks every stored entry against the bytes its terminal signed. For each
// terminal: the seqs run 1, 2, 3… without gap (a gap is allowed only where an archived month's recorded range
// fills it exactly), each entry's signed bytes name the terminal and the seq, chain to the previous entry's hash
// and carry a valid Ed25519 signature by the terminal's key (or none, when a later signed entry of the chain
// covers it: a chain may not end unsigned); the last stored entry is the terminal's recorded last_seq and
// last_hash.

#include "central/store/store.h"

#include <functional>
#include <string>
#include <vector>

namespace nafitha::central {

struct VerifyReport {
    int64_t terminals = 0;
    int64_t entries = 0;        // entries checked
    int64_t archived = 0;       // entries skipped because their month was archived and detached
    int64_t problems = 0;
    std::vector<std::string> details; // the first problems, one line each
    bool ok() const { return problems == 0; }
};

// `workers` threads check terminals in parallel (0 = one per core).
Result<VerifyReport> verify_store(Store& store, unsigned workers = 0);

// Checks one entry's signed bytes: parses them and compares seq, terminal and prev; verifies the signature when
// there is one (an empty signature is the caller's to account for). Returns the entry's hash, or an error saying
// what is wrong.
Result<std::string> check_signed_entry(const std::string& terminal_id, const protocol::PublicKey& key, int64_t seq,
                                       const std::string& prev_hash, const std::string& bytes, const std::string& signature);

} // namespace nafitha::central
