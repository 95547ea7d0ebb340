#include "central/signatures.h"

#include "base/clock.h"
#include "base/log.h"

namespace nafitha::central {

Result<void> authenticate_batch(const std::vector<protocol::Entry>& entries, const protocol::PublicKey& key, int64_t& bad_seq)
{
    if (entries.empty())
        return {};
    for (size_t i = 1; i < entries.size(); ++i) {
        if (entries[i].prev_hash != entries[i - 1].hash) {
            bad_seq = entries[i].seq;
            return Error::make("error.central.chain_in_batch", "entry " + std::to_string(entries[i].seq) + " does not chain to the one before it");
        }
    }
    const auto& last = entries.back();
    if (!protocol::is_signed(last)) {
        bad_seq = last.seq;
        return Error::make("error.central.entry_unsigned", "the batch ends with entry " + std::to_string(last.seq) + ", which no signature covers");
    }
    if (auto v = protocol::verify_entry(last, key); !v.ok()) {
        bad_seq = last.seq;
        return v.error();
    }
    return {};
}

DeferredSignatures::DeferredSignatures(Store& store, Metrics* metrics, size_t max_queued)
    : m_store(store), m_metrics(metrics), m_max_queued(max_queued), m_thread([this] { run(); })
{
}

DeferredSignatures::~DeferredSignatures()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
}

bool DeferredSignatures::has_room(size_t entries) const
{
    std::lock_guard lock(m_mutex);
    return !m_stop && m_queued + entries <= m_max_queued;
}

void DeferredSignatures::submit(std::string terminal_id, protocol::PublicKey key, std::vector<protocol::Entry> entries)
{
    {
        std::lock_guard lock(m_mutex);
        m_queued += entries.size();
        m_jobs.push_back({std::move(terminal_id), key, std::move(entries)});
    }
    m_cv.notify_one();
}

void DeferredSignatures::wait_idle()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [&] { return m_jobs.empty() && !m_busy; });
}

int64_t DeferredSignatures::checked() const
{
    std::lock_guard lock(m_mutex);
    return m_checked;
}

int64_t DeferredSignatures::bad() const
{
    std::lock_guard lock(m_mutex);
    return m_bad;
}

void DeferredSignatures::run()
{
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_busy = false;
            if (m_jobs.empty())
                m_idle.notify_all();
            m_cv.wait(lock, [&] { return m_stop || !m_jobs.empty(); });
            if (m_jobs.empty())
                return; // stopping, and everything submitted was checked
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
            m_busy = true;
        }
        int64_t checked = 0, bad = 0;
        // Every signed entry but the last, which was checked before the batch was stored.
        for (size_t i = 0; i + 1 < job.entries.size(); ++i) {
            const auto& e = job.entries[i];
            if (!protocol::is_signed(e))
                continue;
            ++checked;
            if (protocol::verify_entry(e, job.key).ok())
                continue;
            ++bad;
            log::error("central", "BAD SIGNATURE: terminal " + job.terminal_id + " entry " + std::to_string(e.seq)
                                      + " was sent with a signature that does not verify (its batch was authenticated by the "
                                        "request and the batch's last signature); recorded as an alarm");
            (void)m_store.record_fork_alarm(job.terminal_id, e.seq, "signature:invalid", e.hash, clock::unix_ms());
            if (m_metrics)
                m_metrics->add_fork_alarm();
        }
        std::lock_guard lock(m_mutex);
        m_queued -= job.entries.size();
        m_checked += checked;
        m_bad += bad;
    }
}

} // namespace nafitha::central
