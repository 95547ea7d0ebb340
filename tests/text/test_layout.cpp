// Paragraph layout on real fonts: fallback, joining, bidi order, line breaking, alignment, justification,
// ellipsis, newlines, digits, and bad input.

#include "base/utf8.h"
#include "helpers.h"
#include "text/digits.h"
#include "text/paragraph.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

using namespace nafitha;
using namespace nafitha::text;
using text_test::each_glyph;
using text_test::fonts;

namespace {

constexpr FontId kNaskh = 0;
constexpr FontId kLatin = 1;

Layout lay(std::string_view text, LayoutOptions o = {})
{
    return layout_paragraph(text, fonts(), o);
}

} // namespace

TEST_CASE("Latin letters and parentheses fall back to Noto Sans per cluster")
{
    std::string text = "أحمد (Ali)";
    Layout l = lay(text);
    REQUIRE(l.lines.size() == 1);
    CHECK(l.rtl);
    each_glyph(l, [&](const Line&, const GlyphRun&, const Glyph& g) {
        INFO("cluster " << g.cluster);
        CHECK(g.glyph != 0);  // No .notdef anywhere.
        char c = text[g.cluster];
        if (c == 'A' || c == 'l' || c == 'i' || c == '(' || c == ')')
            CHECK(g.font == kLatin);
        if (uint8_t(c) >= 0xD8)  // Arabic letters (lead bytes D8..DB).
            CHECK(g.font == kNaskh);
    });
}

TEST_CASE("Arabic letters join and lam-alef forms a ligature")
{
    const Face& naskh = fonts().face(kNaskh);
    Layout lone = lay("ب");
    Layout pair = lay("بب");
    REQUIRE(lone.glyphs.size() == 1);
    REQUIRE(pair.glyphs.size() == 2);
    CHECK(lone.glyphs[0].glyph == naskh.glyph_for(U'ب'));
    // Joined forms (final on the left, initial on the right) differ from the isolated glyph.
    CHECK(pair.glyphs[0].glyph != naskh.glyph_for(U'ب'));
    CHECK(pair.glyphs[1].glyph != naskh.glyph_for(U'ب'));
    Layout la = lay("لا");
    Layout l_then_a = lay("ل ا");
    std::set<uint32_t> la_glyphs, separate;
    for (auto& g : la.glyphs)
        la_glyphs.insert(g.glyph);
    CHECK_FALSE(la_glyphs.count(naskh.glyph_for(U'ل')));
    CHECK_FALSE(la_glyphs.count(naskh.glyph_for(U'ا')));
    CHECK(l_then_a.glyphs.size() == 3);
}

TEST_CASE("RTL text runs right to left and numbers inside it left to right")
{
    std::string text = "رقم 123 تم";
    Layout l = lay(text);
    REQUIRE(l.lines.size() == 1);
    float x1 = -1, x2 = -1, x3 = -1, x_r = -1, x_t = -1;
    each_glyph(l, [&](const Line&, const GlyphRun&, const Glyph& g) {
        if (text[g.cluster] == '1') x1 = g.x;
        if (text[g.cluster] == '2') x2 = g.x;
        if (text[g.cluster] == '3') x3 = g.x;
        if (g.cluster == 0) x_r = g.x;
        if (g.cluster == text.find("تم")) x_t = g.x;
    });
    CHECK(x1 < x2);
    CHECK(x2 < x3);
    CHECK(x_r > x3);  // The first word is on the right.
    CHECK(x_t < x1);  // The last word is on the left.
    // Arabic-Indic digits are AN: still left to right.
    std::string indic = "رقم ١٢٣";
    Layout li = lay(indic);
    float a = -1, c = -1;
    each_glyph(li, [&](const Line&, const GlyphRun&, const Glyph& g) {
        if (g.cluster == indic.find("١")) a = g.x;
        if (g.cluster == indic.find("٣")) c = g.x;
    });
    CHECK(a < c);
}

