// The bounded push JSON parser and the streamed ingest batch reader: same values as nlohmann::json on valid
// documents (whole or fed byte by byte), the same refusals on invalid ones, and every limit enforced while
// the bytes go by.

#include "sync/protocol/batch_reader.h"
#include "sync/protocol/gzip.h"
#include "sync/protocol/json_reader.h"

#include <catch2/catch.hpp>
#include <random>

using namespace nafitha;
using namespace nafitha::protocol;

namespace {

Result<nlohmann::json> parse_in_pieces(std::string_view text, size_t piece, const JsonLimits& limits = {})
{
    DomBuilder dom;
    JsonReader reader(dom, limits);
    for (size_t i = 0; i < text.size(); i += piece)
        if (auto s = reader.feed(text.substr(i, piece)); s != JsonReader::Status::NeedMore && s != JsonReader::Status::Done)
            return Error::make("error.test", reader.error());
    if (reader.finish() != JsonReader::Status::Done)
        return Error::make("error.test", reader.error());
    return std::move(dom.result());
}

std::string random_string(std::mt19937& rng)
{
    static const char* pieces[] = {"a", "Z", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u0041", "\\u00e9", "\\u0000",
                                   "\\ud83d\\ude00", "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "0"};
    std::string s = "\"";
    int n = static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i)
        s += pieces[rng() % (sizeof pieces / sizeof *pieces)];
    return s + "\"";
}

std::string random_value(std::mt19937& rng, int depth)
{
    int kind = static_cast<int>(rng() % (depth > 5 ? 6 : 8));
    switch (kind) {
    case 0: return "null";
    case 1: return rng() % 2 ? "true" : "false";
    case 2: {
        static const char* numbers[] = {"0", "-0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808",
                                        "18446744073709551615", "18446744073709551616", "-9223372036854775809",
                                        "1.5", "-0.25", "1e3", "2E-2", "6.02e+23", "123456789012345678901234567890"};
        return numbers[rng() % (sizeof numbers / sizeof *numbers)];
    }
    case 3:
    case 4:
    case 5: return random_string(rng);
    case 6: {
        std::string s = "[";
        int n = static_cast<int>(rng() % 5);
        for (int i = 0; i < n; ++i)
            s += (i ? ", " : "") + random_value(rng, depth + 1);
        return s + "]";
    }
    default: {
        std::string s = "{";
        int n = static_cast<int>(rng() % 5);
        for (int i = 0; i < n; ++i)
            s += (i ? ",\n" : " ") + random_string(rng) + " : " + random_value(rng, depth + 1);
        return s + "}";
    }
    }
}

std::string entry_json(int64_t seq, const std::string& payload = R"({"reference":"R-1","amount_minor":5000})")
{
    return R"({"seq":)" + std::to_string(seq) + R"(,"id":"id)" + std::to_string(seq)
        + R"(","terminal":"T0123456789ab","type":"payment.recorded","time":"2026-11-28T23:03:39.822Z","payload":)"
        + payload + R"(,"prev":")" + std::string(64, '0') + R"(","hash":")" + std::string(64, 'a') + R"(","sig":"c2ln"})";
}

std::string batch_json(int64_t count, const std::string& payload = R"({"reference":"R-1","amount_minor":5000})")
{
    std::string s = R"({"terminal_id":"T0123456789ab","entries":[)";
    for (int64_t i = 1; i <= count; ++i)
        s += (i > 1 ? "," : "") + entry_json(i, payload);
    return s + "]}";
}

} // namespace

TEST_CASE("The bounded reader gives the values nlohmann gives on valid JSON fed whole or byte by byte")
{
    std::mt19937 rng(12345);
    int compared = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string text = random_value(rng, 0);
        auto expected = nlohmann::json::parse(text, nullptr, false);
        REQUIRE_FALSE(expected.is_discarded());
        auto whole = parse_json_bounded(text, {});
        INFO(text);
        REQUIRE(whole.ok());
        CHECK(whole.value() == expected);
        auto pieces = parse_in_pieces(text, 1 + i % 3);
        REQUIRE(pieces.ok());
        CHECK(pieces.value() == expected);
        ++compared;
    }
    CHECK(compared == 3000);
}

