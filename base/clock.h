#pragma once
// Time is stored in UTC; durations use the monotonic clock.

#include <cstdint>
#include <string>

namespace nafitha::clock {

int64_t unix_ms();                        // wall clock, UTC, milliseconds since 1970
int64_t monotonic_ns();                   // for durations only
std::string iso8601_utc(int64_t unix_ms); // "2026-11-28T22:40:05.123Z"
std::string now_iso8601();

} // namespace nafitha::clock
