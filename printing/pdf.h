#pragma once
// PDF for A4 office printers (the application summary), with cairo. The document is laid out by the same
// code as receipts, at 150 dpi on A4, and placed page by page (cut at blank rows) as an image mask, so
// Arabic looks exactly as on the receipt. Text in the PDF is therefore not selectable.

#include "printing/document.h"
#include "text/engine.h"

#include <filesystem>

namespace nafitha::printing {

struct PdfInfo {
    int pages = 0;
};

// error.printing.pdf_failed when cairo cannot write the file.
Result<PdfInfo> write_pdf_a4(const Document& doc, text::TextEngine& engine, const std::filesystem::path& path);

} // namespace nafitha::printing
