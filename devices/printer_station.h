#pragma once
// The receipt printer as the kiosk sees it: a durable queue in the terminal's data folder
// (DATA/print-queue), a background worker that prints and retries, and the printer's health. The UI thread
// only calls submit() (one small fsync'd file write) and reads health(); it never waits for the printer.
//
//   auto station = TRY(devices::PrinterStation::open(data_dir / "print-queue", TRY(devices::parse_address(cfg))));
//   station->submit("receipt:" + reference, escpos_bytes);   // printed once, even across restarts
//   auto h = station->health(devices::Need::Required);       // feed into devices::aggregate()

#include "devices/health.h"
#include "devices/print_queue.h"

#include <memory>

namespace nafitha::devices {

class PrinterStation {
public:
    static Result<std::unique_ptr<PrinterStation>> open(const std::filesystem::path& queue_dir, DeviceAddress printer,
                                                        QueueOptions options = {});
    // Queues a job (idempotent by id) and wakes the worker.
    Result<EnqueueOutcome> submit(std::string_view job_id, std::string_view escpos_bytes);
    DeviceHealth health(Need need) const;
    // Asks the printer for its status now (unless the worker is talking to it: then its last answer
    // stands), then reports health. Blocks for the status query (connect_timeout + status_timeout at most).
    DeviceHealth check(Need need);
    size_t pending() const { return m_queue->pending_count(); }
    bool printed(std::string_view job_id) const { return m_queue->was_printed(job_id); }
    std::optional<Error> last_error() const { return m_worker->last_error(); }
    // For one-shot tools (nafitha-ctl): waits until `job_id` is printed (Ok), or until a drain that ended
    // after this call left it queued (that drain's error: the printer is off, out of paper...), or `timeout`
    // (error.device.timeout). The job stays queued either way; the worker keeps retrying while the station
    // lives.
    Result<void> wait_printed(std::string_view job_id, Millis timeout) const;
    // The same for the whole queue: Ok once nothing is pending.
    Result<void> wait_idle(Millis timeout) const;
    const DeviceAddress& address() const { return m_address; }

private:
    PrinterStation() = default;
    Result<void> wait_until(const std::function<bool()>& done, Millis timeout) const;
    DeviceAddress m_address;
    Millis m_connect_timeout{2000};
    std::unique_ptr<PrintQueue> m_queue;
    std::unique_ptr<PrintWorker> m_worker;
};

} // namespace nafitha::devices
