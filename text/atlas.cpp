// FreeType rasterisation and the shelf-packed glyph atlas.

#include "text/atlas.h"

#include <algorithm>
#include <cstring>

#include <ft2build.h>
#include FT_FREETYPE_H

namespace nafitha::text {

namespace {

constexpr int kPad = 1;  // Empty pixels around each glyph so that bilinear sampling never bleeds.

} // namespace

Result<GlyphBitmap> rasterise_glyph(const FontStack& fonts, GlyphKey key)
{
    if (key.font >= fonts.size())
        return Error::make("error.text.glyph_failed", "no such font id " + std::to_string(key.font));
    FT_Face face = fonts.face(key.font).ft_face();
    if (key.glyph >= FT_UInt(face->num_glyphs) || key.pixel_size == 0)
        return Error::make("error.text.glyph_failed", "no such glyph " + std::to_string(key.glyph));
    if (FT_Set_Pixel_Sizes(face, 0, key.pixel_size) != 0)
        return Error::make("error.text.glyph_failed", "cannot set pixel size " + std::to_string(key.pixel_size));
    // Unhinted outlines: the same geometry as the unhinted advances used by layout.
    if (FT_Load_Glyph(face, key.glyph, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP | FT_LOAD_RENDER) != 0)
        return Error::make("error.text.glyph_failed", "FreeType cannot render glyph " + std::to_string(key.glyph));
    const FT_Bitmap& bm = face->glyph->bitmap;
    GlyphBitmap out;
    out.left = face->glyph->bitmap_left;
    out.top = face->glyph->bitmap_top;
    if (bm.pixel_mode != FT_PIXEL_MODE_GRAY || bm.width == 0 || bm.rows == 0)
        return out;
    out.width = int(bm.width);
    out.height = int(bm.rows);
    out.coverage.resize(size_t(out.width) * size_t(out.height));
    for (int row = 0; row < out.height; ++row)
        std::memcpy(out.coverage.data() + size_t(row) * size_t(out.width), bm.buffer + std::ptrdiff_t(row) * bm.pitch,
                    size_t(out.width));
    return out;
}

GlyphAtlas::GlyphAtlas(const FontStack& fonts, int initial_size, int max_size)
    : m_fonts(&fonts), m_width(std::clamp(initial_size, 64, 8192)), m_height(m_width),
      m_max_size(std::clamp(max_size, m_width, 8192))
{
    m_pixels.assign(size_t(m_width) * size_t(m_height), 0);
    m_changes.recreate = true;
}

void GlyphAtlas::clear_changes()
{
    m_changes.recreate = false;
    m_changes.dirty = {};
}

const AtlasEntry* GlyphAtlas::find(GlyphKey key) const
{
    auto it = m_entries.find(key);
    return it == m_entries.end() ? nullptr : &it->second;
}

bool GlyphAtlas::pack(int w, int h, int& x, int& y)
{
    w += kPad;
    h += kPad;
    // Best-fitting shelf: the lowest one tall enough that still has room.
    Shelf* best = nullptr;
    for (Shelf& s : m_shelves)
        if (s.height >= h && s.x + w <= m_width && (!best || s.height < best->height))
            best = &s;
    // A shelf much taller than the glyph wastes space; open a new one instead when there is room.
    int bottom = m_shelves.empty() ? kPad : m_shelves.back().y + m_shelves.back().height;
    if (best && best->height > h * 2 && bottom + h <= m_height)
        best = nullptr;
    if (!best) {
        if (bottom + h > m_height || w + kPad > m_width)
            return false;
        m_shelves.push_back({bottom, h, kPad});
        best = &m_shelves.back();
    }
    x = best->x;
    y = best->y;
    best->x += w;
    return true;
}

void GlyphAtlas::place(const GlyphBitmap& bitmap, AtlasEntry& e)
{
    for (int row = 0; row < bitmap.height; ++row)
        std::memcpy(m_pixels.data() + size_t(e.y + row) * size_t(m_width) + size_t(e.x),
                    bitmap.coverage.data() + size_t(row) * size_t(bitmap.width), size_t(bitmap.width));
    if (!m_changes.recreate && bitmap.width > 0) {
        AtlasRect& d = m_changes.dirty;
        AtlasRect r{e.x, e.y, bitmap.width, bitmap.height};
        if (d.empty()) {
            d = r;
        } else {
            int x0 = std::min(d.x, r.x), y0 = std::min(d.y, r.y);
            int x1 = std::max(d.x + d.w, r.x + r.w), y1 = std::max(d.y + d.h, r.y + r.h);
            d = {x0, y0, x1 - x0, y1 - y0};
        }
    }
}

void GlyphAtlas::grow_or_rebuild(int need_w, int need_h)
{
    m_changes.recreate = true;
    m_changes.dirty = {};
    if (m_width < m_max_size) {
        // Grow: double the size and repack every glyph from the old pixels, tallest first.
        std::vector<uint8_t> old = std::move(m_pixels);
        int old_width = m_width;
        m_width = std::min(m_width * 2, m_max_size);
        m_height = m_width;
        m_pixels.assign(size_t(m_width) * size_t(m_height), 0);
        m_shelves.clear();
        std::vector<AtlasEntry*> order;
        order.reserve(m_entries.size());
        for (auto& [key, e] : m_entries)
            order.push_back(&e);
        std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->height > b->height; });
        bool all_fit = true;
        for (AtlasEntry* e : order) {
            int x = 0, y = 0;
            if (e->width > 0 && !pack(e->width, e->height, x, y)) {
                all_fit = false;
                break;
            }
            if (e->width > 0) {
                for (int row = 0; row < e->height; ++row)
                    std::memcpy(m_pixels.data() + size_t(y + row) * size_t(m_width) + size_t(x),
                                old.data() + size_t(e->y + row) * size_t(old_width) + size_t(e->x), size_t(e->width));
                e->x = int16_t(x);
                e->y = int16_t(y);
            }
        }
        if (!all_fit) {
            m_entries.clear();
            m_shelves.clear();
            std::fill(m_pixels.begin(), m_pixels.end(), 0);
            ++m_changes.generation;
        }
    } else {
        // Full at the largest size: start again (entries of the old generation are gone).
        m_entries.clear();
        m_shelves.clear();
        std::fill(m_pixels.begin(), m_pixels.end(), 0);
        ++m_changes.generation;
    }
    (void)need_w;
    (void)need_h;
    float iw = 1.0f / float(m_width), ih = 1.0f / float(m_height);
    for (auto& [key, e] : m_entries) {
        e.u0 = float(e.x) * iw;
        e.v0 = float(e.y) * ih;
        e.u1 = float(e.x + e.width) * iw;
        e.v1 = float(e.y + e.height) * ih;
    }
}

const AtlasEntry* GlyphAtlas::get(GlyphKey key)
{
    if (auto it = m_entries.find(key); it != m_entries.end())
        return &it->second;
    auto bitmap = rasterise_glyph(*m_fonts, key);
    if (!bitmap.ok())
        return nullptr;
    ++m_rasterised;
    const GlyphBitmap& bm = bitmap.value();
    if (bm.width + 2 * kPad > m_max_size || bm.height + 2 * kPad > m_max_size)
        return nullptr;
    AtlasEntry e;
    e.width = int16_t(bm.width);
    e.height = int16_t(bm.height);
    e.left = int16_t(bm.left);
    e.top = int16_t(bm.top);
    if (bm.width > 0) {
        int x = 0, y = 0;
        while (!pack(bm.width, bm.height, x, y))
            grow_or_rebuild(bm.width, bm.height);
        e.x = int16_t(x);
        e.y = int16_t(y);
        e.u0 = float(x) / float(m_width);
        e.v0 = float(y) / float(m_height);
        e.u1 = float(x + bm.width) / float(m_width);
        e.v1 = float(y + bm.height) / float(m_height);
        place(bm, e);
    }
    return &m_entries.emplace(key, e).first->second;
}

} // namespace nafitha::text
