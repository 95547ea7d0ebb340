#include "devices/health.h"

#include <algorithm>

namespace nafitha::devices {

DeviceHealth printer_health(std::string name, Need need, const std::optional<PrinterStatus>& status,
                            size_t pending_jobs)
{
    DeviceHealth h{std::move(name), DeviceKind::ReceiptPrinter, need, Severity::Ok, "device.printer.ok"};
    if (!status) {
        // Never reached: fine while nothing waits, failed once jobs pile up.
        h.severity = pending_jobs > 0 ? Severity::Failed : Severity::Ok;
        h.code = pending_jobs > 0 ? "device.printer.offline" : "device.printer.ok";
        return h;
    }
    h.code = status->code();
    if (!status->ready())
        h.severity = Severity::Failed;
    else if (status->paper_near_end)
        h.severity = Severity::Warning;
    return h;
}

DeviceHealth payment_health(std::string name, DeviceKind kind, Need need, const std::string& state_code)
{
    DeviceHealth h{std::move(name), kind, need, Severity::Ok, state_code};
    auto ends_with = [&](std::string_view s) {
        return state_code.size() >= s.size() && state_code.compare(state_code.size() - s.size(), s.size(), s) == 0;
    };
    if (ends_with(".ok") || ends_with(".busy"))
        h.severity = Severity::Ok;
    else if (ends_with(".disabled"))
        h.severity = Severity::Warning;
    else if (ends_with(".absent"))
        h.severity = Severity::Absent;
    else
        h.severity = Severity::Failed;
    return h;
}

DeviceHealth scanner_health(std::string name, Need need, Presence presence)
{
    DeviceHealth h{std::move(name), DeviceKind::Scanner, need, Severity::Ok, "device.scanner.ok"};
    if (presence == Presence::Missing) {
        h.severity = Severity::Failed;
        h.code = "device.scanner.missing";
    } else if (presence == Presence::NeverSeen) {
        h.severity = Severity::Absent;
        h.code = "device.scanner.absent";
    }
    return h;
}

KioskHealth aggregate(std::vector<DeviceHealth> devices)
{
    KioskHealth k;
    std::stable_sort(devices.begin(), devices.end(),
                     [](const DeviceHealth& a, const DeviceHealth& b) { return a.severity > b.severity; });
    for (auto& d : devices) {
        bool down = d.severity == Severity::Failed || d.severity == Severity::Absent;
        if (d.severity == Severity::Warning)
            k.needs_attention = true;
        if (!down)
            continue;
        switch (d.kind) {
        case DeviceKind::ReceiptPrinter: k.can_print = false; break;
        case DeviceKind::Scanner: k.can_scan = false; break;
        case DeviceKind::CashAcceptor: k.can_take_cash = false; break;
        case DeviceKind::CardTerminal: k.can_take_card = false; break;
        }
        k.needs_attention = true;
        k.reasons.push_back(d.code);
        if (d.need == Need::Required)
            k.in_service = false;
    }
    // Without any way to pay the kiosk cannot finish paid services; it stays in service for free ones
    // only if some payment device was optional, so the caller decides with can_take_cash/can_take_card.
    k.devices = std::move(devices);
    return k;
}

} // namespace nafitha::devices
