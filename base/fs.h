#pragma once
// Files: bounded reads, durable atomic writes (write, fsync, rename, fsync the folder), durable create-once.
// The one home of the project's file helpers; every write passes crash_point() (base/crash_point.h) before
// and after it becomes visible.

#include "base/result.h"

#include <filesystem>
#include <string>
#include <string_view>

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

// fsync a folder so that a rename or a new file in it survives power loss.
Result<void> fsync_dir(const std::filesystem::path& path);

} // namespace nafitha::fs
