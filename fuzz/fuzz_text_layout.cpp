// libFuzzer target for the text engine: arbitrary bytes as UTF-8 text with options taken from the first
// bytes, through layout, caret, selection, grapheme editing, digits and rasterisation into a canvas.
// Build and run: installer/dev fuzz text_layout. The normal suite replays fuzz/corpus/text_layout/ and
// fuzz/regressions/text_layout/ through this function (tests/fuzz).

#include "text/atlas.h"
#include "text/caret.h"
#include "text/digits.h"
#include "text/paragraph.h"
#include "text/render.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using namespace nafitha::text;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static FontStack* fonts = [] {
        auto r = FontStack::load_default();
        if (!r.ok())
            std::abort();
        return new FontStack(r.release_value());
    }();
    static Shaper shaper;
    static GlyphAtlas atlas(*fonts, 256, 1024);
    if (size < 4)
        return 0;
    LayoutOptions o;
    o.direction = Direction(data[0] % 3);
    o.align = Align((data[0] >> 2) % 3);
    o.justify = Justify((data[0] >> 4) & 1);
    o.overflow = Overflow((data[0] >> 5) & 1);
    o.digits = DigitStyle((data[0] >> 6) % 3);
    o.max_width = float(data[1]) * 3;
    o.max_lines = data[2] % 5;
    o.pixel_size = 6 + data[3] % 40;
    std::string text(reinterpret_cast<const char*>(data + 4), size - 4);

    Layout layout;
    shaper.layout(text, *fonts, o, layout);
    for (const Glyph& g : layout.glyphs)
        if (g.cluster > text.size())
            std::abort();
    for (const Line& l : layout.lines)
        if (l.byte_begin > l.byte_end || l.byte_end > text.size() || l.first_run + l.run_count > layout.runs.size())
            std::abort();

    for (uint32_t b : layout.graphemes) {
        CaretPos c = caret_position(layout, b);
        (void)hit_test(layout, c.x, c.top + 1);
        (void)move_visual(layout, b, VisualMove::Left);
        (void)move_visual(layout, b, VisualMove::Right);
    }
    (void)selection_rects(layout, 0, text.size() / 2);
    std::string edit = text;
    size_t caret = edit.size();
    for (int i = 0; i < 4 && caret > 0; ++i)
        caret = delete_previous_grapheme(edit, caret);
    (void)normalise_digits(text);

    std::vector<uint8_t> canvas(200 * 60);
    render_to_gray(layout, atlas, canvas.data(), 200, 60, 200, 0, 0);
    atlas.clear_changes();
    return 0;
}
