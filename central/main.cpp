// nafitha-central: the central server (enrollment, ingest, verification, projections, indicators).

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "central/server.h"

#include <csignal>
#include <cstring>
#include <iostream>
#include <map>
#include <pthread.h>
#include <thread>
#include <vector>

using namespace nafitha;

namespace {

const char* kUsage =
    "usage: nafitha-central COMMAND [OPTIONS]\n"
    "  serve --data DIR --listen HOST:PORT [--tls-cert FILE --tls-key FILE] [--threads N]\n"
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

int cmd_serve(const Args& a)
{
    std::string data = a.get("--data"), listen = a.get("--listen");
    if (data.empty() || listen.empty())
        return usage("serve needs --data and --listen");
    auto colon = listen.rfind(':');
    if (colon == std::string::npos)
        return usage("--listen must be HOST:PORT");
    std::string host = listen.substr(0, colon);
    int port = 0;
    try {
        port = std::stoi(listen.substr(colon + 1));
    } catch (...) {
        return usage("--listen must be HOST:PORT");
    }
    central::ServerConfig config;
    config.data_dir = data;
    config.tls_cert = a.get("--tls-cert");
    config.tls_key = a.get("--tls-key");
    if (config.tls_cert.empty() != config.tls_key.empty())
        return usage("--tls-cert and --tls-key go together");
    if (auto t = a.get("--threads"); !t.empty())
        config.threads = std::max(1, std::min(64, std::atoi(t.c_str())));

    // SIGINT and SIGTERM stop the server cleanly; they are waited for on a thread of their own.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    auto server = central::CentralServer::create(config);
    if (!server.ok())
        return fail(server.error());
    auto bound = server.value()->bind(host, port);
    if (!bound.ok())
        return fail(bound.error());
    std::cout << "listening on " << host << ":" << bound.value() << (config.tls_cert.empty() ? " (http)" : " (https)")
              << std::endl;
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
    if (c1 == "serve")
        return cmd_serve(parse(argc, argv, 2));
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
