#include "printing/pdf.h"

#include "printing/render.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <cmath>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include <algorithm>
#include <map>
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

struct FtLibraryOwner {
    void operator()(FT_Library l) const { FT_Done_FreeType(l); }
};
struct FtFaceOwner {
    void operator()(FT_Face f) const { FT_Done_Face(f); }
};
using FtLibrary = std::unique_ptr<std::remove_pointer_t<FT_Library>, FtLibraryOwner>;
using FtFace = std::unique_ptr<std::remove_pointer_t<FT_Face>, FtFaceOwner>;

// Layout units: 150 dpi pixels on an A4 page.
constexpr int kDpi = 150;
constexpr int kPageW = 1240;      // 210 mm (a multiple of 8)
constexpr int kPageH = 1754;      // 297 mm
constexpr int kMarginX = 88;      // 15 mm
constexpr int kMarginY = 88;

// Text as filled glyph outlines (FreeType, unscaled), so the PDF is sharp at any zoom. The faces are this
// painter's own (loaded from the same files as the text engine's), never the engine's FT_Face.
class PdfPainter final : public Painter {
public:
    enum class Pages { All, FirstOnly };
    PdfPainter(cairo_t* cr, FT_Library library, Pages pages) : m_cr(cr), m_library(library), m_pages(pages) {}

    void text(const text::Layout& layout, text::TextEngine& engine, int x, int y) override
    {
        if (m_stopped)
            return;
        for (const auto& line : layout.lines)
            for (uint32_t r = line.first_run; r < line.first_run + line.run_count; ++r) {
                const auto& run = layout.runs[r];
                for (uint32_t g = run.first_glyph; g < run.first_glyph + run.glyph_count; ++g) {
                    const auto& glyph = layout.glyphs[g];
                    FT_Face face = face_for(glyph.font, engine);
                    if (!face)
                        continue;
                    double scale = double(layout.pixel_size) / double(face->units_per_EM);
                    outline(face, glyph.glyph, x + glyph.x, y + line.baseline + glyph.y, scale);
                }
            }
        cairo_set_source_rgb(m_cr, 0, 0, 0);
        cairo_fill(m_cr);
    }

    void rect(int x, int y, int w, int h) override
    {
        if (m_stopped)
            return;
        cairo_rectangle(m_cr, x, y, w, h);
        cairo_set_source_rgb(m_cr, 0, 0, 0);
        cairo_fill(m_cr);
    }

    void image(const GrayImage& ink, int x, int y) override
    {
        if (m_stopped)
            return;
        Surface mask(cairo_image_surface_create(CAIRO_FORMAT_A8, ink.width, ink.height));
        if (cairo_surface_status(mask.get()) != CAIRO_STATUS_SUCCESS)
            return;
        cairo_surface_flush(mask.get());
        int stride = cairo_image_surface_get_stride(mask.get());
        unsigned char* data = cairo_image_surface_get_data(mask.get());
        for (int row = 0; row < ink.height; ++row)
            std::copy_n(ink.pixels.data() + size_t(row) * size_t(ink.width), size_t(ink.width),
                        data + size_t(row) * size_t(stride));
        cairo_surface_mark_dirty(mask.get());
        cairo_set_source_rgb(m_cr, 0, 0, 0);
        cairo_mask_surface(m_cr, mask.get(), x, y);
    }

    void new_page() override
    {
        if (m_pages == Pages::FirstOnly)
            m_stopped = true;
        else
            cairo_show_page(m_cr);
    }

private:
    FT_Face face_for(text::FontId id, text::TextEngine& engine)
    {
        auto it = m_faces.find(id);
        if (it != m_faces.end())
            return it->second.get();
        FT_Face face = nullptr;
        if (id >= engine.fonts().size() ||
            FT_New_Face(m_library, engine.fonts().face(id).path().c_str(), 0, &face) != 0)
            face = nullptr;
        return m_faces.emplace(id, FtFace(face)).first->second.get();
    }

    struct Pen {
        cairo_t* cr;
        double ox, oy, scale;
        double lx = 0, ly = 0; // last point, font units
        void to(double fx, double fy, double& dx, double& dy) const
        {
            dx = ox + fx * scale;
            dy = oy - fy * scale;
        }
    };

    static int move_to(const FT_Vector* p, void* user)
    {
        auto* pen = static_cast<Pen*>(user);
        double x, y;
        pen->to(double(p->x), double(p->y), x, y);
        cairo_close_path(pen->cr);
        cairo_move_to(pen->cr, x, y);
        pen->lx = double(p->x);
        pen->ly = double(p->y);
        return 0;
    }
    static int line_to(const FT_Vector* p, void* user)
    {
        auto* pen = static_cast<Pen*>(user);
        double x, y;
        pen->to(double(p->x), double(p->y), x, y);
        cairo_line_to(pen->cr, x, y);
        pen->lx = double(p->x);
        pen->ly = double(p->y);
        return 0;
    }
    static int conic_to(const FT_Vector* c, const FT_Vector* p, void* user)
    {
        // A quadratic Bézier as a cubic: control points at 2/3 towards the conic's control point.
        auto* pen = static_cast<Pen*>(user);
        double c1x = pen->lx + 2.0 / 3.0 * (double(c->x) - pen->lx), c1y = pen->ly + 2.0 / 3.0 * (double(c->y) - pen->ly);
        double c2x = double(p->x) + 2.0 / 3.0 * (double(c->x) - double(p->x));
        double c2y = double(p->y) + 2.0 / 3.0 * (double(c->y) - double(p->y));
        double a, b, d, e, f, g;
        pen->to(c1x, c1y, a, b);
        pen->to(c2x, c2y, d, e);
        pen->to(double(p->x), double(p->y), f, g);
        cairo_curve_to(pen->cr, a, b, d, e, f, g);
        pen->lx = double(p->x);
        pen->ly = double(p->y);
        return 0;
    }
    static int cubic_to(const FT_Vector* c1, const FT_Vector* c2, const FT_Vector* p, void* user)
    {
        auto* pen = static_cast<Pen*>(user);
        double a, b, d, e, f, g;
        pen->to(double(c1->x), double(c1->y), a, b);
        pen->to(double(c2->x), double(c2->y), d, e);
        pen->to(double(p->x), double(p->y), f, g);
        cairo_curve_to(pen->cr, a, b, d, e, f, g);
        pen->lx = double(p->x);
        pen->ly = double(p->y);
        return 0;
    }

