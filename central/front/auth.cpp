#include "central/front/auth.h"

#include "base/clock.h"
#include "sync/protocol/messages.h"

#include <charconv>

namespace nafitha::central::front {

namespace {

bool all_of(std::string_view s, bool (*ok)(char))
{
    for (char c : s)
        if (!ok(c))
            return false;
    return true;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_base64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}

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
    protocol::RequestAuth auth;
    auth.terminal_id = std::string(req.header(protocol::kHeaderTerminal));
    auth.nonce = std::string(req.header(protocol::kHeaderNonce));
    auth.signature = std::string(req.header(protocol::kHeaderSignature));
    std::string_view time_text = req.header(protocol::kHeaderTime);
    bool well_formed = auth.terminal_id.size() == 13 && auth.terminal_id[0] == 'T'
        && all_of(std::string_view(auth.terminal_id).substr(1), is_hex) && auth.nonce.size() >= 16 && auth.nonce.size() <= 64
        && all_of(auth.nonce, is_hex) && !auth.signature.empty() && auth.signature.size() <= 128
        && all_of(auth.signature, is_base64) && !time_text.empty() && time_text.size() <= 19;
    if (well_formed) {
        auto r = std::from_chars(time_text.data(), time_text.data() + time_text.size(), auth.time_ms);
        well_formed = r.ec == std::errc() && r.ptr == time_text.data() + time_text.size();
    }
    if (!well_formed)
        return refusal(401, "error.central.unauthenticated", "missing or malformed signature headers");
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

} // namespace nafitha::central::front
