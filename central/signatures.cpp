#include "central/signatures.h"

#include "base/clock.h"
#include "base/log.h"

#include <chrono>
#include <cstdlib>

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

namespace {

constexpr auto kFlushDelay = std::chrono::milliseconds(200); // the watermark is written a few times a second at most
constexpr auto kGapPoll = std::chrono::seconds(1);
const char* const kStop = "signatures.page_done";

} // namespace

DeferredSignatures::DeferredSignatures(Store& store, Metrics* metrics, size_t max_queued)
    : m_store(store), m_metrics(metrics), m_max_queued(max_queued), m_hold(std::getenv("NAFITHA_TEST_HOLD_SIGNATURES") != nullptr)
{
    if (m_hold)
        log::warn("central", "NAFITHA_TEST_HOLD_SIGNATURES is set: the deferred signature checks are held (tests only)");
    m_thread = std::thread([this] { run(); });
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
    if (entries.empty())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_queued += entries.size();
        int64_t first = entries.front().seq, last = entries.back().seq;
        m_jobs.push_back({std::move(terminal_id), key, std::move(entries), first, last});
    }
    m_cv.notify_one();
}

void DeferredSignatures::checked_before_storing(std::string terminal_id, int64_t first_seq, int64_t last_seq)
{
    if (first_seq > last_seq)
        return;
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back({std::move(terminal_id), {}, {}, first_seq, last_seq});
    }
    m_cv.notify_one();
}

void DeferredSignatures::wait_idle()
{
    std::unique_lock lock(m_mutex);
    if (m_hold)
        return;
    m_flush_now = true;
    m_cv.notify_all();
    m_idle.wait(lock, [&] { return m_jobs.empty() && !m_busy && !m_dirty && m_recheck_left == 0; });
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

int64_t DeferredSignatures::backlog() const
{
    std::lock_guard lock(m_mutex);
    return m_recheck_left + static_cast<int64_t>(m_queued);
}

void DeferredSignatures::run()
{
    using steady = std::chrono::steady_clock;
    if (m_hold) {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return m_stop; });
        return;
    }
    start_up();
    auto last_flush = steady::now();
    bool recheck_turn = false;
    for (;;) {
        Job job;
        bool have_job = false, page = false, flush_now = false;
        {
            std::unique_lock lock(m_mutex);
            m_busy = false;
            for (;;) {
                // Queued batches and the start-up check one after the other, so that neither waits for the other.
                bool rechecking = !m_rechecks.empty() && !m_stop;
                if (!m_jobs.empty() || rechecking) {
                    if (rechecking && (m_jobs.empty() || recheck_turn)) {
                        page = true;
                    } else {
                        job = std::move(m_jobs.front());
                        m_jobs.pop_front();
                        have_job = true;
                    }
                    recheck_turn = !recheck_turn;
                    break;
                }
                if (m_dirty || (m_gaps && !m_stop)) {
                    // Ranges above a gap another instance fills: the watermark is read again now and then.
                    auto due = last_flush + (m_dirty ? kFlushDelay : kGapPoll);
                    if (m_stop || (m_dirty && m_flush_now) || steady::now() >= due) {
                        flush_now = true;
                        break;
                    }
                    if (!m_dirty)
                        m_idle.notify_all(); // idle, but for ranges that wait for another instance
                    m_cv.wait_until(lock, due);
                    continue;
                }
                m_idle.notify_all();
                if (m_stop)
                    return; // everything queued was checked and its watermark written
                m_cv.wait(lock);
            }
            m_busy = true;
        }
        if (have_job)
            check_job(job);
        if (page && check_page(m_rechecks.front()))
            m_rechecks.pop_front();
        if (flush_now || m_unflushed >= kFlushEntries) {
            flush();
            last_flush = steady::now();
        }
    }
}

void DeferredSignatures::start_up()
{
    auto backlog = m_store.signature_backlog();
    if (!backlog.ok()) {
        log::error("central", "signatures: cannot read which stored entries are still to check (they will be at the next start): "
                                  + backlog.error().to_string());
        return;
    }
    int64_t entries = 0;
    for (const auto& b : backlog.value()) {
        auto key = protocol::decode_public_key(b.public_key);
        if (!key.ok()) {
            log::error("central", "signatures: terminal " + b.terminal_id + ": its public key does not decode; its entries are not checked");
            continue;
        }
        m_rechecks.push_back({b.terminal_id, key.value(), b.checked_seq, b.last_seq});
        auto& mark = m_marks[b.terminal_id];
        mark.known = true;
        mark.stored = mark.mark = b.checked_seq;
        entries += b.last_seq - b.checked_seq;
    }
    if (!m_rechecks.empty())
        log::info("central", "signatures: " + std::to_string(entries) + " stored entries of " + std::to_string(m_rechecks.size())
                                 + " terminals were not checked before the last stop; checking them in the background");
    std::lock_guard lock(m_mutex);
    m_recheck_left = entries;
}

void DeferredSignatures::check_job(Job& job)
{
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
        alarm(job.terminal_id, e.seq, e.hash);
    }
    {
        std::lock_guard lock(m_mutex);
        m_queued -= job.entries.size();
        m_checked += checked;
        m_bad += bad;
    }
    done(job.terminal_id, job.first_seq, job.last_seq);
}

