#pragma once
// The one output path of nafitha-ctl's print commands (receipt, print z-report, devices test-page): a
// document from kiosk/documents rendered at a paper width and written as ESC/POS bytes, a PNG, and/or queued
// at a printer through devices::PrinterStation. Defined in cmd_print.cpp.

#include "kiosk/documents/documents.h"

#include <filesystem>
#include <optional>
#include <string>

namespace nafitha::ctl {

struct PrintOutputs {
    std::optional<std::string> escpos;   // write the ESC/POS bytes here
    std::optional<std::string> png;      // write the dots as a PNG here
    std::optional<std::string> printer;  // queue at this printer address...
    std::filesystem::path queue_dir;     // ...through the durable queue in this folder
};

// 0 done; 1 failed (the error on stderr); 2 a bad printer address; 3 the job stays queued (printer off, out of
// paper: the queue keeps it).
int emit_document(const documents::Printable& doc, int width_dots, const PrintOutputs& outputs);

} // namespace nafitha::ctl
