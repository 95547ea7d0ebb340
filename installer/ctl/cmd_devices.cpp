// nafitha-ctl devices ...: the printer simulator, printer status and a test page for technicians.

#include "base/clock.h"
#include "base/fs.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "devices/escpos_stream.h"
#include "devices/printer_simulator.h"
#include "devices/printer_station.h"
#include "devices/printer_status.h"
#include "devices/transport.h"
#include "installer/ctl/command.h"
#include "installer/ctl/print_output.h"
#include "printing/png.h"

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

using namespace nafitha;

namespace {

std::atomic<int> g_signal{0};
void on_signal(int sig) { g_signal = sig; }

std::optional<uint32_t> parse_u32(const std::string& s)
{
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        return std::nullopt;
    return v;
}

std::string job_name(uint64_t n)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "job-%06llu.png", static_cast<unsigned long long>(n));
    return buf;
}

// Applies one line of the control file ("paper out", "paper ok", "paper out after 300", "cover open",
// "cover closed", "rate 20000"). Returns false when the line is not understood.
bool apply_control(devices::PrinterSimulator& sim, const std::string& line)
{
    if (line == "paper out") {
        sim.set_paper(devices::Paper::Out);
        return true;
    }
    if (line == "paper ok" || line == "paper loaded") {
        sim.set_paper(devices::Paper::Loaded);
        return true;
    }
    if (line.rfind("paper out after ", 0) == 0) {
        auto rows = parse_u32(line.substr(16));
        if (!rows)
            return false;
        sim.paper_out_after_rows(*rows);
        return true;
    }
    if (line == "cover open" || line == "cover closed") {
        sim.set_cover(line == "cover open" ? devices::Cover::Open : devices::Cover::Closed);
        return true;
    }
    if (line.rfind("rate ", 0) == 0) {
        auto rate = parse_u32(line.substr(5));
        if (!rate)
            return false;
        sim.set_bytes_per_second(*rate);
        return true;
    }
    return false;
}

