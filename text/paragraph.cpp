// Paragraph layout: bidi, itemisation with per-cluster font fallback, shaping, line breaking, per-line
// reordering, ellipsis, alignment and justification. See text/paragraph.h for the pipeline.

#include "text/paragraph.h"

#include "base/utf8.h"
#include "text/digits.h"
#include "text/unicode.h"

#include <algorithm>
#include <cmath>

#include <hb.h>
#include <linebreak.h>

namespace nafitha::text {

namespace {

constexpr char32_t kEllipsis = 0x2026;

// One glyph as HarfBuzz produced it for a run, in the run's visual order, positions in pixels.
struct ShapedGlyph {
    uint32_t gid = 0;
    uint32_t cluster = 0;  // Code point index within the paragraph.
    float advance = 0, x_offset = 0, y_offset = 0;
    bool unsafe_to_break = false;
};

// A run of one bidi level, script and font, in logical order within a paragraph.
struct ShapedRun {
    uint32_t begin = 0, end = 0;  // Code point indices within the paragraph.
    int8_t level = 0;
    hb_script_t script = HB_SCRIPT_COMMON;
    FontId font = 0;
    uint32_t glyph_begin = 0, glyph_end = 0;
};

// A shaped paragraph.
struct Para {
    std::vector<char32_t> cps;        // Original code points (bidi input).
    std::vector<char32_t> display;    // Code points to shape (digits substituted, controls hidden).
    std::vector<uint32_t> bytes;      // Byte offset of each code point in the input text; one extra at the end.
    std::vector<float> advance;       // Width per code point (a cluster's width on its first code point).
    std::vector<uint8_t> cluster_start;  // 1 where a shaped cluster starts.
    BidiParagraph bidi;
    std::vector<ShapedRun> runs;
    std::vector<ShapedGlyph> glyphs;

    size_t size() const { return cps.size(); }
    void clear()
    {
        cps.clear();
        display.clear();
        bytes.clear();
        advance.clear();
        cluster_start.clear();
        runs.clear();
        glyphs.clear();
    }
};

// A piece of a line: one run (or part of it) at one final level, its glyphs copied in visual order.
struct Item {
    uint32_t begin = 0, end = 0;
    int8_t level = 0;
    FontId font = 0;
    uint32_t glyph_begin = 0, glyph_end = 0;  // Into Scratch::line_glyphs.
};

hb_direction_t direction_of(int8_t level) { return level & 1 ? HB_DIRECTION_RTL : HB_DIRECTION_LTR; }

bool is_real_script(hb_script_t s)
{
    return s != HB_SCRIPT_COMMON && s != HB_SCRIPT_INHERITED && s != HB_SCRIPT_UNKNOWN;
}

} // namespace

struct Shaper::Scratch {
    hb_buffer_t* buffer = hb_buffer_create();
    hb_unicode_funcs_t* ufuncs = hb_unicode_funcs_get_default();
    hb_language_t arabic = hb_language_from_string("ar", -1);
    std::vector<char32_t> all;        // The decoded input.
    std::vector<uint32_t> all_bytes;  // Byte offset per decoded code point, plus the end.
    Para para;
    Para ellipsis_para;
    std::vector<hb_script_t> scripts;
    std::vector<char> breaks;
    std::vector<std::pair<uint32_t, uint32_t>> line_ranges;
    std::vector<int8_t> line_levels;
    std::vector<uint8_t> neutral;  // Per code point: Common or Inherited script.
    // A small direct-mapped cache of code point -> first face of the chain that has it.
    struct FaceCacheSlot {
        char32_t cp = 0xFFFFFFFF;
        FontId font = 0;
    };
    FaceCacheSlot face_cache[2][256];
    uint64_t face_cache_stack = 0;
    FontId face_for(const FontStack& fonts, char32_t cp, Weight weight)
    {
        if (face_cache_stack != fonts.id()) {
            for (auto& row : face_cache)
                for (auto& slot : row)
                    slot = FaceCacheSlot{};
            face_cache_stack = fonts.id();
        }
        FaceCacheSlot& slot = face_cache[weight == Weight::Bold][cp & 255];
        if (slot.cp != cp) {
            slot.cp = cp;
            slot.font = fonts.face_for(cp, weight);
        }
        return slot.font;
    }
    std::vector<Item> items;
    std::vector<ShapedGlyph> line_glyphs;
    std::vector<uint32_t> visible_end;  // Per output line: the byte offset where hanging spaces start.

