#pragma once
// The central store: SQLite (embedded, one process) or PostgreSQL (any number of stateless instances). Every
// method is atomic. Ingest checks the sequence and the chain against what is stored and stores and projects the
// whole batch in one transaction; entries are kept as the exact bytes the terminal signed (compressed, see
// codec.h), so that `verify` and `archive` can re-check every signature and chain later.

#include "base/result.h"
#include "central/store/facts.h"
#include "sync/protocol/entry.h"
#include "sync/protocol/merkle.h"
#include "sync/protocol/messages.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
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

// Whether every signature of a batch's entries was checked before it was stored (the route's queue of deferred
// checks was full: docs/PROTOCOL.md "Authenticating a batch at ingest"), or only the last entry's (the others are
// checked after the answer, central/signatures.h).
enum class SignatureCheck { deferred, done };

// A terminal whose stored entries are not all signature-checked: every entry through `checked_seq` is
// (the terminal's watermark, schema 17), entries up to `last_seq` are stored.
struct SignatureBacklog {
    std::string terminal_id;
    std::string public_key; // base64
    int64_t checked_seq = 0;
    int64_t last_seq = 0;
};

struct SignatureMark {
    std::string terminal_id;
    int64_t through = 0;
};

struct IngestOutcome {
    int64_t acked_seq = 0;
    int64_t stored = 0;
};

// Refusals of ingest come back as Error values with these codes; `seq` carries the expected seq (gap) or the
// offending seq (fork, chain, entry_invalid: an entry whose hash does not match its content).
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

// One stored entry as the terminal signed it.
struct SignedEntry {
    int64_t seq = 0;
    int32_t month = 0;        // YYYYMM of central's receipt (UTC): the partition it lives in
    std::string bytes;        // the signed bytes (canonical JSON, protocol::signing_bytes)
    std::string signature;    // the raw 64-byte Ed25519 signature
};

