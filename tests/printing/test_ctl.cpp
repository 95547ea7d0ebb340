// nafitha-ctl verify-receipt and devices printer-sim, run as real processes.

#include "devices/escpos_stream.h"
#include "kiosk/services/terminal.h"
#include "devices/print_queue.h"
#include "devices/printer_simulator.h"
#include "printing/escpos.h"
#include "printing/png.h"
#include "printing/qr.h"
#include "sync/protocol/receipt.h"
#include "printing/render.h"
#include "tests/printing/helpers.h"
#include "tests/support/progress.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <mutex>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sys/wait.h>
#include <thread>

using namespace nafitha;
using namespace nafitha::printing;
using namespace test_printing;

namespace {

std::string ctl_path()
{
    const char* bin = std::getenv("NAFITHA_BIN_DIR");
    return std::string(bin ? bin : NAFITHA_BINARY_DIR "/bin") + "/nafitha-ctl";
}

struct Run {
    int status = -1;
    std::string out;
};

Run run(const std::string& args)
{
    Run r;
    FILE* p = ::popen((ctl_path() + " " + args + " 2>/dev/null").c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

// A child process we started, stopped by its pid.
struct Child {
    pid_t pid = -1;
    void stop()
    {
        if (pid > 0) {
            ::kill(pid, SIGTERM);
            int st;
            ::waitpid(pid, &st, 0);
            pid = -1;
        }
    }
    ~Child() { stop(); }
};

} // namespace

TEST_CASE("verify-receipt accepts a genuine receipt and refuses a forged one")
{
    auto keys = fixed_keys();
    auto payload = protocol::sign_receipt("DAM1-000123-7", "T0123456789ab", keys.secret_key).value();
    std::string key = protocol::encode_public_key(keys.public_key);
    auto ok = run("verify-receipt " + quote(payload) + " --public-key " + key);
    CHECK(ok.status == 0);
    CHECK(ok.out.find("VALID reference=DAM1-000123-7") != std::string::npos);

    std::string forged = payload;
    forged.replace(forged.find("000123"), 6, "000999");
    auto bad = run("verify-receipt " + quote(forged) + " --public-key " + key);
    CHECK(bad.status == 1);
    CHECK(bad.out.find("error.receipt.bad_signature") != std::string::npos);

    // With a data folder: the key comes from identity.json.
    auto dir = temp_dir("ctl-verify");
    std::ofstream(dir / "identity.json") << "{\"terminal_id\":\"T0123456789ab\",\"public_key\":\"" << key << "\"}";
    CHECK(run("verify-receipt " + quote(payload) + " --data " + dir.string()).status == 0);
    CHECK(run("verify-receipt garbage --data " + dir.string()).status == 1);
    CHECK(run("verify-receipt " + quote(payload)).status == 2);
    std::filesystem::remove_all(dir);
}

TEST_CASE("The printer-sim command turns received jobs into PNGs and runs out of paper on request")
{
    auto dir = temp_dir("ctl-sim");
    // Start the simulator on a free port; it prints "listening on ADDR:PORT".
    int pipefd[2];
    REQUIRE(::pipe(pipefd) == 0);
    Child child;
    child.pid = ::fork();
    REQUIRE(child.pid >= 0);
    if (child.pid == 0) {
        ::dup2(pipefd[1], 1);
        ::close(pipefd[0]);
        ::execl(ctl_path().c_str(), "nafitha-ctl", "devices", "printer-sim", "--port", "0", "--out", dir.c_str(), nullptr);
        ::_exit(127);
    }
    ::close(pipefd[1]);
    std::string line;
    char c;
    while (::read(pipefd[0], &c, 1) == 1 && c != '\n')
        line += c;
    REQUIRE(line.rfind("listening on 127.0.0.1:", 0) == 0);
    uint16_t port = uint16_t(std::stoi(line.substr(line.rfind(':') + 1)));

    auto bitmap = render(receipt_document(sample_receipt(Lang::En), loc(Lang::En)), kWidth58mm, engine()).value();
    auto connect = [port] {
        devices::DeviceAddress a;
        a.host = "127.0.0.1";
        a.port = port;
        return devices::open_transport(a, devices::Millis(1000));
    };
    devices::QueueOptions o;
    o.status_poll_interval = devices::Millis(50);
    auto queue = devices::PrintQueue::open(dir / "queue", o).release_value();
    REQUIRE(queue->enqueue("r1", encode_escpos(bitmap).value()).ok());
    auto report = queue->drain(connect);
    REQUIRE_FALSE(report.stopped_by.has_value());
    auto png = read_png(dir / "job-000001.png");
    REQUIRE(png.ok());
    CHECK(png->bits == bitmap.bits);

    // Out of paper through the control file: the next job waits on disk.
    std::ofstream(dir / "control") << "paper out\n";
    REQUIRE(test::eventually([&] { return !std::filesystem::exists(dir / "control"); }));
    REQUIRE(queue->enqueue("r2", encode_escpos(bitmap).value()).ok());
    report = queue->drain(connect);
    REQUIRE(report.stopped_by.has_value());
    CHECK(report.stopped_by->code == "error.printer.paper_out");
    CHECK(queue->pending_count() == 1);
    std::ofstream(dir / "control") << "paper ok\n";
    REQUIRE(test::eventually([&] { return !std::filesystem::exists(dir / "control"); }));
    CHECK(queue->drain(connect).printed == 1);
    CHECK(std::filesystem::exists(dir / "job-000002.png"));
    CHECK_FALSE(std::filesystem::exists(dir / "job-000003.png"));
    // Stop the simulator before removing its folder (it rewrites status.json while it runs).
    child.stop();
    ::close(pipefd[0]);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("receipt renders a stored transaction and prints its reference as the last line")
{
    auto dir = temp_dir("ctl-receipt");
    auto data = dir / "data";
    {
        // One paid citizen transaction, stored through the services API (the terminal is closed again before
        // nafitha-ctl opens the folder).
        services::TerminalOptions options;
        options.data_dir = data;
        auto terminal = services::Terminal::open(options);
        REQUIRE(terminal.ok());
        services::SubmitRequest req{"civil.birth_extract",
                                    {{"full_name", "محمد أحمد الخطيب"}, {"national_id", "٠١٠٢٠٣٠٤٠٥٠"},
                                     {"father_name", "أحمد"}, {"mother_name", "فاطمة السيد"},
                                     {"birth_date", "1990-05-17"}, {"copies", "٢"}}};
        services::PaymentRequest cash;
        cash.method = services::PayMethod::Cash;
        cash.tendered_minor = 500000;
        auto sub = (*terminal)->submit(req, cash);
        REQUIRE(sub.ok());
    }
    auto r = run("receipt --data " + data.string() + " --last --width 384 --escpos " + (dir / "r.bin").string() +
                 " --png " + (dir / "r.png").string());
    REQUIRE(r.status == 0);
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n')
        out.pop_back();
    std::string reference = out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
    CHECK(reference.size() >= 8);

    // The ESC/POS stream decodes to exactly the PNG's dots.
    auto png = read_png(dir / "r.png");
    REQUIRE(png.ok());
    CHECK(png->width == 384);
    auto bytes = fs::read_file(dir / "r.bin", 10u << 20).value();
    auto page = devices::escpos::assemble_page(devices::escpos::parse_all(bytes).value()).value();
    CHECK(int(page.width) == png->width);
    CHECK(int(page.height) == png->height);
    CHECK(page.bits == png->bits);

    // Its QR code is signed by this terminal and names the same reference.
    FILE* p = ::popen(("zbarimg --raw -q '" + (dir / "r.png").string() + "' 2>/dev/null").c_str(), "r");
    REQUIRE(p);
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf, p);
    ::pclose(p);
    std::string payload(buf, n);
    while (!payload.empty() && payload.back() == '\n')
        payload.pop_back();
    CHECK(payload.find("|" + reference + "|") != std::string::npos);
    auto v = run("verify-receipt " + quote(payload) + " --data " + data.string());
    CHECK(v.status == 0);

    // The same receipt by reference, in English at 80 mm.
    auto en = run("receipt --data " + data.string() + " --ref " + reference + " --width 576 --lang en --png " +
                  (dir / "en.png").string());
    CHECK(en.status == 0);
    CHECK(read_png(dir / "en.png").value().width == 576);

    // The end-of-day report and the A4 summary of the same terminal.
    auto z = run("print z-report --data " + data.string() + " --width 384 --png " + (dir / "z.png").string());
    CHECK(z.status == 0);
    CHECK(z.out.find("payments=1") != std::string::npos);
    // The day's applications and the ticket issued with the submission are counted (the kiosk's Z report
    // is built by the same documents::z_report_data).
    CHECK(z.out.find("applications=1 tickets=1") != std::string::npos);
    CHECK(read_png(dir / "z.png").ok());
    auto summary = run("print summary --data " + data.string() + " --ref " + reference + " --pdf " + (dir / "s.pdf").string());
    CHECK(summary.status == 0);
    CHECK(fs::read_file(dir / "s.pdf", 10u << 20).value().rfind("%PDF-", 0) == 0);

    CHECK(run("receipt --data " + data.string() + " --ref NO-SUCH-REF --width 384 --png " + (dir / "x.png").string()).status == 1);
    CHECK(run("receipt --data " + (dir / "nothing").string() + " --last --width 384").status == 1);
    CHECK(run("receipt --data " + data.string() + " --last --width 500").status == 2);
    std::filesystem::remove_all(dir);
}

TEST_CASE("devices test-page prints through the same document path to a PNG and to a printer")
{
    auto dir = temp_dir("ctl-test-page");
    std::mutex mutex;
    std::vector<std::vector<devices::escpos::Command>> jobs;
    auto sim = devices::PrinterSimulator::start(0, [&](const devices::SimulatedJob& job) {
                   std::lock_guard lock(mutex);
                   jobs.push_back(job.commands);
               }).value();
    std::string printer = "tcp://127.0.0.1:" + std::to_string(sim->port());
    auto r = run("devices test-page --printer " + printer + " --png " + (dir / "t.png").string() + " --width 384 --lang en");
    REQUIRE(r.status == 0);
    CHECK(r.out == "ok\n");
    auto png = read_png(dir / "t.png");
    REQUIRE(png.ok());
    std::vector<devices::escpos::Command> printed;
    {
        std::lock_guard lock(mutex);
        REQUIRE(jobs.size() == 1); // wait_printed returned only after the printer confirmed the job
        printed = jobs.front();
    }
    sim->stop();
    auto page = devices::escpos::assemble_page(printed).value();
    CHECK(int(page.width) == png->width);
    CHECK(page.bits == png->bits); // the printer got exactly the PNG's dots
    CHECK(run("devices test-page --printer nowhere:// --width 384").status == 2);
    std::filesystem::remove_all(dir);
}
