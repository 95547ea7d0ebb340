#pragma once
// Health that tells the truth: a thread of its own writes a heartbeat into the store every second
// (Store::probe_write) and looks at the free space of the data folder's disk. /v1/health answers from the
// last result at once (it never waits for the store): not ok when the last write failed, when no write has
// succeeded for `stale_after_ms` (a hung disk), or when free space is under `min_free_bytes`.
// The same thread runs the front's periodic jobs (metric flush, expiry of nonces and rate windows).

#include "central/store.h"

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nafitha::central::front {

struct HealthLimits {
    int64_t probe_interval_ms = 1000;
    int64_t stale_after_ms = 10'000;
    uint64_t min_free_bytes = 256ull * 1024 * 1024;
};

struct HealthState {
    bool ok = false;
    std::vector<std::string> problems; // store_unwritable, store_stalled, disk_low, not_checked_yet
    uint64_t free_bytes = 0;
    int64_t last_write_ok_ms = 0;      // unix ms
    std::string last_error;            // for the operators' listener and the log
};

class HealthMonitor {
public:
    HealthMonitor(Store& store, std::filesystem::path data_dir, HealthLimits limits, std::string instance);
    ~HealthMonitor();

    // Runs `job` on the monitor thread every `every_ms` (register before start()).
    void add_periodic(std::function<void()> job, int64_t every_ms);
    // Probes once at once (so that the first answer is true), then starts the thread.
    void start();
    void stop();

    HealthState state() const;

private:
    void probe();
    void run();

    Store& m_store;
    std::filesystem::path m_dir;
    HealthLimits m_limits;
    std::string m_instance;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_stopping = false;
    HealthState m_state;
    bool m_last_write_failed = false;
    struct Job {
        std::function<void()> run;
        int64_t every_ms;
        int64_t next_ms;
    };
    std::vector<Job> m_jobs;
    std::thread m_thread;
};

} // namespace nafitha::central::front
