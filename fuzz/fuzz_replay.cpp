// libFuzzer target over replay scripts (untrusted: a file named on the kiosk's command line): parse_replay
// checks a whole script before anything runs. Invariants: every accepted step is a known command whose
// numbers are finite and in range, and no screenshot name leaves the output folder.
// Build and run: installer/dev fuzz replay; the normal suite replays fuzz/corpus/replay/ and
// fuzz/regressions/replay/ (tests/fuzz).

#include "kiosk/ui/replay.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string_view>

using namespace nafitha;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    auto steps = ui::parse_replay(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!steps.ok())
        return 0;
    for (const auto& step : steps.value()) {
        for (float n : step.numbers)
            if (!std::isfinite(n) || n < 0 || n > 100000)
                std::abort();
        if (step.command == "wait" && step.numbers[0] > 3600)
            std::abort();
        if (step.command == "screenshot") {
            auto target = (std::filesystem::path("/out") / step.text).lexically_normal();
            if (target.string().rfind("/out/", 0) != 0)
                std::abort();
        }
    }
    return 0;
}
