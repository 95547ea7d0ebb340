#pragma once
// The sync worker: a thread of its own that ships the journal to nafitha-central and pulls decisions and
// catalogue updates. The UI never waits for it: progress() copies a small snapshot under a short lock.
//
//   sync::SyncCallbacks cb;
//   cb.apply_decision = [&](const protocol::Decision& d) { return terminal->apply_central_decision(...); };
//   cb.install_catalogue = [&](const nlohmann::json& doc) { return terminal->install_catalogue(doc); };
//   auto worker = TRY(sync::SyncWorker::create({.data_dir = dir}, cb));
//   worker->start();            // returns at once
//   auto p = worker->progress(); // each frame: pending, last success, last error (a translation key)
//   worker->sync_now();         // "send now" button: wakes the worker
//   worker->stop();             // aborts a transfer in flight and joins the thread
//
// Batches of consecutive entries (hundreds of KB, gzip) go out in signed requests. After any crash the
// worker first asks central where it stands (a signed acknowledgement of seq and hash, compared with its own
// entry) and resumes from there. Failures that may heal (no link, timeouts, 5xx, unsigned refusals) are
// retried with capped exponential backoff and jitter; a refusal that will not heal (bad entry, fork, revoked
// terminal) and anything unsigned or forged in an answer stop the queue and raise an alarm kept in
// DIR/sync_alarm.json until a technician clears it. Nothing of a refused answer is applied.

#include "base/result.h"
#include "sync/client/central_client.h"
#include "sync/client/http.h"
#include "sync/protocol/messages.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace nafitha::sync {

// Everything central sends is checked against its key (pinned at enrollment) before a callback sees it: a
// callback only ever receives what central signed, for this terminal, newer than what it has.
// What the terminal's own process knows of its devices, for the health report (sync/protocol/health.h).
struct DeviceReport {
    std::string printer = "unknown"; // ok | warning | failed | absent | unknown
    std::string paper = "unknown";   // ok | low | out | unknown
    bool out_of_service = false;
    std::vector<std::string> reasons; // translation keys (ui.oos.*, device.*)
};

struct SyncCallbacks {
    // Records a central decision on the terminal (services::Terminal::apply_central_decision, with the decision's
    // signature). Empty: no pull.
    std::function<Result<void>(const CheckedDecision&)> apply_decision;
    // Installs a newer catalogue document atomically with its signed statement
    // (services::Terminal::install_central_catalogue). Empty: no pull.
    std::function<Result<void>(const CheckedCatalogue&)> install_catalogue;
    // Installs a newer signed policy (services::Terminal::install_policy). Empty: no pull.
    std::function<Result<void>(const CheckedPolicy&)> install_policy;
    // The devices and the out-of-service decision (the kiosk's), asked at each pull for the signed health report
    // sent to central (POST /v1/terminal/health). Empty (nafitha-ctl sync): devices unknown, in service. Called
    // on the worker's thread.
    std::function<DeviceReport()> device_health;
};

struct SyncOptions {
    std::filesystem::path data_dir;
    std::string server_url;                 // overrides sync.json for this run only (never written back)
    size_t batch_max_entries = 2000;
    size_t batch_max_bytes = 384 * 1024;    // payload bytes per batch (before gzip)
    int64_t backoff_initial_ms = 1000;
    int64_t backoff_max_ms = 60000;
    int64_t poll_interval_ms = 2000;        // how often an idle worker looks for new entries
    int64_t pull_interval_ms = 60000;       // how often it pulls decisions and the catalogue (± 25 % jitter)
    HttpOptions http;                       // the CA file defaults to sync.json's ca_file
};

enum class SyncState { Idle, Syncing, Waiting, Stopped };

struct SyncProgress {
    SyncState state = SyncState::Idle;
    int64_t last_seq = 0;
    int64_t acked_seq = 0;
    int64_t pending = 0;
    int64_t last_success_ms = 0;        // unix ms of the last exchange that worked; 0 = never
    std::optional<Error> last_error;    // code is a translation key (assets/i18n/<lang>/sync.json)
    bool alarm = false;                 // the queue is stopped for good; a technician must look
    int64_t next_attempt_ms = 0;        // when Waiting
    int64_t failures = 0;               // consecutive failed attempts
    int64_t clock_offset_ms = 0;        // server clock minus ours
    int64_t wire_bytes = 0;             // request bytes sent (compressed)
    int64_t entries_sent = 0;
    int64_t passes = 0;                 // passes started, with or without an alarm (tests wait on it)
    int64_t health_reports = 0;         // health reports central accepted
    uint64_t version = 0;               // grows with every change, see progress_if_changed()
};

class SyncWorker {
public:
    // Reads sync.json (error.sync.not_enrolled) and the identity; opens its own connection to terminal.db.
    static Result<std::unique_ptr<SyncWorker>> create(SyncOptions options, SyncCallbacks callbacks);
    ~SyncWorker();

    void start();
    void stop();
    void sync_now();
    SyncProgress progress() const;
    // Copies the snapshot only when it changed since `seen` (then updates `seen`), so that an idle UI frame
    // allocates nothing. Returns true when `out` was refreshed.
    bool progress_if_changed(uint64_t& seen, SyncProgress& out) const;

    // One full pass on the calling thread (for `nafitha-ctl sync --once` and tests; do not mix with start()):
    // resume, send everything pending, pull decisions and the catalogue. Ok when nothing is left pending.
    Result<void> run_once();

    // Forgets a raised alarm (removes DIR/sync_alarm.json) so that the queue runs again.
    static Result<void> clear_alarm(const std::filesystem::path& data_dir);

private:
    struct Impl;
    explicit SyncWorker(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace nafitha::sync
