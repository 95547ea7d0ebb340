#pragma once
// Canonical JSON: the exact bytes that are hashed and signed, identical on terminal and central.
// Object keys sorted by byte value, no insignificant white space, strings as UTF-8 (only what JSON requires
// is escaped), integers only (money is integer minor units; a float is refused), valid UTF-8 only.

#include "base/result.h"

#include <nlohmann/json.hpp>
#include <string>

namespace nafitha::protocol {

Result<std::string> canonical_json(const nlohmann::json& value);

} // namespace nafitha::protocol
