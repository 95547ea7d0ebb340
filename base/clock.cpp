#include "base/clock.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace nafitha::clock {

int64_t unix_ms()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t monotonic_ns()
{
    using namespace std::chrono;
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string iso8601_utc(int64_t ms)
{
    time_t secs = static_cast<time_t>(ms / 1000);
    int millis = static_cast<int>(ms % 1000);
    if (millis < 0) {
        millis += 1000;
        --secs;
    }
    struct tm tm {};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return buf;
}

std::string now_iso8601() { return iso8601_utc(unix_ms()); }

namespace {

constexpr int64_t kJumpMs = 60 * 1000;

struct Steady {
    std::mutex mutex;
    bool anchored = false;
    int64_t wall_ms = 0;
    int64_t mono_ms = 0;
};

Steady& steady()
{
    static Steady s;
    return s;
}

std::atomic<int64_t> g_reference_offset_ms{0};

} // namespace

int64_t steady_wall_ms()
{
    int64_t wall = unix_ms();
    int64_t mono = monotonic_ns() / 1000000;
    Steady& s = steady();
    std::lock_guard lock(s.mutex);
    if (s.anchored) {
        int64_t expected = s.wall_ms + (mono - s.mono_ms);
        if (wall - expected > kJumpMs || expected - wall > kJumpMs)
            return expected; // a jump of the wall clock: not followed
    }
    s.anchored = true;
    s.wall_ms = wall;
    s.mono_ms = mono;
    return wall;
}

int64_t record_ms() { return steady_wall_ms() + g_reference_offset_ms.load(std::memory_order_relaxed); }
void set_reference_offset_ms(int64_t offset_ms) { g_reference_offset_ms.store(offset_ms, std::memory_order_relaxed); }
int64_t reference_offset_ms() { return g_reference_offset_ms.load(std::memory_order_relaxed); }
std::string record_iso8601() { return iso8601_utc(record_ms()); }

std::optional<int64_t> parse_iso8601_ms(std::string_view t)
{
    // YYYY-MM-DDTHH:MM:SS[.fff](Z|+00:00)
    auto digits = [&](size_t at, size_t n) -> std::optional<int> {
        if (at + n > t.size())
            return std::nullopt;
        int v = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (t[i] < '0' || t[i] > '9')
                return std::nullopt;
            v = v * 10 + (t[i] - '0');
        }
        return v;
    };
    if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':')
        return std::nullopt;
    auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2), se = digits(17, 2);
    if (!y || !mo || !d || !h || !mi || !se || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || *se > 60)
        return std::nullopt;
    size_t at = 19;
    int millis = 0;
    if (at < t.size() && t[at] == '.') {
        size_t n = 0;
        while (at + 1 + n < t.size() && t[at + 1 + n] >= '0' && t[at + 1 + n] <= '9')
            ++n;
        if (n == 0)
            return std::nullopt;
        for (size_t i = 0; i < 3; ++i)
            millis = millis * 10 + (i < n ? t[at + 1 + i] - '0' : 0);
        at += 1 + n;
    }
    std::string_view zone = t.substr(at);
    if (zone != "Z" && zone != "+00:00")
        return std::nullopt;
    // Days from the civil date (proleptic Gregorian), as in Howard Hinnant's days_from_civil.
    int yy = *y - (*mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (*mo + (*mo > 2 ? -3 : 9)) + 2) / 5 + *d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
    return ((days * 24 + *h) * 60 + *mi) * 60000 + static_cast<int64_t>(*se) * 1000 + millis;
}

} // namespace nafitha::clock
