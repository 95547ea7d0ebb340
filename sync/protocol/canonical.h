#pragma once
// Canonical JSON: the exact bytes that are hashed and signed, identical on terminal and central.
// Object keys sorted by byte value, no insignificant white space, strings as UTF-8 (only what JSON requires
// is escaped), integers only (money is integer minor units; a float is refused), valid UTF-8 only.
// The bytes are those of nlohmann::json::dump() (no indent, UTF-8 kept, strict): the writer below produces them
// in one pass, checking as it writes (tests/protocol compares the two on many documents).

#include "base/result.h"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace nafitha::protocol {

Result<std::string> canonical_json(const nlohmann::json& value);
// The same, appended to `out` (on error `out` holds a partial text: discard it).
Result<void> append_canonical_json(const nlohmann::json& value, std::string& out);
// One JSON string (quoted and escaped) appended to `out`; error.protocol.canonical for invalid UTF-8.
Result<void> append_canonical_string(std::string_view text, std::string& out);

} // namespace nafitha::protocol
