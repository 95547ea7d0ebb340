#include "sync/protocol/messages.h"

#include <sodium.h>

#include <charconv>

namespace nafitha::protocol {

namespace {

Error malformed(std::string what) { return Error::make("error.sync.message_malformed", std::move(what)); }

Result<std::string> get_string(const nlohmann::json& j, const char* key, size_t max_bytes, bool required = true)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required)
            return malformed(std::string("missing '") + key + "'");
        return std::string();
    }
    if (!it->is_string())
        return malformed(std::string("'") + key + "' is not a string");
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() > max_bytes)
        return malformed(std::string("'") + key + "' is too long");
    return s;
}

Result<int64_t> get_int(const nlohmann::json& j, const char* key, bool required = true)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required)
            return malformed(std::string("missing '") + key + "'");
        return int64_t{0};
    }
    if (!it->is_number_integer())
        return malformed(std::string("'") + key + "' is not an integer");
    return it->get<int64_t>();
}

Result<void> require_object(const nlohmann::json& j)
{
    if (!j.is_object())
        return malformed("message is not a JSON object");
    return {};
}

} // namespace

std::string terminal_id_for(const PublicKey& public_key)
{
    auto hex = sha256_hex(std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
    return "T" + hex.substr(0, 12);
}

std::string request_signing_string(std::string_view method, std::string_view path, std::string_view body,
                                   int64_t time_ms, std::string_view nonce, std::string_view terminal_id)
{
    std::string s = "NAFITHA-REQ-1\n";
    s.append(method).append("\n").append(path).append("\n").append(sha256_hex(body)).append("\n");
    s.append(std::to_string(time_ms)).append("\n").append(nonce).append("\n").append(terminal_id);
    return s;
}

std::string make_nonce()
{
    init_crypto();
    uint8_t bytes[16];
    randombytes_buf(bytes, sizeof bytes);
    return to_hex(bytes, sizeof bytes);
}

RequestAuth sign_request(const SecretKey& secret_key, std::string terminal_id, std::string_view method,
                         std::string_view path, std::string_view body, int64_t time_ms)
{
    RequestAuth auth;
    auth.terminal_id = std::move(terminal_id);
    auth.time_ms = time_ms;
    auth.nonce = make_nonce();
    auth.signature = sign(secret_key, request_signing_string(method, path, body, time_ms, auth.nonce, auth.terminal_id));
    return auth;
}

std::optional<RequestAuth> parse_request_auth(std::string_view terminal, std::string_view time, std::string_view nonce,
                                              std::string_view signature)
{
    auto all = [](std::string_view s, auto ok) {
        for (char c : s)
            if (!ok(c))
                return false;
        return true;
    };
    auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
    auto b64 = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    };
    if (terminal.size() != 13 || terminal[0] != 'T' || !all(terminal.substr(1), hex))
        return std::nullopt;
    if (nonce.size() < 16 || nonce.size() > 64 || !all(nonce, hex))
        return std::nullopt;
    if (signature.empty() || signature.size() > 128 || !all(signature, b64))
        return std::nullopt;
    if (time.empty() || time.size() > 19 || !all(time, [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    RequestAuth auth;
    auto r = std::from_chars(time.data(), time.data() + time.size(), auth.time_ms);
    if (r.ec != std::errc() || r.ptr != time.data() + time.size())
        return std::nullopt;
    auth.terminal_id = std::string(terminal);
    auth.nonce = std::string(nonce);
    auth.signature = std::string(signature);
    return auth;
}

bool verify_request(const PublicKey& public_key, const RequestAuth& auth, std::string_view method,
                    std::string_view path, std::string_view body)
{
    return verify(public_key, request_signing_string(method, path, body, auth.time_ms, auth.nonce, auth.terminal_id),
                  auth.signature);
}

Result<nlohmann::json> parse_json(std::string_view text, size_t max_bytes)
{
    if (text.size() > max_bytes)
        return Error::make("error.sync.body_too_large", "body of " + std::to_string(text.size()) + " bytes");
    auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return malformed("body is not valid JSON");
    return j;
}

nlohmann::json to_json(const EnrollRequest& m)
{
    return {{"code", m.code}, {"terminal_id", m.terminal_id}, {"public_key", m.public_key}};
}

Result<EnrollRequest> enroll_request_from_json(const nlohmann::json& j)
{
    TRY(require_object(j));
    EnrollRequest m;
    m.code = TRY(get_string(j, "code", 64));
    m.terminal_id = TRY(get_string(j, "terminal_id", 64));
    m.public_key = TRY(get_string(j, "public_key", 128));
    return m;
}

nlohmann::json to_json(const EnrollResponse& m)
{
    return {{"terminal_id", m.terminal_id},         {"centre", m.centre},
            {"name", m.name},                       {"server_public_key", m.server_public_key},
            {"catalogue_version", m.catalogue_version}, {"server_time_ms", m.server_time_ms},
            {"enrollment", to_json(m.enrollment)}};
}

Result<EnrollResponse> enroll_response_from_json(const nlohmann::json& j)
{
    TRY(require_object(j));
    EnrollResponse m;
    m.terminal_id = TRY(get_string(j, "terminal_id", 64));
    m.centre = TRY(get_string(j, "centre", 64));
    m.name = TRY(get_string(j, "name", 256, false));
    m.server_public_key = TRY(get_string(j, "server_public_key", 128));
    // The key every later answer is checked against: it must be one (the fuzz target's invariant).
    if (!decode_public_key(m.server_public_key).ok())
        return malformed("server_public_key is not an Ed25519 public key");
    m.catalogue_version = TRY(get_int(j, "catalogue_version"));
    m.server_time_ms = TRY(get_int(j, "server_time_ms", false));
    m.enrollment = TRY(signed_member(j, "enrollment"));
    return m;
}

nlohmann::json to_json(const IngestRequest& m)
{
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& e : m.entries)
        entries.push_back(to_json(e));
    return {{"terminal_id", m.terminal_id}, {"entries", std::move(entries)}};
}

Result<IngestRequest> ingest_request_from_json(const nlohmann::json& j)
{
    TRY(require_object(j));
    IngestRequest m;
    m.terminal_id = TRY(get_string(j, "terminal_id", 64));
    auto it = j.find("entries");
    if (it == j.end() || !it->is_array())
        return malformed("missing or non-array 'entries'");
    if (it->empty())
        return malformed("'entries' is empty");
    if (it->size() > kMaxBatchEntries)
        return Error::make("error.sync.body_too_large", "more than " + std::to_string(kMaxBatchEntries) + " entries");
    m.entries.reserve(it->size());
    for (const auto& e : *it)
        m.entries.push_back(TRY(entry_from_json(e)));
    return m;
}

nlohmann::json to_json(const IngestResponse& m)
{
    return {{"acked_seq", m.acked_seq}, {"stored", m.stored}, {"server_time_ms", m.server_time_ms}, {"ack", to_json(m.ack)}};
}

Result<IngestResponse> ingest_response_from_json(const nlohmann::json& j)
{
    TRY(require_object(j));
    IngestResponse m;
    m.acked_seq = TRY(get_int(j, "acked_seq"));
    m.stored = TRY(get_int(j, "stored", false));
    m.server_time_ms = TRY(get_int(j, "server_time_ms", false));
    m.ack = TRY(signed_member(j, "ack"));
    return m;
}

nlohmann::json to_json(const ErrorResponse& m)
{
    nlohmann::json j = {{"error", m.error}, {"detail", m.detail}, {"server_time_ms", m.server_time_ms}};
    if (m.expected_seq)
        j["expected_seq"] = *m.expected_seq;
    if (m.bad_seq)
        j["bad_seq"] = *m.bad_seq;
    if (m.acked_seq)
        j["acked_seq"] = *m.acked_seq;
    return j;
}

Result<ErrorResponse> error_response_from_json(const nlohmann::json& j)
{
    TRY(require_object(j));
    ErrorResponse m;
    m.error = TRY(get_string(j, "error", 128));
    m.detail = TRY(get_string(j, "detail", 4096, false));
    m.server_time_ms = TRY(get_int(j, "server_time_ms", false));
    if (j.contains("expected_seq"))
        m.expected_seq = TRY(get_int(j, "expected_seq"));
    if (j.contains("bad_seq"))
        m.bad_seq = TRY(get_int(j, "bad_seq"));
    if (j.contains("acked_seq"))
        m.acked_seq = TRY(get_int(j, "acked_seq"));
    return m;
}

nlohmann::json to_json(const TerminalState& m)
{
    return {{"terminal_id", m.terminal_id}, {"centre", m.centre},       {"status", m.status},
            {"acked_seq", m.acked_seq},     {"last_hash", m.last_hash}, {"server_time_ms", m.server_time_ms},
            {"ack", to_json(m.ack)}};
}

Result<TerminalState> terminal_state_from_json(const nlohmann::json& j)
{
    TRY(require_object(j));
    TerminalState m;
    m.terminal_id = TRY(get_string(j, "terminal_id", 64));
    m.centre = TRY(get_string(j, "centre", 64, false));
    m.status = TRY(get_string(j, "status", 32, false));
    m.acked_seq = TRY(get_int(j, "acked_seq"));
    m.last_hash = TRY(get_string(j, "last_hash", 64, false));
    m.server_time_ms = TRY(get_int(j, "server_time_ms", false));
    m.ack = TRY(signed_member(j, "ack"));
    return m;
}

nlohmann::json to_json(const StatusResponse& m)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : m.decisions)
        list.push_back(to_json(d));
    return {{"decisions", std::move(list)}, {"next_cursor", m.next_cursor}, {"server_time_ms", m.server_time_ms}};
}

