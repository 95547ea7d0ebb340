#include "devices/printer_station.h"

namespace nafitha::devices {

Result<std::unique_ptr<PrinterStation>> PrinterStation::open(const std::filesystem::path& queue_dir,
                                                             DeviceAddress printer, QueueOptions options)
{
    std::unique_ptr<PrinterStation> s(new PrinterStation());
    s->m_address = std::move(printer);
    s->m_queue = TRY(PrintQueue::open(queue_dir, options));
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

DeviceHealth PrinterStation::health(Need need) const
{
    return printer_health("receipt-printer", need, m_queue->last_status(), m_queue->pending_count());
}

} // namespace nafitha::devices
