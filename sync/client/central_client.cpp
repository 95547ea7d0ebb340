#include "sync/client/central_client.h"

#include "base/clock.h"
#include "sync/protocol/gzip.h"

namespace nafitha::sync {

Retry classify(const Error& error, const Refusal& refusal)
{
    const auto& code = error.code;
    if (code == "error.sync.network" || code == "error.sync.tls" || code == "error.sync.aborted"
        || code == "error.sync.server_error" || code == "error.sync.server_busy" || code == "error.sync.message_malformed"
        || code == "error.central.clock_skew" || code == "error.central.replay" || code == "error.central.gap"
        || code == "error.central.storage" || code == "error.central.internal" || code == "error.central.overloaded"
        || code == "error.central.rate_limited" || code.rfind("error.db.", 0) == 0)
        return Retry::Later;
    if (refusal.http_status == 0 || refusal.http_status >= 500 || refusal.http_status == 408 || refusal.http_status == 429)
        return Retry::Later;
    return Retry::Never;
}

CentralClient::CentralClient(std::string server_url, journal::Identity identity, HttpOptions options)
    : m_url(std::move(server_url)), m_identity(std::move(identity)), m_http(std::move(options))
{
    while (!m_url.empty() && m_url.back() == '/')
        m_url.pop_back();
}

Result<nlohmann::json> CentralClient::expect_ok(Result<HttpResponse> response)
{
    m_refusal = {};
    if (!response.ok())
        return response.release_error();
    const auto& r = response.value();
    m_refusal.http_status = r.status;
    m_refusal.retry_after_s = r.retry_after_s;
    if (r.status == 200) {
        auto json = protocol::parse_json(r.body, 64 * 1024 * 1024);
        if (!json.ok())
            return Error::make("error.sync.message_malformed", "the server's answer is not valid JSON (truncated?)");
        return json;
    }
    auto json = protocol::parse_json(r.body, 1024 * 1024);
    if (json.ok()) {
        if (auto e = protocol::error_response_from_json(json.value()); e.ok()) {
            m_refusal.expected_seq = e->expected_seq;
            m_refusal.bad_seq = e->bad_seq;
            m_refusal.acked_seq = e->acked_seq;
            return Error::make(e->error, "HTTP " + std::to_string(r.status) + ": " + e->detail);
        }
    }
    if (r.status == 413)
        return Error::make("error.sync.batch_too_large", "HTTP 413 from the server");
    if (r.status == 429 || r.status == 503)
        return Error::make("error.sync.server_busy", "HTTP " + std::to_string(r.status) + " from the server");
    if (r.status >= 500)
        return Error::make("error.sync.server_error", "HTTP " + std::to_string(r.status) + " from the server");
    return Error::make("error.sync.http_status", "unexpected HTTP " + std::to_string(r.status));
}

Result<HttpResponse> CentralClient::signed_request(const char* method, const std::string& path, const std::string& body,
                                                   const char* content_type)
{
    for (int attempt = 0;; ++attempt) {
        int64_t now = clock::unix_ms() + m_clock_offset_ms;
        auto auth = protocol::sign_request(m_identity.keys.secret_key, m_identity.terminal_id, method, path, body, now);
        std::vector<std::string> headers = {
            std::string(protocol::kHeaderTerminal) + ": " + auth.terminal_id,
            std::string(protocol::kHeaderTime) + ": " + std::to_string(auth.time_ms),
            std::string(protocol::kHeaderNonce) + ": " + auth.nonce,
            std::string(protocol::kHeaderSignature) + ": " + auth.signature,
        };
        if (content_type)
            headers.push_back(std::string("Content-Type: ") + content_type);
        auto response = TRY(m_http.request(method, m_url + path, headers, body));
        // A clock off by more than the accepted skew: learn the offset from the server and sign again, once.
        if (attempt == 0 && response.status == 401 && response.server_time_ms > 0
            && response.body.find("error.central.clock_skew") != std::string::npos) {
            m_clock_offset_ms = response.server_time_ms - clock::unix_ms();
            continue;
        }
        return response;
    }
}

Result<protocol::EnrollResponse> CentralClient::enroll(const std::string& code)
{
    protocol::EnrollRequest req{code, m_identity.terminal_id, protocol::encode_public_key(m_identity.keys.public_key)};
    auto json = TRY(expect_ok(m_http.request("POST", m_url + "/v1/enroll", {"Content-Type: application/json"},
                                             protocol::to_json(req).dump())));
    return protocol::enroll_response_from_json(json);
}

Result<protocol::TerminalState> CentralClient::terminal_state()
{
    auto json = TRY(expect_ok(signed_request("GET", "/v1/terminal", "", nullptr)));
    return protocol::terminal_state_from_json(json);
}

Result<protocol::IngestResponse> CentralClient::ingest(const std::vector<protocol::Entry>& entries)
{
    protocol::IngestRequest req{m_identity.terminal_id, entries};
    // Level 1: most of the size gain for a fraction of the CPU (hashes and signatures do not compress anyway).
    std::string body = protocol::gzip_compress(protocol::to_json(req).dump(), 1);
    auto json = TRY(expect_ok(signed_request("POST", "/v1/ingest", body, protocol::kBatchContentType)));
    return protocol::ingest_response_from_json(json);
}

Result<protocol::StatusResponse> CentralClient::status(int64_t after_cursor)
{
    auto json = TRY(expect_ok(signed_request("GET", "/v1/status?after=" + std::to_string(after_cursor), "", nullptr)));
    return protocol::status_response_from_json(json);
}

Result<protocol::CatalogueResponse> CentralClient::catalogue(int64_t have_version)
{
    auto json = TRY(expect_ok(signed_request("GET", "/v1/catalogue?have=" + std::to_string(have_version), "", nullptr)));
    return protocol::catalogue_response_from_json(json);
}

} // namespace nafitha::sync