    void outline(FT_Face face, uint32_t glyph, double x, double y, double scale)
    {
        if (FT_Load_Glyph(face, glyph, FT_LOAD_NO_SCALE | FT_LOAD_NO_BITMAP) != 0 ||
            face->glyph->format != FT_GLYPH_FORMAT_OUTLINE)
            return;
        FT_Outline_Funcs funcs{};
        funcs.move_to = move_to;
        funcs.line_to = line_to;
        funcs.conic_to = conic_to;
        funcs.cubic_to = cubic_to;
        Pen pen{m_cr, x, y, scale};
        FT_Outline_Decompose(&face->glyph->outline, &funcs, &pen);
        cairo_close_path(m_cr);
    }

    cairo_t* m_cr;
    FT_Library m_library;
    Pages m_pages;
    bool m_stopped = false;
    std::map<text::FontId, FtFace> m_faces;
};

} // namespace

Result<PdfInfo> write_pdf_a4(const Document& doc, text::TextEngine& engine, const std::filesystem::path& path)
{
    PageMetrics m;
    m.width = kPageW;
    m.margin = kMarginX;
    m.scale = 0.95f;

    FT_Library raw = nullptr;
    if (FT_Init_FreeType(&raw) != 0)
        return Error::make("error.printing.pdf_failed", "FreeType could not start");
    FtLibrary library(raw);

    Surface pdf(cairo_pdf_surface_create(path.c_str(), 595.2756, 841.8898));
    if (cairo_surface_status(pdf.get()) != CAIRO_STATUS_SUCCESS)
        return Error::make("error.printing.pdf_failed", path.string() + ": " + cairo_status_to_string(cairo_surface_status(pdf.get())));
    cairo_pdf_surface_set_metadata(pdf.get(), CAIRO_PDF_METADATA_CREATOR, "Nafitha " NAFITHA_VERSION);
    Context cr(cairo_create(pdf.get()));
    cairo_scale(cr.get(), 72.0 / kDpi, 72.0 / kDpi);
    cairo_set_fill_rule(cr.get(), CAIRO_FILL_RULE_WINDING);
    PdfInfo info;
    {
        PdfPainter painter(cr.get(), library.get(), PdfPainter::Pages::All);
        PaintOptions options;
        options.top = kMarginY;
        options.bottom = kMarginY;
        options.page_height = kPageH;
        auto pages = paint_document(doc, m, engine, painter, options);
        if (!pages.ok()) {
            cr.reset();
            pdf.reset();
            std::error_code ec;
            std::filesystem::remove(path, ec);
            return pages.release_error();
        }
        info.pages = *pages;
        cairo_show_page(cr.get());
    }
    cr.reset();
    cairo_surface_finish(pdf.get());
    if (cairo_surface_status(pdf.get()) != CAIRO_STATUS_SUCCESS)
        return Error::make("error.printing.pdf_failed", path.string() + ": " + cairo_status_to_string(cairo_surface_status(pdf.get())));
    return info;
}

Result<void> write_a4_preview_png(const Document& doc, text::TextEngine& engine, const std::filesystem::path& path)
{
    PageMetrics m;
    m.width = kPageW;
    m.margin = kMarginX;
    m.scale = 0.95f;
    FT_Library raw = nullptr;
    if (FT_Init_FreeType(&raw) != 0)
        return Error::make("error.printing.pdf_failed", "FreeType could not start");
    FtLibrary library(raw);
    Surface image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, kPageW, kPageH));
    if (cairo_surface_status(image.get()) != CAIRO_STATUS_SUCCESS)
        return Error::make("error.printing.png_failed", "cannot allocate the page");
    Context cr(cairo_create(image.get()));
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    cairo_set_fill_rule(cr.get(), CAIRO_FILL_RULE_WINDING);
    {
        PdfPainter painter(cr.get(), library.get(), PdfPainter::Pages::FirstOnly);
        PaintOptions options;
        options.top = kMarginY;
        options.bottom = kMarginY;
        options.page_height = kPageH;
        TRY(paint_document(doc, m, engine, painter, options));
    }
    cr.reset();
    if (cairo_surface_write_to_png(image.get(), path.c_str()) != CAIRO_STATUS_SUCCESS)
        return Error::make("error.printing.png_failed", path.string());
    return {};
}

} // namespace nafitha::printing
