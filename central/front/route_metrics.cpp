// GET /metrics — Prometheus text, on the operators' listener only: counters summed over every instance and
// restart (from the store), this instance's gauges (open connections, pool queues), and per-terminal gauges.

#include "central/front/routes.h"

#include "base/clock.h"
#include "central/signatures.h"

namespace nafitha::central::front {

Route metrics_route(Context& ctx, const std::vector<const Listener*>& listeners)
{
    Route r;
    r.method = "GET";
    r.path = "/metrics";
    r.run_on = RunOn::Pool;
    r.handler = [&ctx, listeners](Request&) {
        // Add what this instance counted so far, then read the sums.
        auto deltas = ctx.metrics.take_unflushed();
        if (auto stored = ctx.store.add_counters(deltas); !stored.ok())
            ctx.metrics.restore_unflushed(deltas);
        std::string text;
        if (auto totals = ctx.store.counters(); totals.ok())
            text = Metrics::format(totals.value());
        else
            text = ctx.metrics.render();
        text += "# HELP nafitha_central_open_connections Connections open on this instance, by listener.\n"
                "# TYPE nafitha_central_open_connections gauge\n";
        for (const auto* l : listeners)
            text += "nafitha_central_open_connections{listener=\"" + l->name() + "\"} " + std::to_string(l->open_connections()) + "\n";
        auto health = ctx.health.state();
        text += "# HELP nafitha_central_healthy 1 when /v1/health says ok.\n# TYPE nafitha_central_healthy gauge\n"
                "nafitha_central_healthy " + std::string(health.ok ? "1" : "0") + "\n"
                "# HELP nafitha_central_disk_free_bytes Free bytes on the data folder's disk.\n"
                "# TYPE nafitha_central_disk_free_bytes gauge\nnafitha_central_disk_free_bytes "
            + std::to_string(health.free_bytes) + "\n";
        // Stored entries whose per-transaction signatures are not yet known checked (above their terminal's
        // watermark: checked after the answer, or at the next start), and what this instance has left to check.
        if (auto backlog = ctx.store.signature_backlog(); backlog.ok()) {
            int64_t unchecked = 0;
            for (const auto& b : backlog.value())
                unchecked += b.last_seq - b.checked_seq;
            text += "# HELP nafitha_central_signatures_unchecked Stored entries above their terminal's signature watermark.\n"
                    "# TYPE nafitha_central_signatures_unchecked gauge\nnafitha_central_signatures_unchecked "
                + std::to_string(unchecked) + "\n";
        }
        if (ctx.signatures)
            text += "# HELP nafitha_central_signatures_backlog Stored entries this instance still has to check (start-up check and queue).\n"
                    "# TYPE nafitha_central_signatures_backlog gauge\nnafitha_central_signatures_backlog "
                + std::to_string(ctx.signatures->backlog()) + "\n";
        auto terminals = ctx.store.terminals();
        if (terminals.ok()) {
            int64_t now = clock::unix_ms();
            text += "# HELP nafitha_central_terminal_last_seq Last stored sequence per terminal.\n"
                    "# TYPE nafitha_central_terminal_last_seq gauge\n";
            for (const auto& t : terminals.value())
                text += "nafitha_central_terminal_last_seq{terminal=\"" + t.id + "\",centre=\"" + t.centre + "\"} "
                    + std::to_string(t.last_seq) + "\n";
            text += "# HELP nafitha_central_terminal_lag_seconds Seconds since the terminal's last accepted batch.\n"
                    "# TYPE nafitha_central_terminal_lag_seconds gauge\n";
            for (const auto& t : terminals.value()) {
                int64_t since = t.last_ingest_ms ? t.last_ingest_ms : t.enrolled_ms;
                text += "nafitha_central_terminal_lag_seconds{terminal=\"" + t.id + "\",centre=\"" + t.centre + "\"} "
                    + std::to_string((now - since) / 1000) + "\n";
            }
        }
        return Response::text(200, std::move(text), "text/plain; version=0.0.4");
    };
    return r;
}

} // namespace nafitha::central::front
