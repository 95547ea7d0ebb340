#pragma once
// Wire messages between the sync client and nafitha-central, their limits, and request signing.
// docs/PROTOCOL.md describes every endpoint, field and status code.

#include "base/result.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/entry.h"
#include "sync/protocol/signed.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::protocol {

// Request headers of a signed request.
inline constexpr const char* kHeaderTerminal = "X-Nafitha-Terminal";
inline constexpr const char* kHeaderTime = "X-Nafitha-Time";          // unix milliseconds, UTC
inline constexpr const char* kHeaderNonce = "X-Nafitha-Nonce";        // 32 lowercase hex chars, fresh per request
inline constexpr const char* kHeaderSignature = "X-Nafitha-Signature"; // base64 Ed25519 of the signing string
// Every response carries the server's clock (unix milliseconds) so that a terminal can see its own skew.
inline constexpr const char* kHeaderServerTime = "X-Nafitha-Server-Time";
// The ingest body is gzip-compressed canonical-free JSON; this is its content type.
inline constexpr const char* kBatchContentType = "application/vnd.nafitha.batch+json+gzip";

// Limits (the server enforces them; the client stays below them).
inline constexpr int64_t kMaxClockSkewMs = 15 * 60 * 1000;
inline constexpr size_t kMaxRequestBodyBytes = 8 * 1024 * 1024;   // bytes on the wire (413 above)
inline constexpr size_t kMaxBatchJsonBytes = 32 * 1024 * 1024;    // after gunzip (413 above)
inline constexpr size_t kMaxBatchEntries = 5000;                  // entries per ingest request (413 above)
inline constexpr size_t kMaxSmallBodyBytes = 64 * 1024;           // enroll and other JSON bodies
inline constexpr size_t kMaxStatusDecisions = 500;                // decisions per status response

// The terminal id derived from its public key: "T" + first 12 hex chars of sha256(public key bytes).
std::string terminal_id_for(const PublicKey& public_key);

// Request signing. The signing string is
//   "NAFITHA-REQ-1\n" METHOD "\n" PATH-WITH-QUERY "\n" sha256_hex(BODY) "\n" TIME_MS "\n" NONCE "\n" TERMINAL
struct RequestAuth {
    std::string terminal_id;
    int64_t time_ms = 0;
    std::string nonce;
    std::string signature;
};

std::string request_signing_string(std::string_view method, std::string_view path, std::string_view body,
                                   int64_t time_ms, std::string_view nonce, std::string_view terminal_id);
std::string make_nonce();
RequestAuth sign_request(const SecretKey& secret_key, std::string terminal_id, std::string_view method,
                         std::string_view path, std::string_view body, int64_t time_ms);
// Parses the four signed-request header values strictly (the server's first check): terminal id "T" + 12 hex,
// time as decimal unix ms, nonce 16–64 hex characters, signature base64 of at most 128 characters. Nothing
// when any of them is missing or malformed.
std::optional<RequestAuth> parse_request_auth(std::string_view terminal, std::string_view time, std::string_view nonce,
                                              std::string_view signature);

// Checks the signature only (the server checks the clock and the nonce itself).
bool verify_request(const PublicKey& public_key, const RequestAuth& auth, std::string_view method,
                    std::string_view path, std::string_view body);

// Parses JSON text with a size bound; error.sync.message_malformed.
Result<nlohmann::json> parse_json(std::string_view text, size_t max_bytes);

// POST /v1/enroll
struct EnrollRequest {
    std::string code;
    std::string terminal_id;
    std::string public_key; // base64
};
nlohmann::json to_json(const EnrollRequest& m);
Result<EnrollRequest> enroll_request_from_json(const nlohmann::json& j);

