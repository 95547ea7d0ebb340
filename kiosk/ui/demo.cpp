// Demo states for screenshots and golden images (see demo.h). Fixed, made-up data: no real citizen.

#include "kiosk/ui/demo.h"

#include <algorithm>

namespace nafitha::ui {

namespace {

void categories(Ctx& ctx) { ctx.history = {ScreenId::Attract, ScreenId::Language}; }

void services_list(Ctx& ctx)
{
    ctx.history = {ScreenId::Attract, ScreenId::Language, ScreenId::Categories};
    if (ctx.catalogue && !ctx.catalogue->categories.empty())
        ctx.session.category = ctx.catalogue->categories.front().code;
}

void service(Ctx& ctx)
{
    services_list(ctx);
    ctx.history.push_back(ScreenId::Services);
    if (ctx.catalogue) {
        auto list = ctx.catalogue->services_in(ctx.session.category, {});
        if (!list.empty())
            ctx.session.service_code = list.front()->code;
    }
}

const services::Service* current(const Ctx& ctx)
{
    return ctx.catalogue ? ctx.catalogue->service(ctx.session.service_code) : nullptr;
}

void form(Ctx& ctx)
{
    service(ctx);
    ctx.history.push_back(ScreenId::Service);
    const services::Service* s = current(ctx);
    if (!s)
        return;
    // A half-filled form: an Arabic name with the caret in it, and the keyboard up.
    for (const auto& f : s->form) {
        if (f.type == services::FieldType::ArabicName || f.type == services::FieldType::Text) {
            ctx.session.values[f.name] = "محمد أحمد";
            ctx.session.focused_field = f.name;
            ctx.session.edits[f.name] = EditState{ctx.session.values[f.name].size(), ctx.session.values[f.name].size()};
            ctx.keyboard.reset_for(false, true);
            break;
        }
    }
}

void idle(Ctx& ctx)
{
    form(ctx);
    ctx.idle_prompt = true;
}

void review(Ctx& ctx)
{
    form(ctx);
    ctx.history.push_back(ScreenId::Form);
    ctx.session.focused_field.clear();
    const services::Service* s = current(ctx);
    if (!s)
        return;
    for (const auto& f : s->form) {
        std::string v;
        switch (f.type) {
        case services::FieldType::NationalId:
            v = "01234567891";
            break;
        case services::FieldType::Phone:
            v = "0944123456";
            break;
        case services::FieldType::Date:
            v = "1990-05-17";
            break;
        case services::FieldType::Choice:
            v = f.options.empty() ? "" : f.options.front().value;
            break;
        case services::FieldType::Number:
        case services::FieldType::Amount:
            v = std::to_string(std::max<int64_t>(f.min, 1));
            break;
        default:
            v = "محمد أحمد الخطيب";
        }
        ctx.session.values[f.name] = v;
    }
}

void payment(Ctx& ctx)
{
    review(ctx);
    ctx.history.push_back(ScreenId::Review);
    ctx.session.method = PayMethod::Cash;
}

void done(Ctx& ctx)
{
    payment(ctx);
    ctx.history.clear();
    Submitted sub;
    sub.submission.application.reference = "4821-000017-3";
    sub.submission.application.paid_minor = 250000;
    sub.submission.application.expected_ready = "2026-12-03";
    services::Ticket ticket;
    ticket.number = "A017";
    sub.submission.ticket = ticket;
    sub.receipt.queued = true;
    ctx.session.submission = sub;
}

void survey(Ctx& ctx)
{
    done(ctx);
    ctx.history.push_back(ScreenId::Done);
}

void track(Ctx& ctx)
{
    ctx.session.track_input = "4821-000017-3";
    ctx.session.edits["track"] = EditState{ctx.session.track_input.size(), ctx.session.track_input.size()};
    TrackedApplication a;
    a.reference = "4821-000017-3";
    if (ctx.catalogue && !ctx.catalogue->services.empty())
        a.service_code = ctx.catalogue->services.front().code;
    a.status = services::AppStatus::InReview;
    a.updated_at = "2026-11-28T09:00:00Z";
    ctx.session.tracked = a;
    ctx.keyboard.reset_for(true, true);
}

void ticket(Ctx& ctx)
{
    TakenTicket t;
    t.ticket.number = "A017";
    t.ticket.waiting_ahead = 4;
    t.ticket.estimated_wait_s = 720;
    t.print.queued = true;
    ctx.session.ticket = t;
}

void out_of_service(Ctx& ctx) { ctx.health.out_of_service = {"ui.oos.no_paper", "ui.oos.db_readonly"}; }

services::Session session(const char* login, const char* name, services::Role role)
{
    services::Session s;
    s.staff_id = 1;
    s.login = login;
    s.full_name = name;
    s.role = role;
    return s;
}

void staff(Ctx& ctx)
{
    ctx.staff.session = session("clerk1", "سلمى حداد", services::Role::Clerk);
    ctx.staff.sync.enrolled = true;
    ctx.staff.sync.pending = 12;
    ctx.staff.sync.last_seq = 140;
    ctx.staff.sync.acked_seq = 128;
    ctx.staff.sync.last_success = "2026-11-28T08:15:00Z";
    ctx.staff.sync.last_error = "ui.sync.error.unreachable";
}

void staff_login(Ctx& ctx)
{
    auto account = [](int64_t id, const char* login, const char* name, services::Role role) {
        services::StaffAccount a;
        a.id = id;
        a.login = login;
        a.full_name = name;
        a.role = role;
        return a;
    };
    ctx.staff.accounts = {account(1, "clerk1", "سلمى حداد", services::Role::Clerk),
                          account(2, "clerk2", "Omar Khatib", services::Role::Clerk),
                          account(3, "tech1", "كريم الأيوبي", services::Role::Technician)};
    ctx.staff.accounts_loaded = true;
    ctx.staff.login = "clerk1";
    ctx.staff.pin = "12";
}

void staff_queue(Ctx& ctx)
{
    staff(ctx);
    QueueState q;
    q.current = "A014";
    q.waiting = {"A015", "A016", "B003", "A017", "C001"};
    q.served_today = 13;
    ctx.staff.queue = q;
}

void staff_inbox(Ctx& ctx)
{
    staff(ctx);
    std::string code = ctx.catalogue && !ctx.catalogue->services.empty() ? ctx.catalogue->services.front().code : "";
    std::string code2 = ctx.catalogue && ctx.catalogue->services.size() > 1 ? ctx.catalogue->services[1].code : code;
    using services::AppStatus;
    ctx.staff.inbox = {{"4821-000017-3", code, AppStatus::Paid, "2026-11-28T09:10:00Z", "…4821"},
                       {"4821-000016-5", code2, AppStatus::InReview, "2026-11-28T08:55:00Z", "…0317"},
                       {"4821-000015-8", code, AppStatus::Paid, "2026-11-28T08:30:00Z", "…7702"}};
    ctx.staff.selected = "4821-000017-3";
}

void staff_payments(Ctx& ctx)
{
    staff(ctx);
    services::DayTotals s;
    s.day = "2026-11-28";
    s.count = 23;
    s.cash_minor = 4500000;
    s.card_minor = 2750000;
    s.waived_minor = 500000;
    s.change_minor = 120000;
    ctx.staff.payments = s;
}

void tech(Ctx& ctx)
{
    ctx.staff.devices = {{"ui.tech.device.printer", DeviceState::Ok, "ui.device.ok"},
                         {"ui.tech.device.paper", DeviceState::Warning, "ui.device.paper_low"},
                         {"ui.tech.device.scanner", DeviceState::Ok, "ui.device.ok"},
                         {"ui.tech.device.cash", DeviceState::Ok, "ui.device.ok"},
                         {"ui.tech.device.card", DeviceState::Fault, "ui.device.offline"},
                         {"ui.tech.device.disk", DeviceState::Ok, "ui.device.ok"}};
    ctx.staff.versions = {{"ui.tech.version.app", "0.1.0"}, {"ui.tech.version.terminal", "T1a2b3c4d5e6f"},
                          {"ui.tech.version.centre", "DAM-01"}, {"ui.tech.version.catalogue", "3"},
                          {"ui.tech.version.journal", "128 / 140"}};
    staff(ctx);
    ctx.staff.session = session("tech1", "Karim", services::Role::Technician);
}

} // namespace

const std::vector<DemoState>& demo_states()
{
    static const std::vector<DemoState> all = {
        {"attract", ScreenId::Attract, nullptr},
        {"language", ScreenId::Language, nullptr},
        {"categories", ScreenId::Categories, categories},
        {"services", ScreenId::Services, services_list},
        {"service", ScreenId::Service, service},
        {"form", ScreenId::Form, form},
        {"review", ScreenId::Review, review},
        {"payment", ScreenId::Payment, payment},
        {"done", ScreenId::Done, done},
        {"survey", ScreenId::Survey, survey},
        {"track", ScreenId::Track, track},
        {"ticket", ScreenId::Ticket, ticket},
        {"idle", ScreenId::Form, idle},
        {"out_of_service", ScreenId::OutOfService, out_of_service},
        {"staff_login", ScreenId::StaffLogin, staff_login},
        {"staff_home", ScreenId::StaffHome, staff},
        {"staff_queue", ScreenId::StaffQueue, staff_queue},
        {"staff_inbox", ScreenId::StaffInbox, staff_inbox},
        {"staff_payments", ScreenId::StaffPayments, staff_payments},
        {"staff_sync", ScreenId::StaffSync, staff},
        {"tech_devices", ScreenId::TechDevices, tech},
        {"tech_network", ScreenId::TechNetwork, tech},
        {"tech_info", ScreenId::TechInfo, tech},
    };
    return all;
}

const DemoState* find_demo(std::string_view name)
{
    for (const DemoState& d : demo_states()) {
        if (name == d.name)
            return &d;
    }
    return nullptr;
}

} // namespace nafitha::ui
