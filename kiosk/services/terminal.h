#pragma once
// The terminal's services facade: open a data folder, then call services. This is the API the kiosk UI,
// nafitha-ctl and the sync wiring use; every call that changes something commits the domain rows and its
// journal entries in one SQLite transaction (fsync) before it returns. Commit before you promise.
//
//   auto terminal = TRY(services::Terminal::open({.data_dir = dir, .centre = "DAM-01"}));
//   auto check = terminal->assess("civil.birth_extract", values);     // every problem at once, and the fee
//   auto app = TRY(terminal->submit(request, PaymentRequest{...}));  // reference + payment, one commit
//
// Calls are serialised by an internal mutex, so a worker thread may call them; they do block on disk.

#include "base/result.h"
#include "kiosk/services/applications.h"
#include "kiosk/services/catalogue.h"
#include "kiosk/services/counter.h"
#include "kiosk/services/forms.h"
#include "kiosk/services/payments.h"
#include "kiosk/services/policy.h"
#include "locale/locale.h"
#include "kiosk/services/queue.h"
#include "kiosk/services/staff.h"
#include "kiosk/services/surveys.h"
#include "sync/journal/identity.h"
#include "sync/protocol/signed.h"
#include "db/sqlite.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::services {

class PiiVault;

struct TerminalOptions {
    std::filesystem::path data_dir;
    std::string centre = "DAM-01";           // the service centre this terminal stands in
    std::filesystem::path seed_catalogue;    // default: <assets>/catalogue/seed.json
    PinCost pin_cost = PinCost::interactive();
    std::function<int64_t()> now_ms;         // UTC clock override for tests; default clock::record_ms (steady, corrected)
    int64_t max_db_pages = 0;                // PRAGMA max_page_count (0 = no limit): caps the database size
};

struct JournalStatus {
    int64_t last_seq = 0;
    int64_t acked_seq = 0;
    int64_t pending = 0;
};

// The result of a submission: the committed application, its payment when paid in the same transaction,
// and the queue ticket issued in that transaction when the service needs a counter visit.
struct Submission {
    Application application;
    std::optional<Payment> payment;
    std::optional<Ticket> ticket;
};

class Terminal {
public:
    // Creates the data folder, identity and keys when missing, migrates the database, and installs the seed
    // catalogue on first start (or when the seed is newer than the installed catalogue).
    static Result<std::unique_ptr<Terminal>> open(TerminalOptions options);
    ~Terminal();

    const journal::Identity& identity() const { return m_identity; }
    const std::string& centre() const { return m_options.centre; }
    // Provisioning moved this terminal to another centre (the one central made the enrollment code for): the
    // records from now on name it. Call it from the thread that uses the terminal (the reference centre()
    // returned before is not to be kept across it).
    void set_centre(std::string centre);
    const std::filesystem::path& data_dir() const { return m_options.data_dir; }
    // The terminal database connection, for tests and benchmarks that look inside; programs use the calls below.
    db::Db& database() { return m_db; }

    // --- Catalogue ---
    // A snapshot that stays valid while held, even after a newer catalogue is installed.
    std::shared_ptr<const Catalogue> catalogue() const;
    // Installs a newer catalogue atomically (journalled as catalogue.installed); an older or equal version
    // is ignored (Ok). error.catalogue.invalid when the document is wrong (nothing changes).
    Result<void> install_catalogue(const nlohmann::json& document);
    // A catalogue from central, with central's signed statement of its version, hash and expiry (checked by the
    // sync client against the pinned key): kept with the document, journalled with its hash. An older or equal
    // version than the installed one is refused (error.catalogue.rollback), nothing changes.
    Result<void> install_central_catalogue(const nlohmann::json& document, const protocol::Signed& statement);
    // When the installed catalogue stops being valid (central's statement); 0 for a seed catalogue.
    int64_t catalogue_expires_ms() const;

