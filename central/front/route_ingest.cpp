// POST /v1/ingest — signed: a gzip batch of journal entries. Runs on the ingest pool (few threads: the
// memory-heavy part). The body is inflated and parsed in one stream with every limit enforced as it goes
// (sync/protocol/batch_reader.h); then signatures, sequence and chain; then one store transaction.

#include "central/front/routes.h"

#include "base/clock.h"
#include "central/front/auth.h"
#include "central/server.h"

namespace nafitha::central::front {

namespace {

int status_for(const Error& e)
{
    if (e.code == "error.sync.body_too_large")
        return 413;
    return 400;
}

} // namespace

Route ingest_route(Context& ctx)
{
    Route r;
    r.method = "POST";
    r.path = "/v1/ingest";
    r.run_on = RunOn::IngestPool;
    r.max_body_bytes = protocol::kMaxRequestBodyBytes;
    r.handler = [&ctx](Request& req) {
        TerminalRecord t;
        if (auto refused = authenticate(ctx, req, t))
            return ctx.refuse(req, *refused);
        if (req.header("content-type") != protocol::kBatchContentType)
            return ctx.refuse(req, refusal(415, "error.central.content_type",
                                           std::string("the batch must be ") + protocol::kBatchContentType));
        auto batch = protocol::read_ingest_batch(req.body, ctx.config.batch);
        std::string().swap(req.body);
        if (!batch.ok())
            return ctx.refuse(req, refusal(status_for(batch.error()), batch.error().code, batch.error().detail));
        if (batch->terminal_id != t.id)
            return ctx.refuse(req, refusal(400, "error.central.batch_invalid", "the batch names another terminal"));
        const auto& entries = batch->entries;
        for (size_t i = 0; i < entries.size(); ++i) {
            if (entries[i].terminal_id != t.id)
                return ctx.refuse(req, refusal(400, "error.central.batch_invalid", "an entry names another terminal"));
            if (i > 0 && entries[i].seq != entries[i - 1].seq + 1)
                return ctx.refuse(req, refusal(400, "error.central.batch_invalid", "entries are not consecutive"));
        }
        auto key = protocol::decode_public_key(t.public_key).value();
        int64_t bad_seq = 0;
        if (auto v = verify_entries(entries, key, bad_seq); !v.ok()) {
            auto refused = refusal(422, "error.central.entry_invalid", v.error().to_string());
            refused.bad_seq = bad_seq;
            return ctx.refuse(req, refused);
        }
        for (size_t i = 1; i < entries.size(); ++i) {
            if (entries[i].prev_hash != entries[i - 1].hash) {
                auto refused = refusal(422, "error.central.entry_invalid",
                                       "entry " + std::to_string(entries[i].seq) + " does not chain to the one before it");
                refused.bad_seq = entries[i].seq;
                return ctx.refuse(req, refused);
            }
        }
        IngestRefusal why;
        int64_t now = clock::unix_ms();
        auto outcome = ctx.store.ingest(t.id, entries, now, why);
        if (!outcome.ok()) {
            const auto& code = outcome.error().code;
            auto refused = refusal(503, code, outcome.error().detail);
            refused.acked_seq = t.last_seq;
            if (code == "error.central.gap") {
                refused.status = 409;
                refused.expected_seq = why.seq;
            } else if (code == "error.central.fork" || code == "error.central.chain") {
                refused.status = 409;
                refused.bad_seq = why.seq;
                if (code == "error.central.fork") {
                    (void)ctx.store.record_fork_alarm(t.id, why.seq, why.stored_hash, why.offered_hash, now);
                    ctx.metrics.add_fork_alarm();
                    log::error("central", "FORK ALARM: terminal " + t.id + " offered a different entry under seq "
                                              + std::to_string(why.seq) + " (from " + req.peer + ")");
                }
            } else if (code == "error.central.revoked") {
                refused.status = 403;
            } else if (code == "error.central.unknown_terminal") {
                refused.status = 401;
                refused.code = "error.central.unauthenticated";
                refused.detail = "the request could not be authenticated";
            } else {
                refused.code = "error.central.storage";
                refused.detail = "nothing stored; try again later";
                refused.log_detail = outcome.error().to_string();
                refused.retry_after_s = 5;
            }
            return ctx.refuse(req, refused);
        }
        ctx.metrics.add_batch();
        ctx.metrics.add_ingested(outcome->stored);
        return Response::json(200, protocol::to_json(protocol::IngestResponse{outcome->acked_seq, outcome->stored, clock::unix_ms()}));
    };
    return r;
}

} // namespace nafitha::central::front
