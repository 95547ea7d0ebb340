#include "kiosk/ui/screens.h"

namespace nafitha::ui {

const std::vector<ScreenDef>& screens()
{
    // In ScreenId order: screen_def() indexes this table.
    static const std::vector<ScreenDef> all = {
        {ScreenId::Attract, "attract", Mode::Citizen, draw_attract},
        {ScreenId::Language, "language", Mode::Citizen, draw_language},
        {ScreenId::Categories, "categories", Mode::Citizen, draw_categories},
        {ScreenId::Services, "services", Mode::Citizen, draw_services},
        {ScreenId::Service, "service", Mode::Citizen, draw_service},
        {ScreenId::Form, "form", Mode::Citizen, draw_form},
        {ScreenId::Review, "review", Mode::Citizen, draw_review},
        {ScreenId::Payment, "payment", Mode::Citizen, draw_payment},
        {ScreenId::Done, "done", Mode::Citizen, draw_done},
        {ScreenId::Survey, "survey", Mode::Citizen, draw_survey},
        {ScreenId::Track, "track", Mode::Citizen, draw_track},
        {ScreenId::Ticket, "ticket", Mode::Citizen, draw_ticket},
        {ScreenId::TicketChoice, "ticket_choice", Mode::Citizen, draw_ticket_choice},
        {ScreenId::OutOfService, "out_of_service", Mode::Service, draw_out_of_service},
        {ScreenId::StaffLogin, "staff_login", Mode::Staff, draw_staff_login},
        {ScreenId::StaffHome, "staff_home", Mode::Staff, draw_staff_home},
        {ScreenId::StaffQueue, "staff_queue", Mode::Staff, draw_staff_queue},
        {ScreenId::StaffInbox, "staff_inbox", Mode::Staff, draw_staff_inbox},
        {ScreenId::StaffPayments, "staff_payments", Mode::Staff, draw_staff_payments},
        {ScreenId::StaffSync, "staff_sync", Mode::Staff, draw_staff_sync},
        {ScreenId::CounterRegister, "counter_register", Mode::Staff, draw_counter_register},
        {ScreenId::CounterDone, "counter_done", Mode::Staff, draw_counter_done},
        {ScreenId::CounterApplication, "counter_application", Mode::Staff, draw_counter_application},
        {ScreenId::CounterDrawer, "counter_drawer", Mode::Staff, draw_counter_drawer},
        {ScreenId::TechDevices, "tech_devices", Mode::Technician, draw_tech_devices},
        {ScreenId::TechNetwork, "tech_network", Mode::Technician, draw_tech_network},
        {ScreenId::TechInfo, "tech_info", Mode::Technician, draw_tech_info},
        {ScreenId::Provision, "provision", Mode::Technician, draw_provision},
        {ScreenId::StaffUpdates, "staff_updates", Mode::Staff, draw_staff_updates},
    };
    return all;
}

const ScreenDef& screen_def(ScreenId id) { return screens()[static_cast<size_t>(id)]; }

const char* screen_name(ScreenId id) { return screen_def(id).name; }

std::optional<ScreenId> find_screen(std::string_view name)
{
    for (const ScreenDef& s : screens()) {
        if (name == s.name)
            return s.id;
    }
    return std::nullopt;
}

} // namespace nafitha::ui
