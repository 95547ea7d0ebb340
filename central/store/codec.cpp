#define ZSTD_STATIC_LINKING_ONLY // ZSTD_c_format / ZSTD_d_format (magicless frames) are "experimental" parameters
#include "central/store/codec.h"

#include "sync/protocol/crypto.h"

#include <cstdlib>
#include <future>
#include <optional>
#include <thread>
#include <mutex>
#include <zstd.h>

// Generated from central/store/dictionary/entries-v1.zdict by CMake.
extern "C" const unsigned char nafitha_entries_v1_zdict[];
extern "C" const unsigned long nafitha_entries_v1_zdict_size;

namespace nafitha::central {

namespace {

constexpr int kLevel = 3;

struct Dictionaries {
    ZSTD_CDict* cdict = nullptr;
    ZSTD_DDict* ddict = nullptr;
};

const Dictionaries& dictionaries()
{
    static Dictionaries d = [] {
        Dictionaries out;
        out.cdict = ZSTD_createCDict_byReference(nafitha_entries_v1_zdict, nafitha_entries_v1_zdict_size, kLevel);
        out.ddict = ZSTD_createDDict_byReference(nafitha_entries_v1_zdict, nafitha_entries_v1_zdict_size);
        if (!out.cdict || !out.ddict)
            std::abort(); // the dictionary is compiled in: this cannot fail short of running out of memory
        return out;
    }();
    return d;
}

// One compression and one decompression context per thread, parameters set once.
struct Contexts {
    ZSTD_CCtx* c = nullptr;
    ZSTD_DCtx* d = nullptr;
    std::string out; // decompression buffer
    Contexts()
    {
        const auto& dict = dictionaries();
        c = ZSTD_createCCtx();
        d = ZSTD_createDCtx();
        if (!c || !d)
            std::abort();
        ZSTD_CCtx_setParameter(c, ZSTD_c_format, ZSTD_f_zstd1_magicless);
        ZSTD_CCtx_setParameter(c, ZSTD_c_dictIDFlag, 0);
        ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0);
        ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1);
        ZSTD_CCtx_refCDict(c, dict.cdict);
        ZSTD_DCtx_setParameter(d, ZSTD_d_format, ZSTD_f_zstd1_magicless);
        ZSTD_DCtx_refDDict(d, dict.ddict);
        out.resize(kMaxSignedBytes + 1);
    }
    ~Contexts()
    {
        ZSTD_freeCCtx(c);
        ZSTD_freeDCtx(d);
    }
    Contexts(const Contexts&) = delete;
    Contexts& operator=(const Contexts&) = delete;
};

Contexts& contexts()
{
    thread_local Contexts ctx;
    return ctx;
}

} // namespace

std::string_view entries_v1_dictionary()
{
    return {reinterpret_cast<const char*>(nafitha_entries_v1_zdict), nafitha_entries_v1_zdict_size};
}

namespace {

std::string compress(std::string_view data, char codec)
{
    auto& ctx = contexts();
    std::string body(1 + ZSTD_compressBound(data.size()), '\0');
    body[0] = codec;
    size_t n = ZSTD_compress2(ctx.c, body.data() + 1, body.size() - 1, data.data(), data.size());
    if (ZSTD_isError(n))
        return {};
    body.resize(1 + n);
    return body;
}

std::string prev_field(std::string_view prev) { return std::string(",\"prev\":\"").append(prev).append("\",\"seq\":"); }
std::string terminal_field(std::string_view terminal) { return std::string(",\"terminal\":\"").append(terminal).append("\",\"time\":"); }

} // namespace

std::string encode_signed_bytes(std::string_view signed_bytes)
{
    std::string body = compress(signed_bytes, kCodecZstdV1);
    if (body.empty() || body.size() > signed_bytes.size()) {
        std::string raw;
        raw.reserve(signed_bytes.size() + 1);
        raw.push_back(kCodecRaw);
        raw.append(signed_bytes);
        return raw;
    }
    return body;
}

std::string encode_chained(std::string_view signed_bytes, std::string_view prev_hash, std::string_view terminal_id)
{
    // The top-level fields come after the payload, in key order (id, payload, prev, seq, terminal, time, type);
    // no string after them can hold an unescaped quote, so the last match is the top-level one.
    std::string prev = prev_field(prev_hash), terminal = terminal_field(terminal_id);
    auto p = signed_bytes.rfind(prev);
    auto t = signed_bytes.rfind(terminal);
    if (prev_hash.empty() || terminal_id.empty() || p == std::string_view::npos || t == std::string_view::npos || t < p)
        return encode_signed_bytes(signed_bytes);
    std::string elided;
    elided.reserve(signed_bytes.size());
    elided.append(signed_bytes.substr(0, p)).append(prev_field(""));
    elided.append(signed_bytes.substr(p + prev.size(), t - p - prev.size())).append(terminal_field(""));
    elided.append(signed_bytes.substr(t + terminal.size()));
    std::string body = compress(elided, kCodecZstdV1Chained);
    if (body.empty())
        return encode_signed_bytes(signed_bytes);
    return body;
}

