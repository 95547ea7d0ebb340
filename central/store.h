#pragma once
// The central store behind an interface, so that a PostgreSQL store can follow the SQLite one.
// Every method is atomic. Ingest checks the sequence and the chain against what is stored and stores and
// projects the whole batch in one transaction.

#include "base/result.h"
#include "sync/protocol/entry.h"
#include "sync/protocol/messages.h"

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::central {

struct TerminalRecord {
    std::string id;
    std::string centre;
    std::string name;
    std::string status; // "active" or "revoked"
    std::string public_key; // base64
    int64_t last_seq = 0;
    std::string last_hash; // kGenesisHash when nothing is stored
    int64_t entries = 0;
    int64_t enrolled_ms = 0;
    int64_t last_ingest_ms = 0;
};

struct EnrollmentCode {
    std::string code_hash; // sha256 hex of the normalised code; the code itself is never stored
    std::string centre;
    std::string name;
    int64_t created_ms = 0;
    int64_t expires_ms = 0;
};

struct IngestOutcome {
    int64_t acked_seq = 0;
    int64_t stored = 0;
};

// Refusals of ingest come back as Error values with these codes; `seq` carries the expected seq (gap) or the
// offending seq (fork, chain).
struct IngestRefusal {
    Error error;
    int64_t seq = 0;
    std::string stored_hash;  // fork: the hash central holds under `seq`
    std::string offered_hash; // fork: the hash the terminal offered
};

struct StoredEntry {
    int64_t seq = 0;
    std::string hash;
};

struct CatalogueRecord {
    int64_t version = 0;
    std::string document; // JSON text
};

// A fixed-window rate counter (see Store::count_in_window).
struct RateWindow {
    int64_t count = 0;        // attempts in the current window, this one included
    int64_t window_end_ms = 0;
};

struct Counts {
    int64_t entries = 0;
    int64_t fork_alarms = 0;
    int64_t applications = 0;
    int64_t payments = 0;
    int64_t tickets = 0;
    int64_t surveys = 0;
};

class Store {
public:
    virtual ~Store() = default;

    virtual Result<void> add_enrollment_code(const EnrollmentCode& code) = 0;
    // Uses the code once and creates (or, for the same key, returns) the terminal record.
    // error.central.enroll_code (unknown, used or expired), error.central.terminal_conflict, error.central.revoked.
    virtual Result<TerminalRecord> enroll(const std::string& code_hash, const std::string& terminal_id,
                                          const std::string& public_key, int64_t now_ms) = 0;
    virtual Result<void> revoke(const std::string& terminal_id) = 0;
    virtual Result<std::optional<TerminalRecord>> find_terminal(const std::string& terminal_id) = 0;
    virtual Result<std::vector<TerminalRecord>> terminals() = 0;

    // Entries must already be signature-checked, consecutive and chained among themselves.
    // On refusal the IngestRefusal is in the error: error.central.gap, error.central.fork, error.central.chain.
    virtual Result<IngestOutcome> ingest(const std::string& terminal_id, const std::vector<protocol::Entry>& entries,
                                         int64_t now_ms, IngestRefusal& refusal) = 0;
    virtual Result<void> record_fork_alarm(const std::string& terminal_id, int64_t seq, const std::string& stored_hash,
                                           const std::string& offered_hash, int64_t now_ms) = 0;
    virtual Result<std::vector<StoredEntry>> entries(const std::string& terminal_id) = 0;

    // Publishes a catalogue document; its "version" must be greater than the current one.
    virtual Result<int64_t> import_catalogue(const nlohmann::json& document, int64_t now_ms) = 0;
    virtual Result<std::optional<CatalogueRecord>> latest_catalogue() = 0;

    // Records a central decision on an application the store knows; returns its cursor. References are unique
    // per terminal: `terminal_id` may be empty when only one terminal has the reference
    // (error.central.ambiguous_application otherwise).
    virtual Result<int64_t> add_decision(const std::string& reference, const std::string& status, const std::string& note,
                                         int64_t now_ms, const std::string& terminal_id = {}) = 0;
    virtual Result<std::vector<protocol::Decision>> decisions_after(const std::string& terminal_id, int64_t cursor,
                                                                    size_t max_count) = 0;

    virtual Result<Counts> counts() = 0;

    // ---- State shared by every central instance on this store (central/front), surviving restarts ----

    // Replay protection: records (terminal, nonce) until `expires_ms`. False when the pair is already recorded
    // and not expired. Durable before it returns (concurrent calls may share one commit).
    virtual Result<bool> use_nonce(const std::string& terminal_id, const std::string& nonce, int64_t expires_ms,
                                   int64_t now_ms) = 0;
    // Rate limits: adds one to `key` in the fixed window of `window_ms` that holds now_ms (windows start at
    // multiples of window_ms) and returns the count in that window and when it ends.
    virtual Result<RateWindow> count_in_window(const std::string& key, int64_t window_ms, int64_t now_ms) = 0;
    // Metric counters summed over instances and restarts. A name is a whole Prometheus series, e.g.
    // 'nafitha_central_requests_total{path="/v1/status",status="200"}'.
    virtual Result<void> add_counters(const std::vector<std::pair<std::string, int64_t>>& deltas) = 0;
    virtual Result<std::vector<std::pair<std::string, int64_t>>> counters() = 0;
    // Health: a small durable write to the store's main database (a heartbeat row per instance). Fails when the
    // store cannot be written now.
    virtual Result<void> probe_write(const std::string& instance, int64_t now_ms) = 0;
    // Forgets expired nonces and finished rate windows.
    virtual Result<void> expire_state(int64_t now_ms) = 0;
};

// Opens (and creates or migrates) the SQLite store in DIR/central.db: WAL, synchronous=FULL.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir);

} // namespace nafitha::central
