#include "printing/pdf.h"

#include "printing/render.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <cstring>
#include <memory>

namespace nafitha::printing {

namespace {

struct SurfaceOwner {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextOwner {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceOwner>;
using Context = std::unique_ptr<cairo_t, ContextOwner>;

constexpr int kDpi = 150;
constexpr int kPageW = 1240;      // 210 mm at 150 dpi (a multiple of 8)
constexpr int kPageH = 1754;      // 297 mm
constexpr int kMarginY = 88;      // 15 mm

bool blank_row(const GrayImage& g, int y)
{
    const uint8_t* row = g.pixels.data() + size_t(y) * size_t(g.width);
    for (int x = 0; x < g.width; ++x)
        if (row[x] != 0)
            return false;
    return true;
}

} // namespace

Result<PdfInfo> write_pdf_a4(const Document& doc, text::TextEngine& engine, const std::filesystem::path& path)
{
    PageMetrics m;
    m.width = kPageW;
    m.margin = 88;
    m.scale = 0.95f;
    auto gray = TRY(render_gray(doc, m, engine));

    Surface pdf(cairo_pdf_surface_create(path.c_str(), 595.2756, 841.8898));
    if (cairo_surface_status(pdf.get()) != CAIRO_STATUS_SUCCESS)
        return Error::make("error.printing.pdf_failed", path.string() + ": " + cairo_status_to_string(cairo_surface_status(pdf.get())));
    cairo_pdf_surface_set_metadata(pdf.get(), CAIRO_PDF_METADATA_CREATOR, "Nafitha " NAFITHA_VERSION);
    Context cr(cairo_create(pdf.get()));
    const int usable = kPageH - 2 * kMarginY;
    PdfInfo info;
    int y = 0;
    while (y < gray.height) {
        int end = std::min(gray.height, y + usable);
        if (end < gray.height) {
            // Cut at a blank row so that no line of text is split between pages.
            int cut = end;
            while (cut > y + usable / 2 && !blank_row(gray, cut))
                --cut;
            if (cut > y + usable / 2)
                end = cut;
        }
        int h = end - y;
        Surface slice(cairo_image_surface_create(CAIRO_FORMAT_A8, gray.width, h));
        if (cairo_surface_status(slice.get()) != CAIRO_STATUS_SUCCESS)
            return Error::make("error.printing.pdf_failed", "cannot allocate a page image");
        cairo_surface_flush(slice.get());
        int stride = cairo_image_surface_get_stride(slice.get());
        unsigned char* data = cairo_image_surface_get_data(slice.get());
        for (int row = 0; row < h; ++row)
            std::memcpy(data + size_t(row) * size_t(stride), gray.pixels.data() + size_t(y + row) * size_t(gray.width),
                        size_t(gray.width));
        cairo_surface_mark_dirty(slice.get());
        cairo_save(cr.get());
        cairo_scale(cr.get(), 72.0 / kDpi, 72.0 / kDpi);
        cairo_set_source_rgb(cr.get(), 0, 0, 0);
        cairo_mask_surface(cr.get(), slice.get(), 0, kMarginY);
        cairo_restore(cr.get());
        cairo_show_page(cr.get());
        ++info.pages;
        y = end;
    }
    cr.reset();
    cairo_surface_finish(pdf.get());
    if (cairo_surface_status(pdf.get()) != CAIRO_STATUS_SUCCESS)
        return Error::make("error.printing.pdf_failed", path.string() + ": " + cairo_status_to_string(cairo_surface_status(pdf.get())));
    return info;
}

} // namespace nafitha::printing
