#pragma once
// The national transparency log, as one central instance serves it (docs/PROTOCOL.md "Transparency log").
//
// The store numbers every accepted entry's leaf inside the ingest transaction (leaf order = commit order, on
// every instance); this keeps the RFC 9162 tree of those leaves in memory, brought up to the store's head
// whenever it is asked for more than it holds (loaded from the store at start: the log survives restarts),
// signs checkpoints {origin, size, root, time} with central's key, keeps them in the store, and builds
// inclusion and consistency proofs. Before signing a new checkpoint it checks that its tree still has the root
// of the latest kept checkpoint: a store whose leaves were rewritten or dropped gets no new checkpoint
// (error.central.log_rewritten) — and an auditor holding an older checkpoint would see the inconsistency anyway.

#include "base/result.h"
#include "central/store/store.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/merkle.h"
#include "sync/protocol/signed.h"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::central {

class TransparencyLog {
public:
    TransparencyLog(Store& store, protocol::KeyPair keys);

    const std::string& origin() const { return m_origin; }
    // Reads the leaves the store holds beyond the tree; returns the tree's size.
    Result<int64_t> catch_up();
    // The tree's size without asking the store.
    int64_t size() const;

    // Signs and keeps a checkpoint of the whole log when it grew since the latest kept one (made on a timer and
    // on demand); otherwise returns the latest. error.central.log_rewritten when the tree no longer has the
    // latest kept checkpoint's root.
    Result<StoredCheckpoint> make_checkpoint(int64_t now_ms);
    // The latest kept checkpoint (made by any instance), if any.
    Result<std::optional<StoredCheckpoint>> latest();

    // PATH(index, D[size]) and PROOF(first, D[second]); error.log.range when the log is not that large (yet).
    Result<std::vector<protocol::MerkleHash>> inclusion_proof(int64_t index, int64_t size);
    Result<std::vector<protocol::MerkleHash>> consistency_proof(int64_t first, int64_t second);
    Result<protocol::MerkleHash> root(int64_t size);

private:
    Result<void> ensure_size(int64_t size); // catch up when the tree is smaller than `size`
    Result<int64_t> catch_up_locked();

    Store& m_store;
    protocol::KeyPair m_keys;
    std::string m_origin;
    mutable std::mutex m_mutex; // the tree
    protocol::MerkleTree m_tree;
    std::mutex m_checkpoint_mutex;
};

} // namespace nafitha::central
