#include "sync/protocol/canonical.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/entry.h"
#include "sync/protocol/receipt.h"

#include <catch2/catch.hpp>
#include <sodium.h>

using namespace nafitha;
using namespace nafitha::protocol;

TEST_CASE("Canonical JSON sorts keys, keeps UTF-8 and refuses floats and bad UTF-8")
{
    nlohmann::json j = {{"b", 1}, {"a", {{"z", "نافذة"}, {"c", nlohmann::json::array({3, 2})}}}};
    CHECK(canonical_json(j).value() == R"({"a":{"c":[3,2],"z":"نافذة"},"b":1})");
    CHECK(canonical_json(nlohmann::json{{"x", 1.5}}).error().code == "error.protocol.canonical");
    CHECK_FALSE(canonical_json(nlohmann::json{{"x", std::string("\xC3")}}).ok());
}

namespace {

// A deterministic random JSON document with the strings that need care: every ASCII byte (control characters,
// quote, backslash, DEL), Arabic, four-byte UTF-8, U+FFFD, U+2028; integers at both ends of both ranges.
nlohmann::json random_json(uint64_t& state, int depth)
{
    auto next = [&] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return state >> 33;
    };
    auto text = [&] {
        static const char* pieces[] = {"نافذة", "\xF0\x9F\x98\x80", "\xEF\xBF\xBD", "\xE2\x80\xA8", "a", "Z", "/", " "};
        std::string s;
        for (uint64_t n = next() % 12; n > 0; --n) {
            if (next() % 2)
                s += static_cast<char>(next() % 128);
            else
                s += pieces[next() % 8];
        }
        return s;
    };
    switch (depth > 4 ? next() % 6 : next() % 8) {
    case 0: return nullptr;
    case 1: return next() % 2 == 0;
    case 2: {
        static const int64_t ints[] = {0, -1, 1, INT64_MIN, INT64_MAX, -1234567, 100000};
        return next() % 2 ? nlohmann::json(ints[next() % 7]) : nlohmann::json(static_cast<int64_t>(next()) - (1ll << 30));
    }
    case 3: return next() % 2 ? nlohmann::json(UINT64_MAX) : nlohmann::json(static_cast<uint64_t>(next()));
    case 4:
    case 5: return text();
    case 6: {
        auto a = nlohmann::json::array();
        for (uint64_t n = next() % 5; n > 0; --n)
            a.push_back(random_json(state, depth + 1));
        return a;
    }
    default: {
        auto o = nlohmann::json::object();
        for (uint64_t n = next() % 5; n > 0; --n)
            o[text()] = random_json(state, depth + 1);
        return o;
    }
    }
}

} // namespace

TEST_CASE("The canonical JSON writer gives nlohmann's strict dump byte for byte and refuses what it refuses")
{
    uint64_t state = 14;
    for (int i = 0; i < 20000; ++i) {
        auto doc = random_json(state, 0);
        INFO(doc.dump());
        REQUIRE(canonical_json(doc).value() == doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict));
    }
    std::string all;
    for (int c = 0; c < 128; ++c)
        all += static_cast<char>(c);
    nlohmann::json every{{all, all}};
    CHECK(canonical_json(every).value() == every.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict));
    CHECK(canonical_json(nlohmann::json::object()).value() == "{}");
    CHECK(canonical_json(nlohmann::json::array()).value() == "[]");
    // Invalid UTF-8 (truncated, stray continuation, overlong, surrogate, past U+10FFFF), in values and keys.
    for (std::string bad : {"\xC3", "a\x80", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "x\xE2\x82"}) {
        CHECK_THROWS(nlohmann::json(bad).dump(-1, ' ', false, nlohmann::json::error_handler_t::strict));
        CHECK(canonical_json(nlohmann::json{{"k", bad}}).error().code == "error.protocol.canonical");
        CHECK(canonical_json(nlohmann::json{{bad, 1}}).error().code == "error.protocol.canonical");
        std::string out;
        CHECK_FALSE(append_canonical_string(bad, out).ok());
    }
    nlohmann::json deep = 1;
    for (int i = 0; i < 32; ++i) // the scalar at depth 32: the deepest allowed
        deep = nlohmann::json::array({deep});
    CHECK(canonical_json(deep).ok());
    deep = nlohmann::json::array({deep});
    CHECK(canonical_json(deep).error().code == "error.protocol.canonical");
}

TEST_CASE("SHA-256 and hex match known vectors")
{
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(from_hex("00ff10").value() == std::string("\x00\xff\x10", 3));
    CHECK_FALSE(from_hex("0g").ok());
    CHECK(from_base64(to_base64("نافذة")).value() == "نافذة");
    CHECK_FALSE(from_base64("***").ok());
}

