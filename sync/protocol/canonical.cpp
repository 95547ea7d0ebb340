#include "sync/protocol/canonical.h"

#include "base/utf8.h"

namespace nafitha::protocol {

static Result<void> check(const nlohmann::json& v, int depth)
{
    if (depth > 32)
        return Error::make("error.protocol.canonical", "nesting deeper than 32");
    switch (v.type()) {
    case nlohmann::json::value_t::number_float:
        return Error::make("error.protocol.canonical", "floating-point numbers are not canonical");
    case nlohmann::json::value_t::string:
        if (!utf8::is_valid(v.get_ref<const std::string&>()))
            return Error::make("error.protocol.canonical", "invalid UTF-8 in a string");
        return {};
    case nlohmann::json::value_t::object:
        for (auto& [k, item] : v.items()) {
            if (!utf8::is_valid(k))
                return Error::make("error.protocol.canonical", "invalid UTF-8 in a key");
            TRY(check(item, depth + 1));
        }
        return {};
    case nlohmann::json::value_t::array:
        for (auto& item : v)
            TRY(check(item, depth + 1));
        return {};
    case nlohmann::json::value_t::binary:
        return Error::make("error.protocol.canonical", "binary values are not canonical");
    default:
        return {};
    }
}

Result<std::string> canonical_json(const nlohmann::json& value)
{
    TRY(check(value, 0));
    // nlohmann::json keeps objects in a std::map, so dump() emits keys in sorted byte order.
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

} // namespace nafitha::protocol
