#pragma once
// Demo states: the context put in a representative state of each screen, for screenshots (--screen NAME
// --screenshot FILE), replays' `screen NAME` and the golden images. Kept apart from the production screens:
// nothing here runs in a citizen's visit.

#include "kiosk/ui/context.h"

#include <string_view>
#include <vector>

namespace nafitha::ui {

struct DemoState {
    const char* name; // the golden image's name; also --screen NAME
    ScreenId screen;
    void (*setup)(Ctx&); // may be null: the screen as it starts
};

// Every screen once, plus the idle prompt over the form ("idle").
const std::vector<DemoState>& demo_states();
const DemoState* find_demo(std::string_view name);

} // namespace nafitha::ui
