#pragma once
// How central keeps each entry's signed bytes: the exact bytes the terminal signed (canonical JSON,
// protocol::signing_bytes), compressed, rebuilt byte for byte when read (verify, archives, fork checks).
//
// A stored body is one codec byte followed by the data:
//   0  the signed bytes as they are
//   1  a zstd frame (magicless, no checksum, no dictionary id) made with the fixed dictionary entries-v1
//      (central/store/dictionary/entries-v1.zdict, SHA-256 kEntriesV1DictSha256)
//   2  like 1, over the signed bytes with two values left out: the top-level "prev" (the hash of the entry
//      before, which the store knows from the chain: 64 hex digits that no dictionary can compress) and
//      "terminal" (the row's terminal). Reading it back needs both; the store keeps, for each batch, the prev
//      of its first entry, so that any entry can be rebuilt from the start of its batch.
// The dictionary and the codecs are part of the stored format: they never change; a better one is a new codec.

#include "base/result.h"
#include "sync/protocol/entry.h"
#include "sync/protocol/merkle.h"

#include <string>
#include <string_view>

namespace nafitha::central {

inline constexpr char kCodecRaw = 0;
inline constexpr char kCodecZstdV1 = 1;
inline constexpr char kCodecZstdV1Chained = 2;
inline constexpr const char* kEntriesV1DictSha256 = "52f6261653572d90e9ab3d62eda0515a3f7888023dd07f30aee457bfa189faa3";
// Signed bytes above this are refused: a payload is at most 64 KiB and the rest of an entry is small.
inline constexpr size_t kMaxSignedBytes = 80 * 1024;

// Codec 1 (or 0 when compression does not help). Thread-safe.
std::string encode_signed_bytes(std::string_view signed_bytes);
// Codec 2 when the signed bytes hold exactly this prev and terminal at the top level, else as above.
std::string encode_chained(std::string_view signed_bytes, std::string_view prev_hash, std::string_view terminal_id);
// The signed bytes back. `prev_hash` and `terminal_id` are used by codec 2 only. error.central.corrupt_entry when
// the body cannot be decoded.
Result<std::string> decode_signed_bytes(std::string_view body, std::string_view prev_hash = {}, std::string_view terminal_id = {});
// True when decoding the body needs the hash of the entry before it.
inline bool needs_prev(std::string_view body) { return !body.empty() && body[0] == kCodecZstdV1Chained; }

// An entry ready to store: its body and its raw signature.
struct EncodedEntry {
    int64_t seq = 0;
    std::string body;
    std::string signature; // 64 raw bytes
    protocol::MerkleHash leaf{}; // the transparency log's leaf hash: RFC 9162 leaf hash of the signed bytes
};
enum class EntryCodec { Whole, Chained }; // codec 1 or codec 2
// Builds the signed bytes and checks that they hash to entry.hash (error.central.entry_invalid otherwise).
Result<EncodedEntry> encode_entry(const protocol::Entry& entry, EntryCodec codec = EntryCodec::Chained);
// The same for a batch, on several threads when it is large (the store's transaction does not wait for it).
// `bad_seq`, when given, gets the seq of the first entry that fails.
Result<std::vector<EncodedEntry>> encode_entries(const std::vector<protocol::Entry>& entries, EntryCodec codec,
                                                 int64_t* bad_seq = nullptr);

// The dictionary bytes (for archives and tests).
std::string_view entries_v1_dictionary();

} // namespace nafitha::central
