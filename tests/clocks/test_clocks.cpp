// Clocks that lie: a terminal whose clock is days or years off, or jumps back in the middle of its visits,
// keeps a journal whose times never go backwards and, once enrolled, carry central's time; central orders a
// terminal's entries by sequence whatever their times, and reports no transaction in the future.
// The wrong clocks are real: the binaries run under libfaketime (the wall clock only; durations stay on the
// monotonic clock), and the jumps are made while the process runs, after a chosen number of its visits.

#include "base/clock.h"
#include "central/server.h"
#include "central/store/facts.h"
#include "central/store/store.h"
#include "sync/client/config.h"
#include "sync/journal/journal.h"
#include "sync/protocol/entry.h"
#include "tests/sync/harness.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

constexpr const char* kFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
constexpr int64_t kDay = 24LL * 3600 * 1000;

std::string ctl() { return (bin_dir() / "nafitha-ctl").string(); }

struct Run {
    int status = 0;
    std::vector<std::string> lines;
};

// Runs nafitha-ctl with `args` under libfaketime (`faketime` env entries), calling `on_line` for each line of
// its output (so that a test can move the clock after a chosen line).
Run run_ctl(const std::vector<std::string>& args, const std::vector<std::pair<std::string, std::string>>& env,
            const std::function<void(const std::string&)>& on_line = {})
{
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        for (const auto& [k, v] : env)
            setenv(k.c_str(), v.c_str(), 1);
        close_range(3, ~0U, 0);
        std::vector<char*> argv;
        std::string exe = ctl();
        argv.push_back(exe.data());
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(fds[1]);
    Run run;
    std::string buf;
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0) {
        buf.append(chunk, static_cast<size_t>(n));
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
            run.lines.push_back(buf.substr(0, nl));
            if (on_line)
                on_line(run.lines.back());
            buf.erase(0, nl + 1);
        }
    }
    close(fds[0]);
    waitpid(pid, &run.status, 0);
    return run;
}

std::vector<std::pair<std::string, std::string>> fake_clock(const std::string& spec)
{
    return {{"LD_PRELOAD", kFaketime}, {"FAKETIME", spec}, {"FAKETIME_DONT_FAKE_MONOTONIC", "1"}};
}

std::vector<std::pair<std::string, std::string>> jumping_clock(const std::filesystem::path& file)
{
    return {{"LD_PRELOAD", kFaketime},
            {"FAKETIME_TIMESTAMP_FILE", file.string()},
            {"FAKETIME_NO_CACHE", "1"},
            {"FAKETIME_DONT_FAKE_MONOTONIC", "1"}};
}

// Every entry's time, in seq order.
std::vector<int64_t> journal_times(const std::filesystem::path& dir)
{
    auto reader = journal::Reader::open(journal::database_file(dir)).release_value();
    std::vector<int64_t> out;
    int64_t after = 0;
    for (;;) {
        auto batch = reader.entries_after(after, 5000, 64 << 20).release_value();
        if (batch.empty())
            break;
        for (const auto& e : batch) {
            auto t = clock::parse_iso8601_ms(e.time);
            REQUIRE(t);
            out.push_back(*t);
            after = e.seq;
        }
    }
    return out;
}

void require_never_backwards(const std::vector<int64_t>& times)
{
    for (size_t i = 1; i < times.size(); ++i) {
        INFO("entry " << i + 1);
        REQUIRE(times[i] >= times[i - 1]);
    }
}

bool ok(const Run& r) { return WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0; }

} // namespace

TEST_CASE("Times written as ISO 8601 read back to the same millisecond")
{
    for (int64_t ms : {int64_t{0}, int64_t{951782400000} /* 2000-02-29 */, int64_t{1764590405123}, int64_t{4102444799999},
                       int64_t{-86400000}}) {
        auto text = clock::iso8601_utc(ms);
        INFO(text);
        REQUIRE(clock::parse_iso8601_ms(text) == ms);
    }
    CHECK(clock::parse_iso8601_ms("2026-11-28T22:40:05Z") == clock::parse_iso8601_ms("2026-11-28T22:40:05.000Z"));
    CHECK(clock::parse_iso8601_ms("2026-11-28T22:40:05+00:00").has_value());
    for (const char* bad : {"", "2026-11-28", "2026-13-01T00:00:00Z", "2026-11-28T22:40:05", "2026-11-28T22:40:05+02:00",
                            "2026-11-28T22:4a:05Z", "2026-11-28T22:40:05.Z"})
        CHECK_FALSE(clock::parse_iso8601_ms(bad).has_value());
    // Without a jump, the steady clock is the wall clock.
    int64_t before = clock::unix_ms();
    int64_t steady = clock::steady_wall_ms();
    CHECK(steady >= before);
    CHECK(steady <= clock::unix_ms());
}

