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
    ctx.session.survey_reasons = {"long_wait"}; // one reason tapped: both looks of the reason buttons show
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
    a.paid_minor = 200000;
    a.fee_outcome = "kept";
    a.ready_date = "2026-12-03";
    ctx.session.tracked = a;
    ctx.keyboard.reset_for(true, true);
}

// Found by scanning the receipt (the pad folded away): ready, with what to bring and a copy to print.
void track_ready(Ctx& ctx)
{
    track(ctx);
    TrackedApplication& a = *ctx.session.tracked;
    a.status = services::AppStatus::Ready;
    a.updated_at = "2026-12-02T07:30:00Z";
    a.ready_date = "2026-12-02";
    a.from_receipt = true;
    ctx.session.track_editing = false;
}

// Rejected with a coded reason, the decider's words, and the fee given back.
void track_rejected(Ctx& ctx)
{
    track(ctx);
    TrackedApplication& a = *ctx.session.tracked;
    a.status = services::AppStatus::Rejected;
    a.updated_at = "2026-11-29T11:15:00Z";
    a.reason_key = "decision.reason.documents_missing";
    a.reason = "صورة البطاقة الشخصية غير واضحة"; // the decider's own words, as typed at the counter
    a.decided_at = a.updated_at;
    a.fee_outcome = "refunded";
    a.refunded_minor = 200000;
    ctx.session.track_editing = false;
}