Result<StatusResponse> status_response_from_json(const nlohmann::json& j)
{
    TRY(require_object(j));
    StatusResponse m;
    auto it = j.find("decisions");
    if (it == j.end() || !it->is_array())
        return malformed("missing or non-array 'decisions'");
    if (it->size() > kMaxStatusDecisions)
        return malformed("too many decisions");
    for (const auto& d : *it)
        m.decisions.push_back(TRY(signed_from_json(d)));
    m.next_cursor = TRY(get_int(j, "next_cursor"));
    m.server_time_ms = TRY(get_int(j, "server_time_ms", false));
    return m;
}

nlohmann::json to_json(const CatalogueResponse& m)
{
    nlohmann::json j = {{"version", m.version}, {"up_to_date", m.up_to_date}, {"server_time_ms", m.server_time_ms}};
    if (!m.up_to_date) {
        j["document"] = m.document;
        j["catalogue"] = to_json(m.catalogue);
    }
    return j;
}

Result<CatalogueResponse> catalogue_response_from_json(const nlohmann::json& j)
{
    TRY(require_object(j));
    CatalogueResponse m;
    m.version = TRY(get_int(j, "version"));
    auto up = j.find("up_to_date");
    if (up == j.end() || !up->is_boolean())
        return malformed("missing 'up_to_date'");
    m.up_to_date = up->get<bool>();
    m.server_time_ms = TRY(get_int(j, "server_time_ms", false));
    if (!m.up_to_date) {
        auto doc = j.find("document");
        if (doc == j.end() || !doc->is_object())
            return malformed("missing catalogue 'document'");
        m.document = *doc;
        m.catalogue = TRY(signed_member(j, "catalogue"));
    }
    return m;
}

