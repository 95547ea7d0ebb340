#include "printing/render.h"

#include "printing/qr.h"
#include "text/render.h"

#include <algorithm>
#include <cmath>

namespace nafitha::printing {

PageMetrics metrics_for_width(int width_dots)
{
    PageMetrics m;
    m.width = width_dots;
    m.margin = width_dots >= 512 ? 12 : 8;
    m.scale = 1.0f;
    return m;
}

namespace {

int pixel_size(TextSize size, const PageMetrics& m)
{
    bool wide = m.width >= 512;
    int px = 24;
    switch (size) {
    case TextSize::Small: px = wide ? 22 : 20; break;
    case TextSize::Normal: px = wide ? 26 : 24; break;
    case TextSize::Large: px = wide ? 34 : 30; break;
    case TextSize::Title: px = wide ? 44 : 38; break;
    case TextSize::Huge: px = wide ? 110 : 90; break;
    }
    return std::max(text::kMinPixelSize, int(std::lround(float(px) * m.scale)));
}

text::Align to_align(BlockAlign a)
{
    switch (a) {
    case BlockAlign::Start: return text::Align::Start;
    case BlockAlign::End: return text::Align::End;
    case BlockAlign::Center: return text::Align::Center;
    }
    return text::Align::Start;
}

class Renderer {
public:
    Renderer(const Document& doc, const PageMetrics& m, text::TextEngine& engine)
        : m_doc(doc), m_m(m), m_engine(engine), m_content(m.width - 2 * m.margin)
    {
    }

    // Measures (canvas == nullptr) or draws one block at y; returns its height.
    Result<int> place(const Block& block, Painter* canvas, int y)
    {
        return std::visit([&](const auto& b) { return place_one(b, canvas, y); }, block);
    }

private:
    text::LayoutOptions options(TextSize size, TextWeight weight, BlockAlign align) const
    {
        text::LayoutOptions o;
        o.direction = is_rtl(m_doc.lang) ? text::Direction::Rtl : text::Direction::Ltr;
        o.weight = weight == TextWeight::Bold ? text::Weight::Bold : text::Weight::Regular;
        o.pixel_size = pixel_size(size, m_m);
        o.max_width = float(m_content);
        o.align = to_align(align);
        o.overflow = text::Overflow::Clip;
        return o;
    }

    Result<void> lay(std::string_view s, const text::LayoutOptions& o, text::Layout& out, const char* field)
    {
        if (s.size() > kMaxBlockText)
            return Error::make("error.printing.text_too_long", std::to_string(s.size()) + " bytes", field);
        m_engine.shaper().layout(s, m_engine.fonts(), o, out);
        if (out.truncated)
            return Error::make("error.printing.text_too_long", "layout truncated", field);
        return {};
    }

    void draw(const text::Layout& l, Painter* canvas, int y)
    {
        if (canvas)
            canvas->text(l, m_engine, m_m.margin, y);
    }

    static int height_of(const text::Layout& l) { return int(std::ceil(l.height)); }

    Result<int> place_one(const TextBlock& b, Painter* canvas, int y)
    {
        if (b.text.empty())
            return 0;
        auto o = options(b.size, b.weight, b.align);
        if (b.direction == TextDirection::Own)
            o.direction = text::Direction::Auto;
        TRY(lay(b.text, o, m_a, "text"));
        draw(m_a, canvas, y);
        return height_of(m_a);
    }

    Result<int> place_one(const KeyValueBlock& b, Painter* canvas, int y)
    {
        TRY(lay(b.key, options(b.size, b.weight, BlockAlign::Start), m_a, "key"));
        TRY(lay(b.value, options(b.size, b.weight, BlockAlign::End), m_b, "value"));
        int gap = pixel_size(b.size, m_m);
        bool one_line = m_a.lines.size() <= 1 && m_b.lines.size() <= 1 &&
                        m_a.content_width + m_b.content_width + float(gap) <= float(m_content);
        if (one_line) {
            draw(m_a, canvas, y);
            draw(m_b, canvas, y);
            return std::max(height_of(m_a), height_of(m_b));
        }
        draw(m_a, canvas, y);
        draw(m_b, canvas, y + height_of(m_a));
        return height_of(m_a) + height_of(m_b);
    }

    Result<int> place_one(const SeparatorBlock& b, Painter* canvas, int y)
    {
        const int h = 18;
        if (canvas) {
            int mid = y + h / 2 - 1;
            switch (b.style) {
            case RuleStyle::Solid: canvas->rect(m_m.margin, mid, m_content, 2); break;
            case RuleStyle::Double:
                canvas->rect(m_m.margin, mid - 3, m_content, 2);
                canvas->rect(m_m.margin, mid + 2, m_content, 2);
                break;
            case RuleStyle::Dashed:
                for (int x = 0; x < m_content; x += 14)
                    canvas->rect(m_m.margin + x, mid, std::min(8, m_content - x), 2);
                break;
            }
        }
        return h;
    }

