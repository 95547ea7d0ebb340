#pragma once
// How central keeps each entry's signed bytes: exactly the bytes the terminal signed (canonical JSON,
// protocol::signing_bytes), compressed on their own so that any one entry can be read back alone.
//
// A stored body is one codec byte followed by the data:
//   0  the signed bytes as they are
//   1  a zstd frame (magicless, no checksum, no dictionary id) made with the fixed dictionary entries-v1
//      (central/store/dictionary/entries-v1.zdict, SHA-256 kEntriesV1DictSha256). The dictionary is part of
//      the stored format: it never changes; a better one would be codec 2.

#include "base/result.h"
#include "sync/protocol/entry.h"

#include <string>
#include <string_view>

namespace nafitha::central {

inline constexpr char kCodecRaw = 0;
inline constexpr char kCodecZstdV1 = 1;
inline constexpr const char* kEntriesV1DictSha256 = "52f6261653572d90e9ab3d62eda0515a3f7888023dd07f30aee457bfa189faa3";
// Signed bytes above this are refused: a payload is at most 64 KiB and the rest of an entry is small.
inline constexpr size_t kMaxSignedBytes = 80 * 1024;

// The stored body for `signed_bytes` (codec 1, or codec 0 when compression does not help). Thread-safe.
std::string encode_signed_bytes(std::string_view signed_bytes);
// The signed bytes back. error.central.corrupt_entry when the body cannot be decoded.
Result<std::string> decode_signed_bytes(std::string_view body);

// An entry ready to store: its body and its raw signature.
struct EncodedEntry {
    int64_t seq = 0;
    std::string body;
    std::string signature; // 64 raw bytes
};
// Builds the signed bytes and checks that they hash to entry.hash (error.central.entry_invalid otherwise).
Result<EncodedEntry> encode_entry(const protocol::Entry& entry);

// The dictionary bytes (for archives and tests).
std::string_view entries_v1_dictionary();

} // namespace nafitha::central
