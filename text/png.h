#pragma once
// 8-bit grayscale PNG files (through libstb), for render-text, golden tests and the printer's previews.

#include "base/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nafitha::text {

struct GrayImage {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;  // width * height, row-major.
};

// Writes `image` as an 8-bit grayscale PNG. Error code error.text.png_write_failed.
Result<void> write_gray_png(const std::string& path, const GrayImage& image);
// Reads a PNG as 8-bit grayscale. Error code error.text.png_read_failed.
Result<GrayImage> read_gray_png(const std::string& path);

} // namespace nafitha::text