int run_printer_sim(ctl::Args& args)
{
    auto port_text = args.option("port");
    auto out = args.option("out");
    auto bind = args.option("bind").value_or("127.0.0.1");
    auto rate = args.option("rate");
    if (!port_text || !out)
        return ctl::usage_error("devices printer-sim needs --port P (0 = any free port) and --out DIR");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    auto port = parse_u32(*port_text);
    if (!port || *port > 65535)
        return ctl::usage_error("bad --port '" + *port_text + "'");
    std::filesystem::path dir(*out);
    if (auto r = fs::ensure_dir(dir); !r.ok()) {
        std::cerr << "nafitha-ctl: " << r.error().to_string() << "\n";
        return 1;
    }

    std::atomic<uint64_t> written{0};
    auto on_job = [&](const devices::SimulatedJob& job) {
        auto page = devices::escpos::assemble_page(job.commands);
        if (!page.ok() || page->width == 0 || page->height == 0) {
            std::cerr << "printer-sim: job " << job.number << " has no raster image\n";
            return;
        }
        printing::Bitmap b;
        b.width = int(page->width);
        b.height = int(page->height);
        b.bits = page->bits;
        auto r = printing::write_png(b, dir / job_name(job.number));
        if (!r.ok()) {
            std::cerr << "printer-sim: " << r.error().to_string() << "\n";
            return;
        }
        ++written;
        std::cout << "printed " << job_name(job.number) << " " << b.width << "x" << b.height
                  << (page->drawer_kicked ? " drawer" : "") << std::endl;
    };
    auto sim = devices::PrinterSimulator::start(static_cast<uint16_t>(*port), on_job, bind);
    if (!sim.ok()) {
        std::cerr << "nafitha-ctl: " << sim.error().to_string() << "\n";
        return 1;
    }
    if (rate) {
        auto r = parse_u32(*rate);
        if (!r)
            return ctl::usage_error("bad --rate");
        (*sim)->set_bytes_per_second(*r);
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGUSR1, on_signal);
    std::signal(SIGUSR2, on_signal);
    std::cout << "listening on " << bind << ":" << (*sim)->port() << std::endl;

    auto control = dir / "control";
    std::string last_status;
    for (;;) {
        int sig = g_signal.exchange(0);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        if (sig == SIGUSR1)
            (*sim)->set_paper(devices::Paper::Out);
        if (sig == SIGUSR2)
            (*sim)->set_paper(devices::Paper::Loaded);
        if (std::filesystem::exists(control)) {
            auto text = fs::read_file(control, 4096);
            std::error_code ec;
            std::filesystem::remove(control, ec);
            if (text.ok()) {
                size_t pos = 0;
                while (pos < text->size()) {
                    size_t nl = text->find('\n', pos);
                    std::string line = text->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
                    pos = nl == std::string::npos ? text->size() : nl + 1;
                    if (line.empty())
                        continue;
                    if (!apply_control(**sim, line))
                        std::cerr << "printer-sim: unknown control line '" << line << "'\n";
                }
            }
        }
        nlohmann::json status = {{"port", (*sim)->port()},
                                 {"paper_out", (*sim)->paper_out()},
                                 {"jobs_printed", (*sim)->jobs_printed()},
                                 {"jobs_aborted", (*sim)->jobs_aborted()},
                                 {"pngs_written", written.load()}};
        std::string s = status.dump();
        if (s != last_status) {
            (void)fs::write_file_atomic(dir / "status.json", s + "\n");
            last_status = s;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    (*sim)->stop();
    return 0;
}

int run_printer_status(ctl::Args& args)
{
    auto printer = args.option("printer");
    if (!printer)
        return ctl::usage_error("devices status needs --printer ADDRESS (tcp://HOST:9100, /dev/usb/lp0, serial://...)");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    auto address = devices::parse_address(*printer);
    if (!address.ok()) {
        std::cerr << "nafitha-ctl: " << address.error().to_string() << "\n";
        return 2;
    }
    auto t = devices::open_transport(*address, devices::Millis(3000));
    if (!t.ok()) {
        std::cerr << "nafitha-ctl: " << t.error().to_string() << "\n";
        return 1;
    }
    auto s = devices::query_status(**t, devices::Millis(2000));
    if (!s.ok()) {
        std::cerr << "nafitha-ctl: " << s.error().to_string() << "\n";
        return 1;
    }
    nlohmann::json j = {{"online", s->online},         {"cover_open", s->cover_open}, {"paper_near_end", s->paper_near_end},
                        {"paper_out", s->paper_out}, {"error", s->error},           {"state", s->code()}};
    std::cout << j.dump() << "\n";
    return s->ready() ? 0 : 3;
}

int run_test_page(ctl::Args& args)
{
    auto printer = args.option("printer");
    auto width_text = args.option("width").value_or("576");
    auto lang_text = args.option("lang").value_or("ar");
    auto png = args.option("png");
    if (!printer && !png)
        return ctl::usage_error("devices test-page needs --printer ADDRESS and/or --png OUT.png");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    auto width = parse_u32(width_text);
    auto lang = parse_lang(lang_text);
    if (!width || (*width != 384 && *width != 576) || !lang.ok())
        return ctl::usage_error("--width must be 384 or 576 and --lang ar or en");
    auto fail = [](const Error& e) {
        std::cerr << "nafitha-ctl: " << e.to_string() << "\n";
        return 1;
    };
    auto i18n = I18n::load(paths::assets_dir());
    if (!i18n.ok())
        return fail(i18n.error());
    // No terminal here: the test page is printed in the default zone.
    auto loc = locale::Locale::create(*i18n, *lang);
    if (!loc.ok())
        return fail(loc.error());
    auto page = documents::test_page("-", printer.value_or("png"), int(*width), **loc, clock::unix_ms());
    // A private one-off queue: the kiosk's own queue is not touched by a technician's test.
    auto qdir = std::filesystem::temp_directory_path() / ("nafitha-test-page-" + std::to_string(::getpid()));
    int rc = ctl::emit_document(page, int(*width), {std::nullopt, png, printer, qdir});
    std::error_code ec;
    std::filesystem::remove_all(qdir, ec);
    if (rc != 0)
        return rc == 2 ? 2 : 1;
    std::cout << "ok\n";
    return 0;
}

} // namespace

NAFITHA_CTL_COMMAND(devices_printer_sim, "devices printer-sim",
                    "devices printer-sim --port P --out DIR [--bind ADDR] [--rate BYTES_PER_S]  ESC/POS printer "
                    "simulator on raw TCP; jobs become DIR/job-NNNNNN.png; write 'paper out', 'paper ok', "
                    "'paper out after ROWS', 'cover open|closed' or 'rate N' to DIR/control (or SIGUSR1/SIGUSR2)",
                    run_printer_sim);
NAFITHA_CTL_COMMAND(devices_status, "devices status",
                    "devices status --printer ADDRESS  query a printer (DLE EOT) and print its state as JSON",
                    run_printer_status);
NAFITHA_CTL_COMMAND(devices_test_page, "devices test-page",
                    "devices test-page [--printer ADDRESS] [--png OUT.png] [--width 384|576] [--lang ar|en]  print a "
                    "test page",
                    run_test_page);
