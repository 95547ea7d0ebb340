// The counter's services: roles, decisions with reasons and their reversal, journalled views, search through
// the blind index, reprints, refunds, the cash drawer and its Z close, central's policy and the unsynced items.

#include "kiosk/services/counter.h"

#include "base/clock.h"
#include "base/utf8.h"
#include "kiosk/services/forms.h"
#include "kiosk/services/pii.h"
#include "kiosk/services/reference.h"
#include "kiosk/services/terminal.h"
#include "kiosk/services/text_normalize.h"
#include "sync/journal/journal.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

namespace nafitha::services {

using nlohmann::json;

inline constexpr int64_t kDayMs = 86'400'000;
// Drawer amounts: at most 100 million SYP in one movement.
inline constexpr int64_t kMaxDrawerMinor = 10'000'000'000;

std::string_view action_name(Action action)
{
    switch (action) {
    case Action::Register: return "register";
    case Action::TakePayment: return "take_payment";
    case Action::Queue: return "queue";
    case Action::ViewCitizen: return "view_citizen";
    case Action::Search: return "search";
    case Action::Reprint: return "reprint";
    case Action::CashDrawer: return "cash_drawer";
    case Action::Decide: return "decide";
    case Action::Reverse: return "reverse";
    case Action::Refund: return "refund";
    case Action::ZReport: return "z_report";
    case Action::Devices: return "devices";
    }
    return "?";
}

bool role_allows(Role role, Action action)
{
    switch (action) {
    case Action::Register:
    case Action::TakePayment:
    case Action::Queue:
    case Action::ViewCitizen:
    case Action::Search:
    case Action::Reprint:
    case Action::CashDrawer: return role == Role::Clerk || role == Role::Supervisor;
    case Action::Decide:
    case Action::Reverse:
    case Action::Refund:
    case Action::ZReport: return role == Role::Supervisor;
    case Action::Devices: return role == Role::Technician || role == Role::Supervisor;
    }
    return false;
}

std::string_view fee_outcome_name(FeeOutcome outcome)
{
    switch (outcome) {
    case FeeOutcome::None: return "none";
    case FeeOutcome::Kept: return "kept";
    case FeeOutcome::Refunded: return "refunded";
    }
    return "none";
}

static constexpr DecisionReason kReasons[] = {
    {"documents_complete", AppStatus::Approved, FeeOutcome::Kept, false},
    {"verified_in_person", AppStatus::Approved, FeeOutcome::Kept, false},
    {"approved_other", AppStatus::Approved, FeeOutcome::Kept, true},
    {"documents_missing", AppStatus::Rejected, FeeOutcome::Kept, false},
    {"information_mismatch", AppStatus::Rejected, FeeOutcome::Kept, false},
    {"not_eligible", AppStatus::Rejected, FeeOutcome::Refunded, false},
    {"duplicate", AppStatus::Rejected, FeeOutcome::Refunded, false},
    {"wrong_service", AppStatus::Rejected, FeeOutcome::Refunded, false},
    {"rejected_other", AppStatus::Rejected, FeeOutcome::Kept, true},
};

std::span<const DecisionReason> decision_reasons() { return kReasons; }

const DecisionReason* find_reason(AppStatus decision, std::string_view code)
{
    for (const auto& r : kReasons)
        if (r.decision == decision && r.code == code)
            return &r;
    return nullptr;
}

std::string_view drawer_move_name(DrawerMove kind)
{
    switch (kind) {
    case DrawerMove::Float: return "float";
    case DrawerMove::CashIn: return "cash_in";
    case DrawerMove::CashOut: return "cash_out";
    }
    return "float";
}

static DrawerMove parse_move(const std::string& s)
{
    return s == "cash_in" ? DrawerMove::CashIn : s == "cash_out" ? DrawerMove::CashOut : DrawerMove::Float;
}

// "2026-11-28T22:40:05.123Z" (milliseconds optional) as unix ms; nullopt when it is not one.
static std::optional<int64_t> iso_ms(const std::string& text)
{
    struct tm tm {};
    int ms = 0;
    if (text.size() < 20 || std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return std::nullopt;
    if (text.size() >= 23 && text[19] == '.')
        ms = std::atoi(text.substr(20, 3).c_str());
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

std::string add_days_to(std::string_view day, int days)
{
    auto ms = iso_ms(std::string(day) + "T00:00:00Z");
    if (day.size() != 10 || !ms)
        return std::string(day);
    return clock::iso8601_utc(*ms + int64_t(days) * kDayMs).substr(0, 10);
}

static std::string actor_of(int64_t staff_id) { return "staff:" + std::to_string(staff_id); }

// --- Roles ---

Result<StaffAccount> Terminal::require(int64_t staff_id, Action action) const
{
    std::lock_guard lock(m_mutex);
    return require_locked(staff_id, action);
}

Result<StaffAccount> Terminal::require_locked(int64_t staff_id, Action action) const
{
    auto st = TRY(m_db.cached("SELECT id, login, full_name, role, active FROM staff WHERE id = ?1"));
    st.bind(1, staff_id);
    if (!TRY(st.step()) || st.int64(4) == 0)
        return Error::make("error.staff.unknown", "no active staff account " + std::to_string(staff_id), "staff");
    StaffAccount a;
    a.id = st.int64(0);
    a.login = st.text(1);
    a.full_name = st.text(2);
    auto role = st.text(3);
    a.role = role == "supervisor" ? Role::Supervisor : role == "technician" ? Role::Technician : Role::Clerk;
    if (!role_allows(a.role, action))
        return Error::make("error.staff.forbidden", role + " may not " + std::string(action_name(action)), "staff");
    return a;
}

// --- Decisions ---

Result<DecisionOutcome> Terminal::decide(const DecisionRequest& request)
{
    auto note = TRY(check_note(request.note));
    std::lock_guard lock(m_mutex);
    auto who = TRY(require_locked(request.staff_id, Action::Decide));
    auto app = TRY(application_locked(request.reference));
    auto path = decision_path(app.status, request.to);
    if (path.empty())
        return Error::make("error.application.bad_transition",
                           std::string(app_status_name(app.status)) + " -> " + std::string(app_status_name(request.to)),
                           "status");
    // A walk that approves or rejects on its way needs a reason for that verdict.
    std::optional<AppStatus> verdict;
    for (AppStatus step : path)
        if (step == AppStatus::Approved || step == AppStatus::Rejected)
            verdict = step;
    const DecisionReason* reason = nullptr;
    if (verdict) {
        if (request.reason.empty())
            return Error::make("error.decision.reason_required", "a decision needs a reason", "reason");
        reason = find_reason(*verdict, request.reason);
        if (!reason)
            return Error::make("error.decision.reason_unknown", "no reason " + request.reason + " for this decision", "reason");
        if (reason->needs_note && utf8::length(trim_collapse(note)) < 3)
            return Error::make("error.decision.note_required", "this reason needs the decider's words", "note");
    }
    if (!request.confirmed)
        return Error::make("error.decision.unconfirmed", "the decision was not confirmed", "confirm");

    DecisionOutcome out;
    int64_t paid = app.paid_minor - app.refunded_minor;
    if (reason && paid > 0)
        out.fee = reason->fee;
    auto tx = TRY(db::Transaction::begin(m_db));
    if (out.fee == FeeOutcome::Refunded)
        out.refunded_minor = TRY(refund_locked(app, request.staff_id, request.reason));
    std::string reason_code = reason ? std::string(reason->code) : std::string();
    json extra = {{"staff_id", request.staff_id},
                  {"role", std::string(role_name(who.role))},
                  {"fee_outcome", fee_outcome_name(out.fee)},
                  {"refunded_minor", out.refunded_minor}};
    std::optional<int64_t> group = 0;
    for (AppStatus step : path) {
        int64_t row = TRY(set_status_locked(app, step, actor_of(request.staff_id), note, extra, reason_code, group));
        if (*group == 0) {
            group = row;
            extra["decision"] = row;
        }
        app.status = step;
    }
    TRY(journal::commit(m_db, m_identity, tx));
    out.decision_id = *group;
    out.reversible_until_ms = out.fee == FeeOutcome::Refunded ? 0 : now_ms() + kReversalWindowMs;
    out.application = TRY(application_locked(request.reference));
    return out;
}

Result<Application> Terminal::reverse_decision(std::string_view reference, int64_t staff_id, std::string_view note)
{
    auto checked = TRY(check_note(note));
    std::lock_guard lock(m_mutex);
    auto who = TRY(require_locked(staff_id, Action::Reverse));
    auto app = TRY(application_locked(reference));
    // The latest history row must belong to a staff decision (a reversal or a payment after it ends the window).
    auto last = TRY(m_db.cached("SELECT decision, time FROM application_history WHERE application_id = ?1 ORDER BY id DESC LIMIT 1"));
    last.bind(1, app.id);
    if (!TRY(last.step()) || last.is_null(0))
        return Error::make("error.decision.nothing_to_reverse", "the latest change is not a staff decision", "reference");
    int64_t decision = last.int64(0);
    last.reset();
    auto first = TRY(m_db.cached("SELECT time, reason FROM application_history WHERE id = ?1"));
    first.bind(1, decision);
    if (!TRY(first.step()))
        return Error::make("error.decision.nothing_to_reverse", "decision row missing", "reference");
    auto taken = iso_ms(first.text(0));
    first.reset();
    if (!taken || now_ms() - *taken > kReversalWindowMs)
        return Error::make("error.decision.window_passed", "the decision is older than the reversal window", "reference");
    auto refunded = TRY(m_db.cached("SELECT COUNT(*) FROM refunds WHERE application_id = ?1"));
    refunded.bind(1, app.id);
    TRY(refunded.step());
    bool any_refund = refunded.int64(0) > 0;
    refunded.reset();
    if (any_refund && app.status == AppStatus::Rejected)
        return Error::make("error.decision.refunded", "the fee was given back; the rejection stands", "reference");
    auto before = TRY(m_db.cached("SELECT status FROM application_history WHERE application_id = ?1 AND id < ?2 "
                                   "ORDER BY id DESC LIMIT 1"));
    before.bind(1, app.id).bind(2, decision);
    if (!TRY(before.step()))
        return Error::make("error.decision.nothing_to_reverse", "no status before the decision", "reference");
    auto back = TRY(parse_app_status(before.text(0)));
    before.reset();
    auto tx = TRY(db::Transaction::begin(m_db));
    TRY(set_status_locked(app, back, actor_of(staff_id), checked,
                          {{"staff_id", staff_id}, {"role", std::string(role_name(who.role))}, {"reverses", decision}},
                          "reversal"));
    TRY(journal::commit(m_db, m_identity, tx));
    return application_locked(reference);
}

Result<Application> Terminal::view_application(std::string_view reference, int64_t staff_id)
{
    std::lock_guard lock(m_mutex);
    auto who = TRY(require_locked(staff_id, Action::ViewCitizen));
    auto app = TRY(application_locked(reference));
    auto tx = TRY(db::Transaction::begin(m_db));
    TRY(journal::append(m_db, m_identity, "application.viewed",
                        {{"reference", app.reference},
                         {"centre", m_options.centre},
                         {"staff_id", staff_id},
                         {"role", std::string(role_name(who.role))},
                         {"time", now_iso()}}));
    TRY(journal::commit(m_db, m_identity, tx));
    return app;
}

Result<int64_t> Terminal::record_reprint(std::string_view reference, int64_t staff_id)
{
    std::lock_guard lock(m_mutex);
    auto who = TRY(require_locked(staff_id, Action::Reprint));
    auto app = TRY(application_locked(reference));
    auto tx = TRY(db::Transaction::begin(m_db));
    auto count = TRY(m_db.cached("SELECT COUNT(*) FROM journal WHERE type = 'receipt.reprinted' AND "
                                  "json_extract(payload, '$.reference') = ?1"));
    count.bind(1, app.reference);
    TRY(count.step());
    int64_t copy = count.int64(0) + 1;
    count.reset();
    TRY(journal::append(m_db, m_identity, "receipt.reprinted",
                        {{"reference", app.reference},
                         {"centre", m_options.centre},
                         {"staff_id", staff_id},
                         {"role", std::string(role_name(who.role))},
                         {"copy", copy},
                         {"time", now_iso()}}));
    TRY(journal::commit(m_db, m_identity, tx));
    return copy;
}

Result<int64_t> Terminal::record_kiosk_reprint(std::string_view reference)
{
    std::lock_guard lock(m_mutex);
    auto app = TRY(application_locked(reference));
    auto tx = TRY(db::Transaction::begin(m_db));
    auto count = TRY(m_db.cached("SELECT COUNT(*) FROM journal WHERE type = 'receipt.reprinted' AND "
                                  "json_extract(payload, '$.reference') = ?1"));
    count.bind(1, app.reference);
    TRY(count.step());
    int64_t copy = count.int64(0) + 1;
    count.reset();
    TRY(journal::append(m_db, m_identity, "receipt.reprinted",
                        {{"reference", app.reference},
                         {"centre", m_options.centre},
                         {"channel", "kiosk"},
                         {"copy", copy},
                         {"time", now_iso()}}));
    TRY(journal::commit(m_db, m_identity, tx));
    return copy;
}

// --- Search through the blind index ---

// The words of a name, folded for search, each at least two letters.
static std::vector<std::string> name_words(std::string_view name)
{
    std::vector<std::string> words;
    std::string folded = fold_for_search(name);
    size_t start = 0;
    while (start <= folded.size()) {
        size_t end = folded.find(' ', start);
        if (end == std::string::npos)
            end = folded.size();
        std::string w = folded.substr(start, end - start);
        if (utf8::length(w) >= 2 && std::find(words.begin(), words.end(), w) == words.end())
            words.push_back(std::move(w));
        start = end + 1;
    }
    return words;
}

Result<void> Terminal::index_application_locked(int64_t application_id, const Application& app)
{
    auto ins = TRY(m_db.cached("INSERT OR IGNORE INTO search_index (kind, hash, application_id) VALUES (?1, ?2, ?3)"));
    auto add = [&](std::string_view kind, const std::string& value) -> Result<void> {
        if (value.empty())
            return {};
        ins.bind(1, kind).bind(2, m_vault->lookup_hash(std::string(kind) + ":" + value)).bind(3, application_id);
        return ins.run();
    };
    TRY(add("nid", app.applicant.national_id));
    TRY(add("phone", app.applicant.phone));
    for (const auto& w : name_words(app.applicant.full_name))
        TRY(add("name", w));
    return {};
}

Result<void> Terminal::build_search_index_locked()
{
    if (TRY(m_db.scalar_int64("SELECT COUNT(*) FROM meta WHERE key = 'search_index'", 0)) > 0)
        return {};
    auto tx = TRY(db::Transaction::begin(m_db));
    // Asked again under the write lock: another process starting at the same time may have built it meanwhile.
    if (TRY(m_db.scalar_int64("SELECT COUNT(*) FROM meta WHERE key = 'search_index'", 0)) > 0)
        return {};
    std::vector<std::pair<int64_t, std::string>> apps;
    {
        auto st = TRY(m_db.prepare("SELECT id, reference FROM applications ORDER BY id"));
        while (TRY(st.step()))
            apps.emplace_back(st.int64(0), st.text(1));
    }
    for (auto& [id, ref] : apps)
        TRY(index_application_locked(id, TRY(application_locked(ref))));
    TRY(m_db.exec("INSERT INTO meta (key, value) VALUES ('search_index', '1')"));
    return journal::commit(m_db, m_identity, tx);
}

Result<std::vector<SearchHit>> Terminal::search(std::string_view query, int64_t staff_id, size_t limit)
{
    std::string q = trim_collapse(digits_to_ascii(query));
    if (q.empty())
        return Error::make("error.search.empty", "nothing to search for", "query");
    if (q.size() > 200)
        return Error::make("error.search.too_long", "query longer than 200 bytes", "query");
    std::lock_guard lock(m_mutex);
    TRY(require_locked(staff_id, Action::Search));
    limit = std::min<size_t>(limit, 200);
    std::vector<int64_t> ids;
    std::string matched;
    auto by_hash = [&](std::string_view kind, const std::string& value) -> Result<std::vector<int64_t>> {
        auto st = TRY(m_db.cached("SELECT application_id FROM search_index WHERE kind = ?1 AND hash = ?2 "
                                   "ORDER BY application_id DESC LIMIT 1000"));
        st.bind(1, kind).bind(2, m_vault->lookup_hash(std::string(kind) + ":" + value));
        std::vector<int64_t> out;
        while (TRY(st.step()))
            out.push_back(st.int64(0));
        st.reset();
        return out;
    };
    std::string compact;
    for (char c : q)
        if (c != ' ')
            compact.push_back(c);
    if (auto ref = parse_reference(compact); ref.ok()) {
        auto st = TRY(m_db.cached("SELECT id FROM applications WHERE reference = ?1"));
        st.bind(1, *ref);
        if (TRY(st.step()))
            ids.push_back(st.int64(0));
        st.reset();
        matched = "reference";
    } else if (auto nid = validate_national_id(compact); nid.ok()) {
        ids = TRY(by_hash("nid", *nid));
        matched = "national_id";
    } else if (auto phone = validate_phone(compact); phone.ok()) {
        ids = TRY(by_hash("phone", *phone));
        matched = "phone";
    } else {
        auto words = name_words(q);
        if (words.empty())
            return Error::make("error.search.too_short", "a name needs at least two letters", "query");
        matched = "name";
        for (size_t i = 0; i < words.size(); ++i) {
            auto found = TRY(by_hash("name", words[i]));
            if (i == 0) {
                ids = std::move(found);
                continue;
            }
            std::set<int64_t> keep(found.begin(), found.end());
            std::erase_if(ids, [&](int64_t id) { return !keep.count(id); });
        }
    }
    std::vector<SearchHit> out;
    auto ref_of = TRY(m_db.cached("SELECT reference FROM applications WHERE id = ?1"));
    for (int64_t id : ids) {
        if (out.size() >= limit)
            break;
        ref_of.bind(1, id);
        if (!TRY(ref_of.step())) {
            ref_of.reset();
            continue;
        }
        std::string ref = ref_of.text(0);
        ref_of.reset();
        auto a = TRY(application_locked(ref));
        const std::string& nid = a.applicant.national_id;
        out.push_back(SearchHit{a.reference, a.service_code, a.status, a.channel, a.submitted_at,
                                nid.size() >= 4 ? "…" + nid.substr(nid.size() - 4) : std::string(), matched});
    }
    return out;
}

// --- Refunds and the cash drawer ---

Result<int64_t> Terminal::refund_locked(const Application& app, int64_t staff_id, std::string_view reason)
{
    int64_t due_back = app.paid_minor - app.refunded_minor;
    if (due_back <= 0)
        return int64_t{0};
    auto pays = TRY(m_db.cached("SELECT method FROM payments WHERE application_id = ?1 AND amount > 0 ORDER BY id DESC LIMIT 1"));
    pays.bind(1, app.id);
    std::string method = TRY(pays.step()) ? pays.text(0) : std::string("cash");
    pays.reset();
    if (method != "card")
        method = "cash";
    int64_t at = now_ms();
    auto now = clock::iso8601_utc(at);
    auto day = day_of(at);
    auto st = TRY(m_db.cached("INSERT INTO refunds (application_id, method, amount, reason, staff_id, time, day) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    st.bind(1, app.id).bind(2, method).bind(3, due_back).bind(4, reason).bind(5, staff_id).bind(6, now).bind(7, day);
    TRY(st.run());
    TRY(journal::append(m_db, m_identity, "payment.refunded",
                        {{"reference", app.reference},
                         {"service_code", app.service_code},
                         {"centre", app.centre},
                         {"method", method},
                         {"amount_minor", due_back},
                         {"currency", "SYP"},
                         {"reason", std::string(reason)},
                         {"staff_id", staff_id},
                         {"channel", channel_name(app.channel)},
                         {"day", day},
                         {"time", now}}));
    return due_back;
}

Result<int64_t> Terminal::refund(std::string_view reference, int64_t staff_id, std::string_view reason)
{
    auto checked = TRY(check_note(reason));
    if (checked.empty())
        return Error::make("error.decision.reason_required", "a refund needs a reason", "reason");
    std::lock_guard lock(m_mutex);
    TRY(require_locked(staff_id, Action::Refund));
    auto app = TRY(application_locked(reference));
    if (app.paid_minor - app.refunded_minor <= 0)
        return Error::make("error.refund.nothing_paid", "nothing left to give back", "reference");
    auto tx = TRY(db::Transaction::begin(m_db));
    auto amount = TRY(refund_locked(app, staff_id, checked));
    TRY(journal::commit(m_db, m_identity, tx));
    return amount;
}

Result<CashMovement> Terminal::drawer_move(DrawerMove kind, int64_t amount_minor, int64_t staff_id, std::string_view note)
{
    auto checked = TRY(check_note(note));
    if (amount_minor < 0 || amount_minor > kMaxDrawerMinor || (kind != DrawerMove::Float && amount_minor == 0))
        return Error::make("error.drawer.bad_amount", "amount out of range", "amount");
    std::lock_guard lock(m_mutex);
    auto who = TRY(require_locked(staff_id, Action::CashDrawer));
    CashMovement m;
    m.kind = kind;
    m.amount_minor = amount_minor;
    m.note = checked;
    m.staff_id = staff_id;
    int64_t at = now_ms();
    m.time = clock::iso8601_utc(at);
    m.day = day_of(at);
    auto tx = TRY(db::Transaction::begin(m_db));
    auto st = TRY(m_db.cached("INSERT INTO cash_movements (kind, amount, note, staff_id, time, day) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    st.bind(1, drawer_move_name(kind)).bind(2, amount_minor).bind(3, m.note).bind(4, staff_id).bind(5, m.time).bind(6, m.day);
    TRY(st.run());
    m.id = m_db.last_insert_rowid();
    TRY(journal::append(m_db, m_identity, "drawer.movement",
                        {{"movement_id", m.id},
                         {"kind", drawer_move_name(kind)},
                         {"amount_minor", amount_minor},
                         {"currency", "SYP"},
                         {"note", m.note},
                         {"centre", m_options.centre},
                         {"channel", "counter"},
                         {"staff_id", staff_id},
                         {"role", std::string(role_name(who.role))},
                         {"day", m.day},
                         {"time", m.time}}));
    TRY(journal::commit(m_db, m_identity, tx));
    return m;
}

Result<std::vector<CashMovement>> Terminal::drawer_moves(std::string_view day) const
{
    std::lock_guard lock(m_mutex);
    std::string d = day.empty() ? today() : std::string(day);
    auto st = TRY(m_db.cached("SELECT id, kind, amount, note, staff_id, time, day FROM cash_movements WHERE day = ?1 ORDER BY id"));
    st.bind(1, d);
    std::vector<CashMovement> out;
    while (TRY(st.step()))
        out.push_back({st.int64(0), parse_move(st.text(1)), st.int64(2), st.text(3), st.int64(4), st.text(5), st.text(6)});
    return out;
}

Result<ZClose> Terminal::close_day(std::string_view day, int64_t declared_minor, int64_t staff_id)
{
    if (declared_minor < 0 || declared_minor > kMaxDrawerMinor)
        return Error::make("error.drawer.bad_amount", "declared cash out of range", "declared");
    std::lock_guard lock(m_mutex);
    auto who = TRY(require_locked(staff_id, Action::ZReport));
    auto totals = TRY(day_totals(day));
    ZClose z;
    z.day = totals.day;
    z.declared_minor = declared_minor;
    z.computed_minor = totals.expected_cash_minor;
    z.difference_minor = declared_minor - totals.expected_cash_minor;
    z.staff_id = staff_id;
    z.time = now_iso();
    auto tx = TRY(db::Transaction::begin(m_db));
    auto st = TRY(m_db.cached("INSERT INTO z_reports (day, declared, computed, difference, staff_id, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    st.bind(1, z.day).bind(2, z.declared_minor).bind(3, z.computed_minor).bind(4, z.difference_minor).bind(5, staff_id).bind(6, z.time);
    TRY(st.run());
    TRY(journal::append(m_db, m_identity, "drawer.z_report",
                        {{"day", z.day},
                         {"centre", m_options.centre},
                         {"currency", "SYP"},
                         {"declared_minor", z.declared_minor},
                         {"computed_minor", z.computed_minor},
                         {"difference_minor", z.difference_minor},
                         {"opening_float_minor", totals.opening_float_minor},
                         {"cash_minor", totals.cash_minor},
                         {"card_minor", totals.card_minor},
                         {"waived_minor", totals.waived_minor},
                         {"cash_in_minor", totals.cash_in_minor},
                         {"cash_out_minor", totals.cash_out_minor},
                         {"refunded_cash_minor", totals.refunded_cash_minor},
                         {"refunded_card_minor", totals.refunded_card_minor},
                         {"payments", totals.count},
                         {"applications", totals.applications},
                         {"tickets", totals.tickets},
                         {"staff_id", staff_id},
                         {"role", std::string(role_name(who.role))},
                         {"time", z.time}}));
    TRY(journal::commit(m_db, m_identity, tx));
    return z;
}

// --- The unsynced items ---

Result<std::vector<UnsyncedItem>> Terminal::unsynced(size_t limit) const
{
    std::lock_guard lock(m_mutex);
    int64_t acked = TRY(journal::acked_seq(m_db));
    auto st = TRY(m_db.cached("SELECT seq, type, time, COALESCE(json_extract(payload, '$.reference'), '') FROM journal "
                               "WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
    st.bind(1, acked).bind(2, static_cast<int64_t>(std::min<size_t>(limit, 1000)));
    std::vector<UnsyncedItem> out;
    int64_t now = now_ms();
    while (TRY(st.step())) {
        UnsyncedItem u;
        u.seq = st.int64(0);
        u.type = st.text(1);
        u.time = st.text(2);
        u.reference = st.text(3);
        if (auto t = iso_ms(u.time))
            u.age_s = std::max<int64_t>(0, (now - *t) / 1000);
        out.push_back(std::move(u));
    }
    return out;
}

} // namespace nafitha::services
