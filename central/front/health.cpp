#include "central/front/health.h"

#include "base/clock.h"
#include "base/fatal_signal.h"
#include "base/log.h"

#include <pthread.h>
#include <sys/statvfs.h>

namespace nafitha::central::front {

HealthMonitor::HealthMonitor(Store& store, std::filesystem::path data_dir, HealthLimits limits, std::string instance)
    : m_store(store), m_dir(std::move(data_dir)), m_limits(limits), m_instance(std::move(instance))
{
    m_state.problems = {"not_checked_yet"};
}

HealthMonitor::~HealthMonitor() { stop(); }

void HealthMonitor::add_periodic(std::function<void()> job, int64_t every_ms)
{
    m_jobs.push_back({std::move(job), every_ms, clock::monotonic_ns() / 1'000'000 + every_ms});
}

void HealthMonitor::start()
{
    if (m_thread.joinable())
        return;
    probe();
    m_thread = std::thread([this] { run(); });
}

void HealthMonitor::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void HealthMonitor::probe()
{
    int64_t now = clock::unix_ms();
    auto written = m_store.probe_write(m_instance, now);
    struct statvfs fs {};
    bool have_fs = ::statvfs(m_dir.c_str(), &fs) == 0;
    uint64_t free_bytes = have_fs ? static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize : 0;
    std::lock_guard lock(m_mutex);
    m_state.free_bytes = free_bytes;
    if (written.ok()) {
        m_state.last_write_ok_ms = now;
        if (m_last_write_failed)
            log::info("central", "health: the store accepts writes again");
        m_last_write_failed = false;
        m_state.last_error.clear();
    } else {
        if (!m_last_write_failed)
            log::error("central", "health: the store cannot be written: " + written.error().to_string());
        m_last_write_failed = true;
        m_state.last_error = written.error().to_string();
    }
    if (!have_fs)
        m_state.last_error = "statvfs failed on " + m_dir.string();
}

HealthState HealthMonitor::state() const
{
    std::lock_guard lock(m_mutex);
    HealthState s = m_state;
    s.problems.clear();
    int64_t now = clock::unix_ms();
    if (m_state.last_write_ok_ms == 0 && !m_last_write_failed)
        s.problems.push_back("not_checked_yet");
    if (m_last_write_failed)
        s.problems.push_back("store_unwritable");
    else if (m_state.last_write_ok_ms && now - m_state.last_write_ok_ms > m_limits.stale_after_ms)
        s.problems.push_back("store_stalled");
    if (s.free_bytes < m_limits.min_free_bytes)
        s.problems.push_back("disk_low");
    s.ok = s.problems.empty();
    return s;
}

void HealthMonitor::run()
{
    fatal_signal::init_thread();
    pthread_setname_np(pthread_self(), "health");
    int64_t next_probe = clock::monotonic_ns() / 1'000'000 + m_limits.probe_interval_ms;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            int64_t now = clock::monotonic_ns() / 1'000'000;
            int64_t wake = next_probe;
            for (const auto& j : m_jobs)
                wake = std::min(wake, j.next_ms);
            m_cv.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(0, wake - now)), [&] { return m_stopping; });
            if (m_stopping)
                return;
        }
        int64_t now = clock::monotonic_ns() / 1'000'000;
        if (now >= next_probe) {
            probe();
            next_probe = now + m_limits.probe_interval_ms;
        }
        for (auto& j : m_jobs) {
            if (now >= j.next_ms) {
                j.run();
                j.next_ms = now + j.every_ms;
            }
        }
    }
}

} // namespace nafitha::central::front
