#include "central/log.h"

#include "base/log.h"

namespace nafitha::central {

namespace {
constexpr int64_t kPage = 100'000; // leaves read from the store at a time
}

TransparencyLog::TransparencyLog(Store& store, protocol::KeyPair keys)
    : m_store(store), m_keys(std::move(keys)), m_origin(protocol::log_origin(m_keys.public_key))
{
}

int64_t TransparencyLog::size() const
{
    std::lock_guard lock(m_mutex);
    return static_cast<int64_t>(m_tree.size());
}

Result<int64_t> TransparencyLog::catch_up_locked()
{
    for (;;) {
        auto from = static_cast<int64_t>(m_tree.size());
        auto page = TRY(m_store.log_leaf_hashes(from, from + kPage));
        if (from == 0 && !page.empty())
            m_tree.reserve(static_cast<uint64_t>(TRY(m_store.log_size())));
        for (const auto& h : page)
            m_tree.append_leaf_hash(h);
        if (static_cast<int64_t>(page.size()) < kPage)
            return static_cast<int64_t>(m_tree.size());
    }
}

Result<int64_t> TransparencyLog::catch_up()
{
    std::lock_guard lock(m_mutex);
    return catch_up_locked();
}

Result<void> TransparencyLog::ensure_size(int64_t size)
{
    std::lock_guard lock(m_mutex);
    if (size >= 0 && static_cast<uint64_t>(size) <= m_tree.size())
        return {};
    TRY(catch_up_locked());
    if (size < 0 || static_cast<uint64_t>(size) > m_tree.size())
        return Error::make("error.log.range", "the log holds " + std::to_string(m_tree.size()) + " leaves, not " + std::to_string(size));
    return {};
}

Result<protocol::MerkleHash> TransparencyLog::root(int64_t size)
{
    TRY(ensure_size(size));
    std::lock_guard lock(m_mutex);
    return m_tree.root(static_cast<uint64_t>(size));
}

Result<std::vector<protocol::MerkleHash>> TransparencyLog::inclusion_proof(int64_t index, int64_t size)
{
    if (index < 0 || index >= size)
        return Error::make("error.log.range", "leaf " + std::to_string(index) + " is not in a tree of " + std::to_string(size));
    TRY(ensure_size(size));
    std::lock_guard lock(m_mutex);
    return m_tree.inclusion_proof(static_cast<uint64_t>(index), static_cast<uint64_t>(size));
}

Result<std::vector<protocol::MerkleHash>> TransparencyLog::consistency_proof(int64_t first, int64_t second)
{
    if (first < 0 || first > second)
        return Error::make("error.log.range", "no consistency proof from " + std::to_string(first) + " to " + std::to_string(second));
    TRY(ensure_size(second));
    if (first == 0 || first == second)
        return std::vector<protocol::MerkleHash>(); // the empty tree is a prefix of every tree; a tree of itself
    std::lock_guard lock(m_mutex);
    return m_tree.consistency_proof(static_cast<uint64_t>(first), static_cast<uint64_t>(second));
}

Result<std::optional<StoredCheckpoint>> TransparencyLog::latest() { return m_store.latest_checkpoint(); }

Result<StoredCheckpoint> TransparencyLog::make_checkpoint(int64_t now_ms)
{
    std::lock_guard once(m_checkpoint_mutex);
    auto latest = TRY(m_store.latest_checkpoint());
    protocol::MerkleHash root;
    int64_t size = 0;
    {
        std::lock_guard lock(m_mutex);
        TRY(catch_up_locked());
        size = static_cast<int64_t>(m_tree.size());
        if (latest) {
            if (latest->size > size)
                return *latest; // another instance's, over leaves this one cannot read yet
            auto kept = TRY(m_tree.root(static_cast<uint64_t>(latest->size)));
            if (protocol::to_hex(kept) != latest->root) {
                log::error("log", "the transparency log no longer holds the tree of its checkpoint of size " + std::to_string(latest->size)
                                      + ": its leaves were rewritten or removed; no new checkpoint is signed");
                return Error::make("error.central.log_rewritten", "the log's first " + std::to_string(latest->size)
                                                                      + " leaves no longer have the root of the kept checkpoint");
            }
            if (latest->size == size)
                return *latest;
        }
        root = m_tree.root();
    }
    protocol::Checkpoint cp{m_origin, size, protocol::to_hex(root), now_ms};
    auto signed_cp = TRY(protocol::sign_statement(protocol::statement_of(cp), m_keys.secret_key));
    StoredCheckpoint stored{size, cp.root, now_ms, protocol::to_json(signed_cp).dump()};
    TRY(m_store.add_checkpoint(stored));
    // Another instance may have kept one of the same size first: that one is the checkpoint of this size.
    auto now_latest = TRY(m_store.latest_checkpoint());
    return now_latest ? *now_latest : stored;
}

} // namespace nafitha::central
