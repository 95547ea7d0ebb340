// `nafitha-ctl shape` against HarfBuzz's own `hb-shape` CLI on the corpus in tests/text/data/shape_corpus.txt.
//
// For every corpus line the expected output is built independently of the engine's layout code: the line is
// cut into runs of one bidi level (FriBidi, through the engine's bidi stage that BidiCharacterTest checks)
// and one script; each run is shaped by `hb-shape` with the rest of the line as context (--text-before /
// --text-after); the glyphs are then put in visual order by FriBidi's visual map of their clusters.

#include "base/utf8.h"
#include "text/bidi.h"

#include <catch2/catch.hpp>
#include <hb.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace nafitha;
using namespace nafitha::text;

namespace {

struct G {
    std::string gid;
    uint32_t cluster = 0;  // Byte offset in the line.
    std::string advance;
};

std::string quote(const std::string& s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string run_command(const std::string& cmd)
{
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    int rc = pclose(p);
    REQUIRE(rc == 0);
    return out;
}

std::vector<std::string> read_lines(const std::string& path)
{
    std::ifstream in(path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line))
        lines.push_back(line);
    return lines;
}

bool real_script(hb_script_t s) { return s != HB_SCRIPT_COMMON && s != HB_SCRIPT_INHERITED && s != HB_SCRIPT_UNKNOWN; }

// hb-shape's "[gid=cluster@x,y+advance|...]" (positions optional) into glyphs, clusters shifted by `base`.
std::vector<G> parse_hb(const std::string& text, uint32_t base)
{
    std::vector<G> out;
    std::string s = text;
    while (!s.empty() && (s.back() == '\n' || s.back() == ']'))
        s.pop_back();
    if (!s.empty() && s.front() == '[')
        s.erase(0, 1);
    size_t pos = 0;
    while (pos < s.size()) {
        size_t bar = s.find('|', pos);
        std::string item = s.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos);
        pos = bar == std::string::npos ? s.size() : bar + 1;
        G g;
        size_t eq = item.find('=');
        size_t plus = item.find('+');
        size_t at = item.find('@');
        g.gid = item.substr(0, eq);
        size_t cl_end = at != std::string::npos ? at : plus;
        g.cluster = uint32_t(std::stoul(item.substr(eq + 1, cl_end - eq - 1))) + base;
        g.advance = item.substr(plus + 1);
        out.push_back(g);
    }
    return out;
}

std::string expected_for(const std::string& font, const std::string& line)
{
    std::vector<uint32_t> bytes;
    std::u32string cps = utf8::decode(line, &bytes);
    bytes.push_back(uint32_t(line.size()));
    size_t n = cps.size();
    if (n == 0)
        return "";
    BidiParagraph para;
    bidi_paragraph(cps, Direction::Auto, para);
    std::vector<int8_t> final_levels;
    std::vector<uint32_t> visual;
    bidi_line(para, 0, n, final_levels, visual);
    std::vector<uint32_t> visual_pos(n);
    for (uint32_t v = 0; v < n; ++v)
        visual_pos[visual[v]] = v;

    // Scripts: Common/Inherited take the preceding script at the same level, else the following one at that
    // level, else the preceding one, else the first real script of the line.
    hb_unicode_funcs_t* uf = hb_unicode_funcs_get_default();
    std::vector<hb_script_t> scripts(n);
    hb_script_t first = HB_SCRIPT_COMMON;
    for (size_t i = 0; i < n; ++i) {
        scripts[i] = hb_unicode_script(uf, cps[i]);
        if (!real_script(first) && real_script(scripts[i]))
            first = scripts[i];
    }
    for (size_t i = 0; i < n;) {
        if (real_script(scripts[i])) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < n && !real_script(scripts[j]) && para.levels[j] == para.levels[i])
            ++j;
        hb_script_t fill = first;
        if (i > 0 && para.levels[i - 1] == para.levels[i])
            fill = scripts[i - 1];
        else if (j < n && para.levels[j] == para.levels[i] && real_script(scripts[j]))
            fill = scripts[j];
        else if (i > 0)
            fill = scripts[i - 1];
        for (size_t k = i; k < j; ++k)
            scripts[k] = fill;
        i = j;
    }

    std::vector<std::pair<G, uint32_t>> glyphs;  // Glyph and its cluster's visual position.
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && para.levels[j] == para.levels[i] && scripts[j] == scripts[i])
            ++j;
        std::string before = line.substr(0, bytes[i]);
        std::string text = line.substr(bytes[i], bytes[j] - bytes[i]);
        std::string after = line.substr(bytes[j]);
        char tag[5] = {};
        hb_tag_to_string(hb_script_to_iso15924_tag(scripts[i]), tag);
        std::string cmd = "hb-shape --no-glyph-names --utf8-clusters --font-funcs=ot";
        cmd += std::string(" --direction=") + (para.levels[i] & 1 ? "rtl" : "ltr");
        cmd += std::string(" --script=") + tag;
        if (scripts[i] == HB_SCRIPT_ARABIC)
            cmd += " --language=ar";
        if (!before.empty())
            cmd += " --text-before=" + quote(before);
        if (!after.empty())
            cmd += " --text-after=" + quote(after);
        cmd += " " + quote(font) + " --text=" + quote(text) + " 2>/dev/null";
        for (G& g : parse_hb(run_command(cmd), bytes[i])) {
            size_t cp = std::lower_bound(bytes.begin(), bytes.end(), g.cluster) - bytes.begin();
            glyphs.emplace_back(g, visual_pos[std::min(cp, n - 1)]);
        }
        i = j;
    }
    std::stable_sort(glyphs.begin(), glyphs.end(), [](auto& a, auto& b) { return a.second < b.second; });
    std::string out;
    for (auto& [g, _] : glyphs)
        out += (out.empty() ? "" : "|") + g.gid + "=" + std::to_string(g.cluster) + "+" + g.advance;
    return out;
}

} // namespace

