#pragma once
// One headless kiosk per test process: a terminal on a temporary data folder, the software-rendering host,
// shaped labels, an inline worker and the UI, driven by a Runner on a simulated clock.

#include "base/i18n.h"
#include "kiosk/ui/host.h"
#include "kiosk/ui/kiosk_ui.h"
#include "kiosk/ui/replay.h"

#include <filesystem>
#include <memory>
#include <string>

namespace nafitha::test {

struct Kiosk {
    std::filesystem::path dir;
    std::unique_ptr<I18n> i18n;
    std::unique_ptr<ui::Backend> backend;
    std::unique_ptr<ui::Host> host;
    std::unique_ptr<ui::Labels> labels;
    std::unique_ptr<ui::Worker> worker;
    std::unique_ptr<ui::KioskUi> kiosk;
    std::unique_ptr<ui::Runner> runner;

    ui::Ctx& ctx() { return kiosk->ctx(); }
    // Runs replay commands given as text; returns the error detail, empty on success.
    std::string replay(const std::string& script);
    ~Kiosk();
};

// Builds a kiosk of `width` x `height` (one per call; SDL allows one host at a time).
std::unique_ptr<Kiosk> make_kiosk(int width, int height);

} // namespace nafitha::test
