#pragma once
// The front's view of HTTP: a request as the listener hands it to a handler (headers copied, body complete,
// the raw target as sent so that signatures can cover it), a response, and a route. Listeners, routes and
// handlers know nothing of libmicrohttpd.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nafitha::central::front {

struct Request {
    std::string method;
    std::string target;  // path and query exactly as sent ("/v1/status?after=12")
    std::string path;    // target up to '?'
    std::string query;   // after '?', raw
    std::vector<std::pair<std::string, std::string>> headers; // names in lower case
    std::string body;
    std::string peer;    // the client's address ("127.0.0.1", "2001:db8::1")

    // The first header of that name (case-insensitive), empty when absent.
    std::string_view header(std::string_view name) const;
    bool has_header(std::string_view name) const;
    // The raw value of query parameter `name` (no %-decoding: the protocol's values are plain), if present.
    std::optional<std::string> param(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    static Response json(int status, const nlohmann::json& body);
    static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
};

using Handler = std::function<Response(Request&)>;

// Where a handler runs. Inline handlers run on the listener's event thread and must never block (no store, no
// signature checks): health from a cached state, static answers. Pool handlers run on a bounded pool while
// the connection is suspended; when that pool's queue is full the client gets 503 with Retry-After.
enum class RunOn { Inline, Pool, IngestPool };

struct Route {
    std::string method; // "GET", "POST"
    std::string path;   // exact path, or a prefix when it ends with '/' (the files under it)
    Handler handler;
    RunOn run_on = RunOn::Pool;
    size_t max_body_bytes = 0; // bodies over this are refused with 413 before they are read
    std::string label;  // metrics label; defaults to the path
};

} // namespace nafitha::central::front
