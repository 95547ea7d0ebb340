#include "central/front/auth.h"

#include "base/clock.h"
#include "sync/protocol/json_reader.h"
#include "sync/protocol/messages.h"

namespace nafitha::central::front {

namespace {

// A key nobody holds: checking against it costs what checking against a real key costs.
const protocol::PublicKey& throwaway_key()
{
    static const protocol::PublicKey key = protocol::generate_keypair().public_key;
    return key;
}

constexpr const char* kUniform = "the request could not be authenticated";

} // namespace

std::optional<Refusal> authenticate(Context& ctx, const Request& req, TerminalRecord& terminal)
{
    auto parsed = protocol::parse_request_auth(req.header(protocol::kHeaderTerminal), req.header(protocol::kHeaderTime),
                                               req.header(protocol::kHeaderNonce), req.header(protocol::kHeaderSignature));
    if (!parsed)
        return refusal(401, "error.central.unauthenticated", "missing or malformed signature headers");
    auto& auth = *parsed;
    int64_t now = clock::unix_ms();
    if (auth.time_ms < now - protocol::kMaxClockSkewMs || auth.time_ms > now + protocol::kMaxClockSkewMs)
        return refusal(401, "error.central.clock_skew",
                       "request time is " + std::to_string((auth.time_ms - now) / 1000) + " s off the server clock");
    auto found = ctx.store.find_terminal(auth.terminal_id);
    if (!found.ok()) {
        Refusal r = refusal(503, "error.central.storage", "try again later", found.error().to_string());
        r.retry_after_s = 5;
        return r;
    }
    if (!found.value()) {
        (void)protocol::verify_request(throwaway_key(), auth, req.method, req.target, req.body);
        return refusal(401, "error.central.unauthenticated", kUniform, "unknown terminal " + auth.terminal_id);
    }
    terminal = *found.value();
    auto key = protocol::decode_public_key(terminal.public_key);
    if (!key.ok() || !protocol::verify_request(key.value(), auth, req.method, req.target, req.body))
        return refusal(401, "error.central.unauthenticated", kUniform, "bad signature for terminal " + terminal.id);
    if (terminal.status != "active")
        return refusal(403, "error.central.revoked", "terminal " + terminal.id + " is revoked");
    // Kept until the signed time can no longer pass the clock check.
    auto fresh = ctx.store.use_nonce(terminal.id, auth.nonce, auth.time_ms + protocol::kMaxClockSkewMs + 60'000, now);
    if (!fresh.ok()) {
        Refusal r = refusal(503, "error.central.storage", "try again later", fresh.error().to_string());
        r.retry_after_s = 5;
        return r;
    }
    if (!fresh.value())
        return refusal(401, "error.central.replay", "nonce already used");
    return std::nullopt;
}

std::variant<nlohmann::json, Refusal> parse_small_body(const Request& req)
{
    protocol::JsonLimits limits;
    limits.max_depth = 4;
    limits.max_elements = 64;
    limits.max_string_bytes = 1024;
    limits.max_input_bytes = protocol::kMaxSmallBodyBytes;
    auto json = protocol::parse_json_bounded(req.body, limits);
    if (!json.ok())
        return refusal(400, "error.sync.message_malformed", json.error().detail);
    return json.release_value();
}

} // namespace nafitha::central::front
