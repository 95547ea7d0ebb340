// POST /v1/ingest — signed: a gzip batch of journal entries. Runs on the ingest pool (few threads: the
// memory-heavy part). The body is inflated and parsed in one stream with every limit enforced as it goes
// (sync/protocol/batch_reader.h); then signatures, sequence and chain; then one store transaction.

#include "central/front/routes.h"

#include "base/clock.h"
#include "central/front/auth.h"
#include "central/server.h"
#include "central/signatures.h"

namespace nafitha::central::front {

namespace {

int status_for(const Error& e)
{
    if (e.code == "error.sync.body_too_large")
        return 413;
    return 400;
}

// Why `e` (an application.status_changed with actor central) is not a decision central took; empty when it is.
Result<std::string> check_central_decision(Context& ctx, const std::string& terminal_id, const protocol::Entry& e)
{
    const auto& p = e.payload;
    auto cursor = p.find("central_cursor");
    if (cursor == p.end() || !cursor->is_number_integer() || cursor->get<int64_t>() <= 0)
        return std::string("no central cursor");
    auto found = TRY(ctx.store.find_decision(terminal_id, cursor->get<int64_t>()));
    if (!found)
        return "central holds no decision " + std::to_string(cursor->get<int64_t>()) + " for this terminal";
    const auto& d = *found;
    auto ref = p.find("reference");
    auto to = p.find("to");
    if (ref == p.end() || !ref->is_string() || ref->get_ref<const std::string&>() != d.reference)
        return "decision " + std::to_string(d.cursor) + " is about another application";
    if (to == p.end() || !to->is_string() || to->get_ref<const std::string&>() != d.status)
        return "decision " + std::to_string(d.cursor) + " set another status";
    return std::string();
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
        // One signature per terminal transaction: a batch ends with a signed entry, which covers the unsigned ones
        // before it through the chain (checked below); an unsigned entry at the end could be anything.
        if (!protocol::is_signed(entries.back())) {
            auto refused = refusal(422, "error.central.entry_unsigned",
                                   "the batch ends with entry " + std::to_string(entries.back().seq) + ", which no signature covers");
            refused.bad_seq = entries.back().seq;
            return ctx.refuse(req, refused);
        }
        // Every entry is authenticated before it is stored: the request's signature covers the body, the store
        // recomputes each entry's hash from its content, the chain links them, and the last entry's signature
        // covers the chain (central/signatures.h). The signatures of the transactions inside the batch are checked
        // after the answer, on the deferred checker, or here when its queue is full.
        auto key = protocol::decode_public_key(t.public_key).value();
        int64_t bad_seq = 0;
        bool deferred = ctx.signatures && ctx.signatures->has_room(entries.size());
        auto verified = deferred ? authenticate_batch(entries, key, bad_seq) : verify_entries(entries, key, bad_seq);
        if (!verified.ok() && deferred) {
            int64_t first_bad = 0; // name the first bad entry, not the last signature that failed
            if (!verify_entries(entries, key, first_bad).ok())
                bad_seq = first_bad;
        }
        if (auto& v = verified; !v.ok()) {
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
        // Central decides: a status change that claims central as its actor is accepted only when central took
        // that very decision (same terminal, cursor, reference and status); a terminal cannot decide for central.
        for (const auto& e : entries) {
            if (e.seq <= t.last_seq || e.type != "application.status_changed")
                continue;
            auto actor = e.payload.find("actor");
            if (actor == e.payload.end() || !actor->is_string() || actor->get_ref<const std::string&>() != "central")
                continue;
            auto checked = check_central_decision(ctx, t.id, e);
            if (!checked.ok()) {
                Refusal busy = refusal(503, "error.central.storage", "nothing stored; try again later", checked.error().to_string());
                busy.retry_after_s = 5;
                return ctx.refuse(req, busy);
            }
            const std::string& why_not = checked.value();
            if (why_not.empty())
                continue;
            int64_t now = clock::unix_ms();
            (void)ctx.store.record_fork_alarm(t.id, e.seq, "decision:none", e.hash, now);
            ctx.metrics.add_fork_alarm();
            log::error("central", "FORGED DECISION: terminal " + t.id + " entry " + std::to_string(e.seq) + " claims a central decision: "
                                      + why_not + " (from " + req.peer + ")");
            auto refused = refusal(422, "error.central.forged_decision",
                                   "entry " + std::to_string(e.seq) + " claims a decision central did not take");
            refused.bad_seq = e.seq;
            refused.acked_seq = t.last_seq;
            return ctx.refuse(req, refused);
        }
        IngestRefusal why;
        int64_t now = clock::unix_ms();
        auto outcome = ctx.store.ingest(t.id, entries, now, why, deferred ? SignatureCheck::deferred : SignatureCheck::done);
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
                } else {
                    // The terminal's chain does not extend what central stored: its entry at the stored last seq is
                    // another one than central holds. Recorded like a fork, at that seq.
                    std::string offered;
                    for (const auto& e : entries)
                        if (e.seq == why.seq)
                            offered = e.prev_hash;
                    (void)ctx.store.record_fork_alarm(t.id, why.seq - 1, t.last_hash, "prev-of-next:" + offered, now);
                    ctx.metrics.add_fork_alarm();
                    log::error("central", "FORK ALARM: terminal " + t.id + " sent entry " + std::to_string(why.seq)
                                              + " that does not chain to the stored entry " + std::to_string(why.seq - 1)
                                              + " (from " + req.peer + ")");
                }
            } else if (code == "error.central.entry_invalid") {
                refused.status = 422; // an entry's hash does not match its content (found by the store's encoding)
                refused.bad_seq = why.seq;
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
        // The signed acknowledgement: central holds 1..acked_seq, the last with this hash. The terminal compares it
        // with its own entry and keeps it.
        protocol::IngestResponse out{outcome->acked_seq, outcome->stored, clock::unix_ms(), {}};
        std::string acked_hash = entries.back().hash;
        for (const auto& e : entries)
            if (e.seq == outcome->acked_seq)
                acked_hash = e.hash;
        if (outcome->acked_seq != entries.back().seq) {
            // Central holds more than this batch (a retry of old entries): the hash at its last seq is in the store.
            if (auto now_t = ctx.store.find_terminal(t.id); now_t.ok() && now_t.value() && now_t.value()->last_seq == outcome->acked_seq)
                acked_hash = now_t.value()->last_hash;
        }
        out.ack = ctx.sign(protocol::statement_of(protocol::Ack{t.id, outcome->acked_seq, acked_hash, out.server_time_ms}));
        // The stored entries (those central held already were checked when first stored): their signatures are
        // checked next, or were; either way the terminal's signature watermark moves past them once checked.
        const int64_t first_stored = outcome->acked_seq - outcome->stored + 1;
        if (deferred && outcome->stored > 0) {
            auto mine = std::move(batch->entries);
            std::erase_if(mine, [&](const protocol::Entry& e) { return e.seq < first_stored || e.seq > outcome->acked_seq; });
            ctx.signatures->submit(t.id, key, std::move(mine));
        } else if (ctx.signatures && outcome->stored > 0) {
            ctx.signatures->checked_before_storing(t.id, first_stored, outcome->acked_seq);
        }
        return Response::json(200, protocol::to_json(out));
    };
    return r;
}

} // namespace nafitha::central::front
