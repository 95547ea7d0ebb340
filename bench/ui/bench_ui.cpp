// bench ui.frame_build_p99_ms, ui.frame_total_p99_ms, ui.startup_ms, ui.rss_mb.

#include "base/clock.h"
#include "base/paths.h"
#include "kiosk/app/terminal_backend.h"
#include "kiosk/ui/host.h"
#include "kiosk/ui/kiosk_ui.h"
#include "kiosk/ui/replay.h"
#include "kiosk/ui/voice.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iostream>
#include <string>
#include <vector>

using namespace nafitha;

namespace {

double p99(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(static_cast<double>(v.size()) * 0.99))];
}

double rss_mb()
{
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::atof(line.c_str() + 6) / 1024.0;
    }
    return 0;
}

std::string kiosk_bin()
{
    const char* dir = std::getenv("NAFITHA_BIN_DIR");
    return std::string(dir ? dir : ".") + "/nafitha-kiosk";
}

} // namespace

int main()
{
    auto tmp = std::filesystem::temp_directory_path() / ("nafitha-bench-ui-" + std::to_string(::getpid()));
    std::filesystem::remove_all(tmp);
    auto i18n = I18n::load(paths::assets_dir());
    if (!i18n.ok()) {
        std::cerr << i18n.error().to_string() << "\n";
        return 1;
    }

    // Process start to first frame, on a terminal folder that already exists (the second start of a kiosk):
    // from popen() until the kiosk says its first frame is drawn.
    {
        std::string args = " --headless --no-sync --size 1080x1920 --data " + (tmp / "startup").string();
        std::string warm = kiosk_bin() + args + " --exit-after-first-frame >/dev/null 2>&1";
        if (std::system(warm.c_str()) != 0) {
            std::cerr << "bench_ui: " << warm << " failed\n";
            return 1;
        }
        std::vector<double> times;
        for (int i = 0; i < 7; ++i) {
            int64_t t0 = clock::monotonic_ns();
            FILE* p = ::popen((kiosk_bin() + args + " --exit-after-first-frame 2>/dev/null").c_str(), "r");
            if (!p)
                return 1;
            char line[64] = {0};
            bool ok = std::fgets(line, sizeof line, p) && std::string(line).rfind("first-frame", 0) == 0;
            times.push_back(static_cast<double>(clock::monotonic_ns() - t0) / 1e6);
            ::pclose(p);
            if (!ok) {
                std::cerr << "bench_ui: the kiosk did not report its first frame\n";
                return 1;
            }
        }
        std::sort(times.begin(), times.end());
        std::printf("bench ui.startup_ms %.1f ms\n", times[times.size() / 2]);
    }

    app::BackendOptions bo;
    bo.data_dir = tmp / "data";
    bo.printed_dir = tmp / "printed";
    bo.start_sync = false;
    auto backend = app::make_terminal_backend(bo, *i18n);
    if (!backend.ok()) {
        std::cerr << backend.error().to_string() << "\n";
        return 1;
    }
    auto host = ui::Host::create(ui::HostOptions{1080, 1920, ui::Display::Headless});
    if (!host.ok()) {
        std::cerr << host.error().to_string() << "\n";
        return 1;
    }
    auto labels = ui::make_shaped_labels((*host)->renderer());
    ui::Worker worker(ui::Worker::Mode::Inline);
    ui::KioskUi kiosk(*i18n, **backend, *labels, worker, ui::Theme::load(paths::assets_dir()));
    ui::Runner runner(**host, kiosk, *labels, worker);
    // Voice on (synthesised on its own thread; headless: nobody listens) and ICU formatting on every screen.
    ui::Voice voice([](ui::Speech&&) {});
    kiosk.ctx().voice = &voice;
    kiosk.ctx().voice_on = true;

    // Frame build (layout, shaping from the cache, draw lists; no rasterising) and total (software rendering).
    std::vector<double> build, total;
    for (const char* screen : {"categories", "form"}) {
        kiosk.show_demo(screen);
        for (int i = 0; i < 10; ++i)
            runner.frame();
        for (int i = 0; i < 600; ++i) {
            int64_t t0 = clock::monotonic_ns();
            runner.frame(1.0f / 60, ui::Host::Raster::No);
            build.push_back(static_cast<double>(clock::monotonic_ns() - t0) / 1e6);
        }
        for (int i = 0; i < 600; ++i) {
            int64_t t0 = clock::monotonic_ns();
            runner.frame(1.0f / 60, ui::Host::Raster::Yes);
            total.push_back(static_cast<double>(clock::monotonic_ns() - t0) / 1e6);
        }
    }
    std::printf("bench ui.frame_build_p99_ms %.3f ms\n", p99(build));
    std::sort(build.begin(), build.end());
    std::printf("bench ui.frame_build_p50_ms %.3f ms\n", build[build.size() / 2]);
    std::printf("bench ui.frame_total_p99_ms %.3f ms\n", p99(total));

    // Resident memory after a full citizen visit (form typed on the keyboard, paid, receipt printed).
    std::ifstream script(std::string(NAFITHA_SOURCE_DIR) + "/tests/kiosk/citizen_visit.replay");
    std::ostringstream sink;
    kiosk.ctx().demo = false;
    kiosk.show_demo("attract");
    kiosk.ctx().demo = false;
    std::filesystem::create_directories(tmp / "shots");
    auto visit = ui::run_replay(runner, script, tmp / "shots", sink);
    if (!visit.ok()) {
        std::cerr << "bench_ui: visit failed: " << visit.error().detail << "\n" << sink.str();
        return 1;
    }
    std::printf("bench ui.rss_mb %.1f MB\n", rss_mb());
    std::filesystem::remove_all(tmp);
    return 0;
}
