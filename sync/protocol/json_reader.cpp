#include "sync/protocol/json_reader.h"

#include <charconv>

namespace nafitha::protocol {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t decimal_digits(uint64_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        ++n;
    }
    return n;
}

} // namespace

JsonReader::JsonReader(JsonHandler& handler, JsonLimits limits) : m_handler(handler), m_limits(limits)
{
    m_stack.reserve(std::min<size_t>(limits.max_depth, 64));
}

JsonReader::Status JsonReader::fail(Status status, std::string message)
{
    m_status = status;
    m_error = std::move(message) + " at byte " + std::to_string(m_offset);
    return status;
}

bool JsonReader::count_element() { return ++m_elements <= m_limits.max_elements; }

JsonReader::Status JsonReader::value_done()
{
    m_mode = m_stack.empty() ? Mode::Finished : Mode::CommaOrEnd;
    return Status::NeedMore;
}

JsonReader::Status JsonReader::begin_container(char open)
{
    if (!count_element())
        return fail(Status::Limit, "more than " + std::to_string(m_limits.max_elements) + " elements");
    if (m_stack.size() >= m_limits.max_depth)
        return fail(Status::Malformed, "nesting deeper than " + std::to_string(m_limits.max_depth));
    if (!(open == '{' ? m_handler.begin_object() : m_handler.begin_array()))
        return fail(Status::Stopped, "stopped by the reader");
    m_stack.push_back(open);
    m_mode = open == '{' ? Mode::KeyOrEnd : Mode::ValueOrEnd;
    return Status::NeedMore;
}

JsonReader::Status JsonReader::end_container(char close)
{
    if (m_stack.empty() || (close == '}') != (m_stack.back() == '{'))
        return fail(Status::Malformed, std::string("unexpected '") + close + "'");
    m_stack.pop_back();
    if (!(close == '}' ? m_handler.end_object() : m_handler.end_array()))
        return fail(Status::Stopped, "stopped by the reader");
    return value_done();
}

JsonReader::Status JsonReader::start_value(char c)
{
    if (c == '{' || c == '[')
        return begin_container(c);
    if (!count_element())
        return fail(Status::Limit, "more than " + std::to_string(m_limits.max_elements) + " elements");
    if (c == '"') {
        m_text.clear();
        m_string_is_key = false;
        m_mode = Mode::String;
        return Status::NeedMore;
    }
    if (c == '-' || is_digit(c)) {
        m_text.assign(1, c);
        m_num = c == '-' ? 1 : c == '0' ? 2 : 3;
        m_num_float = false;
        m_mode = Mode::Number;
        return Status::NeedMore;
    }
    if (c == 't' || c == 'f' || c == 'n') {
        m_literal = c == 't' ? "true" : c == 'f' ? "false" : "null";
        m_literal_pos = 1;
        m_mode = Mode::Literal;
        return Status::NeedMore;
    }
    return fail(Status::Malformed, "unexpected byte 0x" + std::to_string(static_cast<unsigned char>(c)));
}

