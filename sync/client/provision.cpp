#include "sync/client/provision.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "sync/client/enroll.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/enroll_qr.h"

#include <nlohmann/json.hpp>

namespace nafitha::sync {

namespace {

bool centre_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

} // namespace

Result<ProvisionRequest> request_from_qr(std::string_view scanned, Lang language)
{
    auto t = TRY(protocol::parse_enrollment_qr(scanned));
    ProvisionRequest r;
    r.language = language;
    r.centre = t.centre;
    r.server_url = t.server_url;
    r.code = t.code;
    r.central_key = t.central_key;
    return r;
}

Result<void> check_request(const ProvisionRequest& r)
{
    if (r.server_url.size() > 512 || (r.server_url.rfind("http://", 0) != 0 && r.server_url.rfind("https://", 0) != 0) ||
        r.server_url.find_first_of(" \t\r\n") != std::string::npos || r.server_url.size() <= 8)
        return Error::make("error.sync.bad_url", "the server URL must be http(s)://HOST[:PORT]", "server");
    if (r.code.empty() || r.code.size() > 64)
        return Error::make("error.sync.bad_code", "the enrollment code is empty or too long", "code");
    if (r.centre.size() > 64)
        return Error::make("error.provision.centre_invalid", "the centre code is too long", "centre");
    for (char c : r.centre)
        if (!centre_char(c))
            return Error::make("error.provision.centre_invalid", "the centre code has letters, digits, - _ . only", "centre");
    if (!r.central_key.empty() && !protocol::decode_public_key(r.central_key).ok())
        return Error::make("error.sync.bad_key", "the central key must be the base64 of 32 bytes", "central_key");
    return {};
}

Result<Provisioned> provision(const std::filesystem::path& data_dir, const ProvisionRequest& request, const HttpOptions& http)
{
    TRY(check_request(request));
    Provisioned out;
    auto before = load_config(data_dir);
    auto config = enroll(data_dir, request.server_url, request.code, http, request.central_key, request.centre);
    if (!config.ok()) {
        Error e = config.release_error();
        // The enrollment's own words are about syncing; a technician at first run needs these.
        if (e.code == "error.sync.network")
            return Error::make("error.provision.unreachable", e.detail, "server");
        if (e.code == "error.sync.answer_forged" && !request.central_key.empty())
            return Error::make("error.provision.key_mismatch", e.detail, "central_key");
        return e;
    }
    out.config = config.release_value();
    if (before.ok() && (before->server_url != out.config.server_url || before->server_public_key != out.config.server_public_key)) {
        out.moved = true;
        out.previous_server = before->server_url;
    }
    nlohmann::json j = {{"language", std::string(lang_code(request.language))},
                        {"centre", out.config.centre},
                        {"server_url", out.config.server_url},
                        {"terminal_id", out.config.terminal_id},
                        {"provisioned_at", clock::iso8601_utc(clock::unix_ms())}};
    TRY(fs::write_file_atomic(provision_file(data_dir), j.dump(2) + "\n", 0600));
    log::info("provision", "terminal " + out.config.terminal_id + " provisioned at centre " + out.config.centre + " (" +
                               out.config.server_url + ")" + (out.moved ? ", moved from " + out.previous_server : ""));
    return out;
}

Result<std::optional<ProvisionRecord>> load_provision(const std::filesystem::path& data_dir)
{
    std::error_code ec;
    if (!std::filesystem::exists(provision_file(data_dir), ec))
        return std::optional<ProvisionRecord>();
    auto text = fs::read_file(provision_file(data_dir), 64 * 1024);
    if (!text.ok())
        return Error::make("error.provision.record_invalid", text.error().to_string());
    auto j = nlohmann::json::parse(text.value(), nullptr, false);
    if (!j.is_object() || !j.contains("language") || !j["language"].is_string())
        return Error::make("error.provision.record_invalid", "provision.json is not an object with a language");
    ProvisionRecord r;
    auto lang = parse_lang(j["language"].get<std::string>());
    if (!lang.ok())
        return Error::make("error.provision.record_invalid", "provision.json names an unknown language");
    r.language = lang.value();
    auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
    r.centre = str("centre");
    r.server_url = str("server_url");
    r.terminal_id = str("terminal_id");
    r.provisioned_at = str("provisioned_at");
    return std::optional<ProvisionRecord>(std::move(r));
}

} // namespace nafitha::sync
