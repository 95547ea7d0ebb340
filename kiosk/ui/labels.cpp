#include "kiosk/ui/labels.h"

#include "base/log.h"
#include "text/caret.h"
#include "text/engine.h"

#include <SDL.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace nafitha::ui {

namespace {

// Every text quad is drawn with this placeholder texture id; upload() swaps in the atlas texture (which may
// be recreated when the atlas grows during the frame).
int g_atlas_placeholder = 0;
ImTextureID placeholder_id()
{
    return reinterpret_cast<ImTextureID>(&g_atlas_placeholder);
}

text::Align to_text_align(Align a)
{
    switch (a) {
    case Align::Start:
        return text::Align::Start;
    case Align::Center:
        return text::Align::Center;
    case Align::End:
        return text::Align::End;
    }
    return text::Align::Start;
}

int pixel_size(float px)
{
    return std::clamp(static_cast<int>(std::lround(px)), text::kMinPixelSize, text::kMaxPixelSize);
}

// The vertices one draw call wrote, with the atlas size their uv were computed for.
struct Span {
    ImDrawList* list;
    int vtx_begin;
    int vtx_end;
    int atlas_w;
    int atlas_h;
};

class ShapedLabels final : public Labels {
public:
    ShapedLabels(SDL_Renderer* renderer, std::unique_ptr<text::TextEngine> engine)
        : m_renderer(renderer), m_engine(std::move(engine))
    {
        m_quads.reserve(256);
        m_spans.reserve(256);
    }
    ~ShapedLabels() override
    {
        if (m_texture)
            SDL_DestroyTexture(m_texture);
    }

    ImVec2 measure(std::string_view s, float px) override
    {
        text::LayoutOptions o;
        o.pixel_size = pixel_size(px);
        const text::Layout& l = m_engine->layout(s, o);
        return ImVec2(l.content_width, l.height);
    }

    void draw(ImDrawList* list, ImVec2 pos, std::string_view s, float px, ImU32 colour) override
    {
        text::LayoutOptions o;
        o.pixel_size = pixel_size(px);
        emit(list, pos, s, o, colour);
    }

    float draw_wrapped(ImDrawList* list, ImVec2 pos, float width, std::string_view s, float px, ImU32 colour,
                       Align align, Lang direction) override
    {
        text::LayoutOptions o;
        o.pixel_size = pixel_size(px);
        o.max_width = std::max(1.0f, width);
        o.align = to_text_align(align);
        o.direction = is_rtl(direction) ? text::Direction::Rtl : text::Direction::Ltr;
        if (!list)
            return m_engine->layout(s, o).height;
        return emit(list, pos, s, o, colour);
    }

    ImVec2 measure_wrapped(std::string_view s, float px, float width, Lang direction) override
    {
        text::LayoutOptions o;
        o.pixel_size = pixel_size(px);
        o.max_width = std::max(1.0f, width);
        o.direction = is_rtl(direction) ? text::Direction::Rtl : text::Direction::Ltr;
        const text::Layout& l = m_engine->layout(s, o);
        return ImVec2(l.content_width, l.height);
    }

    void caret_stops(std::string_view s, float px, std::vector<CaretStop>& stops) override
    {
        text::LayoutOptions o;
        o.pixel_size = pixel_size(px);
        const text::Layout& l = m_engine->layout(s, o);
        stops.clear();
        size_t off = 0;
        for (;;) {
            stops.push_back(CaretStop{off, text::caret_position(l, off, m_caret).x});
            if (off >= s.size())
                break;
            size_t next = text::next_grapheme(s, off);
            if (next <= off)
                break;
            off = next;
        }
    }

    size_t prev_boundary(std::string_view s, size_t offset) override { return text::previous_grapheme(s, offset); }
    size_t next_boundary(std::string_view s, size_t offset) override { return text::next_grapheme(s, offset); }

    size_t move_visual(std::string_view s, float px, size_t offset, Side side) override
    {
        text::LayoutOptions o;
        o.pixel_size = pixel_size(px);
        const text::Layout& l = m_engine->layout(s, o);
        return text::move_visual(l, offset, side == Side::Left ? text::VisualMove::Left : text::VisualMove::Right);
    }

    ImVec4 last_ink() const override { return m_last_ink; }

    void forget() override { m_engine->cache().clear(); }

