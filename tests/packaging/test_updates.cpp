// Signed updates without installing anything on this machine: the real nafitha-central makes an update-signing
// key, publishes real .deb files (built here with dpkg-deb) into its apt repository and serves it on loopback;
// the real nafitha-ctl update --check, as an enrolled terminal, fetches the index with apt (signature checked
// against the exported keyring) and downloads the package (hash checked against the signed index). Tampered
// files, another key's signature, and damaged or unsigned USB bundles are refused with a clear message.
// Installing for real is done in the Debian 12 tree of installer/dev test --packages.

#include "tests/sync/harness.h"

#include "base/fs.h"
#include "base/process.h"
#include "kiosk/app/visit_lock.h"
#include "kiosk/services/maintenance.h"

#include <catch2/catch.hpp>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <fstream>
#include <string>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

struct Run {
    int code = -1;
    std::string out; // stdout and stderr
};

Run tool(const std::string& program, std::vector<std::string> args)
{
    args.insert(args.begin(), (bin_dir() / program).string());
    auto o = process::run(args);
    REQUIRE(o.ok());
    return {o->exit_code, o->out + o->err};
}
Run central_cmd(std::vector<std::string> args) { return tool("nafitha-central", std::move(args)); }
Run ctl(std::vector<std::string> args) { return tool("nafitha-ctl", std::move(args)); }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A small real Debian package.
std::filesystem::path make_deb(const std::filesystem::path& dir, const std::string& package, const std::string& version,
                               const std::string& payload)
{
    auto root = dir / ("src-" + package + "-" + version + "-" + std::to_string(payload.size()));
    std::filesystem::create_directories(root / "DEBIAN");
    std::filesystem::create_directories(root / "usr/share/doc" / package);
    std::ofstream(root / "DEBIAN/control") << "Package: " << package << "\nVersion: " << version
                                           << "\nArchitecture: all\nMaintainer: Nafitha <dev@nafitha.invalid>\n"
                                              "Description: update test package\n";
    std::ofstream(root / "usr/share/doc" / package / "payload") << payload;
    auto deb = dir / (package + "_" + version + "_" + std::to_string(payload.size()) + ".deb");
    auto o = process::run({"dpkg-deb", "--root-owner-group", "-b", root.string(), deb.string()});
    REQUIRE(o.ok());
    REQUIRE(o->exit_code == 0);
    return deb;
}

void flip_byte(const std::filesystem::path& file, size_t from_end)
{
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    auto size = static_cast<size_t>(f.tellg());
    REQUIRE(size > from_end);
    f.seekg(static_cast<std::streamoff>(size - from_end));
    char c = 0;
    f.read(&c, 1);
    c ^= 0x20;
    f.seekp(static_cast<std::streamoff>(size - from_end));
    f.write(&c, 1);
}

void replace_text(const std::filesystem::path& file, const std::string& from, const std::string& to)
{
    auto text = fs::read_file(file, 1 << 20);
    REQUIRE(text.ok());
    auto at = text->find(from);
    REQUIRE(at != std::string::npos);
    text->replace(at, from.size(), to);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << *text;
}

// A central with a key and one published terminal package, and an enrolled terminal folder.
struct Site {
    TempDir dir{"updates"};
    std::filesystem::path central_data = dir / "central";
    std::filesystem::path keyring = dir / "nafitha-updates.gpg";
    std::filesystem::path terminal = dir / "terminal";
    std::unique_ptr<InProcessCentral> central;

    Site()
    {
        auto key = central_cmd({"updates", "key", "generate", "--data", central_data.string(), "--public-out", keyring.string()});
        INFO(key.out);
        REQUIRE(key.code == 0);
        auto pub = central_cmd({"updates", "publish", "--data", central_data.string(),
                                make_deb(dir.path(), "nafitha-terminal", "9.1.0", "new version").string()});
        INFO(pub.out);
        REQUIRE(pub.code == 0);
        CHECK(has(pub.out, "published nafitha-terminal 9.1.0 (all): 1 package(s)"));
        central = std::make_unique<InProcessCentral>(central_data);
        auto enroll = ctl({"enroll", "--data", terminal.string(), "--server", central->url(), "--code", central->add_code()});
        INFO(enroll.out);
        REQUIRE(enroll.code == 0);
    }
    Run check() { return ctl({"update", "--data", terminal.string(), "--check", "--keyring", keyring.string(), "--lang", "en"}); }
    std::filesystem::path repo() const { return central_data / "updates"; }
};

} // namespace

