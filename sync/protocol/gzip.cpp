#include "sync/protocol/gzip.h"

#include <zlib.h>

namespace nafitha::protocol {

namespace {

// Owns one z_stream for deflate or inflate.
class ZStream {
public:
    enum class Mode { Deflate, Inflate };
    explicit ZStream(Mode mode, int level = 6) : m_mode(mode)
    {
        m_stream = {};
        // 15 + 16 selects the gzip wrapper.
        if (mode == Mode::Deflate)
            m_ok = deflateInit2(&m_stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
        else
            m_ok = inflateInit2(&m_stream, 15 + 16) == Z_OK;
    }
    ~ZStream()
    {
        if (!m_ok)
            return;
        if (m_mode == Mode::Deflate)
            deflateEnd(&m_stream);
        else
            inflateEnd(&m_stream);
    }
    ZStream(const ZStream&) = delete;
    ZStream& operator=(const ZStream&) = delete;
    bool ok() const { return m_ok; }
    z_stream* get() { return &m_stream; }

private:
    z_stream m_stream;
    Mode m_mode;
    bool m_ok = false;
};

} // namespace

std::string gzip_compress(std::string_view data, int level)
{
    ZStream z(ZStream::Mode::Deflate, level);
    if (!z.ok())
        return {};
    std::string out;
    out.resize(deflateBound(z.get(), static_cast<uLong>(data.size())) + 32);
    z.get()->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.get()->avail_in = static_cast<uInt>(data.size());
    z.get()->next_out = reinterpret_cast<Bytef*>(out.data());
    z.get()->avail_out = static_cast<uInt>(out.size());
    int rc = deflate(z.get(), Z_FINISH);
    if (rc != Z_STREAM_END)
        return {};
    out.resize(z.get()->total_out);
    return out;
}

Result<std::string> gzip_decompress(std::string_view data, size_t max_output_bytes)
{
    ZStream z(ZStream::Mode::Inflate);
    if (!z.ok())
        return Error::make("error.sync.body_malformed", "inflateInit failed");
    std::string out;
    char buffer[64 * 1024];
    z.get()->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.get()->avail_in = static_cast<uInt>(data.size());
    for (;;) {
        z.get()->next_out = reinterpret_cast<Bytef*>(buffer);
        z.get()->avail_out = sizeof buffer;
        int rc = inflate(z.get(), Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            return Error::make("error.sync.body_malformed", "body is not valid gzip");
        size_t produced = sizeof buffer - z.get()->avail_out;
        if (out.size() + produced > max_output_bytes)
            return Error::make("error.sync.body_too_large", "decompressed body exceeds " + std::to_string(max_output_bytes) + " bytes");
        out.append(buffer, produced);
        if (rc == Z_STREAM_END)
            break;
        if (z.get()->avail_in == 0 && produced == 0)
            return Error::make("error.sync.body_malformed", "gzip body is truncated");
    }
    if (z.get()->avail_in != 0)
        return Error::make("error.sync.body_malformed", "trailing bytes after gzip body");
    return out;
}

} // namespace nafitha::protocol
