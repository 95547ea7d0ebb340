// POST /v1/terminal/health — signed: the terminal's health report, itself signed by the terminal's key
// (sync/protocol/health.h). Central checks the report's signature and that it names the calling terminal, then
// keeps it with its signed bytes (Store::record_health: the latest per terminal, and the spans of one state).

#include "central/front/routes.h"

#include "base/clock.h"
#include "central/front/auth.h"
#include "sync/protocol/canonical.h"
#include "sync/protocol/health.h"
#include "sync/protocol/json_reader.h"

namespace nafitha::central::front {

Route terminal_health_route(Context& ctx)
{
    Route r;
    r.method = "POST";
    r.path = "/v1/terminal/health";
    r.run_on = RunOn::Pool;
    r.max_body_bytes = protocol::kMaxSmallBodyBytes;
    r.handler = [&ctx](Request& req) {
        TerminalRecord t;
        if (auto refused = authenticate(ctx, req, t))
            return ctx.refuse(req, *refused);
        auto body = parse_small_body(req);
        if (auto* refused = std::get_if<Refusal>(&body))
            return ctx.refuse(req, *refused);
        const auto& json = std::get<nlohmann::json>(body);
        auto signed_health = protocol::signed_health_from_json(json);
        if (!signed_health.ok())
            return ctx.refuse(req, refusal(400, signed_health.error().code, signed_health.error().detail));
        auto report = protocol::health_report_from_json(signed_health->document);
        if (!report.ok())
            return ctx.refuse(req, refusal(400, report.error().code, report.error().detail));
        if (report->terminal_id != t.id)
            return ctx.refuse(req, refusal(400, "error.sync.message_malformed", "the health report names another terminal"));
        auto key = protocol::decode_public_key(t.public_key);
        if (!key.ok())
            return ctx.refuse(req, refusal(500, "error.central.internal", "the terminal's stored key does not decode"));
        if (auto v = protocol::verify_health(signed_health.value(), key.value()); !v.ok())
            return ctx.refuse(req, refusal(400, v.error().code, v.error().detail));
        auto canonical = protocol::canonical_json(signed_health->document);
        if (!canonical.ok())
            return ctx.refuse(req, refusal(400, "error.sync.message_malformed", canonical.error().detail));
        HealthSample sample{t.id, clock::unix_ms(), report->out_of_service, canonical.value(), signed_health->signature};
        if (auto stored = ctx.store.record_health(sample); !stored.ok())
            return ctx.refuse(req, refusal(503, "error.central.storage", stored.error().detail));
        return Response::json(200, {{"recorded", true}, {"server_time_ms", sample.received_ms}});
    };
    return r;
}

} // namespace nafitha::central::front