bool DeferredSignatures::check_page(Recheck& r)
{
    int64_t seen = 0, checked = 0, bad = 0, through = r.after;
    bool page_full = false;
    auto scanned = m_store.scan_entries(r.terminal_id, r.after, [&](const SignedEntry& e) -> Result<void> {
        if (e.seq > r.last)
            return Error::make(kStop, "");
        if (seen == kRecheckPage) {
            page_full = true;
            return Error::make(kStop, "");
        }
        ++seen;
        through = e.seq;
        if (e.signature.empty())
            return {}; // covered by a later signed entry of the chain (its last one was checked before storing)
        ++checked;
        if (!protocol::verify_raw(r.key, e.bytes, e.signature)) {
            ++bad;
            alarm(r.terminal_id, e.seq, protocol::sha256_hex(e.bytes));
        }
        return {};
    });
    if (!scanned.ok() && scanned.error().code != kStop) {
        log::error("central", "signatures: cannot read the stored entries of terminal " + r.terminal_id
                                  + " (they will be checked at the next start): " + scanned.error().to_string());
        std::lock_guard lock(m_mutex);
        m_recheck_left -= r.last - r.after;
        m_checked += checked;
        m_bad += bad;
        return true;
    }
    // The stored entries read end at r.last (entries of detached months are no longer in the store).
    int64_t to = page_full ? through : r.last;
    {
        std::lock_guard lock(m_mutex);
        m_recheck_left -= to - r.after;
        m_checked += checked;
        m_bad += bad;
    }
    done(r.terminal_id, r.after + 1, to);
    r.after = to;
    if (!page_full)
        log::info("central", "signatures: the stored entries of terminal " + r.terminal_id + " are checked through " + std::to_string(to));
    return !page_full;
}

void DeferredSignatures::alarm(const std::string& terminal_id, int64_t seq, const std::string& hash)
{
    // Once per entry: an entry checked again after a restart (its watermark was not written yet) is not reported again.
    if (auto alarms = m_store.fork_alarms(); alarms.ok())
        for (const auto& a : alarms.value())
            if (a.terminal_id == terminal_id && a.seq == seq && a.stored_hash == "signature:invalid")
                return;
    log::error("central", "BAD SIGNATURE: terminal " + terminal_id + " entry " + std::to_string(seq)
                              + " was sent with a signature that does not verify (its batch was authenticated by the "
                                "request and the batch's last signature); recorded as an alarm");
    if (auto recorded = m_store.record_fork_alarm(terminal_id, seq, "signature:invalid", hash, clock::unix_ms()); !recorded.ok())
        log::error("central", "signatures: cannot record the alarm (entry " + std::to_string(seq) + " will be checked again at the next start): "
                                  + recorded.error().to_string());
    if (m_metrics)
        m_metrics->add_fork_alarm();
}

void DeferredSignatures::done(const std::string& terminal_id, int64_t first_seq, int64_t last_seq)
{
    auto& m = m_marks[terminal_id];
    if (!m.known) {
        auto now = m_store.advance_signatures_checked(terminal_id, 0); // reads it
        if (!now.ok()) {
            log::error("central", "signatures: cannot read the watermark of terminal " + terminal_id + ": " + now.error().to_string());
        } else {
            m.known = true;
            m.stored = m.mark = now.value();
        }
    }
    auto& range = m.done[first_seq];
    range = std::max(range, last_seq);
    while (m.known && !m.done.empty() && m.done.begin()->first <= m.mark + 1) {
        m.mark = std::max(m.mark, m.done.begin()->second);
        m.done.erase(m.done.begin());
    }
    m_unflushed += last_seq - first_seq + 1;
    std::lock_guard lock(m_mutex);
    m_dirty = true;
}

void DeferredSignatures::flush()
{
    // Every terminal whose watermark is ahead of the store, and every one whose checked ranges wait for a gap (another
    // instance may have filled it: the answer says), in one transaction; then once more for those a filled gap let
    // move further.
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<SignatureMark> marks;
        for (auto& [terminal_id, m] : m_marks)
            if (!m.known || m.mark > m.stored || (pass == 0 && !m.done.empty()))
                marks.push_back({terminal_id, m.known ? m.mark : 0});
        if (marks.empty())
            break;
        auto after = m_store.advance_signatures_checked(marks);
        if (!after.ok()) {
            log::error("central", "signatures: cannot write the watermarks of " + std::to_string(marks.size())
                                      + " terminals (their entries will be checked again at the next start): " + after.error().to_string());
            break;
        }
        for (size_t i = 0; i < marks.size() && i < after.value().size(); ++i) {
            auto& m = m_marks[marks[i].terminal_id];
            m.known = true;
            m.stored = after.value()[i];
            m.mark = std::max(m.mark, m.stored);
            while (!m.done.empty() && m.done.begin()->first <= m.mark + 1) {
                m.mark = std::max(m.mark, m.done.begin()->second);
                m.done.erase(m.done.begin());
            }
        }
    }
    m_unflushed = 0;
    bool gaps = false;
    for (const auto& [terminal_id, m] : m_marks)
        gaps = gaps || !m.done.empty();
    std::lock_guard lock(m_mutex);
    m_dirty = false;
    m_flush_now = false;
    m_gaps = gaps;
}

} // namespace nafitha::central
