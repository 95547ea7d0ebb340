// The engine's bidi stage (text/bidi.h) against Unicode's BidiCharacterTest.txt (Debian unicode-data).
// Cases with a code point assigned after FriBidi's Unicode version (DerivedAge.txt) are skipped and counted.

#include "text/bidi.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace nafitha::text;

namespace {

constexpr const char* kTestFile = "/usr/share/unicode/BidiCharacterTest.txt";
constexpr const char* kAgeFile = "/usr/share/unicode/DerivedAge.txt";

std::vector<std::string> split(const std::string& s, char sep)
{
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep))
        out.push_back(cur);
    if (!s.empty() && s.back() == sep)
        out.emplace_back();
    return out;
}

// Ranges of code points assigned in a Unicode version newer than `major.minor`.
std::vector<std::pair<char32_t, char32_t>> newer_than(int major, int minor)
{
    std::vector<std::pair<char32_t, char32_t>> out;
    std::ifstream in(kAgeFile);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        auto semi = line.find(';');
        if (semi == std::string::npos)
            continue;
        unsigned lo = 0, hi = 0;
        std::string range = line.substr(0, semi);
        if (std::sscanf(range.c_str(), "%x..%x", &lo, &hi) < 2)
            hi = lo;
        int ma = 0, mi = 0;
        std::sscanf(line.c_str() + semi + 1, " %d.%d", &ma, &mi);
        if (ma > major || (ma == major && mi > minor))
            out.emplace_back(char32_t(lo), char32_t(hi));
    }
    return out;
}

} // namespace

TEST_CASE("BidiCharacterTest.txt passes through the bidi stage")
{
    std::ifstream in(kTestFile);
    REQUIRE(in.good());
    int major = 0, minor = 0;
    std::sscanf(bidi_unicode_version(), "%d.%d", &major, &minor);
    REQUIRE(major >= 10);
    auto newer = newer_than(major, minor);
    REQUIRE(!newer.empty());
    auto is_newer = [&](char32_t cp) {
        for (auto [lo, hi] : newer)
            if (cp >= lo && cp <= hi)
                return true;
        return false;
    };

    size_t total = 0, passed = 0, skipped = 0;
    std::vector<std::string> failures;
    BidiParagraph para;
    std::vector<int8_t> levels;
    std::vector<uint32_t> visual;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        auto f = split(line, ';');
        if (f.size() < 5)
            continue;
        ++total;
        std::u32string text;
        bool skip = false;
        for (auto& hex : split(f[0], ' ')) {
            if (hex.empty())
                continue;
            char32_t cp = char32_t(std::stoul(hex, nullptr, 16));
            skip |= is_newer(cp);
            text.push_back(cp);
        }
        if (skip) {
            ++skipped;
            continue;
        }
        Direction dir = f[1] == "0" ? Direction::Ltr : f[1] == "1" ? Direction::Rtl : Direction::Auto;
        bidi_paragraph(text, dir, para);
        bidi_line(para, 0, text.size(), levels, visual);

        bool ok = std::to_string(para.paragraph_level) == f[2];
        auto want_levels = split(f[3], ' ');
        std::vector<bool> removed(text.size(), false);
        size_t k = 0;
        for (auto& w : want_levels) {
            if (w.empty())
                continue;
            if (k >= text.size()) {
                ok = false;
                break;
            }
            if (w == "x")
                removed[k] = true;
            else if (std::to_string(levels[k]) != w)
                ok = false;
            ++k;
        }
        std::string got_order;
        for (uint32_t v : visual)
            if (!removed[v])
                got_order += (got_order.empty() ? "" : " ") + std::to_string(v);
        std::string want_order;
        for (auto& w : split(f[4], ' '))
            if (!w.empty())
                want_order += (want_order.empty() ? "" : " ") + w;
        ok = ok && got_order == want_order;
        if (ok)
            ++passed;
        else if (failures.size() < 10)
            failures.push_back(line + "  got order: " + got_order);
    }
    for (auto& f : failures)
        UNSCOPED_INFO(f);
    std::printf("BidiCharacterTest: %zu cases, %zu passed, %zu skipped (code points newer than Unicode %s, "
                "FriBidi's data), %zu failed\n",
                total, passed, skipped, bidi_unicode_version(), total - passed - skipped);
    CHECK(total > 90000);
    CHECK(passed + skipped == total);
}

