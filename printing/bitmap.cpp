#include "printing/bitmap.h"

#include <algorithm>

namespace nafitha::printing {

Result<GrayImage> GrayImage::make(int width, int height)
{
    if (width <= 0 || height <= 0 || width > kMaxBitmapWidth || height > kMaxBitmapHeight)
        return Error::make("error.printing.image_too_large",
                           std::to_string(width) + "x" + std::to_string(height) + " pixels");
    GrayImage g;
    g.width = width;
    g.height = height;
    g.pixels.assign(size_t(width) * size_t(height), 0);
    return g;
}

void GrayImage::fill_rect(int x, int y, int w, int h, uint8_t ink)
{
    int x0 = std::max(0, x), y0 = std::max(0, y);
    int x1 = std::min(width, x + w), y1 = std::min(height, y + h);
    for (int yy = y0; yy < y1; ++yy)
        std::fill(pixels.begin() + size_t(yy) * size_t(width) + size_t(x0),
                  pixels.begin() + size_t(yy) * size_t(width) + size_t(std::max(x0, x1)), ink);
}

Result<Bitmap> Bitmap::make(int width, int height)
{
    if (width <= 0 || height <= 0 || width > kMaxBitmapWidth || height > kMaxBitmapHeight)
        return Error::make("error.printing.image_too_large",
                           std::to_string(width) + "x" + std::to_string(height) + " dots");
    Bitmap b;
    b.width = width;
    b.height = height;
    b.bits.assign(size_t(b.stride()) * size_t(height), 0);
    return b;
}

size_t Bitmap::black_count() const
{
    size_t n = 0;
    for (uint8_t byte : bits)
        n += size_t(__builtin_popcount(byte));
    return n;
}

GrayImage dither_to_gray(const GrayImage& photo)
{
    // Floyd-Steinberg error diffusion with integer arithmetic; the result is 0 or 255 per pixel.
    GrayImage out = photo;
    std::vector<int> cur(size_t(photo.width) + 2, 0), next(size_t(photo.width) + 2, 0);
    for (int y = 0; y < photo.height; ++y) {
        std::fill(next.begin(), next.end(), 0);
        for (int x = 0; x < photo.width; ++x) {
            int v = int(photo.at(x, y)) + cur[size_t(x) + 1] / 16;
            int q = v >= 128 ? 255 : 0;
            int err = v - q;
            out.at(x, y) = uint8_t(q);
            cur[size_t(x) + 2] += err * 7;
            next[size_t(x)] += err * 3;
            next[size_t(x) + 1] += err * 5;
            next[size_t(x) + 2] += err * 1;
        }
        std::swap(cur, next);
    }
    return out;
}

Bitmap to_bitmap(const GrayImage& image, Tone tone)
{
    const GrayImage* src = &image;
    GrayImage dithered;
    if (tone == Tone::Dither) {
        dithered = dither_to_gray(image);
        src = &dithered;
    }
    Bitmap b;
    b.width = image.width;
    b.height = image.height;
    b.bits.assign(size_t(b.stride()) * size_t(b.height), 0);
    for (int y = 0; y < b.height; ++y) {
        const uint8_t* row = src->pixels.data() + size_t(y) * size_t(src->width);
        uint8_t* out = b.bits.data() + size_t(y) * size_t(b.stride());
        for (int x = 0; x < b.width; ++x)
            if (row[x] >= 128)
                out[x / 8] |= uint8_t(0x80 >> (x % 8));
    }
    return b;
}

void blit(GrayImage& canvas, const GrayImage& source, int x, int y)
{
    for (int sy = 0; sy < source.height; ++sy) {
        int cy = y + sy;
        if (cy < 0 || cy >= canvas.height)
            continue;
        for (int sx = 0; sx < source.width; ++sx) {
            int cx = x + sx;
            if (cx < 0 || cx >= canvas.width)
                continue;
            canvas.at(cx, cy) = std::max(canvas.at(cx, cy), source.at(sx, sy));
        }
    }
}

GrayImage scale(const GrayImage& image, int width, int height)
{
    GrayImage out;
    out.width = width;
    out.height = height;
    out.pixels.assign(size_t(width) * size_t(height), 0);
    for (int y = 0; y < height; ++y) {
        int sy0 = int(int64_t(y) * image.height / height);
        int sy1 = std::max(sy0 + 1, int(int64_t(y + 1) * image.height / height));
        for (int x = 0; x < width; ++x) {
            int sx0 = int(int64_t(x) * image.width / width);
            int sx1 = std::max(sx0 + 1, int(int64_t(x + 1) * image.width / width));
            int sum = 0, n = 0;
            for (int sy = sy0; sy < sy1 && sy < image.height; ++sy)
                for (int sx = sx0; sx < sx1 && sx < image.width; ++sx) {
                    sum += image.at(sx, sy);
                    ++n;
                }
            out.at(x, y) = uint8_t(n ? sum / n : 0);
        }
    }
    return out;
}

} // namespace nafitha::printing
