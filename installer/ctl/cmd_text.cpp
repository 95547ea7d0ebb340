// nafitha-ctl shape and render-text: the text engine from the command line.
//
//   shape --font PATH [--dir auto|rtl|ltr]   UTF-8 lines on stdin; per line, the glyphs in visual order (left
//       to right) as gid=cluster+advance joined by '|' (cluster: UTF-8 byte offset in the line; advance: font
//       units, unhinted). Exactly that one face is used: no fallback, .notdef where it has no glyph.
//   render-text --out FILE.png [--width PX] [--size PX] [--dir auto|rtl|ltr] [--align start|end|center] TEXT

#include "installer/ctl/command.h"

#include "text/atlas.h"
#include "text/font.h"
#include "text/paragraph.h"
#include "text/png.h"
#include "text/render.h"

#include <cmath>
#include <iostream>
#include <string>

using namespace nafitha;
using namespace nafitha::text;

namespace {

bool parse_direction(const std::optional<std::string>& value, Direction& out)
{
    if (!value || *value == "auto")
        out = Direction::Auto;
    else if (*value == "rtl")
        out = Direction::Rtl;
    else if (*value == "ltr")
        out = Direction::Ltr;
    else
        return false;
    return true;
}

bool parse_int(const std::optional<std::string>& value, int min, int max, int& out)
{
    if (!value)
        return true;
    try {
        size_t used = 0;
        int v = std::stoi(*value, &used);
        if (used != value->size() || v < min || v > max)
            return false;
        out = v;
        return true;
    } catch (...) {
        return false;
    }
}

int run_shape(ctl::Args& args)
{
    auto font = args.option("font");
    Direction dir;
    if (!parse_direction(args.option("dir"), dir))
        return ctl::usage_error("--dir must be auto, rtl or ltr");
    if (!font)
        return ctl::usage_error("shape needs --font PATH");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    auto stack = FontStack::load(std::vector<FontFile>{{*font, ""}});
    if (!stack.ok()) {
        std::cerr << "nafitha-ctl: " << stack.error().to_string() << "\n";
        return 1;
    }
    LayoutOptions options;
    options.direction = dir;
    // One pixel per font unit: advances come out in font units, unscaled.
    options.pixel_size = stack->face(0).units_per_em();
    options.overflow = Overflow::Clip;
    Shaper shaper;
    Layout layout;
    std::string line;
    std::string out;
    while (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        shaper.layout(line, *stack, options, layout);
        out.clear();
        bool first = true;
        for (const Line& l : layout.lines)
            for (uint32_t r = l.first_run; r < l.first_run + l.run_count; ++r)
                for (uint32_t g = layout.runs[r].first_glyph; g < layout.runs[r].first_glyph + layout.runs[r].glyph_count; ++g) {
                    const Glyph& gl = layout.glyphs[g];
                    if (!first)
                        out += '|';
                    first = false;
                    out += std::to_string(gl.glyph) + "=" + std::to_string(gl.cluster) + "+" +
                           std::to_string(std::lround(gl.advance));
                }
        std::cout << out << "\n";
    }
    return 0;
}

int run_render_text(ctl::Args& args)
{
    auto out_path = args.option("out");
    LayoutOptions options;
    options.pixel_size = 32;
    int width = 0;
    if (!parse_int(args.option("width"), 0, 8000, width))
        return ctl::usage_error("--width must be 0..8000 pixels");
    if (!parse_int(args.option("size"), kMinPixelSize, 512, options.pixel_size))
        return ctl::usage_error("--size must be 4..512 pixels");
    if (!parse_direction(args.option("dir"), options.direction))
        return ctl::usage_error("--dir must be auto, rtl or ltr");
    if (auto align = args.option("align")) {
        if (*align == "start")
            options.align = Align::Start;
        else if (*align == "end")
            options.align = Align::End;
        else if (*align == "center")
            options.align = Align::Center;
        else
            return ctl::usage_error("--align must be start, end or center");
    }
    auto words = args.positionals();
    if (!out_path || words.size() != 1)
        return ctl::usage_error("usage: render-text --out FILE.png [--width PX] [--size PX] TEXT");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    options.max_width = float(width);
    auto stack = FontStack::load_default();
    if (!stack.ok()) {
        std::cerr << "nafitha-ctl: " << stack.error().to_string() << "\n";
        return 1;
    }
    Layout layout = layout_paragraph(words.front(), *stack, options);
    const int margin = 8;
    GrayImage image;
    image.width = int(std::ceil(layout.width)) + 2 * margin;
    image.height = int(std::ceil(layout.height)) + 2 * margin;
    image.width = std::min(std::max(image.width, 2 * margin + 1), 16000);
    image.height = std::min(std::max(image.height, 2 * margin + 1), 16000);
    image.pixels.assign(size_t(image.width) * size_t(image.height), 0);
    GlyphAtlas atlas(*stack);
    render_to_gray(layout, atlas, image.pixels.data(), image.width, image.height, image.width, margin, margin);
    for (auto& p : image.pixels)
        p = uint8_t(255 - p);  // Black ink on white paper.
    if (auto written = write_gray_png(*out_path, image); !written.ok()) {
        std::cerr << "nafitha-ctl: " << written.error().to_string() << "\n";
        return 1;
    }
    std::cout << *out_path << " " << image.width << "x" << image.height << " lines=" << layout.lines.size() << "\n";
    return 0;
}

} // namespace

NAFITHA_CTL_COMMAND(shape, "shape", "shape --font PATH [--dir auto|rtl|ltr]  (UTF-8 lines on stdin)", run_shape);
NAFITHA_CTL_COMMAND(render_text, "render-text",
                    "render-text --out FILE.png [--width PX] [--size PX] [--dir auto|rtl|ltr] [--align start|end|center] TEXT",
                    run_render_text);
