#include "sync/client/central_client.h"

#include "base/clock.h"
#include "sync/protocol/canonical.h"
#include "sync/protocol/gzip.h"

namespace nafitha::sync {

namespace {
// An answer takes a while to arrive; offsets closer than this to the one in use are not news.
constexpr int64_t kOffsetNoiseMs = 2000;
} // namespace

Retry classify(const Error& error, const Refusal& refusal)
{
    const auto& code = error.code;
    if (code == "error.sync.network" || code == "error.sync.tls" || code == "error.sync.aborted"
        || code == "error.sync.server_error" || code == "error.sync.server_busy" || code == "error.sync.message_malformed"
        || code == "error.central.clock_skew" || code == "error.central.replay" || code == "error.central.gap"
        || code == "error.central.storage" || code == "error.central.internal" || code == "error.central.overloaded"
        || code == "error.central.rate_limited" || code == "error.sync.refusal_unsigned" || code.rfind("error.db.", 0) == 0)
        return Retry::Later;
    if (refusal.http_status == 0 || refusal.http_status >= 500 || refusal.http_status == 408 || refusal.http_status == 429)
        return Retry::Later;
    return Retry::Never;
}

CentralClient::CentralClient(std::string server_url, journal::Identity identity, HttpOptions options,
                             std::optional<protocol::PublicKey> central_key)
    : m_url(std::move(server_url)), m_identity(std::move(identity)), m_http(std::move(options)), m_central_key(central_key)
{
    while (!m_url.empty() && m_url.back() == '/')
        m_url.pop_back();
}

// Every answer carries central's clock in its signed body: the offset to it follows (past the noise of the
// answer's own travel time), so that the terminal's records carry central's time (clock::record_ms()). Only
// from a signed body: the time header is not signed, and nobody but central moves this terminal's clock.
void CentralClient::observe_server_time(const nlohmann::json& body)
{
    if (!body.is_object())
        return;
    auto it = body.find("server_time_ms");
    if (it == body.end() || !it->is_number_integer() || it->get<int64_t>() <= 0)
        return;
    int64_t measured = it->get<int64_t>() - clock::steady_wall_ms();
    if (measured - m_clock_offset_ms > kOffsetNoiseMs || m_clock_offset_ms - measured > kOffsetNoiseMs)
        m_clock_offset_ms = measured;
}

Result<nlohmann::json> CentralClient::expect_ok(Result<HttpResponse> response, const Sent& sent)
{
    m_refusal = {};
    if (!response.ok())
        return response.release_error();
    const auto& r = response.value();
    m_refusal.http_status = r.status;
    m_refusal.retry_after_s = r.retry_after_s;
    // Central signs every answer it gives to a request, bound to that request (sync/protocol/signed.h).
    bool signed_ok = !m_central_key
        || protocol::verify_answer(*m_central_key, r.answer_signature, sent.signature.empty() ? "" : m_identity.terminal_id,
                                   sent.nonce, sent.signature, sent.method, sent.target, static_cast<int>(r.status), r.body);
    if (r.status == 200) {
        if (!signed_ok)
            return Error::make(r.answer_signature.empty() ? "error.sync.answer_unsigned" : "error.sync.answer_forged",
                               "the answer to " + sent.method + " " + sent.target + " is "
                                   + (r.answer_signature.empty() ? "not signed" : "not signed by the central key this terminal pinned"));
        auto json = protocol::parse_json(r.body, 64 * 1024 * 1024);
        if (!json.ok())
            return Error::make("error.sync.message_malformed", "the server's answer is not valid JSON (truncated?)");
        observe_server_time(json.value());
        return json;
    }
    auto json = protocol::parse_json(r.body, 1024 * 1024);
    if (json.ok()) {
        if (signed_ok)
            observe_server_time(json.value());
        if (auto e = protocol::error_response_from_json(json.value()); e.ok()) {
            m_refusal.expected_seq = e->expected_seq;
            m_refusal.bad_seq = e->bad_seq;
            m_refusal.acked_seq = e->acked_seq;
            Error error = Error::make(e->error, "HTTP " + std::to_string(r.status) + ": " + e->detail);
            // An unsigned refusal comes from the front door's own limits (413, 503 overloaded), a proxy, or someone
            // between the terminal and central: it may make the terminal wait or resend, never stop its queue.
            if (!signed_ok && classify(error, m_refusal) == Retry::Never)
                return Error::make("error.sync.refusal_unsigned",
                                   "HTTP " + std::to_string(r.status) + " " + e->error + " not signed by central");
            return error;
        }
    }
    if (!signed_ok && r.status != 413 && r.status != 429 && r.status < 500)
        return Error::make("error.sync.refusal_unsigned", "HTTP " + std::to_string(r.status) + " not signed by central");
    if (r.status == 413)
        return Error::make("error.sync.batch_too_large", "HTTP 413 from the server");
    if (r.status == 429 || r.status == 503)
        return Error::make("error.sync.server_busy", "HTTP " + std::to_string(r.status) + " from the server");
    if (r.status >= 500)
        return Error::make("error.sync.server_error", "HTTP " + std::to_string(r.status) + " from the server");
    return Error::make("error.sync.http_status", "unexpected HTTP " + std::to_string(r.status));
}

Result<HttpResponse> CentralClient::signed_request(const char* method, const std::string& path, const std::string& body,
                                                   const char* content_type, Sent& sent)
{
    for (int attempt = 0;; ++attempt) {
        int64_t now = clock::steady_wall_ms() + m_clock_offset_ms;
        auto auth = protocol::sign_request(m_identity.keys.secret_key, m_identity.terminal_id, method, path, body, now);
        std::vector<std::string> headers = {
            std::string(protocol::kHeaderTerminal) + ": " + auth.terminal_id,
            std::string(protocol::kHeaderTime) + ": " + std::to_string(auth.time_ms),
            std::string(protocol::kHeaderNonce) + ": " + auth.nonce,
            std::string(protocol::kHeaderSignature) + ": " + auth.signature,
        };
        if (content_type)
            headers.push_back(std::string("Content-Type: ") + content_type);
        sent = Sent{method, path, auth.nonce, auth.signature};
        auto response = TRY(m_http.request(method, m_url + path, headers, body));
        // A clock off by more than the accepted skew: learn the offset from the server and sign again, once (only
        // from central's signed refusal: nobody else moves this terminal's clock).
        if (attempt == 0 && response.status == 401 && response.server_time_ms > 0
            && response.body.find("error.central.clock_skew") != std::string::npos
            && (!m_central_key
                || protocol::verify_answer(*m_central_key, response.answer_signature, m_identity.terminal_id, sent.nonce,
                                           sent.signature, sent.method, sent.target, 401, response.body))) {
            m_clock_offset_ms = response.server_time_ms - clock::steady_wall_ms();
            continue;
        }
        return response;
    }
}

Result<protocol::EnrollResponse> CentralClient::enroll(const std::string& code)
{
    protocol::EnrollRequest req{code, m_identity.terminal_id, protocol::encode_public_key(m_identity.keys.public_key)};
    Sent sent{"POST", "/v1/enroll", protocol::make_nonce(), {}};
    auto response = m_http.request("POST", m_url + "/v1/enroll",
                                   {"Content-Type: application/json", std::string(protocol::kHeaderNonce) + ": " + sent.nonce},
                                   protocol::to_json(req).dump());
    // The key to check the answer with: the one pinned beforehand, or the one the signed statement names.
    auto pinned = m_central_key;
    std::optional<protocol::PublicKey> named;
    if (response.ok() && response->status == 200) {
        auto j = protocol::parse_json(response->body, 1024 * 1024);
        if (j.ok())
            if (auto st = protocol::signed_member(j.value(), "enrollment"); st.ok())
                if (auto e = protocol::enrollment_statement(st->statement); e.ok())
                    if (auto k = protocol::decode_public_key(e->server_public_key); k.ok())
                        named = k.value();
        if (!m_central_key) {
            if (!named)
                return Error::make("error.sync.answer_unsigned", "the enrollment answer carries no signed statement");
            m_central_key = named;
        }
    }
    auto json = expect_ok(std::move(response), sent);
    if (!json.ok()) {
        m_central_key = pinned;
        return json.release_error();
    }
    auto answer = protocol::enroll_response_from_json(json.value());
    if (!answer.ok()) {
        m_central_key = pinned;
        return answer.release_error();
    }
    if (auto v = protocol::verify_statement(answer->enrollment, *m_central_key, "enrollment"); !v.ok()) {
        m_central_key = pinned;
        return v.release_error();
    }
    auto st = protocol::enrollment_statement(answer->enrollment.statement).value();
    if (st.terminal_id != m_identity.terminal_id || st.public_key != protocol::encode_public_key(m_identity.keys.public_key)
        || protocol::encode_public_key(*m_central_key) != st.server_public_key) {
        m_central_key = pinned;
        return Error::make("error.sync.answer_forged", "the enrollment statement is for another terminal or key");
    }
    // The statement's values are the ones that count.
    answer->terminal_id = st.terminal_id;
    answer->centre = st.centre;
    answer->name = st.name;
    answer->server_public_key = st.server_public_key;
    return answer;
}

Result<CheckedAck> CentralClient::check_ack(const nlohmann::json& answer)
{
    auto signed_ack = TRY(protocol::signed_member(answer, "ack"));
    if (m_central_key)
        TRY(protocol::verify_statement(signed_ack, *m_central_key, "ack"));
    auto ack = TRY(protocol::ack_statement(signed_ack.statement));
    if (ack.terminal_id != m_identity.terminal_id)
        return Error::make("error.sync.answer_forged", "the acknowledgement names another terminal");
    return CheckedAck{std::move(ack), std::move(signed_ack)};
}

Result<CheckedAck> CentralClient::terminal_state()
{
    Sent sent;
    auto json = TRY(expect_ok(signed_request("GET", "/v1/terminal", "", nullptr, sent), sent));
    TRY(protocol::terminal_state_from_json(json));
    return check_ack(json);
}

Result<CheckedAck> CentralClient::ingest(const std::vector<protocol::Entry>& entries)
{
    protocol::IngestRequest req{m_identity.terminal_id, entries};
    // Level 1: most of the size gain for a fraction of the CPU (hashes and signatures do not compress anyway).
    std::string body = protocol::gzip_compress(protocol::to_json(req).dump(), 1);
    Sent sent;
    auto json = TRY(expect_ok(signed_request("POST", "/v1/ingest", body, protocol::kBatchContentType, sent), sent));
    auto answer = TRY(protocol::ingest_response_from_json(json));
    auto ack = TRY(check_ack(json));
    ack.stored = answer.stored;
    return ack;
}

Result<std::vector<CheckedDecision>> CentralClient::status(int64_t after_cursor)
{
    Sent sent;
    auto json = TRY(expect_ok(signed_request("GET", "/v1/status?after=" + std::to_string(after_cursor), "", nullptr, sent), sent));
    auto answer = TRY(protocol::status_response_from_json(json));
    std::vector<CheckedDecision> out;
    int64_t last = after_cursor;
    for (auto& d : answer.decisions) {
        if (m_central_key)
            TRY(protocol::verify_statement(d, *m_central_key, "decision"));
        auto decision = TRY(protocol::decision_statement(d.statement));
        if (decision.terminal_id != m_identity.terminal_id)
            return Error::make("error.sync.answer_forged", "a decision names another terminal");
        if (decision.cursor <= last)
            return Error::make("error.sync.answer_forged", "decisions out of cursor order");
        last = decision.cursor;
        out.push_back({std::move(decision), std::move(d)});
    }
    return out;
}

Result<CheckedCatalogue> CentralClient::catalogue(int64_t have_version)
{
    Sent sent;
    auto json = TRY(expect_ok(signed_request("GET", "/v1/catalogue?have=" + std::to_string(have_version), "", nullptr, sent), sent));
    auto answer = TRY(protocol::catalogue_response_from_json(json));
    CheckedCatalogue out;
    out.up_to_date = answer.up_to_date;
    out.version = answer.version;
    if (answer.up_to_date)
        return out;
    if (m_central_key)
        TRY(protocol::verify_statement(answer.catalogue, *m_central_key, "catalogue"));
    out.statement = TRY(protocol::catalogue_statement(answer.catalogue.statement));
    auto text = protocol::canonical_json(answer.document);
    if (!text.ok() || protocol::sha256_hex(text.value()) != out.statement.sha256)
        return Error::make("error.sync.answer_forged", "the catalogue document is not the one central signed");
    auto v = answer.document.find("version");
    if (v == answer.document.end() || !v->is_number_integer() || v->get<int64_t>() != out.statement.version
        || answer.version != out.statement.version)
        return Error::make("error.sync.answer_forged", "the catalogue's version is not the signed one");
    out.document = std::move(answer.document);
    out.signed_statement = std::move(answer.catalogue);
    return out;
}

Result<CheckedPolicy> CentralClient::policy(int64_t have_version)
{
    Sent sent;
    auto json = TRY(expect_ok(signed_request("GET", "/v1/policy?have=" + std::to_string(have_version), "", nullptr, sent), sent));
    auto answer = TRY(protocol::policy_response_from_json(json));
    CheckedPolicy out;
    out.up_to_date = answer.up_to_date;
    out.version = answer.version;
    if (answer.up_to_date)
        return out;
    if (m_central_key)
        TRY(protocol::verify_statement(answer.policy, *m_central_key, "policy"));
    out.policy = TRY(protocol::policy_statement(answer.policy.statement));
    if (out.policy.version != answer.version)
        return Error::make("error.sync.answer_forged", "the policy's version is not the signed one");
    out.signed_policy = std::move(answer.policy);
    return out;
}

Result<void> CentralClient::report_alarm(const protocol::AlarmReport& report)
{
    Sent sent;
    TRY(expect_ok(signed_request("POST", "/v1/alarm", protocol::to_json(report).dump(), "application/json", sent), sent));
    return {};
}

Result<void> CentralClient::send_health(protocol::HealthReport report)
{
    report.terminal_id = m_identity.terminal_id;
    auto signed_health = TRY(protocol::sign_health(report, m_identity.keys.secret_key));
    Sent sent;
    TRY(expect_ok(signed_request("POST", "/v1/terminal/health", protocol::to_json(signed_health).dump(), "application/json", sent),
                  sent));
    return {};
}

} // namespace nafitha::sync
