#pragma once
// Drawing a Layout, for both consumers:
//  - the kiosk UI turns it into textured quads over the glyph atlas (append_quads), then uploads the atlas
//    changes (see text/atlas.h) and draws the quads (straight alpha, coverage from the atlas's one channel);
//  - the printer blits coverage into its own grayscale canvas (render_to_gray) and thresholds to 1-bit.

#include "text/atlas.h"
#include "text/paragraph.h"

#include <cstdint>
#include <vector>

namespace nafitha::text {

// One glyph quad: screen rectangle (pixels, whole-pixel aligned) and atlas texture coordinates.
struct Quad {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    float u0 = 0, v0 = 0, u1 = 0, v1 = 0;
};

// Appends the quads of `layout` drawn with its box's top-left at (x, y) to `out`. Rasterises glyphs missing
// from the atlas. Allocates nothing when every glyph is already in the atlas and `out` has capacity (reuse
// one vector per frame: out.clear() keeps its capacity). If the atlas is rebuilt while appending, the
// quads of this layout are redone; quads appended earlier in the frame are stale when
// atlas.changes().generation changed since then (rare: only when a full max-size atlas is rebuilt).
void append_quads(const Layout& layout, GlyphAtlas& atlas, float x, float y, std::vector<Quad>& out);

// Blends the layout's glyph coverage into an 8-bit canvas (0 = paper, 255 = full ink) with the layout's box
// top-left at (x, y); each pixel becomes max(canvas, coverage). Clipped to the canvas.
void render_to_gray(const Layout& layout, GlyphAtlas& atlas, uint8_t* pixels, int width, int height, int stride,
                    int x, int y);

} // namespace nafitha::text
