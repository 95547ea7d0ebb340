#pragma once
// Icons drawn with vector primitives (no artwork files). Icons with a direction (back, next) mirror in
// right-to-left layouts.

#include "kiosk/ui/touch.h"

#include <imgui.h>

#include <string_view>

namespace nafitha::ui {

struct Ctx;

// Known names: id_card, passport, car, home, family, business, health, education, certificate, ticket,
// search, globe, back, next, check, cross, cash, card, exemption, printer, network, gear, person, lock,
// queue, inbox, money, sync, contrast, text_size, star, document, clock, qr. Unknown names draw a circle.
void draw_icon(Ctx& ctx, std::string_view name, const Rect& r, ImU32 colour);

} // namespace nafitha::ui
