// TextEngine: one thread's fonts, shaper, layout cache and glyph atlas.

#include "text/engine.h"

namespace nafitha::text {

Result<std::unique_ptr<TextEngine>> TextEngine::create(const FontStackConfig& fonts, EngineOptions options)
{
    auto stack = TRY(FontStack::load(fonts));
    return std::make_unique<TextEngine>(std::move(stack), options);
}

TextEngine::TextEngine(FontStack fonts, EngineOptions options)
    : m_fonts(std::move(fonts)), m_cache(options.cache_capacity),
      m_atlas(m_fonts, options.atlas_initial_size, options.atlas_max_size)
{
}

const Layout& TextEngine::layout(std::string_view text, const LayoutOptions& options)
{
    return m_cache.get(text, options, m_fonts, m_shaper);
}

const Layout& TextEngine::label(std::string_view text, float x, float y, const LayoutOptions& options,
                                std::vector<Quad>& out)
{
    const Layout& l = m_cache.get(text, options, m_fonts, m_shaper);
    append_quads(l, m_atlas, x, y, out);
    return l;
}

} // namespace nafitha::text
