#pragma once
// The kiosk's Backend bound to the real modules: kiosk/services (the terminal database and journal),
// devices (printer queue and transport, payment devices, health), printing (receipts, tickets, Z reports as
// ESC/POS raster) and sync/client (the sync worker). In development the devices are the simulators from
// devices/, speaking their real protocols: the printer simulator listens on a local TCP port and every page
// it prints is saved as a PNG in the printed folder.

#include "kiosk/ui/backend.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace nafitha::app {

enum class PrinterPaper { Loaded, Out };
enum class DevStaff { None, Create };

struct BackendOptions {
    std::filesystem::path data_dir;
    std::filesystem::path printed_dir;  // where the simulated printer's pages land (default DATA/printed)
    std::string printer = "sim";        // "sim" or a device address (tcp://HOST:PORT, /dev/usb/lp0)
    PrinterPaper sim_paper = PrinterPaper::Loaded;
    DevStaff dev_staff = DevStaff::None; // create clerk1/1234 and tech1/9876 when no staff exists (development)
    std::string centre;                 // default: sync.json's centre, else DAM-01
    std::string ca_file;                // PEM bundle central's certificate must chain to (provisioning over https)
    bool start_sync = true;
    int cash_note_delay_ms = 0;         // development: pause between simulated banknotes (to watch progress)
    // Development and tests: the simulated citizen's notes (minor units), given in this order when the acceptor
    // waits; once they are spent the citizen gives nothing more (and may cancel). Empty: the largest note not
    // above what is still due, as often as needed.
    std::vector<int64_t> cash_wallet;
};

Result<std::unique_ptr<ui::Backend>> make_terminal_backend(const BackendOptions& options, const I18n& i18n);

} // namespace nafitha::app