    // --- Central's policy (policy.h) ---
    // Keeps a newer policy signed by central (checked by the sync client); journalled as policy.installed.
    // An older or equal version is refused (error.policy.rollback).
    Result<void> install_policy(const protocol::Signed& policy);
    // The policy in force and where this terminal stands against it, at `now_ms` (default: now). Cash and card
    // payments are refused while stop_payments holds (error.policy.payments_stopped); exemptions still settle.
    Result<PolicyState> policy_state(std::optional<int64_t> now_ms = std::nullopt) const;

    // --- Forms and fees ---
    // services::assess() (forms.h) on the current catalogue at this terminal's centre: the one validation
    // authority, also used by submit(). Assessment::service is left null (the snapshot is not kept).
    Assessment assess(std::string_view service_code, const FormValues& values, std::string_view exemption = {}) const;

    // --- Applications ---
    // Validates, then in one transaction: application + history + application.submitted, and, when
    // `payment` is given (or the fee is zero), the payment + payment.recorded + status paid, and, for a
    // kiosk submission of a service that needs a counter visit (Service::needs_counter_visit) that did not
    // come with a ticket, its queue ticket + ticket.issued.
    // error.form.invalid (detail lists the fields, field = first bad field) when validation fails.
    Result<Submission> submit(const SubmitRequest& request, std::optional<PaymentRequest> payment = std::nullopt);
    Result<Application> application(std::string_view reference) const;
    // The newest application's reference; error.receipt.not_found when there is none yet.
    Result<std::string> last_reference() const;
    // Applications of a national ID (looked up by keyed hash), newest first, at most `limit`.
    Result<std::vector<Application>> applications_of(std::string_view national_id, size_t limit = 20) const;
    // Applications in any of `statuses` (every status when empty), newest first, at most `limit` (<= 500):
    // the staff inbox.
    Result<std::vector<Application>> applications_by_status(const std::vector<AppStatus>& statuses, size_t limit = 50) const;
    // The staff inbox: applications awaiting a clerk (kAwaitingStaff), newest first, at most `limit`.
    Result<std::vector<InboxItem>> inbox(size_t limit = 50) const;
    // Staff moves an application one step along its lifecycle (journalled as application.status_changed).
    // error.staff.forbidden for a technician.
    Result<Application> change_status(std::string_view reference, AppStatus to, int64_t staff_id, std::string_view note);
    // A supervisor's decision (approve, reject, ready, deliver): walks decision_path() in one transaction,
    // one application.status_changed entry a step, each with the reason, the staff member and what happens
    // to the fee; a rejection whose reason refunds gives the money back in the same transaction
    // (payment.refunded). error.staff.forbidden unless the role may decide, error.decision.unconfirmed,
    // error.decision.reason_required / reason_unknown / note_required, error.application.bad_transition.
    Result<DecisionOutcome> decide(const DecisionRequest& request);
    // Reverses the application's latest staff decision within kReversalWindowMs, as a new entry
    // (application.status_changed with `reverses`); the application goes back to where it was before.
    // error.decision.nothing_to_reverse, error.decision.window_passed, error.decision.refunded (money given
    // back is not taken again), error.staff.forbidden.
    Result<Application> reverse_decision(std::string_view reference, int64_t staff_id, std::string_view note);
    // The whole application with its personal data, for a staff member whose role may see it; the view is
    // journalled (application.viewed). error.staff.forbidden for a technician.
    Result<Application> view_application(std::string_view reference, int64_t staff_id);
    // Search by reference, national id or phone (exact, through the blind index) or name (every word, folded,
    // through the blind index). Newest first, at most `limit`; personal data masked.
    // error.search.empty / error.search.too_short when there is nothing to search for.
    Result<std::vector<SearchHit>> search(std::string_view query, int64_t staff_id, size_t limit = 20);
    // Journals a receipt reprint (receipt.reprinted) by a staff member who may; the caller prints the copy
    // (documents::receipt with Copy::Duplicate). Returns how many copies of it have been made.
    Result<int64_t> record_reprint(std::string_view reference, int64_t staff_id);
    // The same for a copy the citizen prints at the kiosk (channel "kiosk", no staff member): from the done
    // screen, or after scanning the signed receipt they hold.
    Result<int64_t> record_kiosk_reprint(std::string_view reference);
    // error.staff.forbidden (with the action's name in the detail) unless `staff_id` is an active account whose
    // role allows `action`; error.staff.unknown for no such account.
    Result<StaffAccount> require(int64_t staff_id, Action action) const;
    // A decision taken centrally (approved, rejected, ready, ...). Idempotent: the same cursor, or the same
    // reference + status, changes nothing the second time.
    // `central_sig` is central's signature of the decision statement (sync/protocol/signed.h), recorded in the
    // journal entry so that the entry proves itself (journal verify, central).
    // `reason`: the decision's reason code (decision.reason.<code>), kept in the history like the counter's so that
    // the citizen's tracking names it; a code that is not in this terminal's list for that decision is dropped.
    Result<void> apply_central_decision(std::string_view reference, std::string_view new_status, std::string_view note,
                                        std::string_view decided_at, int64_t central_cursor, std::string_view central_sig = {},
                                        std::string_view reason = {});

