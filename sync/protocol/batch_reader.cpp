#include "sync/protocol/batch_reader.h"

#include <zlib.h>

#include <optional>

namespace nafitha::protocol {

namespace {

Error malformed(std::string what) { return Error::make("error.sync.message_malformed", std::move(what)); }
Error too_large(std::string what) { return Error::make("error.sync.body_too_large", std::move(what)); }
Error bad_entry(std::string what) { return Error::make("error.protocol.entry_malformed", std::move(what)); }

// Rough heap cost of one nlohmann::json element inside an object or array (node, value, bookkeeping).
constexpr size_t kElementCost = 80;
constexpr size_t kEntryCost = sizeof(Entry) + 512;

enum class Field { None, Seq, Id, Terminal, Type, Time, Prev, Hash, Sig, Payload, Unknown };

Field field_of(std::string_view key)
{
    if (key == "seq") return Field::Seq;
    if (key == "id") return Field::Id;
    if (key == "terminal") return Field::Terminal;
    if (key == "type") return Field::Type;
    if (key == "time") return Field::Time;
    if (key == "prev") return Field::Prev;
    if (key == "hash") return Field::Hash;
    if (key == "sig") return Field::Sig;
    if (key == "payload") return Field::Payload;
    return Field::Unknown;
}

const char* field_name(Field f)
{
    switch (f) {
    case Field::Seq: return "seq";
    case Field::Id: return "id";
    case Field::Terminal: return "terminal";
    case Field::Type: return "type";
    case Field::Time: return "time";
    case Field::Prev: return "prev";
    case Field::Hash: return "hash";
    case Field::Sig: return "sig";
    case Field::Payload: return "payload";
    default: return "?";
    }
}

size_t field_max(Field f)
{
    switch (f) {
    case Field::Id:
    case Field::Terminal:
    case Field::Sig: return 128;
    case Field::Type: return kMaxEntryTypeBytes;
    case Field::Time:
    case Field::Prev:
    case Field::Hash: return 64;
    default: return 0;
    }
}

} // namespace

// The batch as a state machine over the reader's events. Depth 1 is the envelope object, depth 2 the
// entries array, depth 3 an entry, deeper is a payload (built by a DomBuilder) or a skipped unknown value.
struct BatchReader::Impl : JsonHandler {
    BatchLimits limits;
    JsonReader reader;
    Error error;
    bool failed = false;

    size_t depth = 0;
    enum class Top { None, TerminalId, Entries, Unknown } top_key = Top::None;
    bool have_terminal = false, have_entries = false, entries_closed = false;
    IngestRequest batch;
    size_t memory = 0;

    // Current entry.
    Field field = Field::None;
    Entry entry;
    unsigned seen = 0; // bit per Field present

    // Skipping an unknown value (depth counter of the skipped container, 0 = not skipping).
    size_t skip_depth = 0;

    // Building a payload.
    std::optional<DomBuilder> payload;
    size_t payload_depth = 0;
    size_t payload_elements = 0;

    explicit Impl(BatchLimits l)
        : limits(l), reader(*this, JsonLimits{l.max_depth, l.max_elements, l.max_string_bytes, 40, l.max_json_bytes})
    {
    }

    bool refuse(Error e)
    {
        if (!failed) {
            error = std::move(e);
            failed = true;
        }
        return false;
    }

    bool charge(size_t bytes)
    {
        memory += bytes;
        if (memory > limits.max_memory_bytes)
            return refuse(too_large("the batch needs more than " + std::to_string(limits.max_memory_bytes) + " bytes of memory"));
        return true;
    }

    // ---- payload forwarding ----
    bool payload_event(bool ok)
    {
        if (!ok)
            return refuse(bad_entry(payload->too_large() ? "payload too large" : "invalid payload"));
        if (++payload_elements > limits.max_payload_elements)
            return refuse(bad_entry("payload has more than " + std::to_string(limits.max_payload_elements) + " elements"));
        return charge(kElementCost);
    }

    void payload_closed()
    {
        entry.payload = std::move(payload->result());
        payload.reset();
        seen |= 1u << static_cast<unsigned>(Field::Payload);
        field = Field::None;
    }

    // A scalar value arrived at the current position; `kind` names it for messages.
    bool scalar_at_entry(const std::string_view* text, std::optional<int64_t> integer)
    {
        Field f = field;
        field = Field::None;
        switch (f) {
        case Field::Unknown: return true;
        case Field::Seq:
            if (!integer || *integer < 1)
                return refuse(bad_entry("missing or invalid 'seq'"));
            entry.seq = *integer;
            break;
        case Field::Payload: return refuse(bad_entry("missing or non-object 'payload'"));
        default: {
            if (!text)
                return refuse(bad_entry(std::string("missing or non-string '") + field_name(f) + "'"));
            if (text->size() > field_max(f))
                return refuse(bad_entry(std::string("'") + field_name(f) + "' too long"));
            std::string value(*text);
            switch (f) {
            case Field::Id: entry.id = std::move(value); break;
            case Field::Terminal: entry.terminal_id = std::move(value); break;
            case Field::Type: entry.type = std::move(value); break;
            case Field::Time: entry.time = std::move(value); break;
            case Field::Prev: entry.prev_hash = std::move(value); break;
            case Field::Hash: entry.hash = std::move(value); break;
            case Field::Sig: entry.signature = std::move(value); break;
            default: break;
            }
        }
        }
        seen |= 1u << static_cast<unsigned>(f);
        return true;
    }

