#include "sync/protocol/signed.h"

#include "sync/protocol/canonical.h"

namespace nafitha::protocol {

namespace {

constexpr const char* kStatementPrefix = "NAFITHA-CENTRAL-1\n";

Error forged(std::string what) { return Error::make("error.sync.answer_forged", std::move(what)); }

Result<std::string> str(const nlohmann::json& j, const char* key, size_t max)
{
    auto it = j.find(key);
    if (it == j.end() || !it->is_string())
        return forged(std::string("statement without '") + key + "'");
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() > max)
        return forged(std::string("statement field '") + key + "' too long");
    return s;
}

Result<int64_t> num(const nlohmann::json& j, const char* key)
{
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer())
        return forged(std::string("statement without integer '") + key + "'");
    return it->get<int64_t>();
}

Result<void> kind_is(const nlohmann::json& j, std::string_view kind)
{
    if (!j.is_object())
        return forged("statement is not an object");
    auto it = j.find("kind");
    if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>() != kind)
        return forged("statement is not a " + std::string(kind));
    return {};
}

} // namespace

Result<std::string> statement_bytes(const nlohmann::json& statement)
{
    return std::string(kStatementPrefix) + TRY(canonical_json(statement));
}

Result<Signed> sign_statement(nlohmann::json statement, const SecretKey& secret_key)
{
    auto bytes = TRY(statement_bytes(statement));
    return Signed{std::move(statement), sign(secret_key, bytes)};
}

Result<void> verify_statement(const Signed& s, const PublicKey& public_key, std::string_view kind)
{
    TRY(kind_is(s.statement, kind));
    auto bytes = statement_bytes(s.statement);
    if (!bytes.ok() || !verify(public_key, bytes.value(), s.signature))
        return forged("the " + std::string(kind) + " is not signed by the central key this terminal pinned");
    return {};
}

nlohmann::json to_json(const Signed& s) { return {{"statement", s.statement}, {"sig", s.signature}}; }

Result<Signed> signed_from_json(const nlohmann::json& j)
{
    auto unsigned_ = [] { return Error::make("error.sync.answer_unsigned", "the answer carries no signed statement"); };
    if (!j.is_object())
        return unsigned_();
    auto st = j.find("statement");
    auto sig = j.find("sig");
    if (st == j.end() || !st->is_object() || sig == j.end() || !sig->is_string() || sig->get_ref<const std::string&>().size() > 128)
        return unsigned_();
    return Signed{*st, sig->get<std::string>()};
}

Result<Signed> signed_member(const nlohmann::json& answer, const char* key)
{
    if (!answer.is_object() || !answer.contains(key))
        return Error::make("error.sync.answer_unsigned", std::string("the answer carries no signed '") + key + "'");
    return signed_from_json(answer.at(key));
}

nlohmann::json statement_of(const EnrollmentStatement& m)
{
    return {{"kind", "enrollment"},          {"terminal", m.terminal_id}, {"public_key", m.public_key}, {"centre", m.centre},
            {"name", m.name},                {"server_public_key", m.server_public_key}, {"time_ms", m.time_ms}};
}

Result<EnrollmentStatement> enrollment_statement(const nlohmann::json& j)
{
    TRY(kind_is(j, "enrollment"));
    EnrollmentStatement m;
    m.terminal_id = TRY(str(j, "terminal", 64));
    m.public_key = TRY(str(j, "public_key", 128));
    m.centre = TRY(str(j, "centre", 64));
    m.name = TRY(str(j, "name", 256));
    m.server_public_key = TRY(str(j, "server_public_key", 128));
    m.time_ms = TRY(num(j, "time_ms"));
    return m;
}

nlohmann::json statement_of(const Ack& m)
{
    return {{"kind", "ack"}, {"terminal", m.terminal_id}, {"seq", m.seq}, {"hash", m.hash}, {"time_ms", m.time_ms}};
}

Result<Ack> ack_statement(const nlohmann::json& j)
{
    TRY(kind_is(j, "ack"));
    Ack m;
    m.terminal_id = TRY(str(j, "terminal", 64));
    m.seq = TRY(num(j, "seq"));
    m.hash = TRY(str(j, "hash", 64));
    m.time_ms = TRY(num(j, "time_ms"));
    if (m.seq < 0)
        return forged("ack with a negative seq");
    return m;
}

nlohmann::json statement_of(const DecisionStatement& m)
{
    nlohmann::json j = {{"kind", "decision"}, {"terminal", m.terminal_id}, {"cursor", m.cursor},         {"reference", m.reference},
                        {"status", m.status}, {"note", m.note},            {"decided_at", m.decided_at}};
    if (!m.reason.empty())
        j["reason"] = m.reason;
    return j;
}

