#include "base/log.h"

#include "base/clock.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace nafitha::log {

namespace {
Level initial_level()
{
    const char* env = std::getenv("NAFITHA_LOG");
    if (!env)
        return Level::Info;
    if (!std::strcmp(env, "debug"))
        return Level::Debug;
    if (!std::strcmp(env, "warn"))
        return Level::Warn;
    if (!std::strcmp(env, "error"))
        return Level::Error;
    return Level::Info;
}
std::atomic<Level> g_level{initial_level()};
std::mutex g_mutex;
const char* name(Level l)
{
    switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
    }
    return "?";
}
} // namespace

void set_level(Level level) { g_level = level; }
Level level() { return g_level; }

void write(Level lvl, std::string_view component, std::string_view message)
{
    if (lvl < g_level.load())
        return;
    std::string line = clock::now_iso8601() + " " + name(lvl) + " [" + std::string(component) + "] " +
                       std::string(message) + "\n";
    std::lock_guard lock(g_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace nafitha::log
