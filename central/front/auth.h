#pragma once
// The signed-request check shared by every terminal endpoint (docs/PROTOCOL.md, "Signed requests").
// Outsiders learn nothing about which terminals exist: an unknown terminal and a bad signature get the same
// 401 error.central.unauthenticated after the same work (a signature check against a throwaway key); the
// log says which it was. Nonces go to the store with their expiry, so a replay is refused after a restart
// and by any other instance on the same store.

#include "central/front/context.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <variant>

namespace nafitha::central::front {

std::optional<Refusal> authenticate(Context& ctx, const Request& req, TerminalRecord& terminal);

// The JSON of a small terminal message (enrollment, alarm, health report), its limits enforced while parsing:
// at most protocol::kMaxSmallBodyBytes, depth 4, 64 elements, strings of 1 KiB. The refusal (400
// error.sync.message_malformed, with the parser's detail) when the body is not one.
std::variant<nlohmann::json, Refusal> parse_small_body(const Request& req);

} // namespace nafitha::central::front
