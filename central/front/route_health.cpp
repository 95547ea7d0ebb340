// GET /v1/health — 200 {"status":"ok"} or 503 {"status":"unavailable"} from the health monitor's last probe.
// Runs on the event thread and never touches the store, so it answers while the store is slow or full.
// The operators' listener adds the problems, free bytes and the last store error.

#include "central/front/routes.h"

#include "base/clock.h"

namespace nafitha::central::front {

Route health_route(Context& ctx, bool detailed)
{
    Route r;
    r.method = "GET";
    r.path = "/v1/health";
    r.run_on = RunOn::Inline;
    r.handler = [&ctx, detailed](Request&) {
        auto s = ctx.health.state();
        nlohmann::json body = {{"status", s.ok ? "ok" : "unavailable"},
                               {"version", NAFITHA_VERSION},
                               {"server_time_ms", clock::unix_ms()}};
        if (detailed) {
            body["problems"] = s.problems;
            body["free_bytes"] = s.free_bytes;
            body["last_write_ok_ms"] = s.last_write_ok_ms;
            if (!s.last_error.empty())
                body["last_error"] = s.last_error;
            body["instance"] = ctx.instance;
        }
        auto out = Response::json(s.ok ? 200 : 503, body);
        if (!s.ok)
            out.headers.emplace_back("Retry-After", "5");
        return out;
    };
    return r;
}

} // namespace nafitha::central::front
