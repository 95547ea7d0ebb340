#include "kiosk/ui/screens.h"

namespace nafitha::ui {

const std::vector<ScreenDef>& screens()
{
    static const std::vector<ScreenDef> all = {
        {"attract", Mode::Citizen, draw_attract, nullptr},
        {"language", Mode::Citizen, draw_language, nullptr},
        {"categories", Mode::Citizen, draw_categories, demo_categories},
        {"services", Mode::Citizen, draw_services, demo_services},
        {"service", Mode::Citizen, draw_service, demo_service},
        {"form", Mode::Citizen, draw_form, demo_form},
        {"review", Mode::Citizen, draw_review, demo_review},
        {"payment", Mode::Citizen, draw_payment, demo_payment},
        {"done", Mode::Citizen, draw_done, demo_done},
        {"survey", Mode::Citizen, draw_survey, demo_survey},
        {"track", Mode::Citizen, draw_track, demo_track},
        {"ticket", Mode::Citizen, draw_ticket, demo_ticket},
        {"idle", Mode::Citizen, draw_form, demo_idle},
        {"out_of_service", Mode::Service, draw_out_of_service, demo_out_of_service},
        {"staff_login", Mode::Staff, draw_staff_login, demo_staff_login},
        {"staff_home", Mode::Staff, draw_staff_home, demo_staff},
        {"staff_queue", Mode::Staff, draw_staff_queue, demo_staff_queue},
        {"staff_inbox", Mode::Staff, draw_staff_inbox, demo_staff_inbox},
        {"staff_payments", Mode::Staff, draw_staff_payments, demo_staff_payments},
        {"staff_sync", Mode::Staff, draw_staff_sync, demo_staff},
        {"tech_devices", Mode::Technician, draw_tech_devices, demo_tech},
        {"tech_network", Mode::Technician, draw_tech_network, demo_tech},
        {"tech_info", Mode::Technician, draw_tech_info, demo_tech},
    };
    return all;
}

const ScreenDef* find_screen(std::string_view name)
{
    for (const ScreenDef& s : screens()) {
        if (name == s.name)
            return &s;
    }
    return nullptr;
}

} // namespace nafitha::ui