TEST_CASE("central publishes a signed apt repository and a terminal verifies and downloads the update from it")
{
    Site site;
    // The repository as apt sees it: InRelease signed by the update key (gpgv with the exported keyring).
    auto gpgv = process::run({"gpgv", "--keyring", site.keyring.string(), (site.repo() / "InRelease").string()});
    REQUIRE(gpgv.ok());
    CHECK(gpgv->exit_code == 0);
    CHECK(std::filesystem::exists(site.repo() / "pool/nafitha-terminal_9.1.0_all.deb"));
    auto perms = std::filesystem::status(site.central_data / "update-key").permissions();
    CHECK((perms & std::filesystem::perms::group_all) == std::filesystem::perms::none);
    CHECK((perms & std::filesystem::perms::others_all) == std::filesystem::perms::none);

    auto check = site.check();
    INFO(check.out);
    CHECK(check.code == 0);
    CHECK(has(check.out, "Verified update available: nafitha-terminal 9.1.0 (signature and hashes checked)."));
    auto ar = ctl({"update", "--data", site.terminal.string(), "--check", "--keyring", site.keyring.string()});
    INFO(ar.out);
    CHECK(ar.code == 0);
    CHECK(has(ar.out, "تحديث متحقَّق منه متاح"));

    // A newer version published on top, with a "+" in its version (a build between releases, 9.1.0+2.gabc1234:
    // apt asks for it as %2b): the terminal sees it and downloads it.
    auto newer = make_deb(site.dir.path(), "nafitha-terminal", "9.1.0+2.gabc1234", "newer");
    auto next = central_cmd({"updates", "publish", "--data", site.central_data.string(), newer.string()});
    INFO(next.out);
    CHECK(next.code == 0);
    CHECK(has(next.out, "2 package(s)"));
    CHECK(has(site.check().out, "Verified update available: nafitha-terminal 9.1.0+2.gabc1234"));

    // Publishing the same file again changes nothing; a different file under the same version is refused;
    // something that is not a Nafitha package, or not a package, is refused; nothing changes.
    auto index_before = fs::read_file(site.repo() / "Packages", 1 << 20);
    REQUIRE(index_before.ok());
    CHECK(central_cmd({"updates", "publish", "--data", site.central_data.string(), newer.string()}).code == 0);
    auto clash = central_cmd({"updates", "publish", "--data", site.central_data.string(),
                              make_deb(site.dir.path(), "nafitha-terminal", "9.1.0+2.gabc1234", "other contents").string()});
    CHECK(clash.code == 1);
    CHECK(has(clash.out, "A different file with this package name and version is already published"));
    auto foreign = central_cmd({"updates", "publish", "--data", site.central_data.string(),
                                make_deb(site.dir.path(), "hello", "1.0", "x").string()});
    CHECK(foreign.code == 1);
    CHECK(has(foreign.out, "Only Nafitha packages are published."));
    std::ofstream(site.dir / "junk.deb") << "not a package";
    auto junk = central_cmd({"updates", "publish", "--data", site.central_data.string(), (site.dir / "junk.deb").string()});
    CHECK(junk.code == 1);
    CHECK(has(junk.out, "That file is not a Debian package."));
    CHECK(fs::read_file(site.repo() / "Packages", 1 << 20).value() == index_before.value());

    // Nothing outside the repository's files is served.
    auto curl = [&](const std::string& path) {
        auto o = process::run({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", "--noproxy", "*",
                               site.central->url() + path});
        REQUIRE(o.ok());
        return o->out;
    };
    CHECK(curl("/updates/InRelease") == "200");
    CHECK(curl("/updates/./InRelease") == "200");
    CHECK(curl("/updates/pool/nafitha-terminal_9.1.0_all.deb") == "200");
    CHECK(curl("/updates/../update-key/pubring.kbx") == "404");
    CHECK(curl("/updates/.lock") == "404");
    CHECK(curl("/updates/pool/../../central.db") == "404");
    CHECK(curl("/updates/") == "404");
}