Result<DecisionStatement> decision_statement(const nlohmann::json& j)
{
    TRY(kind_is(j, "decision"));
    DecisionStatement m;
    m.terminal_id = TRY(str(j, "terminal", 64));
    m.cursor = TRY(num(j, "cursor"));
    m.reference = TRY(str(j, "reference", 128));
    m.status = TRY(str(j, "status", 32));
    m.note = TRY(str(j, "note", 2048));
    m.decided_at = TRY(str(j, "decided_at", 64));
    if (j.contains("reason"))
        m.reason = TRY(str(j, "reason", 64));
    return m;
}

nlohmann::json statement_of(const CatalogueStatement& m)
{
    return {{"kind", "catalogue"}, {"version", m.version}, {"sha256", m.sha256}, {"issued_ms", m.issued_ms},
            {"expires_ms", m.expires_ms}};
}

Result<CatalogueStatement> catalogue_statement(const nlohmann::json& j)
{
    TRY(kind_is(j, "catalogue"));
    CatalogueStatement m;
    m.version = TRY(num(j, "version"));
    m.sha256 = TRY(str(j, "sha256", 64));
    m.issued_ms = TRY(num(j, "issued_ms"));
    m.expires_ms = TRY(num(j, "expires_ms"));
    return m;
}

nlohmann::json statement_of(const Policy& m)
{
    return {{"kind", "policy"},
            {"version", m.version},
            {"issued_ms", m.issued_ms},
            {"warn_after_days", m.warn_after_days},
            {"stop_payments_after_days", m.stop_payments_after_days}};
}

Result<Policy> policy_statement(const nlohmann::json& j)
{
    TRY(kind_is(j, "policy"));
    Policy m;
    m.version = TRY(num(j, "version"));
    m.issued_ms = TRY(num(j, "issued_ms"));
    m.warn_after_days = TRY(num(j, "warn_after_days"));
    m.stop_payments_after_days = TRY(num(j, "stop_payments_after_days"));
    if (m.version < 1 || m.warn_after_days < 0 || m.stop_payments_after_days < 0 || m.warn_after_days > 3650
        || m.stop_payments_after_days > 3650)
        return forged("policy out of range");
    return m;
}

nlohmann::json statement_of(const Checkpoint& m)
{
    return {{"kind", "checkpoint"}, {"origin", m.origin}, {"size", m.size}, {"root", m.root}, {"time_ms", m.time_ms}};
}

Result<Checkpoint> checkpoint_statement(const nlohmann::json& j)
{
    TRY(kind_is(j, "checkpoint"));
    Checkpoint m;
    m.origin = TRY(str(j, "origin", 128));
    m.size = TRY(num(j, "size"));
    m.root = TRY(str(j, "root", 64));
    m.time_ms = TRY(num(j, "time_ms"));
    if (m.size < 0 || m.root.size() != 64)
        return forged("checkpoint out of range");
    return m;
}

std::string log_origin(const PublicKey& central_key)
{
    auto hex = sha256_hex(std::string_view(reinterpret_cast<const char*>(central_key.data()), central_key.size()));
    return "nafitha/" + hex.substr(0, 16);
}

std::string answer_signing_string(std::string_view terminal_id, std::string_view nonce, std::string_view request_signature,
                                  std::string_view method, std::string_view target, int status, std::string_view body)
{
    std::string s = "NAFITHA-ANS-1\n";
    s.append(terminal_id).append("\n").append(nonce).append("\n").append(request_signature).append("\n");
    s.append(method).append("\n").append(target).append("\n").append(std::to_string(status)).append("\n");
    s.append(sha256_hex(body));
    return s;
}

std::string sign_answer(const SecretKey& secret_key, std::string_view terminal_id, std::string_view nonce,
                        std::string_view request_signature, std::string_view method, std::string_view target, int status,
                        std::string_view body)
{
    return sign(secret_key, answer_signing_string(terminal_id, nonce, request_signature, method, target, status, body));
}

bool verify_answer(const PublicKey& public_key, std::string_view signature, std::string_view terminal_id, std::string_view nonce,
                   std::string_view request_signature, std::string_view method, std::string_view target, int status,
                   std::string_view body)
{
    if (signature.empty())
        return false;
    return verify(public_key, answer_signing_string(terminal_id, nonce, request_signature, method, target, status, body),
                  signature);
}

} // namespace nafitha::protocol
