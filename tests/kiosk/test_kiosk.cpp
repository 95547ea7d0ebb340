// nafitha-kiosk end to end: replayed visits through the same input path as a finger, checked in the terminal
// database (journal), at the simulated printer (pages saved as PNG) and in the screenshots.

#include "base/fs.h"
#include "devices/escpos_stream.h"
#include "devices/printer_simulator.h"

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace devices = nafitha::devices;

namespace {

std::string bin()
{
    const char* dir = std::getenv("NAFITHA_BIN_DIR");
    return std::string(dir ? dir : NAFITHA_BINARY_DIR "/bin") + "/nafitha-kiosk";
}

struct Temp {
    fs::path dir;
    explicit Temp(const std::string& name)
    {
        dir = fs::temp_directory_path() / ("nafitha-kiosk-test-" + name + "-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~Temp() { fs::remove_all(dir); }
};

// Runs a command, returns its exit status and its output.
int run(const std::string& cmd, std::string* out = nullptr)
{
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    REQUIRE(p);
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        text.append(buf, n);
    int status = ::pclose(p);
    if (out)
        *out = text;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> journal_types(const fs::path& db_path)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT type FROM journal ORDER BY seq", -1, &st, nullptr) == SQLITE_OK);
    std::vector<std::string> types;
    while (sqlite3_step(st) == SQLITE_ROW)
        types.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return types;
}

std::string script(const std::string& name)
{
    return std::string(NAFITHA_SOURCE_DIR) + "/tests/kiosk/" + name;
}

} // namespace

TEST_CASE("Cancelling a cash payment gives the notes back and records nothing and ending the visit wipes it")
{
    Temp t("cash_cancel");
    std::string out;
    int rc = run(bin() + " --headless --size 540x960 --cash-wallet 100000,50000 --data " + (t.dir / "data").string() +
                     " --out " + (t.dir / "out").string() + " --replay " + script("cash_cancel.replay"),
                 &out);
    INFO(out);
    REQUIRE(rc == 0);
    // Both notes went back through the slot (the backend logs what the acceptor returned).
    CHECK(out.find("cash payment cancelled by the citizen; returned 150000") != std::string::npos);
    auto types = journal_types(t.dir / "data" / "terminal.db");
    std::set<std::string> seen(types.begin(), types.end());
    CHECK(seen.count("payment.recorded") == 0);
    CHECK(seen.count("application.submitted") == 0);
    CHECK_FALSE(fs::exists(t.dir / "out" / "page-001.png")); // no receipt
    CHECK(fs::exists(t.dir / "out" / "02-cancelled.png"));
    // A wallet that cannot be parsed is refused before anything starts.
    CHECK(run(bin() + " --headless --cash-wallet 100,x --data " + (t.dir / "data2").string() + " --replay " +
              script("cash_cancel.replay")) != 0);
}

TEST_CASE("A replayed citizen visit ends with the transaction in the journal and a receipt at the printer")
{
    Temp t("visit");
    std::string out;
    int rc = run(bin() + " --headless --size 540x960 --data " + (t.dir / "data").string() + " --out " +
                     (t.dir / "out").string() + " --replay " + script("citizen_visit.replay"),
                 &out);
    INFO(out);
    REQUIRE(rc == 0);
    auto types = journal_types(t.dir / "data" / "terminal.db");
    std::set<std::string> seen(types.begin(), types.end());
    CHECK(seen.count("application.submitted") == 1);
    CHECK(seen.count("payment.recorded") == 1);
    CHECK(seen.count("survey.recorded") == 1);
    // The receipt the simulated printer printed, and the screenshots of the visit.
    CHECK(fs::exists(t.dir / "out" / "page-001.png"));
    CHECK(fs::file_size(t.dir / "out" / "page-001.png") > 1000);
    for (const char* shot : {"01-attract.png", "04-form.png", "06-done.png"})
        CHECK(fs::exists(t.dir / "out" / shot));
    // The receipt's QR code carries the signed reference (when zbarimg is installed); scanning it at the kiosk
    // opens tracking on the application; a forged code is refused.
    if (run("command -v zbarimg") == 0) {
        std::string qr;
        REQUIRE(run("(zbarimg --raw -q " + (t.dir / "out" / "page-001.png").string() + " 2>/dev/null)", &qr) == 0);
        CHECK(qr.rfind("NFR1|", 0) == 0);
        while (!qr.empty() && (qr.back() == '\n' || qr.back() == '\r'))
            qr.pop_back();
        std::string forged = qr;
        forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
        fs::path s = t.dir / "scan.replay";
        FILE* f = std::fopen(s.c_str(), "w");
        REQUIRE(f);
        std::fprintf(f, "scan %s\nsettle\nexpect_screen track\nexpect_tracked paid\nscreenshot tracked.png\n"
                        "scan %s\nsettle\nexpect_track_error ui.error.receipt_invalid\n",
                     qr.c_str(), forged.c_str());
        std::fclose(f);
        std::string scan_out;
        int scan_rc = run(bin() + " --headless --size 540x960 --data " + (t.dir / "data").string() + " --out " +
                              (t.dir / "out").string() + " --replay " + s.string(),
                          &scan_out);
        INFO(scan_out);
        CHECK(scan_rc == 0);
        CHECK(fs::exists(t.dir / "out" / "tracked.png"));
    }
}

std::string scalar(const fs::path& db_path, const char* sql);

TEST_CASE("An idle visit ends wiped and is journalled as abandoned")
{
    Temp t("idle");
    std::string out;
    int rc = run(bin() + " --headless --size 540x960 --data " + (t.dir / "data").string() + " --out " +
                     (t.dir / "out").string() + " --replay " + script("idle_visit.replay"),
                 &out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(fs::exists(t.dir / "out" / "idle-prompt.png"));
    // Nothing was submitted.
    auto types = journal_types(t.dir / "data" / "terminal.db");
    for (const auto& type : types)
        CHECK(type != "application.submitted");
    // The visit is journalled as abandoned when the idle timer fired at the form: the service and the step, nothing
    // the citizen typed.
    auto db_path = t.dir / "data" / "terminal.db";
    CHECK(scalar(db_path, "SELECT COUNT(*) FROM journal WHERE type = 'visit.abandoned'") == "1");
    CHECK(scalar(db_path, "SELECT json_extract(payload, '$.service_code') || ' ' || json_extract(payload, '$.last_step') || ' ' || "
                          "json_extract(payload, '$.reason') FROM journal WHERE type = 'visit.abandoned'")
          == "civil.birth_extract form timeout");
    CHECK(scalar(db_path, "SELECT COUNT(*) FROM journal WHERE type = 'visit.abandoned' AND payload LIKE '%سر%'") == "0");
}

std::string scalar(const fs::path& db_path, const char* sql)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK);
    std::string v;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

TEST_CASE("A clerk calls a ticket approves an application and prints the Z report from a replayed session")
{
    Temp t("staff");
    std::string out;
    REQUIRE(run(bin() + " --headless --size 540x960 --data " + (t.dir / "data").string() + " --out " +
                (t.dir / "citizen").string() + " --replay " + script("citizen_visit.replay")) == 0);
    int rc = run(bin() + " --headless --size 540x960 --dev-staff --data " + (t.dir / "data").string() + " --out " +
                     (t.dir / "out").string() + " --replay " + script("staff_visit.replay"),
                 &out);
    INFO(out);
    REQUIRE(rc == 0);
    auto types = journal_types(t.dir / "data" / "terminal.db");
    std::set<std::string> seen(types.begin(), types.end());
    CHECK(seen.count("ticket.issued") == 1);
    CHECK(seen.count("ticket.called") == 1);
    CHECK(scalar(t.dir / "data" / "terminal.db", "SELECT status FROM applications") == "approved");
    // The ticket and the Z report came out of the printer.
    CHECK(fs::exists(t.dir / "out" / "page-001.png"));
    CHECK(fs::exists(t.dir / "out" / "page-002.png"));
}

TEST_CASE("A technician prints a test page and exports the support file")
{
    Temp t("tech");
    std::string out;
    int rc = run(bin() + " --headless --size 540x960 --dev-staff --data " + (t.dir / "data").string() + " --out " +
                     (t.dir / "out").string() + " --replay " + script("tech_visit.replay"),
                 &out);
    INFO(out);
    REQUIRE(rc == 0);
    CHECK(fs::exists(t.dir / "out" / "page-001.png")); // the test page
    bool exported = false;
    if (fs::exists(t.dir / "data" / "support"))
        for (const auto& e : fs::directory_iterator(t.dir / "data" / "support"))
            exported |= e.path().extension() == ".json";
    CHECK(exported);
}

TEST_CASE("The kiosk lists its screens and writes a headless screenshot")
{
    std::string out;
    REQUIRE(run(bin() + " --list-screens", &out) == 0);
    for (const char* s : {"attract", "categories", "form", "payment", "done", "staff_login", "staff_sync", "tech_devices",
                          "out_of_service"})
        CHECK(out.find(std::string(s) + "\n") != std::string::npos);
    Temp t("shot");
    REQUIRE(run(bin() + " --headless --size 540x960 --lang en --screen done --screenshot " + (t.dir / "done.png").string()) == 0);
    CHECK(fs::file_size(t.dir / "done.png") > 1000);
    CHECK(run(bin() + " --headless --screen no_such_screen --screenshot " + (t.dir / "x.png").string()) == 2);
    CHECK(run(bin() + " --bogus") == 2);
}

TEST_CASE("A terminal that cannot open its database still starts and shows out of service")
{
    std::string out;
    int rc = run(bin() + " --headless --no-sync --data /proc/nafitha-cannot-exist --frames 5", &out);
    INFO(out);
    CHECK(rc == 0);
    // Screenshots and replays need a working terminal: they fail plainly.
    CHECK(run(bin() + " --headless --data /proc/nafitha-cannot-exist --screen attract --screenshot /dev/null") == 1);
}

TEST_CASE("With the printer out of paper the kiosk goes out of service and takes nothing")
{
    Temp t("paper");
    fs::path s = t.dir / "s.replay";
    {
        FILE* f = std::fopen(s.c_str(), "w");
        REQUIRE(f);
        std::fputs("wait 3\nsettle\nexpect_screen out_of_service\nscreenshot oos.png\ntap 0.5 0.5\nexpect_screen out_of_service\n", f);
        std::fclose(f);
    }
    std::string out;
    int rc = run(bin() + " --headless --size 540x960 --simulate-paper-out --data " + (t.dir / "data").string() + " --out " +
                     (t.dir / "out").string() + " --replay " + s.string(),
                 &out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(fs::exists(t.dir / "out" / "oos.png"));
}

TEST_CASE("The kiosk and nafitha-ctl print byte-identical receipts for the same transaction")
{
    Temp t("same-bytes");
    // A printer simulator of the test's own: it keeps every job the kiosk sends, as ESC/POS commands.
    std::mutex mutex;
    std::vector<std::vector<devices::escpos::Command>> jobs;
    auto sim = devices::PrinterSimulator::start(0, [&](const devices::SimulatedJob& job) {
                   std::lock_guard lock(mutex);
                   jobs.push_back(job.commands);
               }).value();
    std::string printer = "tcp://127.0.0.1:" + std::to_string(sim->port());
    std::string out;
    int rc = run(bin() + " --headless --no-sync --size 540x960 --printer " + printer + " --data " + (t.dir / "data").string() +
                     " --out " + (t.dir / "out").string() + " --replay " + script("citizen_visit.replay"),
                 &out);
    INFO(out);
    REQUIRE(rc == 0);
    // The kiosk waits for its print queue before it exits: the receipt is at the printer now.
    std::vector<devices::escpos::Command> kiosk_receipt;
    {
        std::lock_guard lock(mutex);
        REQUIRE(jobs.size() == 1);
        kiosk_receipt = jobs.front();
    }
    sim->stop();

    // nafitha-ctl renders the same stored transaction (the visit was in Arabic, on 80 mm paper).
    std::string ctl = std::string(std::getenv("NAFITHA_BIN_DIR") ? std::getenv("NAFITHA_BIN_DIR") : NAFITHA_BINARY_DIR "/bin") +
                      "/nafitha-ctl";
    REQUIRE(run(ctl + " receipt --data " + (t.dir / "data").string() + " --last --width 576 --lang ar --escpos " +
                (t.dir / "ctl.bin").string()) == 0);
    auto bytes = nafitha::fs::read_file(t.dir / "ctl.bin", 16u << 20).value();
    auto ctl_receipt = devices::escpos::parse_all(bytes).value();
    REQUIRE(ctl_receipt.size() == kiosk_receipt.size());
    size_t raster_bytes = 0;
    for (size_t i = 0; i < ctl_receipt.size(); ++i) {
        INFO("command " << i);
        CHECK(static_cast<int>(ctl_receipt[i].kind) == static_cast<int>(kiosk_receipt[i].kind));
        CHECK(ctl_receipt[i].arg == kiosk_receipt[i].arg);
        CHECK(ctl_receipt[i].width_bytes == kiosk_receipt[i].width_bytes);
        CHECK(ctl_receipt[i].rows == kiosk_receipt[i].rows);
        CHECK(ctl_receipt[i].data == kiosk_receipt[i].data);
        raster_bytes += ctl_receipt[i].data.size();
    }
    CHECK(raster_bytes > 10000); // a real page, not two empty streams
}

namespace {

// Every payload of journal entries of `type`, in order.
std::vector<std::string> payloads(const fs::path& db_path, const std::string& type)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT payload FROM journal WHERE type = ?1 ORDER BY seq", -1, &st, nullptr) == SQLITE_OK);
    sqlite3_bind_text(st, 1, type.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW)
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

size_t pages(const fs::path& dir)
{
    size_t n = 0;
    if (fs::exists(dir))
        for (const auto& e : fs::directory_iterator(dir))
            n += e.path().extension() == ".png" && e.path().filename().string().rfind("page-", 0) == 0;
    return n;
}

} // namespace

TEST_CASE("A counter visit typed on a keyboard then a supervisor's decision reversal and Z report from replayed sessions")
{
    Temp t("counter");
    std::string out;
    auto data = t.dir / "data";
    int rc = run(bin() + " --headless --size 1366x768 --dev-staff --data " + data.string() + " --out " + (t.dir / "visit").string() +
                     " --replay " + script("counter_visit.replay"),
                 &out);
    INFO(out);
    REQUIRE(rc == 0);
    auto db = data / "terminal.db";
    // The journal: the drawer's float, the visit (channel counter, the clerk), its payment with change, the reprint.
    auto submitted = payloads(db, "application.submitted");
    REQUIRE(submitted.size() == 1);
    CHECK(submitted[0].find("\"channel\":\"counter\"") != std::string::npos);
    CHECK(submitted[0].find("\"staff_id\":1") != std::string::npos);
    auto paid = payloads(db, "payment.recorded");
    REQUIRE(paid.size() == 1);
    CHECK(paid[0].find("\"change_minor\":300000") != std::string::npos);
    CHECK(paid[0].find("\"tendered_minor\":500000") != std::string::npos);
    CHECK(payloads(db, "drawer.movement").size() == 1);
    CHECK(payloads(db, "receipt.reprinted").size() == 1);
    // The receipt, the summary to sign and the copy reached the printer.
    CHECK(pages(t.dir / "visit") == 3);
    // What was typed is stored sealed, every form value (issue 14): nothing of it in plain text in the file
    // (tests/services/test_at_rest.cpp reads sealed values back).
    CHECK(scalar(db, "SELECT values_json FROM applications") == "{}");
    CHECK(scalar(db, "SELECT length(pii) > 40 FROM applications") == "1");
    CHECK(nafitha::fs::read_file(db, 64 << 20).value().find("1990-05-17") == std::string::npos);
    CHECK(scalar(db, "SELECT channel FROM applications") == "counter");

    out.clear();
    rc = run(bin() + " --headless --size 1366x768 --dev-staff --data " + data.string() + " --out " + (t.dir / "decide").string() +
                 " --replay " + script("counter_decision.replay"),
             &out);
    INFO(out);
    REQUIRE(rc == 0);
    // The clerk's view was journalled, the clerk's decision refused; the supervisor's reason reached the journal,
    // the reversal is a new entry, and the application ended approved.
    CHECK(payloads(db, "application.viewed").size() >= 2);
    auto changes = payloads(db, "application.status_changed");
    bool rejected = false, reversed = false;
    for (const auto& c : changes) {
        rejected |= c.find("\"reason\":\"documents_missing\"") != std::string::npos && c.find("\"fee_outcome\":\"kept\"") != std::string::npos &&
                    c.find("\"staff_id\":2") != std::string::npos;
        reversed |= c.find("\"reason\":\"reversal\"") != std::string::npos;
        if (c.find("\"reason\"") != std::string::npos)
            CHECK(c.find("\"staff_id\":1,") == std::string::npos); // no decision is the clerk's
    }
    CHECK(rejected);
    CHECK(reversed);
    CHECK(scalar(db, "SELECT status FROM applications") == "approved");
    // The Z report: declared against computed cash, journalled, and printed.
    auto z = payloads(db, "drawer.z_report");
    REQUIRE(z.size() == 1);
    CHECK(z[0].find("\"declared_minor\":1200000") != std::string::npos);
    CHECK(z[0].find("\"computed_minor\":1200000") != std::string::npos);
    CHECK(z[0].find("\"difference_minor\":0") != std::string::npos);
    CHECK(pages(t.dir / "decide") == 2); // the receipt's copy after the decision, then the Z report
    CHECK(payloads(db, "receipt.reprinted").size() == 2);
    // The citizen's tracking gets the decision's reason and the fee's fate: the visit's receipt scanned at the
    // kiosk (its signed QR code, when zbarimg is installed) opens tracking on the approved application.
    if (run("command -v zbarimg") == 0) {
        std::string qr;
        REQUIRE(run("(zbarimg --raw -q " + (t.dir / "visit" / "page-001.png").string() + " 2>/dev/null)", &qr) == 0);
        while (!qr.empty() && (qr.back() == '\n' || qr.back() == '\r'))
            qr.pop_back();
        REQUIRE(qr.rfind("NFR1|", 0) == 0);
        fs::path s = t.dir / "track.replay";
        FILE* f = std::fopen(s.c_str(), "w");
        REQUIRE(f);
        std::fprintf(f, "scan %s\nsettle\nexpect_screen track\nexpect_tracked approved decision.reason.documents_complete kept\n"
                        "screenshot tracked.png\n",
                     qr.c_str());
        std::fclose(f);
        std::string track_out;
        int track_rc = run(bin() + " --headless --size 540x960 --data " + data.string() + " --out " + (t.dir / "track").string() +
                               " --replay " + s.string(),
                           &track_out);
        INFO(track_out);
        CHECK(track_rc == 0);
        CHECK(fs::exists(t.dir / "track" / "tracked.png"));
    }
    std::string ctl = std::string(NAFITHA_BINARY_DIR "/bin") + "/nafitha-ctl";
    std::string z_out;
    // nafitha-ctl prints the same day's Z report from the same code path (kiosk/documents): same figures.
    CHECK(run(ctl + " print z-report --data " + data.string() + " --png " + (t.dir / "z.png").string(), &z_out) == 0);
    INFO(z_out);
    CHECK(z_out.find("applications=1 ") != std::string::npos);
    CHECK(z_out.find("expected_cash=1200000 declared=1200000 difference=0") != std::string::npos);
}

TEST_CASE("The counter runs the same visit and decision at 1920x1080")
{
    // The other landscape size a counter desk has: the same replays (their only coordinate is relative) end
    // with the same journal and the same papers.
    Temp t("counter1080");
    std::string out;
    auto data = t.dir / "data";
    int rc = run(bin() + " --headless --size 1920x1080 --dev-staff --data " + data.string() + " --out " + (t.dir / "visit").string() +
                     " --replay " + script("counter_visit.replay"),
                 &out);
    INFO(out);
    REQUIRE(rc == 0);
    auto db = data / "terminal.db";
    REQUIRE(payloads(db, "application.submitted").size() == 1);
    CHECK(payloads(db, "payment.recorded")[0].find("\"change_minor\":300000") != std::string::npos);
    CHECK(pages(t.dir / "visit") == 3);
    CHECK(fs::exists(t.dir / "visit" / "01-register.png"));

    out.clear();
    rc = run(bin() + " --headless --size 1920x1080 --dev-staff --data " + data.string() + " --out " + (t.dir / "decide").string() +
                 " --replay " + script("counter_decision.replay"),
             &out);
    INFO(out);
    REQUIRE(rc == 0);
    CHECK(scalar(db, "SELECT status FROM applications") == "approved");
    CHECK(payloads(db, "drawer.z_report").size() == 1);
    CHECK(pages(t.dir / "decide") == 2);
}
