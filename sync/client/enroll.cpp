#include "sync/client/enroll.h"

#include "base/clock.h"
#include "base/log.h"
#include "sync/client/central_client.h"
#include "sync/journal/identity.h"
#include "sync/journal/journal.h"

namespace nafitha::sync {

Result<SyncConfig> enroll(const std::filesystem::path& data_dir, const std::string& server_url, const std::string& code,
                          const HttpOptions& http, const std::string& central_key, const std::string& expected_centre)
{
    std::optional<protocol::PublicKey> expected;
    if (!central_key.empty()) {
        auto k = protocol::decode_public_key(central_key);
        if (!k.ok())
            return Error::make("error.sync.bad_key", "the central key must be the base64 of 32 bytes", "central_key");
        expected = k.value();
    }
    if (server_url.rfind("http://", 0) != 0 && server_url.rfind("https://", 0) != 0)
        return Error::make("error.sync.bad_url", "the server URL must start with http:// or https://", "server");
    if (code.empty() || code.size() > 64)
        return Error::make("error.sync.bad_code", "the enrollment code is empty or too long", "code");
    auto identity = TRY(journal::load_or_create_identity(data_dir));
    CentralClient client(server_url, identity, http, expected);
    auto answer = TRY(client.enroll(code));
    if (answer.terminal_id != identity.terminal_id)
        return Error::make("error.sync.enroll_mismatch", "the server answered for another terminal id");
    if (!expected_centre.empty() && answer.centre != expected_centre)
        return Error::make("error.provision.centre_mismatch", answer.centre, "centre"); // detail: the code's centre
    SyncConfig config;
    config.server_url = server_url;
    while (!config.server_url.empty() && config.server_url.back() == '/')
        config.server_url.pop_back();
    config.terminal_id = answer.terminal_id;
    config.centre = answer.centre;
    config.server_public_key = answer.server_public_key;
    config.catalogue_version = 0; // the version last installed through the pull; 0 fetches the current one
    config.ca_file = http.ca_file;
    // Central's clock, from its answer: the terminal's records carry central's time from now on.
    if (answer.server_time_ms > 0)
        config.clock_offset_ms = answer.server_time_ms - clock::steady_wall_ms();
    clock::set_reference_offset_ms(config.clock_offset_ms);
    // A repeated enrollment at the same central keeps the cursors of the earlier one.
    if (auto old = load_config(data_dir); old.ok() && old->terminal_id == config.terminal_id
                                          && old->server_public_key == config.server_public_key) {
        config.status_cursor = old->status_cursor;
        config.catalogue_version = old->catalogue_version;
        config.policy_version = old->policy_version;
    }
    if (auto old = load_config(data_dir); !old.ok() || old->server_public_key != config.server_public_key) {
        // Another central (or the first): what an earlier one acknowledged says nothing about this one.
        if (std::filesystem::exists(journal::database_file(data_dir))) {
            auto db = TRY(journal::Reader::open(journal::database_file(data_dir)));
            TRY(journal::forget_kept_ack(db.db()));
        }
    }
    TRY(save_config(data_dir, config));
    log::info("sync", "enrolled as " + config.terminal_id + " at centre " + config.centre);
    return config;
}

} // namespace nafitha::sync
