#include "sync/client/config.h"

#include "base/fs.h"

#include <nlohmann/json.hpp>

namespace nafitha::sync {

Result<SyncConfig> load_config(const std::filesystem::path& data_dir)
{
    auto path = config_file(data_dir);
    if (!std::filesystem::exists(path))
        return Error::make("error.sync.not_enrolled", "no " + path.string());
    auto text = TRY(fs::read_file(path, 64 * 1024));
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return Error::make("error.sync.config_invalid", path.string() + " is not a JSON object");
    SyncConfig c;
    try {
        c.server_url = j.at("server_url").get<std::string>();
        c.terminal_id = j.at("terminal_id").get<std::string>();
        c.centre = j.value("centre", "");
        c.server_public_key = j.value("server_public_key", "");
        c.catalogue_version = j.value("catalogue_version", int64_t{0});
        c.ca_file = j.value("ca_file", "");
        c.status_cursor = j.value("status_cursor", int64_t{0});
        c.policy_version = j.value("policy_version", int64_t{0});
    } catch (const std::exception& e) {
        return Error::make("error.sync.config_invalid", path.string() + ": " + e.what());
    }
    while (!c.server_url.empty() && c.server_url.back() == '/')
        c.server_url.pop_back();
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
                        {"policy_version", c.policy_version}};
    if (!c.ca_file.empty())
        j["ca_file"] = c.ca_file;
    return fs::write_file_atomic(config_file(data_dir), j.dump(2) + "\n", 0600);
}

} // namespace nafitha::sync