TEST_CASE("SHA-256 through OpenSSL gives libsodium's digests for every length across block boundaries")
{
    std::string data;
    for (size_t n = 0; n <= 1100; ++n) {
        Digest expected{};
        crypto_hash_sha256(expected.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
        REQUIRE(sha256(data) == expected);
        data.push_back(static_cast<char>((n * 131 + 7) & 0xff));
    }
}

TEST_CASE("Sealed entries verify and any change to content, signature or key is caught")
{
    auto kp = generate_keypair();
    Entry e;
    e.seq = 1;
    e.id = "T1-1";
    e.terminal_id = "T1";
    e.type = "application.submitted";
    e.time = "2026-11-28T22:00:00.000Z";
    e.payload = {{"service", "civil.birth_extract"}, {"fee", 5000}};
    e.prev_hash = kGenesisHash;
    REQUIRE(seal(e, kp.secret_key).ok());
    CHECK(e.hash.size() == 64);
    REQUIRE(verify_entry(e, kp.public_key).ok());

    auto round = entry_from_json(to_json(e));
    REQUIRE(round.ok());
    CHECK(verify_entry(round.value(), kp.public_key).ok());

    auto altered = e;
    altered.payload["fee"] = 1;
    CHECK(verify_entry(altered, kp.public_key).error().code == "error.protocol.entry_hash");

    auto forged = e;
    forged.payload["fee"] = 1;
    REQUIRE(seal(forged, generate_keypair().secret_key).ok());
    CHECK(verify_entry(forged, kp.public_key).error().code == "error.protocol.entry_signature");

    auto keys = decode_public_key(encode_public_key(kp.public_key));
    REQUIRE(keys.ok());
    CHECK(keys.value() == kp.public_key);
    CHECK(decode_secret_key(encode_secret_key(kp.secret_key)).value() == kp.secret_key);
}

TEST_CASE("Signing bytes are the canonical JSON of the whole entry object")
{
    Entry e;
    e.seq = 9007199254740993;
    e.id = "id-\"quoted\"\n";
    e.terminal_id = "T0123456789ab";
    e.type = "application.submitted";
    e.time = "2026-03-14T09:30:00.000Z";
    e.prev_hash = std::string(64, 'f');
    e.payload = nlohmann::json::parse(R"({"z":[1,{"b":"\u0001","a":"سارة"}],"a":-5,"m":{"y":null,"x":true}})");
    nlohmann::json whole = {{"id", e.id}, {"payload", e.payload}, {"prev", e.prev_hash}, {"seq", e.seq},
                            {"terminal", e.terminal_id}, {"time", e.time}, {"type", e.type}};
    CHECK(signing_bytes(e).value() == canonical_json(whole).value());
    e.payload["bad"] = 1.5;
    CHECK_FALSE(signing_bytes(e).ok());
    e.payload.erase("bad");
    e.id = std::string("\xff");
    CHECK_FALSE(signing_bytes(e).ok());
}

TEST_CASE("Malformed entries from the wire are refused with a reason")
{
    CHECK(entry_from_json(nlohmann::json::array()).error().code == "error.protocol.entry_malformed");
    CHECK_FALSE(entry_from_json(nlohmann::json{{"seq", 0}}).ok());
    nlohmann::json j = {{"seq", 1},        {"id", "x"},   {"terminal", "t"}, {"type", "t"}, {"time", "t"},
                        {"prev", "p"},     {"hash", "h"}, {"sig", "s"},      {"payload", 5}};
    CHECK(entry_from_json(j).error().detail.find("payload") != std::string::npos);
    j["payload"] = nlohmann::json::object();
    CHECK(entry_from_json(j).ok());
    j["type"] = std::string(100, 'x');
    CHECK_FALSE(entry_from_json(j).ok());
}

TEST_CASE("Receipt QR payloads are signed by the terminal key and verify offline")
{
    protocol::init_crypto();
    auto keys = protocol::generate_keypair();
    auto payload = protocol::sign_receipt("DAM1-000123-7", "T0123456789ab", keys.secret_key);
    REQUIRE(payload.ok());
    CHECK(payload->rfind("NFR1|DAM1-000123-7|T0123456789ab|", 0) == 0);
    CHECK(payload->size() < 140);
    auto claim = protocol::verify_receipt(*payload, keys.public_key);
    REQUIRE(claim.ok());
    CHECK(claim->reference == "DAM1-000123-7");
    CHECK(claim->terminal_id == "T0123456789ab");

    // A changed reference, another terminal's key, or garbage: refused.
    std::string forged = *payload;
    forged.replace(forged.find("000123"), 6, "000124");
    CHECK(protocol::verify_receipt(forged, keys.public_key).error().code == "error.receipt.bad_signature");
    auto other = protocol::generate_keypair();
    CHECK(protocol::verify_receipt(*payload, other.public_key).error().code == "error.receipt.bad_signature");
    for (std::string bad : {std::string(), std::string("hello"), std::string("NFR1|a|b|c"), "NFR2|DAM1|T1|" + std::string(86, 'A'), std::string(600, 'x')})
        CHECK(protocol::verify_receipt(bad, keys.public_key).error().code == "error.receipt.malformed");
    CHECK(protocol::sign_receipt("has|bar", "T1", keys.secret_key).error().code == "error.receipt.malformed");
}
