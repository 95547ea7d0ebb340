#pragma once
// Glyph rasterisation and the glyph atlas. FreeType renders 8-bit grayscale coverage (unhinted outlines,
// matching the unhinted advances used in layout) per (font, pixel size, glyph id). The atlas packs them on
// shelves into one single-channel texture that grows (doubling, up to max_size) and, when it is full at
// max_size, is rebuilt from scratch. The renderer uploads what changed: either the whole texture (after
// growth or a rebuild) or the dirty rectangle.
//
// Upload protocol for the kiosk (once per frame, after building the frame's quads):
//     auto& ch = atlas.changes();
//     if (ch.recreate) recreate the texture at atlas.width() x atlas.height() and upload all pixels;
//     else if (!ch.dirty.empty()) upload the rows ch.dirty.y .. ch.dirty.y + ch.dirty.h of atlas.pixels();
//     atlas.clear_changes();
// The texture is alpha only: draw white (or the text colour) modulated by the coverage.

#include "text/font.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace nafitha::text {

struct GlyphKey {
    FontId font = 0;
    uint16_t pixel_size = 0;
    uint32_t glyph = 0;
    bool operator==(const GlyphKey&) const = default;
};

// One rasterised glyph's bitmap, placed relative to the pen position on the baseline (y down).
struct GlyphBitmap {
    int width = 0;
    int height = 0;
    int left = 0;       // Pixels from the pen x to the bitmap's left edge.
    int top = 0;        // Pixels from the baseline up to the bitmap's top edge (FreeType's bitmap_top).
    std::vector<uint8_t> coverage;  // width * height bytes, row-major, 0..255.
};

// Rasterises one glyph without any atlas (for the printer, or tests). Glyphs without outlines (spaces)
// give an empty bitmap.
Result<GlyphBitmap> rasterise_glyph(const FontStack& fonts, GlyphKey key);

struct AtlasEntry {
    int16_t x = 0, y = 0;       // Top-left of the bitmap in the atlas.
    int16_t width = 0, height = 0;
    int16_t left = 0, top = 0;  // As in GlyphBitmap.
    float u0 = 0, v0 = 0, u1 = 0, v1 = 0;  // Normalised texture coordinates of the bitmap.
};

struct AtlasRect {
    int x = 0, y = 0, w = 0, h = 0;
    bool empty() const { return w <= 0 || h <= 0; }
};

struct AtlasChanges {
    bool recreate = false;      // The texture size changed or the atlas was rebuilt: upload everything.
    AtlasRect dirty;            // Otherwise: the union of regions written since clear_changes().
    uint32_t generation = 0;    // Bumped on every rebuild (entries and uv from older generations are stale).
};

class GlyphAtlas {
public:
    explicit GlyphAtlas(const FontStack& fonts, int initial_size = 512, int max_size = 4096);

    // The entry for a glyph, rasterising and packing it on first use. Returns nullptr only when the glyph
    // cannot be rasterised or is larger than the whole atlas. Packing may grow the atlas (uv of every entry
    // change) or rebuild it (all entries of the previous generation are gone): check changes().generation
    // or use text/render.h which does.
    const AtlasEntry* get(GlyphKey key);
    // The entry if it is already in the atlas (no rasterising).
    const AtlasEntry* find(GlyphKey key) const;

    int width() const { return m_width; }
    int height() const { return m_height; }
    const uint8_t* pixels() const { return m_pixels.data(); }  // width * height bytes, stride = width.
    const AtlasChanges& changes() const { return m_changes; }
    void clear_changes();

    size_t glyph_count() const { return m_entries.size(); }
    uint64_t rasterised_count() const { return m_rasterised; }

private:
    struct KeyHash {
        size_t operator()(const GlyphKey& k) const noexcept
        {
            return (size_t(k.glyph) * 0x9E3779B97F4A7C15ull) ^ (size_t(k.pixel_size) << 16) ^ k.font;
        }
    };
    struct Shelf {
        int y = 0, height = 0, x = 0;
    };
    bool pack(int w, int h, int& x, int& y);
    void grow_or_rebuild(int need_w, int need_h);
    void place(const GlyphBitmap& bitmap, AtlasEntry& entry);

    const FontStack* m_fonts;
    int m_width, m_height, m_max_size;
    std::vector<uint8_t> m_pixels;
    std::vector<Shelf> m_shelves;
    std::unordered_map<GlyphKey, AtlasEntry, KeyHash> m_entries;
    AtlasChanges m_changes;
    uint64_t m_rasterised = 0;
};

} // namespace nafitha::text
