#include "kiosk/app/terminal_backend.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "devices/escpos_stream.h"
#include "devices/health.h"
#include "devices/payment.h"
#include "devices/printer_simulator.h"
#include "devices/printer_station.h"
#include "devices/transport.h"
#include "kiosk/documents/documents.h"
#include "kiosk/documents/press.h"
#include "kiosk/services/reference.h"
#include "kiosk/services/terminal.h"
#include "printing/png.h"
#include "printing/render.h"
#include "sync/client/config.h"
#include "sync/client/http.h"
#include "sync/client/provision.h"
#include "sync/client/worker.h"
#include "sync/protocol/enroll_qr.h"
#include "sync/protocol/receipt.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace nafitha::app {

namespace {

using namespace std::chrono_literals;

class TerminalBackend final : public ui::Backend {
public:
    TerminalBackend(BackendOptions options, const I18n& i18n) : m_options(std::move(options)), m_i18n(i18n) {}
    ~TerminalBackend() override
    {
        // Give the printer a moment to finish what was queued (a job left over prints at the next start).
        if (m_station)
            (void)m_station->wait_idle(devices::Millis(10000));
        m_station.reset();
        if (m_sync)
            m_sync->stop();
        m_sync.reset();
        if (m_sim)
            m_sim->stop();
    }

    Result<void> init()
    {
        TRY(fs::ensure_dir(m_options.data_dir, 0700));
        if (m_options.printed_dir.empty())
            m_options.printed_dir = m_options.data_dir / "printed";
        TRY(fs::ensure_dir(m_options.printed_dir, 0700));
        std::string centre = m_options.centre;
        auto cfg = sync::load_config(m_options.data_dir);
        if (centre.empty() && cfg.ok() && !cfg->centre.empty())
            centre = cfg->centre;
        if (centre.empty())
            centre = "DAM-01";
        // Records carry central's time (the offset the sync client last measured; the worker updates it).
        if (cfg.ok())
            clock::set_reference_offset_ms(cfg->clock_offset_ms);
        services::TerminalOptions to;
        to.data_dir = m_options.data_dir;
        to.centre = centre;
        m_terminal = TRY(services::Terminal::open(to));
        if (m_options.dev_staff == DevStaff::Create) {
            auto staff = TRY(m_terminal->staff());
            if (staff.empty()) {
                TRY(m_terminal->create_staff(services::NewStaff{"clerk1", "سلمى حداد", services::Role::Clerk, "1234"}));
                TRY(m_terminal->create_staff(services::NewStaff{"super1", "منى العلي", services::Role::Supervisor, "5678"}));
                TRY(m_terminal->create_staff(services::NewStaff{"tech1", "كريم الأيوبي", services::Role::Technician, "9876"}));
                log::info("kiosk", "development staff accounts created: clerk1, super1 and tech1");
            }
        }
        devices::DeviceAddress address;
        if (m_options.printer == "sim") {
            std::filesystem::path dir = m_options.printed_dir;
            auto counter = std::make_shared<std::atomic<int>>(0);
            m_sim = TRY(devices::PrinterSimulator::start(0, [dir, counter](const devices::SimulatedJob& job) {
                auto page = devices::escpos::assemble_page(job.commands);
                if (!page.ok()) {
                    log::warn("kiosk", "simulated printer: " + page.error().to_string());
                    return;
                }
                auto bitmap = printing::Bitmap::make(static_cast<int>(page->width), static_cast<int>(page->height));
                if (!bitmap.ok())
                    return;
                for (uint32_t y = 0; y < page->height; ++y)
                    for (uint32_t x = 0; x < page->width; ++x)
                        if (page->black(x, y))
                            bitmap->set(static_cast<int>(x), static_cast<int>(y));
                char name[64];
                std::snprintf(name, sizeof name, "page-%03d.png", ++*counter);
                auto w = printing::write_png(*bitmap, dir / name);
                if (!w.ok())
                    log::warn("kiosk", "simulated printer: " + w.error().to_string());
            }));
            if (m_options.sim_paper == PrinterPaper::Out)
                m_sim->set_paper(devices::Paper::Out);
            address = devices::DeviceAddress{devices::DeviceAddress::Kind::Tcp, "127.0.0.1", m_sim->port(), {}, 19200};
        } else {
            address = TRY(devices::parse_address(m_options.printer));
        }
        m_station = TRY(devices::PrinterStation::open(m_options.data_dir / "print-queue", address));
        m_press = std::make_unique<documents::Press>(TRY(documents::Press::create(printing::kWidth80mm)));
        if (m_options.start_sync && cfg.ok())
            start_sync();
        return {};
    }

