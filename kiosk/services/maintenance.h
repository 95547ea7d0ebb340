#pragma once
// The terminal's maintenance window and the staff's postponement of updates, shared by nafitha-ctl update (which
// installs only inside the window and not while postponed) and the kiosk's staff screen (which shows the state
// and postpones). The state lives in the data folder: DATA/update-postponed (the end of the postponement, Unix
// seconds) and DATA/update-last.json (the updater's last run). The window is NAFITHA_UPDATE_WINDOW
// (/etc/nafitha/terminal.conf, local time "HH:MM-HH:MM", default 02:00-05:00).

#include "base/result.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace nafitha::services {

constexpr const char* kDefaultUpdateWindow = "02:00-05:00";
constexpr int64_t kMaxPostponeHours = 72;

struct MaintenanceWindow {
    int start = 0, end = 0; // minutes after local midnight; end < start wraps past midnight
    std::string text;       // as configured, "HH:MM-HH:MM"
};

std::optional<MaintenanceWindow> parse_window(const std::string& text);
// NAFITHA_UPDATE_WINDOW, or the default when unset; nullopt when set but malformed.
std::optional<MaintenanceWindow> configured_window();
bool window_open(const MaintenanceWindow& w, int local_minute);
int local_minute_of(int64_t unix_seconds);

std::filesystem::path postpone_file(const std::filesystem::path& data_dir);
std::filesystem::path last_update_file(const std::filesystem::path& data_dir);

// 0 when not postponed (or the file is unreadable).
int64_t postponed_until(const std::filesystem::path& data_dir);
// Postpones updates for `hours` (1..kMaxPostponeHours) from `now`; returns the new end.
Result<int64_t> postpone_updates(const std::filesystem::path& data_dir, int64_t hours, int64_t now);
// Lets updates run again in the next window.
Result<void> resume_updates(const std::filesystem::path& data_dir);

struct UpdateState {
    std::optional<MaintenanceWindow> window; // nullopt: NAFITHA_UPDATE_WINDOW is malformed
    bool open_now = false;
    int64_t postponed_until = 0; // 0: not postponed
    int64_t last_time = 0;       // 0: the updater never ran
    std::string last_result;     // "installed", "up_to_date", "postponed", or an error code
    std::string last_version;
};
UpdateState update_state(const std::filesystem::path& data_dir, int64_t now);

} // namespace nafitha::services
