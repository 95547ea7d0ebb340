#pragma once
// One HTTP(S) listener: libmicrohttpd in epoll mode, driven by an event thread of our own, with the
// limits a server facing a whole country needs:
//   - connections: a total cap, a cap per client address, a listen backlog sized for bursts;
//   - deadlines: the headers must be complete within header_timeout of the connection (or of the previous
//     answer, for keep-alive), the body within body_timeout plus time for its size at min_rate, the answer
//     must be taken within write_timeout (plus its size at min_rate). A connection past its deadline is shut
//     down by the event thread; an idle keep-alive connection costs a socket and ~16 KiB, never a thread;
//   - bodies: a per-route size cap (413 before the body is read when Content-Length says so), a budget of
//     body bytes held by all connections at once (503 with Retry-After beyond it);
//   - work: Pool routes run on a bounded WorkPool while the connection is suspended, so slow storage or
//     signature checks never stop the event thread from accepting, reading and answering /v1/health;
//     a full pool queue is answered 503 with Retry-After at once.
// Several listeners (terminals, admin, later web) share the pools; each has its own routes.

#include "base/result.h"
#include "central/front/http.h"
#include "central/front/pool.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace nafitha::central::front {

struct ListenerLimits {
    unsigned max_connections = 20000;
    unsigned max_connections_per_address = 256;
    int backlog = 4096;
    int64_t header_timeout_ms = 10'000;
    int64_t body_timeout_ms = 30'000;
    int64_t write_timeout_ms = 30'000;
    size_t min_rate_bytes_per_s = 2048;
    size_t connection_memory_bytes = 16 * 1024; // request line + headers (larger requests get 431/414)
    size_t bodies_in_flight_bytes = 256 * 1024 * 1024;
    int retry_after_s = 2;                       // Retry-After on 503 when overloaded
};

struct ListenerHooks {
    // Every answer passes here just before it is queued: common headers, metrics (and, with issue 14,
    // central's signature).
    std::function<void(const Request&, Response&, const std::string& label, int64_t elapsed_ns)> on_response;
    // The body of the listener's own refusals (404, 405, 413, 503...).
    std::function<Response(int status, const std::string& code, const std::string& detail)> refusal;
    // Counts listener events ("deadline_shutdown", "overloaded", "body_budget"...).
    std::function<void(const char* event)> on_event;
    // Lines that outsiders can cause (rate-limited by the caller).
    std::function<void(const std::string& line)> log;
};

struct TlsFiles {
    std::string cert_pem; // contents, not paths
    std::string key_pem;
};

class Listener {
public:
    Listener(std::string name, ListenerLimits limits, ListenerHooks hooks, WorkPool& pool, WorkPool& ingest_pool);
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    void add_route(Route route);

    // Binds HOST:PORT (port 0 picks a free one) and prepares the daemon; returns the port.
    Result<int> bind(const std::string& host, int port, const TlsFiles* tls = nullptr);
    // Starts the event thread.
    void start();
    // Stops accepting new connections (in-flight requests still get their answers).
    void quiesce();
    // Stops the event thread and closes every connection. Call after the pools are stopped.
    void stop();

    int port() const;
    const std::string& name() const;
    size_t open_connections() const;
    bool running() const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

// "HOST:PORT" -> host and port ("[::1]:8443" for IPv6). error.central.listen when malformed.
Result<std::pair<std::string, int>> split_host_port(const std::string& text);

} // namespace nafitha::central::front