struct EnrollResponse {
    std::string terminal_id;
    std::string centre;
    std::string name;
    std::string server_public_key; // base64
    int64_t catalogue_version = 0;
    int64_t server_time_ms = 0;
    Signed enrollment;             // EnrollmentStatement signed by server_public_key (signed.h)
};
nlohmann::json to_json(const EnrollResponse& m);
Result<EnrollResponse> enroll_response_from_json(const nlohmann::json& j);

// POST /v1/ingest (gzip body)
struct IngestRequest {
    std::string terminal_id;
    std::vector<Entry> entries;
};
nlohmann::json to_json(const IngestRequest& m);
Result<IngestRequest> ingest_request_from_json(const nlohmann::json& j);

struct IngestResponse {
    int64_t acked_seq = 0;
    int64_t stored = 0;   // entries newly stored by this request (0 for a retry)
    int64_t server_time_ms = 0;
    Signed ack;           // Ack {terminal, seq = acked_seq, hash of the entry at seq}
};
nlohmann::json to_json(const IngestResponse& m);
Result<IngestResponse> ingest_response_from_json(const nlohmann::json& j);

// Every refusal: {"error": code, "detail": text, "expected_seq"?, "bad_seq"?, "acked_seq"?, "server_time_ms"}.
struct ErrorResponse {
    std::string error;
    std::string detail;
    std::optional<int64_t> expected_seq;
    std::optional<int64_t> bad_seq;
    std::optional<int64_t> acked_seq;
    int64_t server_time_ms = 0;
};
nlohmann::json to_json(const ErrorResponse& m);
Result<ErrorResponse> error_response_from_json(const nlohmann::json& j);

// GET /v1/terminal: where the server stands for the calling terminal.
struct TerminalState {
    std::string terminal_id;
    std::string centre;
    std::string status;
    int64_t acked_seq = 0;
    std::string last_hash;
    int64_t server_time_ms = 0;
    Signed ack;           // Ack {terminal, seq = acked_seq, hash = last_hash}
};
nlohmann::json to_json(const TerminalState& m);
Result<TerminalState> terminal_state_from_json(const nlohmann::json& j);

// GET /v1/status?after=CURSOR
struct Decision {
    int64_t cursor = 0;
    std::string reference;
    std::string status; // approved | rejected | ready
    std::string note;
    std::string decided_at; // ISO 8601 UTC
    std::string reason;     // a decision reason code, or empty
};
struct StatusResponse {
    std::vector<Signed> decisions; // DecisionStatement each, in cursor order
    int64_t next_cursor = 0;
    int64_t server_time_ms = 0;
};
nlohmann::json to_json(const StatusResponse& m);
Result<StatusResponse> status_response_from_json(const nlohmann::json& j);

// GET /v1/catalogue?have=VERSION
struct CatalogueResponse {
    int64_t version = 0;
    bool up_to_date = false;
    nlohmann::json document; // the whole catalogue document when not up to date
    Signed catalogue;        // CatalogueStatement for `document` when not up to date
    int64_t server_time_ms = 0;
};
nlohmann::json to_json(const CatalogueResponse& m);
Result<CatalogueResponse> catalogue_response_from_json(const nlohmann::json& j);

// GET /v1/policy?have=VERSION
struct PolicyResponse {
    int64_t version = 0;     // central's current policy version (0: none)
    bool up_to_date = false;
    Signed policy;           // the Policy statement when not up to date
    int64_t server_time_ms = 0;
};
nlohmann::json to_json(const PolicyResponse& m);
Result<PolicyResponse> policy_response_from_json(const nlohmann::json& j);

// POST /v1/alarm: a terminal tells central what it found wrong (today: a fork between its journal and central's ack).
struct AlarmReport {
    std::string kind;          // "fork"
    int64_t seq = 0;
    std::string terminal_hash; // the terminal's entry at seq
    std::string central_hash;  // what central's signed ack said
};
nlohmann::json to_json(const AlarmReport& m);
Result<AlarmReport> alarm_report_from_json(const nlohmann::json& j);

} // namespace nafitha::protocol