TEST_CASE("nafitha-ctl shape equals hb-shape run by run on the corpus")
{
    const char* bin = std::getenv("NAFITHA_BIN_DIR");
    REQUIRE(bin != nullptr);
    std::string corpus = std::string(NAFITHA_SOURCE_DIR) + "/tests/text/data/shape_corpus.txt";
    auto lines = read_lines(corpus);
    REQUIRE(lines.size() >= 200);
    for (std::string font : {"/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
                             "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                             "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Regular.ttf"}) {
        auto output = run_command(std::string(bin) + "/nafitha-ctl shape --font " + quote(font) + " < " + quote(corpus));
        std::vector<std::string> got;
        size_t pos = 0;
        while (pos < output.size()) {
            size_t nl = output.find('\n', pos);
            got.push_back(output.substr(pos, nl - pos));
            pos = nl == std::string::npos ? output.size() : nl + 1;
        }
        REQUIRE(got.size() == lines.size());
        size_t same = 0;
        for (size_t i = 0; i < lines.size(); ++i) {
            std::string want = expected_for(font, lines[i]);
            INFO(font << " line " << i + 1 << ": " << lines[i]);
            CHECK(got[i] == want);
            same += got[i] == want;
        }
        std::printf("shape corpus %s: %zu of %zu lines equal hb-shape\n", font.c_str(), same, lines.size());
    }
}

TEST_CASE("nafitha-ctl shape uses exactly one face and reports a missing font")
{
    const char* bin = std::getenv("NAFITHA_BIN_DIR");
    REQUIRE(bin != nullptr);
    // Naskh has no Latin letters: with --font there is no fallback, so they are .notdef (gid 0).
    auto out = run_command("printf 'abc\\n' | " + std::string(bin) +
                           "/nafitha-ctl shape --font /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf");
    CHECK(out == "0=0+646|0=1+646|0=2+646\n");
    // Direction: an RTL paragraph puts the LTR run "ab" of an all-Latin line still left to right.
    auto rtl = run_command("printf 'ab\\n' | " + std::string(bin) +
                           "/nafitha-ctl shape --dir rtl --font /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf");
    auto ltr = run_command("printf 'ab\\n' | " + std::string(bin) +
                           "/nafitha-ctl shape --dir ltr --font /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf");
    CHECK(rtl == ltr);
    std::string cmd = std::string(bin) + "/nafitha-ctl shape --font /nonexistent/font.ttf < /dev/null 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[512] = {};
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    int rc = pclose(p);
    CHECK(rc != 0);
    std::string msg(buf, n);
    CHECK(msg.find("error.text.font_missing") != std::string::npos);
    CHECK(msg.find("/nonexistent/font.ttf") != std::string::npos);
}
