#pragma once
// Device health for the kiosk's out-of-service decision and technician mode: every device reports a
// state; the aggregate says which citizen functions are available.

#include "devices/printer_status.h"

#include <optional>
#include <string>
#include <vector>

namespace nafitha::devices {

enum class DeviceKind { ReceiptPrinter, Scanner, CashAcceptor, CardTerminal };
enum class Severity { Ok, Warning, Failed, Absent };
// A required device that fails puts the kiosk out of service; an optional one only removes its function.
enum class Need { Required, Optional };

struct DeviceHealth {
    std::string name;          // "receipt-printer"
    DeviceKind kind;
    Need need = Need::Required;
    Severity severity = Severity::Ok;
    std::string code;          // translation key of the state ("device.printer.paper_near_end")
};

// The health of a printer from its last status (nullopt = never reached) and pending queue size.
DeviceHealth printer_health(std::string name, Need need, const std::optional<PrinterStatus>& status,
                            size_t pending_jobs);
// A payment device from its state_code().
DeviceHealth payment_health(std::string name, DeviceKind kind, Need need, const std::string& state_code);

// A scanner: Connected or not (a keyboard-wedge scanner that was never seen is Absent, not failed).
enum class Presence { Connected, Missing, NeverSeen };
DeviceHealth scanner_health(std::string name, Need need, Presence presence);

struct KioskHealth {
    bool in_service = true;     // false: show the out-of-service screen
    bool can_print = true;
    bool can_take_cash = true;
    bool can_take_card = true;
    bool can_scan = true;
    bool needs_attention = false; // a warning (paper near end): tell the staff, keep serving
    std::vector<DeviceHealth> devices;
    std::vector<std::string> reasons; // translation keys of what is wrong, worst first
};

KioskHealth aggregate(std::vector<DeviceHealth> devices);

} // namespace nafitha::devices
