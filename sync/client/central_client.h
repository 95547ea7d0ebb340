#pragma once
// The terminal's view of nafitha-central: signed requests (method, path, body hash, time, nonce) with the
// terminal key, and the refusals turned into values. The client learns its clock offset from the server and
// retries once when its clock is off by more than the accepted skew.

#include "base/result.h"
#include "sync/client/http.h"
#include "sync/journal/identity.h"
#include "sync/protocol/health.h"
#include "sync/protocol/messages.h"

#include <optional>
#include <string>
#include <vector>

namespace nafitha::sync {

// What the server said when it refused a request (the Error's code is the server's error code).
struct Refusal {
    long http_status = 0; // 0 when no answer arrived at all
    std::optional<int64_t> expected_seq;
    std::optional<int64_t> bad_seq;
    std::optional<int64_t> acked_seq;
    int64_t retry_after_s = 0; // from Retry-After on 429 and 503
};

// Whether to try again later (network, 5xx, busy) or to stop and raise the alarm.
enum class Retry { Later, Never };
Retry classify(const Error& error, const Refusal& refusal);

// A signed acknowledgement, checked: central holds this terminal's entries 1..ack.seq, the one at seq with ack.hash.
struct CheckedAck {
    protocol::Ack ack;
    protocol::Signed signed_ack; // kept by the terminal (journal::record_ack)
    int64_t stored = 0;          // ingest: entries newly stored by this request
};

struct CheckedDecision {
    protocol::DecisionStatement decision;
    protocol::Signed signed_decision;
};

struct CheckedCatalogue {
    bool up_to_date = true;
    int64_t version = 0;
    nlohmann::json document;             // when not up to date: its canonical SHA-256 is the statement's
    protocol::CatalogueStatement statement;
    protocol::Signed signed_statement;
};

struct CheckedPolicy {
    bool up_to_date = true;
    int64_t version = 0;
    protocol::Policy policy;
    protocol::Signed signed_policy;
};

class CentralClient {
public:
    // `central_key` is the key pinned at enrollment (sync.json server_public_key): every answer and statement is
    // checked against it, and anything unsigned or wrongly signed is refused (error.sync.answer_unsigned,
    // error.sync.answer_forged). Without one (only before enrollment, and in the load generator) nothing is checked.
    CentralClient(std::string server_url, journal::Identity identity, HttpOptions options,
                  std::optional<protocol::PublicKey> central_key = std::nullopt);

    // Unsigned request: the terminal sends its id, its public key and the one-time code. The answer's enrollment
    // statement must be signed by the key it names (or by the pinned key, when one was given: a technician may
    // check central's key out of band), for this terminal and this public key. The key is then pinned.
    Result<protocol::EnrollResponse> enroll(const std::string& code);

    Result<CheckedAck> terminal_state();
    // Sends the entries gzip-compressed in one signed request; the answer's ack names this terminal.
    Result<CheckedAck> ingest(const std::vector<protocol::Entry>& entries);
    // Decisions after the cursor, each signed and naming this terminal, in cursor order.
    Result<std::vector<CheckedDecision>> status(int64_t after_cursor);
    Result<CheckedCatalogue> catalogue(int64_t have_version);
    Result<CheckedPolicy> policy(int64_t have_version);
    // Tells central about a fork found on this side (POST /v1/alarm).
    Result<void> report_alarm(const protocol::AlarmReport& report);
    // Sends the terminal's health report signed with its key (POST /v1/terminal/health); the terminal id is set here.
    Result<void> send_health(protocol::HealthReport report);

    // Details of the last refusal (valid after a call failed).
    const Refusal& last_refusal() const { return m_refusal; }
    int64_t clock_offset_ms() const { return m_clock_offset_ms; }
    // Added to the local clock when signing; learnt from the server after a clock_skew refusal. Tests set it to
    // play a terminal whose clock is wrong.
    void set_clock_offset_ms(int64_t offset) { m_clock_offset_ms = offset; }
    int64_t wire_bytes_sent() const { return m_http.bytes_sent(); }
    void set_abort(const std::atomic<bool>* flag) { m_http.set_abort(flag); }
    // Drops the kept connection: called after each burst of requests so that an idle terminal holds no
    // connection open at central.
    void close_connections() { m_http.close_connections(); }

    const std::optional<protocol::PublicKey>& central_key() const { return m_central_key; }

private:
    // What a request carried that central's answer signature covers.
    struct Sent {
        std::string method, target, nonce, signature;
    };
    Result<HttpResponse> signed_request(const char* method, const std::string& path, const std::string& body,
                                        const char* content_type, Sent& sent);
    Result<nlohmann::json> expect_ok(Result<HttpResponse> response, const Sent& sent);
    void observe_server_time(const nlohmann::json& body);
    Result<CheckedAck> check_ack(const nlohmann::json& answer);

    std::string m_url;
    journal::Identity m_identity;
    HttpClient m_http;
    std::optional<protocol::PublicKey> m_central_key;
    Refusal m_refusal;
    int64_t m_clock_offset_ms = 0;
};

} // namespace nafitha::sync