bool JsonReader::append_code_point(uint32_t cp)
{
    char buf[4];
    size_t n;
    if (cp < 0x80) {
        buf[0] = static_cast<char>(cp);
        n = 1;
    } else if (cp < 0x800) {
        buf[0] = static_cast<char>(0xC0 | (cp >> 6));
        buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        buf[0] = static_cast<char>(0xE0 | (cp >> 12));
        buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        buf[0] = static_cast<char>(0xF0 | (cp >> 18));
        buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (m_text.size() + n > m_limits.max_string_bytes)
        return false;
    m_text.append(buf, n);
    return true;
}

JsonReader::Status JsonReader::string_escape_byte(unsigned char c)
{
    if (m_need_low == 1) {
        if (c != '\\')
            return fail(Status::Malformed, "a high surrogate must be followed by a low surrogate");
        m_need_low = 2;
        return Status::NeedMore;
    }
    if (m_need_low == 2) {
        if (c != 'u')
            return fail(Status::Malformed, "a high surrogate must be followed by a low surrogate");
        m_need_low = 0;
        m_escape = 2;
        m_hex = 0;
        return Status::NeedMore;
    }
    if (m_escape == 1) {
        char out;
        switch (c) {
        case '"': out = '"'; break;
        case '\\': out = '\\'; break;
        case '/': out = '/'; break;
        case 'b': out = '\b'; break;
        case 'f': out = '\f'; break;
        case 'n': out = '\n'; break;
        case 'r': out = '\r'; break;
        case 't': out = '\t'; break;
        case 'u':
            m_escape = 2;
            m_hex = 0;
            return Status::NeedMore;
        default: return fail(Status::Malformed, "invalid escape in a string");
        }
        m_escape = 0;
        if (m_text.size() + 1 > m_limits.max_string_bytes)
            return fail(Status::Limit, "a string longer than " + std::to_string(m_limits.max_string_bytes) + " bytes");
        m_text.push_back(out);
        return Status::NeedMore;
    }
    // m_escape 2..5: the four hex digits of \uXXXX.
    int v = hex_value(static_cast<char>(c));
    if (v < 0)
        return fail(Status::Malformed, "invalid \\u escape");
    m_hex = m_hex * 16 + static_cast<uint32_t>(v);
    if (++m_escape < 6)
        return Status::NeedMore;
    m_escape = 0;
    uint32_t cp = m_hex;
    if (m_high_surrogate) {
        if (cp < 0xDC00 || cp > 0xDFFF)
            return fail(Status::Malformed, "a high surrogate must be followed by a low surrogate");
        cp = 0x10000 + ((m_high_surrogate - 0xD800) << 10) + (cp - 0xDC00);
        m_high_surrogate = 0;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return fail(Status::Malformed, "a lone low surrogate");
    } else if (cp >= 0xD800 && cp <= 0xDBFF) {
        m_high_surrogate = cp;
        m_need_low = 1;
        return Status::NeedMore;
    }
    if (!append_code_point(cp))
        return fail(Status::Limit, "a string longer than " + std::to_string(m_limits.max_string_bytes) + " bytes");
    return Status::NeedMore;
}

JsonReader::Status JsonReader::end_string()
{
    if (m_string_is_key) {
        if (!m_handler.key(m_text))
            return fail(Status::Stopped, "stopped by the reader");
        m_mode = Mode::Colon;
        return Status::NeedMore;
    }
    if (!m_handler.string(m_text))
        return fail(Status::Stopped, "stopped by the reader");
    return value_done();
}

// Consumes string bytes from p; returns when the string ended, on an error or at the end of the piece.
JsonReader::Status JsonReader::string_bytes(const char*& p, const char* end)
{
    while (p < end) {
        auto b = static_cast<unsigned char>(*p);
        if (m_escape || m_need_low) {
            ++p;
            ++m_offset;
            if (auto s = string_escape_byte(b); s != Status::NeedMore)
                return s;
            continue;
        }
        if (m_utf8_left) {
            if (b < m_utf8_lo || b > m_utf8_hi)
                return fail(Status::Malformed, "invalid UTF-8 in a string");
            if (m_text.size() + 1 > m_limits.max_string_bytes)
                return fail(Status::Limit, "a string longer than " + std::to_string(m_limits.max_string_bytes) + " bytes");
            m_text.push_back(static_cast<char>(b));
            --m_utf8_left;
            m_utf8_lo = 0x80;
            m_utf8_hi = 0xBF;
            ++p;
            ++m_offset;
            continue;
        }
        const char* run = p;
        while (p < end) {
            auto c = static_cast<unsigned char>(*p);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
                break;
            ++p;
        }
        if (p > run) {
            auto n = static_cast<size_t>(p - run);
            m_offset += n;
            if (m_text.size() + n > m_limits.max_string_bytes)
                return fail(Status::Limit, "a string longer than " + std::to_string(m_limits.max_string_bytes) + " bytes");
            m_text.append(run, n);
        }
        if (p == end)
            break;
        b = static_cast<unsigned char>(*p);
        ++p;
        ++m_offset;
        if (b == '"')
            return end_string();
        if (b == '\\') {
            m_escape = 1;
            continue;
        }
        if (b < 0x20)
            return fail(Status::Malformed, "a control character in a string");
        // A UTF-8 lead byte (RFC 3629): the ranges of the first continuation byte exclude overlong forms,
        // surrogates and code points past U+10FFFF.
        if (b >= 0xC2 && b <= 0xDF) {
            m_utf8_left = 1;
        } else if (b == 0xE0) {
            m_utf8_left = 2;
            m_utf8_lo = 0xA0;
        } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
            m_utf8_left = 2;
        } else if (b == 0xED) {
            m_utf8_left = 2;
            m_utf8_hi = 0x9F;
        } else if (b == 0xF0) {
            m_utf8_left = 3;
            m_utf8_lo = 0x90;
        } else if (b >= 0xF1 && b <= 0xF3) {
            m_utf8_left = 3;
        } else if (b == 0xF4) {
            m_utf8_left = 3;
            m_utf8_hi = 0x8F;
        } else {
            return fail(Status::Malformed, "invalid UTF-8 in a string");
        }
        if (m_text.size() + 1 > m_limits.max_string_bytes)
            return fail(Status::Limit, "a string longer than " + std::to_string(m_limits.max_string_bytes) + " bytes");
        m_text.push_back(static_cast<char>(b));
    }
    return Status::NeedMore;
}

