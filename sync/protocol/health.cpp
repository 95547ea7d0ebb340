#include "sync/protocol/health.h"

#include "sync/protocol/canonical.h"

#include <set>

namespace nafitha::protocol {

namespace {

constexpr const char* kHealthPrefix = "NAFITHA-HEALTH-1\n";

Error malformed(const std::string& detail) { return Error::make("error.sync.message_malformed", "health: " + detail); }

Result<std::string> text(const nlohmann::json& j, const char* key, size_t max_bytes)
{
    auto it = j.find(key);
    if (it == j.end() || !it->is_string())
        return malformed(std::string(key) + " must be a string");
    auto s = it->get<std::string>();
    if (s.size() > max_bytes)
        return malformed(std::string(key) + " is too long");
    return s;
}

Result<int64_t> integer(const nlohmann::json& j, const char* key, int64_t min)
{
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer())
        return malformed(std::string(key) + " must be an integer");
    auto v = it->get<int64_t>();
    if (v < min)
        return malformed(std::string(key) + " is out of range");
    return v;
}

} // namespace

nlohmann::json document_of(const HealthReport& m)
{
    return {{"terminal", m.terminal_id},
            {"time_ms", m.time_ms},
            {"software_version", m.software_version},
            {"catalogue_version", m.catalogue_version},
            {"policy_version", m.policy_version},
            {"last_seq", m.last_seq},
            {"acked_seq", m.acked_seq},
            {"pending", m.pending},
            {"oldest_pending_ms", m.oldest_pending_ms},
            {"printer", m.printer},
            {"paper", m.paper},
            {"disk_free_bytes", m.disk_free_bytes},
            {"out_of_service", m.out_of_service},
            {"reasons", m.reasons}};
}

Result<HealthReport> health_report_from_json(const nlohmann::json& j)
{
    if (!j.is_object())
        return malformed("not an object");
    static const std::set<std::string> printers = {"ok", "warning", "failed", "absent", "unknown"};
    static const std::set<std::string> papers = {"ok", "low", "out", "unknown"};
    HealthReport m;
    m.terminal_id = TRY(text(j, "terminal", 32));
    m.time_ms = TRY(integer(j, "time_ms", 0));
    m.software_version = TRY(text(j, "software_version", 64));
    m.catalogue_version = TRY(integer(j, "catalogue_version", 0));
    m.policy_version = TRY(integer(j, "policy_version", 0));
    m.last_seq = TRY(integer(j, "last_seq", 0));
    m.acked_seq = TRY(integer(j, "acked_seq", 0));
    m.pending = TRY(integer(j, "pending", 0));
    m.oldest_pending_ms = TRY(integer(j, "oldest_pending_ms", -1));
    m.printer = TRY(text(j, "printer", 16));
    m.paper = TRY(text(j, "paper", 16));
    if (!printers.count(m.printer) || !papers.count(m.paper))
        return malformed("unknown printer or paper state");
    m.disk_free_bytes = TRY(integer(j, "disk_free_bytes", -1));
    auto oos = j.find("out_of_service");
    if (oos == j.end() || !oos->is_boolean())
        return malformed("out_of_service must be true or false");
    m.out_of_service = oos->get<bool>();
    auto reasons = j.find("reasons");
    if (reasons == j.end() || !reasons->is_array() || reasons->size() > kMaxHealthReasons)
        return malformed("reasons must be an array of at most 16 keys");
    for (const auto& r : *reasons) {
        if (!r.is_string() || r.get<std::string>().empty() || r.get<std::string>().size() > 64)
            return malformed("a reason must be a key of 1 to 64 bytes");
        m.reasons.push_back(r.get<std::string>());
    }
    if (j.size() != 14)
        return malformed("unknown or missing fields");
    return m;
}

Result<std::string> health_bytes(const nlohmann::json& document) { return std::string(kHealthPrefix) + TRY(canonical_json(document)); }

Result<SignedHealth> sign_health(const HealthReport& report, const SecretKey& secret_key)
{
    auto doc = document_of(report);
    auto bytes = TRY(health_bytes(doc));
    return SignedHealth{std::move(doc), sign(secret_key, bytes)};
}

nlohmann::json to_json(const SignedHealth& s) { return {{"health", s.document}, {"sig", s.signature}}; }

Result<SignedHealth> signed_health_from_json(const nlohmann::json& j)
{
    if (!j.is_object() || !j.contains("health") || !j["health"].is_object() || !j.contains("sig") || !j["sig"].is_string()
        || j["sig"].get<std::string>().size() > 128 || j.size() != 2)
        return malformed("expected {\"health\": {...}, \"sig\": \"...\"}");
    return SignedHealth{j["health"], j["sig"].get<std::string>()};
}

Result<void> verify_health(const SignedHealth& s, const PublicKey& terminal_key)
{
    auto bytes = TRY(health_bytes(s.document));
    if (!verify(terminal_key, bytes, s.signature))
        return Error::make("error.sync.health_signature", "the health report's signature does not verify with the terminal's key");
    return {};
}

} // namespace nafitha::protocol
