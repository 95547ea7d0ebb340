#include "sync/protocol/transparency.h"

namespace nafitha::protocol {

nlohmann::json hashes_to_json(const std::vector<MerkleHash>& hashes)
{
    auto out = nlohmann::json::array();
    for (const auto& h : hashes)
        out.push_back(to_hex(h));
    return out;
}

Result<MerkleHash> hash_from_hex(std::string_view hex)
{
    auto raw = from_hex(hex);
    if (hex.size() != 64 || !raw.ok() || raw->size() != 32)
        return Error::make("error.log.malformed", "not a SHA-256 hash in hex");
    MerkleHash h;
    std::copy(raw->begin(), raw->end(), h.begin());
    return h;
}

Result<std::vector<MerkleHash>> hashes_from_json(const nlohmann::json& j)
{
    if (!j.is_array() || j.size() > kMaxProofHashes)
        return Error::make("error.log.malformed", "a proof is a list of at most " + std::to_string(kMaxProofHashes) + " hashes");
    std::vector<MerkleHash> out;
    for (const auto& v : j) {
        if (!v.is_string())
            return Error::make("error.log.malformed", "a proof hash is not a string");
        out.push_back(TRY(hash_from_hex(v.get<std::string>())));
    }
    return out;
}

Result<Checkpoint> verify_checkpoint(const Signed& s, const PublicKey& central_key)
{
    if (auto ok = verify_statement(s, central_key, "checkpoint"); !ok.ok())
        return Error::make("error.audit.checkpoint_forged", "the checkpoint is not signed by the given central key: " + ok.error().to_string());
    auto cp = checkpoint_statement(s.statement);
    if (!cp.ok())
        return Error::make("error.audit.checkpoint_forged", cp.error().to_string());
    if (cp->origin != log_origin(central_key))
        return Error::make("error.audit.checkpoint_forged", "the checkpoint names the log " + cp->origin + ", not " + log_origin(central_key));
    if (!hash_from_hex(cp->root).ok())
        return Error::make("error.audit.checkpoint_forged", "the checkpoint's root is not a hash");
    return cp;
}

Result<void> check_consistency(const Checkpoint& seen, const Checkpoint& next, const std::vector<MerkleHash>& proof)
{
    if (seen.origin != next.origin)
        return Error::make("error.audit.origin", "the log " + next.origin + " is not the log " + seen.origin + " seen before");
    if (next.size < seen.size)
        return Error::make("error.audit.log_shrank", "the log had " + std::to_string(seen.size) + " entries and now claims "
                                                         + std::to_string(next.size));
    auto old_root = TRY(hash_from_hex(seen.root));
    auto new_root = TRY(hash_from_hex(next.root));
    if (!verify_consistency(static_cast<uint64_t>(seen.size), static_cast<uint64_t>(next.size), old_root, new_root, proof))
        return Error::make("error.audit.inconsistent", "the checkpoint of " + std::to_string(next.size)
                                                           + " entries does not extend the one of " + std::to_string(seen.size)
                                                           + " seen before: entries were rewritten or removed");
    return {};
}

nlohmann::json to_json(const LoggedEntry& e)
{
    return {{"index", e.index}, {"terminal", e.terminal_id}, {"seq", e.seq}, {"entry", to_base64(e.bytes)}, {"sig", e.signature}};
}

Result<LoggedEntry> logged_entry_from_json(const nlohmann::json& j)
{
    auto bad = [](const std::string& what) { return Error::make("error.log.malformed", what); };
    if (!j.is_object())
        return bad("not an object");
    LoggedEntry e;
    if (!j.contains("index") || !j["index"].is_number_integer() || !j.contains("seq") || !j["seq"].is_number_integer())
        return bad("index and seq are integers");
    e.index = j["index"].get<int64_t>();
    e.seq = j["seq"].get<int64_t>();
    if (!j.contains("terminal") || !j["terminal"].is_string() || !j.contains("entry") || !j["entry"].is_string())
        return bad("terminal and entry are strings");
    e.terminal_id = j["terminal"].get<std::string>();
    auto bytes = from_base64(j["entry"].get<std::string>());
    if (!bytes.ok())
        return bad("entry is not base64");
    e.bytes = bytes.release_value();
    if (j.contains("sig") && j["sig"].is_string())
        e.signature = j["sig"].get<std::string>();
    if (e.index < 0 || e.seq < 1)
        return bad("index or seq out of range");
    return e;
}

Result<void> check_receipt_inclusion(const LoggedEntry& entry, const std::string& terminal_id, const std::string& reference,
                                     const Checkpoint& checkpoint, const std::vector<MerkleHash>& proof)
{
    auto not_included = [](const std::string& why) { return Error::make("error.log.not_included", why); };
    auto j = nlohmann::json::parse(entry.bytes, nullptr, false);
    if (!j.is_object() || j.value("terminal", "") != terminal_id || !j.contains("seq") || !j["seq"].is_number_integer()
        || j["seq"].get<int64_t>() != entry.seq || j.value("type", "") != "application.submitted" || !j.contains("payload")
        || !j["payload"].is_object() || j["payload"].value("reference", "") != reference)
        return not_included("the logged entry is not the submission of " + reference + " by " + terminal_id);
    if (entry.index >= checkpoint.size)
        return not_included("leaf " + std::to_string(entry.index) + " is past the checkpoint of " + std::to_string(checkpoint.size));
    auto root = TRY(hash_from_hex(checkpoint.root));
    if (!verify_inclusion(static_cast<uint64_t>(entry.index), static_cast<uint64_t>(checkpoint.size), merkle_leaf_hash(entry.bytes),
                          proof, root))
        return not_included("the inclusion proof of leaf " + std::to_string(entry.index) + " does not lead to the checkpoint's root");
    return {};
}

} // namespace nafitha::protocol
