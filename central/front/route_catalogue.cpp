// GET /v1/catalogue?have=VERSION — signed: the whole catalogue document when central has a newer one.

#include "central/front/routes.h"

#include "base/clock.h"
#include "central/front/auth.h"

#include <charconv>

namespace nafitha::central::front {

Route catalogue_route(Context& ctx)
{
    Route r;
    r.method = "GET";
    r.path = "/v1/catalogue";
    r.run_on = RunOn::Pool;
    r.handler = [&ctx](Request& req) {
        TerminalRecord t;
        if (auto refused = authenticate(ctx, req, t))
            return ctx.refuse(req, *refused);
        int64_t have = 0;
        if (auto p = req.param("have")) {
            auto res = std::from_chars(p->data(), p->data() + p->size(), have);
            if (res.ec != std::errc() || res.ptr != p->data() + p->size())
                return ctx.refuse(req, refusal(400, "error.sync.message_malformed", "'have' is not an integer"));
        }
        auto latest = ctx.store.latest_catalogue();
        if (!latest.ok()) {
            Refusal busy = refusal(503, "error.central.storage", "try again later", latest.error().to_string());
            busy.retry_after_s = 5;
            return ctx.refuse(req, busy);
        }
        protocol::CatalogueResponse out;
        out.server_time_ms = clock::unix_ms();
        if (!latest.value() || latest.value()->version <= have) {
            out.version = latest.value() ? latest.value()->version : 0;
            out.up_to_date = true;
            return Response::json(200, protocol::to_json(out));
        }
        // The document was checked when it was imported; it is sent as stored, without parsing it again, with
        // central's signed statement of its version, hash and expiry.
        auto statement = ctx.catalogue_statement(*latest.value());
        if (!statement.ok()) {
            Refusal broken = refusal(500, "error.central.internal", "the catalogue cannot be served", statement.error().to_string());
            return ctx.refuse(req, broken);
        }
        out.version = latest.value()->version;
        out.up_to_date = false;
        out.catalogue = statement.release_value();
        auto head = protocol::to_json(out);
        head.erase("document");
        std::string body = head.dump();
        body.pop_back(); // '}'
        body += ",\"document\":" + latest.value()->document + "}";
        Response res;
        res.status = 200;
        res.body = std::move(body);
        return res;
    };
    return r;
}

} // namespace nafitha::central::front