    // --- Payments ---
    Result<Payment> pay(std::string_view reference, const PaymentRequest& request);
    Result<std::vector<Payment>> payments_of(std::string_view reference) const;
    // day = "YYYY-MM-DD", the office's local day in the centre's time zone (today when empty).
    Result<DayTotals> day_totals(std::string_view day = {}) const;

    // --- The cash drawer ---
    // Opening float, cash in, cash out (drawer.movement). error.drawer.bad_amount, error.staff.forbidden.
    Result<CashMovement> drawer_move(DrawerMove kind, int64_t amount_minor, int64_t staff_id, std::string_view note);
    Result<std::vector<CashMovement>> drawer_moves(std::string_view day = {}) const;
    // A supervisor closes `day` (today when empty) declaring the cash counted: the difference against the
    // computed drawer is recorded and journalled (drawer.z_report with the day's totals).
    Result<ZClose> close_day(std::string_view day, int64_t declared_minor, int64_t staff_id);
    // Gives back what was paid for an application (supervisor): payment.refunded, in its own transaction.
    Result<int64_t> refund(std::string_view reference, int64_t staff_id, std::string_view reason);

    // --- The sync ---
    // The entries central has not acknowledged, oldest first, at most `limit`.
    Result<std::vector<UnsyncedItem>> unsynced(size_t limit = 100) const;

    // --- Queue ---
    Result<Ticket> issue_ticket(std::string_view category_code);
    // The oldest waiting ticket of `category_code` (any category when empty), now called to `counter`;
    // nullopt when nobody waits.
    Result<std::optional<Ticket>> call_next(std::string_view category_code, int counter, std::optional<int64_t> staff_id);
    Result<Ticket> recall(int64_t ticket_id);
    Result<Ticket> no_show(int64_t ticket_id);
    Result<Ticket> serve(int64_t ticket_id, std::string_view reference = {});
    Result<Ticket> ticket(int64_t ticket_id) const;
    // The queue ticket that came with an application (issued with it, or the counter visit's), if any.
    Result<std::optional<Ticket>> ticket_of(std::string_view reference) const;
    Result<std::vector<Ticket>> waiting(std::string_view category_code) const;
    // Seconds a new ticket of the category would wait: people ahead x recent average service time.
    Result<int64_t> estimated_wait_s(std::string_view category_code) const;

    // --- Surveys ---
    Result<void> record_survey(const SurveyRequest& request);
    // A citizen's visit at the kiosk that ended (idle timeout or leaving) after choosing a service and before
    // submitting: journals `visit.abandoned` with the service, the last screen reached (`last_step`, [a-z_]{1,32})
    // and why (`reason`: "timeout" or "cancel"); no personal data. error.service.unknown for a service not in
    // the catalogue, error.visit.step for a bad step or reason.
    Result<void> record_visit_abandoned(const std::string& service_code, const std::string& last_step, const std::string& reason);
    // The citizen's reason, opened from its sealed form (empty when none was given).
    Result<std::string> survey_reason(int64_t survey_id) const;