struct CatalogueRecord {
    int64_t version = 0;
    std::string document; // JSON text
    int64_t imported_ms = 0;
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

struct ForkAlarm {
    std::string terminal_id;
    int64_t seq = 0;
    std::string stored_hash;
    std::string offered_hash;
    int64_t time_ms = 0;
};

// Fees due against fees paid for one application (the reconciliation indicator).
struct ReconcileRow {
    std::string terminal_id;
    std::string reference;
    int64_t due_minor = 0;
    int64_t paid_minor = 0;
};

// Entries received per day (UTC, of the entry's own time) and type.
struct EntryCount {
    int32_t day = 0; // YYYYMMDD
    std::string type;
    int64_t count = 0;
};

// Applications by centre, entity, service and status.
struct ApplicationCount {
    std::string centre, entity, service_code, status;
    int64_t count = 0;
};

// Terminal health (docs/PROTOCOL.md "Terminal health"): the signed reports the terminals send with each pull.
// Central keeps the latest one per terminal, and the history bounded as spans: consecutive reports of the same
// state (in service or out of service) less than kHealthGapMs apart extend one span (from the first report's
// receipt to the last one's); a longer silence, or a change of state, starts a new span. Between spans the terminal
// was not polling (offline). Each span keeps the signed bytes and signature of the report that opened it.
inline constexpr int64_t kHealthGapMs = 5 * 60 * 1000;

// A cost given for one entity or one centre in one month (Store::set_cost).
struct CostRecord {
    std::string scope;     // "entity" or "centre"
    std::string code;      // the entity's or centre's code
    int32_t month = 0;     // YYYYMM (local months, as the indicators' periods)
    int64_t amount_minor = 0;
    int64_t set_ms = 0;    // when it was given (central's clock)
};

class Store;

// The SQL of Store::z_report_sums, for both stores (as abandoned_visits_sql).
Result<std::string> z_reports_sql(const std::vector<std::string>& group_by, bool postgres);
// Projects the Z reports that entries stored before version 15 hold (once; a no-op after), from their signed bytes.
Result<void> backfill_z_reports(Store& store);

// The SQL of Store::abandoned_visit_counts, for both stores: `postgres` picks $N placeholders. Parameters: the
// first local day and the day after the last. error.indicators.dimension for a dimension it does not know.
Result<std::string> abandoned_visits_sql(const std::vector<std::string>& group_by, bool postgres);

struct HealthSample {
    std::string terminal_id;
    int64_t received_ms = 0;  // central's clock
    bool out_of_service = false;
    std::string document;     // the canonical JSON the terminal signed (protocol::health_bytes without its prefix)
    std::string signature;    // base64 Ed25519 by the terminal's key
};

struct HealthSpan {
    std::string terminal_id;
    bool out_of_service = false;
    int64_t start_ms = 0, end_ms = 0; // receipts of the first and last report of the span
    int64_t reports = 0;
    std::string document, signature;  // the report that opened the span
};

// The base measures of the indicators (central/indicators.h) over the applications submitted in a period,
// grouped by the requested dimensions. Everything is counted at the application's enrolled centre.
struct MeasureQuery {
    // Applications submitted on the local days [from_ms / 86,400,000, ceil(to_ms / 86,400,000)): the bounds are
    // calendar days written as the UTC midnight of that date (indicators::parse_day), each application's day is
    // its local day (its centre's zone, see central/store/rollup.h).
    int64_t from_ms = 0;
    int64_t to_ms = 0;
    // Among "entity", "service", "category", "centre", "terminal" (the terminal id), "channel", "day" (local day
    // number, days since 1970-01-01, as text). Unknown names are refused with error.indicators.dimension.
    std::vector<std::string> group_by;
    // The caller folds days into months or longer: a "day" key may be the first day of its month (whole months
    // are then read from the month rollup).
    bool months_suffice = false;
    // Computed from the applications themselves instead of the rollup (tests check that both agree).
    bool raw = false;
    // Each service's published processing time in ms (rollup::published_limits of the catalogue), for
    // MeasureRow::decided_within; a service it does not name has one day (rollup::published_limit_ms(0)).
    std::map<std::string, int64_t> published_ms = {};
};

struct MeasureRow {
    std::vector<std::string> keys; // one per MeasureQuery::group_by, in order
    int64_t applications = 0, kiosk = 0, counter = 0;
    int64_t fees_due_minor = 0, fees_collected_minor = 0, fees_exempted_minor = 0, exempted = 0;
    int64_t decided = 0, ready = 0, open = 0;
    std::optional<int64_t> oldest_open_ms; // the submission time of the oldest undecided application
    int64_t surveyed = 0, rating_sum = 0, rating_count = 0;
    int64_t centre_flagged = 0;            // the payload claimed another centre than the enrolled one
    int64_t decided_within = 0;            // decided within the service's published time (rollup::count_within)
    // Submission to decision (each decided application) and to ready (decided and ready), as log-scale
    // histograms: the count in each bucket, index = bucket (central/store/rollup.h); empty when none.
    std::vector<int64_t> decision_hist, ready_hist;
    // Satisfaction: how many ratings of each value (index 1..5) and how many surveys named each reason (index in
    // rollup::survey_reason_codes()), over the surveys of these applications; empty when none.
    std::vector<int64_t> rating_hist, reason_hist;
    // The queue (central/store/rollup.h, ticket_rollup): tickets issued on the period's days, called at least
    // once, marked no-show, served, and the waits from issue to the first call (histogram as above). Only for
    // groupings a ticket has (rollup::tickets_apply); zero otherwise.
    int64_t tickets = 0, tickets_called = 0, tickets_no_show = 0, tickets_served = 0;
    std::vector<int64_t> wait_hist;
};

// One terminal's entries within an archived month: where its chain enters and leaves the month.
struct ArchivedRange {
    std::string terminal_id;
    int64_t first_seq = 0, last_seq = 0;
    std::string first_prev; // the prev hash of the first entry (the hash of the entry before the month)
    std::string last_hash;
};

// The entries of one closed month, as recorded when its partition is detached after an archive export.
struct MonthSummary {
    int32_t month = 0;
    int64_t entries = 0;
    std::string archive_sha256; // of the archive file that holds them
    std::vector<ArchivedRange> ranges;
};

// The national transparency log (docs/PROTOCOL.md "Transparency log"): every entry central accepted is a leaf,
// numbered from 0 in the order the ingest transactions committed. A leaf's data is the entry's signed bytes.
struct LogLeaf {
    int64_t index = 0;
    std::string terminal_id;
    int64_t seq = 0;
    protocol::MerkleHash hash{}; // merkle_leaf_hash(signed bytes)
};

// A signed checkpoint as central keeps it: the signed statement (sync/protocol/signed.h, kind "checkpoint") as
// JSON text, and its size, root and time for queries.
struct StoredCheckpoint {
    int64_t size = 0;
    std::string root; // hex
    int64_t time_ms = 0;
    std::string statement; // {"statement": {...}, "sig": "..."}
};

class Store {
public:
    virtual ~Store() = default;