Result<std::string> decode_signed_bytes(std::string_view body, std::string_view prev_hash, std::string_view terminal_id)
{
    if (body.empty())
        return Error::make("error.central.corrupt_entry", "empty stored entry");
    if (body[0] == kCodecRaw)
        return std::string(body.substr(1));
    if (body[0] != kCodecZstdV1 && body[0] != kCodecZstdV1Chained)
        return Error::make("error.central.corrupt_entry", "unknown entry codec " + std::to_string(static_cast<int>(body[0])));
    auto& ctx = contexts();
    size_t n = ZSTD_decompressDCtx(ctx.d, ctx.out.data(), ctx.out.size(), body.data() + 1, body.size() - 1);
    if (ZSTD_isError(n))
        return Error::make("error.central.corrupt_entry", std::string("stored entry does not decompress: ") + ZSTD_getErrorName(n));
    if (n > kMaxSignedBytes)
        return Error::make("error.central.corrupt_entry", "stored entry too large");
    std::string out(ctx.out.data(), n);
    if (body[0] == kCodecZstdV1)
        return out;
    if (prev_hash.empty() || terminal_id.empty())
        return Error::make("error.central.corrupt_entry", "a chained entry needs the hash before it");
    std::string prev = prev_field(""), terminal = terminal_field("");
    auto p = out.rfind(prev);
    auto t = out.rfind(terminal);
    if (p == std::string::npos || t == std::string::npos || t < p)
        return Error::make("error.central.corrupt_entry", "a chained entry lacks its prev or terminal field");
    out.insert(t + terminal.size() - std::string_view("\",\"time\":").size(), terminal_id);
    out.insert(p + prev.size() - std::string_view("\",\"seq\":").size(), prev_hash);
    return out;
}

Result<EncodedEntry> encode_entry(const protocol::Entry& e, EntryCodec codec)
{
    auto bytes = protocol::signing_bytes(e);
    if (!bytes.ok())
        return Error::make("error.central.entry_invalid", "entry " + std::to_string(e.seq) + ": " + bytes.error().to_string());
    if (bytes->size() > kMaxSignedBytes)
        return Error::make("error.central.entry_invalid", "entry " + std::to_string(e.seq) + " is too large");
    if (protocol::sha256_hex(bytes.value()) != e.hash)
        return Error::make("error.central.entry_invalid", "entry " + std::to_string(e.seq) + ": hash does not match its content");
    // An entry may come unsigned when a later entry of the same terminal transaction is signed (the hash chain
    // covers it); it is stored with an empty signature.
    std::string raw_signature;
    if (!e.signature.empty()) {
        auto sig = protocol::from_base64(e.signature);
        if (!sig.ok() || sig->size() != 64)
            return Error::make("error.central.entry_invalid", "entry " + std::to_string(e.seq) + ": malformed signature");
        raw_signature = sig.release_value();
    }
    return EncodedEntry{e.seq,
                        codec == EntryCodec::Chained ? encode_chained(bytes.value(), e.prev_hash, e.terminal_id)
                                                     : encode_signed_bytes(bytes.value()),
                        std::move(raw_signature), protocol::merkle_leaf_hash(bytes.value())};
}

Result<std::vector<EncodedEntry>> encode_entries(const std::vector<protocol::Entry>& entries, EntryCodec codec, int64_t* bad_seq)
{
    std::vector<EncodedEntry> out(entries.size());
    auto range = [&](size_t from, size_t to) -> Result<void> {
        for (size_t i = from; i < to; ++i)
            out[i] = TRY(encode_entry(entries[i], codec));
        return {};
    };
    size_t n = entries.size();
    unsigned workers = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
    if (n < 64 || workers == 1) {
        if (auto r = range(0, n); !r.ok()) {
            if (bad_seq)
                for (const auto& e : entries)
                    if (!encode_entry(e, codec).ok()) {
                        *bad_seq = e.seq;
                        break;
                    }
            return r.error();
        }
        return out;
    }
    size_t chunk = (n + workers - 1) / workers;
    std::vector<std::future<Result<void>>> parts;
    for (size_t from = chunk; from < n; from += chunk)
        parts.push_back(std::async(std::launch::async, range, from, std::min(n, from + chunk)));
    auto first = range(0, std::min(n, chunk));
    std::optional<Error> failed;
    if (!first.ok())
        failed = first.error();
    for (auto& p : parts) {
        auto r = p.get();
        if (!r.ok() && !failed)
            failed = r.error();
    }
    if (failed) {
        if (bad_seq) // the first entry that fails (only on this path: it is not worth tracking while all goes well)
            for (const auto& e : entries)
                if (!encode_entry(e, codec).ok()) {
                    *bad_seq = e.seq;
                    break;
                }
        return *failed;
    }
    return out;
}

} // namespace nafitha::central
