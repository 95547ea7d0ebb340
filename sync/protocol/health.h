#pragma once
// The terminal's health report (POST /v1/terminal/health, docs/PROTOCOL.md "Terminal health"): what the sync worker
// knows of its terminal at each pull, signed by the terminal's key so that central can keep the exact bytes and
// signature of each kept sample and anyone holding the terminal's public key can check it later.
//
// The signed bytes are "NAFITHA-HEALTH-1\n" followed by the canonical JSON of the document (an object):
//   {terminal, time_ms, software_version, catalogue_version, policy_version, last_seq, acked_seq, pending,
//    oldest_pending_ms (age of the oldest unacknowledged entry, ms; -1 when nothing is pending),
//    printer ("ok" | "warning" | "failed" | "absent" | "unknown"), paper ("ok" | "low" | "out" | "unknown"),
//    disk_free_bytes (-1 unknown), out_of_service (bool), reasons (translation keys, at most 16)}
// On the wire: {"health": {...}, "sig": "<base64 Ed25519>"}.

#include "base/result.h"
#include "sync/protocol/crypto.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nafitha::protocol {

inline constexpr size_t kMaxHealthReasons = 16;

struct HealthReport {
    std::string terminal_id;
    int64_t time_ms = 0;
    std::string software_version;
    int64_t catalogue_version = 0;
    int64_t policy_version = 0;
    int64_t last_seq = 0;
    int64_t acked_seq = 0;
    int64_t pending = 0;
    int64_t oldest_pending_ms = -1;
    std::string printer = "unknown";
    std::string paper = "unknown";
    int64_t disk_free_bytes = -1;
    bool out_of_service = false;
    std::vector<std::string> reasons;
};

nlohmann::json document_of(const HealthReport& m);
// Parses and bounds-checks a document; error.sync.message_malformed says what is wrong.
Result<HealthReport> health_report_from_json(const nlohmann::json& document);

// "NAFITHA-HEALTH-1\n" + canonical JSON of the document.
Result<std::string> health_bytes(const nlohmann::json& document);
struct SignedHealth {
    nlohmann::json document;
    std::string signature; // base64 Ed25519 by the terminal's key
};
Result<SignedHealth> sign_health(const HealthReport& report, const SecretKey& secret_key);
nlohmann::json to_json(const SignedHealth& s);
Result<SignedHealth> signed_health_from_json(const nlohmann::json& j);
// error.sync.health_signature when the signature does not verify with the terminal's key.
Result<void> verify_health(const SignedHealth& s, const PublicKey& terminal_key);

} // namespace nafitha::protocol
