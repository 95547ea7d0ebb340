#pragma once
// What central signs, and how a terminal (or anyone holding central's public key) checks it.
//
// 1. Statements: facts central commits to, kept and re-checked later. On the wire and at rest a statement is
//        {"statement": {"kind": "...", ...}, "sig": "<base64 Ed25519>"}
//    and the signed bytes are "NAFITHA-CENTRAL-1\n" followed by the canonical JSON of the statement. The kinds:
//        enrollment  {terminal, public_key, centre, name, server_public_key, time_ms}      POST /v1/enroll
//        ack         {terminal, seq, hash, time_ms}: central holds this terminal's entries 1..seq, the one at seq
//                    with this hash                                                   GET /v1/terminal, POST /v1/ingest
//        decision    {terminal, cursor, reference, status, note, decided_at}                GET /v1/status
//        catalogue   {version, sha256 (of the canonical document), issued_ms, expires_ms}  GET /v1/catalogue
//        policy      {version, issued_ms, warn_after_days, stop_payments_after_days}      GET /v1/policy
//        checkpoint  {origin, size, root, time_ms}: the transparency log's tree head      GET /v1/log/checkpoint
// 2. Answers: every answer to a request that carried a nonce has the header X-Nafitha-Answer-Signature, central's
//    signature over answer_signing_string(): the request's terminal, nonce and signature, method, target, the
//    status and the SHA-256 of the body. An answer therefore cannot be replayed to another request, and a
//    refusal cannot be forged.
// The prefixes keep central's signatures apart from each other and from the terminals' (entries, requests,
// receipts), so that no signed thing can pass for another.

#include "base/result.h"
#include "sync/protocol/crypto.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace nafitha::protocol {

inline constexpr const char* kHeaderAnswerSignature = "X-Nafitha-Answer-Signature";

struct Signed {
    nlohmann::json statement; // an object with "kind"
    std::string signature;    // base64 Ed25519 by central's key
};

// The bytes central signs for a statement: "NAFITHA-CENTRAL-1\n" + canonical JSON.
Result<std::string> statement_bytes(const nlohmann::json& statement);
Result<Signed> sign_statement(nlohmann::json statement, const SecretKey& secret_key);
// error.sync.answer_forged when the signature does not verify with `public_key` or the kind is not `kind`.
Result<void> verify_statement(const Signed& s, const PublicKey& public_key, std::string_view kind);

nlohmann::json to_json(const Signed& s);
// error.sync.answer_unsigned when `j` is not {"statement": {...}, "sig": "..."}.
Result<Signed> signed_from_json(const nlohmann::json& j);
// The member `key` of an answer as a signed statement; error.sync.answer_unsigned when it is missing.
Result<Signed> signed_member(const nlohmann::json& answer, const char* key);

// ---- The kinds ----

struct EnrollmentStatement {
    std::string terminal_id;
    std::string public_key;        // the terminal's, base64
    std::string centre;
    std::string name;
    std::string server_public_key; // central's, base64: the key the terminal pins
    int64_t time_ms = 0;
};
nlohmann::json statement_of(const EnrollmentStatement& m);
Result<EnrollmentStatement> enrollment_statement(const nlohmann::json& statement);

struct Ack {
    std::string terminal_id;
    int64_t seq = 0;
    std::string hash; // the hash of the terminal's entry at seq (kGenesisHash when seq is 0)
    int64_t time_ms = 0;
};
nlohmann::json statement_of(const Ack& m);
Result<Ack> ack_statement(const nlohmann::json& statement);

struct DecisionStatement {
    std::string terminal_id;
    int64_t cursor = 0;
    std::string reference;
    std::string status; // approved | rejected | ready
    std::string note;
    std::string decided_at;
    std::string reason; // a decision reason code (decision.reason.<code>); signed only when set, so that the
                        // statements of older centrals verify unchanged
};
nlohmann::json statement_of(const DecisionStatement& m);
Result<DecisionStatement> decision_statement(const nlohmann::json& statement);

struct CatalogueStatement {
    int64_t version = 0;
    std::string sha256; // hex SHA-256 of the canonical JSON of the whole document
    int64_t issued_ms = 0;
    int64_t expires_ms = 0;
};
nlohmann::json statement_of(const CatalogueStatement& m);
Result<CatalogueStatement> catalogue_statement(const nlohmann::json& statement);

// Central's rules for terminals offline too long: warn staff after N days without a successful sync (a signed
// acknowledgement), stop taking payments after M days. 0 = no such rule.
struct Policy {
    int64_t version = 0;
    int64_t issued_ms = 0;
    int64_t warn_after_days = 0;
    int64_t stop_payments_after_days = 0;
};
nlohmann::json statement_of(const Policy& m);
Result<Policy> policy_statement(const nlohmann::json& statement);

struct Checkpoint {
    std::string origin; // "nafitha/" + the first 16 hex characters of sha256(central's public key)
    int64_t size = 0;   // leaves in the tree
    std::string root;   // hex Merkle tree hash (RFC 9162 MTH) of those leaves
    int64_t time_ms = 0;
};
nlohmann::json statement_of(const Checkpoint& m);
Result<Checkpoint> checkpoint_statement(const nlohmann::json& statement);
std::string log_origin(const PublicKey& central_key);

// ---- Answers ----

std::string answer_signing_string(std::string_view terminal_id, std::string_view nonce, std::string_view request_signature,
                                  std::string_view method, std::string_view target, int status, std::string_view body);
std::string sign_answer(const SecretKey& secret_key, std::string_view terminal_id, std::string_view nonce,
                        std::string_view request_signature, std::string_view method, std::string_view target, int status,
                        std::string_view body);
bool verify_answer(const PublicKey& public_key, std::string_view signature, std::string_view terminal_id, std::string_view nonce,
                   std::string_view request_signature, std::string_view method, std::string_view target, int status,
                   std::string_view body);

} // namespace nafitha::protocol
