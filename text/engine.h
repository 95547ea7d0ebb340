#pragma once
// TextEngine bundles what one thread needs to draw text: a FontStack, a Shaper, a LayoutCache and a
// GlyphAtlas. The kiosk UI owns one (on the UI thread), the printer owns its own (on its thread).
//
// Kiosk frame:
//     frame_quads.clear();                                        // std::vector<Quad>, kept between frames
//     engine.label("الخدمات", x, y, {.pixel_size = 28, .max_width = 400, .align = Align::Center}, frame_quads);
//     ... upload engine.atlas().changes(), draw frame_quads, engine.atlas().clear_changes();
// A steady frame (same labels) shapes nothing and allocates nothing.

#include "text/atlas.h"
#include "text/cache.h"
#include "text/font.h"
#include "text/paragraph.h"
#include "text/render.h"

#include <memory>
#include <string_view>
#include <vector>

namespace nafitha::text {

struct EngineOptions {
    size_t cache_capacity = 512;
    int atlas_initial_size = 512;
    int atlas_max_size = 4096;
};

class TextEngine {
public:
    static Result<std::unique_ptr<TextEngine>> create(const FontStackConfig& fonts = default_font_config(),
                                                      EngineOptions options = {});
    explicit TextEngine(FontStack fonts, EngineOptions options = {});
    TextEngine(const TextEngine&) = delete;
    TextEngine& operator=(const TextEngine&) = delete;

    // Cached layout (valid until the next layout() or label() call).
    const Layout& layout(std::string_view text, const LayoutOptions& options);

    // Lays out (cached) and appends the quads of `text` with its box's top-left at (x, y). Returns the layout
    // (for its size).
    const Layout& label(std::string_view text, float x, float y, const LayoutOptions& options, std::vector<Quad>& out);

    const FontStack& fonts() const { return m_fonts; }
    GlyphAtlas& atlas() { return m_atlas; }
    LayoutCache& cache() { return m_cache; }
    Shaper& shaper() { return m_shaper; }

private:
    FontStack m_fonts;
    Shaper m_shaper;
    LayoutCache m_cache;
    GlyphAtlas m_atlas;
};

} // namespace nafitha::text