TEST_CASE("A terminal whose clock jumps back and forth while it serves keeps times that never go backwards")
{
    TempDir dir("clock-jump");
    auto data = dir / "data";
    auto clock_file = dir / "clock";
    std::ofstream(clock_file) << "+0\n";
    int64_t start = clock::unix_ms();
    // The clock jumps after the 3rd, 6th and 9th visit of the same run: back three days, a year ahead, back
    // a year. The process carries on from its monotonic clock: every entry keeps today's time.
    const char* jumps[] = {"-3d", "+365d", "-365d"};
    int committed = 0;
    auto run = run_ctl({"simulate", "--data", data.string(), "--transactions", "12", "--verbose"}, jumping_clock(clock_file),
                       [&](const std::string& line) {
                           if (line.rfind("committed ", 0) == 0 && ++committed % 3 == 0 && committed <= 9)
                               std::ofstream(clock_file) << jumps[committed / 3 - 1] << "\n";
                       });
    REQUIRE(ok(run));
    REQUIRE(committed == 12);
    int64_t end = clock::unix_ms();
    auto times = journal_times(data);
    require_never_backwards(times);
    for (int64_t t : times) {
        CHECK(t >= start - 1000);
        CHECK(t <= end + 1000);
    }
    // Restarted while the clock is three days behind (the jump happened while it was off): the journal holds
    // its last time until the clock catches up, so the chain still never goes backwards.
    std::ofstream(clock_file) << "-3d\n";
    REQUIRE(ok(run_ctl({"simulate", "--data", data.string(), "--transactions", "4"}, jumping_clock(clock_file))));
    auto after_restart = journal_times(data);
    require_never_backwards(after_restart);
    CHECK(after_restart.back() == times.back());
    REQUIRE(ok(run_ctl({"journal", "verify", "--data", data.string()}, {})));
}

TEST_CASE("A terminal days behind or years ahead writes central's time once enrolled and central reports it so")
{
    for (const char* skew : {"-3d", "+800d"}) {
        DYNAMIC_SECTION("clock " << skew)
        {
            TempDir c("clock-central"), t("clock-terminal");
            InProcessCentral central(c.path());
            auto env = fake_clock(skew);
            // Enrolled with the wrong clock: central's answer carries its time, and the terminal keeps the offset.
            REQUIRE(ok(run_ctl({"enroll", "--data", t.path().string(), "--server", central.url(), "--code", central.add_code()}, env)));
            auto config = sync::load_config(t.path()).release_value();
            int64_t expected = std::string(skew) == "-3d" ? 3 * kDay : -800 * kDay;
            CHECK(std::abs(config.clock_offset_ms - expected) < 60 * 1000);
            int64_t start = clock::unix_ms();
            REQUIRE(ok(run_ctl({"simulate", "--data", t.path().string(), "--transactions", "6"}, env)));
            int64_t end = clock::unix_ms();
            auto times = journal_times(t.path());
            require_never_backwards(times);
            // Everything after enrollment carries central's time, within the time an answer takes to arrive.
            CHECK(times.back() >= start - 5000);
            CHECK(times.back() <= end + 5000);
            // Synced with the wrong clock too (requests are signed with central's time: no refusal).
            REQUIRE(ok(run_ctl({"sync", "--data", t.path().string(), "--once"}, env)));
            auto& store = central.store();
            auto tid = config.terminal_id;
            CHECK(store.entries(tid).value().size() == times.size());
            // Today's report has the day's entries; no day in the future has any.
            int32_t today = central::day_of_ms(clock::unix_ms());
            int64_t counted = 0;
            auto rows = store.entries_by_type(19700101, 99991231).release_value();
            for (const auto& row : rows) {
                CHECK(row.day <= today);
                counted += row.count;
            }
            CHECK(counted == static_cast<int64_t>(times.size()));
        }
    }
}

TEST_CASE("Central orders a terminal's entries by sequence and never reports them after it received them")
{
    TempDir dir("clock-order");
    InProcessCentral central(dir.path());
    auto keys = protocol::generate_keypair();
    std::string tid = protocol::terminal_id_for(keys.public_key);
    REQUIRE(central.store().enroll(protocol::sha256_hex(central::normalise_code(central.add_code())), tid,
                                   protocol::encode_public_key(keys.public_key), clock::unix_ms())
                .ok());
    // A chain whose times go backwards, then two years into the future.
    std::vector<protocol::Entry> chain;
    std::string prev = protocol::kGenesisHash;
    int64_t now = clock::unix_ms();
    const int64_t offsets[] = {0, -kDay, -2 * kDay, 730 * kDay, 731 * kDay, 5};
    for (int64_t seq = 1; seq <= 6; ++seq) {
        protocol::Entry e;
        e.seq = seq;
        e.id = tid + "-" + std::to_string(seq);
        e.terminal_id = tid;
        e.type = sample_type(seq);
        e.time = clock::iso8601_utc(now + offsets[seq - 1]);
        e.payload = sample_payload(seq, tid);
        e.prev_hash = prev;
        REQUIRE(protocol::seal(e, keys.secret_key).ok());
        prev = e.hash;
        chain.push_back(e);
    }
    central::IngestRefusal refusal;
    REQUIRE(central.store().ingest(tid, chain, now, refusal).ok());
    auto held = central.store().entries(tid).value();
    REQUIRE(held.size() == 6);
    for (size_t i = 0; i < held.size(); ++i)
        CHECK(held[i].seq == static_cast<int64_t>(i + 1));
    int32_t today = central::day_of_ms(now);
    auto rows = central.store().entries_by_type(19700101, 99991231).release_value();
    for (const auto& row : rows) {
        INFO("row " << row.day << " " << row.type << " " << row.count);
        CHECK(row.day <= today); // the future entries count on the day central received them
    }
}
