#pragma once
// The SQLite side of the state that central/front shares between instances and keeps across restarts:
// nonces with their expiry, rate-limit windows, metric counters, and the health write probe. It lives in
// DIR/central-state.db so that its many small writes never queue behind an ingest transaction holding
// central.db's write lock. Nonces are committed with synchronous=NORMAL (WAL), several concurrent requests
// per commit (group commit): a committed nonce survives any crash or restart of central (it is in the WAL,
// in the kernel's hands, before the answer goes out); a power cut of the machine may forget the nonces of
// the last moments before the last checkpoint. That is accepted because every request a replayer could
// repeat is idempotent (reads; an ingest batch already stored stores nothing again) and TLS keeps requests
// from being captured; with synchronous=FULL every signed request waited for an fsync and one instance
// sustained about half the poll rate (docs/PERFORMANCE.md). Rate windows and counters: NORMAL too.
// The probe writes a heartbeat row into central.db itself, synchronous=FULL.

#include "base/result.h"
#include "central/store/store.h"
#include "db/sqlite.h"

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace nafitha::central {

class SqliteSharedState {
public:
    static Result<std::unique_ptr<SqliteSharedState>> open(const std::filesystem::path& data_dir);

    Result<bool> use_nonce(const std::string& terminal_id, const std::string& nonce, int64_t expires_ms, int64_t now_ms);
    Result<RateWindow> count_in_window(const std::string& key, int64_t window_ms, int64_t now_ms);
    Result<void> add_counters(const std::vector<std::pair<std::string, int64_t>>& deltas);
    Result<std::vector<std::pair<std::string, int64_t>>> counters();
    Result<void> probe_write(const std::string& instance, int64_t now_ms);
    Result<void> expire_state(int64_t now_ms);

private:
    struct NonceRequest;
    SqliteSharedState() = default;
    void commit_nonces(const std::vector<NonceRequest*>& batch);

    // Nonces: a connection of their own; one leader commits everyone's queued nonces in one transaction.
    std::mutex m_queue_mutex;
    std::condition_variable m_queue_cv;
    std::vector<NonceRequest*> m_queue;
    bool m_leader = false;
    db::Db m_nonce_db;
    db::Statement m_upsert_nonce;

    // Rate windows and counters (synchronous=NORMAL).
    std::mutex m_mutex;
    db::Db m_db;
    db::Statement m_count, m_add_counter;

    // The probe's own connection to central.db.
    std::mutex m_probe_mutex;
    db::Db m_probe_db;
    db::Statement m_probe;
};

} // namespace nafitha::central
