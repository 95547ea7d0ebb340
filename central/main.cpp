// nafitha-central: the central server (enrollment, ingest, verification, projections, indicators).

#include "base/clock.h"
#include "base/crash_point.h"
#include "base/fs.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "base/fatal_signal.h"
#include "base/log.h"
#include "central/identity.h"
#include "central/csv.h"
#include "central/indicators.h"
#include "central/server.h"
#include "central/front/web.h"
#include "central/store/web_store.h"
#include "central/store/archive.h"
#include "central/store/verify.h"
#include "sync/protocol/enroll_qr.h"
#include "sync/protocol/health.h"
#include "central/updates.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <pthread.h>
#include <qrencode.h>
#include <systemd/sd-daemon.h>
#include <thread>
#include <vector>

using namespace nafitha;

namespace {

const char* kUsage =
    "usage: nafitha-central COMMAND [OPTIONS]\n"
    "Every command names its store: STORE is --data DIR (SQLite in DIR/central.db, the default set-up) or\n"
    "--store postgresql://USER@HOST/DB?... (PostgreSQL; several hosts and target_session_attrs=read-write for\n"
    "failover; any number of serve instances share it).\n"
    "  serve STORE --listen HOST:PORT [--key FILE] [--admin-listen HOST:PORT|none] [--tls-cert FILE --tls-key FILE]\n"
    "        [--threads N] [--ingest-threads N] [--max-connections N] [--max-connections-per-address N]\n"
    "        [--header-timeout-s N] [--min-free-mb N] [--enroll-per-address N] [--enroll-per-minute N]\n"
    "        [--api-token-file FILE]   (GET /v1/indicators on the admin listener with Authorization: Bearer TOKEN)\n"
    "        [--checkpoint-every-s N]  (a signed checkpoint of the transparency log when it grew; default 60)\n"
    "        [--log-reads-per-minute N]  (public /v1/log/* reads per client address; default 600)\n"
    "        [--updates DIR]   (the signed apt repository served under /updates/; default DATA/updates)\n"
    "        [--web-listen HOST:PORT [--web-root DIR] [--web-idle-minutes N]]   (the web application; a session ends\n"
    "        after N minutes without a request, default 30, and 8 hours after sign-in in any case)\n"
    "  terminal add STORE --centre CODE --name NAME [--count N]  (prints the one-time code(s) last, one a line)\n"
    "               [--qr --server-url URL [--key FILE]]   also prints the enrollment QR for the kiosk's code reader\n"
    "               (the server URL terminals use, the code, the centre and central's public key; one code only)\n"
    "  terminal revoke STORE --id TERMINAL_ID\n"
    "  terminals STORE [--json]\n"
    "  catalogue import STORE FILE\n"
    "  application decide STORE --ref REFERENCE --status approved|rejected|ready [--note TEXT]\n"
    "                     [--terminal TERMINAL_ID]   (when several terminals used the same reference)\n"
    "                     [--reason CODE]   (decision.reason.<CODE>, shown on the citizen's tracking)\n"
    "  user add STORE --name NAME --role ministry|entity|centre [--entity CODE|--centre CODE]   (password on stdin)\n"
    "  user disable|enable STORE --name NAME   (disabling ends the user's sessions at once)\n"
    "  user reset-password STORE --name NAME   (new password on stdin; ends the user's sessions, clears the lock)\n"
    "  users STORE [--json]     (also: user list) the web application's users, disabled and locked ones marked\n"
    "  audit STORE [--limit N] [--json]   the web application's audit, newest first\n"
    "  verify STORE             re-checks every stored entry's signature and chain\n"
    "  public-key STORE [--key FILE]   central's public key (base64) and its log's origin, for auditors\n"
    "  archive export STORE --month YYYY-MM --out FILE [--key FILE]   a closed month, signed, self-verifying\n"
    "  archive verify FILE [--central-key BASE64]      checks an archive offline\n"
    "  archive detach --store URL --month YYYY-MM --archive FILE    detaches the month's partition (PostgreSQL)\n"
    "  backup --data DIR --out FILE                    online copy of the SQLite store\n"
    "  store info STORE                                the store's kind and schema version\n"
    "  indicators STORE [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--by DIM[,DIM]] [--definitions FILE] --json|--csv\n"
    "        a row per combination of the dimensions (one of day|week|month|quarter|year, and any of entity,\n"
    "        service, category, governorate, district, centre, terminal, channel) with one field per indicator\n"
    "        (UTC days; --to inclusive)\n"
    "  indicators definitions [--definitions FILE] --json   the indicators with their Arabic and English names\n"
    "  costs set STORE (--entity CODE|--centre CODE) --month YYYY-MM --amount-minor N   the cost of running an entity's\n"
    "        or a centre's services in a month (replaces one given before), for the indicator cost per transaction\n"
    "  costs list STORE [--json]\n"
    "  updates key generate --data DIR --public-out FILE   a new update-signing key in DIR/update-key; its public\n"
    "        half (binary keyring) to FILE: the terminal package installs it (installer/dev package --update-key)\n"
    "  updates key import --data DIR FILE      a secret signing key exported elsewhere (gpg --export-secret-keys)\n"
    "  updates key export --data DIR --public-out FILE\n"
    "  updates publish --data DIR FILE.deb     adds a nafitha-* package to the signed apt repository served under\n"
    "        /updates/ (InRelease signed with the update-signing key)\n"
    "  updates bundle --data DIR --out FILE    the signed repository as one file for a USB stick\n"
    "        (nafitha-ctl update --bundle FILE on the terminal)\n"
    "  --help | --version\n";

struct Args {
    std::map<std::string, std::string> options;
    std::vector<std::string> flags;
    std::vector<std::string> positionals;

