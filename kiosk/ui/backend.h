#pragma once
// What the screens need from the terminal, as one interface. The real implementation (kiosk/app) binds it
// to kiosk/services, devices, kiosk/documents and sync/client; screenshots and golden images use it with demo
// states (demo.h). Data crosses this interface in services' own types (Submission, PaymentRequest, Ticket,
// StaffAccount, Session, InboxItem, DayTotals); the few structs below are what no module has a type for.
// Every method may block (database, devices, network): the UI calls them only from its worker thread
// (see worker.h), except catalogue() and centre(), which are immutable snapshots.

#include "base/i18n.h"
#include "base/result.h"
#include "kiosk/services/catalogue.h"
#include "kiosk/services/forms.h"
#include "kiosk/services/maintenance.h"
#include "kiosk/services/payments.h"
#include "kiosk/services/terminal.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::ui {

using services::Catalogue;
using services::FormValues;
using services::Service;

using services::PayMethod;

// What the payment devices reported (cash handed over, the card terminal's approval) or the exemption
// claimed: the request services::Terminal::submit records with the application.
using services::PaymentRequest;

// Whether a document reached the printer's durable queue (devices::PrinterStation prints it in the
// background; a queued job survives a printer that is off and a restart).
struct PrintJob {
    bool queued = false;
    std::string error; // translation key when it could not be queued
};

// A committed submission: the application, its payment and the queue ticket issued with it (services'
// own types), and the receipt's print job.
struct Submitted {
    services::Submission submission;
    PrintJob receipt;
};

// A queue ticket taken at the kiosk, and its print job.
struct TakenTicket {
    services::Ticket ticket;
    PrintJob print;
};

// What tracking shows of an application: no personal data. The decision's reason and what happens to the fee
// come from services (counter's decisions) and from central's status pulls.
struct TrackedApplication {
    std::string reference;
    std::string service_code;
    services::AppStatus status = services::AppStatus::Submitted;
    std::string updated_at; // ISO 8601 UTC
    std::string note;
    // The latest staff decision: its reason as a translation key ("decision.reason.<code>"; empty when none),
    // the decider's words for the citizen (`reason`), when (ISO 8601 UTC), and what happened to the fee:
    // "none", "kept" or "refunded" (with the amount given back, in minor units).
    std::string reason_key;
    std::string reason;
    std::string decided_at;
    std::string fee_outcome = "none";
    int64_t refunded_minor = 0;
    int64_t paid_minor = 0;    // what was paid for it
    std::string ready_date;    // YYYY-MM-DD (expected, or the day it became ready), empty when unknown
    bool from_receipt = false; // found by scanning a signed receipt: a copy may be printed
};

struct QueueState {
    std::string current;     // ticket being served, empty when none
    std::vector<std::string> waiting;
    int served_today = 0;
    int no_shows_today = 0;
};

struct SyncStatus {
    bool enrolled = false;
    int64_t pending = 0;
    int64_t last_seq = 0;
    int64_t acked_seq = 0;
    std::string last_success; // ISO 8601 UTC, empty when never
    std::string last_error;   // a translation key, empty when none
    bool running = false;
};

enum class DeviceState { Ok, Warning, Fault, Absent };

struct DeviceInfo {
    std::string name;   // translation key, e.g. "ui.tech.device.printer"
    DeviceState state = DeviceState::Ok;
    std::string detail; // translation key for the state
};

// First-run provisioning and re-enrollment, as typed or scanned on the technician's screen.
struct ProvisionForm {
    Lang language = Lang::Ar; // the language the kiosk starts in
    std::string centre;       // optional: must be the centre central made the code for
    std::string server_url;
    std::string code;
    std::string central_key;  // from a scanned QR: central's key, pinned by the enrollment
};

struct ProvisionOutcome {
    std::string terminal_id;
    std::string centre;
    std::string server_url;
    std::string fingerprint;     // central's pinned key, as technicians compare it
    bool moved = false;          // re-enrollment: the terminal left another server
    std::string previous_server;
};

