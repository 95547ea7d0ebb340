#pragma once
// PDF for A4 office printers (the application summary), with cairo. The document is laid out by the same
// code as receipts (text/ does bidi and shaping), at 150 dpi on A4, block by block with page breaks between
// blocks; glyphs are drawn as filled vector outlines from the same font files, so the PDF is sharp at any
// size (the text is not selectable: no font is embedded). QR codes and the emblem are image masks.

#include "printing/document.h"
#include "text/engine.h"

#include <filesystem>

namespace nafitha::printing {

struct PdfInfo {
    int pages = 0;
};

// error.printing.pdf_failed when cairo cannot write the file.
Result<PdfInfo> write_pdf_a4(const Document& doc, text::TextEngine& engine, const std::filesystem::path& path);

// The first A4 page drawn by the same painter into a PNG (1240 x 1754, 150 dpi): a preview for screens and
// tests.
Result<void> write_a4_preview_png(const Document& doc, text::TextEngine& engine, const std::filesystem::path& path);

} // namespace nafitha::printing
