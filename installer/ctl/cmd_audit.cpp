// nafitha-ctl audit --server URL: an auditor's check of central's transparency log (docs/OPERATIONS.md). Fetches
// the latest signed checkpoint, checks central's signature with the pinned or given key, and checks with a
// consistency proof that it extends the last checkpoint this auditor saw (kept in a state file); any
// inconsistency (a log that was rewritten, cut or forked) fails loudly in Arabic and English, and the state keeps
// the checkpoint seen before. Also verify-receipt --online (installer/ctl/transparency.h).

#include "base/fs.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "installer/ctl/command.h"
#include "installer/ctl/transparency.h"
#include "sync/client/config.h"
#include "sync/client/http.h"
#include "sync/protocol/signed.h"
#include "sync/protocol/transparency.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

using namespace nafitha;

namespace {

constexpr int kExitAlarm = 1;
constexpr int kExitUnreachable = 3;

const I18n* translations()
{
    static auto loaded = I18n::load(paths::assets_dir());
    return loaded.ok() ? &loaded.value() : nullptr;
}

// Both languages, Arabic first; the technical detail after them.
void say(std::ostream& out, const std::string& key, TrArgs args = {}, const std::string& detail = {})
{
    if (const I18n* i18n = translations()) {
        out << i18n->tr(Lang::Ar, key, args) << "\n" << i18n->tr(Lang::En, key, args) << "\n";
    } else {
        out << key << "\n";
    }
    if (!detail.empty())
        out << "(" << detail << ")\n";
}

int alarm(const Error& e)
{
    std::cerr << "nafitha-ctl: ALARM " << e.code << "\n";
    say(std::cerr, e.code, {}, e.detail);
    return kExitAlarm;
}

int unreachable(const Error& e)
{
    std::cerr << "nafitha-ctl: " << e.code << "\n";
    say(std::cerr, "error.audit.unreachable", {}, e.to_string());
    return kExitUnreachable;
}

// GET URL → JSON object; error.audit.unreachable for the network, a non-200 answer or a body that is not JSON
// (the answer's error code kept in the detail, e.g. error.log.not_found).
Result<nlohmann::json> get_json(sync::HttpClient& http, const std::string& url, std::string* error_code = nullptr)
{
    auto res = http.request("GET", url, {}, {});
    if (!res.ok())
        return Error::make("error.audit.unreachable", res.error().to_string());
    auto j = nlohmann::json::parse(res->body, nullptr, false);
    if (res->status != 200) {
        std::string code = j.is_object() && j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>() : "";
        if (error_code)
            *error_code = code;
        return Error::make("error.audit.unreachable", "HTTP " + std::to_string(res->status) + " " + code);
    }
    if (!j.is_object())
        return Error::make("error.audit.unreachable", "the answer is not a JSON object");
    return j;
}

Result<protocol::Checkpoint> checkpoint_in(const nlohmann::json& j, const protocol::PublicKey& key)
{
    if (!j.contains("checkpoint"))
        return Error::make("error.audit.checkpoint_forged", "the answer holds no checkpoint");
    auto s = protocol::signed_from_json(j["checkpoint"]);
    if (!s.ok())
        return Error::make("error.audit.checkpoint_forged", s.error().to_string());
    return protocol::verify_checkpoint(*s, key);
}

struct Target {
    std::string server_url;
    protocol::PublicKey central_key{};
    std::string ca_file;
    std::filesystem::path data_dir;
};

// --server URL and --central-key B64, or what a terminal's --data DIR pinned at enrollment (sync.json).
std::optional<Target> target_from(ctl::Args& args, std::string& problem)
{
    auto server = args.option("server");
    auto key = args.option("central-key");
    auto data = args.option("data");
    auto ca = args.option("ca-file");
    Target t;
    if (data) {
        auto cfg = sync::load_config(*data);
        if (!cfg.ok()) {
            problem = cfg.error().to_string();
            return std::nullopt;
        }
        t.server_url = cfg->server_url;
        t.ca_file = cfg->ca_file;
        auto k = protocol::decode_public_key(cfg->server_public_key);
        if (!k.ok()) {
            problem = "sync.json holds no central key";
            return std::nullopt;
        }
        t.central_key = k.value();
        t.data_dir = *data;
    }
    if (server)
        t.server_url = *server;
    if (ca)
        t.ca_file = *ca;
    if (key) {
        auto k = protocol::decode_public_key(*key);
        if (!k.ok()) {
            problem = "--central-key is not a base64 Ed25519 public key";
            return std::nullopt;
        }
        t.central_key = k.value();
    }
    while (!t.server_url.empty() && t.server_url.back() == '/')
        t.server_url.pop_back();
    if (t.server_url.empty() || (!key && !data)) {
        problem = "needs --server URL and --central-key B64 (or --data DIR of an enrolled terminal)";
        return std::nullopt;
    }
    return t;
}

std::filesystem::path default_state(const Target& t)
{
    if (!t.data_dir.empty())
        return t.data_dir / "audit_state.json";
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home && *home ? home : ".") / ".nafitha-audit.json";
}

