#pragma once
// The screen registry: every screen of every mode by ScreenId, with its name (for --screen, --list-screens
// and replays) and its draw function. One file per screen (screen_<name>.cpp), one draw function each.
// Demo states for screenshots and golden images live apart, in demo.h.

#include "kiosk/ui/context.h"

#include <optional>
#include <string_view>
#include <vector>

namespace nafitha::ui {

using DrawFn = void (*)(Ctx&);

struct ScreenDef {
    ScreenId id;
    const char* name;
    Mode mode;
    DrawFn draw;
};

const std::vector<ScreenDef>& screens();
const ScreenDef& screen_def(ScreenId id);
const char* screen_name(ScreenId id);
std::optional<ScreenId> find_screen(std::string_view name);

// Draw functions, one per file.
void draw_attract(Ctx&);
void draw_language(Ctx&);
void draw_categories(Ctx&);
void draw_services(Ctx&);
void draw_service(Ctx&);
void draw_form(Ctx&);
void draw_review(Ctx&);
void draw_payment(Ctx&);
void draw_done(Ctx&);
void draw_survey(Ctx&);
void draw_track(Ctx&);
void draw_ticket(Ctx&);
void draw_ticket_choice(Ctx&);
void draw_out_of_service(Ctx&);
void draw_staff_login(Ctx&);
void draw_staff_home(Ctx&);
void draw_staff_queue(Ctx&);
void draw_staff_inbox(Ctx&);
void draw_staff_payments(Ctx&);
void draw_staff_sync(Ctx&);
void draw_staff_updates(Ctx&);
void draw_counter_register(Ctx&);
void draw_counter_done(Ctx&);
void draw_counter_application(Ctx&);
void draw_counter_drawer(Ctx&);
void draw_tech_devices(Ctx&);
void draw_tech_network(Ctx&);
void draw_tech_info(Ctx&);
void draw_provision(Ctx&);

// The "are you still there?" overlay, drawn over any citizen screen by the idle timer.
void draw_idle_prompt(Ctx&);
// While cash is being taken: inserted against due, the change, and cancel (screen_payment.cpp).
void draw_cash_overlay(Ctx&);

} // namespace nafitha::ui
