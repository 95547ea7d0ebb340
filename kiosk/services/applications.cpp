// Applications: submission (with its payment in the same transaction), lookup, lifecycle, central decisions.

#include "kiosk/services/applications.h"

#include "base/clock.h"
#include "base/utf8.h"
#include "kiosk/services/pii.h"
#include "kiosk/services/reference.h"
#include "kiosk/services/terminal.h"
#include "sync/journal/journal.h"

namespace nafitha::services {

using nlohmann::json;

static constexpr std::pair<AppStatus, const char*> kStatusNames[] = {
    {AppStatus::Submitted, "submitted"}, {AppStatus::Paid, "paid"},         {AppStatus::InReview, "in_review"},
    {AppStatus::Approved, "approved"},   {AppStatus::Rejected, "rejected"}, {AppStatus::Ready, "ready"},
    {AppStatus::Delivered, "delivered"},
};

std::string_view app_status_name(AppStatus status)
{
    for (auto& [s, n] : kStatusNames)
        if (s == status)
            return n;
    return "submitted";
}

Result<AppStatus> parse_app_status(std::string_view name)
{
    for (auto& [s, n] : kStatusNames)
        if (name == n)
            return s;
    return Error::make("error.application.bad_status", "unknown status", "status");
}

bool transition_allowed(AppStatus from, AppStatus to)
{
    switch (from) {
    case AppStatus::Submitted: return to == AppStatus::Paid;
    case AppStatus::Paid: return to == AppStatus::InReview;
    case AppStatus::InReview: return to == AppStatus::Approved || to == AppStatus::Rejected;
    case AppStatus::Approved: return to == AppStatus::Ready;
    case AppStatus::Ready: return to == AppStatus::Delivered;
    case AppStatus::Rejected:
    case AppStatus::Delivered: return false;
    }
    return false;
}

std::vector<AppStatus> decision_path(AppStatus from, AppStatus to)
{
    // Breadth-first over the lifecycle; seven states, so a fixed-size search.
    constexpr AppStatus kAll[] = {AppStatus::Submitted, AppStatus::Paid,  AppStatus::InReview, AppStatus::Approved,
                                  AppStatus::Rejected,  AppStatus::Ready, AppStatus::Delivered};
    constexpr size_t n = std::size(kAll);
    auto index = [&](AppStatus s) {
        for (size_t i = 0; i < n; ++i)
            if (kAll[i] == s)
                return i;
        return size_t{0};
    };
    if (from == to || to == AppStatus::Paid)
        return {};
    size_t previous[n];
    bool seen[n] = {};
    size_t queue[n], head = 0, tail = 0;
    queue[tail++] = index(from);
    seen[index(from)] = true;
    while (head < tail) {
        size_t at = queue[head++];
        for (size_t next = 0; next < n; ++next) {
            if (seen[next] || kAll[next] == AppStatus::Paid || !transition_allowed(kAll[at], kAll[next]))
                continue;
            seen[next] = true;
            previous[next] = at;
            queue[tail++] = next;
        }
    }
    if (!seen[index(to)])
        return {};
    std::vector<AppStatus> path;
    for (size_t at = index(to); at != index(from); at = previous[at])
        path.insert(path.begin(), kAll[at]);
    return path;
}

// Order of the lifecycle, for decisions from central that may skip steps taken centrally.
static int rank(AppStatus s)
{
    switch (s) {
    case AppStatus::Submitted: return 0;
    case AppStatus::Paid: return 1;
    case AppStatus::InReview: return 2;
    case AppStatus::Approved:
    case AppStatus::Rejected: return 3;
    case AppStatus::Ready: return 4;
    case AppStatus::Delivered: return 5;
    }
    return 0;
}

static json fee_to_json(const Fee& fee)
{
    json lines = json::array();
    for (auto& l : fee.lines)
        lines.push_back({{"ar", l.label.ar}, {"en", l.label.en}, {"amount", l.amount}});
    return {{"lines", lines}, {"total", fee.total}, {"exemption", fee.exemption}, {"waived", fee.waived}};
}

static Fee fee_from_json(const json& j)
{
    Fee fee;
    if (!j.is_object())
        return fee;
    for (auto& l : j.value("lines", json::array()))
        fee.lines.push_back({{l.value("ar", ""), l.value("en", "")}, l.value("amount", int64_t{0})});
    fee.total = j.value("total", int64_t{0});
    fee.exemption = j.value("exemption", "");
    fee.waived = j.value("waived", int64_t{0});
    return fee;
}

std::string_view channel_name(Channel c) { return c == Channel::Counter ? "counter" : "kiosk"; }

// A note from staff or central: bounded, no control characters.
Result<std::string> check_note(std::string_view note)
{
    if (note.size() > 2000 || !utf8::is_valid(note) || utf8::length(note) > 500)
        return Error::make("error.application.bad_note", "note too long or not UTF-8", "note");
    for (unsigned char c : note)
        if (c < 0x20 || c == 0x7F)
            return Error::make("error.application.bad_note", "note holds control characters", "note");
    return std::string(note);
}


// The applicant's personal data, by field type.
static void fill_applicant(Application& a, const Service& service)
{
    for (auto& f : service.form) {
        auto it = a.values.find(f.name);
        if (it == a.values.end())
            continue;
        if (f.type == FieldType::NationalId && a.applicant.national_id.empty())
            a.applicant.national_id = it->second;
        else if (f.type == FieldType::Phone && a.applicant.phone.empty())
            a.applicant.phone = it->second;
        else if (f.type == FieldType::ArabicName && a.applicant.full_name.empty())
            a.applicant.full_name = it->second;
        else if (f.name == "address")
            a.applicant.address = it->second;
    }
}

Result<Submission> Terminal::submit(const SubmitRequest& request, std::optional<PaymentRequest> payment)
{
    std::lock_guard lock(m_mutex);
    auto cat = m_catalogue;
    // The one validation of the submission (the UI asked the same authority before taking the money).
    auto assessed = services::assess(*cat, m_options.centre, request.service_code, request.values, request.exemption);
    if (!assessed.validation.ok()) {
        const Error& first = assessed.validation.problems.front();
        if (first.field == "service")
            return first;
        return assessed.fee.error();
    }
    if (!assessed.fee.ok())
        return assessed.fee.error();
    const Service* service = assessed.service;
    const Validation& v = assessed.validation;
    Fee fee = *assessed.fee;
    // Nothing to pay: no device result is recorded (a free service is settled as exempt below).
    if (fee.total == 0 && payment && payment->method != PayMethod::Exemption)
        payment.reset();

    // Every form value is sealed (names, numbers, dates, choices alike: a value that does not name a person may still
    // point to one); values_json stays '{}' and is read only for applications from older terminals.
    json plain = json::object(), personal = json::object();
    std::string nid_hash;
    // The application as stored, built here rather than read back (application_locked gives the same, tested).
    Application app;
    for (auto& f : service->form) {
        auto it = v.values.find(f.name);
        if (it == v.values.end())
            continue;
        personal[f.name] = it->second;
        app.values[f.name] = it->second;
        if (f.type == FieldType::NationalId && nid_hash.empty())
            nid_hash = m_vault->lookup_hash(it->second);
    }

    // A counter registration is a staff member's act: the role must allow it, and a fee taken by staff too.
    std::string role;
    if (request.channel == Channel::Counter && !request.staff_id)
        return Error::make("error.staff.required", "a counter registration needs the staff member", "staff");
    if (request.staff_id) {
        auto who = TRY(require_locked(*request.staff_id, Action::Register));
        role = std::string(role_name(who.role));
        if (payment && payment->method != PayMethod::Exemption)
            TRY(require_locked(*request.staff_id, Action::TakePayment));
    }

    auto tx = TRY(db::Transaction::begin(m_db));
    int64_t id = TRY(m_db.scalar_int64("SELECT COALESCE(MAX(id), 0) + 1 FROM applications", 1));
    auto reference = make_reference(m_tag, id);
    auto now = now_ms();
    auto now_text = clock::iso8601_utc(now);
    auto ready = locale::Zone::add_days(zone().date_of(now), service->processing_days).iso(); // a local day
    {
        auto st = TRY(m_db.cached(
            "INSERT INTO applications (id, reference, service_code, centre, status, channel, fee_json, fee_total, "
            "paid_total, values_json, pii, nid_hash, staff_id, submitted_at, catalogue_version, expected_ready) "
            "VALUES (?1, ?2, ?3, ?4, 'submitted', ?5, ?6, ?7, 0, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"));
        st.bind(1, id).bind(2, reference).bind(3, service->code).bind(4, m_options.centre)
            .bind(5, channel_name(request.channel)).bind(6, fee_to_json(fee).dump()).bind(7, fee.total)
            .bind(8, plain.dump()).bind_blob(9, m_vault->seal(personal.dump(), reference));
        if (nid_hash.empty())
            st.bind_null(10);
        else
            st.bind(10, nid_hash);
        st.bind(11, request.staff_id).bind(12, now_text).bind(13, cat->version).bind(14, ready);
        TRY(st.run());
    }
    {
        auto st = TRY(m_db.cached("INSERT INTO application_history (application_id, status, time, note, actor) "
                                   "VALUES (?1, 'submitted', ?2, '', ?3)"));
        std::string actor = request.staff_id ? "staff:" + std::to_string(*request.staff_id) : "kiosk";
        st.bind(1, id).bind(2, now_text).bind(3, actor);
        TRY(st.run());
        app.history.push_back({AppStatus::Submitted, now_text, "", std::move(actor), ""});
    }
    app.id = id;
    app.reference = reference;
    app.service_code = service->code;
    app.centre = m_options.centre;
    app.status = AppStatus::Submitted;
    app.channel = request.channel;
    app.staff_id = request.staff_id;
    app.fee = fee;
    app.submitted_at = now_text;
    app.expected_ready = ready;
    app.catalogue_version = cat->version;
    fill_applicant(app, *service);
    if (request.ticket_id) {
        // A ticket that already came with an application (a kiosk visit's) keeps it.
        auto st = TRY(m_db.cached("UPDATE tickets SET reference = ?1 WHERE id = ?2 AND reference IS NULL"));
        st.bind(1, reference).bind(2, *request.ticket_id);
        TRY(st.run());
    }
    json entry = {{"reference", reference},
                  {"service_code", service->code},
                  {"entity", service->entity},
                  {"category", service->category},
                  {"centre", m_options.centre},
                  {"channel", channel_name(request.channel)},
                  {"fee_minor", fee.total},
                  {"waived_minor", fee.waived},
                  {"exemption", fee.exemption},
                  {"catalogue_version", cat->version},
                  {"submitted_at", now_text},
                  {"expected_ready", ready}};
    if (request.staff_id) {
        entry["staff_id"] = *request.staff_id;
        entry["role"] = role;
    }
    if (request.ticket_id)
        entry["ticket_id"] = *request.ticket_id;
    TRY(journal::append(m_db, m_identity, "application.submitted", std::move(entry)));

    Submission out;
    TRY(index_application_locked(id, app));
    if (payment || fee.total == 0) {
        PaymentRequest req = payment.value_or(PaymentRequest{});
        if (!payment) {
            req.method = PayMethod::Exemption;
            req.exemption = fee.exemption;
        }
        if (request.staff_id)
            req.staff_id = request.staff_id;
        out.payment = TRY(pay_locked(app, req));
        // A payment changes the application's progress only (status, amounts, history): that is read back, not its
        // fee and sealed values again.
        TRY(reload_progress_locked(app));
    }
    // A service with documents to check in person needs a counter visit: its ticket commits with the
    // application, so a citizen never pays without getting one.
    if (request.channel == Channel::Kiosk && !request.ticket_id && service->needs_counter_visit()) {
        out.ticket = TRY(issue_ticket_locked(service->category));
        auto st = TRY(m_db.cached("UPDATE tickets SET reference = ?1 WHERE id = ?2"));
        st.bind(1, reference).bind(2, out.ticket->id);
        TRY(st.run());
    }
    TRY(journal::commit(m_db, m_identity, tx));
    out.application = std::move(app);
    return out;
}

Result<Application> Terminal::application(std::string_view reference) const
{
    std::lock_guard lock(m_mutex);
    return application_locked(reference);
}

Result<Application> Terminal::application_locked(std::string_view reference) const
{
    auto ref = TRY(parse_reference(reference));
    auto st = TRY(m_db.cached("SELECT id, reference, service_code, centre, status, channel, fee_json, paid_total, "
                               "values_json, pii, submitted_at, catalogue_version, expected_ready, staff_id "
                               "FROM applications WHERE reference = ?1"));
    st.bind(1, ref);
    if (!TRY(st.step()))
        return Error::make("error.application.unknown", "no application with this reference", "reference");
    Application a;
    a.id = st.int64(0);
    a.reference = st.text(1);
    a.service_code = st.text(2);
    a.centre = st.text(3);
    a.status = TRY(parse_app_status(st.text(4)));
    a.channel = st.text(5) == "counter" ? Channel::Counter : Channel::Kiosk;
    a.fee = fee_from_json(json::parse(st.text(6), nullptr, false));
    a.paid_minor = st.int64(7);
    auto plain = json::parse(st.text(8), nullptr, false);
    if (plain.is_object())
        for (auto& [k, val] : plain.items())
            if (val.is_string())
                a.values[k] = val.get<std::string>();
    if (!st.is_null(9)) {
        auto personal = json::parse(TRY(m_vault->open(st.blob(9), a.reference)), nullptr, false);
        if (personal.is_object())
            for (auto& [k, val] : personal.items())
                if (val.is_string())
                    a.values[k] = val.get<std::string>();
    }
    a.submitted_at = st.text(10);
    a.catalogue_version = st.int64(11);
    a.expected_ready = st.text(12);
    a.staff_id = st.optional_int64(13);

    auto cat = m_catalogue;
    if (auto service = cat->service(a.service_code))
        fill_applicant(a, *service);
    TRY(load_history_locked(a));
    return a;
}

Result<void> Terminal::reload_progress_locked(Application& a) const
{
    auto st = TRY(m_db.cached("SELECT status, paid_total FROM applications WHERE id = ?1"));
    st.bind(1, a.id);
    if (!TRY(st.step()))
        return Error::make("error.application.unknown", "no application with this reference", "reference");
    a.status = TRY(parse_app_status(st.text(0)));
    a.paid_minor = st.int64(1);
    return load_history_locked(a);
}

Result<void> Terminal::load_history_locked(Application& a) const
{
    auto h = TRY(m_db.cached("SELECT status, time, note, actor, reason FROM application_history WHERE application_id = ?1 ORDER BY id"));
    h.bind(1, a.id);
    a.history.clear();
    while (TRY(h.step()))
        a.history.push_back({TRY(parse_app_status(h.text(0))), h.text(1), h.text(2), h.text(3), h.text(4)});
    auto refunded = TRY(m_db.cached("SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE application_id = ?1"));
    refunded.bind(1, a.id);
    TRY(refunded.step());
    a.refunded_minor = refunded.int64(0);
    return {};
}

Result<std::string> Terminal::last_reference() const
{
    std::lock_guard lock(m_mutex);
    auto st = TRY(m_db.cached("SELECT reference FROM applications ORDER BY id DESC LIMIT 1"));
    if (!TRY(st.step()))
        return Error::make("error.receipt.not_found", "no application in this terminal yet");
    return st.text(0);
}

Result<std::vector<InboxItem>> Terminal::inbox(size_t limit) const
{
    auto apps = TRY(applications_by_status({std::begin(kAwaitingStaff), std::end(kAwaitingStaff)}, limit));
    std::vector<InboxItem> out;
    out.reserve(apps.size());
    for (auto& a : apps) {
        const std::string& nid = a.applicant.national_id;
        std::string hint = nid.size() >= 4 ? "…" + nid.substr(nid.size() - 4) : std::string();
        out.push_back(InboxItem{a.reference, a.service_code, a.status, a.submitted_at, std::move(hint)});
    }
    return out;
}

Result<std::vector<Application>> Terminal::applications_of(std::string_view national_id, size_t limit) const
{
    auto nid = validate_national_id(national_id);
    if (!nid.ok()) {
        auto e = nid.release_error();
        e.field = "national_id";
        return e;
    }
    std::lock_guard lock(m_mutex);
    auto st = TRY(m_db.cached("SELECT reference FROM applications WHERE nid_hash = ?1 ORDER BY id DESC LIMIT ?2"));
    st.bind(1, m_vault->lookup_hash(*nid)).bind(2, static_cast<int64_t>(std::min<size_t>(limit, 200)));
    return applications_locked(st);
}

Result<std::vector<Application>> Terminal::applications_locked(db::Statement& references) const
{
    std::vector<std::string> refs;
    while (TRY(references.step()))
        refs.push_back(references.text(0));
    references.reset();
    std::vector<Application> out;
    out.reserve(refs.size());
    for (auto& r : refs)
        out.push_back(TRY(application_locked(r)));
    return out;
}

Result<std::vector<Application>> Terminal::applications_by_status(const std::vector<AppStatus>& statuses, size_t limit) const
{
    std::string in;
    for (auto s : statuses)
        in += std::string(in.empty() ? "'" : ", '") + std::string(app_status_name(s)) + "'";
    std::lock_guard lock(m_mutex);
    auto st = TRY(m_db.prepare("SELECT reference FROM applications " + (in.empty() ? std::string() : "WHERE status IN (" + in + ") ") +
                               "ORDER BY id DESC LIMIT ?1"));
    st.bind(1, static_cast<int64_t>(std::min<size_t>(limit, 500)));
    return applications_locked(st);
}

Result<int64_t> Terminal::set_status_locked(const Application& app, AppStatus to, std::string_view actor,
                                            std::string_view note, const json& extra, std::string_view reason,
                                            std::optional<int64_t> decision)
{
    auto now = now_iso();
    auto st = TRY(m_db.cached("UPDATE applications SET status = ?1 WHERE id = ?2"));
    st.bind(1, app_status_name(to)).bind(2, app.id);
    TRY(st.run());
    // A decision's first step names the group by its own id, known before the insert (no UPDATE after it).
    std::optional<int64_t> group = decision;
    std::optional<int64_t> id;
    if (decision && *decision == 0) {
        id = TRY(m_db.scalar_int64("SELECT COALESCE(MAX(id), 0) + 1 FROM application_history", 1));
        group = id;
    }
    auto h = TRY(m_db.cached("INSERT INTO application_history (id, application_id, status, time, note, actor, reason, decision) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    h.bind(1, id).bind(2, app.id).bind(3, app_status_name(to)).bind(4, now).bind(5, note).bind(6, actor).bind(7, std::string(reason));
    h.bind(8, group);
    TRY(h.run());
    int64_t row = m_db.last_insert_rowid();
    json entry = {{"reference", app.reference},   {"service_code", app.service_code}, {"centre", app.centre},
                  {"from", app_status_name(app.status)}, {"to", app_status_name(to)}, {"actor", std::string(actor)},
                  {"note", std::string(note)},    {"time", now}, {"channel", channel_name(app.channel)}};
    if (!reason.empty())
        entry["reason"] = std::string(reason);
    if (extra.is_object())
        for (auto& [k, val] : extra.items())
            entry[k] = val;
    TRY(journal::append(m_db, m_identity, "application.status_changed", std::move(entry)));
    return row;
}

Result<Application> Terminal::change_status(std::string_view reference, AppStatus to, int64_t staff_id, std::string_view note)
{
    auto checked_note = TRY(check_note(note));
    std::lock_guard lock(m_mutex);
    auto app = TRY(application_locked(reference));
    if (to == AppStatus::Paid)
        return Error::make("error.application.bad_transition", "an application becomes paid through a payment", "status");
    if (!transition_allowed(app.status, to))
        return Error::make("error.application.bad_transition",
                           std::string(app_status_name(app.status)) + " -> " + std::string(app_status_name(to)), "status");
    TRY(require_locked(staff_id, Action::Decide));
    auto tx = TRY(db::Transaction::begin(m_db));
    TRY(set_status_locked(app, to, "staff:" + std::to_string(staff_id), checked_note, json{{"staff_id", staff_id}}));
    TRY(journal::commit(m_db, m_identity, tx));
    return application_locked(reference);
}

Result<void> Terminal::apply_central_decision(std::string_view reference, std::string_view new_status, std::string_view note,
                                              std::string_view decided_at, int64_t central_cursor, std::string_view central_sig,
                                              std::string_view reason)
{
    if (central_sig.size() > 128)
        return Error::make("error.application.bad_note", "central signature too long", "central_sig");
    auto to = TRY(parse_app_status(new_status));
    auto checked_note = TRY(check_note(note));
    if (decided_at.size() > 64)
        return Error::make("error.application.bad_note", "decided_at too long", "decided_at");
    std::lock_guard lock(m_mutex);
    if (central_cursor > 0) {
        auto seen = TRY(m_db.cached("SELECT 1 FROM central_decisions WHERE cursor = ?1"));
        seen.bind(1, central_cursor);
        if (TRY(seen.step()))
            return {};
    }
    auto app = TRY(application_locked(reference));
    auto tx = TRY(db::Transaction::begin(m_db));
    bool forward = rank(to) > rank(app.status) && app.status != AppStatus::Rejected &&
                   !(to == AppStatus::Rejected && rank(app.status) >= 3);
    if (to != app.status && forward) {
        json extra = {{"central_cursor", central_cursor}, {"decided_at", std::string(decided_at)}};
        if (!central_sig.empty())
            extra["central_sig"] = std::string(central_sig);
        // The journal keeps central's reason as signed (journal verify re-checks the signature over it); the
        // history, which the citizen's tracking reads, only a reason this terminal knows for this decision.
        if (!reason.empty())
            extra["reason"] = std::string(reason);
        std::string_view known = !reason.empty() && find_reason(to, reason) ? reason : std::string_view();
        TRY(set_status_locked(app, to, "central", checked_note, extra, known));
    }
    if (central_cursor > 0) {
        auto st = TRY(m_db.cached("INSERT INTO central_decisions (cursor, reference, status, applied_at) VALUES (?1, ?2, ?3, ?4)"));
        st.bind(1, central_cursor).bind(2, app.reference).bind(3, app_status_name(to)).bind(4, now_iso());
        TRY(st.run());
    }
    return journal::commit(m_db, m_identity, tx);
}

} // namespace nafitha::services
