// nafitha-ctl simulate, journal verify, status: the terminal's data and its journal, for technicians and tests.

#include "installer/ctl/command.h"

#include "base/clock.h"
#include "base/log.h"
#include "kiosk/services/inspect.h"
#include "kiosk/services/simulator.h"
#include "kiosk/services/terminal.h"
#include "sync/client/config.h"
#include "sync/journal/identity.h"
#include "sync/journal/journal.h"

#include <charconv>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

namespace nafitha::ctl {

// Other command groups (sync) add their fields to `status` by registering a function here:
//   namespace nafitha::ctl { using StatusExtension = void (*)(const std::filesystem::path&, nlohmann::json&);
//                            std::vector<StatusExtension>& status_extensions(); }
using StatusExtension = void (*)(const std::filesystem::path& data_dir, nlohmann::json& status);
std::vector<StatusExtension>& status_extensions()
{
    static std::vector<StatusExtension> extensions;
    return extensions;
}

} // namespace nafitha::ctl

using namespace nafitha;

static std::optional<int64_t> parse_int(const std::string& s)
{
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        return std::nullopt;
    return v;
}

static int fail(const Error& e)
{
    std::cerr << "nafitha-ctl: " << e.to_string() << "\n";
    return 1;
}

static int run_simulate(ctl::Args& args)
{
    auto data = args.option("data");
    auto count = args.option("transactions");
    auto seed_text = args.option("seed");
    auto centre = args.option("centre");
    auto no_show_text = args.option("no-show-every");
    bool verbose = args.flag("verbose");
    bool keep_going = args.flag("keep-going");
    auto abandon_text = args.option("abandon-every");
    auto close_text = args.option("close-day");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!data || !count)
        return ctl::usage_error("simulate needs --data DIR and --transactions N");
    auto n = parse_int(*count);
    if (!n || *n < 0 || *n > 10'000'000)
        return ctl::usage_error("--transactions must be a whole number from 0 to 10000000");
    uint64_t seed = 1;
    if (seed_text) {
        auto s = parse_int(*seed_text);
        if (!s || *s < 0)
            return ctl::usage_error("--seed must be a non-negative whole number");
        seed = static_cast<uint64_t>(*s);
    }
    int64_t no_show_every = 0;
    if (no_show_text) {
        auto v = parse_int(*no_show_text);
        if (!v || *v < 0 || *v > 1000)
            return ctl::usage_error("--no-show-every must be a whole number from 0 to 1000");
        no_show_every = *v;
    }
    services::TerminalOptions options;
    options.data_dir = *data;
    if (centre)
        options.centre = *centre;
    // An enrolled terminal's records carry central's time (the offset the sync client last measured).
    if (auto sync_config = sync::load_config(*data); sync_config.ok())
        clock::set_reference_offset_ms(sync_config->clock_offset_ms);
    auto terminal = services::Terminal::open(options);
    if (!terminal.ok())
        return fail(terminal.error());
    auto& t = *terminal.value();
    auto clerk = services::Simulator::ensure_clerk(t);
    if (!clerk.ok())
        return fail(clerk.error());
    services::Simulator sim(t, seed, clerk.value());
    sim.no_show_every(static_cast<int>(no_show_every));
    if (abandon_text) {
        auto every = parse_int(*abandon_text);
        if (!every || *every < 1 || *every > 1000)
            return ctl::usage_error("--abandon-every must be a whole number from 1 to 1000");
        sim.abandon_every(static_cast<int>(*every));
    }
    std::optional<int64_t> close_difference;
    if (close_text) {
        close_difference = parse_int(*close_text);
        if (!close_difference || *close_difference < -1'000'000'000 || *close_difference > 1'000'000'000)
            return ctl::usage_error("--close-day must be a whole number of minor units from -1000000000 to 1000000000");
    }
    // With --verbose: "attempt N" before each visit, "committed REF SERVICE" the moment its reference would
    // be shown to the citizen, "failed CODE" when a visit fails and --keep-going goes on to the next one.
    if (verbose)
        sim.on_committed([](const std::string& reference, const std::string& service) {
            std::cout << "committed " << reference << " " << service << std::endl;
        });
    int64_t apps = 0, tickets = 0, surveys = 0, paid = 0, failed = 0;
    for (int64_t i = 0; i < *n; ++i) {
        if (verbose)
            std::cout << "attempt " << i + 1 << std::endl;
        auto visit = sim.visit();
        if (!visit.ok()) {
            if (!keep_going)
                return fail(visit.error());
            std::cerr << "nafitha-ctl: " << visit.error().to_string() << "\n";
            if (verbose)
                std::cout << "failed " << visit.error().code << std::endl;
            ++failed;
            continue;
        }
        ++apps;
        tickets += visit->ticket;
        surveys += visit->survey;
        paid += visit->paid_minor;
    }
    if (close_difference) {
        auto z = sim.close_drawer(*close_difference);
        if (!z.ok())
            return fail(z.error());
        std::cout << "closed " << z->day << ": declared " << z->declared_minor << ", computed " << z->computed_minor << ", difference "
                  << z->difference_minor << "\n";
    }
    auto status = t.journal_status();
    if (!status.ok())
        return fail(status.error());
    std::cout << "simulated " << apps << " visits at " << t.centre() << ": " << tickets << " through the queue, " << surveys
              << " surveys, " << paid / 100 << " SYP collected; terminal " << t.identity().terminal_id << ", journal last seq "
              << status->last_seq << ", pending " << status->pending << "\n";
    if (failed > 0) {
        std::cout << failed << " visits failed\n";
        return 1;
    }
    return 0;
}

