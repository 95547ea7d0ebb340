#pragma once
// The per-transaction entry signatures of an ingested batch, checked after the acknowledgement
// (docs/PROTOCOL.md "Authenticating a batch at ingest").
//
// At ingest central authenticates every entry of a batch before storing it: the request's signature (terminal
// key, over the SHA-256 of the body that holds every entry), each entry's hash recomputed from its content, the
// chain (each entry names the previous one's hash), and the signature of the batch's last entry, which through
// the chain covers every entry before it. The signatures of the transactions inside the batch add nothing to that;
// they are stored so that anyone can check one transaction on its own later. This checks them on a background
// thread after the batch is stored: a bad one (only the terminal's own key could have sent it) is recorded as an
// alarm on that terminal (fork_alarms, stored hash "signature:invalid"), like a fork. When the queue is full the
// caller checks them itself before storing (nothing is ever left unchecked).

#include "central/metrics.h"
#include "central/store/store.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/entry.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nafitha::central {

// Checks what the ingest route checks before storing a batch: consecutive seqs of one terminal, the chain inside the
// batch, and the last entry's hash and signature (an unsigned last entry is refused with error.central.entry_unsigned,
// a bad one with error.protocol.entry_signature / entry_hash). Each entry's own hash is checked by the store
// (error.central.entry_invalid). `bad_seq` names the offending entry.
Result<void> authenticate_batch(const std::vector<protocol::Entry>& entries, const protocol::PublicKey& key, int64_t& bad_seq);

class DeferredSignatures {
public:
    // At most `max_queued` entries wait at once.
    DeferredSignatures(Store& store, Metrics* metrics, size_t max_queued = 500'000);
    ~DeferredSignatures(); // checks what is queued, then stops
    DeferredSignatures(const DeferredSignatures&) = delete;
    DeferredSignatures& operator=(const DeferredSignatures&) = delete;

    // Takes a stored batch (its entries moved in) to check every signed entry but the last. False when the queue
    // is full: the caller must check them itself (verify_entries) before storing.
    bool has_room(size_t entries) const;
    void submit(std::string terminal_id, protocol::PublicKey key, std::vector<protocol::Entry> entries);
    // Waits until everything submitted is checked (tests, benchmarks, shutdown).
    void wait_idle();
    int64_t checked() const;
    int64_t bad() const;

private:
    struct Job {
        std::string terminal_id;
        protocol::PublicKey key;
        std::vector<protocol::Entry> entries;
    };
    void run();

    Store& m_store;
    Metrics* m_metrics;
    size_t m_max_queued;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv, m_idle;
    std::deque<Job> m_jobs;
    size_t m_queued = 0;
    bool m_busy = false;
    bool m_stop = false;
    int64_t m_checked = 0, m_bad = 0;
    std::thread m_thread;
};

} // namespace nafitha::central