    // The sync worker for the enrollment in sync.json (a new one after a re-enrollment: another server, key, CA).
    void start_sync()
    {
        if (m_sync) {
            m_sync->stop();
            m_sync.reset();
        }
        {
            sync::SyncCallbacks cb;
            services::Terminal* t = m_terminal.get();
            cb.apply_decision = [t](const sync::CheckedDecision& c) {
                const auto& d = c.decision;
                return t->apply_central_decision(d.reference, d.status, d.note, d.decided_at, d.cursor, c.signed_decision.signature, d.reason);
            };
            cb.install_catalogue = [t](const sync::CheckedCatalogue& c) {
                return t->install_central_catalogue(c.document, c.signed_statement);
            };
            // The signed health report at each pull: the printer and the out-of-service decision the screen shows.
            cb.device_health = [this]() {
                sync::DeviceReport d;
                auto printer = m_station->check(devices::Need::Required);
                static const char* const severities[] = {"ok", "warning", "failed", "absent"};
                d.printer = severities[static_cast<int>(printer.severity)];
                d.paper = printer.code == "device.printer.paper_out"         ? "out"
                          : printer.code == "device.printer.paper_near_end" ? "low"
                          : printer.severity == devices::Severity::Ok       ? "ok"
                                                                            : "unknown";
                d.reasons = health().out_of_service;
                d.out_of_service = !d.reasons.empty();
                return d;
            };
            sync::SyncOptions so;
            so.data_dir = m_options.data_dir;
            auto worker = sync::SyncWorker::create(so, cb);
            if (worker.ok()) {
                m_sync = worker.release_value();
                m_sync->start();
            } else {
                log::warn("kiosk", "sync worker not started: " + worker.error().to_string());
            }
        }
    }

    std::shared_ptr<const ui::Catalogue> catalogue() override { return m_terminal->catalogue(); }
    const std::string& centre() const override { return m_terminal->centre(); }

    ui::Health health() override
    {
        ui::Health h;
        std::vector<devices::DeviceHealth> list;
        list.push_back(m_station->check(devices::Need::Required));
        auto agg = devices::aggregate(list);
        for (const std::string& r : agg.reasons) {
            if (agg.in_service)
                break;
            h.out_of_service.push_back(r);
        }
        if (!m_terminal->storage_writable())
            h.out_of_service.push_back("ui.oos.db_readonly");
        return h;
    }

    Result<ui::PaymentRequest> take_payment(ui::PayMethod method, int64_t amount, const std::string& exemption,
                                            const CashProgress& progress, const std::atomic<bool>* cancel) override
    {
        ui::PaymentRequest p;
        p.method = method;
        p.exemption = exemption;
        if (amount == 0 || method == ui::PayMethod::Exemption)
            return p;
        if (method == ui::PayMethod::Cash) {
            // The simulated citizen feeds the cash acceptor simulator one note at a time (in development and
            // tests, from `cash_wallet` when one is given: once it is spent the citizen waits, as one who changes
            // their mind would, until the payment is cancelled).
            size_t given = 0;
            auto fed = devices::take_cash(
                m_cash, amount, {5000, 10000, 20000, 50000, 100000, 200000, 500000},
                [this, &given](int64_t due) {
                    const auto& wallet = m_options.cash_wallet;
                    if (!wallet.empty() && given >= wallet.size())
                        return;
                    // Development: a pause between notes to watch the progress (0 in headless runs).
                    if (m_options.cash_note_delay_ms > 0)
                        std::this_thread::sleep_for(std::chrono::milliseconds(m_options.cash_note_delay_ms));
                    if (!wallet.empty())
                        m_cash.insert_note(wallet[given++]);
                    else
                        m_cash.insert_note_for(due);
                },
                progress, cancel);
            if (!fed.ok() && fed.error().code == "error.cash.cancelled") {
                log::info("kiosk", "cash payment cancelled by the citizen; " + fed.error().detail);
                return Error::make("ui.payment.cancelled", fed.error().detail);
            }
            if (!fed.ok())
                return Error::make("ui.error.cash_device", fed.error().to_string());
            p.tendered_minor = *fed;
            return p;
        }
        // Card: the simulated card holder presents a card that the terminal simulator approves.
        auto auth = devices::take_card(m_card, amount, "kiosk", 60000, [this] {
            m_card.present_card(devices::CardTerminalSimulator::Script::Approve, clock::unix_ms());
        });
        if (!auth.ok())
            return Error::make(auth.error().code == "error.card.timeout" ? "ui.error.card_timeout" : "ui.error.card_declined",
                               auth.error().to_string());
        p.card_authorisation = *auth;
        return p;
    }

