#pragma once
// Shared helpers for the services tests: unique temporary data folders and a terminal on one.

#include "kiosk/services/terminal.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace test {

struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& name)
    {
        static std::atomic<int> counter{0};
        path = std::filesystem::temp_directory_path() /
               ("nafitha-services-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        std::filesystem::remove_all(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

inline std::filesystem::path seed_file() { return std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets/catalogue/seed.json"; }

inline nafitha::services::TerminalOptions options(const std::filesystem::path& dir, std::string centre = "DAM-01")
{
    nafitha::services::TerminalOptions o;
    o.data_dir = dir;
    o.centre = std::move(centre);
    o.seed_catalogue = seed_file();
    o.pin_cost = nafitha::services::PinCost::test();
    return o;
}

inline std::unique_ptr<nafitha::services::Terminal> open_terminal(const std::filesystem::path& dir, std::string centre = "DAM-01")
{
    auto t = nafitha::services::Terminal::open(options(dir, std::move(centre)));
    if (!t.ok())
        FAIL("open failed: " << t.error().to_string());
    return t.release_value();
}

// A terminal whose clock is the caller's `now` (milliseconds), which the test moves by hand.
inline std::unique_ptr<nafitha::services::Terminal> open_clocked(const std::filesystem::path& dir, const int64_t& now)
{
    auto o = options(dir);
    o.now_ms = [&now] { return now; };
    auto t = nafitha::services::Terminal::open(o);
    if (!t.ok())
        FAIL("open failed: " << t.error().to_string());
    return t.release_value();
}

inline nafitha::services::FormValues birth_extract_values()
{
    return {{"full_name", "محمد أحمد الخطيب"}, {"national_id", "٠١٠٢٠٣٠٤٠٥٠"}, {"father_name", "أحمد"},
            {"mother_name", "فاطمة السيد"},  {"birth_date", "1990-05-17"},     {"copies", "٢"}};
}

} // namespace test

namespace test {

inline std::string integrity(nafitha::db::Db& db)
{
    auto st = db.prepare("PRAGMA integrity_check").value();
    REQUIRE(st.step().value());
    return st.text(0);
}

} // namespace test