    bool scalar(const std::string_view* text, std::optional<int64_t> integer, bool is_null)
    {
        if (skip_depth)
            return true;
        if (payload)
            return false; // unreachable: payload events are forwarded before
        switch (depth) {
        case 0: return refuse(malformed("message is not a JSON object"));
        case 1: {
            Top k = top_key;
            top_key = Top::None;
            if (k == Top::TerminalId) {
                if (!text)
                    return refuse(malformed(is_null ? "missing 'terminal_id'" : "'terminal_id' is not a string"));
                if (text->size() > 64)
                    return refuse(malformed("'terminal_id' is too long"));
                batch.terminal_id.assign(*text);
                have_terminal = true;
            } else if (k == Top::Entries) {
                return refuse(malformed("missing or non-array 'entries'"));
            }
            return true;
        }
        case 2: return refuse(bad_entry("entry is not an object"));
        default: return scalar_at_entry(text, integer);
        }
    }

    bool begin(bool object)
    {
        if (skip_depth) {
            ++skip_depth;
            ++depth;
            return true;
        }
        if (payload) {
            bool ok = object ? payload->begin_object() : payload->begin_array();
            ++payload_depth;
            ++depth;
            return payload_event(ok);
        }
        switch (depth) {
        case 0:
            if (!object)
                return refuse(malformed("message is not a JSON object"));
            break;
        case 1: {
            Top k = top_key;
            top_key = Top::None;
            if (k == Top::TerminalId)
                return refuse(malformed("'terminal_id' is not a string"));
            if (k == Top::Entries) {
                if (object)
                    return refuse(malformed("missing or non-array 'entries'"));
                if (have_entries)
                    return refuse(malformed("'entries' appears twice"));
                have_entries = true;
            } else {
                skip_depth = 1;
            }
            break;
        }
        case 2:
            if (!object)
                return refuse(bad_entry("entry is not an object"));
            if (batch.entries.size() >= limits.max_entries)
                return refuse(too_large("more than " + std::to_string(limits.max_entries) + " entries"));
            entry = Entry{};
            seen = 0;
            field = Field::None;
            if (!charge(kEntryCost))
                return false;
            break;
        default: {
            Field f = field;
            field = Field::None;
            if (f == Field::Payload) {
                if (!object)
                    return refuse(bad_entry("missing or non-object 'payload'"));
                payload.emplace(kMaxEntryPayloadBytes);
                payload_depth = 1;
                payload_elements = 0;
                ++depth;
                return payload_event(payload->begin_object());
            }
            if (f == Field::Unknown) {
                skip_depth = 1;
                break;
            }
            if (f == Field::Seq)
                return refuse(bad_entry("missing or invalid 'seq'"));
            return refuse(bad_entry(std::string("missing or non-string '") + field_name(f) + "'"));
        }
        }
        ++depth;
        return true;
    }

    bool end(bool object)
    {
        --depth;
        if (skip_depth) {
            --skip_depth;
            return true;
        }
        if (payload) {
            bool ok = object ? payload->end_object() : payload->end_array();
            if (!ok)
                return payload_event(false);
            if (--payload_depth == 0)
                payload_closed();
            return true;
        }
        switch (depth) {
        case 0: // the envelope closed
            if (!have_terminal)
                return refuse(malformed("missing 'terminal_id'"));
            if (!have_entries)
                return refuse(malformed("missing or non-array 'entries'"));
            return true;
        case 1: // the entries array closed
            entries_closed = true;
            if (batch.entries.empty())
                return refuse(malformed("'entries' is empty"));
            return true;
        case 2: { // one entry closed
            if (!(seen & (1u << static_cast<unsigned>(Field::Seq))))
                return refuse(bad_entry("missing or invalid 'seq'"));
            for (Field f : {Field::Id, Field::Terminal, Field::Type, Field::Time, Field::Prev, Field::Hash, Field::Sig})
                if (!(seen & (1u << static_cast<unsigned>(f))))
                    return refuse(bad_entry(std::string("missing or non-string '") + field_name(f) + "'"));
            if (!(seen & (1u << static_cast<unsigned>(Field::Payload))))
                return refuse(bad_entry("missing or non-object 'payload'"));
            if (!charge(entry.id.size() + entry.type.size() + entry.time.size() + entry.signature.size()))
                return false;
            batch.entries.push_back(std::move(entry));
            return true;
        }
        default: return true;
        }
    }

