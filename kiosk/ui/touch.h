#pragma once
// Touch input: one pointer (finger or mouse) read from ImGui's io each frame, taps that fire on release
// inside the pressed target, press feedback, and drag-to-scroll with inertia. Nothing depends on hover.

#include <imgui.h>

namespace nafitha::ui {

struct Rect {
    float x = 0, y = 0, w = 0, h = 0;
    bool contains(ImVec2 p) const { return p.x >= x && p.x < x + w && p.y >= y && p.y < y + h; }
    ImVec2 min() const { return {x, y}; }
    ImVec2 max() const { return {x + w, y + h}; }
    ImVec2 centre() const { return {x + w * 0.5f, y + h * 0.5f}; }
    Rect inset(float d) const { return {x + d, y + d, w - 2 * d, h - 2 * d}; }
};

class Touch {
public:
    // Reads the pointer from io (MousePos, MouseDown[0]) at the start of a frame.
    void begin_frame(const ImGuiIO& io, float slop_px);

    // True on the frame the pointer lifts inside `r` after pressing inside it, without dragging.
    bool tap(const Rect& r);
    // True while a press that began in `r` is held inside it (draw the pressed look).
    bool held(const Rect& r) const;
    bool pressed_now() const { return m_pressed && !m_blocked; }
    bool down() const { return m_down; }
    bool released_now() const { return m_released; }
    bool dragging() const { return m_dragging; }
    ImVec2 pos() const { return m_pos; }
    ImVec2 press_pos() const { return m_press_pos; }
    ImVec2 delta() const { return m_delta; }
    // Any pointer activity this frame (for the idle timer).
    bool activity() const { return m_pressed || m_released || (m_down && (m_delta.x != 0 || m_delta.y != 0)); }

    // While blocked (a modal is on top), taps and holds report nothing.
    void set_blocked(bool blocked) { m_blocked = blocked; }
    bool blocked() const { return m_blocked; }
    // Marks the current release as used so that nothing beneath fires too.
    void consume() { m_consumed = true; }
    // Inside a scrolled list: only presses that began inside the visible part count.
    void set_clip(const Rect& r) { m_clip = r; m_clipped = true; }
    void clear_clip() { m_clipped = false; }

private:
    ImVec2 m_pos{-1, -1};
    ImVec2 m_prev{-1, -1};
    ImVec2 m_delta{0, 0};
    ImVec2 m_press_pos{-1, -1};
    bool m_down = false;
    bool m_pressed = false;
    bool m_released = false;
    bool m_dragging = false;
    bool m_was_drag = false;
    bool m_blocked = false;
    bool m_consumed = false;
    bool m_clipped = false;
    Rect m_clip;

    bool in_clip(ImVec2 p) const { return !m_clipped || m_clip.contains(p); }
};

// A vertical scroll position driven by dragging, with inertia after release.
class Scroller {
public:
    // Call once per frame before drawing the list; `content_h` is the height of the content.
    void update(Touch& touch, const Rect& viewport, float content_h, float dt);
    // For content measured while it is drawn: scrolls by the height measure() was told last frame.
    void update(Touch& touch, const Rect& viewport, float dt) { update(touch, viewport, m_measured, dt); }
    void measure(float content_h) { m_measured = content_h; }
    // The content's height measured last frame.
    float content() const { return m_measured; }
    float offset() const { return m_offset; }
    // Moves by `dy` (the next update keeps it within the content).
    void scroll_by(float dy)
    {
        m_offset += dy;
        m_velocity = 0;
    }
    void reset() { m_offset = 0; m_velocity = 0; m_tracking = false; m_measured = 0; }

private:
    float m_offset = 0;
    float m_velocity = 0;
    bool m_tracking = false;
    float m_measured = 0; // the content's height drawn last frame
};

} // namespace nafitha::ui
