// POST /v1/alarm — signed: a terminal reports what it found wrong between itself and central. Today one kind: a fork,
// when central's signed acknowledgement names a hash that is not the terminal's entry at that seq. Central checks the
// report against what it stores and records it in its fork alarms, so that the alarm stands on both ends.

#include "central/front/routes.h"

#include "base/clock.h"
#include "central/front/auth.h"
#include "sync/protocol/json_reader.h"

namespace nafitha::central::front {

Route alarm_route(Context& ctx)
{
    Route r;
    r.method = "POST";
    r.path = "/v1/alarm";
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
        auto report = protocol::alarm_report_from_json(json);
        if (!report.ok())
            return ctx.refuse(req, refusal(400, report.error().code, report.error().detail));
        if (report->kind != "fork" || report->seq < 1)
            return ctx.refuse(req, refusal(400, "error.sync.message_malformed", "unknown alarm kind or seq"));
        // What central holds at that seq.
        std::string stored;
        auto scanned = ctx.store.scan_entries(t.id, report->seq - 1, [&](const SignedEntry& e) -> Result<void> {
            if (e.seq == report->seq && stored.empty())
                stored = protocol::sha256_hex(e.bytes);
            return Error::make("stop", "");
        });
        (void)scanned;
        bool fork = !stored.empty() && stored != report->terminal_hash;
        if (fork) {
            (void)ctx.store.record_fork_alarm(t.id, report->seq, stored, report->terminal_hash, clock::unix_ms());
            ctx.metrics.add_fork_alarm();
            log::error("central", "FORK ALARM reported by terminal " + t.id + ": its entry " + std::to_string(report->seq)
                                      + " is not the one central acknowledged (from " + req.peer + ")");
        } else {
            log::warn("central", "terminal " + t.id + " reported a fork at seq " + std::to_string(report->seq)
                                     + " that central's store does not show");
        }
        return Response::json(200, {{"recorded", fork}, {"server_time_ms", clock::unix_ms()}});
    };
    return r;
}

} // namespace nafitha::central::front