TEST_CASE("Line breaking keeps words whole and wraps to the width")
{
    std::string text = "تقدم نافذة خدمات حكومية متعددة للمواطنين في مراكز الخدمة مثل تجديد جواز السفر "
                       "وإصدار بطاقة الهوية الوطنية ودفع الرسوم عبر الشاشة اللمسية بسهولة وأمان";
    LayoutOptions o;
    o.pixel_size = 24;
    o.max_width = 260;
    Layout l = lay(text, o);
    REQUIRE(l.lines.size() >= 4);
    for (size_t i = 0; i < l.lines.size(); ++i) {
        const Line& line = l.lines[i];
        CHECK(line.width <= o.max_width + 0.01f);
        if (i > 0) {
            CHECK(line.byte_begin == l.lines[i - 1].byte_end);
            CHECK(text[line.byte_begin - 1] == ' ');  // Broken after a space: the word is whole.
        }
        // The line is right-aligned (start of an RTL paragraph).
        CHECK(std::fabs(line.x + line.width - o.max_width) < 0.01f);
    }
    CHECK(l.lines.back().byte_end == text.size());
    CHECK(l.height == Approx(l.lines.size() * l.lines[0].height));

    // A word wider than the box is broken between graphemes (never inside one).
    LayoutOptions narrow = o;
    narrow.max_width = 40;
    Layout w = lay("الاستعلامات", narrow);
    CHECK(w.lines.size() >= 2);
    for (auto& line : w.lines)
        CHECK(line.width <= 40 + 8);  // Measured on the unbroken word; joining forms at the cut differ a little.
}

TEST_CASE("Alignment start end and centre follow the paragraph direction")
{
    LayoutOptions o;
    o.max_width = 400;
    for (Align a : {Align::Start, Align::End, Align::Center}) {
        o.align = a;
        Layout ar = lay("مرحبا", o);
        Layout en = lay("Hello", o);
        const Line& r = ar.lines[0];
        const Line& e = en.lines[0];
        if (a == Align::Start) {
            CHECK(std::fabs(r.x + r.width - 400) < 0.01f);
            CHECK(std::fabs(e.x) < 0.01f);
        } else if (a == Align::End) {
            CHECK(std::fabs(r.x) < 0.01f);
            CHECK(std::fabs(e.x + e.width - 400) < 0.01f);
        } else {
            CHECK(std::fabs(r.x - (400 - r.width) / 2) < 0.01f);
            CHECK(std::fabs(e.x - (400 - e.width) / 2) < 0.01f);
        }
    }
    o.direction = Direction::Ltr;
    o.align = Align::Start;
    Layout forced = lay("مرحبا", o);
    CHECK_FALSE(forced.rtl);
    CHECK(std::fabs(forced.lines[0].x) < 0.01f);
}

TEST_CASE("Justified lines fill the width by stretching spaces")
{
    LayoutOptions o;
    o.max_width = 300;
    o.justify = Justify::Spaces;
    std::string text = "تقدم نافذة خدمات حكومية متعددة للمواطنين في مراكز الخدمة مثل تجديد جواز السفر";
    Layout l = lay(text, o);
    REQUIRE(l.lines.size() >= 2);
    for (size_t i = 0; i + 1 < l.lines.size(); ++i) {
        const Line& line = l.lines[i];
        CHECK(line.width == Approx(300).margin(0.05));
        CHECK(line.x == Approx(0).margin(0.05));
    }
    CHECK(l.lines.back().width < 300);  // The last line of a paragraph is not stretched.
}

TEST_CASE("Ellipsis truncates at the logical end within the line limit")
{
    std::string text = "خدمة تجديد جواز السفر للمواطنين المقيمين خارج البلاد مع التوصيل";
    LayoutOptions o;
    o.max_width = 200;
    o.max_lines = 1;
    Layout l = lay(text, o);
    REQUIRE(l.lines.size() == 1);
    CHECK(l.truncated);
    CHECK(l.lines[0].ellipsized);
    CHECK(l.lines[0].width <= 200.01f);
    // The ellipsis is at the logical end: the leftmost glyph of an RTL line.
    uint32_t leftmost = l.glyphs[l.runs[l.lines[0].first_run].first_glyph].glyph;
    FontId ef = fonts().face_for(0x2026, Weight::Regular);
    CHECK(leftmost == fonts().face(ef).glyph_for(0x2026));
    // Two lines allowed: two lines, the second ellipsized.
    o.max_lines = 2;
    Layout two = lay(text, o);
    REQUIRE(two.lines.size() == 2);
    CHECK_FALSE(two.lines[0].ellipsized);
    CHECK(two.lines[1].ellipsized);
    // Clip: no ellipsis glyph.
    o.overflow = Overflow::Clip;
    Layout clip = lay(text, o);
    CHECK(clip.truncated);
    CHECK_FALSE(clip.lines.back().ellipsized);
}