TEST_CASE("a tampered repository or another key's signature is refused with a clear message")
{
    Site site;
    auto refused = [&](const std::string& message) {
        auto r = site.check();
        INFO(r.out);
        CHECK(r.code == 3);
        CHECK(has(r.out, message));
        CHECK_FALSE(has(r.out, "Verified update available"));
    };
    auto keep = [&](const std::string& name) { std::filesystem::copy_file(site.repo() / name, site.dir / (name + ".good")); };
    auto restore = [&](const std::string& name) {
        std::filesystem::copy_file(site.dir / (name + ".good"), site.repo() / name, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove(site.dir / (name + ".good"));
    };

    SECTION("the signed text changed")
    {
        keep("InRelease");
        replace_text(site.repo() / "InRelease", "Label: Nafitha updates", "Label: Nafitha updatez");
        refused("The updates are not signed with the update key: refused, nothing was installed.");
        restore("InRelease");
    }
    SECTION("the package index changed after signing")
    {
        for (const char* f : {"Packages", "Packages.gz"})
            flip_byte(site.repo() / f, 3);
        refused("An update file does not match its signed index (changed or damaged): refused, nothing was installed.");
    }
    SECTION("the package changed after signing")
    {
        flip_byte(site.repo() / "pool/nafitha-terminal_9.1.0_all.deb", 10);
        refused("An update file does not match its signed index");
    }
    SECTION("signed with another key")
    {
        auto other = site.dir / "other";
        REQUIRE(central_cmd({"updates", "key", "generate", "--data", other.string(), "--public-out", (site.dir / "other.gpg").string()}).code == 0);
        REQUIRE(central_cmd({"updates", "publish", "--data", other.string(),
                             make_deb(site.dir.path(), "nafitha-terminal", "9.9.9", "evil").string()}).code == 0);
        for (const char* f : {"InRelease", "Release", "Release.gpg", "Packages", "Packages.gz"})
            std::filesystem::copy_file(other / "updates" / f, site.repo() / f, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::copy_file(other / "updates/pool/nafitha-terminal_9.9.9_all.deb",
                                   site.repo() / "pool/nafitha-terminal_9.9.9_all.deb");
        refused("The updates are not signed with the update key");
    }
    SECTION("no signature at all")
    {
        std::filesystem::remove(site.repo() / "InRelease");
        std::filesystem::remove(site.repo() / "Release.gpg");
        refused("The updates are not signed with the update key");
    }
}

TEST_CASE("a USB bundle is accepted only when signed with the update key and unchanged")
{
    Site site;
    auto bundle = site.dir / "nafitha-updates.tar";
    auto made = central_cmd({"updates", "bundle", "--data", site.central_data.string(), "--out", bundle.string()});
    INFO(made.out);
    REQUIRE(made.code == 0);
    auto use = [&](const std::filesystem::path& b) {
        return ctl({"update", "--data", site.terminal.string(), "--check", "--keyring", site.keyring.string(), "--lang",
                    "en", "--bundle", b.string()});
    };
    auto ok = use(bundle);
    INFO(ok.out);
    CHECK(ok.code == 0);
    CHECK(has(ok.out, "signed with the update key."));
    CHECK(has(ok.out, "Verified update available: nafitha-terminal 9.1.0"));

    // Unpacked, changed, packed again.
    auto unpacked = site.dir / "unpacked";
    std::filesystem::create_directories(unpacked);
    REQUIRE(process::run({"tar", "-xf", bundle.string(), "-C", unpacked.string()})->exit_code == 0);
    auto repack = [&](const std::filesystem::path& out) {
        REQUIRE(process::run({"tar", "-cf", out.string(), "-C", unpacked.string(), "."})->exit_code == 0);
    };
    SECTION("signed text changed")
    {
        replace_text(unpacked / "InRelease", "Origin: Nafitha", "Origin: Nafithx");
        repack(site.dir / "b1.tar");
        auto r = use(site.dir / "b1.tar");
        INFO(r.out);
        CHECK(r.code == 3);
        CHECK(has(r.out, "The update bundle is not signed with the update key (or was changed after signing): refused"));
    }
    SECTION("package changed")
    {
        flip_byte(unpacked / "pool/nafitha-terminal_9.1.0_all.deb", 10);
        repack(site.dir / "b2.tar");
        auto r = use(site.dir / "b2.tar");
        INFO(r.out);
        CHECK(r.code == 3);
        CHECK(has(r.out, "An update file does not match its signed index"));
    }
    SECTION("unsigned")
    {
        std::filesystem::remove(unpacked / "InRelease");
        repack(site.dir / "b3.tar");
        auto r = use(site.dir / "b3.tar");
        CHECK(r.code == 3);
        CHECK(has(r.out, "The update bundle is not signed with the update key"));
    }
    SECTION("a link inside")
    {
        std::filesystem::create_symlink("/etc/shadow", unpacked / "pool/evil");
        repack(site.dir / "b4.tar");
        auto r = use(site.dir / "b4.tar");
        CHECK(r.code == 3);
        CHECK(has(r.out, "This is not a valid update bundle"));
    }
    SECTION("not a tar file")
    {
        std::ofstream(site.dir / "b5.tar") << "garbage";
        auto r = use(site.dir / "b5.tar");
        CHECK(r.code == 3);
        CHECK(has(r.out, "This is not a valid update bundle"));
    }
}

TEST_CASE("updates wait for the maintenance window and staff can postpone them and see the state")
{
    Site site;
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    int minute = tm.tm_hour * 60 + tm.tm_min;
    auto hhmm = [](int m) {
        m = ((m % 1440) + 1440) % 1440;
        char buf[8];
        std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
        return std::string(buf);
    };
    std::string closed = hhmm(minute + 120) + "-" + hhmm(minute + 180);
    std::string data = site.terminal.string();
    auto outside = ctl({"update", "--data", data, "--keyring", site.keyring.string(), "--lang", "en", "--window", closed});
    INFO(outside.out);
    CHECK(outside.code == 0);
    CHECK(has(outside.out, "Outside the maintenance window " + closed + ": nothing was done."));

    auto postponed = ctl({"update", "--data", data, "--lang", "en", "--postpone", "5"});
    INFO(postponed.out);
    CHECK(postponed.code == 0);
    CHECK(has(postponed.out, "Updates postponed until "));
    std::string open_window = hhmm(minute - 60) + "-" + hhmm(minute + 60);
    auto during = ctl({"update", "--data", data, "--keyring", site.keyring.string(), "--lang", "en", "--window", open_window});
    INFO(during.out);
    CHECK(during.code == 0);
    CHECK(has(during.out, "Updates are postponed by staff until "));
    auto status = ctl({"update", "--data", data, "--lang", "en", "--status", "--window", open_window});
    INFO(status.out);
    CHECK(status.code == 0);
    CHECK(has(status.out, "Maintenance window " + open_window + " (local time): open now."));
    CHECK(has(status.out, "Updates are postponed by staff until "));
    CHECK(has(status.out, "Last update run: "));
    auto ar = ctl({"update", "--data", data, "--status", "--window", closed});
    CHECK(has(ar.out, "مغلقة الآن"));

    CHECK(ctl({"update", "--data", data, "--postpone", "0"}).code == 2);
    CHECK(ctl({"update", "--data", data, "--postpone", "73"}).code == 2);
    CHECK(ctl({"update", "--data", data, "--window", "25:00-26:00"}).code == 2);
}

TEST_CASE("the kiosk's visit lock makes an update wait for the visit and holds a new visit while an update installs")
{
    TempDir dir("visit-lock");
    auto lock_path = dir / "visit.lock";
    int updater = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(updater >= 0);
    {
        app::VisitLock kiosk(dir.path());
        CHECK(kiosk.hold(false));
        CHECK(::flock(updater, LOCK_EX | LOCK_NB) == 0); // no visit: the updater gets it
        CHECK_FALSE(kiosk.hold(true));                   // an update installs: no visit opens
        CHECK_FALSE(kiosk.held());
        CHECK(::flock(updater, LOCK_UN) == 0);
        CHECK(kiosk.hold(true));                         // the update is done: the visit opens
        CHECK(kiosk.held());
        CHECK(::flock(updater, LOCK_EX | LOCK_NB) != 0); // a visit is open: the updater waits
        CHECK(kiosk.hold(false));                        // the citizen leaves
        CHECK(::flock(updater, LOCK_EX | LOCK_NB) == 0);
        CHECK(::flock(updater, LOCK_UN) == 0);
        CHECK(kiosk.hold(true));
    }
    CHECK(::flock(updater, LOCK_EX | LOCK_NB) == 0); // a kiosk that exits lets go
    ::close(updater);
    CHECK_FALSE(app::replaced_on_disk());
}

TEST_CASE("without a visit lock the updater refuses to install and the kiosk warns once")
{
    Site site;
    // visit.lock cannot be created: a folder holds its name (open fails even for root).
    std::filesystem::create_directories(site.terminal / "visit.lock");
    if (::geteuid() == 0) {
        for (const std::string lang : {"en", "ar"}) {
            auto r = ctl({"update", "--data", site.terminal.string(), "--keyring", site.keyring.string(), "--now",
                          "--sources", (site.dir / "nafitha-updates.sources").string(), "--lang", lang});
            INFO(r.out);
            CHECK(r.code == 3);
            CHECK(has(r.out, lang == "en" ? "The visit lock (visit.lock in the data folder) could not be created or taken: nothing was installed"
                                          : "تعذّر إنشاء قفل الزيارة"));
            CHECK_FALSE(has(r.out, "Looking for updates"));
            CHECK_FALSE(std::filesystem::exists(site.dir / "nafitha-updates.sources")); // apt was never run
        }
        auto status = ctl({"update", "--data", site.terminal.string(), "--status", "--lang", "en"});
        CHECK(has(status.out, "error.update.visit_lock"));
    } else {
        WARN("not root: nafitha-ctl update refuses before it reaches the visit lock; the refusal is checked as root (CI)");
    }

    // The kiosk serves the citizen anyway but says, once, that the visit is not protected.
    auto log_file = site.dir / "kiosk-stderr.txt";
    int saved = ::dup(2);
    int f = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(saved >= 0);
    REQUIRE(f >= 0);
    ::dup2(f, 2);
    bool opened = false, still_open = false, reopened = false, usable = true;
    {
        app::VisitLock kiosk(site.terminal);
        usable = kiosk.usable();
        opened = kiosk.hold(true);
        still_open = kiosk.hold(true);
        (void)kiosk.hold(false);
        reopened = kiosk.hold(true);
    }
    ::dup2(saved, 2);
    ::close(saved);
    ::close(f);
    CHECK_FALSE(usable);
    CHECK(opened);
    CHECK(still_open);
    CHECK(reopened);
    auto text = fs::read_file(log_file, 1 << 16);
    REQUIRE(text.ok());
    INFO(*text);
    size_t count = 0;
    for (size_t at = text->find("visits are NOT protected from updates"); at != std::string::npos;
         at = text->find("visits are NOT protected from updates", at + 1))
        ++count;
    CHECK(count == 1);
    CHECK(has(*text, (site.terminal / "visit.lock").string()));

    // Mended: the next visit takes the lock again.
    std::filesystem::remove(site.terminal / "visit.lock");
    app::VisitLock kiosk(site.terminal);
    CHECK(kiosk.usable());
    CHECK(kiosk.hold(true));
    CHECK(kiosk.held());
}

TEST_CASE("staff postpone updates from the kiosk and nafitha-ctl update sees it, and the reverse")
{
    TempDir dir("maintenance");
    std::string data = dir.path().string();
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    // The kiosk's staff screen (through services::postpone_updates, as the terminal backend calls it).
    auto until = services::postpone_updates(dir.path(), 24, now);
    REQUIRE(until.ok());
    CHECK(*until == now + 24 * 3600);
    auto st = services::update_state(dir.path(), now);
    CHECK(st.postponed_until == *until);
    auto during = ctl({"update", "--data", data, "--lang", "en", "--status", "--window", "02:00-05:00"});
    INFO(during.out);
    CHECK(has(during.out, "Updates are postponed by staff until "));
    // Out of range: refused, nothing changed.
    CHECK(services::postpone_updates(dir.path(), 0, now).error().code == "error.update.postpone_range");
    CHECK(services::postpone_updates(dir.path(), 73, now).error().code == "error.update.postpone_range");
    CHECK(services::update_state(dir.path(), now).postponed_until == *until);
    // Let them run again.
    REQUIRE(services::resume_updates(dir.path()).ok());
    CHECK(services::update_state(dir.path(), now).postponed_until == 0);
    auto after = ctl({"update", "--data", data, "--lang", "en", "--status", "--window", "02:00-05:00"});
    CHECK_FALSE(has(after.out, "postponed"));
    // nafitha-ctl update --postpone is what the kiosk shows.
    REQUIRE(ctl({"update", "--data", data, "--lang", "en", "--postpone", "5"}).code == 0);
    st = services::update_state(dir.path(), static_cast<int64_t>(std::time(nullptr)));
    CHECK(st.postponed_until > now + 4 * 3600);
    CHECK(st.postponed_until <= static_cast<int64_t>(std::time(nullptr)) + 5 * 3600);
    // The window: wrapping past midnight, and a malformed one.
    auto w = services::parse_window("22:00-02:00");
    REQUIRE(w);
    CHECK(services::window_open(*w, 23 * 60));
    CHECK(services::window_open(*w, 60));
    CHECK_FALSE(services::window_open(*w, 12 * 60));
    CHECK_FALSE(services::parse_window("25:00-26:00"));
    CHECK_FALSE(services::parse_window("02:00-02:00"));
}