    Result<ui::Submitted> submit(const std::string& code, const ui::FormValues& values, const ui::PaymentRequest& pay,
                                 Lang lang) override
    {
        services::SubmitRequest req;
        req.service_code = code;
        req.values = values;
        req.exemption = pay.method == ui::PayMethod::Exemption ? pay.exemption : std::string();
        // Commit before the promise: the application, payment, ticket and journal entries are on disk when this
        // returns (services re-checks the form: the one authority the UI asked too).
        ui::Submitted out;
        out.submission = TRY(m_terminal->submit(req, pay));
        out.receipt = print_receipt(out.submission.application.reference, lang);
        return out;
    }

    Result<std::string> scan() override
    {
        // Development: the scanner simulator reads the last receipt this kiosk printed.
        std::lock_guard lock(m_mutex);
        if (m_last_qr.empty())
            return Error::make("ui.error.scan_nothing", "no receipt to scan");
        return m_last_qr;
    }

    Result<ui::TrackedApplication> track(const std::string& input) override
    {
        std::string reference = input;
        bool from_receipt = false;
        if (input.rfind("NFR", 0) == 0) {
            m_scans_seen = true; // only the code reader enters a signed receipt
            auto claim = protocol::verify_receipt(input, m_terminal->identity().keys.public_key);
            if (!claim.ok())
                return Error::make("ui.error.receipt_invalid", claim.error().to_string());
            reference = claim->reference;
            from_receipt = true;
        }
        auto parsed = services::parse_reference(reference);
        if (!parsed.ok())
            return Error::make("ui.error.reference_invalid", parsed.error().to_string());
        auto app = m_terminal->application(*parsed);
        if (!app.ok())
            return Error::make("ui.error.reference_unknown", app.error().to_string());
        ui::TrackedApplication t;
        t.reference = app->reference;
        t.service_code = app->service_code;
        t.status = app->status;
        t.paid_minor = app->paid_minor;
        t.ready_date = app->expected_ready;
        t.from_receipt = from_receipt;
        t.fee_outcome = app->paid_minor > 0 ? "kept" : "none";
        if (!app->history.empty()) {
            const auto& last = app->history.back();
            t.updated_at = last.time;
            t.note = last.note;
            if (!last.reason.empty() && last.reason != "reversal") {
                t.reason_key = "decision.reason." + last.reason;
                t.reason = last.note;
                t.decided_at = last.time;
            }
        }
        t.refunded_minor = app->refunded_minor;
        if (app->refunded_minor > 0)
            t.fee_outcome = "refunded";
        else if (app->status == services::AppStatus::Rejected && app->paid_minor > 0)
            t.fee_outcome = "kept";
        return t;
    }

    Result<ui::PrintJob> reprint_receipt(const std::string& reference, Lang lang) override
    {
        auto copy = TRY(documents::receipt(*m_terminal, reference, locale_of(lang), documents::Copy::Duplicate, clock::unix_ms()));
        TRY(m_terminal->record_kiosk_reprint(reference));
        log::info("kiosk", "receipt copy of " + reference + " queued");
        return queue_print(copy, "ui.done.receipt_failed");
    }

    Result<ui::TakenTicket> take_ticket(const std::string& category, Lang lang) override
    {
        auto cat = m_terminal->catalogue();
        std::string code = category;
        if (code.empty() && !cat->categories.empty())
            code = cat->categories.front().code;
        ui::TakenTicket out;
        out.ticket = TRY(m_terminal->issue_ticket(code));
        out.print = queue_print(documents::ticket(*m_terminal, out.ticket, locale_of(lang)), "ui.ticket.not_printed");
        return out;
    }

    Result<void> record_abandoned_visit(const std::string& service_code, const std::string& last_step,
                                        const std::string& reason) override
    {
        return m_terminal->record_visit_abandoned(service_code, last_step, reason);
    }

