#pragma once
// HTTP over libcurl for the sync client: one owned CURL handle (connection reuse within a burst of requests;
// close_connections() drops the connection so that an idle terminal holds nothing open at central), connect
// and transfer timeouts, TLS verification against a configured CA file, no proxy for loopback, and an abort
// switch so that stopping the worker never waits for a slow transfer.

#include "base/result.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::sync {

struct HttpOptions {
    std::string ca_file;                 // PEM bundle that must sign the server certificate; empty = system CAs
    int64_t connect_timeout_ms = 5000;
    int64_t transfer_timeout_ms = 120000; // a whole request and response
    int64_t stall_timeout_s = 20;        // abort when less than 1 byte/s flows for this long
    bool no_proxy = true;                // never use a proxy from the environment (loopback, direct links)
};

struct HttpResponse {
    long status = 0;
    std::string body;
    int64_t server_time_ms = 0; // from X-Nafitha-Server-Time, 0 when absent
    int64_t retry_after_s = 0;  // from Retry-After (seconds form), 0 when absent
    std::string answer_signature; // from X-Nafitha-Answer-Signature (central's signature over the answer), if any
};

class HttpClient {
public:
    explicit HttpClient(HttpOptions options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // error.sync.network (no connection, timeout, cut), error.sync.tls (certificate), error.sync.aborted.
    Result<HttpResponse> request(std::string_view method, const std::string& url, const std::vector<std::string>& headers,
                                 std::string_view body);

    // Closes the kept connection (if any); the next request opens a new one.
    void close_connections();

    // Makes a running or later request stop quickly (set from another thread).
    void set_abort(const std::atomic<bool>* flag) { m_abort = flag; }
    int64_t bytes_sent() const { return m_bytes_sent; }

private:
    struct Handle;
    std::unique_ptr<Handle> m_handle;
    HttpOptions m_options;
    const std::atomic<bool>* m_abort = nullptr;
    int64_t m_bytes_sent = 0;
};

} // namespace nafitha::sync