JsonReader::Status JsonReader::number_byte(char c, bool& consumed)
{
    consumed = true;
    uint8_t next = 0;
    switch (m_num) {
    case 1: next = c == '0' ? 2 : is_digit(c) ? 3 : 0; if (!next) return fail(Status::Malformed, "a digit must follow '-'"); break;
    case 2:
        if (c == '.') next = 4;
        else if (c == 'e' || c == 'E') next = 6;
        else if (is_digit(c)) return fail(Status::Malformed, "a number with a leading zero");
        break;
    case 3:
        if (is_digit(c)) next = 3;
        else if (c == '.') next = 4;
        else if (c == 'e' || c == 'E') next = 6;
        break;
    case 4: if (!is_digit(c)) return fail(Status::Malformed, "a digit must follow '.'"); next = 5; break;
    case 5:
        if (is_digit(c)) next = 5;
        else if (c == 'e' || c == 'E') next = 6;
        break;
    case 6:
        if (c == '+' || c == '-') next = 7;
        else if (is_digit(c)) next = 8;
        else return fail(Status::Malformed, "a digit must follow the exponent");
        break;
    case 7: if (!is_digit(c)) return fail(Status::Malformed, "a digit must follow the exponent sign"); next = 8; break;
    case 8: if (is_digit(c)) next = 8; break;
    default: break;
    }
    if (next == 0) {
        // The number ended before c, which belongs to what follows.
        consumed = false;
        return end_number();
    }
    if (next >= 4)
        m_num_float = true;
    m_num = next;
    if (m_text.size() + 1 > m_limits.max_number_chars)
        return fail(Status::Malformed, "a number longer than " + std::to_string(m_limits.max_number_chars) + " characters");
    m_text.push_back(c);
    ++m_offset;
    return Status::NeedMore;
}

JsonReader::Status JsonReader::end_number()
{
    if (m_num != 2 && m_num != 3 && m_num != 5 && m_num != 8)
        return fail(Status::Malformed, "an incomplete number");
    const char* first = m_text.data();
    const char* last = first + m_text.size();
    bool ok;
    if (!m_num_float) {
        if (m_text[0] == '-') {
            int64_t v = 0;
            auto r = std::from_chars(first, last, v);
            if (r.ec == std::errc() && r.ptr == last) {
                ok = m_handler.integer(v);
                goto done;
            }
        } else {
            uint64_t v = 0;
            auto r = std::from_chars(first, last, v);
            if (r.ec == std::errc() && r.ptr == last) {
                ok = m_handler.unsigned_integer(v);
                goto done;
            }
        }
    }
    {
        double d = 0;
        auto r = std::from_chars(first, last, d);
        if (r.ec != std::errc() || r.ptr != last)
            return fail(Status::Malformed, "a number out of range");
        ok = m_handler.floating(d);
    }
done:
    if (!ok)
        return fail(Status::Stopped, "stopped by the reader");
    return value_done();
}

JsonReader::Status JsonReader::literal_byte(char c)
{
    if (c != m_literal[m_literal_pos])
        return fail(Status::Malformed, "an invalid literal");
    ++m_offset;
    if (m_literal[++m_literal_pos] != '\0')
        return Status::NeedMore;
    bool ok = m_literal[0] == 't' ? m_handler.boolean(true) : m_literal[0] == 'f' ? m_handler.boolean(false) : m_handler.null();
    if (!ok)
        return fail(Status::Stopped, "stopped by the reader");
    return value_done();
}

JsonReader::Status JsonReader::feed(std::string_view bytes)
{
    if (m_status != Status::NeedMore)
        return m_status;
    if (bytes.size() > m_limits.max_input_bytes - std::min(m_limits.max_input_bytes, m_offset))
        return fail(Status::Limit, "more than " + std::to_string(m_limits.max_input_bytes) + " bytes of JSON");
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    Status s = Status::NeedMore;
    while (p < end) {
        switch (m_mode) {
        case Mode::String:
            s = string_bytes(p, end);
            break;
        case Mode::Number: {
            bool consumed = false;
            s = number_byte(*p, consumed);
            if (consumed)
                ++p;
            break;
        }
        case Mode::Literal:
            s = literal_byte(*p);
            ++p;
            break;
        default: {
            char c = *p++;
            if (is_space(c)) {
                ++m_offset;
                continue;
            }
            switch (m_mode) {
            case Mode::Finished:
                s = fail(Status::Malformed, "bytes after the value");
                break;
            case Mode::Value:
                s = start_value(c);
                break;
            case Mode::ValueOrEnd:
                s = c == ']' ? end_container(c) : start_value(c);
                break;
            case Mode::KeyOrEnd:
            case Mode::Key:
                if (c == '}' && m_mode == Mode::KeyOrEnd) {
                    s = end_container(c);
                } else if (c == '"') {
                    if (!count_element()) {
                        s = fail(Status::Limit, "more than " + std::to_string(m_limits.max_elements) + " elements");
                        break;
                    }
                    m_text.clear();
                    m_string_is_key = true;
                    m_mode = Mode::String;
                } else {
                    s = fail(Status::Malformed, "an object key must be a string");
                }
                break;
            case Mode::Colon:
                if (c == ':')
                    m_mode = Mode::Value;
                else
                    s = fail(Status::Malformed, "':' must follow an object key");
                break;
            case Mode::CommaOrEnd:
                if (c == ',')
                    m_mode = m_stack.back() == '{' ? Mode::Key : Mode::Value;
                else if (c == ']' || c == '}')
                    s = end_container(c);
                else
                    s = fail(Status::Malformed, "',' or the end of the container must follow a value");
                break;
            default:
                break;
            }
            if (s == Status::NeedMore)
                ++m_offset;
        }
        }
        if (s != Status::NeedMore)
            return s;
    }
    return m_mode == Mode::Finished ? Status::Done : Status::NeedMore;
}