TEST_CASE("BidiTest.txt passes through the bidi stage")
{
    // Each bidi class is represented by one code point of that class.
    const std::map<std::string, char32_t> rep = {
        {"L", U'a'},      {"R", 0x05D0},    {"AL", 0x0627},   {"EN", U'1'},     {"ES", U'+'},     {"ET", U'$'},
        {"AN", 0x0660},   {"CS", U','},     {"NSM", 0x0300},  {"BN", 0x00AD},   {"B", 0x2029},    {"S", U'\t'},
        {"WS", U' '},     {"ON", U'!'},     {"LRE", 0x202A},  {"LRO", 0x202D},  {"RLE", 0x202B},  {"RLO", 0x202E},
        {"PDF", 0x202C},  {"LRI", 0x2066},  {"RLI", 0x2067},  {"FSI", 0x2068},  {"PDI", 0x2069}};
    std::ifstream in("/usr/share/unicode/BidiTest.txt");
    REQUIRE(in.good());
    std::vector<std::string> want_levels;
    std::string want_order;
    size_t total = 0, passed = 0;
    std::vector<std::string> failures;
    BidiParagraph para;
    std::vector<int8_t> levels;
    std::vector<uint32_t> visual;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        if (line.rfind("@Levels:", 0) == 0) {
            want_levels.clear();
            for (auto& w : split(line.substr(8), ' '))
                for (auto& v : split(w, '\t'))
                    if (!v.empty())
                        want_levels.push_back(v);
            continue;
        }
        if (line.rfind("@Reorder:", 0) == 0) {
            want_order.clear();
            for (auto& w : split(line.substr(9), ' '))
                for (auto& v : split(w, '\t'))
                    if (!v.empty())
                        want_order += (want_order.empty() ? "" : " ") + v;
            continue;
        }
        if (line[0] == '@')
            continue;
        auto semi = line.find(';');
        if (semi == std::string::npos)
            continue;
        std::u32string text;
        for (auto& cls : split(line.substr(0, semi), ' '))
            if (!cls.empty())
                text.push_back(rep.at(cls));
        int bits = std::stoi(line.substr(semi + 1));
        for (auto [bit, dir] : {std::pair{1, Direction::Auto}, std::pair{2, Direction::Ltr}, std::pair{4, Direction::Rtl}}) {
            if (!(bits & bit))
                continue;
            ++total;
            bidi_paragraph(text, dir, para);
            bidi_line(para, 0, text.size(), levels, visual);
            bool ok = want_levels.size() == text.size();
            std::vector<bool> removed(text.size(), false);
            for (size_t k = 0; ok && k < text.size(); ++k) {
                if (want_levels[k] == "x")
                    removed[k] = true;
                else if (std::to_string(levels[k]) != want_levels[k])
                    ok = false;
            }
            std::string got;
            for (uint32_t v : visual)
                if (v < removed.size() && !removed[v])
                    got += (got.empty() ? "" : " ") + std::to_string(v);
            ok = ok && got == want_order;
            if (ok)
                ++passed;
            else if (failures.size() < 10)
                failures.push_back(line + " dir bit " + std::to_string(bit) + " got order " + got);
        }
    }
    for (auto& f : failures)
        UNSCOPED_INFO(f);
    std::printf("BidiTest: %zu cases, %zu passed, %zu failed\n", total, passed, total - passed);
    CHECK(total > 700000);
    CHECK(passed == total);
}