    ~Scratch() { hb_buffer_destroy(buffer); }

    void decode(std::string_view text, Layout& out);
    void shape_paragraph(Para& p, const FontStack& fonts, const LayoutOptions& o, Direction dir, float size);
    void shape_range(const Para& p, const FontStack& fonts, FontId font, int8_t level, hb_script_t script,
                     uint32_t ctx_begin, uint32_t ctx_end, uint32_t begin, uint32_t end, float size,
                     std::vector<ShapedGlyph>& out);
    void break_lines(const Para& p, const LayoutOptions& o);
    void emit_line(const Para& p, uint32_t begin, uint32_t end, const FontStack& fonts, float size, Layout& out,
                   Line& line);
    bool boundary_safe(const Para& p, const ShapedRun& run, uint32_t at) const;
    bool choose_neutral_font(const Para& p, const FontStack& fonts, const LayoutOptions& o, uint32_t i,
                             FontId prev_font, uint32_t& end, FontId& font);
};

Shaper::Shaper() : m_scratch(std::make_unique<Scratch>()) {}
Shaper::~Shaper() = default;

void Layout::clear()
{
    glyphs.clear();
    runs.clear();
    lines.clear();
    graphemes.clear();
    width = height = content_width = 0;
    pixel_size = 0;
    rtl = truncated = false;
    text_bytes = 0;
}

void Shaper::Scratch::decode(std::string_view text, Layout& out)
{
    all.clear();
    all_bytes.clear();
    out.graphemes.clear();
    size_t pos = 0;
    char32_t prev = 0;
    while (pos < text.size() && all.size() < kMaxLayoutCodePoints) {
        all_bytes.push_back(uint32_t(pos));
        char32_t cp = utf8::decode_next(text, pos);
        if (all.empty() || !unicode::continues_grapheme(prev, cp))
            out.graphemes.push_back(all_bytes.back());
        all.push_back(cp);
        prev = cp;
    }
    if (pos < text.size())
        out.truncated = true;
    all_bytes.push_back(uint32_t(pos));
    out.graphemes.push_back(uint32_t(pos));
    out.text_bytes = pos;
}

// Shapes [begin, end) of `p` as one HarfBuzz run with [ctx_begin, ctx_end) as context; appends the glyphs in
// visual order with clusters as paragraph code point indices.
void Shaper::Scratch::shape_range(const Para& p, const FontStack& fonts, FontId font, int8_t level,
                                  hb_script_t script, uint32_t ctx_begin, uint32_t ctx_end, uint32_t begin,
                                  uint32_t end, float size, std::vector<ShapedGlyph>& out)
{
    const Face& face = fonts.face(font);
    hb_buffer_clear_contents(buffer);
    hb_buffer_set_direction(buffer, direction_of(level));
    hb_buffer_set_script(buffer, script);
    if (script == HB_SCRIPT_ARABIC)
        hb_buffer_set_language(buffer, arabic);
    hb_buffer_add_utf32(buffer, reinterpret_cast<const uint32_t*>(p.display.data()) + ctx_begin,
                        int(ctx_end - ctx_begin), begin - ctx_begin, int(end - begin));
    hb_shape(face.hb_font(), buffer, nullptr, 0);
    unsigned n = 0;
    hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buffer, &n);
    hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buffer, &n);
    float scale = size / float(face.units_per_em());
    for (unsigned i = 0; i < n; ++i) {
        ShapedGlyph g;
        g.gid = info[i].codepoint;
        g.cluster = info[i].cluster + ctx_begin;
        g.advance = float(pos[i].x_advance) * scale;
        g.x_offset = float(pos[i].x_offset) * scale;
        g.y_offset = float(pos[i].y_offset) * scale;
        g.unsafe_to_break = hb_glyph_info_get_glyph_flags(&info[i]) & HB_GLYPH_FLAG_UNSAFE_TO_BREAK;
        out.push_back(g);
    }
}

