#pragma once
// Lays out a Document for a paper width and renders it: text through text/ (bidi, shaping, wrapping; an
// overlong word is broken, nothing is cut off), rules, QR codes and dithered images, onto a grayscale
// canvas, then to 1-bit dots (text thresholded, images dithered).

#include "printing/document.h"
#include "text/engine.h"

namespace nafitha::printing {

// Paper at 203 dpi: 58 mm rolls print 384 dots, 80 mm rolls 576.
inline constexpr int kWidth58mm = 384;
inline constexpr int kWidth80mm = 576;

struct PageMetrics {
    int width = kWidth80mm;     // dots
    int margin = 8;             // dots on each side
    float scale = 1.0f;         // text size multiplier (A4 PDF renders at a larger scale)
};

PageMetrics metrics_for_width(int width_dots);

// The ink of the whole document (height = content). error.printing.bad_width unless 128..2048 and a
// multiple of 8; error.printing.text_too_long; error.printing.too_many_blocks; error.printing.image_too_large
// (more than kMaxBitmapHeight rows in total); error.printing.qr_too_long.
Result<GrayImage> render_gray(const Document& doc, const PageMetrics& metrics, text::TextEngine& engine);
Result<Bitmap> render(const Document& doc, int width_dots, text::TextEngine& engine);

} // namespace nafitha::printing
