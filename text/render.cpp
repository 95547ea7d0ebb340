// Drawing a Layout: quads over the atlas for the kiosk, coverage blits for the printer.

#include "text/render.h"

#include <algorithm>
#include <cmath>

namespace nafitha::text {

void append_quads(const Layout& layout, GlyphAtlas& atlas, float x, float y, std::vector<Quad>& out)
{
    size_t start = out.size();
    for (int attempt = 0; attempt < 2; ++attempt) {
        uint32_t generation = atlas.changes().generation;
        out.resize(start);
        for (const Line& line : layout.lines) {
            for (uint32_t r = line.first_run; r < line.first_run + line.run_count; ++r) {
                const GlyphRun& run = layout.runs[r];
                for (uint32_t g = run.first_glyph; g < run.first_glyph + run.glyph_count; ++g) {
                    const Glyph& gl = layout.glyphs[g];
                    const AtlasEntry* e =
                        atlas.get({gl.font, uint16_t(layout.pixel_size), gl.glyph});
                    if (!e || e->width == 0)
                        continue;
                    // Snap the pen to whole pixels: glyph bitmaps are rendered at integer positions.
                    float px = std::round(x + gl.x) + float(e->left);
                    float py = std::round(y + line.baseline + gl.y) - float(e->top);
                    out.push_back({px, py, px + float(e->width), py + float(e->height), e->u0, e->v0, e->u1, e->v1});
                }
            }
        }
        if (atlas.changes().generation == generation)
            break;
    }
    // Growth moves entries: uv computed before a growth in this call are refreshed from the entries.
    if (atlas.changes().recreate) {
        size_t q = start;
        for (const Line& line : layout.lines)
            for (uint32_t r = line.first_run; r < line.first_run + line.run_count; ++r) {
                const GlyphRun& run = layout.runs[r];
                for (uint32_t g = run.first_glyph; g < run.first_glyph + run.glyph_count; ++g) {
                    const Glyph& gl = layout.glyphs[g];
                    const AtlasEntry* e = atlas.find({gl.font, uint16_t(layout.pixel_size), gl.glyph});
                    if (!e || e->width == 0)
                        continue;
                    if (q < out.size()) {
                        out[q].u0 = e->u0;
                        out[q].v0 = e->v0;
                        out[q].u1 = e->u1;
                        out[q].v1 = e->v1;
                    }
                    ++q;
                }
            }
    }
}

void render_to_gray(const Layout& layout, GlyphAtlas& atlas, uint8_t* pixels, int width, int height, int stride,
                    int x, int y)
{
    for (const Line& line : layout.lines) {
        for (uint32_t r = line.first_run; r < line.first_run + line.run_count; ++r) {
            const GlyphRun& run = layout.runs[r];
            for (uint32_t g = run.first_glyph; g < run.first_glyph + run.glyph_count; ++g) {
                const Glyph& gl = layout.glyphs[g];
                const AtlasEntry* e = atlas.get({gl.font, uint16_t(layout.pixel_size), gl.glyph});
                if (!e || e->width == 0)
                    continue;
                int gx = int(std::lround(float(x) + gl.x)) + e->left;
                int gy = int(std::lround(float(y) + line.baseline + gl.y)) - e->top;
                const uint8_t* src = atlas.pixels();
                int aw = atlas.width();
                for (int row = 0; row < e->height; ++row) {
                    int cy = gy + row;
                    if (cy < 0 || cy >= height)
                        continue;
                    uint8_t* dst = pixels + std::ptrdiff_t(cy) * stride;
                    const uint8_t* s = src + std::ptrdiff_t(e->y + row) * aw + e->x;
                    int c0 = std::max(0, -gx), c1 = std::min<int>(e->width, width - gx);
                    for (int col = c0; col < c1; ++col)
                        dst[gx + col] = std::max(dst[gx + col], s[col]);
                }
            }
        }
    }
}

} // namespace nafitha::text