// A sequence of neutral characters (digits, punctuation, spaces) at one bidi level is drawn in one face
// when one face has all of them ("2024/05/01" should not mix two fonts' digits): the previous face if it is
// at the same level, else the first face of the chain. Returns false when no face covers the sequence or it
// is only one character long (then each character picks its own face).
bool Shaper::Scratch::choose_neutral_font(const Para& p, const FontStack& fonts, const LayoutOptions& o, uint32_t i,
                                          FontId prev_font, uint32_t& end, FontId& font)
{
    uint32_t n = uint32_t(p.size());
    uint32_t j = i + 1;
    while (j < n && j - i < 64 && p.bidi.levels[j] == p.bidi.levels[i] && neutral[j])
        ++j;
    if (j - i < 2)
        return false;
    auto covers = [&](FontId f) {
        const Face& face = fonts.face(f);
        for (uint32_t k = i; k < j; ++k)
            if (!unicode::is_mark(p.display[k]) && !face.has_glyph(p.display[k]))
                return false;
        return true;
    };
    if (i > 0 && p.bidi.levels[i - 1] == p.bidi.levels[i] && covers(prev_font)) {
        font = prev_font;
        end = j;
        return true;
    }
    for (FontId f : fonts.chain(o.weight))
        if (covers(f)) {
            font = f;
            end = j;
            return true;
        }
    return false;
}

// Bidi levels, itemisation (level, script, font with per-cluster fallback) and shaping of a whole paragraph.
void Shaper::Scratch::shape_paragraph(Para& p, const FontStack& fonts, const LayoutOptions& o, Direction dir,
                                      float size)
{
    uint32_t n = uint32_t(p.size());
    bidi_paragraph(p.cps, dir, p.bidi);
    p.runs.clear();
    p.glyphs.clear();
    p.advance.assign(n, 0.0f);
    p.cluster_start.assign(n, 0);
    if (n == 0)
        return;

    // Scripts: Common and Inherited take the script of what precedes them at the same bidi level, else of
    // what follows them at that level (so a space between a Latin name and Arabic text in an RTL paragraph
    // joins the Arabic run), else of the first real script of the paragraph.
    scripts.resize(n);
    neutral.resize(n);
    hb_script_t first = HB_SCRIPT_COMMON;
    for (uint32_t i = 0; i < n; ++i) {
        hb_script_t s = hb_unicode_script(ufuncs, p.display[i]);
        neutral[i] = !is_real_script(s);
        scripts[i] = s;
        if (!is_real_script(first) && is_real_script(s))
            first = s;
    }
    for (uint32_t i = 0; i < n;) {
        if (is_real_script(scripts[i])) {
            ++i;
            continue;
        }
        uint32_t j = i;
        while (j < n && !is_real_script(scripts[j]) && p.bidi.levels[j] == p.bidi.levels[i])
            ++j;
        hb_script_t fill = first;
        if (i > 0 && p.bidi.levels[i - 1] == p.bidi.levels[i])
            fill = scripts[i - 1];
        else if (j < n && p.bidi.levels[j] == p.bidi.levels[i] && is_real_script(scripts[j]))
            fill = scripts[j];
        else if (i > 0)
            fill = scripts[i - 1];
        for (uint32_t k = i; k < j; ++k)
            scripts[k] = fill;
        i = j;
    }

    // Runs: a new run where the level, the script or the font changes. Marks and joiners stay with the font
    // of their base; neutrals (spaces, digits, punctuation) stay with the previous font when it has them and
    // they are at the same bidi level (otherwise they start a new run anyway and take the first face that has
    // them, which usually joins them to the run that follows).
    FontId prev_font = 0;
    uint32_t neutral_end = 0;
    FontId neutral_font = 0;
    for (uint32_t i = 0; i < n; ++i) {
        char32_t cp = p.display[i];
        FontId font;
        if (i > 0 && unicode::continues_grapheme(p.cps[i - 1], p.cps[i]))
            font = prev_font;
        else if (i < neutral_end)
            font = neutral_font;
        else if (neutral[i] && choose_neutral_font(p, fonts, o, i, prev_font, neutral_end, neutral_font))
            font = neutral_font;
        else if (i > 0 && p.bidi.levels[i] == p.bidi.levels[i - 1] && neutral[i] &&
                 fonts.face(prev_font).has_glyph(cp))
            font = prev_font;
        else
            font = face_for(fonts, cp, o.weight);
        int8_t level = p.bidi.levels[i];
        if (p.runs.empty() || p.runs.back().level != level || p.runs.back().script != scripts[i] ||
            p.runs.back().font != font) {
            ShapedRun r;
            r.begin = i;
            r.level = level;
            r.script = scripts[i];
            r.font = font;
            p.runs.push_back(r);
        }
        p.runs.back().end = i + 1;
        prev_font = font;
    }

    for (auto& r : p.runs) {
        r.glyph_begin = uint32_t(p.glyphs.size());
        shape_range(p, fonts, r.font, r.level, r.script, 0, n, r.begin, r.end, size, p.glyphs);
        r.glyph_end = uint32_t(p.glyphs.size());
        for (uint32_t g = r.glyph_begin; g < r.glyph_end; ++g) {
            p.advance[p.glyphs[g].cluster] += p.glyphs[g].advance;
            p.cluster_start[p.glyphs[g].cluster] = 1;
        }
    }
}

