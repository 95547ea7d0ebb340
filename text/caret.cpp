// Caret placement, hit-testing, selection and grapheme editing on a Layout.

#include "text/caret.h"

#include "base/utf8.h"
#include "text/unicode.h"

#include <algorithm>
#include <cmath>

namespace nafitha::text {

namespace {

using Cell = detail::CaretCell;
using Group = detail::ClusterGroup;

// The cells of a line in visual order, left to right, in the scratch's buffers.
void line_cells(const Layout& layout, const Line& line, CaretScratch& scratch)
{
    std::vector<Cell>& cells = scratch.cells;
    cells.clear();
    std::vector<uint32_t>& starts = scratch.starts;
    for (uint32_t r = line.first_run; r < line.first_run + line.run_count; ++r) {
        const GlyphRun& run = layout.runs[r];
        starts.clear();
        for (uint32_t g = run.first_glyph; g < run.first_glyph + run.glyph_count; ++g)
            starts.push_back(layout.glyphs[g].cluster);
        std::sort(starts.begin(), starts.end());
        starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
        // Clusters of the run in visual order: logical range, pen position and width.
        std::vector<Group>& groups = scratch.groups;
        groups.clear();
        float pen = run.x;
        uint32_t g = run.first_glyph;
        uint32_t end = run.first_glyph + run.glyph_count;
        while (g < end) {
            uint32_t c = layout.glyphs[g].cluster;
            float w = 0;
            while (g < end && layout.glyphs[g].cluster == c)
                w += layout.glyphs[g++].advance;
            auto it = std::upper_bound(starts.begin(), starts.end(), c);
            uint32_t next = it == starts.end() ? std::max(run.byte_end, c + 1) : *it;
            if (line.ellipsized && next > line.byte_end)
                next = line.byte_end;
            groups.push_back({c, next, pen, w, false});
            pen += w;
        }
        // Some fonts draw a ligature as a wide glyph plus zero-width pieces in their own clusters (Noto Naskh's
        // lam-alef): fold such a piece into the logically preceding cluster so the caret can stop inside.
        for (size_t i = 0; i < groups.size(); ++i) {
            if (groups[i].w > 0)
                continue;
            size_t prev = run.rtl() ? i + 1 : i - 1;
            if (prev < groups.size() && !groups[prev].removed && groups[prev].next == groups[i].c && groups[prev].w > 0) {
                groups[prev].next = groups[i].next;
                groups[i].removed = true;
            }
        }
        for (const Group& gr : groups) {
            if (gr.removed)
                continue;
            uint32_t c = gr.c, next = gr.next;
            float w = gr.w;
            float x = gr.x;
            // Split a multi-grapheme cluster (a lam-alef ligature) evenly.
            auto gb = std::upper_bound(layout.graphemes.begin(), layout.graphemes.end(), c);
            auto ge = std::lower_bound(layout.graphemes.begin(), layout.graphemes.end(), next);
            size_t parts = size_t(std::max<std::ptrdiff_t>(ge - gb, 0)) + 1;
            float part = w / float(parts);
            uint32_t b = c;
            for (size_t k = 0; k < parts; ++k) {
                uint32_t e = k + 1 < parts ? *(gb + std::ptrdiff_t(k)) : next;
                Cell cell;
                cell.b0 = b;
                cell.b1 = e;
                cell.rtl = run.rtl();
                if (cell.rtl) {
                    cell.x1 = x + w - part * float(k);
                    cell.x0 = cell.x1 - part;
                } else {
                    cell.x0 = x + part * float(k);
                    cell.x1 = cell.x0 + part;
                }
                cells.push_back(cell);
                b = e;
            }
        }
    }
    // Cells of one RTL cluster were pushed right to left; keep the whole list in visual order. A stable
    // insertion sort: the list is short and almost sorted, and std::stable_sort would allocate a buffer.
    for (size_t i = 1; i < cells.size(); ++i) {
        Cell cell = cells[i];
        size_t j = i;
        for (; j > 0 && cell.x0 < cells[j - 1].x0; --j)
            cells[j] = cells[j - 1];
        cells[j] = cell;
    }
}

size_t line_for_offset(const Layout& layout, size_t offset)
{
    for (size_t i = 0; i < layout.lines.size(); ++i)
        if (offset >= layout.lines[i].byte_begin && offset < layout.lines[i].byte_end)
            return i;
    for (size_t i = layout.lines.size(); i-- > 0;)
        if (offset == layout.lines[i].byte_end)
            return i;
    for (size_t i = 0; i < layout.lines.size(); ++i)
        if (offset <= layout.lines[i].byte_begin)
            return i;
    return layout.lines.empty() ? 0 : layout.lines.size() - 1;
}

float caret_x_in(const Line& line, const std::vector<Cell>& cells, size_t offset)
{
    for (const Cell& c : cells)
        if (c.b0 == offset)
            return c.rtl ? c.x1 : c.x0;
    for (const Cell& c : cells)
        if (c.b1 == offset)
            return c.rtl ? c.x0 : c.x1;
    for (const Cell& c : cells)
        if (offset > c.b0 && offset < c.b1)
            return c.rtl ? c.x1 : c.x0;
    if (cells.empty())
        return line.x;
    // Past the line: its logical end.
    return line.rtl ? cells.front().x0 : cells.back().x1;
}

} // namespace

CaretPos caret_position(const Layout& layout, size_t offset)
{
    CaretScratch scratch;
    return caret_position(layout, offset, scratch);
}

CaretPos caret_position(const Layout& layout, size_t offset, CaretScratch& scratch)
{
    CaretPos pos;
    if (layout.lines.empty())
        return pos;
    pos.line = line_for_offset(layout, offset);
    const Line& line = layout.lines[pos.line];
    line_cells(layout, line, scratch);
    pos.x = caret_x_in(line, scratch.cells, offset);
    pos.top = line.top;
    pos.height = line.height;
    return pos;
}

size_t hit_test(const Layout& layout, float x, float y)
{
    if (layout.lines.empty())
        return 0;
    size_t li = 0;
    while (li + 1 < layout.lines.size() && y >= layout.lines[li].top + layout.lines[li].height)
        ++li;
    const Line& line = layout.lines[li];
    CaretScratch scratch;
    line_cells(layout, line, scratch);
    const std::vector<Cell>& cells = scratch.cells;
    if (cells.empty())
        return line.byte_begin;
    const Cell* best = &cells.front();
    float best_d = INFINITY;
    for (const Cell& c : cells) {
        float d = x < c.x0 ? c.x0 - x : x >= c.x1 ? x - c.x1 : 0;
        if (d < best_d) {
            best_d = d;
            best = &c;
        }
    }
    float mid = (best->x0 + best->x1) / 2;
    bool leading = best->rtl ? x >= mid : x < mid;
    return leading ? best->b0 : best->b1;
}

std::vector<Rect> selection_rects(const Layout& layout, size_t begin, size_t end)
{
    std::vector<Rect> rects;
    if (begin > end)
        std::swap(begin, end);
    if (begin == end)
        return rects;
    CaretScratch scratch;
    const std::vector<Cell>& cells = scratch.cells;
    for (const Line& line : layout.lines) {
        if (line.byte_end < begin || line.byte_begin >= end)
            continue;
        line_cells(layout, line, scratch);
        bool open = false;
        for (const Cell& c : cells) {
            if (c.b0 < end && c.b1 > begin) {
                if (open && std::fabs(rects.back().x + rects.back().w - c.x0) < 0.01f) {
                    rects.back().w = c.x1 - rects.back().x;
                } else {
                    rects.push_back({c.x0, line.top, c.x1 - c.x0, line.height});
                    open = true;
                }
            } else {
                open = false;
            }
        }
    }
    return rects;
}

size_t move_visual(const Layout& layout, size_t offset, VisualMove move)
{
    if (layout.lines.empty())
        return offset;
    size_t li = line_for_offset(layout, offset);
    const Line& line = layout.lines[li];
    CaretScratch scratch;
    line_cells(layout, line, scratch);
    const std::vector<Cell>& cells = scratch.cells;
    float cur = caret_x_in(line, cells, offset);
    // Caret stops: both edges of every cell.
    bool found = false;
    float best_x = 0;
    size_t best = offset;
    for (const Cell& c : cells) {
        std::pair<float, uint32_t> stops[2] = {{c.x0, c.rtl ? c.b1 : c.b0}, {c.x1, c.rtl ? c.b0 : c.b1}};
        for (auto [x, off] : stops) {
            if (off == offset)
                continue;
            bool ahead = move == VisualMove::Right ? x > cur + 0.01f : x < cur - 0.01f;
            bool better = !found || (move == VisualMove::Right ? x < best_x : x > best_x);
            if (ahead && better) {
                found = true;
                best_x = x;
                best = off;
            }
        }
    }
    if (found)
        return best;
    // At the edge of the line: go to the neighbouring line (forward in reading direction).
    bool forward = (move == VisualMove::Left) == line.rtl;
    if (forward && li + 1 < layout.lines.size())
        return layout.lines[li + 1].byte_begin;
    if (!forward && li > 0)
        return layout.lines[li - 1].byte_end;
    return offset;
}

size_t next_grapheme(std::string_view text, size_t offset)
{
    if (offset >= text.size())
        return text.size();
    size_t pos = offset;
    char32_t prev = utf8::decode_next(text, pos);
    while (pos < text.size()) {
        size_t at = pos;
        char32_t cp = utf8::decode_next(text, pos);
        if (!unicode::continues_grapheme(prev, cp))
            return at;
        prev = cp;
    }
    return text.size();
}

size_t previous_grapheme(std::string_view text, size_t offset)
{
    offset = std::min(offset, text.size());
    size_t last = 0;
    size_t pos = 0;
    while (pos < offset) {
        size_t next = next_grapheme(text, pos);
        if (next >= offset)
            return pos;
        last = next;
        pos = next;
    }
    return last;
}

size_t delete_previous_grapheme(std::string& text, size_t offset)
{
    offset = std::min(offset, text.size());
    size_t prev = previous_grapheme(text, offset);
    text.erase(prev, offset - prev);
    return prev;
}

} // namespace nafitha::text