    Result<int> place_one(const QrBlock& b, Painter* canvas, int y)
    {
        auto qr = TRY(make_qr(b.payload));
        int span = qr.size + 8;
        int module = b.module_dots > 0 ? b.module_dots : std::min(int(6 * m_m.scale), m_content / span);
        if (module < 3 || span * module > m_content)
            return Error::make("error.printing.qr_too_long", "QR code does not fit the paper", "qr");
        auto img = qr_image(qr, module);
        if (canvas)
            canvas->image(img, m_m.margin + (m_content - img.width) / 2, y);
        return img.height;
    }

    Result<int> place_one(const ImageBlock& b, Painter* canvas, int y)
    {
        if (b.image.width <= 0 || b.image.height <= 0 || b.image.width > kMaxBitmapWidth ||
            b.image.height > kMaxBitmapHeight || b.image.pixels.size() != size_t(b.image.width) * size_t(b.image.height))
            return Error::make("error.printing.image_too_large",
                               std::to_string(b.image.width) + "x" + std::to_string(b.image.height), "image");
        int w = std::min(b.width_dots > 0 ? b.width_dots : b.image.width, m_content);
        int h = std::max(1, int(int64_t(b.image.height) * w / b.image.width));
        if (h > kMaxBitmapHeight / 2)
            return Error::make("error.printing.image_too_large", "image taller than the roll allows", "image");
        if (canvas) {
            GrayImage img = (w == b.image.width && h == b.image.height) ? b.image : scale(b.image, w, h);
            if (b.tone == Tone::Dither)
                img = dither_to_gray(img);
            else
                for (auto& p : img.pixels)
                    p = p >= 128 ? 255 : 0;
            canvas->image(img, m_m.margin + (m_content - w) / 2, y);
        }
        return h;
    }

    Result<int> place_one(const SpacingBlock& b, Painter*, int)
    {
        return std::clamp(b.dots, 0, 1000);
    }

    const Document& m_doc;
    const PageMetrics& m_m;
    text::TextEngine& m_engine;
    int m_content;
    text::Layout m_a;
    text::Layout m_b;
};

class GrayPainter final : public Painter {
public:
    explicit GrayPainter(GrayImage& canvas) : m_canvas(canvas) {}
    void text(const text::Layout& layout, text::TextEngine& engine, int x, int y) override
    {
        text::render_to_gray(layout, engine.atlas(), m_canvas.pixels.data(), m_canvas.width, m_canvas.height,
                             m_canvas.width, x, y);
    }
    void rect(int x, int y, int w, int h) override { m_canvas.fill_rect(x, y, w, h, 255); }
    void image(const GrayImage& ink, int x, int y) override { blit(m_canvas, ink, x, y); }

private:
    GrayImage& m_canvas;
};

Result<void> check_document(const Document& doc, const PageMetrics& m)
{
    if (m.width < 128 || m.width > kMaxBitmapWidth || m.width % 8 != 0 || m.margin < 0 || 2 * m.margin >= m.width - 64)
        return Error::make("error.printing.bad_width", std::to_string(m.width) + " dots", "width");
    if (doc.blocks.size() > kMaxBlocks)
        return Error::make("error.printing.too_many_blocks", std::to_string(doc.blocks.size()) + " blocks");
    return {};
}

} // namespace

Result<int> paint_document(const Document& doc, const PageMetrics& m, text::TextEngine& engine, Painter& painter,
                           const PaintOptions& options)
{
    TRY(check_document(doc, m));
    Renderer r(doc, m, engine);
    int pages = 1;
    int y = options.top;
    for (const auto& b : doc.blocks) {
        int h = TRY(r.place(b, nullptr, 0));
        if (options.page_height > 0 && y > options.top && y + h > options.page_height - options.bottom) {
            painter.new_page();
            ++pages;
            y = options.top;
        }
        y += TRY(r.place(b, &painter, y));
    }
    return pages;
}

Result<GrayImage> render_gray(const Document& doc, const PageMetrics& m, text::TextEngine& engine)
{
    TRY(check_document(doc, m));
    Renderer r(doc, m, engine);
    PaintOptions options;
    int64_t height = options.top;
    for (const auto& b : doc.blocks) {
        height += TRY(r.place(b, nullptr, 0));
        if (height > kMaxBitmapHeight)
            return Error::make("error.printing.image_too_large", "document longer than the roll allows");
    }
    height += options.bottom;
    auto canvas = TRY(GrayImage::make(m.width, int(height)));
    GrayPainter painter(canvas);
    TRY(paint_document(doc, m, engine, painter, options));
    return canvas;
}

Result<Bitmap> render(const Document& doc, int width_dots, text::TextEngine& engine)
{
    auto gray = TRY(render_gray(doc, metrics_for_width(width_dots), engine));
    return to_bitmap(gray, Tone::Threshold);
}

} // namespace nafitha::printing
