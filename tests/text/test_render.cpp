// Layout cache, glyph atlas, quads and grayscale rendering; a steady frame allocates nothing; golden PNGs.
//
// Golden images live in tests/text/golden/. On a mismatch the test writes the actual image and a diff image
// (red where they differ) to <build>/text-golden-out/ and fails. NAFITHA_UPDATE_GOLDEN=1 rewrites them.

#include "helpers.h"
#include "text/atlas.h"
#include "text/cache.h"
#include "text/engine.h"
#include "text/png.h"
#include "text/render.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <stb_image_write.h>

using namespace nafitha;
using namespace nafitha::text;
using text_test::fonts;

#ifdef NAFITHA_NO_ALLOCATION_COUNT
static uint64_t allocation_count() { return 0; }
#else
// Every heap allocation in the process (tests/text/alloc_counter.cpp interposes malloc).
uint64_t allocation_count();
#endif

TEST_CASE("The layout cache hits on the same key and misses on any change")
{
    Shaper shaper;
    LayoutCache cache(2);
    LayoutOptions o;
    const Layout& a = cache.get("مرحبا", o, fonts(), shaper);
    float w = a.width;
    CHECK(cache.misses() == 1);
    const Layout& b = cache.get("مرحبا", o, fonts(), shaper);
    CHECK(cache.hits() == 1);
    CHECK(&a == &b);
    CHECK(b.width == w);
    o.pixel_size = 30;
    cache.get("مرحبا", o, fonts(), shaper);
    CHECK(cache.misses() == 2);
    LayoutOptions o2;
    o2.max_width = 100;
    cache.get("مرحبا", o2, fonts(), shaper);  // Evicts the least recently used (size 24, no width).
    CHECK(cache.misses() == 3);
    CHECK(cache.size() == 2);
    cache.get("مرحبا", LayoutOptions{}, fonts(), shaper);
    CHECK(cache.misses() == 4);
    cache.get("مرحبا", o2, fonts(), shaper);
    CHECK(cache.hits() == 2);
    cache.clear();
    CHECK(cache.size() == 0);
}

TEST_CASE("A steady frame of labels shapes nothing and allocates nothing")
{
    auto engine = TextEngine::create();
    REQUIRE(engine.ok());
    TextEngine& e = **engine;
    std::vector<std::string> labels = {"الخدمات", "تجديد جواز السفر", "Passport renewal", "الرسوم: 150 ريال",
                                       "رقم التذكرة A-017", "(Ali) علي"};
    std::vector<Quad> quads;
    LayoutOptions o;
    o.pixel_size = 28;
    o.max_width = 400;
    o.align = Align::Center;
    auto frame = [&] {
        quads.clear();
        float y = 0;
        for (auto& label : labels) {
            e.label(label, 10, y, o, quads);
            y += 40;
        }
        e.atlas().clear_changes();
    };
    frame();
    frame();
    uint64_t misses = e.cache().misses();
    uint64_t rasterised = e.atlas().rasterised_count();
    size_t count = quads.size();
    uint64_t before = allocation_count();
    for (int i = 0; i < 10; ++i)
        frame();
    CHECK(allocation_count() == before);
    CHECK(e.cache().misses() == misses);
    CHECK(e.atlas().rasterised_count() == rasterised);
    CHECK(quads.size() == count);
    CHECK(count > 40);
    for (auto& q : quads) {
        CHECK(q.x1 > q.x0);
        CHECK(q.u1 > q.u0);
        CHECK(q.v1 <= 1.0f);
    }
}

TEST_CASE("The atlas rasterises once reports dirty regions grows and rebuilds")
{
    GlyphAtlas atlas(fonts(), 64, 128);
    CHECK(atlas.changes().recreate);
    atlas.clear_changes();
    uint32_t gid = fonts().face(0).glyph_for(U'م');
    const AtlasEntry* e = atlas.get({0, 32, gid});
    REQUIRE(e);
    CHECK(e->width > 0);
    CHECK_FALSE(atlas.changes().dirty.empty());
    CHECK(atlas.rasterised_count() == 1);
    // The bitmap in the atlas equals a direct rasterisation.
    auto direct = rasterise_glyph(fonts(), {0, 32, gid});
    REQUIRE(direct.ok());
    REQUIRE(direct->width == e->width);
    for (int y = 0; y < e->height; ++y)
        for (int x = 0; x < e->width; ++x)
            REQUIRE(atlas.pixels()[(e->y + y) * atlas.width() + e->x + x] == direct->coverage[y * direct->width + x]);
    atlas.clear_changes();
    atlas.get({0, 32, gid});
    CHECK(atlas.rasterised_count() == 1);
    CHECK(atlas.changes().dirty.empty());

    // Fill past 64x64: it grows to 128 and the first glyph's pixels move with it.
    for (uint32_t g = 100; g < 140; ++g)
        atlas.get({0, 20, g});
    CHECK(atlas.width() == 128);
    CHECK(atlas.changes().generation == 0);
    e = atlas.find({0, 32, gid});
    REQUIRE(e);
    for (int y = 0; y < e->height; ++y)
        for (int x = 0; x < e->width; ++x)
            REQUIRE(atlas.pixels()[(e->y + y) * atlas.width() + e->x + x] == direct->coverage[y * direct->width + x]);
    // Past the maximum size it is rebuilt: a new generation.
    for (uint32_t g = 200; g < 400; ++g)
        atlas.get({0, 30, g});
    CHECK(atlas.changes().generation > 0);
    CHECK(atlas.changes().recreate);
    CHECK(atlas.width() == 128);
    // Spaces have no bitmap but an entry; bad glyph ids have none.
    const AtlasEntry* space = atlas.get({0, 32, fonts().face(0).glyph_for(U' ')});
    REQUIRE(space);
    CHECK(space->width == 0);
    CHECK(atlas.get({0, 32, 9999999}) == nullptr);
}

