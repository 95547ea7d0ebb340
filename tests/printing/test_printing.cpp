// Bitmaps, ESC/POS encoding decoded back pixel for pixel, PNG, QR payload signing, layout rules and bad input.

#include "devices/escpos_stream.h"
#include "printing/escpos.h"
#include "printing/png.h"
#include "printing/qr.h"
#include "printing/render.h"
#include "tests/printing/helpers.h"

#include <catch2/catch.hpp>

using namespace nafitha;
using namespace nafitha::printing;
using namespace test_printing;

namespace {

// Decodes an ESC/POS stream with the project's decoder and compares it with the bitmap, dot for dot.
void require_escpos_matches(const std::string& bytes, const Bitmap& bitmap)
{
    auto commands = devices::escpos::parse_all(bytes);
    REQUIRE(commands.ok());
    auto page = devices::escpos::assemble_page(*commands);
    REQUIRE(page.ok());
    REQUIRE(int(page->width) == bitmap.width);
    REQUIRE(int(page->height) == bitmap.height);
    size_t diff = 0;
    for (int y = 0; y < bitmap.height; ++y)
        for (int x = 0; x < bitmap.width; ++x)
            diff += page->black(uint32_t(x), uint32_t(y)) != bitmap.black(x, y);
    REQUIRE(diff == 0);
    CHECK(page->cut);
}

Bitmap pattern(int w, int h)
{
    auto b = Bitmap::make(w, h).release_value();
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            if ((x * 31 + y * 17) % 7 < 3 || x == y)
                b.set(x, y);
    return b;
}

} // namespace

TEST_CASE("ESC/POS raster bands decode back to the same dots for every band height")
{
    auto b = pattern(384, 301);
    for (int band : {1, 24, 128, 255, 4096}) {
        EscPosOptions o;
        o.band_rows = band;
        auto bytes = encode_escpos(b, o);
        REQUIRE(bytes.ok());
        CHECK(bytes->substr(0, 2) == "\x1b\x40");
        require_escpos_matches(*bytes, b);
    }
    EscPosOptions kick;
    kick.drawer = Drawer::Kick;
    kick.cut = Cut::Full;
    kick.feed_lines = 6;
    auto bytes = encode_escpos(pattern(576, 10), kick).release_value();
    auto page = devices::escpos::assemble_page(devices::escpos::parse_all(bytes).value()).value();
    CHECK(page.drawer_kicked);
    CHECK(page.feed_lines_after == 6);
    CHECK(encode_escpos(pattern(100, 4)).error().code == "error.printing.bad_width");
}

TEST_CASE("PNG previews hold the same dots")
{
    auto dir = temp_dir("png");
    auto b = pattern(576, 77);
    REQUIRE(write_png(b, dir / "p.png").ok());
    auto back = read_png(dir / "p.png");
    REQUIRE(back.ok());
    CHECK(back->bits == b.bits);
    REQUIRE(fs::write_file_atomic(dir / "bad.png", "not a png").ok());
    CHECK(read_png(dir / "bad.png").error().code == "error.printing.bad_png");
    std::filesystem::remove_all(dir);
}

TEST_CASE("Threshold keeps text crisp and dithering keeps the tone of a photo")
{
    auto g = GrayImage::make(200, 100).release_value();
    for (auto& p : g.pixels)
        p = 64; // 25% ink
    CHECK(to_bitmap(g, Tone::Threshold).black_count() == 0);
    double share = double(to_bitmap(g, Tone::Dither).black_count()) / (200.0 * 100.0);
    CHECK(share > 0.22);
    CHECK(share < 0.28);
    CHECK(GrayImage::make(5000, 10).error().code == "error.printing.image_too_large");
}

TEST_CASE("A QR payload past the limit is refused")
{
    CHECK(make_qr(std::string(2000, 'x')).error().code == "error.printing.qr_too_long");
}

