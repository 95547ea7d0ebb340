// nafitha-ctl update: signed updates on a terminal (central/updates.h is the other side).
//
//   update --data DIR                 from central's apt repository (<server>/updates/), in the maintenance window
//                                     (--window HH:MM-HH:MM, or NAFITHA_UPDATE_WINDOW from terminal.conf; local
//                                     time), unless staff postponed it; --now ignores both (a technician).
//   update --data DIR --bundle FILE   from a USB bundle (nafitha-central updates bundle): refused unless its
//                                     InRelease verifies against the update keyring and every file matches it.
//   update --data DIR --check         downloads and verifies the index and the package into a throwaway folder,
//                                     installs nothing (any user).
//   update --data DIR --postpone HOURS | --status   what staff see and do.
//
// apt does the checking: the sources entry names the keyring with Signed-By (the one the terminal package
// installs under /usr/share/keyrings), apt refuses an InRelease that does not verify and any file whose hash is
// not the signed one. An update never interrupts a citizen's visit: the kiosk holds DATA/visit.lock (shared)
// while a visit is open, the updater takes it exclusively and waits; the kiosk restarts itself into the new
// version on its attract screen. Messages: assets/i18n/<lang>/update.json.

#include "base/clock.h"
#include "base/fs.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "base/process.h"
#include "installer/ctl/command.h"
#include "kiosk/services/maintenance.h"
#include "locale/locale.h"
#include "sync/client/config.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace nafitha;
namespace sfs = std::filesystem;

