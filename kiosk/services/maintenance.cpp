#include "kiosk/services/maintenance.h"

#include "base/fs.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

namespace nafitha::services {

std::optional<MaintenanceWindow> parse_window(const std::string& s)
{
    int h1, m1, h2, m2;
    char tail;
    if (std::sscanf(s.c_str(), "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4)
        return std::nullopt;
    if (h1 < 0 || h1 > 23 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 || (h2 == 24 && m2 != 0))
        return std::nullopt;
    MaintenanceWindow w{h1 * 60 + m1, h2 * 60 + m2, s};
    if (w.start == w.end)
        return std::nullopt;
    return w;
}

std::optional<MaintenanceWindow> configured_window()
{
    const char* env = std::getenv("NAFITHA_UPDATE_WINDOW");
    return parse_window(env && *env ? env : kDefaultUpdateWindow);
}

bool window_open(const MaintenanceWindow& w, int minute)
{
    return w.start < w.end ? (minute >= w.start && minute < w.end) : (minute >= w.start || minute < w.end);
}

int local_minute_of(int64_t unix_seconds)
{
    time_t t = static_cast<time_t>(unix_seconds);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    return tm.tm_hour * 60 + tm.tm_min;
}

std::filesystem::path postpone_file(const std::filesystem::path& data) { return data / "update-postponed"; }
std::filesystem::path last_update_file(const std::filesystem::path& data) { return data / "update-last.json"; }

int64_t postponed_until(const std::filesystem::path& data)
{
    auto text = fs::read_file(postpone_file(data), 64);
    if (!text.ok())
        return 0;
    try {
        return std::stoll(text.value());
    } catch (...) {
        return 0;
    }
}

Result<int64_t> postpone_updates(const std::filesystem::path& data, int64_t hours, int64_t now)
{
    if (hours < 1 || hours > kMaxPostponeHours)
        return Error::make("error.update.postpone_range", std::to_string(hours) + " hours");
    int64_t until = now + hours * 3600;
    auto w = fs::write_file_atomic(postpone_file(data), std::to_string(until) + "\n", 0600);
    if (!w.ok())
        return w.error();
    return until;
}

Result<void> resume_updates(const std::filesystem::path& data)
{
    std::error_code ec;
    std::filesystem::remove(postpone_file(data), ec);
    if (ec)
        return Error::make("error.update.io", "remove " + postpone_file(data).string() + ": " + ec.message());
    return {};
}

UpdateState update_state(const std::filesystem::path& data, int64_t now)
{
    UpdateState s;
    s.window = configured_window();
    s.open_now = s.window && window_open(*s.window, local_minute_of(now));
    int64_t until = postponed_until(data);
    s.postponed_until = until > now ? until : 0;
    auto last = fs::read_file(last_update_file(data), 64 * 1024);
    if (last.ok()) {
        auto j = nlohmann::json::parse(last.value(), nullptr, false);
        if (j.is_object()) {
            s.last_time = j.value("time", int64_t{0});
            s.last_result = j.value("result", std::string());
            s.last_version = j.value("version", std::string());
        }
    }
    return s;
}

} // namespace nafitha::services
