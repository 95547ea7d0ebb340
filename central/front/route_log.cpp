// The transparency log's public routes (docs/PROTOCOL.md "Transparency log"): read-only, unauthenticated (an
// auditor or a citizen holds no terminal key), GET only with no body, rate-limited per client address. What they
// answer is checked by the client against central's public key: the checkpoint is signed, the proofs lead to its
// root, so none of these answers needs to be trusted.
//   GET /v1/log/checkpoint                        the latest signed checkpoint
//   GET /v1/log/consistency?first=A&second=B      PROOF(A, D[B])
//   GET /v1/log/inclusion?index=I&size=S          PATH(I, D[S])
//   GET /v1/log/entry?terminal=T&seq=N            the logged entry (its leaf index, signed bytes, signature)
//   GET /v1/log/entry?terminal=T&reference=R      the same for the entry that submitted application R
//   GET /v1/log/receipt?terminal=T&reference=R    that entry, the latest checkpoint and the inclusion proof
// and on the operators' listener: POST /v1/log/checkpoint makes one now (when the log grew).

#include "central/front/routes.h"

#include "base/clock.h"
#include "central/log.h"
#include "sync/protocol/transparency.h"

#include <charconv>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace nafitha::central::front {

namespace {

// Fixed windows per client address, in this instance's memory (reads change nothing, so a limit per instance is
// enough; the store is not written for them).
class ReadLimiter {
public:
    explicit ReadLimiter(LogReadLimits limits) : m_limits(limits) {}
    // Seconds until the window ends when the address is over its limit, else 0.
    int over(const std::string& address, int64_t now_ms)
    {
        std::lock_guard lock(m_mutex);
        int64_t window = now_ms / m_limits.window_ms;
        if (window != m_window) {
            m_window = window;
            m_counts.clear();
        }
        if (m_counts.size() > 200'000)
            m_counts.clear(); // a flood of addresses: start again rather than grow
        if (++m_counts[address] <= m_limits.per_address)
            return 0;
        return static_cast<int>(std::max<int64_t>(1, ((window + 1) * m_limits.window_ms - now_ms + 999) / 1000));
    }

private:
    LogReadLimits m_limits;
    std::mutex m_mutex;
    int64_t m_window = -1;
    std::unordered_map<std::string, int64_t> m_counts;
};

std::optional<int64_t> int_param(const Request& req, std::string_view name)
{
    auto p = req.param(name);
    if (!p)
        return std::nullopt;
    int64_t v = 0;
    auto res = std::from_chars(p->data(), p->data() + p->size(), v);
    if (res.ec != std::errc() || res.ptr != p->data() + p->size() || v < 0)
        return std::nullopt;
    return v;
}

// Terminal ids and references: 1..64 printable ASCII characters other than '|' (as receipts carry them).
std::optional<std::string> word_param(const Request& req, std::string_view name)
{
    auto p = req.param(name);
    if (!p || p->empty() || p->size() > 64)
        return std::nullopt;
    for (char c : *p)
        if (c <= ' ' || c > '~' || c == '|' || c == '%')
            return std::nullopt;
    return p;
}

Response storage_refusal(Context& ctx, const Request& req, const Error& e)
{
    if (e.code == "error.log.range")
        return ctx.refuse(req, refusal(404, "error.log.range", e.detail));
    Refusal busy = refusal(503, "error.central.storage", "try again later", e.to_string());
    busy.retry_after_s = 5;
    return ctx.refuse(req, busy);
}

Route log_route(Context& ctx, std::shared_ptr<ReadLimiter> limiter, std::string path, std::function<Response(Request&)> body)
{
    Route r;
    r.method = "GET";
    r.path = std::move(path);
    r.run_on = RunOn::Pool;
    r.max_body_bytes = 0;
    r.handler = [&ctx, limiter, body = std::move(body)](Request& req) {
        if (int retry = limiter->over(req.peer, clock::unix_ms())) {
            ctx.metrics.count_event("log_rate_limited");
            Refusal r = refusal(429, "error.central.rate_limited", "too many requests; try again later", "log reads over the per-address limit");
            r.retry_after_s = retry;
            return ctx.refuse(req, r);
        }
        return body(req);
    };
    return r;
}

// The entry the query names (terminal and seq, or terminal and reference): its leaf and signed bytes.
Result<std::optional<protocol::LoggedEntry>> find_entry(Context& ctx, const std::string& terminal, std::optional<int64_t> seq,
                                                        const std::optional<std::string>& reference)
{
    if (!seq) {
        seq = TRY(ctx.store.submission_seq(terminal, *reference));
        if (!seq)
            return std::optional<protocol::LoggedEntry>();
    }
    auto leaf = TRY(ctx.store.log_leaf_of(terminal, *seq));
    if (!leaf)
        return std::optional<protocol::LoggedEntry>();
    auto stored = TRY(ctx.store.entry_at(terminal, *seq));
    if (!stored)
        return std::optional<protocol::LoggedEntry>(); // archived and detached with its month
    protocol::LoggedEntry e;
    e.index = leaf->index;
    e.terminal_id = terminal;
    e.seq = *seq;
    e.bytes = stored->bytes;
    e.signature = stored->signature.empty() ? "" : protocol::to_base64(stored->signature);
    return std::optional<protocol::LoggedEntry>(std::move(e));
}

} // namespace

std::vector<Route> log_routes(Context& ctx, TransparencyLog& log)
{
    auto limiter = std::make_shared<ReadLimiter>(ctx.config.log_reads);
    std::vector<Route> out;

    out.push_back(log_route(ctx, limiter, "/v1/log/checkpoint", [&ctx, &log](Request& req) {
        auto latest = log.latest();
        if (!latest.ok())
            return storage_refusal(ctx, req, latest.error());
        if (!latest.value())
            return ctx.refuse(req, refusal(404, "error.log.no_checkpoint", "central has signed no checkpoint yet"));
        return Response::json(200, {{"checkpoint", nlohmann::json::parse(latest.value()->statement)}});
    }));

    out.push_back(log_route(ctx, limiter, "/v1/log/consistency", [&ctx, &log](Request& req) {
        auto first = int_param(req, "first"), second = int_param(req, "second");
        if (!first || !second || *first > *second)
            return ctx.refuse(req, refusal(400, "error.log.malformed", "first and second are sizes, first <= second"));
        auto proof = log.consistency_proof(*first, *second);
        if (!proof.ok())
            return storage_refusal(ctx, req, proof.error());
        return Response::json(200, {{"first", *first}, {"second", *second}, {"proof", protocol::hashes_to_json(proof.value())}});
    }));

    out.push_back(log_route(ctx, limiter, "/v1/log/inclusion", [&ctx, &log](Request& req) {
        auto index = int_param(req, "index"), size = int_param(req, "size");
        if (!index || !size || *index >= *size)
            return ctx.refuse(req, refusal(400, "error.log.malformed", "index and size are integers, index < size"));
        auto proof = log.inclusion_proof(*index, *size);
        if (!proof.ok())
            return storage_refusal(ctx, req, proof.error());
        return Response::json(200, {{"index", *index}, {"size", *size}, {"proof", protocol::hashes_to_json(proof.value())}});
    }));

    auto entry_query = [&ctx](Request& req, bool receipt, TransparencyLog& log) -> Response {
        auto terminal = word_param(req, "terminal");
        auto seq = receipt ? std::nullopt : int_param(req, "seq");
        auto reference = word_param(req, "reference");
        if (!terminal || (!seq && !reference))
            return ctx.refuse(req, refusal(400, "error.log.malformed",
                                           receipt ? "terminal and reference are required" : "terminal and seq (or reference) are required"));
        auto found = find_entry(ctx, *terminal, seq, reference);
        if (!found.ok())
            return storage_refusal(ctx, req, found.error());
        if (!found.value())
            return ctx.refuse(req, refusal(404, "error.log.not_found", "the log holds no such entry"));
        auto body = protocol::to_json(*found.value());
        if (!receipt)
            return Response::json(200, body);
        auto latest = log.latest();
        if (!latest.ok())
            return storage_refusal(ctx, req, latest.error());
        if (!latest.value() || latest.value()->size <= found.value()->index) {
            Refusal later = refusal(409, "error.log.not_checkpointed", "the entry is logged but no checkpoint covers it yet");
            later.retry_after_s = static_cast<int>(std::max<int64_t>(1, ctx.config.checkpoint_every_ms / 1000));
            return ctx.refuse(req, later);
        }
        auto proof = log.inclusion_proof(found.value()->index, latest.value()->size);
        if (!proof.ok())
            return storage_refusal(ctx, req, proof.error());
        body["checkpoint"] = nlohmann::json::parse(latest.value()->statement);
        body["proof"] = protocol::hashes_to_json(proof.value());
        return Response::json(200, body);
    };
    out.push_back(log_route(ctx, limiter, "/v1/log/entry", [entry_query, &log](Request& req) { return entry_query(req, false, log); }));
    out.push_back(log_route(ctx, limiter, "/v1/log/receipt", [entry_query, &log](Request& req) { return entry_query(req, true, log); }));
    return out;
}

Route log_checkpoint_now_route(Context& ctx, TransparencyLog& log)
{
    Route r;
    r.method = "POST";
    r.path = "/v1/log/checkpoint";
    r.run_on = RunOn::Pool;
    r.max_body_bytes = 0;
    r.handler = [&ctx, &log](Request& req) {
        auto cp = log.make_checkpoint(clock::unix_ms());
        if (!cp.ok()) {
            if (cp.error().code == "error.central.log_rewritten")
                return ctx.refuse(req, refusal(500, cp.error().code, cp.error().detail));
            return storage_refusal(ctx, req, cp.error());
        }
        return Response::json(200, {{"checkpoint", nlohmann::json::parse(cp->statement)}});
    };
    return r;
}

} // namespace nafitha::central::front
