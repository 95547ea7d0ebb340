// GET /v1/status?after=CURSOR — signed: central's decisions on this terminal's applications, by cursor, each a
// statement signed by central (the terminal records the signature with the decision).

#include "central/front/routes.h"

#include "base/clock.h"
#include "central/front/auth.h"

#include <charconv>

namespace nafitha::central::front {

Route status_route(Context& ctx)
{
    Route r;
    r.method = "GET";
    r.path = "/v1/status";
    r.run_on = RunOn::Pool;
    r.handler = [&ctx](Request& req) {
        TerminalRecord t;
        if (auto refused = authenticate(ctx, req, t))
            return ctx.refuse(req, *refused);
        int64_t after = 0;
        if (auto p = req.param("after")) {
            auto res = std::from_chars(p->data(), p->data() + p->size(), after);
            if (res.ec != std::errc() || res.ptr != p->data() + p->size() || after < 0)
                return ctx.refuse(req, refusal(400, "error.sync.message_malformed", "'after' is not an integer"));
        }
        auto list = ctx.store.decisions_after(t.id, after, protocol::kMaxStatusDecisions);
        if (!list.ok()) {
            Refusal busy = refusal(503, "error.central.storage", "try again later", list.error().to_string());
            busy.retry_after_s = 5;
            return ctx.refuse(req, busy);
        }
        protocol::StatusResponse out;
        for (const auto& d : list.value())
            out.decisions.push_back(
                ctx.sign(protocol::statement_of(protocol::DecisionStatement{t.id, d.cursor, d.reference, d.status, d.note, d.decided_at, d.reason})));
        out.next_cursor = list->empty() ? after : list->back().cursor;
        out.server_time_ms = clock::unix_ms();
        return Response::json(200, protocol::to_json(out));
    };
    return r;
}

} // namespace nafitha::central::front
