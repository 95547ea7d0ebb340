#include "central/store/facts.h"

#include "central/store/rollup.h"
#include "central/store/store.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace nafitha::central {

namespace {

// Projection columns hold short names and references: NUL bytes (which PostgreSQL text cannot hold) are
// dropped and the value is cut at 200 bytes on a character boundary. The entry itself keeps every byte.
std::string clean(const std::string& s)
{
    std::string out;
    out.reserve(std::min<size_t>(s.size(), 200));
    for (char c : s)
        if (c != '\0')
            out.push_back(c);
    if (out.size() > 200) {
        size_t cut = 200;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
            --cut;
        out.resize(cut);
    }
    return out;
}

// The first string field among `keys` in the payload; empty when none.
std::string pick_string(const nlohmann::json& p, std::initializer_list<const char*> keys)
{
    for (auto k : keys) {
        auto it = p.find(k);
        if (it != p.end()) {
            if (it->is_string())
                return clean(it->get_ref<const std::string&>());
            if (it->is_number_integer())
                return std::to_string(it->get<int64_t>());
        }
    }
    return {};
}

std::optional<int64_t> pick_int(const nlohmann::json& p, std::initializer_list<const char*> keys)
{
    for (auto k : keys) {
        auto it = p.find(k);
        if (it != p.end() && it->is_number_integer())
            return it->get<int64_t>();
    }
    return std::nullopt;
}

} // namespace

bool is_decision_status(std::string_view status)
{
    return status == "approved" || status == "rejected" || status == "ready" || status == "delivered";
}

