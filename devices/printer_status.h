#pragma once
// Printer state from ESC/POS real-time status (DLE EOT n), and the job barrier (GS ( H process ID response)
// that tells when a printer has really processed a job.

#include "base/result.h"
#include "devices/transport.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nafitha::devices {

struct PrinterStatus {
    bool online = false;
    bool cover_open = false;
    bool paper_near_end = false;
    bool paper_out = false;
    bool error = false;  // cutter jam or an unrecoverable error

    // Ready to print a job now.
    bool ready() const { return online && !cover_open && !paper_out && !error; }
    // The translation key that describes the worst condition ("device.printer.ok" when fine).
    std::string code() const;
};

// DLE EOT 1 (printer), 2 (offline cause), 3 (error cause), 4 (paper roll sensor).
std::string status_query_bytes();
// The reply byte for DLE EOT n from a printer in `status` (the simulator uses this; Epson bit layout).
uint8_t status_reply_byte(uint8_t n, const PrinterStatus& status);
// Decodes the four reply bytes of status_query_bytes(); error.printer.bad_status when they are not status
// bytes (bits 0, 1, 4 and 7 are fixed).
Result<PrinterStatus> decode_status(const std::array<uint8_t, 4>& replies);

// Sends the queries and reads the four replies within `timeout` (error.printer.no_status when silent).
Result<PrinterStatus> query_status(Transport& transport, Millis timeout);

// GS ( H: asks the printer to answer "7 \" d1 d2 d3 d4 NUL" once everything sent before it is processed.
std::string process_id_request(const std::array<char, 4>& id);
std::string process_id_reply(const std::array<char, 4>& id);

// What a printer sent back while a job prints, split: process-ID replies (the job's barrier) and status
// quadruples (answers to DLE EOT, read only while one is outstanding); anything else is noise and dropped.
// Consumes what it can from `inbox` (bytes from the printer, untrusted) and leaves a partial reply for the
// next call. `status_outstanding` is cleared when a status quadruple was read.
struct ReplyScan {
    bool barrier = false;                // the `expected` process-ID reply arrived
    std::optional<PrinterStatus> status; // the last well-formed status read
};
ReplyScan scan_printer_replies(std::string& inbox, std::string_view expected, bool& status_outstanding);

} // namespace nafitha::devices
