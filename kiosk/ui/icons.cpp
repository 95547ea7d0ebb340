#include "kiosk/ui/icons.h"

#include "kiosk/ui/context.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace nafitha::ui {

namespace {

// Icon coordinates are in a 0..1 box; `P` maps them into the rect, mirrored when asked.
struct Pen {
    ImDrawList* dl;
    Rect r;
    bool flip;
    ImU32 c;
    float t; // stroke thickness

    ImVec2 P(float x, float y) const
    {
        if (flip)
            x = 1 - x;
        // On an eighth of a pixel: far from the host's 1/64 snapping boundaries, so that a filled box's edge
        // (drawn without anti-aliasing) never sits where the last bits of the arithmetic could move it.
        return ImVec2(std::round((r.x + x * r.w) * 8.0f) / 8.0f, std::round((r.y + y * r.h) * 8.0f) / 8.0f);
    }
    float S(float v) const { return v * std::min(r.w, r.h); }
    void line(float x0, float y0, float x1, float y1) const { dl->AddLine(P(x0, y0), P(x1, y1), c, t); }
    void rect(float x0, float y0, float x1, float y1, float round = 0.06f) const
    {
        ImVec2 a = P(x0, y0), b = P(x1, y1);
        dl->AddRect(ImVec2(std::min(a.x, b.x), a.y), ImVec2(std::max(a.x, b.x), b.y), c, S(round), 0, t);
    }
    void box(float x0, float y0, float x1, float y1, float round = 0.06f) const
    {
        ImVec2 a = P(x0, y0), b = P(x1, y1);
        dl->AddRectFilled(ImVec2(std::min(a.x, b.x), a.y), ImVec2(std::max(a.x, b.x), b.y), c, S(round));
    }
    void circle(float x, float y, float rad) const { dl->AddCircle(P(x, y), S(rad), c, 24, t); }
    void dot(float x, float y, float rad) const { dl->AddCircleFilled(P(x, y), S(rad), c, 24); }
    void tri(float x0, float y0, float x1, float y1, float x2, float y2) const
    {
        dl->AddTriangleFilled(P(x0, y0), P(x1, y1), P(x2, y2), c);
    }
    void arc(float x, float y, float rad, float a0, float a1) const
    {
        dl->PathArcTo(P(x, y), S(rad), a0, a1, 24);
        dl->PathStroke(c, 0, t);
    }
};

void person(const Pen& p, float cx, float cy, float s)
{
    p.dot(cx, cy - 0.18f * s, 0.12f * s);
    p.arc(cx, cy + 0.3f * s, 0.24f * s, 3.14159f, 2 * 3.14159f);
}

} // namespace