int32_t day_of_ms(int64_t unix_ms)
{
    time_t secs = static_cast<time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
    struct tm tm {};
    gmtime_r(&secs, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

BatchFacts project_batch(const std::vector<protocol::Entry>& entries, size_t first, const std::string& default_centre,
                         int64_t received_ms)
{
    BatchFacts f;
    std::map<std::string, size_t> new_application; // reference -> index in f.applications
    std::map<std::string, size_t> new_ticket;
    for (size_t i = first; i < entries.size(); ++i) {
        const auto& e = entries[i];
        const auto& p = e.payload;
        const std::string type = clean(e.type);
        int64_t time_ms = parse_time_ms(e.time).value_or(0);
        if (received_ms > 0)
            time_ms = std::min(time_ms, received_ms);
        ++f.day_counts[{day_of_ms(time_ms), type}];
        // The enrolled centre is authoritative; the payload's is a claim, kept on the application when it disagrees.
        const std::string& centre = default_centre;
        if (type == "application.submitted") {
            std::string ref = pick_string(p, {"reference"});
            if (ref.empty() || new_application.count(ref))
                continue; // a reference is submitted once per terminal; a repeat changes nothing (as before)
            ApplicationFact a;
            a.reference = ref;
            a.centre = centre;
            a.entity = pick_string(p, {"entity"});
            a.service_code = pick_string(p, {"service_code", "service"});
            a.channel = pick_string(p, {"channel"});
            a.fee_minor = pick_int(p, {"fee_minor", "fee", "amount_minor"});
            a.submitted_ms = time_ms;
            a.updated_ms = time_ms;
            a.category = pick_string(p, {"category"});
            a.exemption = pick_string(p, {"exemption"});
            a.waived_minor = std::max<int64_t>(0, pick_int(p, {"waived_minor"}).value_or(0));
            a.staff_id = pick_int(p, {"staff_id"});
            if (std::string claimed = pick_string(p, {"centre", "center"}); !claimed.empty() && claimed != centre)
                a.claimed_centre = claimed;
            f.history.push_back({e.seq, ref, "submitted", a.staff_id ? "staff:" + std::to_string(*a.staff_id) : "kiosk", time_ms});
            new_application[ref] = f.applications.size();
            f.applications.push_back(std::move(a));
        } else if (type == "application.status_changed") {
            std::string ref = pick_string(p, {"reference"});
            std::string status = pick_string(p, {"status", "new_status", "to"});
            if (ref.empty() || status.empty())
                continue;
            f.history.push_back({e.seq, ref, status, pick_string(p, {"actor"}), time_ms});
            bool decides = is_decision_status(status), readies = is_ready_status(status);
            if (auto it = new_application.find(ref); it != new_application.end()) {
                auto& a = f.applications[it->second];
                a.status = status;
                a.updated_ms = time_ms;
                if (decides && !a.decided_ms)
                    a.decided_ms = time_ms;
                if (readies && !a.ready_ms)
                    a.ready_ms = time_ms;
            } else {
                auto& s = f.statuses[ref];
                s.status = status;
                s.time_ms = time_ms;
                if (decides && !s.decided_ms)
                    s.decided_ms = time_ms;
                if (readies && !s.ready_ms)
                    s.ready_ms = time_ms;
            }
        } else if (type == "payment.recorded") {
            PaymentFact pay;
            pay.seq = e.seq;
            pay.reference = pick_string(p, {"reference"});
            pay.centre = centre;
            pay.method = pick_string(p, {"method"});
            pay.service_code = pick_string(p, {"service_code", "service"});
            pay.waived_minor = std::max<int64_t>(0, pick_int(p, {"waived_minor"}).value_or(0));
            pay.amount_minor = pick_int(p, {"amount_minor", "amount", "paid_minor"});
            pay.time_ms = time_ms;
            pay.application_in_batch = new_application.count(pay.reference) > 0;
            if (!pay.reference.empty() && pay.amount_minor) {
                if (auto it = new_application.find(pay.reference); it != new_application.end())
                    f.applications[it->second].paid_minor += *pay.amount_minor;
                else
                    f.paid[pay.reference] += *pay.amount_minor;
            }
            f.payments.push_back(std::move(pay));
        } else if (type == "payment.refunded") {
            // Money given back (a rejected application's fee): the application's collected amount is net of it.
            std::string ref = pick_string(p, {"reference"});
            auto amount = pick_int(p, {"amount_minor", "amount"});
            if (!ref.empty() && amount && *amount > 0) {
                if (auto it = new_application.find(ref); it != new_application.end())
                    f.applications[it->second].paid_minor -= *amount;
                else
                    f.paid[ref] -= *amount;
            }
        } else if (type.rfind("ticket.", 0) == 0) {
            std::string ticket = pick_string(p, {"ticket", "ticket_id", "number", "reference"});
            if (ticket.empty())
                continue;
            auto it = new_ticket.find(ticket);
            if (type == "ticket.issued") {
                if (it != new_ticket.end())
                    continue;
                new_ticket[ticket] = f.tickets.size();
                f.tickets.push_back({ticket, centre, pick_string(p, {"category", "service_code"}), time_ms, "issued", std::nullopt,
                                     std::nullopt, pick_string(p, {"entity"}), 0});
                continue;
            }
            bool called = type == "ticket.called" || type == "ticket.recalled";
            std::string status = called ? "called" : type.substr(7);
            if (it != new_ticket.end()) {
                auto& k = f.tickets[it->second];
                k.status = status;
                if (called && !k.called_ms)
                    k.called_ms = time_ms;
                if (!called)
                    k.served_ms = time_ms;
            } else {
                auto& c = f.ticket_changes[ticket];
                c.status = status;
                if (called && !c.called_ms)
                    c.called_ms = time_ms;
                if (!called)
                    c.done_ms = time_ms;
            }
        } else if (type == "survey.recorded") {
            SurveyFact sv;
            sv.seq = e.seq;
            sv.reference = pick_string(p, {"reference"});
            sv.centre = centre;
            sv.service_code = pick_string(p, {"service_code", "service"});
            sv.rating = pick_int(p, {"rating"});
            sv.time_ms = time_ms;
            // Reason codes the citizen tapped (no personal data): at most a few short known codes are kept.
            if (auto r = p.find("reasons"); r != p.end() && r->is_array() && r->size() <= 16) {
                std::vector<std::string> codes;
                for (const auto& c : *r)
                    if (c.is_string() && c.get_ref<const std::string&>().size() <= 32)
                        codes.push_back(c.get<std::string>());
                sv.reasons = rollup::stored_reasons(codes);
            }
            if (!sv.reference.empty()) {
                int64_t rating = sv.rating.value_or(0);
                bool rated = sv.rating && rating >= 1 && rating <= 5;
                if (auto it = new_application.find(sv.reference); it != new_application.end()) {
                    auto& a = f.applications[it->second];
                    ++a.surveys;
                    a.rating_sum += rated ? rating : 0;
                    a.ratings += rated ? 1 : 0;
                } else {
                    auto& t = f.surveyed[sv.reference];
                    ++t.surveys;
                    t.rating_sum += rated ? rating : 0;
                    t.ratings += rated ? 1 : 0;
                }
            }
            f.surveys.push_back(std::move(sv));
        }
    }
    return f;
}

namespace {

// The facts of one entry type from entries[first..]: each at the terminal's enrolled centre, at the entry's time (never
// later than central received it), the rest filled from the payload by `fill`.
template<typename Fact, typename Fill>
std::vector<Fact> facts_of_type(const std::vector<protocol::Entry>& entries, size_t first, std::string_view type,
                                const std::string& default_centre, int64_t received_ms, Fill fill)
{
    std::vector<Fact> out;
    for (size_t i = first; i < entries.size(); ++i) {
        const auto& e = entries[i];
        if (e.type != type)
            continue;
        Fact f;
        f.seq = e.seq;
        f.centre = default_centre;
        fill(e.payload, f);
        f.time_ms = parse_time_ms(e.time).value_or(0);
        if (received_ms > 0)
            f.time_ms = std::min(f.time_ms, received_ms);
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace

std::vector<AbandonedVisitFact> abandoned_visits(const std::vector<protocol::Entry>& entries, size_t first,
                                                 const std::string& default_centre, int64_t received_ms)
{
    return facts_of_type<AbandonedVisitFact>(entries, first, "visit.abandoned", default_centre, received_ms,
                                             [](const nlohmann::json& p, AbandonedVisitFact& v) {
        v.entity = pick_string(p, {"entity"});
        v.service_code = pick_string(p, {"service_code", "service"});
        v.category = pick_string(p, {"category"});
        v.channel = pick_string(p, {"channel"});
        if (v.channel.empty())
            v.channel = "kiosk";
        v.last_step = pick_string(p, {"last_step"});
        v.reason = pick_string(p, {"reason"});
    });
}

std::vector<ZReportFact> z_reports(const std::vector<protocol::Entry>& entries, size_t first, const std::string& default_centre,
                                   int64_t received_ms)
{
    return facts_of_type<ZReportFact>(entries, first, "drawer.z_report", default_centre, received_ms,
                                      [](const nlohmann::json& p, ZReportFact& z) {
        // Amounts within the terminal's own bounds (kMaxDrawerMinor is far below this); anything else counts as 0.
        auto amount = [&](const char* key) {
            int64_t v = pick_int(p, {key}).value_or(0);
            return v < -1'000'000'000'000'000 || v > 1'000'000'000'000'000 ? int64_t{0} : v;
        };
        z.declared_minor = amount("declared_minor");
        z.computed_minor = amount("computed_minor");
        z.difference_minor = pick_int(p, {"difference_minor"}) ? amount("difference_minor") : z.declared_minor - z.computed_minor;
        std::string day = pick_string(p, {"day"});
        int y = 0, m = 0, d = 0;
        char tail = 0;
        if (day.size() == 10 && day[4] == '-' && day[7] == '-' && std::sscanf(day.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3
            && y >= 2000 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
            int64_t n = rollup::days_from_civil(y, m, d);
            int cy = 0, cm = 0, cd = 0;
            rollup::civil_of_day(n, cy, cm, cd);
            if (cy == y && cm == m && cd == d)
                z.day = n;
        }
    });
}

} // namespace nafitha::central
