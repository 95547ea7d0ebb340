#include "base/crash_point.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace nafitha {

namespace {

struct CrashConfig {
    long long at = 0; // 0: never
    bool count = false;
    bool after_ready = false;
};

std::atomic<long long> g_passed{0};
std::atomic<bool> g_ready{false};

void report_count()
{
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "crash points: %lld\n", g_passed.load());
    if (n > 0)
        (void)!::write(2, buf, static_cast<size_t>(n));
}

const CrashConfig& config()
{
    static const CrashConfig c = [] {
        CrashConfig cfg;
        if (const char* at = std::getenv("NAFITHA_CRASH_AT"))
            cfg.at = std::atoll(at);
        cfg.after_ready = std::getenv("NAFITHA_CRASH_AFTER_READY") != nullptr;
        if (std::getenv("NAFITHA_CRASH_COUNT")) {
            cfg.count = true;
            std::atexit(report_count);
        }
        return cfg;
    }();
    return c;
}

} // namespace

void crash_point()
{
    const CrashConfig& c = config();
    if (c.at == 0 && !c.count)
        return;
    if (c.after_ready && !g_ready.load(std::memory_order_relaxed))
        return;
    long long n = g_passed.fetch_add(1) + 1;
    if (c.at != 0 && n == c.at)
        ::kill(::getpid(), SIGKILL);
}

void crash_point_ready()
{
    const CrashConfig& c = config();
    if (!c.after_ready)
        return;
    g_passed.store(0);
    g_ready.store(true);
}

} // namespace nafitha
