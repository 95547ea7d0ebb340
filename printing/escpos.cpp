#include "printing/escpos.h"

#include <algorithm>

namespace nafitha::printing {

Result<std::string> encode_escpos(const Bitmap& bitmap, const EscPosOptions& options)
{
    if (bitmap.width % 8 != 0 || bitmap.width <= 0 || bitmap.width > kMaxBitmapWidth)
        return Error::make("error.printing.bad_width", std::to_string(bitmap.width) + " dots");
    if (options.band_rows < 1 || options.band_rows > 4096 || options.feed_lines < 0 || options.feed_lines > 255)
        return Error::make("error.printing.bad_options", "band rows or feed lines out of range");
    const int stride = bitmap.stride();
    std::string out;
    out.reserve(bitmap.bits.size() + size_t(bitmap.height / options.band_rows + 1) * 8 + 16);
    out += "\x1b\x40";
    for (int y = 0; y < bitmap.height; y += options.band_rows) {
        int rows = std::min(options.band_rows, bitmap.height - y);
        const char header[] = {'\x1d', 'v', '0', '\0', char(stride & 0xFF), char(stride >> 8), char(rows & 0xFF),
                               char(rows >> 8)};
        out.append(header, sizeof header);
        out.append(reinterpret_cast<const char*>(bitmap.bits.data()) + size_t(y) * size_t(stride),
                   size_t(rows) * size_t(stride));
    }
    if (options.feed_lines > 0) {
        out += "\x1b\x64";
        out.push_back(char(options.feed_lines));
    }
    switch (options.cut) {
    case Cut::Full: out.append("\x1d\x56\x41\x00", 4); break;
    case Cut::Partial: out.append("\x1d\x56\x42\x00", 4); break;
    case Cut::None: break;
    }
    if (options.drawer == Drawer::Kick)
        out.append("\x1b\x70\x00\x19\xfa", 5);
    return out;
}

} // namespace nafitha::printing