int run_audit(ctl::Args& args)
{
    std::string problem;
    auto state_opt = args.option("state");
    auto target = target_from(args, problem);
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!args.positionals().empty())
        return ctl::usage_error("usage: audit --server URL --central-key B64 [--state FILE]");
    if (!target)
        return ctl::usage_error("audit " + problem);
    protocol::init_crypto();
    std::filesystem::path state_path = state_opt ? std::filesystem::path(*state_opt) : default_state(*target);

    // What this auditor saw last (a signed checkpoint, checked again: the state file is not trusted either).
    std::optional<protocol::Checkpoint> seen;
    std::string seen_text;
    if (std::filesystem::exists(state_path)) {
        auto text = fs::read_file(state_path, 64 * 1024);
        auto j = text.ok() ? nlohmann::json::parse(text.value(), nullptr, false) : nlohmann::json();
        auto cp = j.is_object() ? checkpoint_in(j, target->central_key) : Result<protocol::Checkpoint>(Error::make("error.audit.state", ""));
        if (!cp.ok()) {
            std::cerr << "nafitha-ctl: " << state_path.string() << "\n";
            say(std::cerr, "error.audit.state", {{"file", state_path.string()}}, cp.error().to_string());
            return 2;
        }
        seen = cp.value();
    }

    sync::HttpOptions options;
    options.ca_file = target->ca_file;
    options.transfer_timeout_ms = 60'000;
    sync::HttpClient http(options);
    auto answer = get_json(http, target->server_url + "/v1/log/checkpoint");
    if (!answer.ok())
        return unreachable(answer.error());
    auto next = checkpoint_in(answer.value(), target->central_key);
    if (!next.ok())
        return alarm(next.error());

    if (seen) {
        nlohmann::json proof_json = nlohmann::json::array();
        if (seen->size > 0 && next->size > seen->size) {
            auto proof_answer = get_json(http, target->server_url + "/v1/log/consistency?first=" + std::to_string(seen->size)
                                                   + "&second=" + std::to_string(next->size));
            if (!proof_answer.ok())
                return unreachable(proof_answer.error());
            proof_json = proof_answer.value().value("proof", nlohmann::json());
        }
        auto proof = protocol::hashes_from_json(proof_json);
        if (!proof.ok())
            return alarm(Error::make("error.audit.inconsistent", proof.error().to_string()));
        if (auto ok = protocol::check_consistency(*seen, *next, proof.value()); !ok.ok())
            return alarm(ok.error());
    }
    // Kept only once checked: a failed audit leaves the checkpoint seen before as the reference.
    nlohmann::json state = {{"checkpoint", answer.value()["checkpoint"]}};
    if (auto w = fs::write_file_atomic(state_path, state.dump() + "\n", 0600); !w.ok()) {
        std::cerr << "nafitha-ctl: " << w.error().to_string() << "\n";
        return 2;
    }
    std::string size = std::to_string(next->size);
    if (seen)
        say(std::cout, "audit.consistent", {{"origin", next->origin}, {"size", size}, {"seen", std::to_string(seen->size)}});
    else
        say(std::cout, "audit.first", {{"origin", next->origin}, {"size", size}});
    std::cout << "OK origin=" << next->origin << " size=" << next->size << " root=" << next->root << "\n";
    return 0;
}

} // namespace

namespace nafitha::ctl {

int verify_receipt_online(const protocol::ReceiptClaim& claim, const OnlineReceiptCheck& check)
{
    sync::HttpOptions options;
    options.ca_file = check.ca_file;
    options.transfer_timeout_ms = 60'000;
    sync::HttpClient http(options);
    std::string code;
    auto answer = get_json(http, check.server_url + "/v1/log/receipt?terminal=" + claim.terminal_id + "&reference=" + claim.reference, &code);
    if (!answer.ok()) {
        if (code == "error.log.not_found") {
            std::cout << "NOT-IN-LOG reference=" << claim.reference << " terminal=" << claim.terminal_id << "\n";
            return alarm(Error::make("error.log.not_found", "central's log holds no submission of " + claim.reference));
        }
        if (code == "error.log.not_checkpointed") {
            std::cerr << "nafitha-ctl: error.log.not_checkpointed\n";
            say(std::cerr, "error.log.not_checkpointed");
            return kExitUnreachable;
        }
        return unreachable(answer.error());
    }
    auto cp = checkpoint_in(answer.value(), check.central_key);
    if (!cp.ok())
        return alarm(cp.error());
    auto entry = protocol::logged_entry_from_json(answer.value());
    auto proof = protocol::hashes_from_json(answer.value().value("proof", nlohmann::json()));
    if (!entry.ok() || !proof.ok())
        return alarm(Error::make("error.log.not_included", !entry.ok() ? entry.error().to_string() : proof.error().to_string()));
    if (auto ok = protocol::check_receipt_inclusion(entry.value(), claim.terminal_id, claim.reference, cp.value(), proof.value()); !ok.ok())
        return alarm(ok.error());
    say(std::cout, "receipt.in_log", {{"reference", claim.reference}, {"index", std::to_string(entry->index)}, {"size", std::to_string(cp->size)}});
    std::cout << "IN-LOG reference=" << claim.reference << " terminal=" << claim.terminal_id << " index=" << entry->index
              << " size=" << cp->size << " root=" << cp->root << "\n";
    return 0;
}

} // namespace nafitha::ctl

NAFITHA_CTL_COMMAND(audit, "audit",
                    "audit --server URL --central-key B64 [--state FILE] [--ca-file PEM]  (or --data DIR)  check central's "
                    "transparency log only grew since the last audit",
                    run_audit);
