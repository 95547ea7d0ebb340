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

// Where a document is drawn: the gray canvas for thermal printers, or a vector page (the A4 PDF).
class Painter {
public:
    virtual ~Painter() = default;
    // A laid-out paragraph with its box's top-left at (x, y).
    virtual void text(const text::Layout& layout, text::TextEngine& engine, int x, int y) = 0;
    // Solid ink.
    virtual void rect(int x, int y, int w, int h) = 0;
    // Ink coverage (already 0 or 255 for dithered photos).
    virtual void image(const GrayImage& ink, int x, int y) = 0;
    // Starts the next page (paginated painters only).
    virtual void new_page() {}
};

struct PaintOptions {
    int top = 8;            // blank dots above the first block
    int bottom = 8;         // and below the last
    int page_height = 0;    // > 0: paginate; a block that does not fit starts a new page
};

// Lays out and paints `doc`; returns the number of pages (1 without pagination).
Result<int> paint_document(const Document& doc, const PageMetrics& metrics, text::TextEngine& engine,
                           Painter& painter, const PaintOptions& options);

// The ink of the whole document (height = content). error.printing.bad_width unless 128..2048 and a
// multiple of 8; error.printing.text_too_long; error.printing.too_many_blocks; error.printing.image_too_large
// (more than kMaxBitmapHeight rows in total); error.printing.qr_too_long.
Result<GrayImage> render_gray(const Document& doc, const PageMetrics& metrics, text::TextEngine& engine);
Result<Bitmap> render(const Document& doc, int width_dots, text::TextEngine& engine);

} // namespace nafitha::printing
