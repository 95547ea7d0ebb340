#include "sync/protocol/canonical.h"

#include "base/utf8.h"

#include <charconv>

namespace nafitha::protocol {

namespace {

// Appends the escaped string; false when it is not valid UTF-8. Escapes exactly what nlohmann::json's dump()
// escapes with ensure_ascii off: '"', '\\', the five short forms (\b \t \n \f \r), other bytes below 0x20 as
// \u00xx in lower-case hex; everything else (DEL and all non-ASCII) as it is.
bool write_string(std::string_view s, std::string& out)
{
    static constexpr char kHex[] = "0123456789abcdef";
    bool validated = false;
    out.push_back('"');
    size_t run = 0; // start of the bytes not yet copied
    for (size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            if (!validated) {
                if (!utf8::is_valid(s))
                    return false;
                validated = true;
            }
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\f': out += "\\f"; break;
        case '\r': out += "\\r"; break;
        default:
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    out.append(s.data() + run, s.size() - run);
    out.push_back('"');
    return true;
}

template <typename Int> void write_integer(Int v, std::string& out)
{
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

Result<void> write(const nlohmann::json& v, int depth, std::string& out)
{
    if (depth > 32)
        return Error::make("error.protocol.canonical", "nesting deeper than 32");
    using T = nlohmann::json::value_t;
    switch (v.type()) {
    case T::null: out += "null"; return {};
    case T::boolean: out += v.get<bool>() ? "true" : "false"; return {};
    case T::number_integer: write_integer(v.get<int64_t>(), out); return {};
    case T::number_unsigned: write_integer(v.get<uint64_t>(), out); return {};
    case T::number_float: return Error::make("error.protocol.canonical", "floating-point numbers are not canonical");
    case T::binary: return Error::make("error.protocol.canonical", "binary values are not canonical");
    case T::string:
        if (!write_string(v.get_ref<const std::string&>(), out))
            return Error::make("error.protocol.canonical", "invalid UTF-8 in a string");
        return {};
    case T::object: {
        // nlohmann::json keeps objects in a std::map: iteration is in sorted byte order.
        out.push_back('{');
        bool first = true;
        for (const auto& [k, item] : v.get_ref<const nlohmann::json::object_t&>()) {
            if (!first)
                out.push_back(',');
            first = false;
            if (!write_string(k, out))
                return Error::make("error.protocol.canonical", "invalid UTF-8 in a key");
            out.push_back(':');
            TRY(write(item, depth + 1, out));
        }
        out.push_back('}');
        return {};
    }
    case T::array: {
        out.push_back('[');
        bool first = true;
        for (const auto& item : v.get_ref<const nlohmann::json::array_t&>()) {
            if (!first)
                out.push_back(',');
            first = false;
            TRY(write(item, depth + 1, out));
        }
        out.push_back(']');
        return {};
    }
    default: // discarded: what dump() writes (never the result of parsing)
        out += v.dump();
        return {};
    }
}

} // namespace

Result<void> append_canonical_json(const nlohmann::json& value, std::string& out) { return write(value, 0, out); }

Result<void> append_canonical_string(std::string_view text, std::string& out)
{
    if (!write_string(text, out))
        return Error::make("error.protocol.canonical", "invalid UTF-8 in a string");
    return {};
}

Result<std::string> canonical_json(const nlohmann::json& value)
{
    std::string out;
    TRY(write(value, 0, out));
    return out;
}

} // namespace nafitha::protocol
