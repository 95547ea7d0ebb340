// PNG reading and writing through libstb (the library already holds the implementations).

#include "text/png.h"

#include <stb_image.h>
#include <stb_image_write.h>

namespace nafitha::text {

Result<void> write_gray_png(const std::string& path, const GrayImage& image)
{
    if (image.width <= 0 || image.height <= 0 || image.pixels.size() != size_t(image.width) * size_t(image.height))
        return Error::make("error.text.png_write_failed", "empty or inconsistent image for " + path);
    if (!stbi_write_png(path.c_str(), image.width, image.height, 1, image.pixels.data(), image.width))
        return Error::make("error.text.png_write_failed", "cannot write " + path);
    return {};
}

Result<GrayImage> read_gray_png(const std::string& path)
{
    int w = 0, h = 0, n = 0;
    unsigned char* data = stbi_load(path.c_str(), &w, &h, &n, 1);
    if (!data)
        return Error::make("error.text.png_read_failed", "cannot read " + path);
    GrayImage image;
    image.width = w;
    image.height = h;
    image.pixels.assign(data, data + size_t(w) * size_t(h));
    stbi_image_free(data);
    return image;
}

} // namespace nafitha::text
