// nafitha-central: the central server (enrollment, ingest, verification, projections, indicators).

#include "base/clock.h"
#include "base/crash_point.h"
#include "base/fs.h"
#include "base/fatal_signal.h"
#include "base/log.h"
#include "central/server.h"

#include <csignal>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <pthread.h>
#include <thread>
#include <vector>

using namespace nafitha;

namespace {

const char* kUsage =
    "usage: nafitha-central COMMAND [OPTIONS]\n"
    "  serve --data DIR --listen HOST:PORT [--admin-listen HOST:PORT|none] [--tls-cert FILE --tls-key FILE]\n"
    "        [--threads N] [--ingest-threads N] [--max-connections N] [--max-connections-per-address N]\n"
    "        [--header-timeout-s N] [--min-free-mb N] [--enroll-per-address N] [--enroll-per-minute N]\n"
    "  terminal add --data DIR --centre CODE --name NAME    (prints the one-time enrollment code last)\n"
    "  terminal revoke --data DIR --id TERMINAL_ID\n"
    "  terminals --data DIR [--json]\n"
    "  catalogue import --data DIR FILE\n"
    "  application decide --data DIR --ref REFERENCE --status approved|rejected|ready [--note TEXT]\n"
    "                     [--terminal TERMINAL_ID]   (when several terminals used the same reference)\n"
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
    static const std::vector<std::string> switches = {"--json"};
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

int fail(const Error& e)
{
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

int cmd_serve(const Args& a)
{
    std::string data = a.get("--data"), listen = a.get("--listen");
    if (data.empty() || listen.empty())
        return usage("serve needs --data and --listen");
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
    config.data_dir = data;
    config.tls_cert = a.get("--tls-cert");
    config.tls_key = a.get("--tls-key");
    if (config.tls_cert.empty() != config.tls_key.empty())
        return usage("--tls-cert and --tls-key go together");
    int64_t threads = config.threads, ingest = static_cast<int64_t>(config.front.ingest_threads);
    int64_t max_conn = config.front.terminals.max_connections, per_addr = config.front.terminals.max_connections_per_address;
    int64_t header_s = config.front.terminals.header_timeout_ms / 1000;
    int64_t min_free_mb = static_cast<int64_t>(config.front.health.min_free_bytes / (1024 * 1024));
    int64_t enroll_addr = config.front.enroll.per_address, enroll_minute = config.front.enroll.overall;
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
    crash_point_ready();
    std::cout << "listening on " << where->first << ":" << bound.value() << (config.tls_cert.empty() ? " (http)" : " (https)")
              << "\n";
    if (admin_port)
        std::cout << "admin listening on " << admin_where->first << ":" << *admin_port << " (http: /metrics, /v1/health)\n";
    std::cout << std::flush;
    log::info("central", "serving: open files limit " + std::to_string(central::raise_open_files_limit()));
    auto* raw = server.value().get();
    std::thread waiter([raw, set] {
        int sig = 0;
        sigwait(&set, &sig);
        raw->stop();
    });
    raw->run();
    // Wake the waiter if run() ended on its own.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    return 0;
}

int cmd_terminal_add(const Args& a)
{
    std::string data = a.get("--data"), centre = a.get("--centre"), name = a.get("--name");
    if (data.empty() || centre.empty() || name.empty())
        return usage("terminal add needs --data, --centre and --name");
    if (centre.size() > 64 || name.size() > 256)
        return usage("--centre or --name is too long");
    auto store = central::open_sqlite_store(data);
    if (!store.ok())
        return fail(store.error());
    auto code = central::create_enrollment_code(*store.value(), centre, name, clock::unix_ms());
    if (!code.ok())
        return fail(code.error());
    std::cout << "enrollment code for '" << name << "' at centre " << centre << ", valid once until "
              << clock::iso8601_utc(clock::unix_ms() + central::kEnrollmentCodeLifetimeMs) << ":\n"
              << code.value() << std::endl;
    return 0;
}

int cmd_terminal_revoke(const Args& a)
{
    std::string data = a.get("--data"), id = a.get("--id");
    if (data.empty() || id.empty())
        return usage("terminal revoke needs --data and --id");
    auto store = central::open_sqlite_store(data);
    if (!store.ok())
        return fail(store.error());
    if (auto r = store.value()->revoke(id); !r.ok())
        return fail(r.error());
    std::cout << "terminal " << id << " revoked\n";
    return 0;
}

int cmd_terminals(const Args& a)
{
    std::string data = a.get("--data");
    if (data.empty())
        return usage("terminals needs --data");
    auto store = central::open_sqlite_store(data);
    if (!store.ok())
        return fail(store.error());
    auto list = store.value()->terminals();
    if (!list.ok())
        return fail(list.error());
    if (a.has_flag("--json")) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& t : list.value())
            out.push_back({{"id", t.id},
                           {"centre", t.centre},
                           {"name", t.name},
                           {"status", t.status},
                           {"entries", t.entries},
                           {"last_seq", t.last_seq},
                           {"last_hash", t.last_hash},
                           {"enrolled_at", clock::iso8601_utc(t.enrolled_ms)},
                           {"last_ingest_at", t.last_ingest_ms ? nlohmann::json(clock::iso8601_utc(t.last_ingest_ms)) : nlohmann::json()}});
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    for (const auto& t : list.value())
        std::cout << t.id << "  " << t.centre << "  " << t.status << "  entries=" << t.entries << "  last_seq=" << t.last_seq
                  << "  " << t.name << "\n";
    return 0;
}

int cmd_catalogue_import(const Args& a)
{
    std::string data = a.get("--data");
    if (data.empty() || a.positionals.size() != 1)
        return usage("catalogue import needs --data DIR and one FILE");
    auto text = fs::read_file(a.positionals[0], 16 * 1024 * 1024);
    if (!text.ok())
        return fail(text.error());
    auto doc = nlohmann::json::parse(text.value(), nullptr, false);
    if (doc.is_discarded())
        return fail(Error::make("error.central.catalogue_invalid", "the file is not valid JSON"));
    auto store = central::open_sqlite_store(data);
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
    std::string data = a.get("--data"), ref = a.get("--ref"), status = a.get("--status"), note = a.get("--note");
    if (data.empty() || ref.empty() || status.empty())
        return usage("application decide needs --data, --ref and --status");
    if (status != "approved" && status != "rejected" && status != "ready")
        return usage("--status must be approved, rejected or ready");
    if (note.size() > 2000 || ref.size() > 128)
        return usage("--note or --ref is too long");
    auto store = central::open_sqlite_store(data);
    if (!store.ok())
        return fail(store.error());
    auto cursor = store.value()->add_decision(ref, status, note, clock::unix_ms(), a.get("--terminal"));
    if (!cursor.ok())
        return fail(cursor.error());
    std::cout << "decision recorded for " << ref << ": " << status << " (cursor " << cursor.value() << ")\n";
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
    if (c1 == "application" && c2 == "decide")
        return cmd_application_decide(parse(argc, argv, 3));
    return usage("unknown command '" + c1 + "'");
}
