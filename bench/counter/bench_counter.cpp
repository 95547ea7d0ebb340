// The counter's benchmarks:
//   bench counter.visit_ms               a counter visit from "submit" to the receipt queued: the application,
//                                        its cash payment and journal entries committed (fsync), then the receipt
//                                        built, rendered and queued durably at a PrinterStation (a printer
//                                        simulator on loopback prints it in the background). Median of 60.
//   bench services.day30_commit_ratio    an offline month at the counter on the real disk (30 simulated days,
//                                        200 visits a day, a float, ten decisions and a Z close a day): the median
//                                        commit time of a visit on day 30 over day 1, the two days run side by
//                                        side (visits alternating with a fresh terminal's first day).

#include "base/clock.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "devices/printer_simulator.h"
#include "devices/printer_station.h"
#include "kiosk/documents/documents.h"
#include "kiosk/documents/press.h"
#include "kiosk/services/terminal.h"
#include "printing/render.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <unistd.h>
#include <vector>

using namespace nafitha;

static double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

template<typename T>
static T must(Result<T> r)
{
    if (!r.ok()) {
        std::fprintf(stderr, "bench_counter: %s\n", r.error().to_string().c_str());
        std::exit(1);
    }
    return r.release_value();
}

static services::FormValues visitor(int day, int n)
{
    char nid[16], phone[16];
    std::snprintf(nid, sizeof nid, "%02d%03d%06d", day % 100, n % 1000, day * 1000 + n);
    std::snprintf(phone, sizeof phone, "09%08d", day * 1000 + n);
    return {{"full_name", "محمد أحمد الخطيب"}, {"national_id", nid}, {"father_name", "أحمد"}, {"mother_name", "فاطمة"},
            {"birth_date", "1990-05-17"},       {"copies", "1"},      {"phone", phone}};
}

static services::SubmitRequest counter_request(int day, int n, int64_t clerk)
{
    services::SubmitRequest r{"civil.birth_extract", visitor(day, n)};
    r.channel = services::Channel::Counter;
    r.staff_id = clerk;
    return r;
}

int main()
{
    auto dir = std::filesystem::temp_directory_path() / ("nafitha-bench-counter-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto seed = std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets/catalogue/seed.json";

    // counter.visit_ms
    {
        services::TerminalOptions o;
        o.data_dir = dir / "visit";
        o.seed_catalogue = seed;
        o.pin_cost = services::PinCost::test();
        auto t = must(services::Terminal::open(o));
        auto clerk = must(t->create_staff({"lina", "لينا", services::Role::Clerk, "1111"}));
        auto i18n = must(I18n::load(std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets"));
        auto sim = must(devices::PrinterSimulator::start(0, [](const devices::SimulatedJob&) {}));
        devices::DeviceAddress address{devices::DeviceAddress::Kind::Tcp, "127.0.0.1", sim->port(), {}, 19200};
        auto station = must(devices::PrinterStation::open(dir / "visit" / "print-queue", address));
        auto press = must(documents::Press::create(printing::kWidth80mm));
        auto loc = documents::locale_for(*t, i18n, Lang::Ar);
        std::vector<double> ms;
        for (int n = 0; n < 70; ++n) {
            auto req = counter_request(1, n, clerk.id);
            int64_t t0 = clock::monotonic_ns();
            auto sub = must(t->submit(req, services::PaymentRequest::cash(500000, clerk.id)));
            auto receipt = must(documents::receipt(*t, sub.application.reference, *loc));
            must(press.print(*station, receipt));
            double v = static_cast<double>(clock::monotonic_ns() - t0) / 1e6;
            if (n >= 10)
                ms.push_back(v); // the first ones warm the caches and the atlas
        }
        (void)station->wait_idle(devices::Millis(20000));
        std::printf("bench counter.visit_ms %.2f ms\n", median(ms));
        sim->stop();
    }

    // services.day30_commit_ratio. Day 1 and day 30 are measured side by side: once the month terminal has lived
    // 29 days, its 30th day runs visit by visit alternately with the first day of a fresh terminal on the same disk
    // (the order swapped every visit), so the machine's load drifts the same way for both.
    {
        auto open_terminal = [&](const char* name, int64_t* clock) {
            services::TerminalOptions o;
            o.data_dir = dir / name;
            o.seed_catalogue = seed;
            o.pin_cost = services::PinCost::test();
            o.now_ms = [clock] { return *clock; };
            return must(services::Terminal::open(o));
        };
        constexpr int64_t kStart = 1'790'000'000'000, kDay = 86'400'000;
        int64_t now = kStart, fresh_now = kStart + kDay;
        auto t = open_terminal("month", &now);
        auto f = open_terminal("fresh", &fresh_now);
        auto clerk = must(t->create_staff({"lina", "لينا", services::Role::Clerk, "1111"}));
        auto sup = must(t->create_staff({"sami", "سامي", services::Role::Supervisor, "2222"}));
        auto fresh_clerk = must(f->create_staff({"lina", "لينا", services::Role::Clerk, "1111"}));
        auto fresh_sup = must(f->create_staff({"sami", "سامي", services::Role::Supervisor, "2222"}));
        std::vector<double> first, last;
        auto timed_visit = [](services::Terminal& term, int day, int n, int64_t staff, std::vector<double>* out) {
            auto req = counter_request(day, n, staff);
            int64_t t0 = clock::monotonic_ns();
            auto sub = must(term.submit(req, services::PaymentRequest::cash(500000, staff)));
            if (out)
                out->push_back(static_cast<double>(clock::monotonic_ns() - t0) / 1e6);
            return sub.application.reference;
        };
        auto close = [](services::Terminal& term, const std::vector<std::string>& refs, int64_t supervisor) {
            for (int k = 0; k < 10; ++k)
                must(term.decide({refs[size_t(k) * 7], services::AppStatus::Approved, supervisor, "documents_complete", "", true}));
            auto totals = must(term.day_totals());
            must(term.close_day("", totals.expected_cash_minor, supervisor));
        };
        for (int day = 1; day <= 30; ++day) {
            now = kStart + int64_t(day) * kDay;
            must(t->drawer_move(services::DrawerMove::Float, 1'000'000, clerk.id, ""));
            if (day == 30)
                must(f->drawer_move(services::DrawerMove::Float, 1'000'000, fresh_clerk.id, ""));
            std::vector<std::string> refs, fresh_refs;
            for (int n = 0; n < 200; ++n) {
                now += 60'000;
                if (day < 30) {
                    refs.push_back(timed_visit(*t, day, n, clerk.id, nullptr));
                    continue;
                }
                fresh_now += 60'000;
                if (n % 2 == 0) {
                    fresh_refs.push_back(timed_visit(*f, 1, n, fresh_clerk.id, &first));
                    refs.push_back(timed_visit(*t, day, n, clerk.id, &last));
                } else {
                    refs.push_back(timed_visit(*t, day, n, clerk.id, &last));
                    fresh_refs.push_back(timed_visit(*f, 1, n, fresh_clerk.id, &first));
                }
            }
            close(*t, refs, sup.id);
            if (day == 30)
                close(*f, fresh_refs, fresh_sup.id);
        }
        double d1 = median(first), d30 = median(last);
        std::printf("bench services.day1_commit_ms %.3f ms\n", d1);
        std::printf("bench services.day30_commit_ms %.3f ms\n", d30);
        std::printf("bench services.day30_commit_ratio %.3f ratio\n", d1 > 0 ? d30 / d1 : 0.0);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