namespace {

constexpr const char* kKeyring = "/usr/share/keyrings/nafitha-updates.gpg";
constexpr const char* kSources = "/etc/apt/sources.list.d/nafitha-updates.sources";
constexpr const char* kPackage = "nafitha-terminal";

// A private folder under $TMPDIR (or /tmp), removed with everything in it.
class Scratch {
public:
    static Result<std::unique_ptr<Scratch>> make(const std::string& tag)
    {
        const char* base = std::getenv("TMPDIR");
        std::string templ = std::string(base && *base ? base : "/tmp") + "/" + tag + ".XXXXXX";
        if (!::mkdtemp(templ.data()))
            return Error::make("error.update.io", "mkdtemp " + templ + ": " + std::strerror(errno));
        if (::chmod(templ.c_str(), 0755) != 0) // apt's sandbox user reads the repository and lists there (nothing secret)
            return Error::make("error.update.io", "chmod " + templ + ": " + std::strerror(errno));
        return std::unique_ptr<Scratch>(new Scratch(templ));
    }
    ~Scratch()
    {
        std::error_code ec;
        sfs::remove_all(m_path, ec);
    }
    const sfs::path& path() const { return m_path; }

private:
    explicit Scratch(sfs::path p) : m_path(std::move(p)) {}
    sfs::path m_path;
};

std::string local_time_text(time_t t)
{
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

using services::last_update_file;
using services::postpone_file;
using services::postponed_until;
sfs::path visit_lock_file(const sfs::path& data) { return data / "visit.lock"; }

// Files root writes into the terminal's folder belong to the folder's owner (the kiosk user reads them).
void give_to_owner(const sfs::path& data, const sfs::path& file)
{
    struct stat st {};
    if (::geteuid() == 0 && ::stat(data.c_str(), &st) == 0)
        if (::chown(file.c_str(), st.st_uid, st.st_gid) != 0)
            std::cerr << "nafitha-ctl: cannot give " << file.string() << " to the data folder's owner: " << std::strerror(errno) << "\n";
}

void record(const sfs::path& data, const std::string& result, const std::string& detail, const std::string& version)
{
    nlohmann::json j = {{"time", static_cast<int64_t>(::time(nullptr))}, {"result", result}, {"detail", detail}, {"version", version}};
    if (fs::write_file_atomic(last_update_file(data), j.dump() + "\n", 0600).ok())
        give_to_owner(data, last_update_file(data));
}

std::string installed_version()
{
    auto o = process::run({"dpkg-query", "-W", "-f=${Version}", kPackage});
    return o.ok() && o->ok() ? o->out : std::string();
}

// What apt said, as one of our errors (the message for a person comes from update.json).
Error apt_error(const std::string& step, const process::Outcome& o)
{
    const std::string& t = o.err + o.out;
    auto has = [&](const char* s) { return t.find(s) != std::string::npos; };
    std::string detail = step + " exited with " + std::to_string(o.exit_code);
    for (size_t at = 0; at < t.size();) {
        size_t end = t.find('\n', at);
        std::string line = t.substr(at, end == std::string::npos ? std::string::npos : end - at);
        at = end == std::string::npos ? t.size() : end + 1;
        if (line.rfind("E: ", 0) == 0 || line.rfind("W: ", 0) == 0 || line.rfind("Err:", 0) == 0)
            detail += "; " + line;
    }
    if (has("BADSIG") || has("NO_PUBKEY") || has("is not signed") || has("GPG error") || has("signatures were invalid")
        || has("EXPKEYSIG") || has("Signed-By"))
        return Error::make("error.update.signature", detail);
    if (has("Hash Sum mismatch") || has("unexpected size") || has("Hashes of expected file"))
        return Error::make("error.update.tampered", detail);
    if (has("Failed to fetch") || has("Could not connect") || has("Unable to connect") || has("Connection failed")
        || has("404"))
        return Error::make("error.update.unreachable", detail);
    return Error::make("error.update.apt", detail);
}

// apt restricted to our one sources file; with `state` set, also its own lists and cache (nothing of the
// system's apt state is touched: --check).
std::vector<std::string> apt_options(const sfs::path& sources, const sfs::path& state, const std::string& ca_file)
{
    std::vector<std::string> o = {"-q", "-o", "Dir::Etc::SourceList=" + sources.string(), "-o",
                                  "Dir::Etc::SourceParts=/nonexistent", "-o", "APT::Get::List-Cleanup=0", "-o",
                                  "Acquire::Retries=2"};
    if (!state.empty()) {
        for (const char* d : {"lists/partial", "archives/partial"})
            std::filesystem::create_directories(state / d);
        o.insert(o.end(), {"-o", "Dir::State::Lists=" + (state / "lists").string(), "-o",
                           "Dir::Cache=" + state.string(), "-o", "Dir::Cache::archives=" + (state / "archives").string(),
                           "-o", "Debug::NoLocking=1"});
    }
    if (!ca_file.empty())
        o.insert(o.end(), {"-o", "Acquire::https::CaInfo=" + ca_file});
    return o;
}

// The shared lock the kiosk holds during a visit, taken exclusively: returns the open descriptor (closed by the
// caller) once no visit is open. `waiting` is called once when a visit is open at first.
Result<int> wait_for_no_visit(const sfs::path& data, const std::function<void()>& waiting)
{
    sfs::path path = visit_lock_file(data);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    // Without this lock nothing keeps the update from interrupting a visit: refuse rather than go on.
    if (fd < 0)
        return Error::make("error.update.visit_lock", "open " + path.string() + ": " + std::strerror(errno));
    give_to_owner(data, path);
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0)
        return fd;
    waiting();
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int e = errno;
            ::close(fd);
            return Error::make("error.update.visit_lock", "flock " + path.string() + ": " + std::strerror(e));
        }
    }
    return fd;
}

struct Context {
    sfs::path data;
    std::string keyring;
    sfs::path sources;
    bool check_only = false;
};