    Result<void> record_survey(const std::string& reference, int score, const std::vector<std::string>& reasons) override
    {
        services::SurveyRequest r;
        r.reference = reference;
        r.rating = score;
        r.reasons = reasons;
        return m_terminal->record_survey(r);
    }

    Result<std::vector<services::StaffAccount>> staff_accounts() override
    {
        auto staff = TRY(m_terminal->staff());
        std::erase_if(staff, [](const services::StaffAccount& s) { return !s.active; });
        return staff;
    }

    Result<services::Session> staff_login(const std::string& login, const std::string& pin) override
    {
        auto s = TRY(m_terminal->login(login, pin));
        std::lock_guard lock(m_mutex);
        m_staff_id = s.staff_id;
        return s;
    }

    void staff_logout() override
    {
        std::lock_guard lock(m_mutex);
        m_staff_id.reset();
        m_current_ticket.reset();
    }

    Result<ui::QueueState> queue_state() override
    {
        ui::QueueState q;
        std::optional<int64_t> current;
        {
            std::lock_guard lock(m_mutex);
            current = m_current_ticket;
        }
        if (current) {
            auto t = m_terminal->ticket(*current);
            if (t.ok() && t->status == services::TicketStatus::Called)
                q.current = t->number;
        }
        auto cat = m_terminal->catalogue();
        for (const auto& c : cat->categories) {
            auto w = TRY(m_terminal->waiting(c.code));
            for (const auto& t : w)
                q.waiting.push_back(t.number);
        }
        return q;
    }

    Result<ui::QueueState> queue_call_next() override
    {
        std::optional<int64_t> staff;
        std::optional<int64_t> current;
        {
            std::lock_guard lock(m_mutex);
            staff = m_staff_id;
            current = m_current_ticket;
        }
        // The ticket being served is done when the next one is called.
        if (current) {
            auto t = m_terminal->ticket(*current);
            if (t.ok() && t->status == services::TicketStatus::Called)
                TRY(m_terminal->serve(*current));
        }
        auto next = TRY(m_terminal->call_next("", 1, staff));
        {
            std::lock_guard lock(m_mutex);
            m_current_ticket = next ? std::optional<int64_t>(next->id) : std::nullopt;
        }
        return queue_state();
    }

    Result<ui::QueueState> queue_recall() override
    {
        std::optional<int64_t> current;
        {
            std::lock_guard lock(m_mutex);
            current = m_current_ticket;
        }
        if (current)
            TRY(m_terminal->recall(*current));
        return queue_state();
    }

    Result<ui::QueueState> queue_no_show() override
    {
        std::optional<int64_t> current;
        {
            std::lock_guard lock(m_mutex);
            current = m_current_ticket;
            m_current_ticket.reset();
        }
        if (current)
            TRY(m_terminal->no_show(*current));
        return queue_state();
    }

    Result<std::vector<services::InboxItem>> inbox() override { return m_terminal->inbox(); }

    // The logged-in staff member, or ui.error.not_logged_in.
    Result<int64_t> staff_id()
    {
        std::lock_guard lock(m_mutex);
        if (!m_staff_id)
            return Error::make("ui.error.not_logged_in", "no staff session");
        return *m_staff_id;
    }

    Result<services::DecisionOutcome> decide(services::DecisionRequest request) override
    {
        request.staff_id = TRY(staff_id());
        return m_terminal->decide(request);
    }

    Result<services::Application> reverse_decision(const std::string& reference, const std::string& note) override
    {
        return m_terminal->reverse_decision(reference, TRY(staff_id()), note);
    }

    Result<services::Application> view_application(const std::string& reference) override
    {
        return m_terminal->view_application(reference, TRY(staff_id()));
    }

    Result<std::vector<services::SearchHit>> search(const std::string& query) override
    {
        return m_terminal->search(query, TRY(staff_id()));
    }

    Result<ui::PrintJob> reprint(const std::string& reference, Lang lang) override
    {
        TRY(m_terminal->record_reprint(reference, TRY(staff_id())));
        auto doc = documents::receipt(*m_terminal, reference, locale_of(lang), documents::Copy::Duplicate, clock::unix_ms());
        if (!doc.ok())
            return ui::PrintJob{false, "ui.done.receipt_failed"};
        return queue_print(*doc, "ui.done.receipt_failed");
    }

    Result<services::DayTotals> payments_today() override { return m_terminal->day_totals(); }
    Result<services::DayTotals> day_totals(const std::string& day) override { return m_terminal->day_totals(day); }

