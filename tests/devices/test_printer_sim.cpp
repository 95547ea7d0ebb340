// The durable print queue against the printer simulator over real TCP: paper out mid-job, a printer that
// is off and comes back, a slow printer and a power cut — nothing lost, nothing printed twice.

#include "devices/print_queue.h"
#include "devices/printer_simulator.h"
#include "devices/printer_station.h"
#include "tests/support/progress.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <numeric>
#include <thread>
#include <unistd.h>

using namespace nafitha;
using namespace nafitha::devices;

namespace {

struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& tag)
    {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               ("nafitha-devtest-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        std::filesystem::remove_all(path);
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

// A job of `rows` raster rows, 384 dots wide, whose first row carries `n` in binary so every job differs.
std::string make_job(uint32_t n, uint32_t rows = 200)
{
    std::string s("\x1b\x40", 2);
    uint32_t done = 0;
    while (done < rows) {
        uint32_t band = std::min<uint32_t>(64, rows - done);
        s += std::string("\x1d\x76\x30\x00\x30\x00", 6);
        s.push_back(char(band & 0xFF));
        s.push_back(char(band >> 8));
        for (uint32_t r = 0; r < band; ++r)
            for (uint32_t b = 0; b < 48; ++b) {
                uint32_t row = done + r;
                uint8_t v = row == 0 ? uint8_t(b < 4 ? (n >> (8 * b)) & 0xFF : 0) : uint8_t((row * 7 + b) & 0xFF);
                s.push_back(char(v));
            }
        done += band;
    }
    s += std::string("\x1b\x64\x04\x1d\x56\x42\x00", 7);
    return s;
}

uint32_t job_number(const escpos::Page& page)
{
    uint32_t n = 0;
    for (uint32_t b = 0; b < 4; ++b)
        n |= uint32_t(page.bits[b]) << (8 * b);
    return n;
}

struct Printed {
    std::mutex mutex;
    std::vector<escpos::Page> pages;
    void add(const SimulatedJob& job)
    {
        // Runs on the simulator's thread: no Catch assertions here. A bad page shows as job number 0.
        auto page = escpos::assemble_page(job.commands);
        std::lock_guard lock(mutex);
        pages.push_back(page.ok() ? *page : escpos::Page{48 * 8, 1, std::vector<uint8_t>(48, 0)});
    }
    std::vector<uint32_t> numbers()
    {
        std::lock_guard lock(mutex);
        std::vector<uint32_t> out;
        for (auto& p : pages)
            out.push_back(job_number(p));
        return out;
    }
};

bool wait_until(const std::function<bool()>& pred) { return test::eventually(pred); }

PrintWorker::Connector connector(uint16_t port)
{
    return [port] {
        DeviceAddress a;
        a.kind = DeviceAddress::Kind::Tcp;
        a.host = "127.0.0.1";
        a.port = port;
        return open_transport(a, Millis(1000));
    };
}

QueueOptions fast_options()
{
    QueueOptions o;
    o.status_poll_interval = Millis(50);
    o.job_deadline = Millis(60000);
    return o;
}

} // namespace

TEST_CASE("Jobs print in order over TCP and each page matches the bytes sent")
{
    TempDir dir("order");
    Printed printed;
    auto sim = PrinterSimulator::start(0, [&](const SimulatedJob& j) { printed.add(j); });
    REQUIRE(sim.ok());
    auto queue = PrintQueue::open(dir.path, fast_options());
    REQUIRE(queue.ok());
    for (uint32_t n = 1; n <= 3; ++n)
        REQUIRE((*queue)->enqueue("job-" + std::to_string(n), make_job(n)).value() == EnqueueOutcome::Queued);
    CHECK((*queue)->enqueue("job-2", make_job(2)).value() == EnqueueOutcome::AlreadyQueued);
    auto report = (*queue)->drain(connector((*sim)->port()));
    CHECK_FALSE(report.stopped_by.has_value());
    CHECK(report.printed == 3);
    CHECK(printed.numbers() == std::vector<uint32_t>{1, 2, 3});
    auto expected = escpos::assemble_page(escpos::parse_all(make_job(2)).value()).value();
    CHECK(printed.pages[1].bits == expected.bits);
    CHECK(printed.pages[1].height == 200);
    CHECK((*queue)->enqueue("job-2", make_job(2)).value() == EnqueueOutcome::AlreadyPrinted);
    CHECK((*queue)->pending_count() == 0);
}

TEST_CASE("Paper out in the middle of a job pauses it and the job prints once after reloading")
{
    TempDir dir("paper");
    Printed printed;
    auto sim = PrinterSimulator::start(0, [&](const SimulatedJob& j) { printed.add(j); });
    REQUIRE(sim.ok());
    auto queue = PrintQueue::open(dir.path, fast_options()).release_value();
    (*sim)->paper_out_after_rows(300); // Job 1 (200 rows) fits; job 2 stops after 100 rows.
    REQUIRE(queue->enqueue("a", make_job(1)).ok());
    REQUIRE(queue->enqueue("b", make_job(2)).ok());
    REQUIRE(queue->enqueue("c", make_job(3)).ok());
    PrintWorker worker(*queue, connector((*sim)->port()));
    worker.notify();
    REQUIRE(wait_until([&] { auto s = queue->last_status(); return s && s->paper_out; }));
    CHECK(printed.numbers() == std::vector<uint32_t>{1});
    CHECK(queue->pending_ids() == std::vector<std::string>{"b", "c"});
    (*sim)->set_paper(Paper::Loaded);
    REQUIRE(wait_until([&] { return queue->pending_count() == 0; }));
    CHECK(printed.numbers() == std::vector<uint32_t>{1, 2, 3});
    auto expected = escpos::assemble_page(escpos::parse_all(make_job(2)).value()).value();
    CHECK(printed.pages[1].bits == expected.bits);
}

TEST_CASE("A printer that is off keeps the jobs on disk across a restart and prints them once when back")
{
    TempDir dir("off");
    uint16_t port;
    {
        auto probe = PrinterSimulator::start(0, nullptr);
        REQUIRE(probe.ok());
        port = (*probe)->port();
    } // The port is now closed: the printer is off.
    {
        auto queue = PrintQueue::open(dir.path, fast_options()).release_value();
        REQUIRE(queue->enqueue("receipt:1", make_job(11)).ok());
        REQUIRE(queue->enqueue("receipt:2", make_job(12)).ok());
        auto report = queue->drain(connector(port));
        REQUIRE(report.stopped_by.has_value());
        CHECK(report.stopped_by->code == "error.device.connect_failed");
        CHECK(queue->pending_count() == 2);
    } // The kiosk restarts.
    Printed printed;
    auto sim = PrinterSimulator::start(port, [&](const SimulatedJob& j) { printed.add(j); });
    REQUIRE(sim.ok());
    auto queue = PrintQueue::open(dir.path, fast_options()).release_value();
    CHECK(queue->pending_ids() == std::vector<std::string>{"receipt:1", "receipt:2"});
    auto report = queue->drain(connector(port));
    CHECK_FALSE(report.stopped_by.has_value());
    CHECK(printed.numbers() == std::vector<uint32_t>{11, 12});
    // A third restart finds nothing to print and refuses the same receipts again.
    auto again = PrintQueue::open(dir.path, fast_options()).release_value();
    CHECK(again->pending_count() == 0);
    CHECK(again->enqueue("receipt:1", make_job(11)).value() == EnqueueOutcome::AlreadyPrinted);
    CHECK(again->drain(connector(port)).printed == 0);
    CHECK(printed.numbers().size() == 2);
}

TEST_CASE("A slow printer and a power cut mid-job lose nothing and double nothing")
{
    TempDir dir("slow");
    Printed printed;
    auto sim = PrinterSimulator::start(0, [&](const SimulatedJob& j) { printed.add(j); });
    REQUIRE(sim.ok());
    (*sim)->set_bytes_per_second(40000); // ~0.25 s a job
    auto queue = PrintQueue::open(dir.path, fast_options()).release_value();
    for (uint32_t n = 1; n <= 4; ++n)
        REQUIRE(queue->enqueue("slow-" + std::to_string(n), make_job(n)).ok());
    // Cut the power once job 1 and half of job 2 are in (status queries add a few bytes between jobs).
    (*sim)->drop_connection_after_bytes(make_job(1).size() + make_job(2).size() / 2);
    PrintWorker worker(*queue, connector((*sim)->port()), Millis(200));
    worker.notify();
    REQUIRE(wait_until([&] { return queue->pending_count() == 0; }));
    CHECK(printed.numbers() == std::vector<uint32_t>{1, 2, 3, 4});
    CHECK((*sim)->jobs_printed() == 4);
    CHECK((*sim)->jobs_aborted() == 1); // job 2's first half, lost in the printer and sent again
}

TEST_CASE("A closed port and a printer with its cover open are clear errors")
{
    TempDir dir("closed");
    auto queue = PrintQueue::open(dir.path, fast_options()).release_value();
    REQUIRE(queue->enqueue("x", make_job(1)).ok());
    auto report = queue->drain(connector(1)); // Nothing listens on port 1.
    REQUIRE(report.stopped_by.has_value());
    CHECK(report.stopped_by->code == "error.device.connect_failed");

    auto sim = PrinterSimulator::start(0, nullptr).release_value();
    sim->set_cover(Cover::Open);
    report = queue->drain(connector(sim->port()));
    REQUIRE(report.stopped_by.has_value());
    CHECK(report.stopped_by->code == "error.printer.cover_open");
    CHECK(queue->pending_count() == 1);
    sim->set_cover(Cover::Closed);
    CHECK(queue->drain(connector(sim->port())).printed == 1);

    CHECK(queue->enqueue("bad id with spaces", "x").error().code == "error.print_queue.bad_id");
    CHECK(queue->enqueue(std::string(200, 'a'), "x").error().code == "error.print_queue.bad_id");
    CHECK(queue->enqueue("huge", std::string(9u << 20, 'x')).error().code == "error.print_queue.too_large");
}

TEST_CASE("The printer station prints in the background and its health follows the printer")
{
    TempDir dir("station");
    Printed printed;
    auto sim = PrinterSimulator::start(0, [&](const SimulatedJob& j) { printed.add(j); }).release_value();
    DeviceAddress address;
    address.host = "127.0.0.1";
    address.port = sim->port();
    QueueOptions o = fast_options();
    o.idle_probe = Millis(50);
    auto station = PrinterStation::open(dir.path, address, o).release_value();
    REQUIRE(station->submit("t1", make_job(1)).ok());
    REQUIRE(wait_until([&] { return station->printed("t1"); }));
    CHECK(station->health(Need::Required).severity == Severity::Ok);

    // Paper runs out while idle: the health says so before the next job is even submitted.
    sim->set_paper(Paper::Out);
    REQUIRE(wait_until([&] { return station->health(Need::Required).code == "device.printer.paper_out"; }));
    CHECK_FALSE(aggregate({station->health(Need::Required)}).in_service);
    REQUIRE(station->submit("t2", make_job(2)).ok());
    CHECK(station->submit("t2", make_job(2)).value() == EnqueueOutcome::AlreadyQueued);
    // The station keeps asking the printer; while the paper is out the job stays queued.
    uint64_t queries = sim->status_queries();
    REQUIRE(wait_until([&] { return sim->status_queries() >= queries + 3; }));
    CHECK(station->pending() == 1);
    sim->set_paper(Paper::Loaded);
    REQUIRE(wait_until([&] { return station->pending() == 0; }));
    REQUIRE(wait_until([&] { return station->health(Need::Required).severity == Severity::Ok; }));
    CHECK(printed.numbers() == std::vector<uint32_t>{1, 2});
}

TEST_CASE("A device-file printer receives the job bytes and a serial printer answers status")
{
    TempDir dir("devfile");
    std::filesystem::create_directories(dir.path);
    auto fifo = dir.path / "lp0";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // The read end is opened first (without blocking); a job fits the pipe's 64 KiB buffer.
    int read_end = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(read_end >= 0);
    {
        auto t = open_transport(parse_address(fifo.string()).value(), Millis(500));
        REQUIRE(t.ok());
        REQUIRE((*t)->write_all(make_job(5), Millis(2000)).ok());
    }
    std::string received;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(read_end, buf, sizeof buf)) > 0)
        received.append(buf, size_t(n));
    ::close(read_end);
    CHECK(received == make_job(5));

    // A serial printer on a pseudo-terminal: the test plays the printer and answers DLE EOT.
    int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    std::string slave = ::ptsname(master);
    auto serial = open_transport(parse_address("serial://" + slave + "?baud=115200").value(), Millis(500));
    REQUIRE(serial.ok());
    std::thread printer([&] {
        PrinterStatus s;
        s.online = true;
        s.paper_near_end = true;
        std::string in;
        char buf[64];
        while (in.size() < status_query_bytes().size()) {
            ssize_t n = ::read(master, buf, sizeof buf);
            if (n <= 0)
                return;
            in.append(buf, size_t(n));
        }
        std::string reply;
        for (uint8_t n = 1; n <= 4; ++n)
            reply.push_back(char(status_reply_byte(n, s)));
        (void)!::write(master, reply.data(), reply.size());
    });
    auto status = query_status(**serial, Millis(2000));
    printer.join();
    REQUIRE(status.ok());
    CHECK(status->ready());
    CHECK(status->paper_near_end);
    CHECK(status->code() == "device.printer.paper_near_end");
    ::close(master);

    // A printer that never answers: a clear timeout, not a hang.
    int silent = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(::grantpt(silent) == 0);
    REQUIRE(::unlockpt(silent) == 0);
    auto quiet = open_transport(parse_address(std::string("serial://") + ::ptsname(silent)).value(), Millis(500));
    REQUIRE(quiet.ok());
    CHECK(query_status(**quiet, Millis(200)).error().code == "error.printer.no_status");
    ::close(silent);
}

