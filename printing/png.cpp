#include "printing/png.h"

#include "base/fs.h"

#include <stb_image.h>
#include <stb_image_write.h>

namespace nafitha::printing {

namespace {

void append_to_string(void* context, void* data, int size)
{
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
}

struct StbPixels {
    unsigned char* p = nullptr;
    ~StbPixels() { stbi_image_free(p); }
};

} // namespace

Result<std::string> encode_png(const Bitmap& bitmap)
{
    if (bitmap.width <= 0 || bitmap.height <= 0)
        return Error::make("error.printing.empty_image", "nothing to encode");
    std::vector<uint8_t> gray(size_t(bitmap.width) * size_t(bitmap.height));
    for (int y = 0; y < bitmap.height; ++y)
        for (int x = 0; x < bitmap.width; ++x)
            gray[size_t(y) * size_t(bitmap.width) + size_t(x)] = bitmap.black(x, y) ? 0 : 255;
    std::string out;
    if (!stbi_write_png_to_func(append_to_string, &out, bitmap.width, bitmap.height, 1, gray.data(), bitmap.width))
        return Error::make("error.printing.png_failed", "stb could not encode the PNG");
    return out;
}

Result<void> write_png(const Bitmap& bitmap, const std::filesystem::path& path)
{
    auto bytes = TRY(encode_png(bitmap));
    return fs::write_file_atomic(path, bytes);
}

Result<Bitmap> read_png(const std::filesystem::path& path)
{
    auto bytes = TRY(fs::read_file(path, 32u << 20));
    int w = 0, h = 0, channels = 0;
    StbPixels px;
    px.p = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), int(bytes.size()), &w, &h, &channels, 1);
    if (!px.p)
        return Error::make("error.printing.bad_png", path.string() + ": " + stbi_failure_reason());
    auto b = TRY(Bitmap::make(w, h));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            if (px.p[size_t(y) * size_t(w) + size_t(x)] < 128)
                b.set(x, y);
    return b;
}

} // namespace nafitha::printing