    Result<void> print_z_report(Lang lang, const std::string& day) override
    {
        TRY(m_terminal->require(TRY(staff_id()), services::Action::ZReport));
        auto z = TRY(documents::z_report_data(*m_terminal, day, lang, clock::now_iso8601()));
        TRY(m_press->print(*m_station, documents::z_report(z, locale_of(lang))));
        return {};
    }

    Result<ui::Submitted> counter_submit(const std::string& code, const ui::FormValues& values, const ui::PaymentRequest& pay,
                                         Lang lang) override
    {
        int64_t staff = TRY(staff_id());
        services::SubmitRequest req;
        req.service_code = code;
        req.values = values;
        req.exemption = pay.method == ui::PayMethod::Exemption ? pay.exemption : std::string();
        req.channel = services::Channel::Counter;
        req.staff_id = staff;
        // The citizen called from the queue: the visit is linked to the ticket, which is then served.
        std::optional<int64_t> ticket;
        {
            std::lock_guard lock(m_mutex);
            ticket = m_current_ticket;
        }
        if (ticket) {
            auto t = m_terminal->ticket(*ticket);
            if (t.ok() && t->status == services::TicketStatus::Called)
                req.ticket_id = *ticket;
        }
        ui::PaymentRequest p = pay;
        p.staff_id = staff;
        ui::Submitted out;
        out.submission = TRY(m_terminal->submit(req, p));
        if (req.ticket_id && m_terminal->serve(*req.ticket_id, out.submission.application.reference).ok()) {
            std::lock_guard lock(m_mutex);
            m_current_ticket.reset();
        }
        const auto& ref = out.submission.application.reference;
        out.receipt = print_receipt(ref, lang);
        // The application summary for the citizen to sign, after the receipt.
        auto summary = documents::summary(*m_terminal, ref, locale_of(lang));
        if (summary.ok()) {
            auto queued = queue_print(*summary, "ui.done.receipt_failed");
            if (!queued.queued && out.receipt.queued)
                out.receipt = queued;
        }
        return out;
    }

    Result<services::CashMovement> drawer_move(services::DrawerMove kind, int64_t amount, const std::string& note) override
    {
        return m_terminal->drawer_move(kind, amount, TRY(staff_id()), note);
    }

    Result<services::ZClose> close_day(const std::string& day, int64_t declared, Lang lang) override
    {
        auto z = TRY(m_terminal->close_day(day, declared, TRY(staff_id())));
        TRY(print_z_report(lang, z.day));
        return z;
    }

    Result<services::PolicyState> policy_state() override { return m_terminal->policy_state(); }
    Result<std::vector<services::UnsyncedItem>> unsynced() override { return m_terminal->unsynced(200); }
    services::UpdateState update_state() override { return services::update_state(m_options.data_dir, ::time(nullptr)); }
    Result<int64_t> postpone_updates(int64_t hours) override
    {
        auto until = TRY(services::postpone_updates(m_options.data_dir, hours, ::time(nullptr)));
        log::info("kiosk", "staff postponed updates by " + std::to_string(hours) + " hours");
        return until;
    }
    Result<void> resume_updates() override
    {
        TRY(services::resume_updates(m_options.data_dir));
        log::info("kiosk", "staff let updates run again in the next maintenance window");
        return {};
    }

    ui::SyncStatus sync_status() override
    {
        ui::SyncStatus s;
        s.enrolled = sync::load_config(m_options.data_dir).ok();
        auto j = m_terminal->journal_status();
        if (j.ok()) {
            s.pending = j->pending;
            s.last_seq = j->last_seq;
            s.acked_seq = j->acked_seq;
        }
        if (m_sync) {
            auto p = m_sync->progress();
            s.running = p.state == sync::SyncState::Syncing;
            if (p.last_success_ms > 0)
                s.last_success = clock::iso8601_utc(p.last_success_ms);
            if (p.last_error)
                s.last_error = p.last_error->code;
        } else if (s.enrolled) {
            s.last_error = "ui.sync.error.not_running";
        }
        return s;
    }

    void sync_now() override
    {
        if (m_sync)
            m_sync->sync_now();
    }

