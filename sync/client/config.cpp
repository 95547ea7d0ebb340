#include "sync/client/config.h"

#include "base/fs.h"

#include <nlohmann/json.hpp>

namespace nafitha::sync {

namespace {
constexpr size_t kMaxConfigBytes = 64 * 1024;
constexpr int64_t kMaxOffsetMs = int64_t{200} * 365 * 24 * 3600 * 1000; // two centuries either way
} // namespace

Result<SyncConfig> load_config(const std::filesystem::path& data_dir)
{
    auto path = config_file(data_dir);
    if (!std::filesystem::exists(path))
        return Error::make("error.sync.not_enrolled", "no " + path.string());
    auto text = TRY(fs::read_file(path, kMaxConfigBytes));
    auto config = parse_config(text);
    if (!config.ok())
        return Error::make("error.sync.config_invalid", path.string() + ": " + config.error().detail);
    return config;
}

Result<SyncConfig> parse_config(std::string_view text)
{
    if (text.size() > kMaxConfigBytes)
        return Error::make("error.sync.config_invalid", "larger than 64 KiB");
    auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object())
        return Error::make("error.sync.config_invalid", "not a JSON object");
    SyncConfig c;
    auto text_field = [&](const char* name, std::string& out, bool required) -> bool {
        auto it = j.find(name);
        if (it == j.end())
            return !required;
        if (!it->is_string())
            return false;
        out = it->get<std::string>();
        return true;
    };
    auto number_field = [&](const char* name, int64_t& out) -> bool {
        auto it = j.find(name);
        if (it == j.end())
            return true;
        if (!it->is_number_integer())
            return false;
        out = it->get<int64_t>();
        return out >= 0;
    };
    auto signed_field = [&](const char* name, int64_t& out) -> bool {
        auto it = j.find(name);
        if (it == j.end())
            return true;
        if (!it->is_number_integer())
            return false;
        out = it->get<int64_t>();
        return out > -kMaxOffsetMs && out < kMaxOffsetMs;
    };
    if (!text_field("server_url", c.server_url, true) || !text_field("terminal_id", c.terminal_id, true)
        || !text_field("centre", c.centre, false) || !text_field("server_public_key", c.server_public_key, false)
        || !text_field("ca_file", c.ca_file, false) || !number_field("catalogue_version", c.catalogue_version)
        || !number_field("status_cursor", c.status_cursor) || !number_field("policy_version", c.policy_version)
        || !signed_field("clock_offset_ms", c.clock_offset_ms))
        return Error::make("error.sync.config_invalid", "a field is missing or of the wrong type");
    size_t scheme = c.server_url.rfind("http://", 0) == 0 ? 7 : c.server_url.rfind("https://", 0) == 0 ? 8 : 0;
    while (c.server_url.size() > scheme && c.server_url.back() == '/')
        c.server_url.pop_back();
    // A host after the scheme ("https://" alone once passed, then lost its slashes: found by fuzz_config).
    if (scheme == 0 || c.server_url.size() == scheme || c.server_url[scheme] == '/')
        return Error::make("error.sync.config_invalid", "server_url is not an http:// or https:// address with a host");
    return c;
}

Result<void> save_config(const std::filesystem::path& data_dir, const SyncConfig& c)
{
    nlohmann::json j = {{"server_url", c.server_url},
                        {"terminal_id", c.terminal_id},
                        {"centre", c.centre},
                        {"server_public_key", c.server_public_key},
                        {"catalogue_version", c.catalogue_version},
                        {"status_cursor", c.status_cursor},
                        {"policy_version", c.policy_version},
                        {"clock_offset_ms", c.clock_offset_ms}};
    if (!c.ca_file.empty())
        j["ca_file"] = c.ca_file;
    return fs::write_file_atomic(config_file(data_dir), j.dump(2) + "\n", 0600);
}

} // namespace nafitha::sync
