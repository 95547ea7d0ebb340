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
};

// Opens (and creates or migrates) the SQLite store in DIR/central.db: WAL, synchronous=FULL.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir);

} // namespace nafitha::central
