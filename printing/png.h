#pragma once
// PNG previews of what the printer prints (the same dots), written with stb_image_write (libstb).

#include "printing/bitmap.h"

#include <filesystem>
#include <string>

namespace nafitha::printing {

// 8-bit grayscale PNG: black dots are 0, paper is 255.
Result<std::string> encode_png(const Bitmap& bitmap);
Result<void> write_png(const Bitmap& bitmap, const std::filesystem::path& path);
// Reads a PNG back (any colour type) into dots: luminance < 128 is black. error.printing.bad_png.
Result<Bitmap> read_png(const std::filesystem::path& path);

} // namespace nafitha::printing
