// Caret placement, hit-testing, selection rectangles, visual movement and grapheme deletion.

#include "helpers.h"
#include "text/caret.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace nafitha::text;
using text_test::fonts;

namespace {

Layout lay(std::string_view text, LayoutOptions o = {})
{
    return layout_paragraph(text, fonts(), o);
}

} // namespace

TEST_CASE("Caret positions in pure Arabic go right to left and round-trip through hit-testing")
{
    std::string text = "سلام عليكم";
    Layout l = lay(text);
    float prev = INFINITY;
    for (uint32_t b : l.graphemes) {
        CaretPos c = caret_position(l, b);
        INFO("offset " << b);
        CHECK(c.x < prev);  // Every next logical boundary is further left.
        prev = c.x;
        CHECK(hit_test(l, c.x + 0.25f, 5) == b);
        CHECK(hit_test(l, c.x - 0.25f, 5) == b);
    }
    CHECK(caret_position(l, 0).x == Approx(l.lines[0].x + l.lines[0].width));
    CHECK(caret_position(l, text.size()).x == Approx(l.lines[0].x));
}

TEST_CASE("Caret round trips on a mixed Arabic Latin and digits line")
{
    std::string text = "رقم الطلب ABC-123 تم بنجاح";
    Layout l = lay(text);
    for (uint32_t b : l.graphemes) {
        CaretPos c = caret_position(l, b);
        size_t back = hit_test(l, c.x, c.top + c.height / 2);
        INFO("offset " << b << " x " << c.x << " back " << back);
        // At a direction boundary two offsets share one x: the round trip lands on an offset drawn there.
        CHECK(std::fabs(caret_position(l, back).x - c.x) < 0.5f);
    }
    // Inside the Latin run, offsets go left to right.
    size_t a = text.find("ABC");
    CHECK(caret_position(l, a).x < caret_position(l, a + 1).x);
    CHECK(caret_position(l, a + 1).x < caret_position(l, a + 2).x);
}

TEST_CASE("A lam-alef ligature has a caret stop between its two letters")
{
    std::string text = "سلام";  // س ل ا م: lam-alef in the middle.
    Layout l = lay(text);
    REQUIRE(l.graphemes.size() == 5);
    float x_lam = caret_position(l, 2).x;
    float x_alef = caret_position(l, 4).x;
    float x_meem = caret_position(l, 6).x;
    CHECK(x_lam > x_alef);
    CHECK(x_alef > x_meem);
}

TEST_CASE("Selection rectangles cover bidi text")
{
    std::string text = "مرحبا Hello عالم";
    Layout l = lay(text);
    // The whole text: rectangles whose widths add up to the line width.
    auto all = selection_rects(l, 0, text.size());
    float total = 0;
    for (auto& r : all)
        total += r.w;
    CHECK(total == Approx(l.lines[0].width).margin(0.5));
    // Just "Hello": one rectangle, between the Arabic words.
    size_t h = text.find("Hello");
    auto hello = selection_rects(l, h, h + 5);
    REQUIRE(hello.size() == 1);
    CHECK(hello[0].x == Approx(caret_position(l, h).x).margin(0.5));
    float hello_width = 0;
    text_test::each_glyph(l, [&](const Line&, const GlyphRun&, const Glyph& g) {
        if (g.cluster >= h && g.cluster < h + 5)
            hello_width += g.advance;
    });
    CHECK(hello[0].w == Approx(hello_width).margin(0.5));
    // From inside the first Arabic word into the Latin word: two separate rectangles.
    auto mixed = selection_rects(l, 4, h + 2);
    CHECK(mixed.size() == 2);
    CHECK(selection_rects(l, 3, 3).empty());
}

TEST_CASE("Visual movement follows the screen not the logical order")
{
    std::string text = "سلام";
    Layout l = lay(text);
    // In RTL text, moving left goes forward logically.
    CHECK(move_visual(l, 0, VisualMove::Left) == 2);
    CHECK(move_visual(l, 2, VisualMove::Left) == 4);
    CHECK(move_visual(l, 4, VisualMove::Right) == 2);
    CHECK(move_visual(l, 0, VisualMove::Right) == 0);  // Already at the right edge.
    Layout latin = lay("abc");
    CHECK(move_visual(latin, 0, VisualMove::Right) == 1);
    CHECK(move_visual(latin, 1, VisualMove::Left) == 0);
    // Every stop of a mixed line is reachable by moving left from the right edge.
    std::string mixed = "اسم Ali 12";
    Layout m = lay(mixed);
    size_t pos = 0;
    std::set<size_t> seen{pos};
    for (int i = 0; i < 40; ++i) {
        size_t next = move_visual(m, pos, VisualMove::Left);
        if (next == pos)
            break;
        CHECK(caret_position(m, next).x <= caret_position(m, pos).x + 0.01f);
        pos = next;
        seen.insert(pos);
    }
    CHECK(seen.size() >= 8);
}

TEST_CASE("Delete previous removes one grapheme with its harakat")
{
    std::string word = "مُحَمَّد";
    size_t caret = delete_previous_grapheme(word, word.size());
    CHECK(word == "مُحَمَّ");
    CHECK(caret == word.size());
    caret = delete_previous_grapheme(word, caret);  // Meem with shadda and fatha: one grapheme.
    CHECK(word == "مُحَ");
    std::string latin = "abc";
    CHECK(delete_previous_grapheme(latin, 0) == 0);
    CHECK(latin == "abc");
    CHECK(next_grapheme("بِّت", 0) == std::string("بِّ").size());
    CHECK(previous_grapheme("بِّت", std::string("بِّت").size()) == std::string("بِّ").size());
    CHECK(previous_grapheme("a\r\nb", 3) == 1);
    std::string bad = "a\xFF" "b";
    CHECK(delete_previous_grapheme(bad, 2) == 1);
    CHECK(bad == "ab");
}

TEST_CASE("Caret on empty and multi-line layouts")
{
    LayoutOptions o;
    o.max_width = 200;
    // An empty field with no strong character is LTR under Auto; an Arabic field asks for RTL explicitly.
    CHECK(caret_position(layout_paragraph("", fonts(), o), 0).x == Approx(0));
    o.direction = Direction::Rtl;
    Layout e = layout_paragraph("", fonts(), o);
    CHECK(caret_position(e, 0).x == Approx(200));
    CHECK(hit_test(e, 10, 10) == 0);
    std::string text = "سطر أول\nسطر ثان";
    Layout two = layout_paragraph(text, fonts(), o);
    REQUIRE(two.lines.size() == 2);
    size_t second = text.find('\n') + 1;
    CaretPos c = caret_position(two, second);
    CHECK(c.line == 1);
    CHECK(c.x == Approx(200).margin(0.5));
    CHECK(hit_test(two, 199, c.top + 2) == second);
}