// Writes the sources entry, refreshes the index (signature checked), then downloads (check) or installs.
// Returns the version now available (check) or installed.
Result<std::string> fetch_and_install(const Context& c, const std::string& uri, const std::string& ca_file, bool& changed)
{
    changed = false;
    std::unique_ptr<Scratch> scratch;
    sfs::path state;
    sfs::path sources = c.sources;
    if (c.check_only) {
        scratch = TRY(Scratch::make("nafitha-update-check"));
        state = scratch->path() / "apt";
        sources = scratch->path() / "nafitha-updates.sources";
    }
    std::string entry = "# Written by nafitha-ctl update: the Nafitha packages central publishes, signed with the\n"
                        "# update-signing key (nafitha-central updates publish).\n"
                        "Types: deb\nURIs: " + uri + "\nSuites: ./\nSigned-By: " + c.keyring + "\n";
    TRY(fs::write_file_atomic(sources, entry, 0644));
    auto opts = apt_options(sources, state, ca_file);
    auto with = [&](std::vector<std::string> tail) {
        std::vector<std::string> argv = {"apt-get"};
        argv.insert(argv.end(), opts.begin(), opts.end());
        argv.insert(argv.end(), tail.begin(), tail.end());
        return argv;
    };
    auto refreshed = TRY(process::run(with({"update"})));
    // apt-get update exits 0 with only a warning when a repository's InRelease is missing or unsigned on some
    // versions: a "W:" about signatures counts as a refusal here.
    if (!refreshed.ok() || refreshed.err.find("GPG error") != std::string::npos
        || refreshed.err.find("is not signed") != std::string::npos)
        return apt_error("apt-get update", refreshed);
    if (c.check_only) {
        auto got = TRY(process::run(with({"download", kPackage}), process::in(scratch->path())));
        if (!got.ok())
            return apt_error("apt-get download", got);
        for (const auto& f : sfs::directory_iterator(scratch->path()))
            if (f.path().extension() == ".deb") {
                auto v = TRY(process::run({"dpkg-deb", "--field", f.path().string(), "Version"}));
                std::string version = v.out;
                while (!version.empty() && version.back() == '\n')
                    version.pop_back();
                return version;
            }
        return Error::make("error.update.apt", "apt-get download left no package");
    }
    // The install sees every source of the system (ours is in /etc/apt/sources.list.d): a new dependency can
    // come from the Debian archive or a local mirror when the site has one.
    std::vector<std::string> install_argv = {"apt-get", "-q", "-y", "-o", "Dpkg::Options::=--force-confold", "-o",
                                             "Dpkg::Options::=--force-confdef", "install", "--only-upgrade", kPackage};
    if (sources != sfs::path(kSources))
        install_argv = with({"-y", "-o", "Dpkg::Options::=--force-confold", "-o", "Dpkg::Options::=--force-confdef",
                             "install", "--only-upgrade", kPackage});
    std::string before = installed_version();
    auto installed = TRY(process::run(install_argv,
                                      [] {
                                          process::Options o;
                                          o.env = {{"DEBIAN_FRONTEND", "noninteractive"}};
                                          return o;
                                      }()));
    if (!installed.ok())
        return apt_error("apt-get install", installed);
    std::string after = installed_version();
    changed = after != before;
    return after;
}