TEST_CASE("Printers without the process-ID barrier are confirmed by status")
{
    TempDir dir("statusonly");
    Printed printed;
    auto sim = PrinterSimulator::start(0, [&](const SimulatedJob& j) { printed.add(j); }).release_value();
    QueueOptions o = fast_options();
    o.barrier = Barrier::StatusOnly;
    auto queue = PrintQueue::open(dir.path, o).release_value();
    REQUIRE(queue->enqueue("s1", make_job(1)).ok());
    REQUIRE(queue->enqueue("s2", make_job(2)).ok());
    auto report = queue->drain(connector(sim->port()));
    CHECK_FALSE(report.stopped_by.has_value());
    CHECK(report.printed == 2);
    REQUIRE(wait_until([&] { return printed.numbers().size() == 2; }));
    CHECK(printed.numbers() == std::vector<uint32_t>{1, 2});
    sim->set_paper(Paper::Out);
    REQUIRE(queue->enqueue("s3", make_job(3)).ok());
    CHECK(queue->drain(connector(sim->port())).stopped_by->code == "error.printer.paper_out");
    CHECK(queue->pending_count() == 1);
}

TEST_CASE("Concurrent submissions of the same jobs queue each job once and print it once")
{
    TempDir dir("concurrent");
    auto queue = PrintQueue::open(dir.path, fast_options()).release_value();
    std::vector<std::thread> threads;
    std::atomic<int> queued{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (uint32_t n = 1; n <= 30; ++n)
                if (queue->enqueue("c" + std::to_string(n), make_job(n, 8)).value() == EnqueueOutcome::Queued)
                    ++queued;
        });
    for (auto& t : threads)
        t.join();
    CHECK(queued == 30);
    CHECK(queue->pending_count() == 30);
    Printed printed;
    auto sim = PrinterSimulator::start(0, [&](const SimulatedJob& j) { printed.add(j); }).release_value();
    CHECK(queue->drain(connector(sim->port())).printed == 30);
    auto numbers = printed.numbers();
    std::sort(numbers.begin(), numbers.end());
    std::vector<uint32_t> expected(30);
    std::iota(expected.begin(), expected.end(), 1u);
    CHECK(numbers == expected);
    // A restart sees nothing left.
    CHECK(PrintQueue::open(dir.path, fast_options()).value()->pending_count() == 0);
}
