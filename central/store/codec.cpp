#define ZSTD_STATIC_LINKING_ONLY // ZSTD_c_format / ZSTD_d_format (magicless frames) are "experimental" parameters
#include "central/store/codec.h"

#include "sync/protocol/crypto.h"

#include <cstdlib>
#include <mutex>
#include <zstd.h>

// Generated from central/store/dictionary/entries-v1.zdict by CMake.
extern "C" const unsigned char nafitha_entries_v1_zdict[];
extern "C" const unsigned long nafitha_entries_v1_zdict_size;

namespace nafitha::central {

namespace {

constexpr int kLevel = 6;

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

std::string encode_signed_bytes(std::string_view signed_bytes)
{
    auto& ctx = contexts();
    std::string body(1 + ZSTD_compressBound(signed_bytes.size()), '\0');
    body[0] = kCodecZstdV1;
    size_t n = ZSTD_compress2(ctx.c, body.data() + 1, body.size() - 1, signed_bytes.data(), signed_bytes.size());
    if (ZSTD_isError(n) || n >= signed_bytes.size()) {
        std::string raw;
        raw.reserve(signed_bytes.size() + 1);
        raw.push_back(kCodecRaw);
        raw.append(signed_bytes);
        return raw;
    }
    body.resize(1 + n);
    return body;
}

Result<std::string> decode_signed_bytes(std::string_view body)
{
    if (body.empty())
        return Error::make("error.central.corrupt_entry", "empty stored entry");
    if (body[0] == kCodecRaw)
        return std::string(body.substr(1));
    if (body[0] != kCodecZstdV1)
        return Error::make("error.central.corrupt_entry", "unknown entry codec " + std::to_string(static_cast<int>(body[0])));
    auto& ctx = contexts();
    size_t n = ZSTD_decompressDCtx(ctx.d, ctx.out.data(), ctx.out.size(), body.data() + 1, body.size() - 1);
    if (ZSTD_isError(n))
        return Error::make("error.central.corrupt_entry", std::string("stored entry does not decompress: ") + ZSTD_getErrorName(n));
    if (n > kMaxSignedBytes)
        return Error::make("error.central.corrupt_entry", "stored entry too large");
    return std::string(ctx.out.data(), n);
}

Result<EncodedEntry> encode_entry(const protocol::Entry& e)
{
    auto bytes = protocol::signing_bytes(e);
    if (!bytes.ok())
        return Error::make("error.central.entry_invalid", "entry " + std::to_string(e.seq) + ": " + bytes.error().to_string());
    if (bytes->size() > kMaxSignedBytes)
        return Error::make("error.central.entry_invalid", "entry " + std::to_string(e.seq) + " is too large");
    if (protocol::sha256_hex(bytes.value()) != e.hash)
        return Error::make("error.central.entry_invalid", "entry " + std::to_string(e.seq) + ": hash does not match its content");
    auto sig = protocol::from_base64(e.signature);
    if (!sig.ok() || sig->size() != 64)
        return Error::make("error.central.entry_invalid", "entry " + std::to_string(e.seq) + ": malformed signature");
    return EncodedEntry{e.seq, encode_signed_bytes(bytes.value()), sig.release_value()};
}

} // namespace nafitha::central
