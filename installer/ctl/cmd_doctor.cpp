// nafitha-ctl doctor: what a technician checks first on a terminal, one line per finding in the chosen language
// (assets/i18n/<lang>/doctor.json), worst finding first in the exit code: 0 all ok, 1 a warning, 3 a failure
// (2 stays a usage error). --json prints the findings as an array instead.
//
// Findings: the data folder (exists, 0700), free disk, the database's integrity check, the journal (every hash,
// signature and link), the backlog (entries central has not acknowledged, and the age of the oldest), the
// enrollment, central (a signed request answered and verified), the clock against central's, and the printer
// (with --printer).

#include "base/clock.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "devices/printer_status.h"
#include "devices/transport.h"
#include "installer/ctl/command.h"
#include "kiosk/services/inspect.h"
#include "sync/client/central_client.h"
#include "sync/client/config.h"
#include "sync/journal/identity.h"
#include "sync/journal/journal.h"

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/statvfs.h>

using namespace nafitha;

namespace {

enum class Level { Ok, Warn, Fail };

const char* level_name(Level l)
{
    switch (l) {
    case Level::Ok: return "ok";
    case Level::Warn: return "warn";
    case Level::Fail: return "fail";
    }
    return "fail";
}

struct Finding {
    std::string check;  // data, disk, database, journal, backlog, enrollment, central, clock, printer
    Level level = Level::Ok;
    std::string key;    // translation key
    std::vector<std::pair<std::string, std::string>> args;
    std::string detail; // technical detail (error code), not translated
};

// Thresholds, documented in docs/OPERATIONS.md ("nafitha-ctl doctor").
constexpr uint64_t kDiskFailBytes = 64ull << 20;   // the terminal refuses transactions below 16 MiB
constexpr uint64_t kDiskWarnBytes = 512ull << 20;
constexpr int64_t kBacklogWarnMs = 60ll * 60 * 1000;       // an hour
constexpr int64_t kBacklogFailMs = 24ll * 60 * 60 * 1000;  // a day
constexpr int64_t kClockWarnMs = 30'000;
constexpr int64_t kClockFailMs = 5 * 60'000;

std::string error_text(const I18n& i18n, Lang lang, const Error& e)
{
    return i18n.message(lang, e);
}

// The text for `key` with {name} placeholders filled from `args` (built at run time, unlike TrArgs).
std::string fill(const I18n& i18n, Lang lang, const std::string& key, const std::vector<std::pair<std::string, std::string>>& args)
{
    std::string out(i18n.text(lang, key));
    for (const auto& [name, value] : args) {
        const std::string mark = "{" + name + "}";
        for (size_t at = out.find(mark); at != std::string::npos; at = out.find(mark, at + value.size()))
            out.replace(at, mark.size(), value);
    }
    return out;
}

std::string minutes_text(int64_t ms)
{
    return std::to_string(std::max<int64_t>(0, ms / 60'000));
}

int run_doctor(ctl::Args& args)
{
    auto data = args.option("data");
    auto lang_opt = args.option("lang");
    auto printer = args.option("printer");
    bool as_json = args.flag("json");
    bool offline = args.flag("offline");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!data)
        return ctl::usage_error("doctor needs --data DIR");
    auto lang = parse_lang(lang_opt.value_or("ar"));
    if (!lang.ok())
        return ctl::usage_error("--lang is ar or en");
    auto i18n_loaded = I18n::load(paths::assets_dir());
    if (!i18n_loaded.ok()) {
        std::cerr << "nafitha-ctl: " << i18n_loaded.error().to_string() << "\n";
        return 3;
    }
    const I18n& i18n = i18n_loaded.value();
    const std::filesystem::path dir = *data;
    std::vector<Finding> findings;
    auto add = [&](std::string check, Level level, std::string key, std::vector<std::pair<std::string, std::string>> a = {},
                   std::string detail = {}) {
        findings.push_back({std::move(check), level, std::move(key), std::move(a), std::move(detail)});
    };

    // The data folder.
    struct stat st {};
    bool have_dir = ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    if (!have_dir)
        add("data", Level::Fail, "doctor.data.missing", {{"dir", dir.string()}});
    else if ((st.st_mode & 077) != 0)
        add("data", Level::Warn, "doctor.data.open", {{"dir", dir.string()}});
    else
        add("data", Level::Ok, "doctor.data.ok", {{"dir", dir.string()}});

    // Free disk where the data lives.
    struct statvfs vfs {};
    if (::statvfs(have_dir ? dir.c_str() : dir.parent_path().c_str(), &vfs) == 0) {
        uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
        std::vector<std::pair<std::string, std::string>> a = {{"mb", std::to_string(free_bytes >> 20)}};
        if (free_bytes < kDiskFailBytes)
            add("disk", Level::Fail, "doctor.disk.full", a);
        else if (free_bytes < kDiskWarnBytes)
            add("disk", Level::Warn, "doctor.disk.low", a);
        else
            add("disk", Level::Ok, "doctor.disk.ok", a);
    }

    // Database and journal.
    auto identity = journal::load_identity(dir);
    auto config = sync::load_config(dir);
    if (!identity.ok()) {
        add("journal", Level::Fail, "doctor.journal.no_identity", {}, identity.error().to_string());
    } else {
        std::optional<protocol::PublicKey> central_key;
        if (config.ok())
            if (auto k = protocol::decode_public_key(config->server_public_key); k.ok())
                central_key = k.value();
        auto check = services::check_terminal(dir, identity->keys.public_key, central_key);
        if (!check.ok()) {
            add("database", Level::Fail, "doctor.database.unreadable", {{"error", error_text(i18n, *lang, check.error())}},
                check.error().to_string());
        } else {
            if (check->integrity == "ok")
                add("database", Level::Ok, "doctor.database.ok");
            else
                add("database", Level::Fail, "doctor.database.corrupt", {}, check->integrity);
            const auto& r = check->journal;
            if (r.ok())
                add("journal", Level::Ok, "doctor.journal.ok", {{"entries", std::to_string(r.entries)}});
            else
                add("journal", Level::Fail, "doctor.journal.broken", {{"seq", std::to_string(r.first_bad_seq)}}, r.problem);
        }
        // The backlog: what central has not acknowledged, and since when.
        auto facts = services::read_facts(dir);
        if (facts.ok()) {
            int64_t pending = facts->last_seq - facts->acked_seq;
            if (pending <= 0) {
                add("backlog", Level::Ok, "doctor.backlog.none");
            } else {
                int64_t age_ms = 0;
                if (auto reader = journal::Reader::open(dir / "terminal.db"); reader.ok())
                    if (auto oldest = reader.value().entries_after(facts->acked_seq, 1, 1 << 20); oldest.ok() && !oldest->empty())
                        if (auto t = clock::parse_iso8601_ms(oldest->front().time))
                            age_ms = clock::unix_ms() - *t;
                std::vector<std::pair<std::string, std::string>> a = {{"count", std::to_string(pending)},
                                                                      {"minutes", minutes_text(age_ms)}};
                Level l = age_ms > kBacklogFailMs ? Level::Fail : (age_ms > kBacklogWarnMs ? Level::Warn : Level::Ok);
                add("backlog", l, "doctor.backlog.pending", a);
            }
        }
    }

    // Enrollment, central and the clock.
    if (!config.ok()) {
        add("enrollment", Level::Fail, "doctor.enrollment.none", {}, config.error().to_string());
    } else {
        add("enrollment", Level::Ok, "doctor.enrollment.ok", {{"centre", config->centre}, {"server", config->server_url}});
        if (!offline && identity.ok()) {
            sync::HttpOptions http;
            http.ca_file = config->ca_file;
            http.connect_timeout_ms = 5000;
            http.transfer_timeout_ms = 15000;
            std::optional<protocol::PublicKey> central_key;
            if (auto k = protocol::decode_public_key(config->server_public_key); k.ok())
                central_key = k.value();
            sync::CentralClient client(config->server_url, identity.value(), http, central_key);
            client.set_clock_offset_ms(config->clock_offset_ms);
            auto state = client.terminal_state();
            if (!state.ok()) {
                add("central", Level::Fail, "doctor.central.unreachable",
                    {{"server", config->server_url}, {"error", error_text(i18n, *lang, state.error())}}, state.error().to_string());
            } else {
                add("central", Level::Ok, "doctor.central.ok", {{"server", config->server_url}});
                int64_t off = client.clock_offset_ms();
                int64_t abs_off = off < 0 ? -off : off;
                std::vector<std::pair<std::string, std::string>> a = {{"seconds", std::to_string(off / 1000)}};
                if (abs_off > kClockFailMs)
                    add("clock", Level::Fail, "doctor.clock.off", a);
                else if (abs_off > kClockWarnMs)
                    add("clock", Level::Warn, "doctor.clock.drift", a);
                else
                    add("clock", Level::Ok, "doctor.clock.ok", a);
            }
        }
    }

    // The printer, when named.
    if (printer) {
        auto address = devices::parse_address(*printer);
        if (!address.ok())
            return ctl::usage_error(address.error().to_string());
        auto t = devices::open_transport(*address, devices::Millis(3000));
        Result<devices::PrinterStatus> s = t.ok() ? devices::query_status(**t, devices::Millis(2000))
                                                  : Result<devices::PrinterStatus>(t.error());
        if (!s.ok())
            add("printer", Level::Fail, "doctor.printer.unreachable",
                {{"printer", *printer}, {"error", error_text(i18n, *lang, s.error())}}, s.error().to_string());
        else if (s->paper_out || s->cover_open || s->error || !s->online)
            add("printer", Level::Fail, "doctor.printer.not_ready", {{"printer", *printer}, {"state", s->code()}});
        else if (s->paper_near_end)
            add("printer", Level::Warn, "doctor.printer.paper_low", {{"printer", *printer}});
        else
            add("printer", Level::Ok, "doctor.printer.ok", {{"printer", *printer}});
    }

    Level worst = Level::Ok;
    for (const auto& f : findings)
        worst = std::max(worst, f.level);
    auto text_of = [&](const Finding& f) { return fill(i18n, *lang, f.key, f.args); };
    if (as_json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& f : findings) {
            nlohmann::json j = {{"check", f.check}, {"level", level_name(f.level)}, {"key", f.key}, {"text", text_of(f)}};
            if (!f.detail.empty())
                j["detail"] = f.detail;
            out.push_back(j);
        }
        std::cout << out.dump(2) << "\n";
    } else {
        for (const auto& f : findings) {
            std::cout << i18n.tr(*lang, std::string("doctor.level.") + level_name(f.level)) << "  " << text_of(f);
            if (!f.detail.empty() && f.level != Level::Ok)
                std::cout << " (" << f.detail << ")";
            std::cout << "\n";
        }
    }
    return worst == Level::Ok ? 0 : (worst == Level::Warn ? 1 : 3);
}

} // namespace

NAFITHA_CTL_COMMAND(doctor, "doctor",
                    "doctor --data DIR [--lang ar|en] [--json] [--printer ADDRESS] [--offline]  what is wrong with this terminal, "
                    "one line per finding; exit 0 ok, 1 warning, 3 failure",
                    run_doctor);