    // ---- JsonHandler ----
    bool begin_object() override { return begin(true); }
    bool begin_array() override { return begin(false); }
    bool end_object() override { return end(true); }
    bool end_array() override { return end(false); }

    bool key(std::string_view name) override
    {
        if (skip_depth)
            return true;
        if (payload) {
            if (!payload_event(payload->key(name)))
                return false;
            return charge(name.size() > 15 ? name.size() : 0);
        }
        if (depth == 1) {
            top_key = name == "terminal_id" ? Top::TerminalId : name == "entries" ? Top::Entries : Top::Unknown;
            return true;
        }
        field = field_of(name);
        return true;
    }

    bool string(std::string_view value) override
    {
        if (payload && !skip_depth)
            return payload_event(payload->string(value)) && charge(value.size() > 15 ? value.size() : 0);
        return scalar(&value, std::nullopt, false);
    }
    bool integer(int64_t value) override
    {
        if (payload && !skip_depth)
            return payload_event(payload->integer(value));
        return scalar(nullptr, value, false);
    }
    bool unsigned_integer(uint64_t value) override
    {
        if (payload && !skip_depth)
            return payload_event(payload->unsigned_integer(value));
        std::optional<int64_t> v;
        if (value <= static_cast<uint64_t>(INT64_MAX))
            v = static_cast<int64_t>(value);
        return scalar(nullptr, v, false);
    }
    bool floating(double value) override
    {
        if (payload && !skip_depth)
            return payload_event(payload->floating(value));
        return scalar(nullptr, std::nullopt, false);
    }
    bool boolean(bool value) override
    {
        if (payload && !skip_depth)
            return payload_event(payload->boolean(value));
        return scalar(nullptr, std::nullopt, false);
    }
    bool null() override
    {
        if (payload && !skip_depth)
            return payload_event(payload->null());
        return scalar(nullptr, std::nullopt, true);
    }

    bool feed(std::string_view bytes)
    {
        if (failed)
            return false;
        auto s = reader.feed(bytes);
        return absorb(s);
    }

    bool absorb(JsonReader::Status s)
    {
        switch (s) {
        case JsonReader::Status::NeedMore:
        case JsonReader::Status::Done: return true;
        case JsonReader::Status::Limit: return refuse(too_large(reader.error()));
        case JsonReader::Status::Malformed: return refuse(malformed("body is not valid JSON: " + reader.error()));
        case JsonReader::Status::Stopped:
            if (!failed)
                refuse(malformed("stopped: " + reader.error()));
            return false;
        }
        return false;
    }
};

BatchReader::BatchReader(BatchLimits limits) : m_impl(std::make_unique<Impl>(limits)) {}
BatchReader::~BatchReader() = default;

bool BatchReader::feed(std::string_view json_bytes) { return m_impl->feed(json_bytes); }

Result<IngestRequest> BatchReader::finish()
{
    if (m_impl->failed)
        return m_impl->error;
    if (!m_impl->absorb(m_impl->reader.finish()))
        return m_impl->error;
    return std::move(m_impl->batch);
}

const Error& BatchReader::error() const { return m_impl->error; }

Result<IngestRequest> read_ingest_json(std::string_view json, const BatchLimits& limits)
{
    if (json.size() > limits.max_json_bytes)
        return too_large("the batch JSON is over " + std::to_string(limits.max_json_bytes) + " bytes");
    BatchReader reader(limits);
    reader.feed(json);
    return reader.finish();
}

Result<IngestRequest> read_ingest_batch(std::string_view gzip_body, const BatchLimits& limits)
{
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return Error::make("error.sync.body_malformed", "inflateInit failed");
    struct End {
        z_stream* z;
        ~End() { inflateEnd(z); }
    } end{&z};
    BatchReader reader(limits);
    static constexpr size_t kChunk = 64 * 1024;
    auto buffer = std::make_unique<char[]>(kChunk);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip_body.data()));
    z.avail_in = static_cast<uInt>(gzip_body.size());
    size_t total = 0;
    for (;;) {
        z.next_out = reinterpret_cast<Bytef*>(buffer.get());
        z.avail_out = kChunk;
        int rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            return Error::make("error.sync.body_malformed", z.avail_in == 0 ? "gzip body is truncated" : "body is not valid gzip");
        size_t produced = kChunk - z.avail_out;
        total += produced;
        if (total > limits.max_json_bytes)
            return too_large("decompressed body exceeds " + std::to_string(limits.max_json_bytes) + " bytes");
        if (!reader.feed(std::string_view(buffer.get(), produced)))
            return reader.error();
        if (rc == Z_STREAM_END)
            break;
        if (z.avail_in == 0 && produced == 0)
            return Error::make("error.sync.body_malformed", "gzip body is truncated");
    }
    if (z.avail_in != 0)
        return Error::make("error.sync.body_malformed", "trailing bytes after gzip body");
    return reader.finish();
}

} // namespace nafitha::protocol
