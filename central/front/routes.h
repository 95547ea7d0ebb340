#pragma once
// One handler per route, one file per route (central/front/route_*.cpp). Each function returns the Route
// (method, path, where it runs, its body cap) bound to the shared Context. central/server.cpp decides which
// listener serves which routes: the terminals' listener never serves /metrics.

#include "central/front/context.h"

#include <filesystem>

namespace nafitha::central {
class TransparencyLog;
}

namespace nafitha::central::front {

Route health_route(Context& ctx, bool detailed);  // GET /v1/health (inline: from the health monitor's last state)
Route metrics_route(Context& ctx, const std::vector<const Listener*>& listeners); // GET /metrics (admin only)
Route enroll_route(Context& ctx);                 // POST /v1/enroll
Route terminal_route(Context& ctx);               // GET /v1/terminal
Route ingest_route(Context& ctx);                 // POST /v1/ingest
Route status_route(Context& ctx);                 // GET /v1/status
Route catalogue_route(Context& ctx);              // GET /v1/catalogue
Route alarm_route(Context& ctx);                  // POST /v1/alarm
Route terminal_health_route(Context& ctx);        // POST /v1/terminal/health
Route indicators_route(Context& ctx);             // GET /v1/indicators (admin only, Bearer API token; JSON or CSV)
// GET /v1/log/{checkpoint,consistency,inclusion,entry,receipt} (public, read-only, rate-limited per address).
std::vector<Route> log_routes(Context& ctx, TransparencyLog& log);
// POST /v1/log/checkpoint (operators): a checkpoint now.
Route log_checkpoint_now_route(Context& ctx, TransparencyLog& log);
Route updates_route(Context& ctx, std::filesystem::path repo); // GET /updates/... (the signed apt repository's files)

} // namespace nafitha::central::front