    void upload() override
    {
        text::GlyphAtlas& atlas = m_engine->atlas();
        const text::AtlasChanges& ch = atlas.changes();
        int w = atlas.width(), h = atlas.height();
        if (!m_texture || ch.recreate || w != m_tex_w || h != m_tex_h) {
            if (m_texture)
                SDL_DestroyTexture(m_texture);
            m_texture = SDL_CreateTexture(m_renderer, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, w, h);
            if (!m_texture) {
                log::error("ui", std::string("atlas texture: ") + SDL_GetError());
                return;
            }
            SDL_SetTextureBlendMode(m_texture, SDL_BLENDMODE_BLEND);
            m_tex_w = w;
            m_tex_h = h;
            upload_rows(0, 0, w, h);
        } else if (!ch.dirty.empty()) {
            upload_rows(ch.dirty.x, ch.dirty.y, ch.dirty.w, ch.dirty.h);
        }
        atlas.clear_changes();
        // Quads made before the atlas grew carry uv for the smaller size: the pixels kept their place, so
        // scaling the uv fixes them.
        for (const Span& span : m_spans) {
            if (span.atlas_w == w && span.atlas_h == h)
                continue;
            float sx = static_cast<float>(span.atlas_w) / static_cast<float>(w);
            float sy = static_cast<float>(span.atlas_h) / static_cast<float>(h);
            for (int i = span.vtx_begin; i < span.vtx_end && i < span.list->VtxBuffer.Size; ++i) {
                span.list->VtxBuffer[i].uv.x *= sx;
                span.list->VtxBuffer[i].uv.y *= sy;
            }
        }
        m_spans.clear();
        // Point every text draw command at the atlas texture.
        ImDrawData* dd = ImGui::GetDrawData();
        if (!dd)
            return;
        for (int l = 0; l < dd->CmdListsCount; ++l) {
            for (ImDrawCmd& cmd : dd->CmdLists[l]->CmdBuffer) {
                if (cmd.TextureId == placeholder_id())
                    cmd.TextureId = reinterpret_cast<ImTextureID>(m_texture);
            }
        }
    }

private:
    float emit(ImDrawList* list, ImVec2 pos, std::string_view s, const text::LayoutOptions& o, ImU32 colour)
    {
        m_quads.clear();
        float x = std::floor(pos.x), y = std::floor(pos.y);
        const text::Layout& l = m_engine->label(s, x, y, o, m_quads);
        float height = l.height;
        m_last_ink = ImVec4(x, y, x, y);
        if (m_quads.empty())
            return height;
        m_last_ink = ImVec4(m_quads[0].x0, m_quads[0].y0, m_quads[0].x1, m_quads[0].y1);
        for (const text::Quad& q : m_quads) {
            m_last_ink.x = std::min(m_last_ink.x, q.x0);
            m_last_ink.y = std::min(m_last_ink.y, q.y0);
            m_last_ink.z = std::max(m_last_ink.z, q.x1);
            m_last_ink.w = std::max(m_last_ink.w, q.y1);
        }
        list->PushTextureID(placeholder_id());
        int n = static_cast<int>(m_quads.size());
        int begin = list->VtxBuffer.Size;
        list->PrimReserve(n * 6, n * 4);
        for (const text::Quad& q : m_quads)
            list->PrimRectUV(ImVec2(q.x0, q.y0), ImVec2(q.x1, q.y1), ImVec2(q.u0, q.v0), ImVec2(q.u1, q.v1), colour);
        m_spans.push_back(Span{list, begin, list->VtxBuffer.Size, m_engine->atlas().width(), m_engine->atlas().height()});
        list->PopTextureID();
        return height;
    }

    void upload_rows(int x, int y, int w, int h)
    {
        const text::GlyphAtlas& atlas = m_engine->atlas();
        x = std::clamp(x, 0, atlas.width());
        y = std::clamp(y, 0, atlas.height());
        w = std::min(w, atlas.width() - x);
        h = std::min(h, atlas.height() - y);
        if (w <= 0 || h <= 0)
            return;
        m_staging.resize(static_cast<size_t>(w) * static_cast<size_t>(h));
        const uint8_t* px = atlas.pixels();
        for (int r = 0; r < h; ++r) {
            const uint8_t* src = px + static_cast<size_t>(y + r) * static_cast<size_t>(atlas.width()) + x;
            uint32_t* dst = m_staging.data() + static_cast<size_t>(r) * static_cast<size_t>(w);
            for (int c = 0; c < w; ++c)
                dst[c] = (static_cast<uint32_t>(src[c]) << 24) | 0x00FFFFFFu; // White, alpha = coverage.
        }
        SDL_Rect rect{x, y, w, h};
        SDL_UpdateTexture(m_texture, &rect, m_staging.data(), w * 4);
    }

    SDL_Renderer* m_renderer;
    std::unique_ptr<text::TextEngine> m_engine;
    SDL_Texture* m_texture = nullptr;
    int m_tex_w = 0, m_tex_h = 0;
    std::vector<text::Quad> m_quads;
    std::vector<Span> m_spans;
    std::vector<uint32_t> m_staging;
    text::CaretScratch m_caret; // caret queries every frame reuse these buffers
    ImVec4 m_last_ink{0, 0, 0, 0};
};

} // namespace

std::unique_ptr<Labels> make_shaped_labels(SDL_Renderer* renderer)
{
    text::EngineOptions options;
    options.atlas_initial_size = 1024;
    auto engine = text::TextEngine::create(text::default_font_config(), options);
    if (!engine.ok()) {
        log::error("ui", "text engine: " + engine.error().to_string());
        return nullptr;
    }
    return std::make_unique<ShapedLabels>(renderer, engine.release_value());
}

} // namespace nafitha::ui
