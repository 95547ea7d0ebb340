#include "devices/print_queue.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace nafitha::devices {

namespace {

constexpr std::string_view kMagic = "NFJOB1\n";
constexpr size_t kMaxPrintedKept = 20000;

bool valid_id(std::string_view id)
{
    if (id.empty() || id.size() > 128)
        return false;
    return std::all_of(id.begin(), id.end(), [](char c) { return c > 32 && c < 127; });
}

std::string seq_name(uint64_t seq)
{
    std::string s = std::to_string(seq);
    return std::string(12 - std::min<size_t>(12, s.size()), '0') + s + ".job";
}

std::array<char, 4> barrier_id(uint64_t seq)
{
    static constexpr char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::array<char, 4> id{};
    for (int i = 3; i >= 0; --i) {
        id[static_cast<size_t>(i)] = digits[seq % 36];
        seq /= 36;
    }
    return id;
}

Result<void> append_line_durably(const std::filesystem::path& path, const std::string& line)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return Error::make("error.fs.write_failed", path.string() + ": " + std::strerror(errno));
    std::string data = line + "\n";
    bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok)
        return Error::make("error.fs.write_failed", path.string());
    return {};
}

} // namespace

Result<std::unique_ptr<PrintQueue>> PrintQueue::open(const std::filesystem::path& dir, QueueOptions options)
{
    TRY(fs::ensure_dir(dir, 0700));
    std::unique_ptr<PrintQueue> q(new PrintQueue(dir, options));
    TRY(q->load());
    return q;
}

