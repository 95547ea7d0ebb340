#pragma once
// Reads an ingest batch (POST /v1/ingest: gzip of {"terminal_id": "T…", "entries": [Entry, …]}) while it
// inflates, with every limit enforced as the bytes go by: inflated size counted during inflation, JSON depth,
// element counts, string and number sizes checked by the bounded JsonReader, entries built one at a time
// (payloads capped at kMaxEntryPayloadBytes as they grow), and the parse stopped at the first entry past the
// cap. Nothing of the untrusted document is walked recursively; the only trees built are entry payloads,
// already bounded in depth, element count and size.

#include "base/result.h"
#include "sync/protocol/json_reader.h"
#include "sync/protocol/messages.h"

#include <memory>
#include <string_view>

namespace nafitha::protocol {

struct BatchLimits {
    size_t max_json_bytes = kMaxBatchJsonBytes;   // after gunzip
    size_t max_entries = kMaxBatchEntries;
    size_t max_depth = 12;                        // document nesting (envelope 3 levels, payload the rest)
    size_t max_elements = 400'000;                // values and keys in the whole document
    size_t max_string_bytes = 16 * 1024;          // any one key or string
    size_t max_payload_elements = 2048;           // values and keys in one entry's payload
    size_t max_memory_bytes = 24 * 1024 * 1024;   // estimated memory of the entries built
};

// Parses the JSON text of a batch as it is fed (used by read_ingest_batch; tests and the fuzzer feed it
// directly). Errors: error.sync.message_malformed (not JSON, too deep, wrong shape), error.sync.body_too_large
// (a size or count limit, more than max_entries entries), error.protocol.entry_malformed (one entry).
class BatchReader {
public:
    explicit BatchReader(BatchLimits limits = {});
    ~BatchReader();
    BatchReader(const BatchReader&) = delete;
    BatchReader& operator=(const BatchReader&) = delete;

    // False once the batch is refused (error() says why); true while it is still fine.
    bool feed(std::string_view json_bytes);
    // The input is complete: the batch, or why it is refused.
    Result<IngestRequest> finish();
    const Error& error() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// gunzip + BatchReader, streamed: at most 64 KiB of inflated text exists at any time.
// error.sync.body_malformed (not gzip, truncated, trailing bytes) and the BatchReader errors.
Result<IngestRequest> read_ingest_batch(std::string_view gzip_body, const BatchLimits& limits = {});

// The same for plain JSON text (tests, fuzzing).
Result<IngestRequest> read_ingest_json(std::string_view json, const BatchLimits& limits = {});

} // namespace nafitha::protocol
