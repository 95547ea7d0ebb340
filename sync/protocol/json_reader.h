#pragma once
// A bounded push parser for untrusted JSON (RFC 8259). Bytes are fed in pieces as they arrive (from the
// network or from an inflater); every limit is checked as the bytes go by, before anything is built:
// nesting depth, element count, string and number length, total input. Nothing recursive runs: nesting is
// an explicit stack no deeper than `max_depth`. Events go to a JsonHandler, which may stop the parse.
//
//   DomBuilder dom(limits);             // or a handler of your own (see batch_reader.h)
//   JsonReader reader(dom, limits);
//   reader.feed(piece1); reader.feed(piece2);
//   if (reader.finish() != JsonReader::Status::Done) ... reader.error() ...
//
// Semantics follow nlohmann::json's parser: strict UTF-8 (no overlong forms, no surrogates), \u escapes with
// surrogate pairs, integers as int64 (negative) or uint64 (otherwise) when they fit, else double; one value
// per document, white space around it.

#include "base/result.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::protocol {

struct JsonLimits {
    size_t max_depth = 16;                  // open arrays and objects at once
    size_t max_elements = 1'000'000;        // values and keys in the whole document
    size_t max_string_bytes = 64 * 1024;    // one key or string, after unescaping
    size_t max_number_chars = 40;           // one number's text
    size_t max_input_bytes = 64 * 1024 * 1024;
};

// Receives the parse events in document order. Returning false stops the parse (Status::Stopped).
class JsonHandler {
public:
    virtual ~JsonHandler() = default;
    virtual bool begin_object() = 0;
    virtual bool end_object() = 0;
    virtual bool begin_array() = 0;
    virtual bool end_array() = 0;
    virtual bool key(std::string_view name) = 0;
    virtual bool string(std::string_view value) = 0;
    virtual bool integer(int64_t value) = 0;
    virtual bool unsigned_integer(uint64_t value) = 0;
    virtual bool floating(double value) = 0;
    virtual bool boolean(bool value) = 0;
    virtual bool null() = 0;
};

class JsonReader {
public:
    enum class Status {
        NeedMore, // fine so far; feed more or finish()
        Done,     // one complete value (finish() returns this; feed() after the value only accepts white space)
        Malformed,// not JSON
        Limit,    // a limit was exceeded (depth, elements, string, number, input)
        Stopped,  // the handler returned false
    };

    JsonReader(JsonHandler& handler, JsonLimits limits);

    Status feed(std::string_view bytes);
    // The input has ended: Done when one complete value was read.
    Status finish();

    Status status() const { return m_status; }
    // What went wrong, in English, for the log ("nesting deeper than 16 at byte 17").
    const std::string& error() const { return m_error; }
    size_t bytes_read() const { return m_offset; }
    size_t depth() const { return m_stack.size(); }

private:
    enum class Mode : uint8_t {
        Value,          // a value must come
        ValueOrEnd,     // just after '[': a value or ']'
        KeyOrEnd,       // just after '{': a key or '}'
        Key,            // after ',' in an object: a key
        Colon,          // after a key
        CommaOrEnd,     // after a value inside a container
        String,
        Number,
        Literal,
        Finished,       // the top-level value is complete; only white space may follow
    };

    Status fail(Status status, std::string message);
    Status value_done();
    bool count_element();
    Status begin_container(char open);
    Status end_container(char close);
    Status start_value(char c);
    Status string_bytes(const char*& p, const char* end);
    Status string_escape_byte(unsigned char c);
    Status end_string();
    Status number_byte(char c, bool& consumed);
    Status end_number();
    Status literal_byte(char c);
    bool append_code_point(uint32_t cp);

    JsonHandler& m_handler;
    JsonLimits m_limits;
    Status m_status = Status::NeedMore;
    std::string m_error;
    size_t m_offset = 0;
    size_t m_elements = 0;
    Mode m_mode = Mode::Value;
    std::vector<char> m_stack; // '{' or '[' per open container

    // String state.
    std::string m_text;          // the string or number being read
    bool m_string_is_key = false;
    uint8_t m_escape = 0;        // 0 none, 1 after '\', 2..5 reading \u hex digits
    uint32_t m_hex = 0;
    uint32_t m_high_surrogate = 0; // pending high surrogate, waiting for "\uDC00-DFFF"
    uint8_t m_need_low = 0;      // 0 none, 1 expect '\', 2 expect 'u'
    uint8_t m_utf8_left = 0;     // continuation bytes still expected
    uint8_t m_utf8_lo = 0x80, m_utf8_hi = 0xBF;

    // Number state: 0 start, 1 after '-', 2 int zero, 3 int digits, 4 after '.', 5 frac digits, 6 after e,
    // 7 after exponent sign, 8 exponent digits.
    uint8_t m_num = 0;
    bool m_num_float = false;

    // Literal state.
    const char* m_literal = nullptr;
    uint8_t m_literal_pos = 0;
};

// Builds an nlohmann::json value from the events without recursion, counting the exact length that
// nlohmann's dump() would give (`dumped_bytes`) so that callers can cap it as it grows.
class DomBuilder : public JsonHandler {
public:
    explicit DomBuilder(size_t max_dumped_bytes = SIZE_MAX) : m_max_dumped(max_dumped_bytes) {}

    bool begin_object() override;
    bool end_object() override;
    bool begin_array() override;
    bool end_array() override;
    bool key(std::string_view name) override;
    bool string(std::string_view value) override;
    bool integer(int64_t value) override;
    bool unsigned_integer(uint64_t value) override;
    bool floating(double value) override;
    bool boolean(bool value) override;
    bool null() override;

    nlohmann::json& result() { return m_root; }
    size_t dumped_bytes() const { return m_dumped; }
    bool too_large() const { return m_too_large; }
    bool complete() const { return m_complete; }

private:
    bool add(nlohmann::json value, size_t dumped);
    bool open(nlohmann::json empty);
    bool grow(size_t n);

    nlohmann::json m_root;
    std::vector<nlohmann::json*> m_stack;
    std::vector<bool> m_first; // per open container: no element yet (for comma counting)
    std::string m_key;
    size_t m_dumped = 0;
    size_t m_max_dumped;
    bool m_too_large = false;
    bool m_complete = false;
};

// Length of a string as nlohmann's dump() writes it, quotes included (control characters as \u00XX).
size_t dumped_string_length(std::string_view s);

// Parses a whole document within `limits`. error.sync.message_malformed (not JSON, or too deep),
// error.sync.body_too_large (too many elements, too long a string, too much input).
Result<nlohmann::json> parse_json_bounded(std::string_view text, const JsonLimits& limits);

} // namespace nafitha::protocol