Result<void> PrintQueue::load()
{
    auto printed_file = m_dir / "printed.log";
    if (std::filesystem::exists(printed_file)) {
        auto text = TRY(fs::read_file(printed_file, 64u << 20));
        size_t pos = 0;
        std::vector<std::string> lines;
        while (pos < text.size()) {
            size_t nl = text.find('\n', pos);
            if (nl == std::string::npos)
                break; // A torn last line was never acknowledged.
            lines.push_back(text.substr(pos, nl - pos));
            pos = nl + 1;
        }
        if (lines.size() > kMaxPrintedKept) {
            lines.erase(lines.begin(), lines.end() - kMaxPrintedKept / 2);
            std::string keep;
            for (auto& l : lines)
                keep += l + "\n";
            TRY(fs::write_file_atomic(printed_file, keep));
        }
        for (auto& l : lines)
            m_printed.insert(l);
    }
    std::error_code ec;
    for (auto& entry : std::filesystem::directory_iterator(m_dir, ec)) {
        auto name = entry.path().filename().string();
        if (name.size() != 16 || name.substr(12) != ".job" ||
            !std::all_of(name.begin(), name.begin() + 12, [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        auto content = fs::read_file(entry.path(), m_options.max_job_bytes + 256);
        if (!content.ok() || content->compare(0, kMagic.size(), kMagic) != 0) {
            log::warn("print_queue", "ignoring unreadable job file " + name);
            continue;
        }
        size_t nl = content->find('\n', kMagic.size());
        if (nl == std::string::npos)
            continue;
        Job job{std::stoull(name.substr(0, 12)), content->substr(kMagic.size(), nl - kMagic.size()), entry.path()};
        if (m_printed.count(job.id)) {
            std::filesystem::remove(job.file, ec);
            continue;
        }
        m_next_seq = std::max(m_next_seq, job.seq + 1);
        m_pending.push_back(std::move(job));
    }
    if (ec)
        return Error::make("error.fs.read_failed", m_dir.string() + ": " + ec.message());
    std::sort(m_pending.begin(), m_pending.end(), [](const Job& a, const Job& b) { return a.seq < b.seq; });
    return {};
}

Result<EnqueueOutcome> PrintQueue::enqueue(std::string_view job_id, std::string_view bytes)
{
    if (!valid_id(job_id))
        return Error::make("error.print_queue.bad_id", "job id must be 1..128 printable ASCII characters", "job_id");
    if (bytes.size() > m_options.max_job_bytes)
        return Error::make("error.print_queue.too_large", std::to_string(bytes.size()) + " bytes");
    Job job;
    {
        std::lock_guard lock(m_mutex);
        if (m_printed.count(job_id))
            return EnqueueOutcome::AlreadyPrinted;
        if (m_writing.count(job_id))
            return EnqueueOutcome::AlreadyQueued;
        for (auto& j : m_pending)
            if (j.id == job_id)
                return EnqueueOutcome::AlreadyQueued;
        if (m_pending.size() + m_writing.size() >= m_options.max_pending)
            return Error::make("error.print_queue.full", std::to_string(m_pending.size()) + " jobs waiting");
        job = Job{m_next_seq++, std::string(job_id), m_dir / seq_name(m_next_seq - 1)};
        m_writing.insert(job.id);
    }
    // The fsync happens outside the lock, so health readers never wait for the disk.
    std::string content(kMagic);
    content += job.id;
    content += '\n';
    content += bytes;
    auto written = fs::write_file_atomic(job.file, content, 0600);
    std::lock_guard lock(m_mutex);
    m_writing.erase(job.id);
    if (!written.ok())
        return written.release_error();
    auto at = std::upper_bound(m_pending.begin(), m_pending.end(), job.seq,
                               [](uint64_t seq, const Job& j) { return seq < j.seq; });
    m_pending.insert(at, std::move(job));
    return EnqueueOutcome::Queued;
}

Result<void> PrintQueue::mark_printed(const Job& job)
{
    TRY(append_line_durably(m_dir / "printed.log", job.id));
    std::lock_guard lock(m_mutex);
    m_printed.insert(job.id);
    std::error_code ec;
    std::filesystem::remove(job.file, ec);
    (void)fs::fsync_dir(m_dir);
    m_pending.erase(std::remove_if(m_pending.begin(), m_pending.end(), [&](const Job& j) { return j.seq == job.seq; }),
                    m_pending.end());
    return {};
}

void PrintQueue::set_status(const PrinterStatus& s)
{
    std::lock_guard lock(m_mutex);
    m_last_status = s;
}

Result<void> PrintQueue::print_one(Transport& t, const Job& job, DrainReport& report)
{
    auto content = TRY(fs::read_file(job.file, m_options.max_job_bytes + 256));
    size_t nl = content.find('\n', kMagic.size());
    std::string_view bytes = std::string_view(content).substr(nl + 1);
    auto id = barrier_id(job.seq);
    std::string payload(bytes);
    if (m_options.barrier == Barrier::StatusOnly) {
        TRY(t.write_all(payload, m_options.write_timeout));
        auto status = TRY(query_status(t, m_options.status_timeout));
        report.last_status = status;
        set_status(status);
        if (!status.ready())
            return Error::make("error." + status.code().substr(std::string("device.").size()),
                               "job " + job.id + " not confirmed: printer not ready after it");
        return mark_printed(job);
    }
    payload += process_id_request(id);
    TRY(t.write_all(payload, m_options.write_timeout));

    // Wait for the barrier; poll the status meanwhile so that a paper-out pause is visible.
    const std::string expected = process_id_reply(id);
    std::string inbox;
    int64_t start = clock::monotonic_ns();
    int64_t deadline = start + std::chrono::duration_cast<std::chrono::nanoseconds>(m_options.job_deadline).count();
    int64_t poll_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(m_options.status_poll_interval).count();
    int64_t next_poll = start + poll_ns;
    bool status_outstanding = false;
    while (clock::monotonic_ns() < deadline) {
        auto chunk = TRY(t.read_some(256, Millis(50)));
        inbox += chunk;
        auto scan = scan_printer_replies(inbox, expected, status_outstanding);
        if (scan.status) {
            report.last_status = *scan.status;
            set_status(*scan.status);
        }
        if (scan.barrier)
            return mark_printed(job);
        if (!status_outstanding && clock::monotonic_ns() >= next_poll) {
            TRY(t.write_all(status_query_bytes(), m_options.status_timeout));
            status_outstanding = true;
            next_poll = clock::monotonic_ns() + poll_ns;
        }
    }
    return Error::make("error.printer.timeout", "job " + job.id + " not confirmed by the printer in time");
}

DrainReport PrintQueue::drain(const std::function<Result<std::unique_ptr<Transport>>()>& connect)
{
    std::lock_guard drain_lock(m_drain_mutex);
    DrainReport report;
    if (pending_count() == 0)
        return report;
    auto transport = connect();
    if (!transport.ok()) {
        report.stopped_by = transport.release_error();
        PrinterStatus off; // offline
        set_status(off);
        report.last_status = off;
        return report;
    }
    auto& t = **transport;
    for (;;) {
        std::optional<Job> job;
        {
            std::lock_guard lock(m_mutex);
            if (!m_pending.empty())
                job = m_pending.front();
        }
        if (!job)
            break;
        auto status = query_status(t, m_options.status_timeout);
        if (!status.ok()) {
            report.stopped_by = status.release_error();
            break;
        }
        report.last_status = *status;
        set_status(*status);
        if (!status->ready()) {
            report.stopped_by = Error::make("error." + status->code().substr(std::string("device.").size()),
                                            t.describe() + " is not ready");
            break;
        }
        auto r = print_one(t, *job, report);
        if (!r.ok()) {
            report.stopped_by = r.release_error();
            break;
        }
        ++report.printed;
    }
    return report;
}

Result<PrinterStatus> PrintQueue::probe(const std::function<Result<std::unique_ptr<Transport>>()>& connect)
{
    std::lock_guard drain_lock(m_drain_mutex);
    auto transport = connect();
    if (!transport.ok()) {
        set_status(PrinterStatus{});
        return transport.release_error();
    }
    auto status = query_status(**transport, m_options.status_timeout);
    set_status(status.ok() ? *status : PrinterStatus{});
    return status;
}

bool PrintQueue::try_probe(const std::function<Result<std::unique_ptr<Transport>>()>& connect)
{
    std::unique_lock drain_lock(m_drain_mutex, std::try_to_lock);
    if (!drain_lock.owns_lock())
        return false;
    auto transport = connect();
    if (!transport.ok()) {
        set_status(PrinterStatus{});
        return true;
    }
    auto status = query_status(**transport, m_options.status_timeout);
    set_status(status.ok() ? *status : PrinterStatus{});
    return true;
}

std::vector<std::string> PrintQueue::pending_ids() const
{
    std::lock_guard lock(m_mutex);
    std::vector<std::string> out;
    for (auto& j : m_pending)
        out.push_back(j.id);
    return out;
}

size_t PrintQueue::pending_count() const
{
    std::lock_guard lock(m_mutex);
    return m_pending.size();
}

bool PrintQueue::was_printed(std::string_view job_id) const
{
    std::lock_guard lock(m_mutex);
    return m_printed.count(job_id) > 0;
}

std::optional<PrinterStatus> PrintQueue::last_status() const
{
    std::lock_guard lock(m_mutex);
    return m_last_status;
}

PrintWorker::PrintWorker(PrintQueue& queue, Connector connect, Millis max_backoff, Millis idle_probe)
    : m_queue(queue), m_connect(std::move(connect)), m_max_backoff(max_backoff), m_idle_probe(idle_probe)
{
    m_thread = std::thread([this] { run(); });
}

PrintWorker::~PrintWorker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
}

void PrintWorker::notify()
{
    {
        std::lock_guard lock(m_mutex);
        m_kick = true;
    }
    m_cv.notify_all();
}

std::optional<Error> PrintWorker::last_error() const
{
    std::lock_guard lock(m_mutex);
    return m_last_error;
}

uint64_t PrintWorker::drains() const
{
    std::lock_guard lock(m_mutex);
    return m_drains;
}

uint64_t PrintWorker::wait_drain(uint64_t after, Millis timeout) const
{
    std::unique_lock lock(m_mutex);
    m_drained_cv.wait_for(lock, timeout, [&] { return m_drains > after || m_stop; });
    return m_drains;
}

void PrintWorker::run()
{
    Millis backoff(500);
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            if (m_stop)
                return;
        }
        DrainReport report = m_queue.drain(m_connect);
        Millis wait = Millis(1000);
        {
            std::lock_guard lock(m_mutex);
            m_last_error = report.stopped_by;
            ++m_drains;
        }
        m_drained_cv.notify_all();
        if (report.stopped_by) {
            wait = backoff;
            backoff = std::min(m_max_backoff, backoff * 2);
        } else {
            backoff = Millis(500);
        }
        std::unique_lock lock(m_mutex);
        if (!report.stopped_by && m_queue.pending_count() == 0) {
            // Idle: look at the printer now and then so its health stays current.
            while (!m_stop && !m_kick && m_queue.pending_count() == 0) {
                if (m_cv.wait_for(lock, m_idle_probe, [&] { return m_stop || m_kick; }))
                    break;
                lock.unlock();
                auto probed = m_queue.probe(m_connect);
                lock.lock();
                m_last_error = probed.ok() ? std::nullopt : std::optional<Error>(probed.error());
            }
        } else {
            m_cv.wait_for(lock, wait, [&] { return m_stop || m_kick; });
        }
        m_kick = false;
    }
}

} // namespace nafitha::devices