void ticket(Ctx& ctx)
{
    TakenTicket t;
    t.ticket.number = "A017";
    t.ticket.waiting_ahead = 4;
    t.ticket.estimated_wait_s = 720;
    t.print.queued = true;
    ctx.session.ticket = t;
    if (ctx.catalogue && !ctx.catalogue->categories.empty())
        ctx.session.category = ctx.catalogue->categories.front().code; // chosen on ticket_choice
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

void staff_sync(Ctx& ctx)
{
    staff(ctx);
    ctx.staff.sync.enrolled = true;
    ctx.staff.sync.pending = 412;
    ctx.staff.sync.last_seq = 1840;
    ctx.staff.sync.acked_seq = 1428;
    ctx.staff.sync.last_success = "2026-11-02T14:05:00Z";
    services::PolicyState h;
    h.has_policy = true;
    h.version = 3;
    h.warn_after_days = 25;
    h.stop_payments_after_days = 32;
    h.last_sync_ms = 1;
    h.days_without_sync = 26;
    h.warn = true;
    h.days_until_stop = 6;
    ctx.staff.health = h;
    ctx.staff.unsynced = {{1429, "application.submitted", "4821-000311-7", "2026-11-02T14:20:00.000Z", 26 * 86400 + 3600},
                          {1430, "payment.recorded", "4821-000311-7", "2026-11-02T14:20:00.000Z", 26 * 86400 + 3600},
                          {1433, "application.status_changed", "4821-000298-2", "2026-11-03T09:12:00.000Z", 25 * 86400},
                          {1502, "drawer.z_report", "", "2026-11-03T17:00:00.000Z", 25 * 86400 - 8 * 3600},
                          {1840, "application.viewed", "4821-000512-0", "2026-11-28T09:40:00.000Z", 1200}};
}

// The counter: a clerk registering a walk-in citizen, half-way through the payment.
void counter_session(Ctx& ctx)
{
    staff(ctx);
    ctx.session.service_code = "civil.birth_extract";
    ctx.session.category = "civil";
    ctx.session.values = {{"full_name", "محمد أحمد الخطيب"}, {"national_id", "01020304050"}, {"father_name", "أحمد"},
                          {"mother_name", "فاطمة السيد"}, {"birth_date", "1990-05-17"}, {"copies", "2"}, {"phone", "0933123456"}};
}

void counter_register(Ctx& ctx)
{
    counter_session(ctx);
    ctx.session.method = PayMethod::Cash;
    ctx.session.focused_field = "$tendered";
    ctx.counter.tendered = "5000";
    ctx.session.edits["$tendered"] = EditState{4, 4};
}

services::Application demo_application(const Ctx& ctx)
{
    services::Application a;
    a.id = 17;
    a.reference = "4821-000017-3";
    a.service_code = "civil.birth_extract";
    a.centre = "DAM-01";
    a.status = services::AppStatus::Paid;
    a.channel = services::Channel::Counter;
    a.fee.total = 200000;
    a.paid_minor = 200000;
    a.submitted_at = "2026-11-28T09:10:00.000Z";
    a.values = ctx.session.values;
    a.applicant.full_name = "محمد أحمد الخطيب";
    a.applicant.national_id = "01020304050";
    a.history = {{services::AppStatus::Submitted, "2026-11-28T09:10:00.000Z", "", "staff:1", ""},
                 {services::AppStatus::Paid, "2026-11-28T09:10:00.000Z", "", "staff:1", ""}};
    return a;
}

void counter_done(Ctx& ctx)
{
    counter_session(ctx);
    Submitted s;
    s.submission.application = demo_application(ctx);
    services::Payment pay;
    pay.method = PayMethod::Cash;
    pay.amount_minor = 200000;
    pay.tendered_minor = 500000;
    pay.change_minor = 300000;
    s.submission.payment = pay;
    s.receipt.queued = true;
    ctx.counter.done = s;
    ctx.counter.change_minor = 300000;
}

void counter_application(Ctx& ctx)
{
    counter_session(ctx);
    ctx.counter.app = demo_application(ctx);
    ctx.counter.verdict = services::AppStatus::Rejected;
    auto reasons = services::decision_reasons();
    for (size_t i = 0; i < reasons.size(); ++i)
        if (reasons[i].code == "documents_missing")
            ctx.counter.reason = static_cast<int>(i);
    ctx.counter.note = "لا يوجد إخراج قيد حديث";
    ctx.counter.note_edit = EditState{ctx.counter.note.size(), ctx.counter.note.size()};
    ctx.counter.confirming = true;
    ctx.session.values.clear();
}

void counter_drawer(Ctx& ctx)
{
    staff(ctx);
    services::DayTotals t;
    t.day = "2026-11-28";
    t.count = 41;
    t.cash_minor = 6200000;
    t.card_minor = 1800000;
    t.waived_minor = 400000;
    t.change_minor = 950000;
    t.applications = 44;
    t.counter_applications = 38;
    t.opening_float_minor = 1000000;
    t.cash_in_minor = 50000;
    t.cash_out_minor = 20000;
    t.refunded_cash_minor = 200000;
    t.expected_cash_minor = 1000000 + 6200000 + 50000 - 20000 - 200000;
    t.declared_minor = t.expected_cash_minor - 5000;
    t.difference_minor = -5000;
    ctx.counter.totals = t;
    ctx.counter.declared = "70250";
    ctx.counter.focus = 1;
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
    NetworkInfo n;
    n.enrolled = true;
    n.server_url = "https://central.example:8443";
    n.tls = true;
    n.fingerprint = "3f2a 9c01 77be 0d42 a1c9 5e60 2b8f 94d3";
    n.latency_ms = 42;
    n.interfaces = {{"eth0", true, {"192.168.10.21/24", "fe80::5054:ff:fe12:3456/64"}}, {"wlan0", false, {}}};
    ctx.staff.network = n;
    ctx.staff.scan = ScanReading{"ui.tech.scan.kind.receipt", "DAM-2611-00042-7", true, 118};
    ctx.staff.scans = 1;
}

// The first-run set-up: the address typed, the code being typed.
void provision(Ctx& ctx)
{
    ProvisionView& pv = ctx.provision;
    pv.first_run = true;
    pv.server_url = "https://central.example:8443";
    pv.code = "K7QM-3RXD";
    pv.edits[1] = EditState{pv.server_url.size(), pv.server_url.size()};
    pv.edits[2] = EditState{pv.code.size(), pv.code.size()};
    pv.focus = 2;
    pv.reveal = true;
    ctx.keyboard.reset_for(false, false);
}

// A used code, refused (nothing written).
void provision_refused(Ctx& ctx)
{
    provision(ctx);
    ctx.provision.code = "K7QM-3RXD-WP4T";
    ctx.provision.edits[2] = EditState{ctx.provision.code.size(), ctx.provision.code.size()};
    ctx.provision.error = "error.central.enroll_code";
    ctx.provision.reveal = true;
}

// Enrolled: the printer's test page is next.
void provision_enrolled(Ctx& ctx)
{
    ProvisionView& pv = ctx.provision;
    pv.first_run = true;
    pv.step = ProvisionView::Step::TestPage;
    pv.outcome = ProvisionOutcome{"T1a2b3c4d5e6f", "DAM-01", "https://central.example:8443",
                                  "3f2a 9c01 77be 0d42 a1c9 5e60 2b8f 94d3", false, {}};
    pv.print_message = "ui.provision.printed";
    pv.print_ok = true;
}

// Done: the terminal serves citizens from the next tap.
void provision_ready(Ctx& ctx)
{
    provision_enrolled(ctx);
    ctx.provision.step = ProvisionView::Step::Done;
}

void staff_updates(Ctx& ctx)
{
    staff(ctx);
    services::UpdateState u;
    u.window = services::parse_window("02:00-05:00");
    u.open_now = false;
    u.postponed_until = 1795338000; // 2026-11-22 09:00 UTC
    u.last_time = 1795225500;       // 2026-11-21 01:45 UTC
    u.last_result = "installed";
    u.last_version = "0.1.0+4.g1d03aaa";
    ctx.staff.updates = u;
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
        {"track_ready", ScreenId::Track, track_ready},
        {"track_rejected", ScreenId::Track, track_rejected},
        {"ticket", ScreenId::Ticket, ticket},
        {"ticket_choice", ScreenId::TicketChoice, nullptr},
        {"idle", ScreenId::Form, idle},
        {"out_of_service", ScreenId::OutOfService, out_of_service},
        {"staff_login", ScreenId::StaffLogin, staff_login},
        {"staff_home", ScreenId::StaffHome, staff},
        {"staff_queue", ScreenId::StaffQueue, staff_queue},
        {"staff_inbox", ScreenId::StaffInbox, staff_inbox},
        {"staff_payments", ScreenId::StaffPayments, staff_payments},
        {"staff_sync", ScreenId::StaffSync, staff_sync},
        {"staff_updates", ScreenId::StaffUpdates, staff_updates},
        {"counter_register", ScreenId::CounterRegister, counter_register},
        {"counter_done", ScreenId::CounterDone, counter_done},
        {"counter_application", ScreenId::CounterApplication, counter_application},
        {"counter_drawer", ScreenId::CounterDrawer, counter_drawer},
        {"tech_devices", ScreenId::TechDevices, tech},
        {"tech_network", ScreenId::TechNetwork, tech},
        {"tech_info", ScreenId::TechInfo, tech},
        {"provision", ScreenId::Provision, provision},
        {"provision_refused", ScreenId::Provision, provision_refused},
        {"provision_enrolled", ScreenId::Provision, provision_enrolled},
        {"provision_ready", ScreenId::Provision, provision_ready},
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
