#pragma once
// Waiting for progress in tests. A test waits for something to happen (a counter to move, a file to appear,
// a line to be printed), never for an amount of time: the poll below only re-reads the condition, and the
// limit guards against a hang (reaching it is a failure, whatever the machine's speed).

#include <chrono>
#include <functional>
#include <thread>

namespace nafitha::test {

// Generous on purpose: a test that is merely slow (a busy machine) still passes, a hung one fails.
inline constexpr std::chrono::seconds kHangGuard{120};

// True as soon as `condition` holds; false if it still does not after `limit`.
inline bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit = kHangGuard)
{
    auto give_up = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > give_up)
            return condition();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

} // namespace nafitha::test