// A bundle from a USB stick, unpacked into a private folder: regular files and folders only, and an InRelease
// that verifies against the keyring before apt even sees it.
Result<sfs::path> unpack_bundle(const Scratch& scratch, const sfs::path& bundle, const std::string& keyring)
{
    sfs::path repo = scratch.path() / "repo";
    sfs::create_directories(repo);
    auto tar = TRY(process::run({"tar", "--extract", "--file", bundle.string(), "--directory", repo.string(),
                                 "--no-same-owner", "--no-same-permissions", "--no-overwrite-dir"}));
    if (!tar.ok())
        return Error::make("error.update.bundle_bad", "tar: " + tar.err.substr(0, 300));
    size_t files = 0;
    for (const auto& e : sfs::recursive_directory_iterator(repo)) {
        if (e.is_symlink() || !(e.is_regular_file() || e.is_directory()))
            return Error::make("error.update.bundle_bad", "not a plain file: " + e.path().string());
        if (++files > 10000)
            return Error::make("error.update.bundle_bad", "too many files");
    }
    if (!sfs::exists(repo / "InRelease"))
        return Error::make("error.update.bundle_unsigned", "no InRelease in the bundle");
    auto v = TRY(process::run({"gpgv", "--keyring", keyring, (repo / "InRelease").string()}));
    if (!v.ok())
        return Error::make("error.update.bundle_unsigned", "gpgv: " + v.err.substr(0, 400));
    // apt reads file: repositories as its sandbox user.
    sfs::permissions(scratch.path(), sfs::perms::owner_all | sfs::perms::group_read | sfs::perms::group_exec
                                         | sfs::perms::others_read | sfs::perms::others_exec);
    for (const auto& e : sfs::recursive_directory_iterator(repo))
        sfs::permissions(e.path(), e.is_directory() ? sfs::perms(0755) : sfs::perms(0644));
    return repo;
}