    std::vector<ui::DeviceInfo> devices() override
    {
        std::vector<ui::DeviceInfo> out;
        auto ph = m_station->check(devices::Need::Required);
        auto to_state = [](devices::Severity s) {
            switch (s) {
            case devices::Severity::Ok:
                return ui::DeviceState::Ok;
            case devices::Severity::Warning:
                return ui::DeviceState::Warning;
            case devices::Severity::Failed:
                return ui::DeviceState::Fault;
            case devices::Severity::Absent:
                return ui::DeviceState::Absent;
            }
            return ui::DeviceState::Fault;
        };
        out.push_back({"ui.tech.device.printer", to_state(ph.severity), ph.code});
        auto cash = devices::payment_health("cash", devices::DeviceKind::CashAcceptor, devices::Need::Optional, m_cash.state_code());
        // Between payments the acceptor is disabled on purpose: that is its resting state, not a warning.
        auto cash_state = cash.code == "device.cash.disabled" ? ui::DeviceState::Ok : to_state(cash.severity);
        out.push_back({"ui.tech.device.cash", cash_state, cash.code == "device.cash.disabled" ? "ui.device.ok" : cash.code});
        auto card = devices::payment_health("card", devices::DeviceKind::CardTerminal, devices::Need::Optional, m_card.state_code());
        out.push_back({"ui.tech.device.card", to_state(card.severity), card.code});
        // A keyboard-wedge code reader cannot be asked whether it is there: it shows working once it has read a
        // code since the kiosk started (a receipt on tracking, or the technician's live test).
        bool seen = m_scans_seen.load();
        out.push_back({"ui.tech.device.scanner", seen ? ui::DeviceState::Ok : ui::DeviceState::Warning,
                       seen ? "ui.tech.scan.seen" : "ui.tech.scan.not_seen"});
        bool writable = m_terminal->storage_writable();
        out.push_back({"ui.tech.device.disk", writable ? ui::DeviceState::Ok : ui::DeviceState::Fault,
                       writable ? "ui.device.ok" : "ui.oos.db_readonly"});
        return out;
    }

    Result<void> test_print(Lang lang) override
    {
        auto page = documents::test_page(m_terminal->identity().terminal_id, m_station->address().to_string(),
                                         m_press->width(), locale_of(lang), clock::unix_ms());
        TRY(m_press->print(*m_station, page));
        return {};
    }

    Result<std::string> test_scan() override { return scan(); }

    Result<std::string> network_check() override
    {
        auto cfg = sync::load_config(m_options.data_dir);
        if (!cfg.ok())
            return std::string("ui.tech.net.not_enrolled");
        // A TCP connection to the central server's port tells whether the link is up.
        std::string url = cfg->server_url;
        size_t scheme = url.find("://");
        std::string rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
        std::string host = rest.substr(0, rest.find_first_of(":/"));
        uint16_t port = url.rfind("https", 0) == 0 ? 443 : 80;
        size_t colon = rest.find(':');
        if (colon != std::string::npos)
            port = static_cast<uint16_t>(std::atoi(rest.c_str() + colon + 1));
        auto t = devices::open_transport(devices::DeviceAddress{devices::DeviceAddress::Kind::Tcp, host, port, {}, 0}, 3000ms);
        return std::string(t.ok() ? "ui.tech.net.ok" : "ui.tech.net.unreachable");
    }

