// Text engine benchmarks. Prints `bench <name> <value> <unit>` lines:
//   text.layout_cold_ratio  cold layout of a 60-character mixed line (Shaper::layout, no cache) over the bare
//                           FriBidi + hb_shape calls on the same text, measured side by side in one run.
//   text.layout_cached_ns   a layout cache hit for a label (TextEngine::layout).
//   text.glyph_raster_us    rasterising a new glyph into the atlas (FreeType render + shelf packing).

#include "base/utf8.h"
#include "text/engine.h"

#include <fribidi.h>
#include <hb.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace nafitha;
using namespace nafitha::text;
using Clock = std::chrono::steady_clock;

namespace {

std::atomic<uint64_t> g_sink{0};  // Keeps results observable.

template<typename Fn>
double ns_per_call(int iterations, Fn fn)
{
    auto start = Clock::now();
    for (int i = 0; i < iterations; ++i)
        fn();
    return double(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count()) / iterations;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// The bare calls: FriBidi levels with bracket types, then one hb_shape per level run with the whole line as
// context (Arabic face for RTL runs, Latin face for LTR runs).
struct Bare {
    const FontStack& fonts;
    std::u32string text;
    std::vector<FriBidiCharType> types;
    std::vector<FriBidiBracketType> brackets;
    std::vector<FriBidiLevel> levels;
    hb_buffer_t* buffer = hb_buffer_create();

    ~Bare() { hb_buffer_destroy(buffer); }

    void run()
    {
        auto n = FriBidiStrIndex(text.size());
        auto* chars = reinterpret_cast<const FriBidiChar*>(text.data());
        types.resize(text.size());
        brackets.resize(text.size());
        levels.resize(text.size());
        fribidi_get_bidi_types(chars, n, types.data());
        fribidi_get_bracket_types(chars, n, types.data(), brackets.data());
        FriBidiParType dir = FRIBIDI_PAR_ON;
        g_sink += fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), n, &dir, levels.data());
        size_t i = 0;
        while (i < text.size()) {
            size_t j = i + 1;
            while (j < text.size() && levels[j] == levels[i])
                ++j;
            hb_buffer_clear_contents(buffer);
            hb_buffer_add_utf32(buffer, reinterpret_cast<const uint32_t*>(text.data()), int(text.size()), unsigned(i),
                                int(j - i));
            hb_buffer_guess_segment_properties(buffer);
            hb_shape(fonts.face(levels[i] & 1 ? 0 : 1).hb_font(), buffer, nullptr, 0);
            g_sink += hb_buffer_get_length(buffer);
            i = j;
        }
    }
};

} // namespace

int main()
{
    auto stack = FontStack::load_default();
    if (!stack.ok()) {
        std::fprintf(stderr, "%s\n", stack.error().to_string().c_str());
        return 1;
    }
    const FontStack& fonts = *stack;
    std::string line = "رقم الطلب 2024/000123 للمواطن Ahmed Ali بمبلغ 150.00 ريال";
    while (utf8::length(line) < 60)
        line += ".";
    LayoutOptions options;
    options.pixel_size = 24;
    options.max_width = 1000;

    // Cold layout vs bare calls, interleaved call by call (the machines are shared and noisy): the median of
    // the per-pair ratios over many pairs.
    Shaper shaper;
    Layout layout;
    Bare bare{fonts, utf8::decode(line), {}, {}, {}};
    for (int i = 0; i < 300; ++i) {
        shaper.layout(line, fonts, options, layout);
        bare.run();
    }
    std::vector<double> ratios, colds, bares;
    for (int pair = 0; pair < 4000; ++pair) {
        double b = ns_per_call(1, [&] { bare.run(); });
        double c = ns_per_call(1, [&] {
            shaper.layout(line, fonts, options, layout);
            g_sink += layout.glyphs.size();
        });
        ratios.push_back(c / b);
        colds.push_back(c);
        bares.push_back(b);
    }
    std::fprintf(stderr, "cold layout %.0f ns, bare FriBidi + hb_shape %.0f ns (medians, %zu code points)\n",
                 median(colds), median(bares), bare.text.size());
    std::printf("bench text.layout_cold_ratio %.3f ratio\n", median(ratios));

    // Cache hit.
    TextEngine engine(std::move(stack.value()));
    std::vector<double> hits;
    engine.layout(line, options);
    for (int batch = 0; batch < 15; ++batch)
        hits.push_back(ns_per_call(20000, [&] { g_sink += engine.layout(line, options).glyphs.size(); }));
    std::printf("bench text.layout_cached_ns %.1f ns\n", median(hits));

    // New glyphs into the atlas: distinct (glyph, size) keys, so every call rasterises.
    const FontStack& efonts = engine.fonts();
    GlyphAtlas atlas(efonts, 1024, 4096);
    uint32_t glyphs = 400;
    std::vector<double> raster;
    int size = 20;
    for (int batch = 0; batch < 5; ++batch, size += 2) {
        uint32_t g0 = 1;
        raster.push_back(ns_per_call(int(glyphs), [&] {
                             g_sink += atlas.get({0, uint16_t(size), g0++}) != nullptr;
                         }) / 1000.0);
    }
    std::printf("bench text.glyph_raster_us %.2f us\n", median(raster));
    return g_sink == 42 ? 1 : 0;
}
