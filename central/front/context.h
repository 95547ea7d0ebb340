#pragma once
// What every route handler of the front door shares: the store, central's keys, metrics, the rate-limited
// log, health, the limits in force; and the one way to refuse a request (uniform answers to outsiders, the
// real reason and the client's address in central's own log).

#include "central/front/health.h"
#include "central/front/http.h"
#include "central/front/listener.h"
#include "central/front/log_limiter.h"
#include "central/metrics.h"
#include "central/store.h"
#include "sync/protocol/batch_reader.h"
#include "sync/protocol/crypto.h"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace nafitha::central::front {

struct EnrollLimits {
    int64_t per_address = 20;                     // attempts per address per window
    int64_t per_address_window_ms = 10 * 60'000;
    int64_t overall = 600;                        // attempts from everyone per window
    int64_t overall_window_ms = 60'000;
};

struct FrontConfig {
    ListenerLimits terminals;                      // the terminals' listener
    ListenerLimits admin;                          // the operators' listener
    size_t pool_threads = 16;                      // signed reads, enrollment, metrics (mostly waiting on the nonce fsync)
    size_t pool_queue = 4096;
    size_t ingest_threads = 2;                     // batches (memory-heavy: few at once)
    size_t ingest_queue = 256;
    EnrollLimits enroll;
    protocol::BatchLimits batch;
    HealthLimits health;
};

struct Refusal {
    int status = 400;
    std::string code;          // translation key, e.g. error.central.unauthenticated
    std::string detail;        // English, what the client sees
    std::string log_detail;    // the real reason for central's log (defaults to detail)
    std::optional<int64_t> expected_seq, bad_seq, acked_seq;
    int retry_after_s = 0;
};

Refusal refusal(int status, std::string code, std::string detail, std::string log_detail = {});

class Context {
public:
    Context(Store& store, protocol::KeyPair keys, Metrics& metrics, LogLimiter& log, HealthMonitor& health,
            FrontConfig config, std::string instance)
        : store(store), keys(std::move(keys)), metrics(metrics), log(log), health(health), config(std::move(config)),
          instance(std::move(instance))
    {
    }

    // Counts and logs (rate-limited, with the client's address) and builds the JSON answer.
    Response refuse(const Request& req, Refusal r);

    // Enrollment guesses: a store-backed fixed window per address and one overall. A refusal (429 with
    // Retry-After) or nothing. Windows known to be spent are remembered here so that a flood of guesses
    // does not become a flood of store writes.
    std::optional<Refusal> limit_enrollment(const Request& req, int64_t now_ms);

    Store& store;
    protocol::KeyPair keys;
    Metrics& metrics;
    LogLimiter& log;
    HealthMonitor& health;
    FrontConfig config;
    std::string instance;

private:
    std::mutex m_spent_mutex;
    std::unordered_map<std::string, int64_t> m_spent; // rate key -> end of its spent window (unix ms)
};

} // namespace nafitha::central::front