    // "sqlite" or "postgresql"; the schema version this store is at.
    virtual std::string kind() const = 0;
    virtual int schema_version() const = 0;

    // A named value shared by every instance: returns the stored one, storing `value_if_absent` first when
    // there is none (atomically, so concurrent first calls agree).
    virtual Result<std::string> setting(const std::string& name, const std::string& value_if_absent) = 0;

    virtual Result<void> add_enrollment_code(const EnrollmentCode& code) = 0;
    // Uses the code once and creates (or, for the same key, returns) the terminal record. A retry by the terminal
    // that used the code (its answer was lost) gets the same record again.
    // error.central.enroll_code (unknown, used or expired), error.central.terminal_conflict, error.central.revoked.
    virtual Result<TerminalRecord> enroll(const std::string& code_hash, const std::string& terminal_id,
                                          const std::string& public_key, int64_t now_ms) = 0;
    virtual Result<void> revoke(const std::string& terminal_id) = 0;
    virtual Result<std::optional<TerminalRecord>> find_terminal(const std::string& terminal_id) = 0;
    virtual Result<std::vector<TerminalRecord>> terminals() = 0;

    // Entries must already be signature-checked, consecutive and chained among themselves; the store checks
    // each hash against the signed bytes it keeps. On refusal the IngestRefusal is in the error:
    // error.central.gap, error.central.fork, error.central.chain.
    // With SignatureCheck::done the same transaction moves the terminal's signature watermark to the batch's last
    // seq when it stood at the stored last seq before the batch (contiguous); otherwise it leaves it.
    virtual Result<IngestOutcome> ingest(const std::string& terminal_id, const std::vector<protocol::Entry>& entries,
                                         int64_t now_ms, IngestRefusal& refusal, SignatureCheck signatures) = 0;
    Result<IngestOutcome> ingest(const std::string& terminal_id, const std::vector<protocol::Entry>& entries, int64_t now_ms,
                                 IngestRefusal& refusal)
    {
        return ingest(terminal_id, entries, now_ms, refusal, SignatureCheck::deferred);
    }
    // The per-transaction signature watermark (schema 17): every stored entry of the terminal through the
    // returned seq has had its signature checked. Terminals whose watermark is below their last stored seq:
    virtual Result<std::vector<SignatureBacklog>> signature_backlog() = 0;
    // Moves each terminal's watermark up to its `through` (never down, never past the last stored seq), all in one
    // transaction; returns the watermarks after, in the same order (0 for an unknown terminal). The caller must have
    // checked every stored entry from the watermark it last knew up to `through`; `through` 0 only reads it.
    virtual Result<std::vector<int64_t>> advance_signatures_checked(const std::vector<SignatureMark>& marks) = 0;
    Result<int64_t> advance_signatures_checked(const std::string& terminal_id, int64_t through)
    {
        auto after = TRY(advance_signatures_checked(std::vector<SignatureMark>{{terminal_id, through}}));
        return after.at(0);
    }
    virtual Result<void> record_fork_alarm(const std::string& terminal_id, int64_t seq, const std::string& stored_hash,
                                           const std::string& offered_hash, int64_t now_ms) = 0;
    virtual Result<std::vector<ForkAlarm>> fork_alarms() = 0;
    // Every stored (seq, hash) of a terminal, in order (hashes computed from the stored signed bytes).
    virtual Result<std::vector<StoredEntry>> entries(const std::string& terminal_id) = 0;
    // Calls `fn` with each stored entry of the terminal after `after_seq`, in seq order, a page at a time.
    virtual Result<void> scan_entries(const std::string& terminal_id, int64_t after_seq,
                                      const std::function<Result<void>(const SignedEntry&)>& fn) = 0;

    // The months (YYYYMM, central's receipt time) that hold entries in the store, oldest first.
    virtual Result<std::vector<int32_t>> months() = 0;
    // Every entry received in `month`, by terminal then seq.
    virtual Result<void> scan_month(int32_t month,
                                    const std::function<Result<void>(const std::string& terminal_id, const SignedEntry&)>& fn) = 0;
    // Months whose entries were archived and detached (PostgreSQL), oldest first.
    virtual Result<std::vector<MonthSummary>> archived_months() = 0;
    // Detaches the partition of a closed month whose archive was verified (PostgreSQL only). The partition stays
    // in the database as table entries_YYYYMM, no longer part of the store, for the operator to drop.
    virtual Result<std::string> detach_month(const MonthSummary& summary, int64_t now_ms) = 0;

