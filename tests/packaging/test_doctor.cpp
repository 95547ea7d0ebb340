// nafitha-ctl doctor as a technician runs it: the real binary against a real terminal folder (made by
// nafitha-ctl simulate and enroll) and a real central on loopback. One line per finding in the chosen language,
// the exit code from the worst finding (0 ok, 1 warning, 3 failure), --json.

#include "tests/sync/harness.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/paths.h"

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

struct Run {
    int code = -1;
    std::string out;
};

// The log goes to stderr: with --json only stdout is read (a log line, e.g. the data folder's mode narrowed at
// open, would break the JSON), otherwise both.
Run ctl(const std::string& args)
{
    Run r;
    const bool json = args.find("--json") != std::string::npos;
    FILE* p = ::popen(((bin_dir() / "nafitha-ctl").string() + " " + args + (json ? " 2>/dev/null" : " 2>&1")).c_str(), "r");
    REQUIRE(p);
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        r.out.append(buf.data(), n);
    int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return r;
}

// check -> level from doctor --json.
std::map<std::string, std::string> levels(const std::string& json_text)
{
    std::map<std::string, std::string> out;
    auto j = nlohmann::json::parse(json_text);
    REQUIRE(j.is_array());
    for (const auto& f : j)
        out[f.at("check").get<std::string>()] = f.at("level").get<std::string>();
    return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("doctor on a terminal that is not enrolled fails on enrollment and says so in Arabic and English")
{
    TempDir dir("doctor-new");
    auto data = (dir / "data").string();
    REQUIRE(ctl("simulate --data " + data + " --transactions 3 --seed 7").code == 0);
    auto en = ctl("doctor --data " + data + " --lang en");
    INFO(en.out);
    CHECK(en.code == 3);
    CHECK(has(en.out, "FAIL  Enrollment: this terminal is not enrolled."));
    CHECK(has(en.out, "every hash and signature verifies"));
    CHECK(has(en.out, "Database: integrity check passed."));
    auto ar = ctl("doctor --data " + data);  // Arabic is the default
    INFO(ar.out);
    CHECK(ar.code == 3);
    CHECK(has(ar.out, "خلل  التسجيل: الجهاز غير مسجّل."));
    auto json = ctl("doctor --data " + data + " --json");
    INFO(json.out);
    auto l = levels(json.out);
    CHECK(l["enrollment"] == "fail");
    CHECK(l["journal"] == "ok");
    CHECK(l["database"] == "ok");
    CHECK(l["data"] == "ok");
    CHECK(l["disk"] != "");
    CHECK(l.count("central") == 0);  // nothing to reach before enrollment
}

TEST_CASE("doctor on an enrolled terminal checks central and the clock then reports central unreachable")
{
    TempDir dir("doctor-enrolled");
    auto data = (dir / "data").string();
    std::string url;
    {
        InProcessCentral central(dir / "central");
        url = central.url();
        auto enroll = ctl("enroll --data " + data + " --server " + url + " --code " + central.add_code());
        INFO(enroll.out);
        REQUIRE(enroll.code == 0);
        REQUIRE(ctl("simulate --data " + data + " --transactions 2 --seed 3 --centre DAM-01").code == 0);
        auto before = ctl("doctor --data " + data + " --lang en --json");
        INFO(before.out);
        CHECK(before.code == 0);  // a fresh backlog is not yet a warning
        auto l = levels(before.out);
        CHECK(l["central"] == "ok");
        CHECK(l["clock"] == "ok");
        CHECK(l["backlog"] == "ok");
        CHECK(has(before.out, "not yet acknowledged by central"));
        REQUIRE(ctl("sync --data " + data + " --once").code == 0);
        auto after = ctl("doctor --data " + data + " --lang en");
        INFO(after.out);
        CHECK(after.code == 0);
        CHECK(has(after.out, "OK    Backlog: central has acknowledged every entry."));
        CHECK(has(after.out, "OK    Central " + url + " answers and its signature verifies."));
    }
    // Central is gone now.
    auto down = ctl("doctor --data " + data + " --lang en");
    INFO(down.out);
    CHECK(down.code == 3);
    CHECK(has(down.out, "FAIL  Central " + url + " cannot be reached:"));
    auto offline = ctl("doctor --data " + data + " --lang en --offline");
    CHECK(offline.code == 0);
}

TEST_CASE("doctor warns about a data folder others can read and fails on a printer that does not answer")
{
    TempDir dir("doctor-modes");
    auto data = dir / "data";
    REQUIRE(ctl("simulate --data " + data.string() + " --transactions 1 --seed 1").code == 0);
    std::filesystem::permissions(data, std::filesystem::perms::group_read | std::filesystem::perms::others_read |
                                           std::filesystem::perms::group_exec | std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add);
    auto r = ctl("doctor --data " + data.string() + " --lang en --offline --printer tcp://127.0.0.1:1 --json");
    INFO(r.out);
    CHECK(r.code == 3);
    auto l = levels(r.out);
    CHECK(l["data"] == "warn");
    CHECK(l["printer"] == "fail");
    auto bad = ctl("doctor --data " + data.string() + " --lang fr");
    CHECK(bad.code == 2);
}

// Found by installer/dev test --packages: a fresh terminal installs the seed catalogue (version 1) from its
// assets; central, given the same seed, offers it signed as version 1 at the first sync. That is the same
// document, already installed, not a rollback: the first sync succeeds. A different document under a version
// already installed is still refused.
TEST_CASE("The first sync of a fresh terminal accepts central's signed copy of the seed it already has")
{
    TempDir dir("first-sync");
    auto data = (dir / "data").string();
    InProcessCentral central(dir / "central");
    auto seed = nlohmann::json::parse(fs::read_file(paths::assets_dir() / "catalogue" / "seed.json", 4 << 20).value());
    REQUIRE(central.store().import_catalogue(seed, clock::unix_ms()).ok());
    REQUIRE(ctl("enroll --data " + data + " --server " + central.url() + " --code " + central.add_code()).code == 0);
    REQUIRE(ctl("simulate --data " + data + " --transactions 2 --seed 4 --centre DAM-01").code == 0);
    auto first = ctl("sync --data " + data + " --once");
    INFO(first.out);
    CHECK(first.code == 0);
    CHECK_FALSE(has(first.out, "rollback"));
    auto second = ctl("sync --data " + data + " --once");
    INFO(second.out);
    CHECK(second.code == 0);

    // Another terminal whose central published a different document as version 1.
    TempDir other("first-sync-other");
    auto data2 = (other / "data").string();
    InProcessCentral central2(other / "central");
    auto changed = seed;
    changed["published"] = "2026-02-02";
    REQUIRE(central2.store().import_catalogue(changed, clock::unix_ms()).ok());
    REQUIRE(ctl("enroll --data " + data2 + " --server " + central2.url() + " --code " + central2.add_code()).code == 0);
    REQUIRE(ctl("simulate --data " + data2 + " --transactions 1 --seed 4 --centre DAM-01").code == 0);
    auto refused = ctl("sync --data " + data2 + " --once");
    INFO(refused.out);
    CHECK(refused.code != 0);
    CHECK(has(refused.out, "rollback"));
}

TEST_CASE("doctor names central's DNS and TLS certificate with its days left and the policy the scanner and payments")
{
    TempDir dir("doctor-tls");
    auto cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
    // A certificate for localhost that expires in 10 days: accepted, but close enough to its end to warn.
    std::string openssl = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + key
        + " -out " + cert + " -days 10 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null";
    REQUIRE(std::system(openssl.c_str()) == 0);
    auto data = (dir / "data").string();
    InProcessCentral central(dir / "central", cert, key);
    REQUIRE(central.url().rfind("https://localhost:", 0) == 0);
    auto enroll = ctl("enroll --data " + data + " --server " + central.url() + " --code " + central.add_code() + " --ca " + cert);
    INFO(enroll.out);
    REQUIRE(enroll.code == 0);
    REQUIRE(ctl("simulate --data " + data + " --transactions 1 --seed 3 --centre DAM-01").code == 0);

    auto en = ctl("doctor --data " + data + " --lang en");
    INFO(en.out);
    CHECK(en.code == 1); // the certificate's end is near: a warning
    CHECK(has(en.out, "OK    DNS: localhost resolves to "));
    // The certificate ends 10 days after the second openssl made it: 10 days left within that second, 9 after it
    // (a fast machine runs doctor in the same second).
    CHECK((has(en.out, "WARN  TLS: localhost's certificate expires soon. Renew it on central. It expires in 9 days.")
           || has(en.out, "WARN  TLS: localhost's certificate expires soon. Renew it on central. It expires in 10 days.")));
    CHECK(has(en.out, "OK    Policy: central has set no limit for working offline."));
    CHECK(has(en.out, "OK    Scanner: a USB (keyboard) scanner needs no set-up"));
    CHECK(has(en.out, "OK    Payment devices: cash and card go through the built-in simulators"));
    auto ar = ctl("doctor --data " + data);
    INFO(ar.out);
    CHECK((has(ar.out, "تنتهي بعد ٩ أيام.") || has(ar.out, "تنتهي بعد ١٠ أيام.")));
    auto json = ctl("doctor --data " + data + " --json");
    INFO(json.out);
    auto l = levels(json.out);
    CHECK(l["dns"] == "ok");
    CHECK(l["tls"] == "warn");
    CHECK(l["policy"] == "ok");
    CHECK(l["scanner"] == "ok");
    CHECK(l["payments"] == "ok");

    // A CA file that does not match central's certificate: TLS fails on its own line.
    auto other_cert = (dir / "other.pem").string();
    std::string other = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + (dir / "other.key").string()
        + " -out " + other_cert + " -days 400 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null";
    REQUIRE(std::system(other.c_str()) == 0);
    std::filesystem::copy_file(other_cert, cert, std::filesystem::copy_options::overwrite_existing);
    auto wrong = ctl("doctor --data " + data + " --lang en --json");
    INFO(wrong.out);
    CHECK(wrong.code == 3);
    CHECK(levels(wrong.out)["tls"] == "fail");

    // A serial scanner that is not there.
    auto scanner = ctl("doctor --data " + data + " --lang en --offline --scanner tcp://127.0.0.1:1");
    INFO(scanner.out);
    CHECK(has(scanner.out, "FAIL  Scanner tcp://127.0.0.1:1 cannot be opened: "));
    CHECK(scanner.code == 3);
}

TEST_CASE("doctor on a plain HTTP central by address says DNS and TLS are not needed")
{
    TempDir dir("doctor-plain");
    auto data = (dir / "data").string();
    InProcessCentral central(dir / "central");
    REQUIRE(ctl("enroll --data " + data + " --server " + central.url() + " --code " + central.add_code()).code == 0);
    REQUIRE(ctl("sync --data " + data + " --once").code == 0);
    auto en = ctl("doctor --data " + data + " --lang en");
    INFO(en.out);
    CHECK(en.code == 0);
    CHECK(has(en.out, "OK    DNS: central is reached by its address 127.0.0.1; no name to resolve."));
    CHECK(has(en.out, "OK    TLS: not used (plain HTTP); central's answers are still signed and checked."));
}
