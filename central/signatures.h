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
#include <map>
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

// The checker keeps, per terminal, a watermark in the store (schema 17): every stored entry through it has had
// its signature checked. It moves the watermark past each range of seqs once everything below is checked (ranges
// of one terminal may finish out of order: they wait in memory until the gap below them is filled), a few times
// a second at most or every kFlushEntries entries. At start it reads, in the background and a page at a time, the
// stored entries of every terminal above its watermark and checks them: a central killed after acknowledging a
// batch and before checking it checks it when it next starts. Entries may so be checked more than once, never
// not at all; a bad one is recorded once (an alarm already recorded for it is not repeated).
class DeferredSignatures {
public:
    // At most `max_queued` entries wait at once. With NAFITHA_TEST_HOLD_SIGNATURES set in the environment (read
    // here, once; tests only) nothing is checked, not even at start, and nothing is checked when stopping.
    DeferredSignatures(Store& store, Metrics* metrics, size_t max_queued = 500'000);
    ~DeferredSignatures(); // checks what is queued (not the rest of the start-up check), then stops
    DeferredSignatures(const DeferredSignatures&) = delete;
    DeferredSignatures& operator=(const DeferredSignatures&) = delete;

    // Takes a stored batch (its newly stored entries moved in, consecutive) to check every signed entry but the
    // last. False when the queue is full: the caller must check them itself (verify_entries) before storing.
    bool has_room(size_t entries) const;
    void submit(std::string terminal_id, protocol::PublicKey key, std::vector<protocol::Entry> entries);
    // Stored entries first_seq..last_seq whose signatures were all checked before they were stored (the queue was
    // full): only the watermark has to move past them, which the ingest transaction did if it could.
    void checked_before_storing(std::string terminal_id, int64_t first_seq, int64_t last_seq);
    // Waits until everything submitted and the start-up check are done and the watermarks written (tests,
    // benchmarks).
    void wait_idle();
    int64_t checked() const;
    int64_t bad() const;
    // Stored entries this instance still has to check: the start-up check's remainder and the queue.
    int64_t backlog() const;

    static constexpr int64_t kFlushEntries = 20'000;
    static constexpr int64_t kRecheckPage = 2'000;

private:
    struct Job {
        std::string terminal_id;
        protocol::PublicKey key{};
        std::vector<protocol::Entry> entries; // empty for a range checked before storing
        int64_t first_seq = 0, last_seq = 0;
    };
    struct Recheck {
        std::string terminal_id;
        protocol::PublicKey key{};
        int64_t after = 0, last = 0; // entries after..last are still to check
    };
    // What this instance knows of a terminal's watermark: `mark` (through which all is checked) and the ranges
    // above it checked already, waiting for the gap below them.
    struct Mark {
        bool known = false;
        int64_t stored = 0; // the watermark in the store, as last read or written
        int64_t mark = 0;
        std::map<int64_t, int64_t> done; // first seq -> last seq
    };
    void run();
    void start_up();
    void check_job(Job& job);
    bool check_page(Recheck& r); // true once the terminal's start-up check is finished
    void alarm(const std::string& terminal_id, int64_t seq, const std::string& hash);
    void done(const std::string& terminal_id, int64_t first_seq, int64_t last_seq);
    void flush();

    Store& m_store;
    Metrics* m_metrics;
    size_t m_max_queued;
    bool m_hold = false;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv, m_idle;
    std::deque<Job> m_jobs;
    size_t m_queued = 0;
    bool m_busy = true; // until the start-up check is read
    bool m_stop = false;
    bool m_flush_now = false;
    int64_t m_checked = 0, m_bad = 0;
    int64_t m_recheck_left = 0;
    std::deque<Recheck> m_rechecks; // the checker thread's own
    std::map<std::string, Mark> m_marks; // the checker thread's own
    int64_t m_unflushed = 0;
    bool m_dirty = false; // some watermark is ahead of the store (guarded by m_mutex)
    bool m_gaps = false;  // some terminal's checked ranges wait for a gap below them (guarded by m_mutex)
    std::thread m_thread;
};

} // namespace nafitha::central
