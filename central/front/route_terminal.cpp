// GET /v1/terminal — signed: where central stands for the calling terminal: a signed ack of its last seq and hash.

#include "central/front/routes.h"

#include "base/clock.h"
#include "central/front/auth.h"

namespace nafitha::central::front {

Route terminal_route(Context& ctx)
{
    Route r;
    r.method = "GET";
    r.path = "/v1/terminal";
    r.run_on = RunOn::Pool;
    r.handler = [&ctx](Request& req) {
        TerminalRecord t;
        if (auto refused = authenticate(ctx, req, t))
            return ctx.refuse(req, *refused);
        protocol::TerminalState out{t.id, t.centre, t.status, t.last_seq, t.last_hash, clock::unix_ms(), {}};
        out.ack = ctx.sign(protocol::statement_of(protocol::Ack{t.id, t.last_seq, t.last_hash, out.server_time_ms}));
        return Response::json(200, protocol::to_json(out));
    };
    return r;
}

} // namespace nafitha::central::front
