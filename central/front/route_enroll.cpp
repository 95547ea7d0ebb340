// POST /v1/enroll — unsigned: a one-time code, the terminal id and its public key. Guesses are limited per
// client address and overall (429 with Retry-After). Unknown, used and expired codes get one and the same
// answer; the log has the real reason and the client's address.

#include "central/front/routes.h"

#include "base/clock.h"
#include "central/server.h"
#include "central/front/auth.h"

namespace nafitha::central::front {

Route enroll_route(Context& ctx)
{
    Route r;
    r.method = "POST";
    r.path = "/v1/enroll";
    r.run_on = RunOn::Pool;
    r.max_body_bytes = protocol::kMaxSmallBodyBytes;
    r.handler = [&ctx](Request& req) {
        if (auto limited = ctx.limit_enrollment(req, clock::unix_ms()))
            return ctx.refuse(req, *limited);
        auto body = parse_small_body(req);
        if (auto* refused = std::get_if<Refusal>(&body))
            return ctx.refuse(req, *refused);
        const auto& json = std::get<nlohmann::json>(body);
        auto msg = protocol::enroll_request_from_json(json);
        if (!msg.ok())
            return ctx.refuse(req, refusal(400, msg.error().code, msg.error().detail));
        auto key = protocol::decode_public_key(msg->public_key);
        if (!key.ok())
            return ctx.refuse(req, refusal(400, "error.sync.message_malformed", "public_key is not a base64 Ed25519 key"));
        if (protocol::terminal_id_for(key.value()) != msg->terminal_id)
            return ctx.refuse(req, refusal(400, "error.central.terminal_id_mismatch", "terminal_id does not match the public key"));
        auto record = ctx.store.enroll(protocol::sha256_hex(normalise_code(msg->code)), msg->terminal_id, msg->public_key,
                                       clock::unix_ms());
        if (!record.ok()) {
            const auto& code = record.error().code;
            if (code == "error.central.enroll_code")
                return ctx.refuse(req, refusal(403, code, "the enrollment code is not valid", record.error().detail));
            if (code == "error.central.revoked")
                return ctx.refuse(req, refusal(403, code, "this terminal is revoked", record.error().detail));
            if (code == "error.central.terminal_conflict")
                return ctx.refuse(req, refusal(409, code, "this terminal id is enrolled with another key"));
            Refusal busy = refusal(503, "error.central.storage", "try again later", record.error().to_string());
            busy.retry_after_s = 5;
            return ctx.refuse(req, busy);
        }
        auto catalogue = ctx.store.latest_catalogue();
        protocol::EnrollResponse out;
        out.terminal_id = record->id;
        out.centre = record->centre;
        out.name = record->name;
        out.server_public_key = protocol::encode_public_key(ctx.keys.public_key);
        out.catalogue_version = catalogue.ok() && catalogue.value() ? catalogue.value()->version : 0;
        out.server_time_ms = clock::unix_ms();
        // The statement the terminal pins central's key from: it names the terminal and its key, so that it cannot
        // be replayed to another terminal.
        out.enrollment = ctx.sign(protocol::statement_of(protocol::EnrollmentStatement{
            out.terminal_id, msg->public_key, out.centre, out.name, out.server_public_key, out.server_time_ms}));
        log::info("central", "enrolled terminal " + out.terminal_id + " for centre " + out.centre + " from " + req.peer);
        return Response::json(200, protocol::to_json(out));
    };
    return r;
}

} // namespace nafitha::central::front