TEST_CASE("Quads point at the right atlas pixels even when the atlas grows while appending")
{
    LayoutOptions o;
    o.pixel_size = 40;
    Layout l = layout_paragraph("أبجد هوز حطي كلمن سعفص قرشت ثخذ ضظغ ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789", fonts(), o);
    GlyphAtlas atlas(fonts(), 64, 2048);
    std::vector<Quad> quads;
    append_quads(l, atlas, 0, 0, quads);
    REQUIRE(atlas.width() > 64);
    size_t q = 0;
    text_test::each_glyph(l, [&](const Line&, const GlyphRun&, const Glyph& g) {
        auto bm = rasterise_glyph(fonts(), {g.font, uint16_t(l.pixel_size), g.glyph});
        REQUIRE(bm.ok());
        if (bm->width == 0)
            return;
        REQUIRE(q < quads.size());
        const Quad& quad = quads[q++];
        int ax = int(std::lround(quad.u0 * float(atlas.width())));
        int ay = int(std::lround(quad.v0 * float(atlas.height())));
        CHECK(quad.x1 - quad.x0 == Approx(bm->width));
        for (int y = 0; y < bm->height; ++y)
            for (int x = 0; x < bm->width; ++x)
                REQUIRE(atlas.pixels()[size_t(ay + y) * size_t(atlas.width()) + size_t(ax + x)] ==
                        bm->coverage[size_t(y) * size_t(bm->width) + size_t(x)]);
    });
    CHECK(q == quads.size());
}

namespace {

GrayImage render(std::string_view text, const LayoutOptions& o)
{
    Layout l = layout_paragraph(text, fonts(), o);
    GlyphAtlas atlas(fonts());
    GrayImage img;
    img.width = int(std::ceil(l.width)) + 16;
    img.height = int(std::ceil(l.height)) + 16;
    img.pixels.assign(size_t(img.width) * size_t(img.height), 0);
    render_to_gray(l, atlas, img.pixels.data(), img.width, img.height, img.width, 8, 8);
    for (auto& p : img.pixels)
        p = uint8_t(255 - p);
    return img;
}

void check_golden(const std::string& name, const GrayImage& img)
{
    std::string golden = std::string(NAFITHA_SOURCE_DIR) + "/tests/text/golden/" + name + ".png";
    if (const char* up = std::getenv("NAFITHA_UPDATE_GOLDEN"); up && std::string(up) == "1") {
        std::filesystem::create_directories(std::filesystem::path(golden).parent_path());
        REQUIRE(write_gray_png(golden, img).ok());
        return;
    }
    auto want = read_gray_png(golden);
    REQUIRE(want.ok());
    bool same_size = want->width == img.width && want->height == img.height;
    size_t differing = 0;
    if (same_size)
        for (size_t i = 0; i < img.pixels.size(); ++i)
            differing += std::abs(int(img.pixels[i]) - int(want->pixels[i])) > 16;
    if (!same_size || differing > 0) {
        auto out = std::filesystem::path(NAFITHA_BINARY_DIR) / "text-golden-out";
        std::filesystem::create_directories(out);
        (void)write_gray_png((out / (name + ".actual.png")).string(), img);
        // Diff over the union of both sizes: the golden in gray, differing pixels (or pixels only one image
        // has) in red.
        int w = std::max(img.width, want->width), h = std::max(img.height, want->height);
        std::vector<uint8_t> rgb(size_t(w) * size_t(h) * 3);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                bool in_a = x < img.width && y < img.height, in_w = x < want->width && y < want->height;
                int a = in_a ? img.pixels[size_t(y) * size_t(img.width) + size_t(x)] : 255;
                int g = in_w ? want->pixels[size_t(y) * size_t(want->width) + size_t(x)] : 255;
                bool diff = in_a != in_w || std::abs(a - g) > 16;
                uint8_t* px = &rgb[(size_t(y) * size_t(w) + size_t(x)) * 3];
                px[0] = diff ? 255 : uint8_t(g);
                px[1] = diff ? 0 : uint8_t(g);
                px[2] = diff ? 0 : uint8_t(g);
            }
        stbi_write_png((out / (name + ".diff.png")).string().c_str(), w, h, 3, rgb.data(), w * 3);
    }
    INFO(name << ": " << differing << " differing pixels; see " << NAFITHA_BINARY_DIR << "/text-golden-out/");
    CHECK(same_size);
    CHECK(differing == 0);
}

} // namespace

TEST_CASE("Golden paragraphs render as committed")
{
    LayoutOptions o;
    o.pixel_size = 26;
    o.max_width = 360;
    check_golden("receipt_ar",
                 render("وزارة الداخلية — إيصال دفع\nالخدمة: تجديد جواز السفر\nالاسم: أحمد بن علي (Ahmed Ali)\n"
                        "الرسوم: 150.00 ريال — رقم الطلب ٢٠٢٤-٠٠٠١٢٣\nالتاريخ 2024/05/01 الساعة 10:30",
                        o));
    o.justify = Justify::Spaces;
    check_golden("justified_ar",
                 render("بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ. تقدم نافذة خدمات حكومية متعددة للمواطنين في مراكز "
                        "الخدمة مثل تجديد جواز السفر وإصدار بطاقة الهوية ودفع الرسوم بسهولة وأمان.",
                        o));
    LayoutOptions c;
    c.pixel_size = 30;
    c.max_width = 300;
    c.align = Align::Center;
    c.max_lines = 2;
    check_golden("label_center_ellipsis",
                 render("Welcome to Nafitha — مرحبا بكم في نافذة، الخدمات الحكومية في مكان واحد", c));
}