    std::string get(const std::string& name) const
    {
        auto it = options.find(name);
        return it == options.end() ? std::string() : it->second;
    }
    bool has_flag(const std::string& name) const
    {
        return std::find(flags.begin(), flags.end(), name) != flags.end();
    }
};

Args parse(int argc, char** argv, int first)
{
    static const std::vector<std::string> switches = {"--json", "--csv", "--qr"};
    Args a;
    for (int i = first; i < argc; ++i) {
        std::string w = argv[i];
        if (w.rfind("--", 0) == 0) {
            if (std::find(switches.begin(), switches.end(), w) != switches.end() || i + 1 >= argc)
                a.flags.push_back(w);
            else
                a.options[w] = argv[++i];
        } else {
            a.positionals.push_back(w);
        }
    }
    return a;
}

// The error for the operator: its translations (Arabic first, then English) when it has them, then the code and
// the technical detail.
int fail(const Error& e)
{
    static const auto i18n = I18n::load(paths::assets_dir());
    if (i18n.ok() && i18n->has(Lang::Ar, e.code))
        std::cerr << "nafitha-central: " << i18n->message(Lang::Ar, e) << "\n" << "nafitha-central: " << i18n->message(Lang::En, e) << "\n";
    std::cerr << "nafitha-central: " << e.to_string() << "\n";
    return 1;
}

int usage(const std::string& message)
{
    std::cerr << "nafitha-central: " << message << "\n" << kUsage;
    return 2;
}

// A whole number option within [lo, hi]; `fallback` when absent. False when present but not a number in range.
bool number_option(const Args& a, const std::string& name, int64_t lo, int64_t hi, int64_t& out)
{
    std::string text = a.get(name);
    if (text.empty())
        return true;
    try {
        size_t used = 0;
        long long v = std::stoll(text, &used);
        if (used != text.size() || v < lo || v > hi)
            return false;
        out = v;
        return true;
    } catch (...) {
        return false;
    }
}

// The store named by --store URL or --data DIR; nullopt (after a usage message) when neither is given.
std::optional<central::StoreLocation> location(const Args& a, const std::string& command)
{
    central::StoreLocation loc{a.get("--data"), a.get("--store")};
    if (loc.url.empty() && loc.data_dir.empty()) {
        usage(command + " needs --data DIR or --store postgresql://...");
        return std::nullopt;
    }
    if (!loc.url.empty() && loc.url.rfind("postgresql://", 0) != 0 && loc.url.rfind("postgres://", 0) != 0
        && loc.url.find('=') == std::string::npos) {
        usage("--store must be a PostgreSQL connection string (postgresql://...)");
        return std::nullopt;
    }
    return loc;
}

Result<std::unique_ptr<central::Store>> open(const central::StoreLocation& loc)
{
    return central::open_store(loc);
}

int cmd_serve(const Args& a)
{
    std::string listen = a.get("--listen");
    auto loc = location(a, "serve");
    if (!loc)
        return 2;
    if (listen.empty())
        return usage("serve needs --listen");
    auto where = central::front::split_host_port(listen);
    if (!where.ok())
        return usage("--listen must be HOST:PORT");
    std::string admin = a.get("--admin-listen");
    if (admin.empty())
        admin = "127.0.0.1:9464";
    std::optional<std::pair<std::string, int>> admin_where;
    if (admin != "none") {
        auto w = central::front::split_host_port(admin);
        if (!w.ok())
            return usage("--admin-listen must be HOST:PORT or none");
        admin_where = w.value();
    }
    central::ServerConfig config;
    if (auto token_file = a.get("--api-token-file"); !token_file.empty()) {
        std::error_code ec;
        auto perms = std::filesystem::status(token_file, ec).permissions();
        if (!ec && (perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) != std::filesystem::perms::none)
            return fail(Error::make("error.indicators.token", token_file + " is readable by others: chmod 600 it"));
        auto token = fs::read_file(token_file, 4096);
        if (!token.ok())
            return fail(Error::make("error.indicators.token", "cannot read " + token_file + ": " + token.error().detail));
        std::string t = token.value();
        while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' '))
            t.pop_back();
        if (t.size() < 32 || t.size() > 512 || t.find_first_of(" \t\r\n") != std::string::npos)
            return fail(Error::make("error.indicators.token", "the API token must be 32 to 512 characters without spaces"));
        config.front.api_token_sha256 = protocol::sha256_hex(t);
    }
    config.data_dir = loc->data_dir;
    config.store_url = loc->url;
    config.key_file = a.get("--key");
    config.updates_dir = a.get("--updates");
    config.web_root = a.get("--web-root").empty() ? paths::web_dir() : std::filesystem::path(a.get("--web-root"));
    int64_t idle_minutes = 30;
    if (!number_option(a, "--web-idle-minutes", 1, 480, idle_minutes))
        return usage("--web-idle-minutes is between 1 and 480");
    config.web_idle_ms = idle_minutes * 60000;
    config.tls_cert = a.get("--tls-cert");
    config.tls_key = a.get("--tls-key");
    if (config.tls_cert.empty() != config.tls_key.empty())
        return usage("--tls-cert and --tls-key go together");
    int64_t threads = config.threads, ingest = static_cast<int64_t>(config.front.ingest_threads);
    int64_t max_conn = config.front.terminals.max_connections, per_addr = config.front.terminals.max_connections_per_address;
    int64_t header_s = config.front.terminals.header_timeout_ms / 1000;
    int64_t min_free_mb = static_cast<int64_t>(config.front.health.min_free_bytes / (1024 * 1024));
    int64_t enroll_addr = config.front.enroll.per_address, enroll_minute = config.front.enroll.overall;
    int64_t checkpoint_s = config.front.checkpoint_every_ms / 1000, log_reads = config.front.log_reads.per_address;
    if (!number_option(a, "--checkpoint-every-s", 1, 86'400, checkpoint_s) || !number_option(a, "--log-reads-per-minute", 1, 1'000'000, log_reads))
        return usage("a number option is out of range");
    config.front.checkpoint_every_ms = checkpoint_s * 1000;
    config.front.log_reads.per_address = log_reads;
    if (!number_option(a, "--threads", 1, 256, threads) || !number_option(a, "--ingest-threads", 1, 64, ingest)
        || !number_option(a, "--max-connections", 16, 1'000'000, max_conn)
        || !number_option(a, "--max-connections-per-address", 1, 1'000'000, per_addr)
        || !number_option(a, "--header-timeout-s", 1, 600, header_s)
        || !number_option(a, "--min-free-mb", 0, 1'000'000'000, min_free_mb)
        || !number_option(a, "--enroll-per-address", 1, 1'000'000, enroll_addr)
        || !number_option(a, "--enroll-per-minute", 1, 1'000'000, enroll_minute))
        return usage("a number option is out of range");
    config.threads = static_cast<int>(threads);
    config.front.ingest_threads = static_cast<size_t>(ingest);
    config.front.terminals.max_connections = static_cast<unsigned>(max_conn);
    config.front.terminals.max_connections_per_address = static_cast<unsigned>(per_addr);
    config.front.terminals.header_timeout_ms = header_s * 1000;
    config.front.health.min_free_bytes = static_cast<uint64_t>(min_free_mb) * 1024 * 1024;
    config.front.enroll.per_address = enroll_addr;
    config.front.enroll.overall = enroll_minute;

    // SIGINT and SIGTERM stop the server cleanly; they are waited for on a thread of their own.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    auto server = central::CentralServer::create(config);
    if (!server.ok())
        return fail(server.error());
    auto bound = server.value()->bind(where->first, where->second);
    if (!bound.ok())
        return fail(bound.error());
    std::optional<int> admin_port;
    if (admin_where) {
        auto b = server.value()->bind_admin(admin_where->first, admin_where->second);
        if (!b.ok())
            return fail(b.error());
        admin_port = b.value();
    }
    std::optional<int> web_port;
    std::string web_listen = a.get("--web-listen");
    std::pair<std::string, int> web_where;
    if (!web_listen.empty()) {
        auto w = central::front::split_host_port(web_listen);
        if (!w.ok())
            return usage("--web-listen must be HOST:PORT");
        web_where = w.value();
        auto b = server.value()->bind_web(web_where.first, web_where.second);
        if (!b.ok())
            return fail(b.error());
        web_port = b.value();
    }
    std::cout << "listening on " << where->first << ":" << bound.value() << (config.tls_cert.empty() ? " (http)" : " (https)")
              << "\n";
    if (admin_port)
        std::cout << "admin listening on " << admin_where->first << ":" << *admin_port << " (http: /metrics, /v1/health)\n";
    if (web_port)
        std::cout << "web listening on " << web_where.first << ":" << *web_port << (config.tls_cert.empty() ? " (http)" : " (https)")
                  << "\n";
    std::cout << std::flush;
    // Counted from here: the background work that starts with the listeners (the start-up signature check, the
    // health monitor) must not kill the process before a test has read where it listens.
    crash_point_ready();
    log::info("central", "serving: open files limit " + std::to_string(central::raise_open_files_limit()));
    auto* raw = server.value().get();
    // Under systemd (nafitha-central.service, Type=notify): READY=1 once the listeners serve, WATCHDOG=1 from the
    // health monitor's thread at half the WatchdogSec interval, STOPPING=1 at SIGTERM. Without NOTIFY_SOCKET
    // (a shell, the tests) sd_notify does nothing.
    uint64_t watchdog_us = 0;
    if (sd_watchdog_enabled(0, &watchdog_us) > 0 && watchdog_us > 0) {
        int64_t every_ms = std::max<int64_t>(1, static_cast<int64_t>(watchdog_us / 2000));
        raw->add_periodic([] { sd_notify(0, "WATCHDOG=1"); }, every_ms);
    }
    std::string status = "STATUS=listening on " + where->first + ":" + std::to_string(bound.value());
    std::thread waiter([raw, set, status] {
        raw->wait_until_running();
        sd_notify(0, ("READY=1\n" + status).c_str());
        int sig = 0;
        sigwait(&set, &sig);
        sd_notify(0, "STOPPING=1");
        raw->stop();
    });
    raw->run();
    // Wake the waiter if run() ended on its own.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    return 0;
}

// The QR drawn on the operator's terminal with Unicode half blocks (two module rows a text line), dark modules
// as spaces on a light background so that it scans from a dark terminal, with the 4-module quiet zone.
Result<std::string> qr_text(const std::string& payload)
{
    struct Free {
        void operator()(QRcode* q) const { QRcode_free(q); }
    };
    std::unique_ptr<QRcode, Free> q(
        QRcode_encodeData(int(payload.size()), reinterpret_cast<const unsigned char*>(payload.data()), 0, QR_ECLEVEL_M));
    if (!q)
        return Error::make("error.central.qr_failed", "libqrencode refused the payload");
    const int n = q->width, quiet = 4, size = n + 2 * quiet;
    auto dark = [&](int x, int y) {
        x -= quiet;
        y -= quiet;
        return x >= 0 && y >= 0 && x < n && y < n && (q->data[size_t(y) * size_t(n) + size_t(x)] & 1);
    };
    std::string out;
    for (int y = 0; y < size; y += 2) {
        for (int x = 0; x < size; ++x) {
            bool top = !dark(x, y), bottom = y + 1 < size && !dark(x, y + 1); // light = drawn
            out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
        }
        out += "\n";
    }
    return out;
}

int cmd_terminal_add(const Args& a)
{
    std::string centre = a.get("--centre"), name = a.get("--name");
    auto loc = location(a, "terminal add");
    if (!loc)
        return 2;
    if (centre.empty() || name.empty())
        return usage("terminal add needs --centre and --name");
    if (centre.size() > 64 || name.size() > 256)
        return usage("--centre or --name is too long");
    int64_t count = 1;
    if (!number_option(a, "--count", 1, 1'000'000, count))
        return usage("--count must be a number from 1 to 1000000");
    const bool qr = a.has_flag("--qr");
    std::string server_url = a.get("--server-url");
    if (qr && count != 1)
        return usage("--qr makes one code at a time (--count 1)");
    if (qr && server_url.rfind("http://", 0) != 0 && server_url.rfind("https://", 0) != 0)
        return usage("--qr needs --server-url http(s)://HOST:PORT, the address terminals reach central at");
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    std::string central_key;
    if (qr) {
        auto keys = central::load_central_key(*store.value(), loc->data_dir, a.get("--key"));
        if (!keys.ok())
            return fail(keys.error());
        central_key = protocol::encode_public_key(keys->public_key);
    }
    std::vector<std::string> codes;
    for (int64_t i = 0; i < count; ++i) {
        auto code = central::create_enrollment_code(*store.value(), centre, count == 1 ? name : name + " " + std::to_string(i + 1),
                                                    clock::unix_ms());
        if (!code.ok())
            return fail(code.error());
        codes.push_back(code.release_value());
    }
    if (qr) {
        std::string payload = protocol::enrollment_qr_text({server_url, codes.front(), centre, central_key});
        auto drawn = qr_text(payload);
        if (!drawn.ok())
            return fail(drawn.error());
        std::cout << drawn.value() << "enrollment QR (scan it with the kiosk's code reader at first run): " << payload << "\n"
                  << "central key fingerprint: " << protocol::key_fingerprint(central_key) << "\n";
    }
    std::cout << (count == 1 ? "enrollment code for '" + name + "'" : std::to_string(count) + " enrollment codes for '" + name + " N'")
              << " at centre " << centre << ", valid once until "
              << clock::iso8601_utc(clock::unix_ms() + central::kEnrollmentCodeLifetimeMs) << ":\n";
    for (const auto& c : codes)
        std::cout << c << "\n";
    std::cout << std::flush;
    return 0;
}

int cmd_terminal_revoke(const Args& a)
{
    std::string id = a.get("--id");
    auto loc = location(a, "terminal revoke");
    if (!loc)
        return 2;
    if (id.empty())
        return usage("terminal revoke needs --id");
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    if (auto r = store.value()->revoke(id); !r.ok())
        return fail(r.error());
    std::cout << "terminal " << id << " revoked\n";
    return 0;
}

int cmd_terminals(const Args& a)
{
    auto loc = location(a, "terminals");
    if (!loc)
        return 2;
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto list = store.value()->terminals();
    if (!list.ok())
        return fail(list.error());
    auto reports = store.value()->latest_health();
    if (!reports.ok())
        return fail(reports.error());
    std::map<std::string, central::HealthSample> latest;
    for (auto& h : reports.value())
        latest[h.terminal_id] = std::move(h);
    auto i18n = I18n::load(paths::assets_dir());
    const int64_t now = clock::unix_ms();
    auto state_of = [&](const central::TerminalRecord& t) {
        auto it = latest.find(t.id);
        return central::indicators::terminal_state(t, it == latest.end() ? nullptr : &it->second, now);
    };
    if (a.has_flag("--json")) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& t : list.value()) {
            std::string state = state_of(t);
            nlohmann::json health = nullptr;
            if (auto it = latest.find(t.id); it != latest.end()) {
                // The report as the terminal signed it, checked again against its key.
                protocol::SignedHealth sh{nlohmann::json::parse(it->second.document, nullptr, false), it->second.signature};
                auto key = protocol::decode_public_key(t.public_key);
                bool valid = key.ok() && !sh.document.is_discarded() && protocol::verify_health(sh, key.value()).ok();
                health = {{"received_at", clock::iso8601_utc(it->second.received_ms)},
                          {"report", sh.document.is_discarded() ? nlohmann::json() : sh.document},
                          {"signature", it->second.signature},
                          {"signature_valid", valid}};
            }
            nlohmann::json names = nullptr;
            if (i18n.ok())
                names = {{"ar", std::string(i18n->text(Lang::Ar, "central.terminal.state." + state))},
                         {"en", std::string(i18n->text(Lang::En, "central.terminal.state." + state))}};
            out.push_back({{"id", t.id},
                           {"centre", t.centre},
                           {"name", t.name},
                           {"status", t.status},
                           {"entries", t.entries},
                           {"last_seq", t.last_seq},
                           {"last_hash", t.last_hash},
                           {"enrolled_at", clock::iso8601_utc(t.enrolled_ms)},
                           {"last_ingest_at", t.last_ingest_ms ? nlohmann::json(clock::iso8601_utc(t.last_ingest_ms)) : nlohmann::json()},
                           {"state", state},
                           {"state_name", names},
                           {"health", health}});
        }
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    for (const auto& t : list.value())
        std::cout << t.id << "  " << t.centre << "  " << t.status << "  " << state_of(t) << "  entries=" << t.entries
                  << "  last_seq=" << t.last_seq << "  " << t.name << "\n";
    return 0;
}

int cmd_catalogue_import(const Args& a)
{
    auto loc = location(a, "catalogue import");
    if (!loc)
        return 2;
    if (a.positionals.size() != 1)
        return usage("catalogue import needs one FILE");
    auto text = fs::read_file(a.positionals[0], 16 * 1024 * 1024);
    if (!text.ok())
        return fail(text.error());
    auto doc = nlohmann::json::parse(text.value(), nullptr, false);
    if (doc.is_discarded())
        return fail(Error::make("error.central.catalogue_invalid", "the file is not valid JSON"));
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto version = store.value()->import_catalogue(doc, clock::unix_ms());
    if (!version.ok())
        return fail(version.error());
    std::cout << "catalogue version " << version.value() << " published\n";
    return 0;
}

int cmd_application_decide(const Args& a)
{
    std::string ref = a.get("--ref"), status = a.get("--status"), note = a.get("--note");
    auto loc = location(a, "application decide");
    if (!loc)
        return 2;
    if (ref.empty() || status.empty())
        return usage("application decide needs --ref and --status");
    if (status != "approved" && status != "rejected" && status != "ready")
        return usage("--status must be approved, rejected or ready");
    if (note.size() > 2000 || ref.size() > 128)
        return usage("--note or --ref is too long");
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    std::string reason = a.get("--reason");
    if (reason.size() > 64 || reason.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
        return usage("--reason is a reason code such as documents_missing");
    auto cursor = store.value()->add_decision(ref, status, note, clock::unix_ms(), a.get("--terminal"), reason);
    if (!cursor.ok())
        return fail(cursor.error());
    std::cout << "decision recorded for " << ref << ": " << status << " (cursor " << cursor.value() << ")\n";
    return 0;
}

int cmd_verify(const Args& a)
{
    auto loc = location(a, "verify");
    if (!loc)
        return 2;
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto report = central::verify_store(*store.value());
    if (!report.ok())
        return fail(report.error());
    const auto& r = report.value();
    for (const auto& d : r.details)
        std::cout << "problem: " << d << "\n";
    std::cout << (r.ok() ? "verified: " : "NOT verified: ") << r.terminals << " terminals, " << r.entries
              << " entries checked (signature, chain, seq)";
    if (r.archived)
        std::cout << ", " << r.archived << " in archived months";
    std::cout << ", " << r.problems << " problems\n";
    return r.ok() ? 0 : 1;
}

void print_archive(const central::ArchiveInfo& info)
{
    std::cout << "archive of " << info.month / 100 << "-" << (info.month % 100 < 10 ? "0" : "") << info.month % 100 << ": "
              << info.entries << " entries of " << info.terminals << " terminals, every signature and chain verified\n"
              << "signed by central key " << info.server_public_key << "\n"
              << "file sha256 " << info.file_sha256 << "\n";
}

// The key auditors and citizens check central's checkpoints with (nafitha-ctl audit --central-key).
int cmd_public_key(const Args& a)
{
    auto loc = location(a, "public-key");
    if (!loc)
        return 2;
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto keys = central::load_central_key(*store.value(), loc->data_dir, a.get("--key"));
    if (!keys.ok())
        return fail(keys.error());
    std::cout << protocol::encode_public_key(keys->public_key) << "\n";
    std::cout << "log origin: " << protocol::log_origin(keys->public_key) << "\n";
    return 0;
}

int cmd_archive_export(const Args& a)
{
    auto loc = location(a, "archive export");
    if (!loc)
        return 2;
    auto month = central::parse_month(a.get("--month"));
    std::string out = a.get("--out");
    if (!month || out.empty())
        return usage("archive export needs --month YYYY-MM and --out FILE");
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto keys = central::load_central_key(*store.value(), loc->data_dir, a.get("--key"));
    if (!keys.ok())
        return fail(keys.error());
    auto info = central::export_month(*store.value(), *month, keys.value(), out, clock::unix_ms());
    if (!info.ok())
        return fail(info.error());
    print_archive(info.value());
    return 0;
}

int cmd_archive_verify(const Args& a)
{
    if (a.positionals.size() != 1)
        return usage("archive verify needs one FILE");
    auto info = central::verify_archive(a.positionals[0]);
    if (!info.ok())
        return fail(info.error());
    if (auto expected = a.get("--central-key"); !expected.empty() && expected != info->server_public_key)
        return fail(Error::make("error.central.archive_invalid", "the archive is signed by another central key"));
    print_archive(info.value());
    return 0;
}

int cmd_archive_detach(const Args& a)
{
    auto loc = location(a, "archive detach");
    if (!loc)
        return 2;
    auto month = central::parse_month(a.get("--month"));
    std::string file = a.get("--archive");
    if (!month || file.empty())
        return usage("archive detach needs --month YYYY-MM and --archive FILE");
    auto info = central::verify_archive(file);
    if (!info.ok())
        return fail(info.error());
    if (info->month != *month)
        return fail(Error::make("error.central.archive_mismatch", "the archive is of another month"));
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    central::MonthSummary summary{*month, info->entries, info->file_sha256, info->ranges};
    auto table = store.value()->detach_month(summary, clock::unix_ms());
    if (!table.ok())
        return fail(table.error());
    std::cout << "month detached: its " << info->entries << " entries are now only in table " << table.value()
              << " (drop it once the archive is safely stored) and in " << file << "\n";
    return 0;
}

int cmd_backup(const Args& a)
{
    std::string data = a.get("--data"), out = a.get("--out");
    if (!a.get("--store").empty())
        return usage("backup copies the SQLite store; back PostgreSQL up with pg_basebackup and WAL archiving (docs/OPERATIONS.md)");
    if (data.empty() || out.empty())
        return usage("backup needs --data DIR and --out FILE");
    auto entries = central::backup_sqlite_store(data, out);
    if (!entries.ok())
        return fail(entries.error());
    std::cout << "backup written to " << out << " (" << entries.value() << " entries, integrity checked)\n";
    return 0;
}

int cmd_store_info(const Args& a)
{
    auto loc = location(a, "store info");
    if (!loc)
        return 2;
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto counts = store.value()->counts();
    if (!counts.ok())
        return fail(counts.error());
    std::cout << store.value()->kind() << " store at " << loc->describe() << ", schema version " << store.value()->schema_version()
              << ", " << counts->entries << " entries\n";
    return 0;
}

Result<std::vector<central::indicators::Definition>> indicator_definitions(const Args& a)
{
    std::string file = a.get("--definitions");
    if (file.empty())
        return central::indicators::builtin_definitions();
    auto text = fs::read_file(file, 1 << 20);
    if (!text.ok())
        return Error::make("error.indicators.definitions", "cannot read " + file + ": " + text.error().detail);
    auto doc = nlohmann::json::parse(text.value(), nullptr, false);
    if (doc.is_discarded())
        return Error::make("error.indicators.definitions", file + " is not JSON");
    return central::indicators::parse_definitions(doc);
}

int cmd_indicator_definitions(const Args& a)
{
    if (!a.has_flag("--json"))
        return fail(Error::make("error.indicators.usage", "indicators definitions prints JSON: add --json"));
    auto defs = indicator_definitions(a);
    if (!defs.ok())
        return fail(defs.error());
    auto i18n = I18n::load(paths::assets_dir());
    if (!i18n.ok())
        return fail(i18n.error());
    auto out = nlohmann::ordered_json::array();
    for (const auto& d : defs.value()) {
        nlohmann::ordered_json j;
        j["id"] = d.id;
        j["name"] = {{"ar", std::string(i18n->text(Lang::Ar, d.name_key()))}, {"en", std::string(i18n->text(Lang::En, d.name_key()))}};
        j["numerator"] = d.numerator;
        j["denominator"] = d.denominator.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(d.denominator);
        j["unit"] = d.unit;
        j["direction"] = d.direction;
        j["target"] = d.target ? nlohmann::ordered_json(*d.target) : nlohmann::ordered_json(nullptr);
        out.push_back(std::move(j));
    }
    std::cout << out.dump() << "\n";
    return 0;
}

int cmd_indicators(const Args& a)
{
    auto loc = location(a, "indicators");
    if (!loc)
        return 2;
    bool csv = a.has_flag("--csv");
    if (a.has_flag("--json") == csv || !a.positionals.empty())
        return fail(Error::make("error.indicators.usage", "indicators prints JSON or CSV: add --json or --csv"));
    central::indicators::Query q;
    q.now_ms = clock::unix_ms();
    q.from_ms = 0;
    q.to_ms = std::numeric_limits<int64_t>::max();
    if (auto from = a.get("--from"); !from.empty()) {
        auto ms = central::indicators::parse_day(from, "from");
        if (!ms.ok())
            return fail(ms.error());
        q.from_ms = ms.value();
    }
    if (auto to = a.get("--to"); !to.empty()) {
        auto ms = central::indicators::parse_day(to, "to");
        if (!ms.ok())
            return fail(ms.error());
        q.to_ms = ms.value() + 86'400'000; // the whole last day
    }
    if (q.to_ms <= q.from_ms)
        return fail(Error::make("error.indicators.range", "--from is after --to", "from"));
    if (auto by = a.get("--by"); !by.empty()) {
        if (by.size() > 200)
            return fail(Error::make("error.indicators.dimension", "--by is too long", "by"));
        size_t start = 0;
        for (;;) {
            auto comma = by.find(',', start);
            q.by.push_back(by.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
            if (comma == std::string::npos)
                break;
            start = comma + 1;
        }
    }
    auto defs = indicator_definitions(a);
    if (!defs.ok())
        return fail(defs.error());
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto rows = central::indicators::compute(*store.value(), defs.value(), q);
    if (!rows.ok())
        return fail(rows.error());
    if (csv)
        std::cout << central::to_csv(rows.value());
    else
        std::cout << rows.value().dump() << "\n";
    return 0;
}

// updates ...: the signed apt repository (central/updates.h).
int cmd_updates(const std::string& what, const Args& a)
{
    std::filesystem::path data = a.get("--data");
    if (data.empty())
        return usage("updates " + what + " needs --data DIR");
    if (what == "key generate" || what == "key export") {
        std::filesystem::path out = a.get("--public-out");
        if (out.empty())
            return usage("updates " + what + " needs --public-out FILE");
        auto fpr = what == "key generate" ? central::updates::generate_key(data, out) : central::updates::export_public(data, out);
        if (!fpr.ok())
            return fail(fpr.error());
        std::cout << "update-signing key " << fpr.value() << "; public keyring written to " << out.string() << "\n";
        return 0;
    }
    if (what == "key import") {
        if (a.positionals.size() != 1)
            return usage("updates key import needs the secret key FILE");
        auto fpr = central::updates::import_key(data, a.positionals[0]);
        if (!fpr.ok())
            return fail(fpr.error());
        std::cout << "update-signing key " << fpr.value() << " imported\n";
        return 0;
    }
    if (what == "publish") {
        if (a.positionals.empty())
            return usage("updates publish needs FILE.deb");
        for (const auto& deb : a.positionals) {
            auto p = central::updates::publish(data, deb);
            if (!p.ok())
                return fail(p.error());
            std::cout << "published " << p->package << " " << p->version << " (" << p->architecture << "): "
                      << p->packages_in_repo << " package(s) in " << central::updates::repo_dir(data).string() << "\n";
        }
        return 0;
    }
    if (what == "bundle") {
        std::filesystem::path out = a.get("--out");
        if (out.empty())
            return usage("updates bundle needs --out FILE");
        auto r = central::updates::bundle(data, out);
        if (!r.ok())
            return fail(r.error());
        std::cout << "bundle written to " << out.string() << "\n";
        return 0;
    }
    return usage("unknown command 'updates " + what + "'");
}

// The password for `user add` and `user reset-password`: one line on stdin.
std::string read_password()
{
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r')
        password.pop_back();
    return password;
}

int cmd_user_add(const Args& a)
{
    std::string name = a.get("--name"), role = a.get("--role"), entity = a.get("--entity"), centre = a.get("--centre");
    auto loc = location(a, "user add");
    if (!loc)
        return 2;
    if (name.empty() || role.empty())
        return usage("user add needs --name and --role");
    if (name.size() > 64 || name.find_first_of(" \t\r\n:/") != std::string::npos)
        return usage("--name: at most 64 characters, no spaces, ':' or '/'");
    if (role != "ministry" && role != "entity" && role != "centre")
        return usage("--role must be ministry, entity or centre");
    if ((role == "entity") != !entity.empty() || (role == "centre") != !centre.empty())
        return usage("--role entity needs --entity CODE, --role centre needs --centre CODE, and only they");
    if (entity.size() > 64 || centre.size() > 64)
        return usage("--entity or --centre is too long");
    protocol::init_crypto();
    auto hash = central::front::hash_password(read_password());
    if (!hash.ok())
        return fail(hash.error());
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto web = central::open_web_store(*loc);
    if (!web.ok())
        return fail(web.error());
    auto added = web.value()->add_user(central::WebUser{name, role, entity, centre, hash.value(), 0, 0, clock::unix_ms(), false});
    if (!added.ok())
        return fail(added.error());
    std::cout << "user " << name << " added (" << role << (entity.empty() ? "" : " " + entity) << (centre.empty() ? "" : " " + centre)
              << ")\n";
    return 0;
}

// user disable|enable|reset-password STORE --name NAME
int cmd_user_change(const std::string& what, const Args& a)
{
    std::string name = a.get("--name");
    auto loc = location(a, "user " + what);
    if (!loc)
        return 2;
    if (name.empty() || name.size() > 64)
        return usage("user " + what + " needs --name NAME");
    std::string hash;
    if (what == "reset-password") {
        protocol::init_crypto();
        auto h = central::front::hash_password(read_password());
        if (!h.ok())
            return fail(h.error());
        hash = h.value();
    }
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto web = central::open_web_store(*loc);
    if (!web.ok())
        return fail(web.error());
    auto done = what == "reset-password" ? web.value()->set_password(name, hash) : web.value()->set_disabled(name, what == "disable");
    if (!done.ok())
        return fail(done.error());
    if (what == "disable")
        std::cout << "user " << name << " disabled (its sessions ended)\n";
    else if (what == "enable")
        std::cout << "user " << name << " enabled\n";
    else
        std::cout << "password of " << name << " changed (its sessions ended, its lock cleared)\n";
    return 0;
}

int cmd_users(const Args& a)
{
    auto loc = location(a, "users");
    if (!loc)
        return 2;
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto web = central::open_web_store(*loc);
    if (!web.ok())
        return fail(web.error());
    auto users = web.value()->users();
    if (!users.ok())
        return fail(users.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& u : users.value()) {
        if (a.has_flag("--json"))
            out.push_back({{"name", u.name}, {"role", u.role}, {"entity", u.entity}, {"centre", u.centre}, {"failed", u.failed},
                           {"locked_until_ms", u.locked_until_ms}, {"disabled", u.disabled},
                           {"created", clock::iso8601_utc(u.created_ms)}});
        else
            std::cout << u.name << "\t" << u.role << "\t" << u.entity << u.centre << "\tfailed " << u.failed
                      << (u.disabled ? "\tdisabled" : "") << (u.locked_until_ms > clock::unix_ms() ? "\tlocked" : "") << "\n";
    }
    if (a.has_flag("--json"))
        std::cout << out.dump() << "\n";
    return 0;
}

int cmd_audit(const Args& a)
{
    auto loc = location(a, "audit");
    if (!loc)
        return 2;
    int64_t limit = 100;
    if (!number_option(a, "--limit", 1, 1'000'000, limit))
        return usage("--limit must be a number from 1 to 1000000");
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto web = central::open_web_store(*loc);
    if (!web.ok())
        return fail(web.error());
    auto rows = web.value()->audit(limit);
    if (!rows.ok())
        return fail(rows.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows.value()) {
        if (a.has_flag("--json"))
            out.push_back({{"id", r.id}, {"time", clock::iso8601_utc(r.time_ms)}, {"user", r.user}, {"action", r.action},
                           {"subject", r.subject}, {"peer", r.peer}});
        else
            std::cout << clock::iso8601_utc(r.time_ms) << "\t" << r.user << "\t" << r.action << "\t" << r.subject << "\t" << r.peer << "\n";
    }
    if (a.has_flag("--json"))
        std::cout << out.dump() << "\n";
    return 0;
}

int cmd_costs(const std::string& what, const Args& a)
{
    if ((what != "set" && what != "list") || !a.positionals.empty())
        return fail(Error::make("error.costs.usage", "costs set or costs list"));
    auto loc = location(a, "costs " + what);
    if (!loc)
        return 2;
    if (what == "set") {
        auto cost = central::indicators::make_cost(a.get("--entity"), a.get("--centre"), a.get("--month"), a.get("--amount-minor"),
                                                   clock::unix_ms());
        if (!cost.ok())
            return fail(cost.error());
        auto store = open(*loc);
        if (!store.ok())
            return fail(store.error());
        if (auto r = central::indicators::set_cost(*store.value(), cost.value()); !r.ok())
            return fail(r.error());
        return 0;
    }
    auto store = open(*loc);
    if (!store.ok())
        return fail(store.error());
    auto list = store.value()->costs();
    if (!list.ok())
        return fail(list.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : list.value()) {
        char month[16];
        std::snprintf(month, sizeof month, "%04d-%02d", c.month / 100, c.month % 100);
        if (a.has_flag("--json"))
            out.push_back({{"scope", c.scope}, {"code", c.code}, {"month", month}, {"amount_minor", c.amount_minor},
                           {"set_at", clock::iso8601_utc(c.set_ms)}});
        else
            std::cout << c.scope << "\t" << c.code << "\t" << month << "\t" << c.amount_minor << "\n";
    }
    if (a.has_flag("--json"))
        std::cout << out.dump() << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2)
        return usage("no command");
    std::string c1 = argv[1], c2 = argc >= 3 ? argv[2] : "";
    if (c1 == "--version") {
        std::cout << "nafitha-central " NAFITHA_VERSION "\n";
        return 0;
    }
    if (c1 == "--help" || c1 == "help") {
        std::cout << "nafitha-central " NAFITHA_VERSION " — the Nafitha central server\n\n" << kUsage;
        return 0;
    }
    if (c1 == "serve") {
        fatal_signal::install("nafitha-central");
        return cmd_serve(parse(argc, argv, 2));
    }
    if (c1 == "terminals")
        return cmd_terminals(parse(argc, argv, 2));
    if (c1 == "terminal" && c2 == "add")
        return cmd_terminal_add(parse(argc, argv, 3));
    if (c1 == "terminal" && c2 == "revoke")
        return cmd_terminal_revoke(parse(argc, argv, 3));
    if (c1 == "catalogue" && c2 == "import")
        return cmd_catalogue_import(parse(argc, argv, 3));
    if (c1 == "verify")
        return cmd_verify(parse(argc, argv, 2));
    if (c1 == "archive" && c2 == "export")
        return cmd_archive_export(parse(argc, argv, 3));
    if (c1 == "archive" && c2 == "verify")
        return cmd_archive_verify(parse(argc, argv, 3));
    if (c1 == "archive" && c2 == "detach")
        return cmd_archive_detach(parse(argc, argv, 3));
    if (c1 == "public-key")
        return cmd_public_key(parse(argc, argv, 2));
    if (c1 == "backup")
        return cmd_backup(parse(argc, argv, 2));
    if (c1 == "store" && c2 == "info")
        return cmd_store_info(parse(argc, argv, 3));
    if (c1 == "indicators" && c2 == "definitions")
        return cmd_indicator_definitions(parse(argc, argv, 3));
    if (c1 == "indicators")
        return cmd_indicators(parse(argc, argv, 2));
    if (c1 == "costs")
        return cmd_costs(c2, parse(argc, argv, 3));
    if (c1 == "updates" && c2 == "key" && argc >= 4)
        return cmd_updates(std::string("key ") + argv[3], parse(argc, argv, 4));
    if (c1 == "updates" && !c2.empty())
        return cmd_updates(c2, parse(argc, argv, 3));
    if (c1 == "user" && c2 == "add")
        return cmd_user_add(parse(argc, argv, 3));
    if (c1 == "user" && (c2 == "disable" || c2 == "enable" || c2 == "reset-password"))
        return cmd_user_change(c2, parse(argc, argv, 3));
    if (c1 == "user" && c2 == "list")
        return cmd_users(parse(argc, argv, 3));
    if (c1 == "users")
        return cmd_users(parse(argc, argv, 2));
    if (c1 == "audit")
        return cmd_audit(parse(argc, argv, 2));
    if (c1 == "application" && c2 == "decide")
        return cmd_application_decide(parse(argc, argv, 3));
    return usage("unknown command '" + c1 + "'");
}