    // Publishes a catalogue document; its "version" must be greater than the current one.
    virtual Result<int64_t> import_catalogue(const nlohmann::json& document, int64_t now_ms) = 0;
    virtual Result<std::optional<CatalogueRecord>> latest_catalogue() = 0;

    // Records a central decision on an application the store knows; returns its cursor. References are unique
    // per terminal: `terminal_id` may be empty when only one terminal has the reference
    // (error.central.ambiguous_application otherwise). Cursors become visible in increasing order.
    // `reason` is a decision reason code (the counter's list, decision.reason.<code>), carried to the terminal in the
    // signed decision so that the citizen's tracking names it in their language; empty for none.
    virtual Result<int64_t> add_decision(const std::string& reference, const std::string& status, const std::string& note,
                                         int64_t now_ms, const std::string& terminal_id = {}, const std::string& reason = {}) = 0;
    virtual Result<std::vector<protocol::Decision>> decisions_after(const std::string& terminal_id, int64_t cursor,
                                                                    size_t max_count) = 0;
    // The decision with this cursor on this terminal's applications, if central took it.
    virtual Result<std::optional<protocol::Decision>> find_decision(const std::string& terminal_id, int64_t cursor) = 0;

    virtual Result<Counts> counts() = 0;

    // Indicator queries over the projections (indexed for them).
    // Fees due and paid per terminal and reference for the applications submitted at `centre` in `month`.
    virtual Result<std::vector<ReconcileRow>> fees_due_vs_paid(const std::string& centre, int32_t month) = 0;
    // Entries by day and type for days in [from_day, to_day] (YYYYMMDD).
    virtual Result<std::vector<EntryCount>> entries_by_type(int32_t from_day, int32_t to_day) = 0;
    // Applications submitted in [from_ms, to_ms) by centre, entity, service and status.
    virtual Result<std::vector<ApplicationCount>> applications_by_status(int64_t from_ms, int64_t to_ms) = 0;

    // ---- Terminal health ----

    // Records a verified health report: the latest one of its terminal, and the spans (see HealthSample). A report
    // received before the terminal's latest span ends is kept as the latest only if newer, and does not move spans.
    virtual Result<void> record_health(const HealthSample& sample) = 0;
    // The latest report of each terminal that sent one.
    virtual Result<std::vector<HealthSample>> latest_health() = 0;
    // The spans that overlap [from_ms, to_ms), by terminal then start.
    virtual Result<std::vector<HealthSpan>> health_spans(int64_t from_ms, int64_t to_ms) = 0;

    // Visits abandoned before submission (visit.abandoned) on the local days of the query, grouped by its dimensions
    // (as MeasureQuery::group_by; "day" is the local day number; months_suffice and raw are ignored).
    struct AbandonedCount {
        std::vector<std::string> keys;
        int64_t count = 0;
    };
    virtual Result<std::vector<AbandonedCount>> abandoned_visit_counts(const MeasureQuery& query) = 0;

    // Z reports (drawer.z_report, the close of a cash drawer's day) on the local days of the query (the day each
    // closes), grouped by its dimensions; only "day", "centre" and "terminal" apply (a drawer's cash is not split by
    // entity, service, category or channel): error.indicators.dimension for the others.
    struct ZReportSum {
        std::vector<std::string> keys;
        int64_t reports = 0, with_difference = 0, difference_minor = 0, abs_difference_minor = 0;
    };
    virtual Result<std::vector<ZReportSum>> z_report_sums(const MeasureQuery& query) = 0;
    // Z reports stored before the store projected them (version 15): true until z_reports_backfill ran once.
    virtual Result<bool> z_reports_need_backfill() = 0;
    // Projects the Z reports of entries stored before version 15 (terminal id -> its reports) and marks it done.
    virtual Result<void> z_reports_backfill(const std::map<std::string, std::vector<ZReportFact>>& reports) = 0;

    // Costs given by the ministry (`nafitha-central costs set`): one amount per scope ("entity" or "centre"), code
    // and month (YYYYMM); setting it again replaces it. For the indicator cost per transaction.
    virtual Result<void> set_cost(const CostRecord& cost) = 0;
    // Every cost given, by scope, code and month.
    virtual Result<std::vector<CostRecord>> costs() = 0;

