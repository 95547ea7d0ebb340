#pragma once
// The screen registry: every screen of every mode, by name, with its draw function and the demo state used
// for screenshots and golden images. One file per screen (screen_<name>.cpp), one draw function each.

#include "kiosk/ui/context.h"

#include <string_view>
#include <vector>

namespace nafitha::ui {

using DrawFn = void (*)(Ctx&);

struct ScreenDef {
    const char* name;
    Mode mode;
    DrawFn draw;
    DrawFn demo; // puts the context in a representative state for a screenshot (may be null)
};

const std::vector<ScreenDef>& screens();
const ScreenDef* find_screen(std::string_view name);

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
void draw_out_of_service(Ctx&);
void draw_staff_login(Ctx&);
void draw_staff_home(Ctx&);
void draw_staff_queue(Ctx&);
void draw_staff_inbox(Ctx&);
void draw_staff_payments(Ctx&);
void draw_staff_sync(Ctx&);
void draw_tech_devices(Ctx&);
void draw_tech_network(Ctx&);
void draw_tech_info(Ctx&);

// The "are you still there?" overlay, drawn over any citizen screen by the idle timer.
void draw_idle_prompt(Ctx&);

// Demo states.
void demo_categories(Ctx&);
void demo_services(Ctx&);
void demo_service(Ctx&);
void demo_form(Ctx&);
void demo_review(Ctx&);
void demo_payment(Ctx&);
void demo_done(Ctx&);
void demo_survey(Ctx&);
void demo_track(Ctx&);
void demo_ticket(Ctx&);
void demo_idle(Ctx&);
void demo_out_of_service(Ctx&);
void demo_staff(Ctx&);
void demo_staff_login(Ctx&);
void demo_staff_queue(Ctx&);
void demo_staff_inbox(Ctx&);
void demo_staff_payments(Ctx&);
void demo_tech(Ctx&);

} // namespace nafitha::ui
