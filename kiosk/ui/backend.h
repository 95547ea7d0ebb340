#pragma once
// What the screens need from the terminal, as one interface. The real implementation (kiosk/app) binds it
// to kiosk/services, devices, printing and sync/client; the demo implementation serves golden images and
// screenshots with fixed data. Every method may block (database, devices, network): the UI calls them only
// from its worker thread (see worker.h), except catalogue(), which returns an immutable snapshot.

#include "base/i18n.h"
#include "base/result.h"
#include "kiosk/services/catalogue.h"
#include "kiosk/services/forms.h"
#include "kiosk/services/payments.h"

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

// What a payment device reported (cash acceptor, card terminal) or the exemption claimed.
struct Payment {
    PayMethod method = PayMethod::Cash;
    int64_t amount_minor = 0;       // due
    int64_t tendered_minor = 0;     // cash handed over
    std::string card_authorisation; // card terminal approval code
    std::string exemption;          // exemption code when method is Exemption
};

// A committed application, as the done screen shows it.
struct Submission {
    std::string reference;
    std::string ticket;         // queue ticket number when a counter visit is needed, else empty
    int64_t paid_minor = 0;
    int64_t change_minor = 0;
    std::string expected_ready; // YYYY-MM-DD
    bool receipt_printed = false;
    std::string receipt_error;  // translation key when the receipt could not be printed
};

struct TrackedApplication {
    std::string reference;
    std::string service_code;
    std::string status;     // translation key suffix: submitted, in_review, approved, rejected, ready
    std::string updated_at; // ISO 8601 UTC
    std::string note;
};

struct Ticket {
    std::string number;
    int waiting_ahead = 0;
    int64_t estimated_wait_s = 0;
    bool printed = false;
};

struct StaffSession {
    std::string login;
    std::string name;
    bool technician = false;
};

struct QueueState {
    std::string current;     // ticket being served, empty when none
    std::vector<std::string> waiting;
    int served_today = 0;
    int no_shows_today = 0;
};

struct InboxItem {
    std::string reference;
    std::string service_code;
    std::string status;
    std::string submitted_at;
    std::string applicant_hint; // masked, e.g. "…4821"
};

struct PaymentsSummary {
    std::string day;
    int64_t count = 0;
    int64_t cash_minor = 0;
    int64_t card_minor = 0;
    int64_t waived_minor = 0;
    int64_t change_minor = 0;
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

// Why the kiosk cannot take citizens right now; empty when it can.
struct Health {
    std::vector<std::string> out_of_service; // translation keys, e.g. "ui.oos.no_paper"
    bool ok() const { return out_of_service.empty(); }
};

class Backend {
public:
    virtual ~Backend() = default;

    // Immutable snapshot; safe from any thread.
    virtual std::shared_ptr<const Catalogue> catalogue() = 0;
    virtual Health health() = 0;

    // Every problem with the form at once (Error::field names the field, Error::code is a translation key).
    // Pure (no disk): may be called on the UI thread.
    virtual services::Validation validate(const std::string& service_code, const FormValues& values) = 0;
    virtual Result<services::Fee> quote(const std::string& service_code, const FormValues& normalised,
                                        const std::string& exemption) = 0;
    // Takes the money through the payment devices. `cash_progress` is told the total inserted after every note
    // (from the worker thread).
    using CashProgress = std::function<void(int64_t inserted_minor)>;
    virtual Result<Payment> take_payment(PayMethod method, int64_t amount_minor, const std::string& exemption,
                                         const CashProgress& cash_progress) = 0;
    // Commits the application with its payment (one transaction), then prints the receipt (and a queue
    // ticket when the service needs a counter visit). A print failure after the commit is reported in
    // Submission::receipt_error, never as a failed submission.
    virtual Result<Submission> submit(const std::string& service_code, const FormValues& values, const Payment& payment,
                                      Lang lang) = 0;
    // Reads one code from the scanner (the receipt's QR code), waiting a few seconds at most.
    virtual Result<std::string> scan() = 0;
    virtual Result<TrackedApplication> track(const std::string& reference) = 0;
    // Issues and prints a ticket for `category` (the general counter when empty).
    virtual Result<Ticket> take_ticket(const std::string& category, Lang lang) = 0;
    virtual Result<void> record_survey(const std::string& reference, int score) = 0;

    // Staff.
    virtual Result<std::vector<StaffSession>> staff_accounts() = 0; // who can log in here (no secrets)
    virtual Result<StaffSession> staff_login(const std::string& login, const std::string& pin) = 0;
    virtual void staff_logout() = 0;
    virtual Result<QueueState> queue_state() = 0;
    virtual Result<QueueState> queue_call_next() = 0;
    virtual Result<QueueState> queue_recall() = 0;
    virtual Result<QueueState> queue_no_show() = 0;
    virtual Result<std::vector<InboxItem>> inbox() = 0;
    virtual Result<void> decide(const std::string& reference, const std::string& decision, const std::string& note) = 0;
    virtual Result<PaymentsSummary> payments_today() = 0;
    virtual Result<void> print_z_report(Lang lang) = 0;
    virtual SyncStatus sync_status() = 0;
    virtual void sync_now() = 0;

    // Technician.
    virtual std::vector<DeviceInfo> devices() = 0;
    virtual Result<void> test_print(Lang lang) = 0;
    virtual Result<std::string> test_scan() = 0;
    virtual Result<std::string> network_check() = 0; // a translation key describing the result
    virtual std::vector<std::pair<std::string, std::string>> versions() = 0;
    virtual Result<std::string> export_logs() = 0; // the path written
};

// Formats minor units (1/100) for display: 250000 -> "2,500", 250050 -> "2,500.50".
std::string format_money(int64_t minor);

} // namespace nafitha::ui