TEST_CASE("The bounded reader refuses what nlohmann refuses")
{
    const char* bad[] = {"", " ", "{", "[", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{1:2}", "[1 2]", "01", "-", "1.", "1e",
                         "1e+", ".5", "+1", "tru", "nul", "falsey", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
                         "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\x01\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
                         "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"", "[1]]", "{}}", "[}", "{]", "1 2", "nan", "[-01]",
                         "\"\xff\""};
    for (const char* text : bad) {
        INFO(text);
        CHECK(nlohmann::json::parse(text, nullptr, false).is_discarded());
        CHECK_FALSE(parse_json_bounded(text, {}).ok());
        CHECK_FALSE(parse_in_pieces(text, 1).ok());
    }
}

TEST_CASE("Depth element string and number limits stop the parse as the bytes arrive")
{
    JsonLimits limits;
    limits.max_depth = 16;
    limits.max_elements = 1000;
    limits.max_string_bytes = 100;

    // 10^6 nested arrays: refused at the 17th '[' without reading further.
    std::string deep(1'000'000, '[');
    DomBuilder dom;
    JsonReader reader(dom, limits);
    CHECK(reader.feed(deep) == JsonReader::Status::Malformed);
    CHECK(reader.bytes_read() == 16);
    CHECK(reader.error().find("nesting deeper than 16") != std::string::npos);

    // 10^6 empty arrays in one array: refused at element 1001.
    std::string many = "[";
    for (int i = 0; i < 1'000'000; ++i)
        many += i ? ",[]" : "[]";
    many += "]";
    auto r = parse_json_bounded(many, limits);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "error.sync.body_too_large");

    auto s = parse_json_bounded("[\"" + std::string(101, 'x') + "\"]", limits);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == "error.sync.body_too_large");
    CHECK(parse_json_bounded("[\"" + std::string(100, 'x') + "\"]", limits).ok());
    // Escapes count after unescaping.
    std::string escaped;
    for (int i = 0; i < 100; ++i)
        escaped += "\\n";
    CHECK(parse_json_bounded("[\"" + escaped + "\"]", limits).ok());
    CHECK_FALSE(parse_json_bounded("[\"" + escaped + "\\n\"]", limits).ok());

    auto n = parse_json_bounded("[" + std::string(1000, '9') + "]", limits);
    REQUIRE_FALSE(n.ok());
    CHECK(n.error().code == "error.sync.message_malformed");
    CHECK_FALSE(parse_json_bounded("[1e99999]", limits).ok());
}

TEST_CASE("DomBuilder counts exactly the bytes dump() writes")
{
    std::mt19937 rng(777);
    for (int i = 0; i < 500; ++i) {
        std::string text = random_value(rng, 0);
        auto j = nlohmann::json::parse(text);
        if (j.dump().find_first_of(".eE") != std::string::npos)
            continue; // floats are counted roughly (they are not canonical anyway)
        DomBuilder dom;
        JsonReader reader(dom, {});
        reader.feed(text);
        REQUIRE(reader.finish() == JsonReader::Status::Done);
        // Duplicate keys (the last one wins) are counted each time: skip documents that have them.
        size_t members = 0;
        std::vector<const nlohmann::json*> todo = {&j};
        while (!todo.empty()) {
            const auto* v = todo.back();
            todo.pop_back();
            if (v->is_object())
                members += v->size();
            if (v->is_structured())
                for (const auto& item : *v)
                    todo.push_back(&item);
        }
        if (std::count(text.begin(), text.end(), ':') != static_cast<std::ptrdiff_t>(members))
            continue;
        INFO(text);
        CHECK(dom.dumped_bytes() == j.dump().size());
    }
}

TEST_CASE("The batch reader reads entries like entry_from_json and stops at the entry cap")
{
    auto batch = read_ingest_json(batch_json(3));
    REQUIRE(batch.ok());
    CHECK(batch->terminal_id == "T0123456789ab");
    REQUIRE(batch->entries.size() == 3);
    auto reference = nlohmann::json::parse(batch_json(3));
    for (size_t i = 0; i < 3; ++i) {
        auto expected = entry_from_json(reference["entries"][i]).value();
        const auto& got = batch->entries[i];
        CHECK(got.seq == expected.seq);
        CHECK(got.id == expected.id);
        CHECK(got.terminal_id == expected.terminal_id);
        CHECK(got.type == expected.type);
        CHECK(got.time == expected.time);
        CHECK(got.payload == expected.payload);
        CHECK(got.prev_hash == expected.prev_hash);
        CHECK(got.hash == expected.hash);
        CHECK(got.signature == expected.signature);
    }

    // Unknown keys anywhere are skipped, whatever they hold.
    auto extra = read_ingest_json(R"({"x":{"y":[1,{"z":null}]},"terminal_id":"T1","entries":[)"
                                  + entry_json(1).insert(1, R"("extra":[[[]]],)") + R"(],"more":"text"})");
    REQUIRE(extra.ok());
    CHECK(extra->entries.size() == 1);

    BatchLimits limits;
    limits.max_entries = 10;
    auto capped = read_ingest_json(batch_json(11), limits);
    REQUIRE_FALSE(capped.ok());
    CHECK(capped.error().code == "error.sync.body_too_large");
    CHECK(read_ingest_json(batch_json(10), limits).ok());

    // The cap stops the parse: what follows the 11th entry is never looked at.
    BatchReader reader(limits);
    CHECK_FALSE(reader.feed(batch_json(11).substr(0, batch_json(10).size() + 2) + "garbage that is not JSON"));
    CHECK(reader.error().code == "error.sync.body_too_large");
}