// The technician's network tab: interfaces, the server, TLS and the latency of the last probe.
struct NetInterface {
    std::string name;                   // "eth0"
    bool up = false;                    // the link (operstate up, or the interface running)
    std::vector<std::string> addresses; // "192.168.1.20/24", "fe80::1/64"
};

struct NetworkInfo {
    std::vector<NetInterface> interfaces; // loopback excluded
    bool enrolled = false;
    std::string server_url;
    bool tls = false;
    std::string fingerprint;  // central's pinned key
    int64_t latency_ms = -1;  // the probe's round trip to central's /v1/health; -1 when it did not answer
    std::string probe_error;  // translation key when the probe failed
};

// What the devices tab shows of the last code the reader scanned.
struct ScanReading {
    std::string kind;   // translation key: ui.tech.scan.kind.{receipt,enrollment,text}
    std::string detail; // reference / server and centre / the text (shortened)
    bool valid = true;  // a receipt whose signature verifies, an enrollment QR that parses
    size_t length = 0;
};

// Why the kiosk cannot take citizens right now; empty when it can.
struct Health {
    std::vector<std::string> out_of_service; // translation keys, e.g. "ui.oos.no_paper"
    bool ok() const { return out_of_service.empty(); }
};

class Backend {
public:
    virtual ~Backend() = default;

    // Immutable snapshots; safe from any thread (the UI thread reads them every frame).
    virtual std::shared_ptr<const Catalogue> catalogue() = 0;
    virtual const std::string& centre() const = 0;
    virtual Health health() = 0;

    // Forms are validated by services::assess() (the one authority) on the UI thread with catalogue() and
    // centre(); submit() checks the same once more inside its transaction.

    // Takes the money through the payment devices. `cash_progress` is told the total inserted after every note
    // (from the worker thread). While cash is being taken, `cancel` becoming true gives every note back and
    // ends with error.cash.cancelled: nothing is taken and nothing is recorded.
    using CashProgress = std::function<void(int64_t inserted_minor)>;
    virtual Result<PaymentRequest> take_payment(PayMethod method, int64_t amount_minor, const std::string& exemption,
                                                const CashProgress& cash_progress, const std::atomic<bool>* cancel) = 0;
    // Commits the application with its payment and, when the service needs a counter visit, its queue ticket
    // (one transaction), then queues the receipt at the printer. A print failure after the commit is reported
    // in Submitted::receipt, never as a failed submission.
    virtual Result<Submitted> submit(const std::string& service_code, const FormValues& values,
                                     const PaymentRequest& payment, Lang lang) = 0;
    // Reads one code from the scanner (the receipt's QR code), waiting a few seconds at most.
    virtual Result<std::string> scan() = 0;
    virtual Result<TrackedApplication> track(const std::string& reference) = 0;
    // Prints a copy of an application's receipt, marked "copy" (the original is never printed twice).
    virtual Result<PrintJob> reprint_receipt(const std::string& reference, Lang lang) = 0;
    // Issues and prints a ticket for `category` (the general counter when empty).
    virtual Result<TakenTicket> take_ticket(const std::string& category, Lang lang) = 0;
    // `reasons`: the reason codes the citizen tapped (services::survey_reason_codes()).
    virtual Result<void> record_survey(const std::string& reference, int score, const std::vector<std::string>& reasons) = 0;
    // A visit that chose `service_code` and ended before submitting (services::Terminal::record_visit_abandoned).
    virtual Result<void> record_abandoned_visit(const std::string& service_code, const std::string& last_step,
                                                const std::string& reason) = 0;

