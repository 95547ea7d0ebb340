#pragma once
// A load generator that speaks the real protocol with real enrolled keys (nafitha-ctl loadgen, and the
// central benchmarks). Each simulated terminal is a CentralClient of its own: signed requests, gzip batches,
// a new connection per pass (as the sync worker does), pulls on the real schedule (status + catalogue every
// pull interval, ±25 % jitter, first pulls spread over one interval). Some terminals start with a backlog of
// sealed, chained journal entries and drain it in batches, as terminals do when a link comes back. At the
// end every draining terminal asks central where it stands, so the report can say what was acknowledged,
// lost (acknowledged but not held) or duplicated (stored twice).
//
// In fixed-rate mode (benchmarks) the terminals instead send signed GET /v1/status at a total rate, open
// loop: latency counts from the moment a request was due, so a slow server cannot hide its queueing.

#include "base/result.h"
#include "sync/client/http.h"
#include "sync/journal/identity.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nafitha::sync::load {

struct Options {
    std::string server_url;
    int64_t duration_ms = 60'000;
    size_t threads = 64;                // requests in flight at most
    int64_t pull_interval_ms = 60'000;  // the sync worker's pull interval
    size_t drainers = 0;                // terminals (the first ones) that start with a backlog
    int64_t backlog_entries = 2000;
    size_t batch_entries = 2000;        // the sync worker's batch size
    double fixed_rate = 0;              // > 0: signed GET /v1/status at this total rate instead of the schedule
    bool keep_connections = false;      // fixed-rate mode: keep each client's connection between requests
    HttpOptions http;
};

struct Report {
    int64_t requests = 0;
    int64_t errors = 0;
    std::map<std::string, int64_t> errors_by_code;
    std::map<std::string, std::vector<int64_t>> latency_ns; // by kind: terminal, status, catalogue, ingest
    std::vector<int64_t> all_latency_ns;
    int64_t drainers = 0;
    int64_t drained = 0;      // draining terminals whose whole backlog is acknowledged
    int64_t acknowledged = 0; // entries central acknowledged to the generator
    int64_t lost = 0;         // acknowledged, but central no longer holds them
    int64_t duplicated = 0;   // stored more than once (central's "stored" counts over the advance of its seq)
    double elapsed_s = 0;

    static double percentile_ms(std::vector<int64_t> ns, double p);
    std::string summary() const;
};

// Enrolls one new identity per code (several at once); the codes come from `nafitha-central terminal add`.
Result<std::vector<journal::Identity>> enroll(const std::string& server_url, const std::vector<std::string>& codes,
                                              size_t threads, const HttpOptions& http);

// Identities kept between runs: one JSON object per line {"terminal_id", "secret_key"}.
Result<std::vector<journal::Identity>> load_identities(const std::string& path);
Result<void> save_identities(const std::string& path, const std::vector<journal::Identity>& ids);

Result<Report> run(const std::vector<journal::Identity>& terminals, const Options& options);

} // namespace nafitha::sync::load