TEST_CASE("The batch reader refuses wrong shapes with the protocol's codes")
{
    struct Case {
        std::string text;
        const char* code;
    };
    std::vector<Case> cases = {
        {"[]", "error.sync.message_malformed"},
        {"7", "error.sync.message_malformed"},
        {R"({"entries":[)" + entry_json(1) + "]}", "error.sync.message_malformed"},
        {R"({"terminal_id":"T1"})", "error.sync.message_malformed"},
        {R"({"terminal_id":"T1","entries":{}})", "error.sync.message_malformed"},
        {R"({"terminal_id":"T1","entries":[]})", "error.sync.message_malformed"},
        {R"({"terminal_id":5,"entries":[)" + entry_json(1) + "]}", "error.sync.message_malformed"},
        {R"({"terminal_id":"T1","entries":[1]})", "error.protocol.entry_malformed"},
        {R"({"terminal_id":"T1","entries":[{"seq":1}]})", "error.protocol.entry_malformed"},
        {R"({"terminal_id":"T1","entries":[)" + entry_json(0) + "]}", "error.protocol.entry_malformed"},
        {R"({"terminal_id":"T1","entries":[)" + entry_json(1, "[1]") + "]}", "error.protocol.entry_malformed"},
        {R"({"terminal_id":"T1","entries":[)" + entry_json(1, R"({"a":")" + std::string(15000, 'x') + R"("})")
             + "," + entry_json(2, R"({"a":")" + std::string(15000, 'x') + R"(","b":")" + std::string(15000, 'y')
             + R"(","c":")" + std::string(15000, 'z') + R"(","d":")" + std::string(15000, 'w') + R"(","e":")"
             + std::string(15000, 'v') + R"("})") + "]}",
         "error.protocol.entry_malformed"},
        {R"({"terminal_id":"T1","entries":[)" + entry_json(1) + "]", "error.sync.message_malformed"},
        {R"({"terminal_id":"T1","entries":[)" + entry_json(1) + "],\"entries\":[]}", "error.sync.message_malformed"},
    };
    for (const auto& c : cases) {
        INFO(c.text.substr(0, 200));
        auto r = read_ingest_json(c.text);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == c.code);
    }
}

TEST_CASE("Gzip bombs are refused while inflating and truncated or trailing gzip is malformed")
{
    // A million empty arrays inside one payload: a few KB of gzip.
    std::string arrays;
    arrays.reserve(3'000'000);
    for (int i = 0; i < 1'000'000; ++i)
        arrays += i ? ",[]" : "[]";
    auto bomb = gzip_compress(batch_json(1, R"({"a":[)" + arrays + "]}"), 9);
    CHECK(bomb.size() < 64 * 1024);
    auto r = read_ingest_batch(bomb);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "error.protocol.entry_malformed");

    // Zeros past the inflated limit.
    auto zeros = gzip_compress(std::string(40 * 1024 * 1024, ' '), 9);
    auto z = read_ingest_batch(zeros);
    REQUIRE_FALSE(z.ok());
    CHECK(z.error().code == "error.sync.body_too_large");

    auto good = gzip_compress(batch_json(2));
    CHECK(read_ingest_batch(good).ok());
    auto truncated = read_ingest_batch(good.substr(0, good.size() - 5));
    REQUIRE_FALSE(truncated.ok());
    CHECK(truncated.error().code == "error.sync.body_malformed");
    auto trailing = read_ingest_batch(good + "x");
    REQUIRE_FALSE(trailing.ok());
    CHECK(trailing.error().code == "error.sync.body_malformed");
    auto not_gzip = read_ingest_batch(batch_json(1));
    REQUIRE_FALSE(not_gzip.ok());
    CHECK(not_gzip.error().code == "error.sync.body_malformed");
}