// Fills line_ranges with the paragraph's lines: greedy UAX #14 breaking to max_width (whole words; a word
// wider than the box is broken between graphemes). Trailing spaces hang and do not count.
void Shaper::Scratch::break_lines(const Para& p, const LayoutOptions& o)
{
    line_ranges.clear();
    uint32_t n = uint32_t(p.size());
    float total = 0;
    for (float a : p.advance)
        total += a;
    if (o.max_width <= 0 || total <= o.max_width || n == 0) {
        line_ranges.emplace_back(0, n);
        return;
    }
    breaks.resize(n);
    set_linebreaks_utf32(reinterpret_cast<const utf32_t*>(p.cps.data()), n, "ar", breaks.data());

    float max = o.max_width;
    uint32_t line_start = 0;
    float line_width = 0;  // Including trailing spaces of the segments already on the line.
    uint32_t s = 0;
    while (s < n) {
        uint32_t t = s;
        while (t < n && breaks[t] != LINEBREAK_ALLOWBREAK && breaks[t] != LINEBREAK_MUSTBREAK)
            ++t;
        t = std::min(t + 1, n);  // The segment is [s, t).
        uint32_t visible_end = t;
        while (visible_end > s && unicode::is_space(p.cps[visible_end - 1]))
            --visible_end;
        float w_all = 0, w_visible = 0;
        for (uint32_t i = s; i < t; ++i) {
            w_all += p.advance[i];
            if (i < visible_end)
                w_visible += p.advance[i];
        }
        if (line_start < s && line_width + w_visible > max) {
            line_ranges.emplace_back(line_start, s);
            line_start = s;
            line_width = 0;
        }
        if (line_start == s && w_visible > max) {
            // Emergency: break the word between graphemes that are also cluster boundaries (never inside a
            // lam-alef ligature).
            uint32_t g = s;
            while (g < t) {
                uint32_t ge = g + 1;
                while (ge < t && (unicode::continues_grapheme(p.cps[ge - 1], p.cps[ge]) || !p.cluster_start[ge]))
                    ++ge;
                float gw = 0;
                for (uint32_t i = g; i < ge; ++i)
                    gw += p.advance[i];
                if (line_start < g && line_width + gw > max && !unicode::is_space(p.cps[g])) {
                    line_ranges.emplace_back(line_start, g);
                    line_start = g;
                    line_width = 0;
                }
                line_width += gw;
                g = ge;
            }
        } else {
            line_width += w_all;
        }
        if (breaks[t - 1] == LINEBREAK_MUSTBREAK && t < n) {
            line_ranges.emplace_back(line_start, t);
            line_start = t;
            line_width = 0;
        }
        s = t;
    }
    line_ranges.emplace_back(line_start, n);
}

