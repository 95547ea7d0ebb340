#include "sync/protocol/canonical.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/entry.h"
#include "sync/protocol/receipt.h"

#include <catch2/catch.hpp>

using namespace nafitha;
using namespace nafitha::protocol;

TEST_CASE("Canonical JSON sorts keys, keeps UTF-8 and refuses floats and bad UTF-8")
{
    nlohmann::json j = {{"b", 1}, {"a", {{"z", "نافذة"}, {"c", nlohmann::json::array({3, 2})}}}};
    CHECK(canonical_json(j).value() == R"({"a":{"c":[3,2],"z":"نافذة"},"b":1})");
    CHECK(canonical_json(nlohmann::json{{"x", 1.5}}).error().code == "error.protocol.canonical");
    CHECK_FALSE(canonical_json(nlohmann::json{{"x", std::string("\xC3")}}).ok());
}

TEST_CASE("SHA-256 and hex match known vectors")
{
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(from_hex("00ff10").value() == std::string("\x00\xff\x10", 3));
    CHECK_FALSE(from_hex("0g").ok());
    CHECK(from_base64(to_base64("نافذة")).value() == "نافذة");
    CHECK_FALSE(from_base64("***").ok());
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