int run_update(ctl::Args& args)
{
    auto data_opt = args.option("data");
    auto lang_opt = args.option("lang");
    auto window_opt = args.option("window");
    auto bundle = args.option("bundle");
    auto postpone = args.option("postpone");
    auto keyring_opt = args.option("keyring");
    auto sources_opt = args.option("sources");
    bool now = args.flag("now");
    bool check = args.flag("check");
    bool status = args.flag("status");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!data_opt)
        return ctl::usage_error("update needs --data DIR");
    Lang lang = Lang::Ar;
    if (lang_opt) {
        auto l = parse_lang(*lang_opt);
        if (!l.ok())
            return ctl::usage_error("--lang is ar or en");
        lang = *l;
    }
    const char* env_window = std::getenv("NAFITHA_UPDATE_WINDOW");
    std::string window_text = window_opt ? *window_opt : (env_window && *env_window ? env_window : services::kDefaultUpdateWindow);
    auto window = services::parse_window(window_text);
    if (!window)
        return ctl::usage_error("--window is HH:MM-HH:MM (local time), e.g. 02:00-05:00");
    auto i18n_loaded = I18n::load(paths::assets_dir());
    if (!i18n_loaded.ok()) {
        std::cerr << "nafitha-ctl: " << i18n_loaded.error().to_string() << "\n";
        return 3;
    }
    auto loc_made = locale::Locale::create(*i18n_loaded, lang);
    if (!loc_made.ok()) {
        std::cerr << "nafitha-ctl: " << loc_made.error().to_string() << "\n";
        return 3;
    }
    const locale::Locale& loc = *loc_made.value();
    Context c{*data_opt, keyring_opt.value_or(kKeyring), sources_opt.value_or(kSources), check};
    auto say = [&](const std::string& key, locale::Args a = {}) { std::cout << loc.tr(key, a) << std::endl; };
    auto refuse = [&](const Error& e, const std::string& version = {}) {
        std::cerr << "nafitha-ctl: " << i18n_loaded->message(lang, e) << "\n";
        std::cerr << "nafitha-ctl: " << e.to_string() << "\n";
        if (!check)
            record(c.data, e.code, e.detail, version);
        return 3;
    };
    time_t t_now = ::time(nullptr);

    if (status) {
        std::string v = installed_version();
        say("update.status.installed", {{"version", v.empty() ? "-" : v}});
        say(services::window_open(*window, services::local_minute_of(t_now)) ? "update.status.window_open" : "update.status.window_closed",
            {{"window", window->text}});
        int64_t until = postponed_until(c.data);
        if (until > t_now)
            say("update.postponed", {{"until", local_time_text(static_cast<time_t>(until))}});
        auto last = fs::read_file(last_update_file(c.data), 64 * 1024);
        if (last.ok()) {
            auto j = nlohmann::json::parse(last.value(), nullptr, false);
            if (j.is_object())
                say("update.status.last", {{"time", local_time_text(static_cast<time_t>(j.value("time", int64_t{0})))},
                                           {"result", j.value("result", std::string())},
                                           {"version", j.value("version", std::string())}});
        }
        return 0;
    }
    if (postpone) {
        int64_t hours = 0;
        try {
            size_t used = 0;
            hours = std::stoll(*postpone, &used);
            if (used != postpone->size())
                hours = 0;
        } catch (...) {
        }
        if (hours < 1 || hours > services::kMaxPostponeHours)
            return ctl::usage_error("--postpone is 1 to 72 hours");
        auto until = services::postpone_updates(c.data, hours, static_cast<int64_t>(t_now));
        if (!until.ok())
            return refuse(until.error());
        give_to_owner(c.data, postpone_file(c.data));
        say("update.postpone.done", {{"until", local_time_text(static_cast<time_t>(*until))}});
        return 0;
    }
    if (!sfs::exists(c.keyring))
        return refuse(Error::make("error.update.no_keyring", c.keyring + " is missing"));

    std::string uri, ca_file;
    std::unique_ptr<Scratch> scratch;
    if (bundle) {
        auto made = Scratch::make("nafitha-bundle");
        if (!made.ok())
            return refuse(made.error());
        scratch = made.release_value();
        auto repo = unpack_bundle(*scratch, *bundle, c.keyring);
        if (!repo.ok())
            return refuse(repo.error());
        uri = "file:" + repo->string();
        // Its own sources entry, gone with the folder: the system's keeps pointing at central.
        if (!sources_opt)
            c.sources = scratch->path() / "bundle.sources";
        say("update.bundle.verified", {{"bundle", *bundle}});
    } else {
        auto config = sync::load_config(c.data);
        if (!config.ok())
            return refuse(Error::make("error.update.not_enrolled", config.error().to_string()));
        uri = config->server_url + "/updates/";
        ca_file = config->ca_file;
        if (!now && !check) {
            int64_t until = postponed_until(c.data);
            if (until > t_now) {
                say("update.postponed", {{"until", local_time_text(static_cast<time_t>(until))}});
                record(c.data, "postponed", "", installed_version());
                return 0;
            }
            if (!services::window_open(*window, services::local_minute_of(t_now))) {
                say("update.window.outside", {{"window", window->text}});
                return 0;
            }
        }
    }
    if (!check && ::geteuid() != 0)
        return refuse(Error::make("error.update.not_root", "installing needs root"));

    // Never during a citizen's visit: wait until the kiosk lets go of its lock; while the updater holds it the
    // kiosk starts no visit (its attract screen waits).
    int lock_fd = -1;
    if (!check) {
        auto fd = wait_for_no_visit(c.data, [&] { say("update.waiting_visit"); });
        if (!fd.ok())
            return refuse(fd.error());
        lock_fd = fd.value();
    }
    say("update.checking", {{"source", uri}, {"keyring", c.keyring}});
    bool changed = false;
    auto result = fetch_and_install(c, uri, ca_file, changed);
    if (lock_fd >= 0)
        ::close(lock_fd);
    if (!result.ok())
        return refuse(result.error(), installed_version());
    if (check) {
        say("update.available", {{"package", kPackage}, {"version", result.value()}});
        return 0;
    }
    say(changed ? "update.installed" : "update.up_to_date", {{"package", kPackage}, {"version", result.value()}});
    record(c.data, changed ? "installed" : "up_to_date", "", result.value());
    return 0;
}

} // namespace

NAFITHA_CTL_COMMAND(update, "update",
                    "update --data DIR [--lang ar|en] [--window HH:MM-HH:MM] [--now] [--check] [--bundle FILE]\n"
                    "        [--postpone HOURS] [--status] [--keyring FILE] [--sources FILE]   signed updates from central's\n"
                    "        repository in the maintenance window, or from a signed USB bundle; never during a visit",
                    run_update);