// The contiguous glyphs of `run` whose clusters lie in [b, e). HarfBuzz keeps clusters monotone within a
// run (ascending for LTR, descending for RTL), so this is two binary searches.
static std::pair<uint32_t, uint32_t> glyph_range(const std::vector<ShapedGlyph>& glyphs, uint32_t g_begin, uint32_t g_end,
                                                 bool rtl, uint32_t b, uint32_t e)
{
    auto first = glyphs.begin() + g_begin, last = glyphs.begin() + g_end;
    if (!rtl) {
        auto lo = std::partition_point(first, last, [&](const ShapedGlyph& g) { return g.cluster < b; });
        auto hi = std::partition_point(lo, last, [&](const ShapedGlyph& g) { return g.cluster < e; });
        return {uint32_t(lo - glyphs.begin()), uint32_t(hi - glyphs.begin())};
    }
    auto lo = std::partition_point(first, last, [&](const ShapedGlyph& g) { return g.cluster >= e; });
    auto hi = std::partition_point(lo, last, [&](const ShapedGlyph& g) { return g.cluster >= b; });
    return {uint32_t(lo - glyphs.begin()), uint32_t(hi - glyphs.begin())};
}

// True when the shaped glyphs of `run` can be cut at code point `at` without reshaping.
bool Shaper::Scratch::boundary_safe(const Para& p, const ShapedRun& run, uint32_t at) const
{
    if (at <= run.begin || at >= run.end)
        return true;
    auto [g0, g1] = glyph_range(p.glyphs, run.glyph_begin, run.glyph_end, run.level & 1, at, at + 1);
    for (uint32_t g = g0; g < g1; ++g)
        if (p.glyphs[g].cluster == at)
            return !p.glyphs[g].unsafe_to_break;
    return false;  // `at` is inside a cluster.
}