static int run_verify(ctl::Args& args)
{
    auto data = args.option("data");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!data)
        return ctl::usage_error("journal verify needs --data DIR");
    auto identity = journal::load_identity(*data);
    if (!identity.ok())
        return fail(identity.error());
    // Central's key, pinned at enrollment: its kept acknowledgement must still match the journal.
    std::optional<protocol::PublicKey> central_key;
    if (auto config = sync::load_config(*data); config.ok())
        if (auto k = protocol::decode_public_key(config->server_public_key); k.ok())
            central_key = k.value();
    auto check = services::check_terminal(*data, identity->keys.public_key, central_key);
    if (!check.ok())
        return fail(check.error());
    const auto& report = check->journal;
    if (!report.ok()) {
        std::cout << "journal BROKEN at entry " << report.first_bad_seq << ": " << report.problem << " (" << report.entries
                  << " entries verified before it)\n";
        return 1;
    }
    if (!check->tables.ok()) {
        std::cout << "journal verifies (" << report.entries << " entries) but the tables differ from it: "
                  << check->tables.first_difference << "\n";
        return 1;
    }
    if (check->integrity != "ok") {
        std::cout << "journal verifies (" << report.entries << " entries) but the database check says: " << check->integrity
                  << "\n";
        return 1;
    }
    std::cout << "journal ok: " << report.entries << " entries, last seq " << report.last_seq << ", acked "
              << check->acked_seq << ", terminal " << identity->terminal_id << "; " << check->tables.rows
              << " table rows equal the journal's projection"
              << (report.ack_checked ? "; central's signed acknowledgement matches" : "") << "\n";
    return 0;
}

static int run_status(ctl::Args& args)
{
    auto data = args.option("data");
    bool as_json = args.flag("json");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!data)
        return ctl::usage_error("status needs --data DIR");
    auto facts = services::read_facts(*data);
    if (!facts.ok())
        return fail(facts.error());
    nlohmann::json s = {{"journal_last_seq", facts->last_seq},
                        {"acked_seq", facts->acked_seq},
                        {"pending", facts->last_seq - facts->acked_seq}};
    if (auto id = journal::load_identity(*data); id.ok())
        s["terminal_id"] = id->terminal_id;
    s["schema_version"] = facts->schema_version;
    s["catalogue_version"] = facts->catalogue_version;
    s["applications"] = facts->applications;
    std::error_code ec;
    s["enrolled"] = std::filesystem::exists(std::filesystem::path(*data) / "sync.json", ec);
    for (auto ext : ctl::status_extensions())
        ext(*data, s);
    if (as_json) {
        std::cout << s.dump(2) << "\n";
    } else {
        for (auto& [k, v] : s.items())
            std::cout << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
    }
    return 0;
}

NAFITHA_CTL_COMMAND(simulate, "simulate",
                    "simulate --data DIR --transactions N [--seed S] [--centre CODE] [--no-show-every N] [--abandon-every K] [--close-day DIFF] [--verbose] [--keep-going]  citizen visits through the services (every K-th also preceded by a visit abandoned at the form; then a Z report declaring the computed cash + DIFF minor units)",
                    run_simulate);
NAFITHA_CTL_COMMAND(journal_verify, "journal verify", "journal verify --data DIR  check every hash, signature, the sequence, central's acknowledgement and the tables against the journal",
                    run_verify);
NAFITHA_CTL_COMMAND(status, "status", "status --data DIR [--json]  journal position, acknowledged and pending entries", run_status);
