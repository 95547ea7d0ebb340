// Central front-door benchmarks, against the real nafitha-central (its own process) on 127.0.0.1:
//   bench central.poll_rps               the highest rate of signed poll requests (GET /v1/status, each on a new
//                                        connection, as terminals do) one instance sustains with p99 ≤ 50 ms.
//                                        Open loop: latency counts from when a request was due. Rates are
//                                        stepped up until p99 passes 50 ms or the rate cannot be reached.
//   bench central.poll_p99_ms            p99 at that rate.
//   bench central.hostile_health_p99_ms  /v1/health p99 (a new connection each) while 1,000 idle and 200
//                                        slowloris connections are held open.
// The load generator shares the machine's cores with the server: the figures are a floor.

#include "tests/sync/harness.h"

#include "base/clock.h"
#include "central/server.h"
#include "sync/client/loadgen.h"

#include <arpa/inet.h>
#include <cstdio>
#include <iostream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

int connect_from(int port, const std::string& source)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

int bench_poll_rps()
{
    constexpr int kTerminals = 256;
    TempDir c("bench-central-poll");
    std::vector<std::string> codes;
    {
        auto store = central::open_sqlite_store(c.path()).release_value();
        for (int i = 0; i < kTerminals; ++i)
            codes.push_back(central::create_enrollment_code(*store, "BENCH", "bench", clock::unix_ms()).value());
    }
    std::vector<std::string> args = {"--enroll-per-address", "100000", "--enroll-per-minute", "100000"};
    if (const char* t = std::getenv("BENCH_CENTRAL_THREADS"))
        args.insert(args.end(), {"--threads", t});
    CentralProcess central(c.path(), args);
    central.start();
    auto ids = sync::load::enroll(central.url(), codes, 16, {});
    if (!ids.ok()) {
        std::cerr << ids.error().to_string() << "\n";
        return 1;
    }
    double best = 0, best_p99 = 0;
    const double rates[] = {500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 5000, 6000};
    bool retried = false;
    for (int rate_index = 0; rate_index < static_cast<int>(std::size(rates)); ++rate_index) {
        double rate = rates[rate_index];
        sync::load::Options o;
        o.server_url = central.url();
        o.duration_ms = 4000;
        o.threads = 64;
        o.fixed_rate = rate;
        auto report = sync::load::run(ids.value(), o);
        if (!report.ok()) {
            std::cerr << report.error().to_string() << "\n";
            return 1;
        }
        double p99 = sync::load::Report::percentile_ms(report->all_latency_ns, 99);
        double achieved = static_cast<double>(report->requests) / report->elapsed_s;
        std::fprintf(stderr, "poll at %.0f/s: achieved %.0f/s, p50 %.2f ms, p99 %.2f ms, errors %lld\n", rate, achieved,
                     sync::load::Report::percentile_ms(report->all_latency_ns, 50), p99,
                     static_cast<long long>(report->errors));
        if (p99 > 50 || report->errors > 0 || achieved < rate * 0.95) {
            // One more try at the same rate: the machine is shared, one noisy step should not end the search.
            if (!retried) {
                retried = true;
                rate_index--;
                continue;
            }
            break;
        }
        retried = false;
        best = rate;
        best_p99 = p99;
    }
    std::printf("bench central.poll_rps %.0f req/s\n", best);
    std::printf("bench central.poll_p99_ms %.2f ms\n", best_p99);
    central.stop();
    return 0;
}

int bench_hostile_health()
{
    central::raise_open_files_limit();
    TempDir c("bench-central-hostile");
    CentralProcess central(c.path());
    central.start();
    std::vector<int> fds;
    for (int a = 1; a <= 5; ++a)
        for (int i = 0; i < 200; ++i)
            fds.push_back(connect_from(central.port(), "127.0.1." + std::to_string(a)));
    const std::string partial = "POST /v1/ingest HTTP/1.1\r\nHost: central\r\n";
    for (int i = 0; i < 200; ++i) {
        int fd = connect_from(central.port(), "127.0.2.1");
        if (fd >= 0)
            (void)::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
        fds.push_back(fd);
    }
    size_t open = static_cast<size_t>(std::count_if(fds.begin(), fds.end(), [](int fd) { return fd >= 0; }));
    std::vector<int64_t> ns;
    for (int i = 0; i < 2000; ++i) {
        int64_t t0 = clock::monotonic_ns();
        sync::HttpClient http({});
        auto r = http.request("GET", central.url() + "/v1/health", {}, "");
        ns.push_back(clock::monotonic_ns() - t0);
        if (!r.ok() || r->status != 200) {
            std::cerr << "health failed under the crowd\n";
            return 1;
        }
        if (i % 200 == 0)
            for (size_t k = 1000; k < fds.size(); ++k)
                if (fds[k] >= 0)
                    (void)::send(fds[k], "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
    }
    std::fprintf(stderr, "health under %zu held connections: p50 %.2f ms, p99 %.2f ms\n", open,
                 sync::load::Report::percentile_ms(ns, 50), sync::load::Report::percentile_ms(ns, 99));
    std::printf("bench central.hostile_health_p99_ms %.2f ms\n", sync::load::Report::percentile_ms(ns, 99));
    for (int fd : fds)
        if (fd >= 0)
            ::close(fd);
    central.stop();
    return 0;
}

} // namespace

int main()
{
    protocol::init_crypto();
    if (int rc = bench_hostile_health())
        return rc;
    return bench_poll_rps();
}