// Builds the line [begin, end) of `p`: rule L1, runs split at final levels, visual order (L2), glyphs placed
// from x = 0. Alignment is applied later.
void Shaper::Scratch::emit_line(const Para& p, uint32_t begin, uint32_t end, const FontStack& fonts, float size,
                                Layout& out, Line& line)
{
    items.clear();
    line_glyphs.clear();
    line.byte_begin = p.bytes[begin];
    line.byte_end = p.bytes[end];
    line.first_run = uint32_t(out.runs.size());
    line.run_count = 0;
    line.width = 0;
    if (begin == end)
        return;
    bidi_line_levels(p.bidi, begin, end, line_levels);

    // The first run that reaches into the line (runs are in logical order and cover the paragraph).
    auto first_run = std::partition_point(p.runs.begin(), p.runs.end(), [&](const ShapedRun& r) { return r.end <= begin; });
    for (auto rit = first_run; rit != p.runs.end() && rit->begin < end; ++rit) {
        const ShapedRun& run = *rit;
        uint32_t b = std::max(run.begin, begin), e = std::min(run.end, end);
        if (b >= e)
            continue;
        bool reshape = !boundary_safe(p, run, b) || !boundary_safe(p, run, e);
        uint32_t src_begin = uint32_t(line_glyphs.size());
        if (reshape) {
            shape_range(p, fonts, run.font, run.level, run.script, begin, end, b, e, size, line_glyphs);
        } else {
            auto [g0, g1] = glyph_range(p.glyphs, run.glyph_begin, run.glyph_end, run.level & 1, b, e);
            line_glyphs.insert(line_glyphs.end(), p.glyphs.begin() + g0, p.glyphs.begin() + g1);
        }
        uint32_t src_end = uint32_t(line_glyphs.size());
        // Split the slice where the final (post-L1) level changes; glyphs are in the run's visual order.
        uint32_t k = b;
        while (k < e) {
            int8_t level = line_levels[k - begin];
            uint32_t ke = k + 1;
            while (ke < e && line_levels[ke - begin] == level)
                ++ke;
            Item item;
            item.begin = k;
            item.end = ke;
            item.level = level;
            item.font = run.font;
            if (k == b && ke == e) {
                item.glyph_begin = src_begin;
                item.glyph_end = src_end;
            } else {
                item.glyph_begin = uint32_t(line_glyphs.size());
                for (uint32_t g = src_begin; g < src_end; ++g)
                    if (line_glyphs[g].cluster >= k && line_glyphs[g].cluster < ke)
                        line_glyphs.push_back(line_glyphs[g]);
                item.glyph_end = uint32_t(line_glyphs.size());
            }
            if ((level & 1) != (run.level & 1))
                std::reverse(line_glyphs.begin() + item.glyph_begin, line_glyphs.begin() + item.glyph_end);
            items.push_back(item);
            k = ke;
        }
    }

    // Rule L2 on items: from the highest level down to the lowest odd level, reverse every maximal sequence
    // of items at that level or higher.
    int8_t highest = 0, lowest_odd = 127;
    for (const Item& it : items) {
        highest = std::max(highest, it.level);
        if (it.level & 1)
            lowest_odd = std::min(lowest_odd, it.level);
    }
    for (int level = highest; level >= lowest_odd && level > 0; --level) {
        size_t i = 0;
        while (i < items.size()) {
            if (items[i].level < level) {
                ++i;
                continue;
            }
            size_t j = i;
            while (j < items.size() && items[j].level >= level)
                ++j;
            std::reverse(items.begin() + std::ptrdiff_t(i), items.begin() + std::ptrdiff_t(j));
            i = j;
        }
    }

    float pen = 0;
    for (const Item& it : items) {
        GlyphRun run;
        run.first_glyph = uint32_t(out.glyphs.size());
        run.byte_begin = p.bytes[it.begin];
        run.byte_end = p.bytes[it.end];
        run.font = it.font;
        run.level = it.level;
        run.x = pen;
        for (uint32_t g = it.glyph_begin; g < it.glyph_end; ++g) {
            const ShapedGlyph& sg = line_glyphs[g];
            Glyph glyph;
            glyph.glyph = sg.gid;
            glyph.cluster = p.bytes[std::min<uint32_t>(sg.cluster, uint32_t(p.size()))];
            glyph.x = pen + sg.x_offset;
            glyph.y = -sg.y_offset;
            glyph.advance = sg.advance;
            glyph.font = it.font;
            out.glyphs.push_back(glyph);
            pen += sg.advance;
        }
        run.glyph_count = uint32_t(out.glyphs.size()) - run.first_glyph;
        run.width = pen - run.x;
        out.runs.push_back(run);
    }
    line.run_count = uint32_t(out.runs.size()) - line.first_run;
    line.width = pen;
}