TEST_CASE("Newlines make paragraphs each with its own direction")
{
    Layout l = lay("مرحبا\nHello\r\nسلام\n");
    REQUIRE(l.lines.size() == 4);
    CHECK(l.lines[0].rtl);
    CHECK_FALSE(l.lines[1].rtl);
    CHECK(l.lines[2].rtl);
    CHECK(l.lines[3].run_count == 0);  // The empty paragraph after the final newline.
    CHECK(l.lines[1].byte_begin == std::string("مرحبا\n").size());
    Layout e = lay("");
    REQUIRE(e.lines.size() == 1);
    CHECK(e.glyphs.empty());
    CHECK(e.height > 0);
}

TEST_CASE("Display digits follow the locale and normalisation gives ASCII")
{
    CHECK(digit_style_for(Lang::Ar) == DigitStyle::ArabicIndic);
    CHECK(digit_style_for(Lang::En) == DigitStyle::Western);
    LayoutOptions o;
    o.digits = DigitStyle::ArabicIndic;
    std::string text = "رقم 105";
    Layout l = lay(text, o);
    const Face& naskh = fonts().face(kNaskh);
    std::set<uint32_t> got;
    each_glyph(l, [&](const Line&, const GlyphRun&, const Glyph& g) { got.insert(g.glyph); });
    CHECK(got.count(naskh.glyph_for(0x0661)));
    CHECK(got.count(naskh.glyph_for(0x0665)));
    CHECK_FALSE(got.count(naskh.glyph_for(U'1')));
    CHECK(text == "رقم 105");  // The input is never altered.
    o.digits = DigitStyle::Western;
    Layout w = lay("١٠٥", o);
    std::set<uint32_t> wg;
    each_glyph(w, [&](const Line&, const GlyphRun&, const Glyph& g) { wg.insert(g.glyph); });
    CHECK(wg.count(naskh.glyph_for(U'1')));
    CHECK(normalise_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲ １２ 42 نص") == "0123456789 012 12 42 نص");
    CHECK(to_display_digits("ID 2024", DigitStyle::ArabicIndic) == "ID ٢٠٢٤");
    CHECK(digit_value(U'x') == -1);
}

TEST_CASE("Invalid UTF-8 is replaced and never crashes")
{
    for (std::string bad : {std::string("\xFF\xFE"), std::string("abc\xE2\x82"), std::string("\xC0\xAF مرحبا"),
                            std::string("\xED\xA0\x80\xF4\x90\x80\x80"), std::string(1, '\0') + "x"}) {
        Layout l = lay(bad);
        REQUIRE(l.lines.size() >= 1);
        CHECK(l.text_bytes == bad.size());
        each_glyph(l, [&](const Line&, const GlyphRun&, const Glyph& g) { CHECK(g.cluster < bad.size()); });
    }
}

TEST_CASE("A 100000 character paragraph lays out completely")
{
    std::string unit = "خدمة 123 Service، ";
    std::string text;
    while (nafitha::utf8::length(text) < 100000)
        text += unit;
    LayoutOptions o;
    o.max_width = 800;
    Layout l = lay(text, o);
    CHECK_FALSE(l.truncated);
    REQUIRE(l.lines.size() > 100);
    CHECK(l.lines.back().byte_end == text.size());
    for (auto& line : l.lines)
        CHECK(line.width <= 800.01f);
    // Beyond the code point limit the input is cut, and says so.
    std::string huge(kMaxLayoutCodePoints + 10, 'a');
    Layout h = lay(huge);
    CHECK(h.truncated);
    CHECK(h.text_bytes == kMaxLayoutCodePoints);
}

TEST_CASE("Deep bidi embeddings and isolates do not break layout")
{
    std::string deep;
    for (int i = 0; i < 300; ++i)
        deep += i % 2 ? "\u202B" : "\u202A";  // LRE / RLE, past the maximum depth of 125.
    deep += "abc مرحبا 123";
    for (int i = 0; i < 300; ++i)
        deep += "\u202C";
    std::string isolates;
    for (int i = 0; i < 300; ++i)
        isolates += i % 2 ? "\u2067" : "\u2066";
    isolates += "نص";
    for (auto& t : {deep, isolates}) {
        Layout l = lay(t);
        REQUIRE(l.lines.size() == 1);
        for (auto& r : l.runs)
            CHECK(r.level <= 126);
        each_glyph(l, [&](const Line&, const GlyphRun&, const Glyph& g) { CHECK(g.cluster < t.size()); });
    }
}

TEST_CASE("Control characters take no space")
{
    Layout plain = lay("ab");
    Layout ctrl = lay(std::string("a\x01\x02\x1B") + "b\x7F");
    CHECK(ctrl.lines.size() == 1);
    CHECK(ctrl.lines[0].width == Approx(plain.lines[0].width));
    Layout tab = lay("a\tb");
    CHECK(tab.lines[0].width > plain.lines[0].width);
}

TEST_CASE("A missing or corrupt font is a clear error naming the file and the package")
{
    auto missing = FontStack::load(std::vector<FontFile>{{"/nonexistent/NotoNaskhArabic-Regular.ttf", "fonts-noto-core"}});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "error.text.font_missing");
    CHECK(missing.error().detail.find("/nonexistent/NotoNaskhArabic-Regular.ttf") != std::string::npos);
    CHECK(missing.error().detail.find("fonts-noto-core") != std::string::npos);

    auto path = std::filesystem::temp_directory_path() / ("nafitha-bad-font-" + std::to_string(::getpid()) + ".ttf");
    {
        std::ofstream out(path, std::ios::binary);
        out << "this is not a font file at all";
    }
    auto corrupt = FontStack::load(std::vector<FontFile>{{path.string(), "fonts-hosny-amiri"}});
    std::filesystem::remove(path);
    REQUIRE_FALSE(corrupt.ok());
    CHECK(corrupt.error().code == "error.text.font_corrupt");
    CHECK(corrupt.error().detail.find("fonts-hosny-amiri") != std::string::npos);

    auto none = FontStack::load(FontStackConfig{});
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == "error.text.no_fonts");

    auto amiri = FontStack::load_default(ArabicDesign::Amiri);
    REQUIRE(amiri.ok());
    CHECK(amiri->size() == 4);
}

