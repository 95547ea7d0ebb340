#include "devices/printer_station.h"

#include <chrono>

namespace nafitha::devices {

Result<std::unique_ptr<PrinterStation>> PrinterStation::open(const std::filesystem::path& queue_dir,
                                                             DeviceAddress printer, QueueOptions options)
{
    std::unique_ptr<PrinterStation> s(new PrinterStation());
    s->m_address = std::move(printer);
    s->m_queue = TRY(PrintQueue::open(queue_dir, options));
    s->m_connect_timeout = options.connect_timeout;
    auto connect_timeout = options.connect_timeout;
    s->m_worker = std::make_unique<PrintWorker>(
        *s->m_queue, [address = s->m_address, connect_timeout] { return open_transport(address, connect_timeout); },
        Millis(10000), options.idle_probe);
    // Jobs left from before a restart start printing now.
    s->m_worker->notify();
    return s;
}

Result<EnqueueOutcome> PrinterStation::submit(std::string_view job_id, std::string_view escpos_bytes)
{
    auto outcome = TRY(m_queue->enqueue(job_id, escpos_bytes));
    m_worker->notify();
    return outcome;
}

Result<void> PrinterStation::wait_until(const std::function<bool()>& done, Millis timeout) const
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    uint64_t seen = m_worker->drains();
    for (;;) {
        if (done())
            return {};
        auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return Error::make("error.device.timeout", "the printer did not finish in time");
        uint64_t now_seen = m_worker->wait_drain(seen, left);
        if (now_seen == seen)
            continue; // timed out (checked above)
        seen = now_seen;
        if (done())
            return {};
        if (auto e = m_worker->last_error())
            return *e;
        // That drain ended well before what we wait for was queued: wait for the next one.
    }
}

Result<void> PrinterStation::wait_printed(std::string_view job_id, Millis timeout) const
{
    return wait_until([&] { return m_queue->was_printed(job_id); }, timeout);
}

Result<void> PrinterStation::wait_idle(Millis timeout) const
{
    return wait_until([&] { return m_queue->pending_count() == 0; }, timeout);
}

DeviceHealth PrinterStation::check(Need need)
{
    (void)m_queue->try_probe([this] { return open_transport(m_address, m_connect_timeout); });
    return health(need);
}

DeviceHealth PrinterStation::health(Need need) const
{
    return printer_health("receipt-printer", need, m_queue->last_status(), m_queue->pending_count());
}

} // namespace nafitha::devices