    Result<ui::NetworkInfo> network_info() override
    {
        ui::NetworkInfo info;
        info.interfaces = interfaces();
        auto cfg = sync::load_config(m_options.data_dir);
        info.enrolled = cfg.ok();
        if (!cfg.ok())
            return info;
        info.server_url = cfg->server_url;
        info.tls = cfg->server_url.rfind("https://", 0) == 0;
        info.fingerprint = protocol::key_fingerprint(cfg->server_public_key);
        // One probe of central's health, timed: the round trip a technician compares between sites.
        sync::HttpOptions http;
        http.ca_file = cfg->ca_file;
        http.connect_timeout_ms = 3000;
        http.transfer_timeout_ms = 5000;
        sync::HttpClient client(http);
        int64_t start = clock::monotonic_ns();
        auto answer = client.request("GET", cfg->server_url + "/v1/health", {}, {});
        int64_t elapsed = clock::monotonic_ns() - start;
        if (answer.ok()) {
            info.latency_ms = std::max<int64_t>(0, (elapsed + 500'000) / 1'000'000);
            {
                std::lock_guard lock(m_mutex);
                m_last_latency_ms = info.latency_ms;
            }
        } else {
            info.probe_error = answer.error().code == "error.sync.tls" ? "error.sync.tls" : "ui.tech.net.unreachable";
        }
        return info;
    }

    ui::ScanReading read_scan(const std::string& payload) override
    {
        m_scans_seen = true;
        ui::ScanReading r;
        r.length = payload.size();
        if (payload.rfind("NFR", 0) == 0) {
            r.kind = "ui.tech.scan.kind.receipt";
            auto claim = protocol::verify_receipt(payload, m_terminal->identity().keys.public_key);
            r.valid = claim.ok();
            r.detail = claim.ok() ? claim->reference : payload.substr(0, 40);
        } else if (payload.rfind(protocol::kEnrollmentQrPrefix, 0) == 0) {
            r.kind = "ui.tech.scan.kind.enrollment";
            auto t = protocol::parse_enrollment_qr(payload);
            r.valid = t.ok();
            r.detail = t.ok() ? t->server_url + (t->centre.empty() ? "" : " \u00b7 " + t->centre) : payload.substr(0, 40);
        } else {
            r.kind = "ui.tech.scan.kind.text";
            // At most 40 characters, cut at a character boundary.
            size_t cut = std::min<size_t>(payload.size(), 40);
            while (cut > 0 && cut < payload.size() && (static_cast<unsigned char>(payload[cut]) & 0xC0) == 0x80)
                --cut;
            r.detail = payload.substr(0, cut);
        }
        return r;
    }

    Result<ui::ProvisionForm> read_enrollment_qr(const std::string& scanned, Lang language) override
    {
        auto r = TRY(sync::request_from_qr(scanned, language));
        return ui::ProvisionForm{r.language, r.centre, r.server_url, r.code, r.central_key};
    }

    Result<ui::ProvisionOutcome> provision(const ui::ProvisionForm& form) override
    {
        sync::ProvisionRequest request{form.language, form.centre, form.server_url, form.code, form.central_key};
        sync::HttpOptions http;
        http.ca_file = m_options.ca_file;
        http.connect_timeout_ms = 5000;
        http.transfer_timeout_ms = 20000;
        auto done = TRY(sync::provision(m_options.data_dir, request, http));
        // Records from now on name the centre central made the code for.
        m_terminal->set_centre(done.config.centre);
        if (m_options.start_sync)
            start_sync();
        ui::ProvisionOutcome out;
        out.terminal_id = done.config.terminal_id;
        out.centre = done.config.centre;
        out.server_url = done.config.server_url;
        out.fingerprint = protocol::key_fingerprint(done.config.server_public_key);
        out.moved = done.moved;
        out.previous_server = done.previous_server;
        return out;
    }

    std::vector<std::pair<std::string, std::string>> versions() override
    {
        std::vector<std::pair<std::string, std::string>> v;
        // Names are translation keys; values are identifiers and numbers.
        v.push_back({"ui.tech.version.app", NAFITHA_VERSION});
        v.push_back({"ui.tech.version.terminal", m_terminal->identity().terminal_id});
        v.push_back({"ui.tech.version.centre", m_terminal->centre()});
        v.push_back({"ui.tech.version.catalogue", std::to_string(m_terminal->catalogue()->version)});
        auto j = m_terminal->journal_status();
        if (j.ok())
            v.push_back({"ui.tech.version.journal", std::to_string(j->acked_seq) + " / " + std::to_string(j->last_seq)});
        return v;
    }

    Result<std::string> export_logs() override
    {
        // A support bundle without personal data: versions, journal and sync status, device states.
        nlohmann::json j;
        for (const auto& [k, v] : versions())
            j["versions"][k] = v;
        auto s = sync_status();
        j["sync"] = {{"enrolled", s.enrolled}, {"pending", s.pending}, {"last_success", s.last_success}, {"last_error", s.last_error}};
        for (const auto& d : devices())
            j["devices"].push_back({{"name", d.name}, {"state", static_cast<int>(d.state)}, {"detail", d.detail}});
        j["time"] = clock::now_iso8601();
        auto dir = m_options.data_dir / "support";
        TRY(fs::ensure_dir(dir));
        auto path = dir / ("support-" + std::to_string(clock::unix_ms()) + ".json");
        TRY(fs::write_file_atomic(path, j.dump(2)));
        return path.string();
    }

private:
    // The machine's network interfaces (loopback excluded), with their link state and addresses.
    static std::vector<ui::NetInterface> interfaces()
    {
        std::vector<ui::NetInterface> out;
        ifaddrs* list = nullptr;
        if (::getifaddrs(&list) != 0)
            return out;
        std::unique_ptr<ifaddrs, void (*)(ifaddrs*)> owner(list, ::freeifaddrs);
        auto find = [&](const std::string& name) -> ui::NetInterface& {
            for (auto& i : out)
                if (i.name == name)
                    return i;
            out.push_back(ui::NetInterface{name, false, {}});
            return out.back();
        };
        for (ifaddrs* a = list; a; a = a->ifa_next) {
            if (!a->ifa_name || (a->ifa_flags & IFF_LOOPBACK))
                continue;
            ui::NetInterface& i = find(a->ifa_name);
            i.up = i.up || ((a->ifa_flags & IFF_UP) && (a->ifa_flags & IFF_RUNNING));
            if (!a->ifa_addr || (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6))
                continue;
            char text[INET6_ADDRSTRLEN] = {};
            int prefix = 0;
            if (a->ifa_addr->sa_family == AF_INET) {
                ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
                if (a->ifa_netmask)
                    prefix = __builtin_popcount(reinterpret_cast<sockaddr_in*>(a->ifa_netmask)->sin_addr.s_addr);
            } else {
                ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, text, sizeof text);
                if (a->ifa_netmask)
                    for (uint8_t b : reinterpret_cast<sockaddr_in6*>(a->ifa_netmask)->sin6_addr.s6_addr)
                        prefix += __builtin_popcount(b);
            }
            i.addresses.push_back(std::string(text) + "/" + std::to_string(prefix));
        }
        return out;
    }

    // The formatting of `lang` for documents, in the centre's zone. Documents are built on the UI's worker
    // thread only (one thread), so one Locale per language serves them all.
    const locale::Locale& locale_of(Lang lang)
    {
        auto& slot = m_locales[lang == Lang::Ar ? 0 : 1];
        auto catalogue = m_terminal->catalogue();
        if (!slot || (catalogue && slot->time_zone() != catalogue->time_zone_at(m_terminal->centre())))
            slot = documents::locale_for(*m_terminal, m_i18n, lang);
        return *slot;
    }

    // Renders and queues a document at the printer; `failed_key` is what the citizen reads when it could not.
    ui::PrintJob queue_print(const documents::Printable& doc, const char* failed_key)
    {
        ui::PrintJob job;
        auto queued = m_press->print(*m_station, doc);
        job.queued = queued.ok();
        if (!queued.ok()) {
            job.error = failed_key;
            log::warn("kiosk", doc.job_id + " not queued: " + queued.error().to_string());
        }
        return job;
    }

    // The receipt of a committed application, through the one document path.
    ui::PrintJob print_receipt(const std::string& reference, Lang lang)
    {
        auto receipt = documents::receipt(*m_terminal, reference, locale_of(lang));
        if (!receipt.ok()) {
            log::warn("kiosk", "receipt of " + reference + " not built: " + receipt.error().to_string());
            return ui::PrintJob{false, "ui.done.receipt_failed"};
        }
        {
            std::lock_guard lock(m_mutex);
            m_last_qr = receipt->qr_payload;
        }
        return queue_print(*receipt, "ui.done.receipt_failed");
    }

    BackendOptions m_options;
    const I18n& m_i18n;
    std::unique_ptr<services::Terminal> m_terminal;
    std::unique_ptr<devices::PrinterSimulator> m_sim;
    std::unique_ptr<devices::PrinterStation> m_station; // durable queue + background printing
    std::unique_ptr<documents::Press> m_press;          // renders on the UI worker thread
    std::unique_ptr<locale::Locale> m_locales[2];       // ar, en: built on first use, used on the worker thread
    std::unique_ptr<sync::SyncWorker> m_sync;
    devices::CashAcceptorSimulator m_cash;
    devices::CardTerminalSimulator m_card;
    std::mutex m_mutex;
    std::optional<int64_t> m_staff_id;
    std::optional<int64_t> m_current_ticket;
    std::string m_last_qr;
    int64_t m_last_latency_ms = -1;
    std::atomic<bool> m_scans_seen{false};
};

} // namespace

Result<std::unique_ptr<ui::Backend>> make_terminal_backend(const BackendOptions& options, const I18n& i18n)
{
    auto b = std::make_unique<TerminalBackend>(options, i18n);
    TRY(b->init());
    return std::unique_ptr<ui::Backend>(std::move(b));
}

} // namespace nafitha::app