JsonReader::Status JsonReader::finish()
{
    if (m_status != Status::NeedMore)
        return m_status;
    if (m_mode == Mode::Number) {
        if (auto s = end_number(); s != Status::NeedMore)
            return s;
    }
    if (m_mode != Mode::Finished)
        return fail(Status::Malformed, "the JSON ends too early");
    m_status = Status::Done;
    return m_status;
}

// ---- DomBuilder ----

size_t dumped_string_length(std::string_view s)
{
    size_t n = 2;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t')
            n += 2;
        else if (c < 0x20)
            n += 6;
        else
            ++n;
    }
    return n;
}

bool DomBuilder::grow(size_t n)
{
    m_dumped += n;
    if (m_dumped > m_max_dumped) {
        m_too_large = true;
        return false;
    }
    return true;
}

bool DomBuilder::add(nlohmann::json value, size_t dumped)
{
    if (m_stack.empty()) {
        m_root = std::move(value);
        m_complete = !m_root.is_object() && !m_root.is_array();
        return grow(dumped);
    }
    nlohmann::json& parent = *m_stack.back();
    if (parent.is_array()) {
        if (!m_first.back())
            dumped += 1; // ','
        m_first.back() = false;
        parent.push_back(std::move(value));
    } else {
        parent[m_key] = std::move(value);
    }
    return grow(dumped);
}

bool DomBuilder::open(nlohmann::json empty)
{
    // The new container ("{}" or "[]", two bytes when dumped) goes where the next value goes, and becomes the
    // place of the values that follow until it closes.
    nlohmann::json* target;
    if (!add(std::move(empty), 2))
        return false;
    if (m_stack.empty())
        target = &m_root;
    else if (m_stack.back()->is_array())
        target = &m_stack.back()->back();
    else
        target = &(*m_stack.back())[m_key];
    m_stack.push_back(target);
    m_first.push_back(true);
    return true;
}

bool DomBuilder::begin_object() { return open(nlohmann::json::object()); }

bool DomBuilder::begin_array() { return open(nlohmann::json::array()); }

bool DomBuilder::end_object()
{
    m_stack.pop_back();
    m_first.pop_back();
    m_complete = m_stack.empty();
    return true;
}

bool DomBuilder::end_array() { return end_object(); }

bool DomBuilder::key(std::string_view name)
{
    m_key.assign(name);
    size_t n = dumped_string_length(name) + 1; // "name":
    if (!m_first.back())
        n += 1;
    m_first.back() = false;
    return grow(n);
}

bool DomBuilder::string(std::string_view value) { return add(nlohmann::json(std::string(value)), dumped_string_length(value)); }

bool DomBuilder::integer(int64_t value)
{
    uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
    return add(nlohmann::json(value), decimal_digits(magnitude) + (value < 0 ? 1 : 0));
}

bool DomBuilder::unsigned_integer(uint64_t value) { return add(nlohmann::json(value), decimal_digits(value)); }

bool DomBuilder::floating(double value) { return add(nlohmann::json(value), 24); }

bool DomBuilder::boolean(bool value) { return add(nlohmann::json(value), value ? 4 : 5); }

bool DomBuilder::null() { return add(nlohmann::json(nullptr), 4); }

Result<nlohmann::json> parse_json_bounded(std::string_view text, const JsonLimits& limits)
{
    if (text.size() > limits.max_input_bytes)
        return Error::make("error.sync.body_too_large", "body of " + std::to_string(text.size()) + " bytes");
    DomBuilder dom;
    JsonReader reader(dom, limits);
    reader.feed(text);
    auto status = reader.finish();
    if (status == JsonReader::Status::Done)
        return std::move(dom.result());
    if (status == JsonReader::Status::Limit)
        return Error::make("error.sync.body_too_large", reader.error());
    return Error::make("error.sync.message_malformed", "body is not valid JSON: " + reader.error());
}

} // namespace nafitha::protocol
