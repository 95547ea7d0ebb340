#pragma once
// Files: bounded reads, durable atomic writes (write, fsync, rename, fsync the folder), durable create-once.
// The one home of the project's file helpers; every write passes crash_point() (base/crash_point.h) before
// and after it becomes visible.

#include "base/result.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::fs {

// Reads a whole file; error.fs.too_large past `max_bytes`, error.fs.read_failed when it cannot be read.
Result<std::string> read_file(const std::filesystem::path& path, size_t max_bytes);

// Writes `data` to `path` atomically and durably, with permission bits `mode` (0600 for secrets).
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data, unsigned mode = 0644);

// Creates `path` with `data` durably (write, fsync, link, fsync the folder) only if it does not exist yet:
// when two processes start on a fresh folder, the first writer wins and the other reads its file. Returns
// false when the file already existed (nothing written).
Result<bool> create_file_once(const std::filesystem::path& path, std::string_view data, unsigned mode);

// Creates the folder (and parents) with `mode` when missing.
Result<void> ensure_dir(const std::filesystem::path& path, unsigned mode = 0755);

// The data folder and its secrets, checked at every start (terminal and central): the folder and its subfolders
// must belong to this user with mode 0700, the files directly in it with at most 0600. Wider modes are narrowed and
// each change is returned as a warning line (for the log) naming the path and both modes. Refused, with nothing
// changed: a data folder that is a symbolic link, not a folder, or another user's
// (error.fs.unsafe_data_dir, the path in the detail); a key file (`*.key`) that is a symbolic link, not a regular file, or another
// user's (error.fs.unsafe_key_file); any other file there owned by another user (error.fs.unsafe_data_dir).
// Root may use another user's folder (it reads everything anyway); its modes are still narrowed.
Result<std::vector<std::string>> secure_data_dir(const std::filesystem::path& dir);
// The same for one key file outside a data folder (central's --key): narrowed to 0600, refused when it is a
// symbolic link, not a regular file, or another user's. A missing file passes (it is made with 0600).
Result<std::vector<std::string>> secure_key_file(const std::filesystem::path& path);

// fsync a folder so that a rename or a new file in it survives power loss.
Result<void> fsync_dir(const std::filesystem::path& path);

} // namespace nafitha::fs