nlohmann::json to_json(const PolicyResponse& m)
{
    nlohmann::json j = {{"version", m.version}, {"up_to_date", m.up_to_date}, {"server_time_ms", m.server_time_ms}};
    if (!m.up_to_date)
        j["policy"] = to_json(m.policy);
    return j;
}

Result<PolicyResponse> policy_response_from_json(const nlohmann::json& j)
{
    TRY(require_object(j));
    PolicyResponse m;
    m.version = TRY(get_int(j, "version"));
    auto up = j.find("up_to_date");
    if (up == j.end() || !up->is_boolean())
        return malformed("missing 'up_to_date'");
    m.up_to_date = up->get<bool>();
    m.server_time_ms = TRY(get_int(j, "server_time_ms", false));
    if (!m.up_to_date)
        m.policy = TRY(signed_member(j, "policy"));
    return m;
}

nlohmann::json to_json(const AlarmReport& m)
{
    return {{"kind", m.kind}, {"seq", m.seq}, {"terminal_hash", m.terminal_hash}, {"central_hash", m.central_hash}};
}

Result<AlarmReport> alarm_report_from_json(const nlohmann::json& j)
{
    TRY(require_object(j));
    AlarmReport m;
    m.kind = TRY(get_string(j, "kind", 32));
    m.seq = TRY(get_int(j, "seq"));
    m.terminal_hash = TRY(get_string(j, "terminal_hash", 64));
    m.central_hash = TRY(get_string(j, "central_hash", 64));
    return m;
}

} // namespace nafitha::protocol
