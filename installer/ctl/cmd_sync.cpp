// nafitha-ctl enroll, sync: enroll the terminal at nafitha-central with a one-time code, and ship the journal
// (pulling central decisions and catalogue updates into kiosk/services).

#include "installer/ctl/command.h"

#include "base/clock.h"
#include "base/fs.h"
#include "kiosk/services/terminal.h"
#include "sync/client/config.h"
#include "sync/client/enroll.h"
#include "sync/client/worker.h"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

namespace nafitha::ctl {
using StatusExtension = void (*)(const std::filesystem::path& data_dir, nlohmann::json& status);
std::vector<StatusExtension>& status_extensions();
} // namespace nafitha::ctl

using namespace nafitha;

namespace {

int fail(const Error& e)
{
    std::cerr << "nafitha-ctl: " << e.to_string() << "\n";
    return 1;
}

// Adds the sync fields to `nafitha-ctl status --json`.
void sync_status(const std::filesystem::path& data_dir, nlohmann::json& status)
{
    auto config = sync::load_config(data_dir);
    nlohmann::json s = {{"enrolled", config.ok()}};
    if (config.ok()) {
        s["server_url"] = config->server_url;
        s["centre"] = config->centre;
        s["catalogue_version"] = config->catalogue_version;
        s["status_cursor"] = config->status_cursor;
    }
    auto alarm_path = data_dir / "sync_alarm.json";
    s["alarm"] = std::filesystem::exists(alarm_path);
    if (std::filesystem::exists(alarm_path)) {
        if (auto text = fs::read_file(alarm_path, 64 * 1024); text.ok()) {
            auto j = nlohmann::json::parse(text.value(), nullptr, false);
            if (j.is_object())
                s["alarm_error"] = j.value("error", "");
        }
    }
    status["sync"] = s;
}

[[maybe_unused]] const bool registered = (ctl::status_extensions().push_back(&sync_status), true);

int run_enroll(ctl::Args& args)
{
    auto data = args.option("data");
    auto server = args.option("server");
    auto code = args.option("code");
    auto ca = args.option("ca");
    auto central_key = args.option("central-key");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!data || !server || !code)
        return ctl::usage_error("enroll needs --data DIR --server URL --code CODE");
    sync::HttpOptions http;
    if (ca)
        http.ca_file = std::filesystem::absolute(*ca).string();
    auto config = sync::enroll(*data, *server, *code, http, central_key.value_or(""));
    if (!config.ok())
        return fail(config.error());
    std::cout << "enrolled terminal " << config->terminal_id << " at centre " << config->centre << " (" << config->server_url
              << "), central key " << config->server_public_key << " pinned\n";
    return 0;
}

void print_progress(const sync::SyncProgress& p)
{
    std::cout << "journal " << p.last_seq << ", acknowledged " << p.acked_seq << ", pending " << p.pending;
    if (p.last_success_ms)
        std::cout << ", last success " << clock::iso8601_utc(p.last_success_ms);
    if (p.last_error)
        std::cout << ", last error " << p.last_error->to_string();
    if (p.alarm)
        std::cout << " [ALARM: queue stopped]";
    std::cout << std::endl;
}

int run_sync(ctl::Args& args)
{
    auto data = args.option("data");
    auto server = args.option("server");
    bool once = args.flag("once");
    bool clear_alarm = args.flag("clear-alarm");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!data)
        return ctl::usage_error("sync needs --data DIR");
    auto config = sync::load_config(*data);
    if (!config.ok())
        return fail(config.error());
    if (clear_alarm) {
        if (auto r = sync::SyncWorker::clear_alarm(*data); !r.ok())
            return fail(r.error());
        std::cout << "sync alarm cleared\n";
    }
    // Services migrate the database and record what central decides, in their own transactions.
    services::TerminalOptions topts;
    topts.data_dir = *data;
    topts.centre = config->centre;
    auto terminal = services::Terminal::open(topts);
    if (!terminal.ok())
        return fail(terminal.error());
    auto* t = terminal.value().get();
    sync::SyncCallbacks callbacks;
    callbacks.apply_decision = [t](const sync::CheckedDecision& c) {
        const auto& d = c.decision;
        return t->apply_central_decision(d.reference, d.status, d.note, d.decided_at, d.cursor, c.signed_decision.signature, d.reason);
    };
    callbacks.install_catalogue = [t](const sync::CheckedCatalogue& c) {
        return t->install_central_catalogue(c.document, c.signed_statement);
    };
    sync::SyncOptions options;
    options.data_dir = *data;
    if (server)
        options.server_url = *server;
    auto worker = sync::SyncWorker::create(options, callbacks);
    if (!worker.ok())
        return fail(worker.error());
    auto& w = *worker.value();
    if (once) {
        auto r = w.run_once();
        print_progress(w.progress());
        if (!r.ok())
            return fail(r.error());
        return w.progress().pending == 0 ? 0 : 1;
    }
    // Until SIGINT or SIGTERM: the worker runs on its own thread; progress is printed every 10 s.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    w.start();
    timespec tick{10, 0};
    while (sigtimedwait(&set, nullptr, &tick) < 0)
        print_progress(w.progress());
    w.stop();
    print_progress(w.progress());
    return 0;
}

} // namespace

NAFITHA_CTL_COMMAND(enroll, "enroll", "enroll --data DIR --server URL --code CODE [--ca FILE] [--central-key B64]  enroll at nafitha-central and pin its key",
                    run_enroll);
NAFITHA_CTL_COMMAND(sync, "sync",
                    "sync --data DIR [--once] [--server URL] [--clear-alarm]  ship the journal, pull decisions and catalogue (--server: this run only)",
                    run_sync);
