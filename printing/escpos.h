#pragma once
// ESC/POS encoding of a 1-bit bitmap: ESC @ (initialise), the image as GS v 0 raster bands, ESC d (feed),
// GS V (cut) and optionally ESC p (open the cash drawer). Thermal printers cannot shape Arabic, so every
// document goes as raster.

#include "printing/bitmap.h"

#include <string>

namespace nafitha::printing {

enum class Cut { Full, Partial, None };
enum class Drawer { Keep, Kick };

struct EscPosOptions {
    int band_rows = 128;     // rows per GS v 0 command (printers buffer one band at a time)
    int feed_lines = 4;      // blank lines after the image so the cut clears the last line
    Cut cut = Cut::Partial;
    Drawer drawer = Drawer::Keep;
};

// The bitmap's width must be a multiple of 8 (384 or 576 for 58 and 80 mm paper).
Result<std::string> encode_escpos(const Bitmap& bitmap, const EscPosOptions& options = {});

} // namespace nafitha::printing
