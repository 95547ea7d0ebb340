#include "kiosk/ui/touch.h"

#include <algorithm>
#include <cmath>

namespace nafitha::ui {

void Touch::begin_frame(const ImGuiIO& io, float slop_px)
{
    bool down = io.MouseDown[0];
    m_prev = m_pos;
    m_pos = io.MousePos;
    m_delta = (m_prev.x < 0 || !m_down || !down) ? ImVec2(0, 0) : ImVec2(m_pos.x - m_prev.x, m_pos.y - m_prev.y);
    m_pressed = down && !m_down;
    m_released = !down && m_down;
    m_consumed = false;
    if (m_pressed) {
        m_press_pos = m_pos;
        m_dragging = false;
    }
    if (down) {
        float dx = m_pos.x - m_press_pos.x;
        float dy = m_pos.y - m_press_pos.y;
        if (dx * dx + dy * dy > slop_px * slop_px)
            m_dragging = true;
    }
    m_was_drag = m_dragging;
    if (!down && !m_released)
        m_dragging = false;
    m_down = down;
}

bool Touch::tap(const Rect& r)
{
    if (m_blocked || m_consumed || !m_released || m_was_drag || !in_clip(m_press_pos))
        return false;
    if (r.contains(m_press_pos) && r.contains(m_pos)) {
        m_consumed = true;
        return true;
    }
    return false;
}

bool Touch::held(const Rect& r) const
{
    return !m_blocked && m_down && !m_dragging && in_clip(m_press_pos) && r.contains(m_press_pos) && r.contains(m_pos);
}

void Scroller::update(Touch& touch, const Rect& viewport, float content_h, float dt)
{
    float max_offset = std::max(0.0f, content_h - viewport.h);
    if (touch.pressed_now() && viewport.contains(touch.pos())) {
        m_tracking = true;
        m_velocity = 0;
    }
    if (m_tracking && touch.down()) {
        if (touch.dragging()) {
            float dy = touch.delta().y;
            m_offset -= dy;
            if (dt > 0) {
                float v = -dy / dt;
                m_velocity = 0.6f * v + 0.4f * m_velocity;
            }
        }
    } else {
        if (m_tracking && !touch.down())
            m_tracking = false;
        // Inertia: exponential decay of the release velocity.
        if (std::fabs(m_velocity) > 1.0f && dt > 0) {
            m_offset += m_velocity * dt;
            m_velocity *= std::exp(-4.0f * dt);
        } else {
            m_velocity = 0;
        }
    }
    if (m_offset < 0) {
        m_offset = 0;
        m_velocity = 0;
    }
    if (m_offset > max_offset) {
        m_offset = max_offset;
        m_velocity = 0;
    }
}

} // namespace nafitha::ui
