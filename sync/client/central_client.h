#pragma once
// The terminal's view of nafitha-central: signed requests (method, path, body hash, time, nonce) with the
// terminal key, and the refusals turned into values. The client learns its clock offset from the server and
// retries once when its clock is off by more than the accepted skew.

#include "base/result.h"
#include "sync/client/http.h"
#include "sync/journal/identity.h"
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

class CentralClient {
public:
    CentralClient(std::string server_url, journal::Identity identity, HttpOptions options);

    // Unsigned: the terminal sends its id, its public key and the one-time code.
    Result<protocol::EnrollResponse> enroll(const std::string& code);

    Result<protocol::TerminalState> terminal_state();
    // Sends the entries gzip-compressed in one signed request.
    Result<protocol::IngestResponse> ingest(const std::vector<protocol::Entry>& entries);
    Result<protocol::StatusResponse> status(int64_t after_cursor);
    Result<protocol::CatalogueResponse> catalogue(int64_t have_version);

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

private:
    Result<HttpResponse> signed_request(const char* method, const std::string& path, const std::string& body,
                                        const char* content_type);
    Result<nlohmann::json> expect_ok(Result<HttpResponse> response);

    std::string m_url;
    journal::Identity m_identity;
    HttpClient m_http;
    Refusal m_refusal;
    int64_t m_clock_offset_ms = 0;
};

} // namespace nafitha::sync
