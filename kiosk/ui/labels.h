#pragma once
// Drawing user-visible text. Every string a person reads goes through here: shaped, bidi-ordered glyphs from
// text/'s atlas, drawn as textured quads into ImGui's draw lists. ImGui's own font never shows user text.

#include "base/i18n.h"

#include <imgui.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct SDL_Renderer;

namespace nafitha::ui {

enum class Align { Start, Center, End };

// One place the caret can stand in a single line: a byte offset into the text and its x from the line's left.
struct CaretStop {
    size_t byte_offset = 0;
    float x = 0;
};

class Labels {
public:
    virtual ~Labels() = default;

    // Width and height of one line of `text` at `px` pixels.
    virtual ImVec2 measure(std::string_view text, float px) = 0;
    // Draws one line with its box's top-left corner at `pos` (snapped to whole pixels).
    virtual void draw(ImDrawList* list, ImVec2 pos, std::string_view text, float px, ImU32 color) = 0;
    // Lays `text` out in lines of at most `width` pixels; each line aligned to `align` in the paragraph's
    // direction (`Start` is the right edge for Arabic). Draws when `list` is non-null; returns the height.
    virtual float draw_wrapped(ImDrawList* list, ImVec2 pos, float width, std::string_view text, float px, ImU32 color,
                               Align align, Lang direction) = 0;
    // Width of the widest line and height of `text` laid out as draw_wrapped() would.
    virtual ImVec2 measure_wrapped(std::string_view text, float px, float width, Lang direction) = 0;
    // Caret positions of one line, one per cluster boundary (logical order, with their visual x), into `out`
    // (cleared first; the caller keeps it to reuse its memory).
    virtual void caret_stops(std::string_view text, float px, std::vector<CaretStop>& out) = 0;
    // Byte offset of the cluster boundary before / after `offset` (delete by cluster).
    virtual size_t prev_boundary(std::string_view text, size_t offset) = 0;
    virtual size_t next_boundary(std::string_view text, size_t offset) = 0;
    // The caret offset one step to the left or right on screen (bidi-aware).
    enum class Side { Left, Right };
    virtual size_t move_visual(std::string_view text, float px, size_t offset, Side side) = 0;
    // The box the glyphs of the last draw() or draw_wrapped() call cover (x0, y0, x1, y1 in pixels; empty when
    // nothing was inked): what the layout check compares, tighter than the line box.
    virtual ImVec4 last_ink() const = 0;
    // Forgets every cached layout (they hold the text a citizen typed): called when a visit ends.
    virtual void forget() = 0;
    // After ImGui::Render() and before rendering the draw data: sends glyph atlas changes to the texture.
    virtual void upload() = 0;
};

// Shaped text from text/ with the atlas in an SDL texture on `renderer`.
std::unique_ptr<Labels> make_shaped_labels(SDL_Renderer* renderer);

} // namespace nafitha::ui