TEST_CASE("Start is the right edge in Arabic and the left edge in English")
{
    for (Lang lang : {Lang::Ar, Lang::En}) {
        Document d;
        d.lang = lang;
        d.text(lang == Lang::Ar ? "نافذة" : "Nafitha", TextSize::Large, TextWeight::Bold, BlockAlign::Start);
        auto b = render(d, kWidth80mm, engine());
        REQUIRE(b.ok());
        size_t left = 0, right = 0;
        for (int y = 0; y < b->height; ++y)
            for (int x = 0; x < b->width; ++x)
                if (b->black(x, y))
                    (x < b->width / 2 ? left : right)++;
        INFO("lang " << lang_code(lang));
        REQUIRE(left + right > 100);
        if (lang == Lang::Ar) {
            CHECK(right > 0);
            CHECK(left == 0);
        } else {
            CHECK(left > 0);
            CHECK(right == 0);
        }
    }
}

TEST_CASE("A paragraph with its own direction starts on its own side")
{
    Document d;
    d.lang = Lang::En;
    d.blocks.push_back(TextBlock{"نافذة", TextSize::Large, TextWeight::Bold, BlockAlign::Start, TextDirection::Own});
    auto b = render(d, kWidth58mm, engine());
    REQUIRE(b.ok());
    size_t left = 0, right = 0;
    for (int y = 0; y < b->height; ++y)
        for (int x = 0; x < b->width; ++x)
            if (b->black(x, y))
                (x < b->width / 2 ? left : right)++;
    CHECK(right > 100);
    CHECK(left == 0);
}

TEST_CASE("Overlong words and lines wrap inside the margins and nothing is cut off")
{
    std::string word(300, 'W');
    std::string arabic;
    for (int i = 0; i < 80; ++i)
        arabic += "مستندات ";
    for (int width : {kWidth58mm, kWidth80mm}) {
        Document d;
        d.lang = Lang::Ar;
        d.text(word, TextSize::Large);
        d.text(arabic);
        d.row("مفتاح طويل جدًا جدًا جدًا جدًا جدًا جدًا", std::string(120, '9'));
        auto b = render(d, width, engine());
        REQUIRE(b.ok());
        auto m = metrics_for_width(width);
        // Ink only between the margins.
        for (int y = 0; y < b->height; ++y)
            for (int x = 0; x < m.margin; ++x) {
                REQUIRE_FALSE(b->black(x, y));
                REQUIRE_FALSE(b->black(b->width - 1 - x, y));
            }
        // 300 wide letters at 30+ px need many lines: the layout grew instead of cutting.
        CHECK(b->height > 400);
        CHECK(b->black_count() > 20000);
    }
}

TEST_CASE("Bad input to the renderer is a clear error")
{
    Document d;
    d.text(std::string(5000, 'a'));
    CHECK(render(d, kWidth80mm, engine()).error().code == "error.printing.text_too_long");
    Document ok;
    ok.text("x");
    CHECK(render(ok, 100, engine()).error().code == "error.printing.bad_width");
    CHECK(render(ok, 390, engine()).error().code == "error.printing.bad_width");

    Document huge;
    GrayImage img;
    img.width = 6000;
    img.height = 6000;
    img.pixels.assign(size_t(img.width) * size_t(img.height), 128);
    huge.image(std::move(img));
    CHECK(render(huge, kWidth80mm, engine()).error().code == "error.printing.image_too_large");

    Document tall;
    GrayImage t;
    t.width = 100;
    t.height = 19000;
    t.pixels.assign(size_t(t.width) * size_t(t.height), 128);
    tall.image(std::move(t), 576);
    CHECK(render(tall, kWidth80mm, engine()).error().code == "error.printing.image_too_large");

    Document many;
    for (int i = 0; i < 500; ++i)
        many.space(1);
    CHECK(render(many, kWidth80mm, engine()).error().code == "error.printing.too_many_blocks");

    Document qr;
    qr.qr(std::string(1000, 'x'));
    CHECK(render(qr, kWidth58mm, engine()).error().code == "error.printing.qr_too_long");
}

TEST_CASE("A missing font file is a clear error that names the file")
{
    text::FontStackConfig config;
    config.regular = {{"/usr/share/fonts/no-such-font.ttf", "fonts-noto-core"}};
    auto e = text::TextEngine::create(config);
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().code == "error.text.font_missing");
    CHECK(e.error().detail.find("no-such-font.ttf") != std::string::npos);
}
