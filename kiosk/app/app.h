#pragma once
// nafitha-kiosk's command line and run modes (window, full screen, headless screenshot, headless replay).

#include <string>
#include <vector>

namespace nafitha::app {

// Runs the kiosk with `args` (without the program name); returns the process exit code.
int run(const std::vector<std::string>& args);

// The usage text.
std::string usage();

} // namespace nafitha::app
