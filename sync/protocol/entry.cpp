#include "sync/protocol/entry.h"

#include "sync/protocol/canonical.h"

namespace nafitha::protocol {

Result<std::string> signing_bytes(const Entry& e)
{
    // The canonical JSON of {"id","payload","prev","seq","terminal","time","type"} (keys in byte order), written
    // piece by piece so that the payload is not copied into a new object first (central rebuilds these bytes for
    // every entry it stores).
    std::string out;
    out.reserve(512);
    out += "{\"id\":";
    TRY(append_canonical_string(e.id, out));
    out += ",\"payload\":";
    TRY(append_canonical_json(e.payload, out));
    out += ",\"prev\":";
    TRY(append_canonical_string(e.prev_hash, out));
    out += ",\"seq\":";
    out += std::to_string(e.seq);
    out += ",\"terminal\":";
    TRY(append_canonical_string(e.terminal_id, out));
    out += ",\"time\":";
    TRY(append_canonical_string(e.time, out));
    out += ",\"type\":";
    TRY(append_canonical_string(e.type, out));
    out += "}";
    return out;
}

Result<void> seal(Entry& e, const SecretKey& secret_key)
{
    auto bytes = TRY(signing_bytes(e));
    e.hash = sha256_hex(bytes);
    e.signature = sign(secret_key, bytes);
    return {};
}

Result<std::string> seal_hash(Entry& e)
{
    auto bytes = TRY(signing_bytes(e));
    e.hash = sha256_hex(bytes);
    e.signature.clear();
    return bytes;
}

Result<void> verify_entry(const Entry& e, const PublicKey& public_key)
{
    auto bytes = TRY(signing_bytes(e));
    if (sha256_hex(bytes) != e.hash)
        return Error::make("error.protocol.entry_hash", "entry " + std::to_string(e.seq) + ": hash does not match its content");
    if (e.signature.empty())
        return {};
    if (!verify(public_key, bytes, e.signature))
        return Error::make("error.protocol.entry_signature", "entry " + std::to_string(e.seq) + ": bad signature");
    return {};
}

nlohmann::json to_json(const Entry& e)
{
    return {
        {"seq", e.seq},         {"id", e.id},     {"terminal", e.terminal_id}, {"type", e.type},
        {"time", e.time},       {"payload", e.payload}, {"prev", e.prev_hash}, {"hash", e.hash},
        {"sig", e.signature},
    };
}

Result<Entry> entry_from_json(const nlohmann::json& j)
{
    auto bad = [](std::string what) { return Error::make("error.protocol.entry_malformed", std::move(what)); };
    if (!j.is_object())
        return bad("entry is not an object");
    auto str = [&](const char* key, size_t max, std::string& out) -> Result<void> {
        auto it = j.find(key);
        if (it == j.end() || !it->is_string())
            return bad(std::string("missing or non-string '") + key + "'");
        if (it->get_ref<const std::string&>().size() > max)
            return bad(std::string("'") + key + "' too long");
        out = it->get<std::string>();
        return {};
    };
    Entry e;
    auto seq = j.find("seq");
    if (seq == j.end() || !seq->is_number_integer() || seq->get<int64_t>() < 1)
        return bad("missing or invalid 'seq'");
    e.seq = seq->get<int64_t>();
    TRY(str("id", 128, e.id));
    TRY(str("terminal", 128, e.terminal_id));
    TRY(str("type", kMaxEntryTypeBytes, e.type));
    TRY(str("time", 64, e.time));
    TRY(str("prev", 64, e.prev_hash));
    TRY(str("hash", 64, e.hash));
    TRY(str("sig", 128, e.signature));
    auto payload = j.find("payload");
    if (payload == j.end() || !payload->is_object())
        return bad("missing or non-object 'payload'");
    if (payload->dump().size() > kMaxEntryPayloadBytes)
        return bad("payload too large");
    e.payload = *payload;
    return e;
}

} // namespace nafitha::protocol
