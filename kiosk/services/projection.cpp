// check_projection(): the business tables against the journal's projection (projection.h).

#include "kiosk/services/projection.h"

#include "sync/journal/journal.h"
#include "sync/protocol/signed.h"

#include <map>
#include <vector>

namespace nafitha::services {

namespace {

using nlohmann::json;

std::string str(const json& p, const char* key)
{
    auto it = p.find(key);
    if (it == p.end())
        return {};
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_number_integer())
        return std::to_string(it->get<int64_t>());
    return {};
}

int64_t num(const json& p, const char* key, int64_t fallback = 0)
{
    auto it = p.find(key);
    return it != p.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

std::optional<int64_t> opt_num(const json& p, const char* key)
{
    auto it = p.find(key);
    if (it != p.end() && it->is_number_integer())
        return it->get<int64_t>();
    return std::nullopt;
}

std::string show(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "none"; }

struct HistoryStep {
    std::string status, actor, note;
};

struct App {
    int64_t seq = 0; // the application.submitted entry
    std::string service_code, centre, channel, submitted_at, expected_ready;
    int64_t fee = 0, paid = 0, catalogue_version = 0;
    std::optional<int64_t> staff_id;
    std::string status = "submitted";
    std::vector<HistoryStep> history;
};

struct Pay {
    int64_t seq = 0;
    std::string reference, method, time, day;
    int64_t amount = 0, tendered = 0, change = 0, waived = 0;
    std::optional<int64_t> staff_id;
};

struct Tick {
    int64_t seq = 0;
    std::string number, category, centre, day, status = "waiting";
    int64_t counter = 0, recalls = 0;
};

struct Survey {
    int64_t seq = 0;
    int64_t rating = 0;
    std::string reference;
    std::optional<int64_t> ticket_id;
};

struct Projection {
    std::map<std::string, App> apps;
    std::map<int64_t, Pay> payments;
    std::map<int64_t, Tick> tickets;
    std::map<int64_t, Survey> surveys;
    std::map<int64_t, int64_t> catalogues; // version -> seq
    std::map<int64_t, int64_t> policies;
};

// Applies one entry; returns a problem of the journal itself (an entry that contradicts the ones before it).
std::string apply(Projection& p, const protocol::Entry& e)
{
    const json& d = e.payload;
    const std::string at = " (entry " + std::to_string(e.seq) + ")";
    if (e.type == "application.submitted") {
        App a;
        a.seq = e.seq;
        a.service_code = str(d, "service_code");
        a.centre = str(d, "centre");
        a.channel = str(d, "channel");
        a.submitted_at = str(d, "submitted_at");
        a.expected_ready = str(d, "expected_ready");
        a.fee = num(d, "fee_minor");
        a.catalogue_version = num(d, "catalogue_version");
        a.staff_id = opt_num(d, "staff_id");
        a.history.push_back({"submitted", a.staff_id ? "staff:" + std::to_string(*a.staff_id) : "kiosk", ""});
        p.apps[str(d, "reference")] = std::move(a);
    } else if (e.type == "application.status_changed") {
        auto it = p.apps.find(str(d, "reference"));
        if (it == p.apps.end())
            return "a status change for application " + str(d, "reference") + " that the journal never submitted" + at;
        it->second.status = str(d, "to");
        it->second.history.push_back({str(d, "to"), str(d, "actor"), str(d, "note")});
    } else if (e.type == "payment.recorded") {
        Pay pay;
        pay.seq = e.seq;
        pay.reference = str(d, "reference");
        pay.method = str(d, "method");
        pay.amount = num(d, "amount_minor");
        pay.tendered = num(d, "tendered_minor");
        pay.change = num(d, "change_minor");
        pay.waived = num(d, "waived_minor");
        pay.time = str(d, "time");
        pay.day = str(d, "day");
        pay.staff_id = opt_num(d, "staff_id");
        auto it = p.apps.find(pay.reference);
        if (it == p.apps.end())
            return "a payment for application " + pay.reference + " that the journal never submitted" + at;
        it->second.paid += pay.amount;
        p.payments[num(d, "payment_id")] = std::move(pay);
    } else if (e.type == "ticket.issued") {
        Tick t;
        t.seq = e.seq;
        t.number = str(d, "number");
        t.category = str(d, "category");
        t.centre = str(d, "centre");
        t.day = str(d, "day");
        p.tickets[num(d, "ticket_id")] = std::move(t);
    } else if (e.type.rfind("ticket.", 0) == 0) {
        auto it = p.tickets.find(num(d, "ticket_id"));
        if (it == p.tickets.end())
            return "a " + e.type + " for ticket " + str(d, "ticket_id") + " that the journal never issued" + at;
        auto& t = it->second;
        if (e.type == "ticket.called") {
            t.status = "called";
            t.counter = num(d, "counter");
        } else if (e.type == "ticket.recalled") {
            t.recalls = num(d, "recalls");
        } else if (e.type == "ticket.no_show") {
            t.status = "no_show";
        } else if (e.type == "ticket.served") {
            t.status = "served";
        }
    } else if (e.type == "survey.recorded") {
        p.surveys[num(d, "survey_id")] = Survey{e.seq, num(d, "rating"), str(d, "reference"), opt_num(d, "ticket_id")};
    } else if (e.type == "catalogue.installed") {
        p.catalogues[num(d, "version")] = e.seq;
    } else if (e.type == "policy.installed") {
        p.policies[num(d, "version")] = e.seq;
    }
    return {};
}

// Builds "TABLE KEY: FIELD is A in the table, B in the journal (entry SEQ)".
std::string differ(const std::string& where, const std::string& field, const std::string& table, const std::string& journal,
                   int64_t seq)
{
    return where + ": " + field + " is " + (table.empty() ? "empty" : table) + " in the table, " + (journal.empty() ? "empty" : journal)
        + " in the journal (entry " + std::to_string(seq) + ")";
}

} // namespace

Result<ProjectionReport> check_projection(db::Db& db, const std::string& terminal_id,
                                          const std::optional<protocol::PublicKey>& central_key)
{
    ProjectionReport report;
    Projection p;
    int64_t acked_by_central = 0;
    if (auto kept = TRY(journal::kept_ack(db)))
        acked_by_central = kept->ack.seq;
    // The journal, a page at a time.
    for (int64_t after = 0;;) {
        auto st = TRY(db.prepare("SELECT seq, type, payload FROM journal WHERE seq > ?1 ORDER BY seq LIMIT 5000"));
        st.bind(1, after);
        int64_t n = 0;
        while (TRY(st.step())) {
            ++n;
            protocol::Entry e;
            e.seq = st.int64(0);
            e.type = st.text(1);
            e.payload = json::parse(st.text(2), nullptr, false);
            after = e.seq;
            if (!e.payload.is_object())
                continue; // the chain check names it
            if (auto problem = apply(p, e); !problem.empty()) {
                report.first_difference = "journal: " + problem;
                return report;
            }
            if (central_key && e.type == "application.status_changed" && str(e.payload, "actor") == "central") {
                const auto& d = e.payload;
                auto sig = d.find("central_sig");
                if (sig != d.end() && sig->is_string()) {
                    protocol::Signed s{protocol::statement_of(protocol::DecisionStatement{
                                           terminal_id, num(d, "central_cursor"), str(d, "reference"), str(d, "to"), str(d, "note"),
                                           str(d, "decided_at"), str(d, "reason")}),
                                       sig->get<std::string>()};
                    if (!protocol::verify_statement(s, *central_key, "decision").ok()) {
                        report.first_difference = "journal: entry " + std::to_string(e.seq) + " claims a decision of central ("
                            + str(d, "to") + ") that central's signature does not cover";
                        return report;
                    }
                } else if (e.seq > acked_by_central) {
                    report.first_difference = "journal: entry " + std::to_string(e.seq) + " claims a decision of central ("
                        + str(d, "to") + ") without central's signature";
                    return report;
                }
            }
        }
        if (n < 5000)
            break;
    }

    // Applications.
    {
        auto st = TRY(db.prepare("SELECT id, reference, service_code, centre, status, channel, fee_total, paid_total, staff_id, "
                                 "submitted_at, catalogue_version, expected_ready FROM applications ORDER BY id"));
        std::map<std::string, bool> seen;
        while (TRY(st.step())) {
            ++report.rows;
            std::string ref = st.text(1);
            std::string where = "applications " + ref;
            auto it = p.apps.find(ref);
            if (it == p.apps.end()) {
                report.first_difference = where + ": in the table but never submitted in the journal";
                return report;
            }
            const App& a = it->second;
            seen[ref] = true;
            auto check = [&](const char* field, const std::string& table, const std::string& journal) {
                if (report.first_difference.empty() && table != journal)
                    report.first_difference = differ(where, field, table, journal, a.seq);
            };
            check("service_code", st.text(2), a.service_code);
            check("centre", st.text(3), a.centre);
            check("status", st.text(4), a.status);
            check("channel", st.text(5), a.channel);
            check("fee_total", std::to_string(st.int64(6)), std::to_string(a.fee));
            check("paid_total", std::to_string(st.int64(7)), std::to_string(a.paid));
            check("staff_id", show(st.optional_int64(8)), show(a.staff_id));
            check("submitted_at", st.text(9), a.submitted_at);
            check("catalogue_version", std::to_string(st.int64(10)), std::to_string(a.catalogue_version));
            check("expected_ready", st.text(11), a.expected_ready);
            if (!report.ok())
                return report;
            // Its history, step by step.
            auto h = TRY(db.prepare("SELECT status, actor, note FROM application_history WHERE application_id = ?1 ORDER BY id"));
            h.bind(1, st.int64(0));
            size_t i = 0;
            while (TRY(h.step())) {
                ++report.rows;
                if (i >= a.history.size()) {
                    report.first_difference = where + ": history step " + std::to_string(i + 1) + " (" + h.text(0)
                        + ") is in the table but not in the journal";
                    return report;
                }
                const auto& step = a.history[i];
                std::string w = where + " history step " + std::to_string(i + 1);
                if (h.text(0) != step.status || h.text(1) != step.actor || h.text(2) != step.note) {
                    report.first_difference = differ(w, "status/actor/note", h.text(0) + "/" + h.text(1) + "/" + h.text(2),
                                                     step.status + "/" + step.actor + "/" + step.note, a.seq);
                    return report;
                }
                ++i;
            }
            if (i < a.history.size()) {
                report.first_difference = where + ": history step " + std::to_string(i + 1) + " (" + a.history[i].status
                    + ") is in the journal but not in the table";
                return report;
            }
        }
        for (const auto& [ref, a] : p.apps)
            if (!seen.count(ref)) {
                report.first_difference = "applications " + ref + ": submitted in the journal (entry " + std::to_string(a.seq)
                    + ") but missing from the table";
                return report;
            }
    }

    // Payments.
    {
        auto st = TRY(db.prepare("SELECT p.id, a.reference, p.method, p.amount, p.tendered, p.change, p.waived, p.staff_id, p.time, "
                                 "p.day FROM payments p LEFT JOIN applications a ON a.id = p.application_id ORDER BY p.id"));
        std::map<int64_t, bool> seen;
        while (TRY(st.step())) {
            ++report.rows;
            int64_t id = st.int64(0);
            std::string where = "payments " + std::to_string(id);
            auto it = p.payments.find(id);
            if (it == p.payments.end()) {
                report.first_difference = where + ": in the table but never recorded in the journal";
                return report;
            }
            seen[id] = true;
            const Pay& pay = it->second;
            auto check = [&](const char* field, const std::string& table, const std::string& journal) {
                if (report.first_difference.empty() && table != journal)
                    report.first_difference = differ(where, field, table, journal, pay.seq);
            };
            check("application", st.text(1), pay.reference);
            check("method", st.text(2), pay.method);
            check("amount", std::to_string(st.int64(3)), std::to_string(pay.amount));
            check("tendered", std::to_string(st.int64(4)), std::to_string(pay.tendered));
            check("change", std::to_string(st.int64(5)), std::to_string(pay.change));
            check("waived", std::to_string(st.int64(6)), std::to_string(pay.waived));
            check("staff_id", show(st.optional_int64(7)), show(pay.staff_id));
            check("time", st.text(8), pay.time);
            check("day", st.text(9), pay.day);
            if (!report.ok())
                return report;
        }
        for (const auto& [id, pay] : p.payments)
            if (!seen.count(id)) {
                report.first_difference = "payments " + std::to_string(id) + ": recorded in the journal (entry " + std::to_string(pay.seq)
                    + ") but missing from the table";
                return report;
            }
    }

    // Tickets.
    {
        auto st = TRY(db.prepare("SELECT id, number, category, centre, day, status, counter, recalls FROM tickets ORDER BY id"));
        std::map<int64_t, bool> seen;
        while (TRY(st.step())) {
            ++report.rows;
            int64_t id = st.int64(0);
            std::string where = "tickets " + std::to_string(id);
            auto it = p.tickets.find(id);
            if (it == p.tickets.end()) {
                report.first_difference = where + ": in the table but never issued in the journal";
                return report;
            }
            seen[id] = true;
            const Tick& t = it->second;
            auto check = [&](const char* field, const std::string& table, const std::string& journal) {
                if (report.first_difference.empty() && table != journal)
                    report.first_difference = differ(where, field, table, journal, t.seq);
            };
            check("number", st.text(1), t.number);
            check("category", st.text(2), t.category);
            check("centre", st.text(3), t.centre);
            check("day", st.text(4), t.day);
            check("status", st.text(5), t.status);
            check("counter", std::to_string(st.int64(6)), std::to_string(t.counter));
            check("recalls", std::to_string(st.int64(7)), std::to_string(t.recalls));
            if (!report.ok())
                return report;
        }
        for (const auto& [id, t] : p.tickets)
            if (!seen.count(id)) {
                report.first_difference = "tickets " + std::to_string(id) + ": issued in the journal (entry " + std::to_string(t.seq)
                    + ") but missing from the table";
                return report;
            }
    }

    // Surveys.
    {
        auto st = TRY(db.prepare("SELECT s.id, s.rating, COALESCE(a.reference, ''), s.ticket_id FROM surveys s "
                                 "LEFT JOIN applications a ON a.id = s.application_id ORDER BY s.id"));
        std::map<int64_t, bool> seen;
        while (TRY(st.step())) {
            ++report.rows;
            int64_t id = st.int64(0);
            std::string where = "surveys " + std::to_string(id);
            auto it = p.surveys.find(id);
            if (it == p.surveys.end()) {
                report.first_difference = where + ": in the table but never recorded in the journal";
                return report;
            }
            seen[id] = true;
            const Survey& s = it->second;
            if (st.int64(1) != s.rating)
                report.first_difference = differ(where, "rating", std::to_string(st.int64(1)), std::to_string(s.rating), s.seq);
            else if (st.text(2) != s.reference)
                report.first_difference = differ(where, "application", st.text(2), s.reference, s.seq);
            else if (show(st.optional_int64(3)) != show(s.ticket_id))
                report.first_difference = differ(where, "ticket", show(st.optional_int64(3)), show(s.ticket_id), s.seq);
            if (!report.ok())
                return report;
        }
        for (const auto& [id, s] : p.surveys)
            if (!seen.count(id)) {
                report.first_difference = "surveys " + std::to_string(id) + ": recorded in the journal (entry " + std::to_string(s.seq)
                    + ") but missing from the table";
                return report;
            }
    }

    // Installed catalogues and policies: the same versions.
    auto versions = [&](const char* table, const char* what, const std::map<int64_t, int64_t>& journalled) -> Result<void> {
        auto st = TRY(db.prepare(std::string("SELECT version FROM ") + table + " ORDER BY version"));
        std::map<int64_t, bool> seen;
        while (TRY(st.step())) {
            ++report.rows;
            seen[st.int64(0)] = true;
            if (!journalled.count(st.int64(0)) && report.ok())
                report.first_difference = std::string(table) + " " + std::to_string(st.int64(0)) + ": a " + what
                    + " in the table that the journal never installed";
        }
        for (const auto& [v, seq] : journalled)
            if (!seen.count(v) && report.ok())
                report.first_difference = std::string(table) + " " + std::to_string(v) + ": installed in the journal (entry "
                    + std::to_string(seq) + ") but missing from the table";
        return {};
    };
    TRY(versions("catalogue_versions", "catalogue", p.catalogues));
    if (report.ok())
        TRY(versions("policies", "policy", p.policies));
    return report;
}

} // namespace nafitha::services
