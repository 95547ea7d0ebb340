#pragma once
// DIR/sync.json, written by enrollment: {"server_url","terminal_id","centre","server_public_key",
// "catalogue_version","ca_file"(optional),"status_cursor","policy_version","clock_offset_ms"(optional)}. Absent =
// not enrolled. The server URL and central's key (pinned at enrollment) change only by enrolling again; the sync
// worker writes back the cursors, versions and the clock offset only.

#include "base/result.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace nafitha::sync {

struct SyncConfig {
    std::string server_url; // "http://host:port" or "https://host:port", no trailing slash
    std::string terminal_id;
    std::string centre;
    std::string server_public_key;
    int64_t catalogue_version = 0;
    std::string ca_file;
    int64_t status_cursor = 0; // the last central decision applied on this terminal
    int64_t policy_version = 0; // the last policy installed from central
    int64_t clock_offset_ms = 0; // central's clock minus clock::steady_wall_ms(), last measured (may be negative)
};

inline std::filesystem::path config_file(const std::filesystem::path& data_dir) { return data_dir / "sync.json"; }

// error.sync.not_enrolled when the file is missing; error.sync.config_invalid when it is not readable.
Result<SyncConfig> load_config(const std::filesystem::path& data_dir);
// The file's text (at most 64 KiB): error.sync.config_invalid unless it is a JSON object with a string
// "server_url" (http:// or https://) and "terminal_id", and the optional fields of the right types.
Result<SyncConfig> parse_config(std::string_view text);
// Atomic and durable.
Result<void> save_config(const std::filesystem::path& data_dir, const SyncConfig& config);

} // namespace nafitha::sync
