#pragma once
// Monthly archives: every entry central received in one month, as the terminals signed them, in one gzip file
// that checks itself offline. The file (docs/OPERATIONS.md) is text lines:
//   NAFITHA-ARCHIVE 1
//   {"month":202611,"created":"…","store":"postgresql","server_public_key":"…"}
//   T <terminal id> <terminal public key, base64> <centre>        before each terminal's entries
//   E <seq> <signature, base64, or - for an entry a later signed one covers> <n>  then n bytes and a newline
//   R <terminal id> <first seq> <last seq> <first prev hash> <last hash> <count>   after them
//   END <entries> <sha256 hex of every byte before this line> <central's signature, base64>
// Central signs "NAFITHA-ARCHIVE-1\n<month>\n<entries>\n<sha256 hex>" with its Ed25519 key. `archive verify`
// needs nothing but the file: every entry's signature and chain within the month, the counts, the digest and
// central's signature (and, if given, that the signing key is the one expected).

#include "central/store/store.h"
#include "sync/protocol/crypto.h"

#include <filesystem>

namespace nafitha::central {

struct ArchiveInfo {
    int32_t month = 0;
    int64_t entries = 0;
    int64_t terminals = 0;
    std::string store_kind;
    std::string server_public_key; // base64
    std::string file_sha256;       // of the file as written (compressed)
    std::vector<ArchivedRange> ranges;
};

// Writes the month's entries to `file` (created; refused if it exists), then verifies what was written.
// A month that is not over yet (by `now_ms`) is refused: it could still grow.
Result<ArchiveInfo> export_month(Store& store, int32_t month, const protocol::KeyPair& central_key,
                                 const std::filesystem::path& file, int64_t now_ms);

// Checks the file offline. error.central.archive_invalid says what is wrong.
Result<ArchiveInfo> verify_archive(const std::filesystem::path& file);

// "2026-11" or "202611" -> 202611.
std::optional<int32_t> parse_month(std::string_view text);

} // namespace nafitha::central