    // Staff.
    virtual Result<std::vector<services::StaffAccount>> staff_accounts() = 0; // who can log in here (no secrets)
    virtual Result<services::Session> staff_login(const std::string& login, const std::string& pin) = 0;
    virtual void staff_logout() = 0;
    virtual Result<QueueState> queue_state() = 0;
    virtual Result<QueueState> queue_call_next() = 0;
    virtual Result<QueueState> queue_recall() = 0;
    virtual Result<QueueState> queue_no_show() = 0;
    virtual Result<std::vector<services::InboxItem>> inbox() = 0;
    // The logged-in supervisor's decision (services::Terminal::decide: reason, confirmation, the fee);
    // the request's staff_id is filled from the session.
    virtual Result<services::DecisionOutcome> decide(services::DecisionRequest request) = 0;
    virtual Result<services::Application> reverse_decision(const std::string& reference, const std::string& note) = 0;
    // The whole application with personal data, for the logged-in staff member; journalled.
    virtual Result<services::Application> view_application(const std::string& reference) = 0;
    virtual Result<std::vector<services::SearchHit>> search(const std::string& query) = 0;
    // Journals and prints a copy of the receipt (marked copy).
    virtual Result<PrintJob> reprint(const std::string& reference, Lang lang) = 0;
    virtual Result<services::DayTotals> payments_today() = 0;
    virtual Result<services::DayTotals> day_totals(const std::string& day) = 0; // "" = today
    // The Z report of `day` ("" = today) through kiosk/documents, as nafitha-ctl prints it.
    virtual Result<void> print_z_report(Lang lang, const std::string& day = {}) = 0;

    // Counter: a walk-in citizen's application registered by the logged-in clerk (channel counter), with the
    // payment taken at the counter; the receipt and the application summary to sign are queued.
    virtual Result<Submitted> counter_submit(const std::string& service_code, const FormValues& values,
                                             const PaymentRequest& payment, Lang lang) = 0;
    virtual Result<services::CashMovement> drawer_move(services::DrawerMove kind, int64_t amount_minor,
                                                       const std::string& note) = 0;
    // Closes `day` ("" = today) with the cash counted, then prints its Z report.
    virtual Result<services::ZClose> close_day(const std::string& day, int64_t declared_minor, Lang lang) = 0;
    virtual Result<services::PolicyState> policy_state() = 0;
    virtual Result<std::vector<services::UnsyncedItem>> unsynced() = 0;
    virtual SyncStatus sync_status() = 0;
    virtual void sync_now() = 0;
    // Updates (kiosk/services/maintenance.h): the maintenance window, staff's postponement, the updater's last
    // run; staff postpone them (1..72 hours) or let them run again. A backend without a data folder has none.
    virtual services::UpdateState update_state() { return {}; }
    virtual Result<int64_t> postpone_updates(int64_t hours)
    {
        (void)hours;
        return Error::make("error.update.io", "no data folder");
    }
    virtual Result<void> resume_updates() { return Error::make("error.update.io", "no data folder"); }

    // Technician.
    virtual std::vector<DeviceInfo> devices() = 0;
    virtual Result<void> test_print(Lang lang) = 0;
    virtual Result<std::string> test_scan() = 0;
    virtual Result<std::string> network_check() = 0; // a translation key describing the result
    // The interfaces, the enrollment, and one probe of central (GET /v1/health, timed): blocks up to a few seconds.
    virtual Result<NetworkInfo> network_info() = 0;
    // What a scanned code is (a receipt and whether its signature verifies, an enrollment QR, or text): the
    // devices tab's live scanner test. Parsing and one signature check.
    virtual ScanReading read_scan(const std::string& payload) = 0;
    // What a scanned enrollment QR holds (error.provision.qr_invalid otherwise). Parsing only: safe on the UI thread.
    virtual Result<ProvisionForm> read_enrollment_qr(const std::string& scanned, Lang language) = 0;
    // Enrolls at central (sync::provision, as nafitha-ctl provision does), then moves the terminal to the centre
    // central made the code for and (re)starts syncing. Nothing is written on failure.
    virtual Result<ProvisionOutcome> provision(const ProvisionForm& form) = 0;
    virtual std::vector<std::pair<std::string, std::string>> versions() = 0;
    virtual Result<std::string> export_logs() = 0; // the path written
};

} // namespace nafitha::ui