    // --- Staff ---
    Result<StaffAccount> create_staff(const NewStaff& staff);
    // error.staff.bad_credentials (unknown login or wrong PIN, indistinguishable), error.staff.locked.
    Result<Session> login(std::string_view login, std::string_view pin);
    Result<void> change_pin(int64_t staff_id, std::string_view old_pin, std::string_view new_pin);
    Result<std::vector<StaffAccount>> staff() const;

    // --- Journal and storage ---
    Result<JournalStatus> journal_status() const;
    // Whether the database can take a write now: the file and folder are writable, the write lock can be
    // taken (then released, nothing changed), and at least 16 MiB are free on the disk.
    bool storage_writable() const;

private:
    Terminal(TerminalOptions options, journal::Identity identity, db::Db db, std::unique_ptr<PiiVault> vault);
    int64_t now_ms() const;
    std::string now_iso() const;
    // The office's calendar: the local day of a moment in the centre's time zone (the catalogue's), today, and
    // the UTC span [start, end) of a local day "YYYY-MM-DD" as ISO 8601 texts (how stored times compare).
    const locale::Zone& zone() const;
    std::string day_of(int64_t unix_ms) const;
    std::string today() const;
    std::pair<std::string, std::string> day_span(std::string_view day) const;
    Result<void> load_catalogue_locked();
    Result<void> install_catalogue_locked(const nlohmann::json& document, std::string_view source,
                                          const protocol::Signed* statement = nullptr);
    Result<Application> application_locked(std::string_view reference) const;
    Result<void> reload_progress_locked(Application& a) const; // status, amounts and history, as stored
    Result<void> load_history_locked(Application& a) const;    // its history and the amount refunded
    // The applications whose references a query yields, in its order (the statement is reset afterwards).
    Result<std::vector<Application>> applications_locked(db::Statement& references) const;
    Result<Payment> pay_locked(const Application& app, const PaymentRequest& request);
    Result<Ticket> ticket_locked(int64_t ticket_id) const;
    Result<Ticket> issue_ticket_locked(std::string_view category_code); // inside the caller's transaction
    Result<int64_t> waiting_ahead_locked(std::string_view category_code, const std::string& day) const;
    Result<int64_t> estimated_wait_locked(std::string_view category_code, int64_t ahead) const;
    Result<StaffAccount> require_locked(int64_t staff_id, Action action) const;
    Result<int64_t> refund_locked(const Application& app, int64_t staff_id, std::string_view reason);
    Result<void> index_application_locked(int64_t application_id, const Application& app);
    Result<void> build_search_index_locked();
    // Seals what terminals before issue 14 kept in plain text: every form value of an application (values_json
    // joins the sealed `pii`) and survey reasons. Runs at every open; nothing to do once done.
    Result<void> seal_plain_personal_data_locked();

    // Returns the history row's id. `decision` groups the steps of one staff decision (its first row's id;
    // 0 = this row starts one).
    Result<int64_t> set_status_locked(const Application& app, AppStatus to, std::string_view actor, std::string_view note,
                                      const nlohmann::json& extra, std::string_view reason = {},
                                      std::optional<int64_t> decision = std::nullopt);

    TerminalOptions m_options;
    journal::Identity m_identity;
    mutable db::Db m_db;
    std::unique_ptr<PiiVault> m_vault;
    std::shared_ptr<const Catalogue> m_catalogue;
    int64_t m_catalogue_expires_ms = 0;
    std::string m_tag;
    mutable std::optional<locale::Zone> m_zone; // follows the catalogue's zone for this centre
    mutable std::string m_zone_for;             // the zone the catalogue names (m_zone is the default if unknown)
    mutable std::recursive_mutex m_mutex;
};

} // namespace nafitha::services
