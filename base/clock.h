#pragma once
// Time is stored in UTC; durations use the monotonic clock.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nafitha::clock {

int64_t unix_ms();                        // wall clock, UTC, milliseconds since 1970
int64_t monotonic_ns();                   // for durations only
std::string iso8601_utc(int64_t unix_ms); // "2026-11-28T22:40:05.123Z"
std::string now_iso8601();

// Time for records (journal entries, the times in their payloads, signed requests), meant to be right and
// never to leap:
//   - steady_wall_ms(): the wall clock as this process first saw it, carried forward by the monotonic clock.
//     It follows the wall clock's small corrections, but a jump of more than a minute either way (an RTC reset,
//     someone setting the date, NTP stepping) is not followed: time carries on from the monotonic clock.
//   - record_ms(): steady_wall_ms() plus the offset to central's clock, once one is known. The sync client
//     measures it against steady_wall_ms() on every answer (central sends its time) and keeps it in sync.json,
//     so that a terminal whose clock is days or years off still writes the right time.
int64_t steady_wall_ms();
int64_t record_ms();
void set_reference_offset_ms(int64_t offset_ms); // central's clock minus steady_wall_ms()
int64_t reference_offset_ms();
std::string record_iso8601();

// "2026-11-28T22:40:05.123Z" (also without milliseconds, or with "+00:00"); nullopt when it is not one.
std::optional<int64_t> parse_iso8601_ms(std::string_view text);

} // namespace nafitha::clock
