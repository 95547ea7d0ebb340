// nafitha-ctl loadgen: many simulated terminals against a real nafitha-central, speaking the real protocol
// with real enrolled keys (sync/client/loadgen.h). Prints latency percentiles, errors by code, and what was
// acknowledged, lost or duplicated.
//
//   nafitha-central terminal add --data CDIR --centre LOAD --name lg --count 10000 > codes.txt
//   nafitha-ctl loadgen --server http://central:8443 --terminals 10000 --duration 120 --drain 100
//                       --codes codes.txt --state lg-keys.jsonl

#include "installer/ctl/command.h"

#include "sync/client/loadgen.h"

#include <filesystem>
#include <fstream>
#include <iostream>

using namespace nafitha;

namespace {

int fail(const Error& e)
{
    std::cerr << "nafitha-ctl: " << e.to_string() << "\n";
    return 1;
}

bool to_int(const std::optional<std::string>& text, int64_t lo, int64_t hi, int64_t& out)
{
    if (!text)
        return true;
    try {
        size_t used = 0;
        long long v = std::stoll(*text, &used);
        if (used != text->size() || v < lo || v > hi)
            return false;
        out = v;
        return true;
    } catch (...) {
        return false;
    }
}

// The codes in FILE: every line that looks like XXXX-XXXX-XXXX (other lines are ignored).
std::vector<std::string> read_codes(const std::string& path)
{
    std::vector<std::string> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (line.size() == 14 && line[4] == '-' && line[9] == '-')
            out.push_back(line);
    }
    return out;
}

int run_loadgen(ctl::Args& args)
{
    auto server = args.option("server");
    auto codes_file = args.option("codes");
    auto state_file = args.option("state");
    auto ca = args.option("ca");
    int64_t terminals = 0, duration_s = 60, drain = 0, backlog = 2000, threads = 64, pull_s = 60;
    bool ok = to_int(args.option("terminals"), 1, 1'000'000, terminals) && to_int(args.option("duration"), 1, 86'400, duration_s)
        && to_int(args.option("drain"), 0, 1'000'000, drain) && to_int(args.option("backlog"), 1, 1'000'000, backlog)
        && to_int(args.option("threads"), 1, 4096, threads) && to_int(args.option("pull-interval"), 1, 86'400, pull_s);
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!ok || !server || terminals <= 0)
        return ctl::usage_error("loadgen needs --server URL --terminals N (and numbers in range)");
    if (drain > terminals)
        return ctl::usage_error("--drain cannot exceed --terminals");

    sync::HttpOptions http;
    if (ca)
        http.ca_file = std::filesystem::absolute(*ca).string();
    std::vector<journal::Identity> ids;
    if (state_file) {
        auto kept = sync::load::load_identities(*state_file);
        if (!kept.ok())
            return fail(kept.error());
        ids = kept.release_value();
    }
    if (static_cast<int64_t>(ids.size()) < terminals) {
        size_t missing = static_cast<size_t>(terminals) - ids.size();
        if (!codes_file)
            return ctl::usage_error("need " + std::to_string(missing) + " more enrolled terminals: pass --codes FILE");
        auto codes = read_codes(*codes_file);
        if (codes.size() < missing)
            return ctl::usage_error(*codes_file + " holds " + std::to_string(codes.size()) + " codes, " + std::to_string(missing)
                                    + " are needed");
        codes.resize(missing);
        std::cerr << "enrolling " << missing << " terminals...\n";
        auto enrolled = sync::load::enroll(*server, codes, static_cast<size_t>(threads), http);
        if (!enrolled.ok())
            return fail(enrolled.error());
        ids.insert(ids.end(), enrolled->begin(), enrolled->end());
        if (state_file)
            if (auto saved = sync::load::save_identities(*state_file, ids); !saved.ok())
                return fail(saved.error());
    }
    ids.resize(static_cast<size_t>(terminals));

    sync::load::Options options;
    options.server_url = *server;
    options.duration_ms = duration_s * 1000;
    options.threads = static_cast<size_t>(threads);
    options.pull_interval_ms = pull_s * 1000;
    options.drainers = static_cast<size_t>(drain);
    options.backlog_entries = backlog;
    options.http = http;
    std::cerr << "loadgen: " << terminals << " terminals pulling every " << pull_s << " s (±25 %) for " << duration_s
              << " s, " << drain << " of them draining " << backlog << " entries\n";
    auto report = sync::load::run(ids, options);
    if (!report.ok())
        return fail(report.error());
    std::cout << report->summary();
    return report->lost == 0 && report->duplicated == 0 ? 0 : 3;
}

} // namespace

NAFITHA_CTL_COMMAND(loadgen, "loadgen",
                    "loadgen --server URL --terminals N [--duration S] [--drain M] [--backlog B] [--codes FILE] "
                    "[--state FILE] [--threads T] [--pull-interval S] [--ca FILE]",
                    run_loadgen);
