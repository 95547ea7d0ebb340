// Payments: cash with change, card, exemption; per-day and per-staff totals for the Z report.

#include "kiosk/services/payments.h"

#include "base/clock.h"
#include "kiosk/services/pii.h"
#include "kiosk/services/terminal.h"
#include "sync/journal/journal.h"

namespace nafitha::services {

using nlohmann::json;

// Bounds on what one payment may hold: 10 billion SYP in minor units.
inline constexpr int64_t kMaxTenderedMinor = 1'000'000'000'000;

std::string_view pay_method_name(PayMethod method)
{
    switch (method) {
    case PayMethod::Cash: return "cash";
    case PayMethod::Card: return "card";
    case PayMethod::Exemption: return "exemption";
    }
    return "cash";
}

static PayMethod parse_method(const std::string& s)
{
    return s == "card" ? PayMethod::Card : s == "exemption" ? PayMethod::Exemption : PayMethod::Cash;
}

Result<Payment> Terminal::pay(std::string_view reference, const PaymentRequest& request)
{
    std::lock_guard lock(m_mutex);
    auto app = TRY(application_locked(reference));
    if (request.staff_id && request.method != PayMethod::Exemption)
        TRY(require_locked(*request.staff_id, Action::TakePayment));
    auto tx = TRY(db::Transaction::begin(m_db));
    auto payment = TRY(pay_locked(app, request));
    TRY(journal::commit(m_db, m_identity, tx));
    return payment;
}

// Records the payment that settles `app` inside the caller's open transaction, and moves it to paid.
Result<Payment> Terminal::pay_locked(const Application& app, const PaymentRequest& request)
{
    if (app.status != AppStatus::Submitted)
        return Error::make("error.payment.already_paid", "application is " + std::string(app_status_name(app.status)));
    auto cat = m_catalogue;
    auto service = cat->service(app.service_code);
    int64_t due = app.fee.total - app.paid_minor;
    Payment p;
    p.reference = app.reference;
    p.method = request.method;
    p.staff_id = request.staff_id;
    int64_t at = now_ms();
    p.time = clock::iso8601_utc(at);
    p.day = day_of(at); // the office's day, in the centre's time zone
    p.waived_minor = app.fee.waived;
    // Central's policy: after too many days without a sync, no money is taken (an exemption still settles).
    if (request.method != PayMethod::Exemption && due > 0) {
        auto policy = TRY(policy_state());
        if (policy.stop_payments)
            return Error::make("error.policy.payments_stopped",
                               std::to_string(policy.days_without_sync) + " days without a sync", "payment");
    }
    std::string document;
    switch (request.method) {
    case PayMethod::Cash:
        if (request.tendered_minor < due)
            return Error::make("error.payment.insufficient", "tendered less than due", "tendered");
        if (request.tendered_minor > kMaxTenderedMinor)
            return Error::make("error.payment.too_large", "tendered amount out of range", "tendered");
        p.amount_minor = due;
        p.tendered_minor = request.tendered_minor;
        p.change_minor = request.tendered_minor - due;
        break;
    case PayMethod::Card: {
        auto& auth = request.card_authorisation;
        bool ok = !auth.empty() && auth.size() <= 32;
        for (char c : auth)
            ok = ok && ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
        if (!ok)
            return Error::make("error.payment.card_authorisation", "missing or malformed authorisation", "card");
        p.amount_minor = due;
        p.tendered_minor = due;
        p.card_authorisation = auth;
        break;
    }
    case PayMethod::Exemption: {
        if (due > 0) {
            // An exemption claimed at payment time waives what is due, when the service offers it.
            bool offered = false;
            if (service)
                for (auto& e : service->exemptions)
                    offered = offered || e.code == request.exemption;
            if (!offered)
                return Error::make("error.fee.exemption_unknown", "exemption not offered", "exemption");
            if (service->fee.kind == FeeKind::ByAmount)
                return Error::make("error.payment.exemption_not_allowed", "bill amounts cannot be waived", "exemption");
            p.waived_minor += due;
        }
        // At the counter the clerk notes the supporting document seen (a card, a certificate).
        if (request.staff_id && p.waived_minor > 0) {
            auto noted = TRY(check_note(request.document));
            if (noted.empty())
                return Error::make("error.payment.document_required", "an exemption at the counter needs its document",
                                   "document");
            document = std::move(noted);
        }
        p.amount_minor = 0;
        p.tendered_minor = 0;
        break;
    }
    }
    auto st = TRY(m_db.cached("INSERT INTO payments (application_id, method, amount, tendered, change, waived, card_auth, "
                               "staff_id, time, day, document) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
    st.bind(1, app.id).bind(2, pay_method_name(p.method)).bind(3, p.amount_minor).bind(4, p.tendered_minor)
        .bind(5, p.change_minor).bind(6, p.waived_minor).bind(7, p.card_authorisation).bind(8, p.staff_id)
        .bind(9, p.time).bind(10, p.day);
    if (document.empty())
        st.bind_null(11);
    else
        st.bind_blob(11, m_vault->seal(document, app.reference + ":document"));
    TRY(st.run());
    p.id = m_db.last_insert_rowid();
    auto upd = TRY(m_db.cached("UPDATE applications SET paid_total = paid_total + ?1 WHERE id = ?2"));
    upd.bind(1, p.amount_minor).bind(2, app.id);
    TRY(upd.run());
    json entry = {{"payment_id", p.id},           {"reference", app.reference},    {"service_code", app.service_code},
                  {"centre", app.centre},         {"method", pay_method_name(p.method)}, {"amount_minor", p.amount_minor},
                  {"tendered_minor", p.tendered_minor}, {"change_minor", p.change_minor}, {"waived_minor", p.waived_minor},
                  {"currency", "SYP"},            {"day", p.day},                  {"time", p.time},
                  {"channel", channel_name(app.channel)}};
    if (p.staff_id)
        entry["staff_id"] = *p.staff_id;
    if (!document.empty())
        entry["exemption_document_noted"] = true;
    TRY(journal::append(m_db, m_identity, "payment.recorded", std::move(entry)));
    TRY(set_status_locked(app, AppStatus::Paid, p.staff_id ? "staff:" + std::to_string(*p.staff_id) : "kiosk", "",
                          p.staff_id ? json{{"staff_id", *p.staff_id}} : json::object()));
    return p;
}

Result<std::vector<Payment>> Terminal::payments_of(std::string_view reference) const
{
    std::lock_guard lock(m_mutex);
    auto app = TRY(application_locked(reference));
    auto st = TRY(m_db.cached("SELECT id, method, amount, tendered, change, waived, card_auth, staff_id, time, day "
                               "FROM payments WHERE application_id = ?1 ORDER BY id"));
    st.bind(1, app.id);
    std::vector<Payment> out;
    while (TRY(st.step())) {
        Payment p;
        p.id = st.int64(0);
        p.reference = app.reference;
        p.method = parse_method(st.text(1));
        p.amount_minor = st.int64(2);
        p.tendered_minor = st.int64(3);
        p.change_minor = st.int64(4);
        p.waived_minor = st.int64(5);
        p.card_authorisation = st.text(6);
        p.staff_id = st.optional_int64(7);
        p.time = st.text(8);
        p.day = st.text(9);
        out.push_back(std::move(p));
    }
    return out;
}

Result<DayTotals> Terminal::day_totals(std::string_view day) const
{
    std::lock_guard lock(m_mutex);
    DayTotals t;
    t.day = day.empty() ? today() : std::string(day);
    if (t.day.size() != 10)
        return Error::make("error.form.date_invalid", "day is YYYY-MM-DD", "day");
    // The Z report is computed from the journal, the record no one can change without breaking its chain and
    // signatures; the payments table is only its projection (journal verify compares them). The expressions match
    // the partial indexes of migration 7.
    auto st = TRY(m_db.cached(
        "SELECT json_extract(j.payload, '$.staff_id') AS staff, COALESCE(s.full_name, ''), COUNT(*), "
        "SUM(CASE WHEN json_extract(j.payload, '$.method') = 'cash' THEN json_extract(j.payload, '$.amount_minor') ELSE 0 END), "
        "SUM(CASE WHEN json_extract(j.payload, '$.method') = 'card' THEN json_extract(j.payload, '$.amount_minor') ELSE 0 END), "
        "SUM(COALESCE(json_extract(j.payload, '$.waived_minor'), 0)), SUM(COALESCE(json_extract(j.payload, '$.change_minor'), 0)) "
        "FROM journal j LEFT JOIN staff s ON s.id = json_extract(j.payload, '$.staff_id') "
        "WHERE j.type = 'payment.recorded' AND json_extract(j.payload, '$.day') = ?1 "
        "GROUP BY staff ORDER BY staff"));
    st.bind(1, t.day);
    while (TRY(st.step())) {
        StaffTotals s;
        s.staff_id = st.optional_int64(0);
        s.staff_name = st.text(1);
        s.count = st.int64(2);
        s.cash_minor = st.int64(3);
        s.card_minor = st.int64(4);
        s.waived_minor = st.int64(5);
        s.change_minor = st.int64(6);
        t.count += s.count;
        t.cash_minor += s.cash_minor;
        t.card_minor += s.card_minor;
        t.waived_minor += s.waived_minor;
        t.change_minor += s.change_minor;
        t.by_staff.push_back(std::move(s));
    }
    // Stored times are UTC: the local day is the span of moments between its start and the next day's. Submissions
    // are counted from the journal.
    auto [from, until] = day_span(t.day);
    auto apps = TRY(m_db.cached("SELECT COUNT(*) FROM journal WHERE type = 'application.submitted' "
                                "AND json_extract(payload, '$.submitted_at') >= ?1 AND json_extract(payload, '$.submitted_at') < ?2"));
    apps.bind(1, from).bind(2, until);
    TRY(apps.step());
    t.applications = apps.int64(0);
    auto tickets = TRY(m_db.cached("SELECT COUNT(*) FROM journal WHERE type = 'ticket.issued' AND json_extract(payload, '$.day') = ?1"));
    tickets.bind(1, t.day);
    TRY(tickets.step());
    t.tickets = tickets.int64(0);
    tickets.reset();
    auto counter = TRY(m_db.cached("SELECT COUNT(*) FROM journal WHERE type = 'application.submitted' "
                                   "AND json_extract(payload, '$.submitted_at') >= ?1 AND json_extract(payload, '$.submitted_at') < ?2 "
                                   "AND json_extract(payload, '$.channel') = 'counter'"));
    counter.bind(1, from).bind(2, until);
    TRY(counter.step());
    t.counter_applications = counter.int64(0);
    counter.reset();
    // The drawer, refunds and closes too come from the journal (their tables are its projections).
    auto moves = TRY(m_db.cached("SELECT json_extract(payload, '$.kind') AS kind, SUM(json_extract(payload, '$.amount_minor')) "
                                 "FROM journal WHERE type = 'drawer.movement' AND json_extract(payload, '$.day') = ?1 GROUP BY kind"));
    moves.bind(1, t.day);
    while (TRY(moves.step())) {
        auto kind = moves.text(0);
        (kind == "float" ? t.opening_float_minor : kind == "cash_in" ? t.cash_in_minor : t.cash_out_minor) = moves.int64(1);
    }
    auto refunds = TRY(m_db.cached("SELECT json_extract(payload, '$.method') AS method, COUNT(*), "
                                   "SUM(json_extract(payload, '$.amount_minor')) FROM journal "
                                   "WHERE type = 'payment.refunded' AND json_extract(payload, '$.day') = ?1 GROUP BY method"));
    refunds.bind(1, t.day);
    while (TRY(refunds.step())) {
        t.refunds += refunds.int64(1);
        (refunds.text(0) == "card" ? t.refunded_card_minor : t.refunded_cash_minor) = refunds.int64(2);
    }
    auto decisions = TRY(m_db.cached("SELECT SUM(reason = 'reversal'), SUM(reason <> 'reversal') FROM application_history "
                                      "WHERE time >= ?1 AND time < ?2 AND (decision = id OR reason = 'reversal')"));
    decisions.bind(1, from).bind(2, until);
    if (TRY(decisions.step())) {
        t.reversals = decisions.int64(0);
        t.decisions = decisions.int64(1);
    }
    decisions.reset();
    t.expected_cash_minor = t.opening_float_minor + t.cash_minor + t.cash_in_minor - t.cash_out_minor - t.refunded_cash_minor;
    auto closed = TRY(m_db.cached("SELECT json_extract(payload, '$.declared_minor'), json_extract(payload, '$.difference_minor') "
                                  "FROM journal WHERE type = 'drawer.z_report' AND json_extract(payload, '$.day') = ?1 "
                                  "ORDER BY seq DESC LIMIT 1"));
    closed.bind(1, t.day);
    if (TRY(closed.step())) {
        t.declared_minor = closed.int64(0);
        t.difference_minor = closed.int64(1);
    }
    closed.reset();
    return t;
}

} // namespace nafitha::services
