// First-run provisioning end to end, with the real programs over loopback: the real nafitha-central serves, its
// `terminal add --qr` prints the enrollment QR on the terminal (read back here with zbarimg from the printed
// half blocks), and a fresh terminal is provisioned
//   - by nafitha-ctl provision (the QR's text, or typed options), test page included;
//   - by nafitha-kiosk on its first-run screen, typed on the on-screen keyboard, and scanned (the QR's text
//     handed to the kiosk as the code reader delivers a scan), then the printer test page, then serving citizens.
// Refusals (a used or wrong code) show or print the message and write nothing.

#include "tests/sync/harness.h"

#include "base/fs.h"
#include "printing/bitmap.h"
#include "printing/png.h"
#include "sync/client/config.h"
#include "sync/client/provision.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace nafitha;
using namespace nafitha::testing;
namespace fsys = std::filesystem;

namespace {

struct Run {
    int code = -1;
    std::string out;
};

Run run(const std::string& cmd)
{
    Run r;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        r.out.append(buf.data(), n);
    int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return r;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Codes are typed in lower case on the keyboard (central takes them in any case, without the dashes' help).
std::string lower(std::string s)
{
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// What `nafitha-central terminal add --qr` printed: the code (last line), the QR's text, the fingerprint, and
// the QR itself read back from its half blocks with zbarimg.
struct Added {
    std::string code;
    std::string payload;
    std::string fingerprint;
    std::string scanned;
};

Added add_terminal(const fsys::path& central_data, const std::string& url, const std::string& centre, const fsys::path& work)
{
    Run r = run((bin_dir() / "nafitha-central").string() + " terminal add --data " + central_data.string() + " --centre " + centre +
                " --name kiosk --qr --server-url " + url + " 2>&1");
    INFO(r.out);
    REQUIRE(r.code == 0);
    Added a;
    std::istringstream in(r.out);
    std::string line;
    std::vector<std::string> qr_rows;
    while (std::getline(in, line)) {
        if (line.find("\u2580") != std::string::npos || line.find("\u2584") != std::string::npos ||
            line.find("\u2588") != std::string::npos)
            qr_rows.push_back(line);
        if (auto at = line.find("): "); line.rfind("enrollment QR", 0) == 0 && at != std::string::npos)
            a.payload = line.substr(at + 3);
        if (line.rfind("central key fingerprint: ", 0) == 0)
            a.fingerprint = line.substr(25);
        if (!line.empty())
            a.code = line;
    }
    REQUIRE(!qr_rows.empty());
    REQUIRE(a.payload.rfind("NAFITHA-ENROLL:1?", 0) == 0);
    // The half blocks back to pixels: a drawn (light) upper and/or lower half; 8 pixels a module.
    const int px = 8;
    auto decode = [](const std::string& row) {
        std::vector<int> cells; // 0 space, 1 upper, 2 lower, 3 full
        for (size_t i = 0; i < row.size();) {
            if (row[i] == ' ') {
                cells.push_back(0);
                i += 1;
            } else {
                std::string ch = row.substr(i, 3);
                cells.push_back(ch == "\u2580" ? 1 : ch == "\u2584" ? 2 : 3);
                i += 3;
            }
        }
        return cells;
    };
    int w = static_cast<int>(decode(qr_rows[0]).size());
    int h = static_cast<int>(qr_rows.size()) * 2;
    auto bitmap = printing::Bitmap::make(w * px, h * px);
    REQUIRE(bitmap.ok());
    for (size_t r = 0; r < qr_rows.size(); ++r) {
        auto cells = decode(qr_rows[r]);
        for (int x = 0; x < static_cast<int>(cells.size()); ++x)
            for (int half = 0; half < 2; ++half) {
                bool light = half == 0 ? (cells[size_t(x)] & 1) : (cells[size_t(x)] & 2);
                if (light)
                    continue; // the bitmap's set pixels are black: the dark modules
                for (int yy = 0; yy < px; ++yy)
                    for (int xx = 0; xx < px; ++xx)
                        bitmap->set(x * px + xx, (int(r) * 2 + half) * px + yy);
            }
    }
    auto png = work / ("qr-" + a.code + ".png");
    REQUIRE(printing::write_png(*bitmap, png).ok());
    Run z = run("zbarimg --raw -q '" + png.string() + "' 2>/dev/null");
    a.scanned = z.out;
    while (!a.scanned.empty() && (a.scanned.back() == '\n' || a.scanned.back() == '\r'))
        a.scanned.pop_back();
    return a;
}

std::string kiosk(const std::string& args) { return (bin_dir() / "nafitha-kiosk").string() + " " + args + " 2>&1"; }

std::string read(const fsys::path& p) { return fs::read_file(p, 1 << 20).value(); }

} // namespace

TEST_CASE("nafitha-ctl provision enrolls from the QR central printed then prints the test page and refuses a used code")
{
    TempDir dir("ctl-provision");
    CentralProcess central(dir / "central");
    central.start();
    Added added = add_terminal(dir / "central", central.url(), "ALP-02", dir.path());
    CHECK(added.scanned == added.payload); // the QR on the operator's screen holds what it says
    CHECK(added.fingerprint.size() == 39);

    auto data = dir / "terminal";
    auto png = dir / "page.png";
    Run ok = run((bin_dir() / "nafitha-ctl").string() + " provision --data " + data.string() + " --qr '" + added.scanned +
                 "' --lang en --png " + png.string() + " 2>&1");
    INFO(ok.out);
    REQUIRE(ok.code == 0);
    CHECK(has(ok.out, "Enrolled terminal T"));
    CHECK(has(ok.out, "at centre ALP-02 (" + central.url() + ")."));
    CHECK(has(ok.out, "Central key fingerprint: " + added.fingerprint));
    CHECK(has(ok.out, "Test page printed."));
    CHECK(has(ok.out, "Done: the kiosk starts in English and serves citizens."));
    CHECK(fsys::file_size(png) > 1000);
    auto record = nlohmann::json::parse(read(data / "provision.json"));
    CHECK(record["language"] == "en");
    CHECK(record["centre"] == "ALP-02");
    CHECK(sync::load_config(data)->centre == "ALP-02");

    // The same QR on another terminal: the code is spent. Arabic by default, nothing written.
    auto other = dir / "other";
    Run used = run((bin_dir() / "nafitha-ctl").string() + " provision --data " + other.string() + " --qr '" + added.scanned + "' 2>&1");
    INFO(used.out);
    CHECK(used.code == 1);
    CHECK(has(used.out, "فشل الإعداد: رمز التسجيل"));
    CHECK(has(used.out, "error.central.enroll_code"));
    CHECK_FALSE(fsys::exists(other / "sync.json"));
    CHECK_FALSE(fsys::exists(other / "provision.json"));
    // Typed, with a wrong code, in English.
    Run wrong = run((bin_dir() / "nafitha-ctl").string() + " provision --data " + other.string() + " --server " + central.url() +
                    " --code WRNG-CODE-2345 --lang en 2>&1");
    CHECK(wrong.code == 1);
    CHECK(has(wrong.out, "Set-up failed: The enrollment code is wrong, already used or expired."));
    CHECK_FALSE(fsys::exists(other / "sync.json"));
    // Not a QR at all; and usage errors.
    Run bad = run((bin_dir() / "nafitha-ctl").string() + " provision --data " + other.string() + " --qr NFR1.x --lang en 2>&1");
    CHECK(bad.code == 1);
    CHECK(has(bad.out, "This is not an enrollment QR code"));
    CHECK(run((bin_dir() / "nafitha-ctl").string() + " provision --data " + other.string() + " --server " + central.url() + " 2>&1").code == 2);
    CHECK(run((bin_dir() / "nafitha-central").string() + " terminal add --data " + (dir / "central").string() +
              " --centre X --name k --qr 2>&1").code == 2); // --qr needs --server-url
    central.stop();
}

TEST_CASE("A fresh kiosk boots into set-up and is provisioned typed on its keyboard then by a scanned QR")
{
    TempDir dir("kiosk-provision");
    CentralProcess central(dir / "central");
    central.start();
    auto out = dir / "out";
    fsys::create_directories(out);
    // NAFITHA_KEEP_SHOTS=DIR keeps the screenshots for a person to look at (also when the test fails).
    struct Keep {
        fsys::path from;
        ~Keep()
        {
            std::error_code ec;
            if (const char* keep = std::getenv("NAFITHA_KEEP_SHOTS"))
                fsys::copy(from, keep, fsys::copy_options::recursive | fsys::copy_options::overwrite_existing, ec);
        }
    } keep{out};

    // 1. Typed: a used code first (refused, nothing written), then the right one; then the test page; then citizens.
    Added spent = add_terminal(dir / "central", central.url(), "DAM-01", dir.path());
    {
        TempDir elsewhere("kiosk-provision-spend");
        REQUIRE(sync::provision(elsewhere.path(), sync::request_from_qr(spent.scanned, Lang::Ar).value(), {}).ok());
    }
    Added typed = add_terminal(dir / "central", central.url(), "DAM-01", dir.path());
    auto data = dir / "typed";
    {
        std::ofstream s(dir / "typed.replay");
        s << "expect_screen provision\n"
          << "screenshot typed-01-start.png\n"
          << "tap_label English\n"
          << "type " << central.url() << "\n"
          << "tap_key ui.key.done\n"
          << "type " << lower(spent.code) << "\n"
          << "tap_key ui.key.done\n"
          << "settle\n"
          << "expect_screen provision\n"
          << "expect_message error.central.enroll_code\n"
          << "screenshot typed-02-used-code.png\n";
        // Clear the spent code (14 characters) and type the fresh one.
        for (int i = 0; i < 14; ++i)
            s << "tap_key ui.key.delete\n";
        s << "type " << lower(typed.code) << "\n"
          << "tap_key ui.provision.enroll\n"
          << "settle\n"
          << "expect_screen provision\n"
          << "screenshot typed-03-enrolled.png\n"
          << "tap_key ui.tech.test_print\n"
          << "settle\n"
          << "expect_message ui.provision.printed\n"
          << "tap_key ui.provision.finish\n"
          << "settle\n"
          << "screenshot typed-04-ready.png\n"
          << "tap_key ui.provision.start\n"
          << "settle\n"
          << "expect_screen attract\n"
          << "screenshot typed-05-citizens.png\n";
    }
    Run r = run(kiosk("--headless --first-run --no-sync --data " + data.string() + " --out " + out.string() + " --replay " +
                      (dir / "typed.replay").string()));
    INFO(r.out);
    REQUIRE(r.code == 0);
    auto cfg = sync::load_config(data);
    REQUIRE(cfg.ok());
    CHECK(cfg->server_url == central.url());
    CHECK(cfg->centre == "DAM-01");
    auto record = nlohmann::json::parse(read(data / "provision.json"));
    CHECK(record["language"] == "en");
    CHECK(fsys::exists(out / "page-001.png")); // the test page, at the simulated printer
    CHECK(fsys::exists(out / "typed-05-citizens.png"));

    // The kiosk starts where it was set up: citizens, in English (no set-up screen once enrolled). The technician's
    // network tab probes central (interfaces, server, TLS, fingerprint, round trip) and the devices tab decodes
    // what the code reader scans.
    {
        std::ofstream s(dir / "again.replay");
        s << "expect_screen attract\n"
          << "expect_lang en\n"
          << "hold 0.5 0.094 2.5\n"
          << "settle\n"
          << "tap_label كريم الأيوبي\n"
          << "type 9876\n"
          << "tap_key ui.key.done\n"
          << "settle\n"
          << "expect_screen tech_devices\n"
          << "scan hello-scanner-42\n"
          << "settle\n"
          << "expect_scan ui.tech.scan.kind.text hello-scanner-42\n"
          << "scan " << spent.scanned << "\n"
          << "settle\n"
          << "expect_scan ui.tech.scan.kind.enrollment " << central.url() << " \u00b7 DAM-01\n"
          << "screenshot tech-01-scan.png\n"
          << "tap_key ui.tech.tab.network\n"
          << "settle\n"
          << "expect_message ui.tech.net.ok\n"
          << "expect_label " << "Enroll again" << "\n"
          << "screenshot tech-02-network.png\n";
    }
    Run again = run(kiosk("--headless --first-run --no-sync --dev-staff --data " + data.string() + " --out " + out.string() +
                          " --replay " + (dir / "again.replay").string()));
    INFO(again.out);
    CHECK(again.code == 0);

    // 2. Scanned: the QR's text as the code reader delivers it fills the form; Arabic stays the language.
    Added scanned = add_terminal(dir / "central", central.url(), "ALP-02", dir.path());
    auto data2 = dir / "scanned";
    {
        std::ofstream s(dir / "scanned.replay");
        s << "expect_screen provision\n"
          << "scan NFR1.not-an-enrollment-code\n"
          << "expect_message error.provision.qr_invalid\n"
          << "scan " << scanned.scanned << "\n"
          << "screenshot scanned-01-filled.png\n"
          << "tap_key ui.provision.enroll\n"
          << "settle\n"
          << "screenshot scanned-02-enrolled.png\n"
          << "tap_key ui.provision.finish\n"
          << "settle\n"
          << "tap_key ui.provision.start\n"
          << "settle\n"
          << "expect_screen attract\n";
    }
    Run r2 = run(kiosk("--headless --first-run --no-sync --data " + data2.string() + " --out " + out.string() + " --replay " +
                       (dir / "scanned.replay").string()));
    INFO(r2.out);
    REQUIRE(r2.code == 0);
    auto cfg2 = sync::load_config(data2);
    REQUIRE(cfg2.ok());
    CHECK(cfg2->centre == "ALP-02");
    CHECK(nlohmann::json::parse(read(data2 / "provision.json"))["language"] == "ar");

    // 3. The same QR again on a fresh kiosk: refused on screen, nothing written.
    auto data3 = dir / "refused";
    {
        std::ofstream s(dir / "refused.replay");
        s << "scan " << scanned.scanned << "\n"
          << "tap_key ui.provision.enroll\n"
          << "settle\n"
          << "expect_screen provision\n"
          << "expect_message error.central.enroll_code\n"
          << "screenshot refused-ar.png\n";
    }
    Run r3 = run(kiosk("--headless --first-run --no-sync --data " + data3.string() + " --out " + out.string() + " --replay " +
                       (dir / "refused.replay").string()));
    INFO(r3.out);
    CHECK(r3.code == 0);
    CHECK_FALSE(fsys::exists(data3 / "sync.json"));
    CHECK_FALSE(fsys::exists(data3 / "provision.json"));
    central.stop();
}