TEST_CASE("Bold text uses the bold chain")
{
    LayoutOptions o;
    o.weight = Weight::Bold;
    Layout l = lay("مرحبا Ali", o);
    each_glyph(l, [&](const Line&, const GlyphRun&, const Glyph& g) { CHECK(g.font >= 2); });
}

TEST_CASE("Brackets in RTL text are mirrored and paired")
{
    std::string text = "أحمد (علي) سالم";
    Layout l = lay(text);
    const Face& latin = fonts().face(kLatin);
    size_t open = text.find('('), close = text.find(')');
    float x_open = 0, x_close = 0, x_ali = 0;
    each_glyph(l, [&](const Line&, const GlyphRun&, const Glyph& g) {
        if (g.cluster == open) {
            CHECK(g.glyph == latin.glyph_for(U')'));  // Mirrored: "(" at level 1 is drawn as ")".
            x_open = g.x;
        }
        if (g.cluster == close) {
            CHECK(g.glyph == latin.glyph_for(U'('));
            x_close = g.x;
        }
        if (g.cluster == open + 1)
            x_ali = g.x;
    });
    CHECK(x_open > x_ali);   // The opening bracket is on the right of the word it opens.
    CHECK(x_close < x_ali);
}

TEST_CASE("Bidi reordering is done per line after line breaking")
{
    // "Hello World" is one LTR run logically; wrapped between its words, each line orders its own runs.
    std::string text = "مرحبا Hello World كيف";
    LayoutOptions o;
    o.pixel_size = 24;
    Layout one = lay(text, o);
    float full = one.lines[0].width;
    size_t world = text.find("World");
    // A width that keeps "مرحبا Hello" on the first line and moves "World كيف" to the second.
    Layout probe = lay("مرحبا Hello", o);
    o.max_width = probe.lines[0].width + 2;
    REQUIRE(o.max_width < full);
    Layout l = lay(text, o);
    REQUIRE(l.lines.size() == 2);
    CHECK(l.lines[1].byte_begin == world);
    float x_world = -1, x_kayfa = -1;
    each_glyph(l, [&](const Line& line, const GlyphRun&, const Glyph& g) {
        if (&line != &l.lines[1])
            return;
        if (g.cluster == world)
            x_world = g.x;
        if (g.cluster == text.find("كيف"))
            x_kayfa = g.x;
    });
    // On its own line "World" comes first in the RTL paragraph, so it is on the right of "كيف".
    CHECK(x_world > x_kayfa);
    CHECK(l.lines[1].x + l.lines[1].width == Approx(o.max_width).margin(0.01));
}
