#pragma once
// A durable printer job queue. Each job is written to its own file (fsync) before enqueue() returns, so a
// job survives a printer that is off for hours and a kiosk restart. Jobs print in order; a job is marked
// printed only after the printer answers the process-ID barrier sent after it (GS ( H), and a job id that
// was printed or is queued is never queued again — so a job is neither lost nor printed twice.
//
// The one window left: if the kiosk dies after the printer finished a job and before the "printed" mark
// reaches the disk, that job prints again after restart (at-least-once across a crash).

#include "base/result.h"
#include "devices/printer_status.h"
#include "devices/transport.h"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace nafitha::devices {

// How a job is confirmed. ProcessId: GS ( H, answered once the printer has processed the job (Epson TM
// series and compatibles; the simulator). StatusOnly: for printers without it — after the job, a DLE EOT
// status that is ready (no paper out, cover closed) confirms it; a paper-out in the middle of the job may then
// go unnoticed until the next job.
enum class Barrier { ProcessId, StatusOnly };

struct QueueOptions {
    Barrier barrier = Barrier::ProcessId;
    Millis connect_timeout{2000};
    Millis status_timeout{2000};
    Millis write_timeout{30000};       // for one job's bytes
    Millis job_deadline{120000};       // how long a job may take to print (paper out pauses it)
    Millis status_poll_interval{300};  // while waiting for a job to finish
    Millis idle_probe{5000};           // PrinterStation: status query interval while nothing is queued
    size_t max_job_bytes = 8u << 20;
    size_t max_pending = 2000;
};

enum class EnqueueOutcome { Queued, AlreadyQueued, AlreadyPrinted };

struct DrainReport {
    size_t printed = 0;
    std::optional<Error> stopped_by;   // why the queue stopped with jobs left
    std::optional<PrinterStatus> last_status;
};

class PrintQueue {
public:
    // Opens (creating) the queue folder. Jobs whose printed mark exists are cleaned up.
    static Result<std::unique_ptr<PrintQueue>> open(const std::filesystem::path& dir, QueueOptions options = {});

    // Durably stores a job. `job_id` is the idempotency key ("receipt:NF-2026-000123"): 1..128 printable
    // ASCII characters. error.print_queue.too_large / full / bad_id, error.fs.write_failed.
    Result<EnqueueOutcome> enqueue(std::string_view job_id, std::string_view escpos_bytes);

    // Prints pending jobs in order over a transport made by `connect` until the queue is empty or a job
    // fails (the job stays queued; the error says why). Only one drain runs at a time.
    DrainReport drain(const std::function<Result<std::unique_ptr<Transport>>()>& connect);

    // Asks the printer for its status (without printing) and remembers it for last_status(); the worker does
    // this every few seconds while idle, so that paper running out shows before the next citizen pays.
    Result<PrinterStatus> probe(const std::function<Result<std::unique_ptr<Transport>>()>& connect);
    // The same, unless a drain or a probe is running right now (they keep last_status() current): then
    // nothing is asked and false comes back. For callers that must not wait behind a long job.
    bool try_probe(const std::function<Result<std::unique_ptr<Transport>>()>& connect);

    std::vector<std::string> pending_ids() const;
    size_t pending_count() const;
    bool was_printed(std::string_view job_id) const;
    // The printer state seen last (during a drain), if any.
    std::optional<PrinterStatus> last_status() const;

private:
    struct Job {
        uint64_t seq = 0;
        std::string id;
        std::filesystem::path file;
    };
    PrintQueue(std::filesystem::path dir, QueueOptions options) : m_dir(std::move(dir)), m_options(options) {}
    Result<void> load();
    Result<void> mark_printed(const Job& job);
    Result<void> print_one(Transport& t, const Job& job, DrainReport& report);
    void set_status(const PrinterStatus& s);

    std::filesystem::path m_dir;
    QueueOptions m_options;
    mutable std::mutex m_mutex;   // guards the fields below
    std::vector<Job> m_pending;
    std::set<std::string, std::less<>> m_printed;
    std::set<std::string, std::less<>> m_writing; // ids being written by enqueue()
    uint64_t m_next_seq = 1;
    std::optional<PrinterStatus> m_last_status;
    std::mutex m_drain_mutex;
};

// A background thread that drains a queue whenever it has jobs, retrying with backoff (0.5 s doubling to
// `max_backoff`) while the printer is off or out of paper. The UI thread only enqueues and reads state.
class PrintWorker {
public:
    using Connector = std::function<Result<std::unique_ptr<Transport>>()>;
    PrintWorker(PrintQueue& queue, Connector connect, Millis max_backoff = Millis(10000),
                Millis idle_probe = Millis(5000));
    ~PrintWorker();
    PrintWorker(const PrintWorker&) = delete;
    PrintWorker& operator=(const PrintWorker&) = delete;

    // Wakes the worker (call after enqueue).
    void notify();
    // The error that stopped the last drain, if it did not finish.
    std::optional<Error> last_error() const;
    // Drains finished so far (each wakes wait_drain()).
    uint64_t drains() const;
    // Waits until more than `after` drains have finished, or `timeout`; returns the drain count then.
    uint64_t wait_drain(uint64_t after, Millis timeout) const;

private:
    void run();
    PrintQueue& m_queue;
    Connector m_connect;
    Millis m_max_backoff;
    Millis m_idle_probe;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    mutable std::condition_variable m_drained_cv;
    bool m_stop = false;
    bool m_kick = false;
    uint64_t m_drains = 0;
    std::optional<Error> m_last_error;
    std::thread m_thread;
};

} // namespace nafitha::devices
