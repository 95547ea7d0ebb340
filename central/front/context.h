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

namespace nafitha::central {
class DeferredSignatures;
}

namespace nafitha::central::front {

struct EnrollLimits {
    int64_t per_address = 20;                     // attempts per address per window
    int64_t per_address_window_ms = 10 * 60'000;
    int64_t overall = 600;                        // attempts from everyone per window
    int64_t overall_window_ms = 60'000;
};

// Reads of the transparency log (public, unauthenticated): per client address and window, in each instance.
struct LogReadLimits {
    int64_t per_address = 600;
    int64_t window_ms = 60'000;
};

struct FrontConfig {
    ListenerLimits terminals;                      // the terminals' listener
    ListenerLimits admin;                          // the operators' listener
    size_t pool_threads = 16;                      // signed reads, enrollment, metrics (mostly waiting on the nonce fsync)
    size_t pool_queue = 4096;
    size_t ingest_threads = 2;                     // batches (memory-heavy: few at once)
    size_t ingest_queue = 256;
    EnrollLimits enroll;
    LogReadLimits log_reads;
    int64_t checkpoint_every_ms = 60'000;          // a signed checkpoint of the transparency log when it grew
    protocol::BatchLimits batch;
    HealthLimits health;
    std::string api_token_sha256;                  // SHA-256 (hex) of the operators' API token (serve --api-token-file);
                                                   // empty: GET /v1/indicators refuses everyone
};

// How long a catalogue stays valid on terminals when its document does not say ("expires": "YYYY-MM-DD").
inline constexpr int64_t kCatalogueValidityMs = 180LL * 24 * 3600 * 1000;

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

    // Central's signature over the answer, bound to the request (its terminal, nonce and signature, method,
    // target): the header X-Nafitha-Answer-Signature (sync/protocol/signed.h). Added to every answer of the
    // terminals' listener whose request carried a well-formed nonce; runs on the pool thread with the handler.
    void sign_answer(const Request& req, Response& res) const;
    // A statement signed with central's key (an ack, a decision, a catalogue...).
    protocol::Signed sign(nlohmann::json statement) const;
    // The signed CatalogueStatement of a stored catalogue (its version, the SHA-256 of its canonical JSON, when it
    // was imported and when it expires: the document's "expires" day, else kCatalogueValidityMs after import).
    // Kept for the latest version, so that the document is hashed once.
    Result<protocol::Signed> catalogue_statement(const CatalogueRecord& record);

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
    DeferredSignatures* signatures = nullptr; // the entry signatures checked after the answer (central/signatures.h)

private:
    std::mutex m_catalogue_mutex;
    int64_t m_catalogue_version = 0;
    protocol::Signed m_catalogue_statement;
    std::mutex m_spent_mutex;
    std::unordered_map<std::string, int64_t> m_spent; // rate key -> end of its spent window (unix ms)
};

} // namespace nafitha::central::front