void Shaper::layout(std::string_view text, const FontStack& fonts, const LayoutOptions& options, Layout& out)
{
    Scratch& s = *m_scratch;
    out.clear();
    LayoutOptions o = options;
    o.pixel_size = std::clamp(o.pixel_size, kMinPixelSize, kMaxPixelSize);
    if (!(o.max_width >= 0) || !std::isfinite(o.max_width))
        o.max_width = 0;
    o.max_lines = std::max(o.max_lines, 0);
    float size = float(o.pixel_size);
    out.pixel_size = o.pixel_size;
    s.decode(text, out);
    s.visible_end.clear();
    if (fonts.size() == 0)
        return;

    // Line metrics from every face of the chain, so that line spacing does not depend on the text.
    float ascent = 0, descent = 0, gap = 0;
    for (FontId id : fonts.chain(o.weight)) {
        const Face& f = fonts.face(id);
        float scale = size / float(f.units_per_em());
        ascent = std::max(ascent, float(f.ascender()) * scale);
        descent = std::max(descent, -float(f.descender()) * scale);
        gap = std::max(gap, float(f.line_gap()) * scale);
    }
    float line_height = (ascent + descent + gap) * std::max(o.line_spacing, 0.1f);

    uint32_t total = uint32_t(s.all.size());
    uint32_t start = 0;
    bool first_paragraph = true;
    float y = 0;
    bool stop = false;
    while (!stop) {
        // The paragraph [start, stop_at) and the separator after it.
        uint32_t stop_at = start;
        while (stop_at < total && !unicode::is_paragraph_separator(s.all[stop_at]))
            ++stop_at;
        uint32_t next = stop_at;
        if (next < total)
            next += (s.all[next] == U'\r' && next + 1 < total && s.all[next + 1] == U'\n') ? 2 : 1;
        bool more_after = stop_at < total;  // After a separator comes another (maybe empty) paragraph.

        Para& p = s.para;
        p.clear();
        for (uint32_t i = start; i < stop_at; ++i) {
            char32_t cp = s.all[i];
            p.cps.push_back(cp);
            char32_t d = cp;
            if (cp == U'\t' || cp == 0x2028)
                d = U' ';
            else if (unicode::is_hidden_control(cp))
                d = 0x200B;
            else
                d = display_digit(cp, o.digits);
            p.display.push_back(d);
            p.bytes.push_back(s.all_bytes[i]);
        }
        p.bytes.push_back(s.all_bytes[stop_at]);
        s.shape_paragraph(p, fonts, o, o.direction, size);
        bool rtl = p.bidi.paragraph_level & 1;
        if (first_paragraph)
            out.rtl = rtl;
        first_paragraph = false;
        s.break_lines(p, o);

        size_t keep = s.line_ranges.size();
        bool ellipsize_last = false;
        if (o.max_lines > 0) {
            size_t room = size_t(o.max_lines) - out.lines.size();
            if (keep > room || (keep == room && more_after)) {
                keep = std::min(keep, room);
                out.truncated = true;
                ellipsize_last = o.overflow == Overflow::Ellipsis;
                stop = true;
            }
        }
        for (size_t li = 0; li < keep; ++li) {
            uint32_t lb = s.line_ranges[li].first, le = s.line_ranges[li].second;
            Line line;
            line.rtl = rtl;
            line.ascent = ascent;
            line.descent = descent;
            line.height = line_height;
            line.top = y;
            line.baseline = y + (line_height - ascent - descent) / 2 + ascent;
            line.paragraph_end = li + 1 == s.line_ranges.size();
            if (ellipsize_last && li + 1 == keep) {
                // Cut graphemes from the logical end until the text and the ellipsis fit, then lay out that
                // text plus "…" as its own paragraph in the same direction.
                FontId ef = fonts.face_for(kEllipsis, o.weight);
                const Face& eface = fonts.face(ef);
                float ew = float(hb_font_get_glyph_h_advance(eface.hb_font(), eface.glyph_for(kEllipsis))) * size /
                           float(eface.units_per_em());
                uint32_t cut = le;
                auto visible = [&](uint32_t c) {
                    while (c > lb && unicode::is_space(p.cps[c - 1]))
                        --c;
                    return c;
                };
                cut = visible(cut);
                if (o.max_width > 0) {
                    float w = 0;
                    for (uint32_t i = lb; i < cut; ++i)
                        w += p.advance[i];
                    while (cut > lb && w + ew > o.max_width) {
                        uint32_t c = cut - 1;
                        while (c > lb && unicode::continues_grapheme(p.cps[c - 1], p.cps[c]))
                            --c;
                        for (uint32_t i = c; i < cut; ++i)
                            w -= p.advance[i];
                        cut = visible(c);
                        if (cut < c)
                            for (uint32_t i = cut; i < c; ++i)
                                w -= p.advance[i];
                    }
                }
                Para& ep = s.ellipsis_para;
                ep.clear();
                for (uint32_t i = lb; i < cut; ++i) {
                    ep.cps.push_back(p.cps[i]);
                    ep.display.push_back(p.display[i]);
                    ep.bytes.push_back(p.bytes[i]);
                }
                ep.cps.push_back(kEllipsis);
                ep.display.push_back(kEllipsis);
                ep.bytes.push_back(p.bytes[cut]);
                ep.bytes.push_back(p.bytes[le]);
                s.shape_paragraph(ep, fonts, o, rtl ? Direction::Rtl : Direction::Ltr, size);
                s.emit_line(ep, 0, uint32_t(ep.size()), fonts, size, out, line);
                line.byte_end = p.bytes[le];
                line.ellipsized = true;
                line.paragraph_end = true;
            } else {
                s.emit_line(p, lb, le, fonts, size, out, line);
            }
            // Hanging trailing spaces do not count on a wrapped line (they still have glyphs, for the caret).
            if (!line.paragraph_end) {
                uint32_t ve = le;
                while (ve > lb && unicode::is_space(p.cps[ve - 1]))
                    --ve;
                for (uint32_t i = ve; i < le; ++i)
                    line.width -= p.advance[i];
            }
            s.visible_end.push_back(line.byte_end);
            if (!line.paragraph_end) {
                uint32_t ve = le;
                while (ve > lb && unicode::is_space(p.cps[ve - 1]))
                    --ve;
                s.visible_end.back() = p.bytes[ve];
            }
            out.lines.push_back(line);
            y += line_height;
        }
        if (next >= total && stop_at >= total)
            break;
        start = next;
        if (start > total)
            break;
    }

    // Box, alignment and justification.
    float content = 0;
    for (const Line& l : out.lines)
        content = std::max(content, l.width);
    out.content_width = content;
    out.width = o.max_width > 0 ? o.max_width : content;
    out.height = y;
    for (size_t li = 0; li < out.lines.size(); ++li) {
        Line& line = out.lines[li];
        uint32_t visible_end = s.visible_end[li];
        float pen_width = 0;
        for (uint32_t r = line.first_run; r < line.first_run + line.run_count; ++r)
            pen_width += out.runs[r].width;
        float hanging = pen_width - line.width;  // Trailing spaces of a wrapped line.
        float free = out.width - line.width;
        auto stretchable = [&](const Glyph& gl) {
            return gl.cluster < visible_end && gl.cluster < text.size() && text[gl.cluster] == ' ' && gl.advance > 0;
        };
        int spaces = 0;
        if (o.justify == Justify::Spaces && !line.paragraph_end && !line.ellipsized && free > 0)
            for (uint32_t r = line.first_run; r < line.first_run + line.run_count; ++r)
                for (uint32_t g = out.runs[r].first_glyph; g < out.runs[r].first_glyph + out.runs[r].glyph_count; ++g)
                    spaces += stretchable(out.glyphs[g]);
        float extra = spaces > 0 ? free / float(spaces) : 0;
        float shift = 0;
        if (spaces == 0) {
            switch (o.align) {
            case Align::Start: shift = line.rtl ? free : 0; break;
            case Align::End: shift = line.rtl ? 0 : free; break;
            case Align::Center: shift = free / 2; break;
            }
        }
        // Hanging spaces sit at the visual left of an RTL line: they go outside the box.
        if (line.rtl)
            shift -= hanging;
        float added = 0;
        for (uint32_t r = line.first_run; r < line.first_run + line.run_count; ++r) {
            GlyphRun& run = out.runs[r];
            run.x += shift + added;
            float run_added_start = added;
            for (uint32_t g = run.first_glyph; g < run.first_glyph + run.glyph_count; ++g) {
                Glyph& gl = out.glyphs[g];
                gl.x += shift + added;
                if (spaces > 0 && stretchable(gl)) {
                    gl.advance += extra;
                    added += extra;
                }
            }
            run.width += added - run_added_start;
        }
        line.width += added;
        line.x = shift + (line.rtl ? hanging : 0);
    }
}

Layout layout_paragraph(std::string_view text, const FontStack& fonts, const LayoutOptions& options)
{
    Shaper shaper;
    Layout layout;
    shaper.layout(text, fonts, options, layout);
    return layout;
}

} // namespace nafitha::text
