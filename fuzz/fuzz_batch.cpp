// libFuzzer target over what central parses from a request before it trusts anything: the signed-request
// headers, the enroll body, the ingest batch (JSON fed in pieces, and gzip), and the bounded JSON reader
// checked against nlohmann::json. The first input byte picks the part; the rest is the input.
// Invariants checked (a violation aborts, which libFuzzer reports as a crash):
//   - the batch reader gives the same outcome whatever the pieces the bytes arrive in;
//   - an accepted batch respects every limit (entries, payload size);
//   - whatever the bounded reader accepts, nlohmann accepts with the same value; what nlohmann refuses, the
//     bounded reader refuses too;
//   - header parsing accepts only well-formed values.
// Build and run with `installer/dev fuzz batch` once that lands (issue 10); by hand meanwhile:
//   clang++-14 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
//     -DNAFITHA_VERSION='"0"' -DNAFITHA_SOURCE_ASSETS_DIR='"assets"' -I. fuzz/fuzz_batch.cpp
//     sync/protocol/*.cpp base/*.cpp -lsodium -lz -lpthread -o /tmp/fuzz_batch     (one command line)
//   /tmp/fuzz_batch -max_total_time=300 -max_len=65536 WORKDIR fuzz/corpus/batch fuzz/regressions/batch
// A crash input goes into fuzz/regressions/batch/; the normal suite (tests/protocol/test_fuzz_batch.cpp)
// replays fuzz/corpus/batch/ and fuzz/regressions/batch/ through this same function.

#include "sync/protocol/batch_reader.h"
#include "sync/protocol/json_reader.h"
#include "sync/protocol/messages.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace nafitha::protocol;

namespace {

void check(bool ok)
{
    if (!ok)
        std::abort();
}

// Small limits so that the fuzzer reaches them.
BatchLimits small_limits()
{
    BatchLimits l;
    l.max_json_bytes = 1 << 20;
    l.max_entries = 8;
    l.max_depth = 8;
    l.max_elements = 4096;
    l.max_string_bytes = 512;
    l.max_payload_elements = 256;
    l.max_memory_bytes = 1 << 20;
    return l;
}

std::string outcome(const nafitha::Result<IngestRequest>& r)
{
    if (!r.ok())
        return "error " + r.error().code;
    std::string s = "ok " + r->terminal_id + " " + std::to_string(r->entries.size());
    for (const auto& e : r->entries)
        s += " " + std::to_string(e.seq) + ":" + e.hash + ":" + e.payload.dump();
    return s;
}

void fuzz_batch_json(std::string_view in)
{
    auto limits = small_limits();
    auto whole = read_ingest_json(in, limits);
    // The same bytes in pieces whose sizes come from the input itself.
    BatchReader reader(limits);
    size_t at = 0, step = 1;
    while (at < in.size()) {
        step = 1 + (static_cast<unsigned char>(in[at]) * 7 + step) % 61;
        size_t n = std::min(step, in.size() - at);
        if (!reader.feed(in.substr(at, n)))
            break;
        at += n;
    }
    auto pieces = reader.finish();
    check(outcome(whole) == outcome(pieces));
    if (whole.ok()) {
        check(!whole->entries.empty());
        check(whole->entries.size() <= limits.max_entries);
        for (const auto& e : whole->entries) {
            check(e.seq >= 1);
            check(e.payload.is_object());
            check(e.payload.dump().size() <= kMaxEntryPayloadBytes);
        }
    }
}

void fuzz_batch_gzip(std::string_view in)
{
    auto r = read_ingest_batch(in, small_limits());
    if (r.ok())
        check(r->entries.size() <= small_limits().max_entries);
}

void fuzz_json_differential(std::string_view in)
{
    JsonLimits limits;
    limits.max_depth = 64;
    limits.max_elements = 100'000;
    limits.max_string_bytes = 1 << 20;
    limits.max_number_chars = 40;
    auto ours = parse_json_bounded(in, limits);
    auto theirs = nlohmann::json::parse(in.begin(), in.end(), nullptr, false);
    if (ours.ok()) {
        check(!theirs.is_discarded());
        check(ours.value() == theirs);
        return;
    }
    // Refused by us: nlohmann must refuse too, unless we refused on a limit of ours, or the input holds a NUL
    // byte (nlohmann stops reading at a NUL outside a string and accepts what came before: "3\0x" is 3 to it;
    // RFC 8259 and we refuse that).
    if (in.find('\0') != std::string_view::npos)
        return;
    const auto& why = ours.error().detail;
    bool our_limit = ours.error().code == "error.sync.body_too_large" || why.find("nesting deeper") != std::string::npos
        || why.find("number longer") != std::string::npos || why.find("out of range") != std::string::npos;
    if (!our_limit)
        check(theirs.is_discarded());
}

void fuzz_request(std::string_view in)
{
    // Four header values and a body, separated by '\n'.
    std::string_view parts[5];
    for (int i = 0; i < 4; ++i) {
        auto nl = in.find('\n');
        parts[i] = in.substr(0, nl);
        in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    }
    parts[4] = in;
    if (auto auth = parse_request_auth(parts[0], parts[1], parts[2], parts[3])) {
        check(auth->terminal_id.size() == 13 && auth->terminal_id[0] == 'T');
        check(auth->nonce.size() >= 16 && auth->nonce.size() <= 64);
        check(!auth->signature.empty() && auth->signature.size() <= 128);
        check(auth->time_ms >= 0);
        (void)request_signing_string("GET", "/v1/status?after=1", parts[4], auth->time_ms, auth->nonce, auth->terminal_id);
    }
    JsonLimits small;
    small.max_depth = 4;
    small.max_elements = 64;
    small.max_string_bytes = 1024;
    small.max_input_bytes = kMaxSmallBodyBytes;
    if (auto json = parse_json_bounded(parts[4], small); json.ok())
        (void)enroll_request_from_json(json.value());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
    case 0: fuzz_batch_json(in); break;
    case 1: fuzz_batch_gzip(in); break;
    case 2: fuzz_json_differential(in); break;
    default: fuzz_request(in); break;
    }
    return 0;
}
