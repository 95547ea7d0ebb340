#pragma once
// Images for printing: an 8-bit grayscale canvas (0 = paper, 255 = full ink) that text and images are drawn
// into, and the 1-bit bitmap a thermal printer prints (threshold for text, Floyd-Steinberg for photos).

#include "base/result.h"

#include <cstdint>
#include <vector>

namespace nafitha::printing {

inline constexpr int kMaxBitmapWidth = 2048;
inline constexpr int kMaxBitmapHeight = 20000;   // about 2.5 m of 203 dpi paper

// Ink coverage, row-major, one byte a pixel.
struct GrayImage {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;

    static Result<GrayImage> make(int width, int height);
    uint8_t& at(int x, int y) { return pixels[size_t(y) * size_t(width) + size_t(x)]; }
    uint8_t at(int x, int y) const { return pixels[size_t(y) * size_t(width) + size_t(x)]; }
    void fill_rect(int x, int y, int w, int h, uint8_t ink);
};

// Packed rows, most significant bit first, 1 = black dot (the ESC/POS raster layout).
struct Bitmap {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> bits;

    static Result<Bitmap> make(int width, int height);
    int stride() const { return (width + 7) / 8; }
    bool black(int x, int y) const { return (bits[size_t(y) * stride() + size_t(x / 8)] >> (7 - x % 8)) & 1; }
    void set(int x, int y)
    {
        bits[size_t(y) * stride() + size_t(x / 8)] |= uint8_t(0x80 >> (x % 8));
    }
    size_t black_count() const;
};

enum class Tone { Threshold, Dither };

// Converts a canvas to dots: Threshold (ink >= 128 is black) for text and lines, Dither for photos.
Bitmap to_bitmap(const GrayImage& image, Tone tone);
// Draws `source` into `canvas` at (x, y) (clipped); Dither is applied to photos before they are placed so
// that a later threshold keeps their dots.
void blit(GrayImage& canvas, const GrayImage& source, int x, int y);
GrayImage dither_to_gray(const GrayImage& photo);

// Scales a grayscale image (nearest neighbour when enlarging, box filter when shrinking).
GrayImage scale(const GrayImage& image, int width, int height);

} // namespace nafitha::printing