void draw_icon(Ctx& ctx, std::string_view name, const Rect& r, ImU32 colour)
{
    float t = std::max(1.5f, std::min(r.w, r.h) * 0.07f);
    Pen p{ctx.layer ? ctx.layer : ImGui::GetBackgroundDrawList(), r, false, colour, t};
    const float pi = 3.14159265f;
    std::string n(name);
    if (n == "back" || n == "next" || n == "left" || n == "right") {
        // Back points to the start side: left in English, right in Arabic. Left and right never mirror.
        bool to_left = n == "left" || (n != "right" && ((n == "back") != ctx.rtl()));
        p.flip = !to_left;
        p.line(0.15f, 0.5f, 0.85f, 0.5f);
        p.line(0.15f, 0.5f, 0.45f, 0.2f);
        p.line(0.15f, 0.5f, 0.45f, 0.8f);
    } else if (n == "exit") {
        // A door left open with an arrow leaving through it (toward the end side).
        p.flip = ctx.rtl();
        p.rect(0.1f, 0.1f, 0.55f, 0.9f, 0.02f);
        p.line(0.4f, 0.5f, 0.92f, 0.5f);
        p.line(0.92f, 0.5f, 0.75f, 0.33f);
        p.line(0.92f, 0.5f, 0.75f, 0.67f);
    } else if (n == "up" || n == "down") {
        float tip = n == "up" ? 0.25f : 0.75f, base = n == "up" ? 0.65f : 0.35f;
        p.line(0.2f, base, 0.5f, tip);
        p.line(0.5f, tip, 0.8f, base);
    } else if (n == "id_card") {
        p.rect(0.05f, 0.2f, 0.95f, 0.8f);
        person(p, 0.3f, 0.5f, 0.7f);
        p.line(0.55f, 0.4f, 0.85f, 0.4f);
        p.line(0.55f, 0.55f, 0.85f, 0.55f);
    } else if (n == "passport") {
        p.rect(0.2f, 0.05f, 0.8f, 0.95f);
        p.circle(0.5f, 0.42f, 0.17f);
        p.line(0.33f, 0.42f, 0.67f, 0.42f);
        p.line(0.35f, 0.78f, 0.65f, 0.78f);
    } else if (n == "car") {
        p.rect(0.05f, 0.45f, 0.95f, 0.75f, 0.08f);
        p.line(0.2f, 0.45f, 0.3f, 0.22f);
        p.line(0.3f, 0.22f, 0.7f, 0.22f);
        p.line(0.7f, 0.22f, 0.8f, 0.45f);
        p.dot(0.27f, 0.78f, 0.09f);
        p.dot(0.73f, 0.78f, 0.09f);
    } else if (n == "home") {
        p.line(0.1f, 0.5f, 0.5f, 0.12f);
        p.line(0.5f, 0.12f, 0.9f, 0.5f);
        p.rect(0.2f, 0.45f, 0.8f, 0.9f, 0.0f);
        p.rect(0.42f, 0.62f, 0.58f, 0.9f, 0.0f);
    } else if (n == "family") {
        person(p, 0.3f, 0.45f, 0.8f);
        person(p, 0.7f, 0.45f, 0.8f);
        person(p, 0.5f, 0.65f, 0.5f);
    } else if (n == "business") {
        p.rect(0.08f, 0.3f, 0.92f, 0.85f);
        p.rect(0.35f, 0.15f, 0.65f, 0.3f, 0.02f);
        p.line(0.08f, 0.52f, 0.92f, 0.52f);
    } else if (n == "health") {
        p.box(0.38f, 0.12f, 0.62f, 0.88f, 0.04f);
        p.box(0.12f, 0.38f, 0.88f, 0.62f, 0.04f);
    } else if (n == "education") {
        p.tri(0.05f, 0.4f, 0.5f, 0.18f, 0.95f, 0.4f);
        p.tri(0.05f, 0.4f, 0.5f, 0.62f, 0.95f, 0.4f);
        p.line(0.25f, 0.5f, 0.25f, 0.78f);
        p.line(0.75f, 0.5f, 0.75f, 0.78f);
        p.arc(0.5f, 0.62f, 0.25f, 0.2f, pi - 0.2f);
    } else if (n == "certificate" || n == "document") {
        p.rect(0.18f, 0.08f, 0.82f, 0.92f, 0.03f);
        p.line(0.3f, 0.28f, 0.7f, 0.28f);
        p.line(0.3f, 0.42f, 0.7f, 0.42f);
        p.line(0.3f, 0.56f, 0.6f, 0.56f);
        if (n == "certificate")
            p.circle(0.62f, 0.76f, 0.09f);
    } else if (n == "ticket" || n == "queue") {
        p.rect(0.08f, 0.25f, 0.92f, 0.75f, 0.06f);
        for (int i = 0; i < 4; ++i)
            p.dot(0.62f, 0.32f + static_cast<float>(i) * 0.12f, 0.025f);
        p.line(0.2f, 0.42f, 0.5f, 0.42f);
        p.line(0.2f, 0.58f, 0.45f, 0.58f);
    } else if (n == "search") {
        p.circle(0.42f, 0.42f, 0.26f);
        p.line(0.62f, 0.62f, 0.9f, 0.9f);
    } else if (n == "globe") {
        p.circle(0.5f, 0.5f, 0.4f);
        p.line(0.1f, 0.5f, 0.9f, 0.5f);
        p.line(0.5f, 0.1f, 0.5f, 0.9f);
        p.arc(0.5f, 0.5f, 0.4f * 0.55f, -pi / 2, pi / 2);
    } else if (n == "check") {
        p.line(0.15f, 0.55f, 0.4f, 0.8f);
        p.line(0.4f, 0.8f, 0.88f, 0.22f);
    } else if (n == "cross") {
        p.line(0.2f, 0.2f, 0.8f, 0.8f);
        p.line(0.8f, 0.2f, 0.2f, 0.8f);
    } else if (n == "cash" || n == "money") {
        p.rect(0.05f, 0.28f, 0.95f, 0.72f, 0.04f);
        p.circle(0.5f, 0.5f, 0.13f);
        p.dot(0.18f, 0.5f, 0.03f);
        p.dot(0.82f, 0.5f, 0.03f);
    } else if (n == "card") {
        p.rect(0.05f, 0.22f, 0.95f, 0.78f, 0.06f);
        p.box(0.05f, 0.34f, 0.95f, 0.44f, 0.0f);
        p.box(0.15f, 0.58f, 0.35f, 0.66f, 0.01f);
    } else if (n == "exemption") {
        p.rect(0.18f, 0.08f, 0.82f, 0.92f, 0.03f);
        p.line(0.32f, 0.52f, 0.46f, 0.66f);
        p.line(0.46f, 0.66f, 0.7f, 0.36f);
    } else if (n == "printer") {
        p.rect(0.08f, 0.38f, 0.92f, 0.75f, 0.05f);
        p.rect(0.25f, 0.1f, 0.75f, 0.38f, 0.0f);
        p.rect(0.25f, 0.62f, 0.75f, 0.92f, 0.0f);
    } else if (n == "network" || n == "sync") {
        if (n == "sync") {
            p.arc(0.5f, 0.5f, 0.32f, -pi * 0.9f, -pi * 0.1f);
            p.arc(0.5f, 0.5f, 0.32f, pi * 0.1f, pi * 0.9f);
            p.tri(0.82f, 0.38f, 0.94f, 0.58f, 0.7f, 0.58f);
            p.tri(0.18f, 0.62f, 0.06f, 0.42f, 0.3f, 0.42f);
        } else {
            p.arc(0.5f, 0.82f, 0.6f, -pi * 0.75f, -pi * 0.25f);
            p.arc(0.5f, 0.82f, 0.4f, -pi * 0.75f, -pi * 0.25f);
            p.arc(0.5f, 0.82f, 0.2f, -pi * 0.75f, -pi * 0.25f);
            p.dot(0.5f, 0.82f, 0.05f);
        }
    } else if (n == "bolt") {
        ImVec2 pts[] = {p.P(0.58f, 0.05f), p.P(0.22f, 0.55f), p.P(0.48f, 0.55f), p.P(0.4f, 0.95f), p.P(0.78f, 0.42f),
                        p.P(0.52f, 0.42f)};
        p.dl->AddPolyline(pts, 6, colour, ImDrawFlags_Closed, t);
    } else if (n == "drop") {
        p.arc(0.5f, 0.62f, 0.26f, -0.35f, pi + 0.35f);
        p.line(0.26f, 0.53f, 0.5f, 0.08f);
        p.line(0.74f, 0.53f, 0.5f, 0.08f);
    } else if (n == "phone") {
        p.rect(0.28f, 0.05f, 0.72f, 0.95f, 0.08f);
        p.line(0.42f, 0.14f, 0.58f, 0.14f);
        p.dot(0.5f, 0.84f, 0.04f);
    } else if (n == "scales") {
        p.line(0.5f, 0.1f, 0.5f, 0.88f);
        p.line(0.3f, 0.88f, 0.7f, 0.88f);
        p.line(0.12f, 0.22f, 0.88f, 0.22f);
        p.line(0.2f, 0.22f, 0.08f, 0.55f);
        p.line(0.2f, 0.22f, 0.32f, 0.55f);
        p.line(0.8f, 0.22f, 0.68f, 0.55f);
        p.line(0.8f, 0.22f, 0.92f, 0.55f);
        p.arc(0.2f, 0.55f, 0.12f, 0, pi);
        p.arc(0.8f, 0.55f, 0.12f, 0, pi);
    } else if (n == "building") {
        p.rect(0.15f, 0.2f, 0.85f, 0.92f, 0.0f);
        p.line(0.1f, 0.2f, 0.5f, 0.05f);
        p.line(0.5f, 0.05f, 0.9f, 0.2f);
        for (int i = 0; i < 3; ++i) {
            float x = 0.28f + static_cast<float>(i) * 0.22f;
            p.line(x, 0.35f, x, 0.78f);
        }
    } else if (n == "shift") {
        ImVec2 pts[] = {p.P(0.5f, 0.1f), p.P(0.9f, 0.5f), p.P(0.68f, 0.5f), p.P(0.68f, 0.9f), p.P(0.32f, 0.9f),
                        p.P(0.32f, 0.5f), p.P(0.1f, 0.5f)};
        p.dl->AddPolyline(pts, 7, colour, ImDrawFlags_Closed, t);
    } else if (n == "gear") {
        p.circle(0.5f, 0.5f, 0.22f);
        for (int i = 0; i < 8; ++i) {
            float a = static_cast<float>(i) * pi / 4;
            p.line(0.5f + std::cos(a) * 0.3f, 0.5f + std::sin(a) * 0.3f, 0.5f + std::cos(a) * 0.42f,
                   0.5f + std::sin(a) * 0.42f);
        }
    } else if (n == "person") {
        person(p, 0.5f, 0.45f, 1.4f);
    } else if (n == "lock") {
        p.box(0.2f, 0.45f, 0.8f, 0.9f, 0.05f);
        p.arc(0.5f, 0.45f, 0.2f, pi, 2 * pi);
    } else if (n == "inbox") {
        p.rect(0.08f, 0.2f, 0.92f, 0.8f, 0.04f);
        p.line(0.08f, 0.55f, 0.35f, 0.55f);
        p.line(0.65f, 0.55f, 0.92f, 0.55f);
        p.line(0.35f, 0.55f, 0.4f, 0.65f);
        p.line(0.65f, 0.55f, 0.6f, 0.65f);
        p.line(0.4f, 0.65f, 0.6f, 0.65f);
    } else if (n == "contrast") {
        p.circle(0.5f, 0.5f, 0.4f);
        p.dl->PathArcTo(p.P(0.5f, 0.5f), p.S(0.4f), -pi / 2, pi / 2, 24);
        p.dl->PathFillConvex(colour);
    } else if (n == "text_size") {
        p.line(0.1f, 0.85f, 0.35f, 0.2f);
        p.line(0.35f, 0.2f, 0.6f, 0.85f);
        p.line(0.2f, 0.6f, 0.5f, 0.6f);
        p.line(0.65f, 0.85f, 0.78f, 0.5f);
        p.line(0.78f, 0.5f, 0.91f, 0.85f);
    } else if (n == "speaker") {
        // A loudspeaker with two waves (the waves point to the end side).
        p.flip = ctx.rtl();
        p.box(0.08f, 0.38f, 0.28f, 0.62f, 0.0f);
        p.tri(0.22f, 0.5f, 0.5f, 0.15f, 0.5f, 0.85f);
        float a0 = ctx.rtl() ? pi - 0.8f : -0.8f, a1 = ctx.rtl() ? pi + 0.8f : 0.8f;
        p.arc(0.5f, 0.5f, 0.2f, a0, a1);
        p.arc(0.5f, 0.5f, 0.36f, a0, a1);
    } else if (n == "calendar") {
        p.rect(0.1f, 0.18f, 0.9f, 0.9f, 0.04f);
        p.line(0.1f, 0.38f, 0.9f, 0.38f);
        p.line(0.32f, 0.08f, 0.32f, 0.26f);
        p.line(0.68f, 0.08f, 0.68f, 0.26f);
        p.box(0.25f, 0.52f, 0.4f, 0.64f, 0.0f);
        p.box(0.6f, 0.7f, 0.75f, 0.82f, 0.0f);
    } else if (n == "edit") {
        // A pencil.
        p.line(0.2f, 0.8f, 0.75f, 0.25f);
        p.line(0.3f, 0.9f, 0.85f, 0.35f);
        p.line(0.75f, 0.25f, 0.85f, 0.35f);
        p.line(0.2f, 0.8f, 0.12f, 0.95f);
        p.line(0.12f, 0.95f, 0.3f, 0.9f);
    } else if (n == "star") {
        ImVec2 pts[10];
        for (int i = 0; i < 10; ++i) {
            float a = -pi / 2 + static_cast<float>(i) * pi / 5;
            float rad = (i % 2) ? 0.19f : 0.45f;
            pts[i] = p.P(0.5f + std::cos(a) * rad, 0.52f + std::sin(a) * rad);
        }
        p.dl->AddPolyline(pts, 10, colour, ImDrawFlags_Closed, t);
    } else if (n == "clock") {
        p.circle(0.5f, 0.5f, 0.4f);
        p.line(0.5f, 0.5f, 0.5f, 0.25f);
        p.line(0.5f, 0.5f, 0.68f, 0.6f);
    } else if (n == "qr") {
        p.rect(0.08f, 0.08f, 0.38f, 0.38f, 0.0f);
        p.rect(0.62f, 0.08f, 0.92f, 0.38f, 0.0f);
        p.rect(0.08f, 0.62f, 0.38f, 0.92f, 0.0f);
        p.box(0.18f, 0.18f, 0.28f, 0.28f, 0.0f);
        p.box(0.72f, 0.18f, 0.82f, 0.28f, 0.0f);
        p.box(0.18f, 0.72f, 0.28f, 0.82f, 0.0f);
        p.box(0.6f, 0.6f, 0.72f, 0.72f, 0.0f);
        p.box(0.8f, 0.8f, 0.92f, 0.92f, 0.0f);
    } else if (n == "face_1" || n == "face_2" || n == "face_3" || n == "face_4" || n == "face_5") {
        int k = n.back() - '0';
        p.circle(0.5f, 0.5f, 0.42f);
        p.dot(0.36f, 0.4f, 0.05f);
        p.dot(0.64f, 0.4f, 0.05f);
        float curve = static_cast<float>(k - 3) * 0.07f;
        p.dl->AddBezierQuadratic(p.P(0.3f, 0.66f), p.P(0.5f, 0.66f + curve * 2), p.P(0.7f, 0.66f), colour, t);
    } else {
        p.circle(0.5f, 0.5f, 0.35f);
    }
}

} // namespace nafitha::ui