    // The indicators' base measures (see MeasureQuery); rows in no particular order.
    virtual Result<std::vector<MeasureRow>> measures(const MeasureQuery& query) = 0;
    // Every status change of an application: (status, actor, terminal's time, central's receipt time), in the
    // order they happened (central's own decisions by their receipt time).
    struct HistoryRow {
        std::string status, actor;
        int64_t time_ms = 0, received_ms = 0;
    };
    virtual Result<std::vector<HistoryRow>> application_history(const std::string& terminal_id, const std::string& reference) = 0;

    // ---- The transparency log ----

    // Leaves in the log (the head: every leaf below it is committed and visible).
    virtual Result<int64_t> log_size() = 0;
    // The leaf hashes with index in [from, to), in order (to is clipped to the size).
    virtual Result<std::vector<protocol::MerkleHash>> log_leaf_hashes(int64_t from, int64_t to) = 0;
    // The leaf of a terminal's entry, if the log holds it.
    virtual Result<std::optional<LogLeaf>> log_leaf_of(const std::string& terminal_id, int64_t seq) = 0;
    // The leaf at `index`, if any.
    virtual Result<std::optional<LogLeaf>> log_leaf_at(int64_t index) = 0;
    // The seq of the entry that submitted the application `reference` of this terminal (its receipt's
    // transaction), if central holds it.
    virtual Result<std::optional<int64_t>> submission_seq(const std::string& terminal_id, const std::string& reference) = 0;
    // One stored entry as the terminal signed it.
    virtual Result<std::optional<SignedEntry>> entry_at(const std::string& terminal_id, int64_t seq) = 0;
    // Keeps a checkpoint (one per size: a second one for a size already kept is ignored).
    virtual Result<void> add_checkpoint(const StoredCheckpoint& checkpoint) = 0;
    // The checkpoint of the largest size, if any.
    virtual Result<std::optional<StoredCheckpoint>> latest_checkpoint() = 0;
    // Entries stored before the log existed (schema version 6 and older) that have no leaf yet; the store adds
    // their leaves (in terminal then seq order, after whatever the log already holds) when opened.
    virtual Result<bool> log_needs_backfill() = 0;
    virtual Result<int64_t> log_backfill(const std::vector<LogLeaf>& leaves) = 0;

    // Bytes the store occupies on disk (tables and indexes), for the bytes-per-entry figure.
    virtual Result<int64_t> stored_bytes() = 0;

    // ---- State shared by every central instance on this store (central/front), surviving restarts ----

    // Replay protection: records (terminal, nonce) until `expires_ms`. False when the pair is already recorded
    // and not expired. Committed before it returns, so that it survives a crash or restart of central and is
    // seen by every instance (concurrent calls may share one commit; the SQLite store does not wait for an
    // fsync, see store/sqlite/shared_state.h).
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

// Where the store is: a PostgreSQL connection string (postgresql://… or postgres://…, libpq syntax, several
// hosts and target_session_attrs=read-write for failover) or else the SQLite file DIR/central.db.
struct StoreLocation {
    std::filesystem::path data_dir;
    std::string url;

    bool is_postgres() const { return !url.empty(); }
    // For logs: the URL without its password.
    std::string describe() const;
};

struct OpenOptions {
    // Tests of migrations only: stop at this schema version instead of the latest (0 = latest).
    int target_version = 0;
    // PostgreSQL: the most connections this process keeps.
    int pool_size = 8;
};

// The newest schema version each store knows.
int sqlite_schema_latest();
int postgres_schema_latest();

// Opens (and creates or migrates) the store. A store written by a newer nafitha-central is refused with
// error.central.store_newer and left untouched.
Result<std::unique_ptr<Store>> open_store(const StoreLocation& location, const OpenOptions& options = {});
// SQLite in DIR/central.db: WAL, synchronous=FULL.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir, const OpenOptions& options = {});
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url, const OpenOptions& options = {});

// SQLite online backup of DIR/central.db into `target` (a consistent copy while central keeps running).
Result<int64_t> backup_sqlite_store(const std::filesystem::path& data_dir, const std::filesystem::path& target);

// Gives the entries stored before the transparency log existed their leaves (once; called when a store at the
// latest version is opened).
Result<void> backfill_log(Store& store);

// Helpers shared by both stores.
int32_t month_of_ms(int64_t unix_ms);             // YYYYMM, UTC
int64_t month_start_ms(int32_t month);            // first millisecond of the month, UTC
int32_t next_month(int32_t month);
std::optional<int64_t> parse_time_ms(std::string_view iso8601); // "2026-11-28T22:40:05.123Z" and variants

} // namespace nafitha::central
