// The data behind the web application's pages (see web.h): indicators within the caller's scope, catalogue
// names, the back office's applications and decisions, the public transparency figures.

#include "central/front/web_internal.h"

#include "base/clock.h"
#include "base/utf8.h"
#include "central/csv.h"
#include "central/store/rollup.h"

#include <algorithm>
#include <map>
#include <set>

namespace nafitha::central::front::web {

namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

bool is_period(const std::string& d)
{
    return d == "day" || d == "week" || d == "month" || d == "quarter" || d == "year";
}

// The reasons an officer can give, by decision; the same codes as the counter's (kiosk/services/counter.cpp),
// named by the translations decision.reason.<code>. "*_other" needs the officer's words.
const std::vector<std::pair<std::string, std::string>>& reasons()
{
    static const std::vector<std::pair<std::string, std::string>> r = {
        {"approved", "documents_complete"},   {"approved", "verified_in_person"}, {"approved", "approved_other"},
        {"rejected", "documents_missing"},    {"rejected", "information_mismatch"}, {"rejected", "not_eligible"},
        {"rejected", "duplicate"},            {"rejected", "wrong_service"},      {"rejected", "rejected_other"}};
    return r;
}

struct Period {
    int64_t from_ms = 0, to_ms = 0;
};

// from/to (YYYY-MM-DD, to inclusive); the last `default_days` days up to today when absent.
Result<Period> period(const Request& req, int64_t default_days)
{
    Period p;
    int64_t now = clock::unix_ms();
    // Up to the end of today's local day (the rollup counts local days, Asia/Damascus unless a centre says
    // otherwise): between local and UTC midnight, the UTC date is still yesterday's.
    p.to_ms = (rollup::ZoneBook().local_day("", now) + 1) * 86'400'000;
    p.from_ms = p.to_ms - default_days * 86'400'000;
    if (auto from = param(req, "from"); from && !from->empty())
        p.from_ms = TRY(indicators::parse_day(*from, "from"));
    if (auto to = param(req, "to"); to && !to->empty())
        p.to_ms = TRY(indicators::parse_day(*to, "to")) + 86'400'000;
    if (p.to_ms <= p.from_ms)
        return Error::make("error.indicators.range", "from is after to", "from");
    return p;
}

std::vector<std::string> split(const std::string& list)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        auto comma = list.find(',', start);
        auto item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty())
            out.push_back(item);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

Response table(ojson rows, const std::string& format, const std::string& filename)
{
    if (format == "csv") {
        auto res = Response::text(200, to_csv(rows), "text/csv; charset=utf-8");
        res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + ".csv\"");
        return no_store(res);
    }
    Response res;
    res.body = rows.dump();
    return no_store(res);
}

// GET /api/indicators?from&to&by=DIM,DIM&f.DIM=VALUE...&format=json|csv. The caller's scope (an entity's users:
// entity = theirs; a centre's: centre = theirs) and the f.* filters are applied on the server: each constrained
// dimension is added to the grouping, rows of other values are dropped, and the added columns are removed, so
// that every figure (percentiles included) is computed over the scope alone.
Route indicators_route(const std::shared_ptr<State>& s)
{
    Route r = signed_in_route(s, "GET", "/api/indicators", false, [s](Request& req, const Caller& signed_in) {
        const WebUser& who = signed_in.user;
        auto p = period(req, 366);
        if (!p.ok())
            return refuse(*s, req, 400, p.error().code, p.error().detail);
        indicators::Query q;
        q.now_ms = clock::unix_ms();
        q.from_ms = p.value().from_ms;
        q.to_ms = p.value().to_ms;
        auto by = param(req, "by").value_or("");
        if (by.size() > 200)
            return refuse(*s, req, 400, "error.indicators.dimension", "by is too long");
        q.by = split(by);
        std::vector<std::pair<std::string, std::string>> constraints;
        for (const auto& d : indicators::dimension_names()) {
            if (is_period(d))
                continue;
            if (auto v = param(req, "f." + d); v && !v->empty()) {
                if (v->size() > 100)
                    return refuse(*s, req, 400, "error.indicators.dimension", "a filter value is too long");
                constraints.push_back({d, *v});
            }
        }
        if (who.role == "entity")
            constraints.push_back({"entity", who.entity});
        else if (who.role == "centre")
            constraints.push_back({"centre", who.centre});
        std::set<std::string> added;
        for (const auto& [d, v] : constraints)
            if (std::find(q.by.begin(), q.by.end(), d) == q.by.end()) {
                q.by.push_back(d);
                added.insert(d);
            }
        std::string format = param(req, "format").value_or("json");
        if (format != "json" && format != "csv")
            return refuse(*s, req, 400, "error.indicators.format", "format must be json or csv");
        auto rows = indicators::compute(s->ctx.store, s->definitions, q);
        if (!rows.ok()) {
            if (rows.error().code.rfind("error.indicators.", 0) == 0)
                return refuse(*s, req, 400, rows.error().code, rows.error().detail);
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", rows.error().to_string());
        }
        ojson out = ojson::array();
        for (auto& row : rows.value()) {
            bool keep = true;
            for (const auto& [d, v] : constraints)
                if (!row.contains(d) || !row[d].is_string() || row[d].get<std::string>() != v)
                    keep = false;
            if (!keep)
                continue;
            for (const auto& d : added)
                row.erase(d);
            out.push_back(std::move(row));
        }
        return table(std::move(out), format, "indicators");
    });
    return r;
}

Route definitions_route(const std::shared_ptr<State>& s)
{
    Route r = signed_in_route(s, "GET", "/api/definitions", false, [s](Request&, const Caller&) {
        json out = json::array();
        for (const auto& d : s->definitions) {
            json j = {{"id", d.id}, {"unit", d.unit}, {"direction", d.direction}};
            if (d.target)
                j["target"] = *d.target;
            out.push_back(j);
        }
        json reasons_json = json::array();
        for (const auto& [decision, code] : reasons())
            reasons_json.push_back({{"decision", decision}, {"code", code}, {"needs_note", code.ends_with("_other")}});
        return no_store(Response::json(200, {{"indicators", out}, {"reasons", reasons_json}}));
    });
    return r;
}

// GET /api/terminals?format=json|csv: each terminal's state now (indicators::terminal_state: online and idle,
// online and sending, offline, out of service, never heard of), from its last exchange and its latest signed health
// report, with the report's pending count and out-of-service reasons. A centre's users see their centre's terminals;
// an entity's none (a terminal serves every entity: its state is the centres' and the ministry's business).
Route terminals_route(const std::shared_ptr<State>& s)
{
    Route r = signed_in_route(s, "GET", "/api/terminals", false, [s](Request& req, const Caller& signed_in) {
        const WebUser& who = signed_in.user;
        if (who.role == "entity")
            return refuse(*s, req, 403, "error.web.forbidden", "terminals' states are read by the ministry and centres");
        std::string format = param(req, "format").value_or("json");
        if (format != "json" && format != "csv")
            return refuse(*s, req, 400, "error.indicators.format", "format must be json or csv");
        auto list = s->ctx.store.terminals();
        if (!list.ok())
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", list.error().to_string());
        auto reports = s->ctx.store.latest_health();
        if (!reports.ok())
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", reports.error().to_string());
        std::map<std::string, HealthSample> latest;
        for (auto& h : reports.value())
            latest[h.terminal_id] = std::move(h);
        const int64_t now = clock::unix_ms();
        ojson out = ojson::array();
        for (const auto& t : list.value()) {
            if (t.status != "active" || (who.role == "centre" && t.centre != who.centre))
                continue;
            auto it = latest.find(t.id);
            const HealthSample* h = it == latest.end() ? nullptr : &it->second;
            ojson row = {{"terminal", t.id}, {"centre", t.centre}, {"name", t.name},
                         {"state", indicators::terminal_state(t, h, now)}};
            int64_t last = std::max(t.last_ingest_ms, h ? h->received_ms : 0);
            row["last_exchange"] = last > 0 ? ojson(clock::iso8601_utc(last)) : ojson(nullptr);
            auto doc = h ? json::parse(h->document, nullptr, false) : json();
            row["pending"] = doc.is_object() && doc.contains("pending") && doc["pending"].is_number_integer() ? ojson(doc["pending"].get<int64_t>())
                                                                                                                : ojson(nullptr);
            std::string why;
            if (doc.is_object() && doc.contains("reasons") && doc["reasons"].is_array())
                for (const auto& reason : doc["reasons"])
                    if (reason.is_string() && reason.get<std::string>().size() <= 64)
                        why += (why.empty() ? "" : " ") + reason.get<std::string>();
            row["reasons"] = why;
            out.push_back(std::move(row));
        }
        return table(std::move(out), format, "terminals");
    });
    return r;
}

// The latest catalogue, or null.
Result<json> catalogue(State& s)
{
    auto rec = TRY(s.ctx.store.latest_catalogue());
    if (!rec)
        return json();
    auto doc = json::parse(rec->document, nullptr, false);
    if (doc.is_discarded())
        return Error::make("error.central.catalogue", "the stored catalogue does not parse");
    return doc;
}

// GET /api/names: the names (ar, en) of governorates, districts, centres, entities and services, and each
// district's governorate, each centre's district, each service's entity and published processing days. Public
// (the public page names the services too).
Route names_route(const std::shared_ptr<State>& s)
{
    Route r;
    r.method = "GET";
    r.path = "/api/names";
    r.handler = [s](Request& req) {
        auto doc = catalogue(*s);
        if (!doc.ok())
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", doc.error().to_string());
        json out = {{"governorates", json::object()}, {"districts", json::object()}, {"centres", json::object()},
                    {"entities", json::object()},     {"services", json::object()}};
        const json& d = doc.value();
        if (d.is_object()) {
            for (const char* kind : {"governorates", "districts", "centres", "entities", "services"}) {
                if (!d.contains(kind) || !d[kind].is_array())
                    continue;
                for (const auto& item : d[kind]) {
                    if (!item.is_object() || !item.contains("code") || !item["code"].is_string())
                        continue;
                    json e = {{"name", item.value("name", json::object())}};
                    for (const char* link : {"governorate", "district", "entity", "category"})
                        if (item.contains(link))
                            e[link] = item[link];
                    if (item.contains("processing_days"))
                        e["processing_days"] = item["processing_days"];
                    out[kind][item["code"].get<std::string>()] = e;
                }
            }
        }
        Response res = Response::json(200, out);
        res.headers.emplace_back("Cache-Control", "no-cache");
        return res;
    };
    return r;
}

json app_json(const ApplicationRow& a)
{
    json j = {{"terminal", a.terminal_id}, {"reference", a.reference}, {"centre", a.centre}, {"entity", a.entity},
              {"service", a.service_code}, {"category", a.category}, {"channel", a.channel}, {"status", a.status},
              {"exemption", a.exemption}, {"paid_minor", a.paid_minor}, {"waived_minor", a.waived_minor},
              {"submitted", clock::iso8601_utc(a.submitted_ms)}, {"updated", clock::iso8601_utc(a.updated_ms)}};
    j["fee_minor"] = a.fee_minor ? json(*a.fee_minor) : json();
    j["decided"] = a.decided_ms ? json(clock::iso8601_utc(*a.decided_ms)) : json();
    j["ready"] = a.ready_ms ? json(clock::iso8601_utc(*a.ready_ms)) : json();
    j["staff_id"] = a.staff_id ? json(*a.staff_id) : json();
    if (!a.claimed_centre.empty())
        j["claimed_centre"] = a.claimed_centre;
    return j;
}

// Whether `who` may see this application (entity: its entity's; centre: its centre's; the ministry reads no
// single application).
bool may_see(const WebUser& who, const ApplicationRow& a)
{
    return (who.role == "entity" && a.entity == who.entity) || (who.role == "centre" && a.centre == who.centre);
}

Route applications_route(const std::shared_ptr<State>& s)
{
    Route r = signed_in_route(s, "GET", "/api/applications", false, [s](Request& req, const Caller& signed_in) {
        const WebUser& who = signed_in.user;
        if (who.role != "entity" && who.role != "centre")
            return refuse(*s, req, 403, "error.web.forbidden", "applications are read by entity and centre users only");
        ApplicationFilter f;
        f.entity = who.role == "entity" ? who.entity : "";
        f.centre = who.role == "centre" ? who.centre : "";
        f.status = param(req, "status").value_or("open");
        static const std::set<std::string> statuses = {"", "open", "submitted", "paid", "in_review", "approved", "rejected", "ready", "delivered"};
        if (!statuses.count(f.status))
            return refuse(*s, req, 400, "error.web.bad_request", "unknown status");
        f.reference = param(req, "reference").value_or("");
        if (f.reference.size() > 40)
            return refuse(*s, req, 400, "error.web.bad_request", "reference too long");
        f.limit = 200;
        auto rows = s->store.applications(f);
        if (!rows.ok())
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", rows.error().to_string());
        if (!audit(*s, req, who.name, "applications.list", "status=" + f.status + (f.reference.empty() ? "" : " reference=" + f.reference)))
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", "audit");
        ojson out = ojson::array();
        for (const auto& a : rows.value())
            out.push_back(ojson::parse(app_json(a).dump()));
        return table(std::move(out), param(req, "format").value_or("json") == "csv" ? "csv" : "json", "applications");
    });
    return r;
}

Route application_route(const std::shared_ptr<State>& s)
{
    Route r = signed_in_route(s, "GET", "/api/application", false, [s](Request& req, const Caller& signed_in) {
        const WebUser& who = signed_in.user;
        std::string terminal = param(req, "terminal").value_or(""), reference = param(req, "reference").value_or("");
        if (terminal.empty() || reference.empty() || terminal.size() > 80 || reference.size() > 40)
            return refuse(*s, req, 400, "error.web.bad_request", "terminal and reference are required");
        auto app = s->store.application(terminal, reference);
        if (!app.ok())
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", app.error().to_string());
        // Another entity's application is answered as an unknown one (no probing), and the attempt is audited.
        if (!app.value() || !may_see(who, *app.value())) {
            audit(*s, req, who.name, "application.refused", terminal + "/" + reference);
            return refuse(*s, req, 404, "error.web.no_application", "no such application", who.name + " asked for " + terminal + "/" + reference);
        }
        auto history = s->ctx.store.application_history(terminal, reference);
        if (!history.ok())
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", history.error().to_string());
        if (!audit(*s, req, who.name, "application.read", terminal + "/" + reference))
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", "audit");
        json out = app_json(*app.value());
        json h = json::array();
        for (const auto& row : history.value())
            h.push_back({{"status", row.status}, {"actor", row.actor}, {"time", clock::iso8601_utc(row.time_ms)},
                         {"received", clock::iso8601_utc(row.received_ms)}});
        out["history"] = h;
        return no_store(Response::json(200, out));
    });
    return r;
}

// POST /api/decide {terminal, reference, status: approved|rejected|ready, reason, note}: an entity officer's
// decision on one of their entity's applications, recorded through central's decision path (Store::add_decision,
// as `nafitha-central application decide`): the terminal receives it, signed, at its next poll, and the citizen's
// tracking shows the reason (its code is in the signed decision) and the officer's words (the decision's note).
Route decide_route(const std::shared_ptr<State>& s)
{
    Route r = signed_in_route(s, "POST", "/api/decide", true, [s](Request& req, const Caller& signed_in) {
        const WebUser& who = signed_in.user;
        if (who.role != "entity")
            return refuse(*s, req, 403, "error.web.forbidden", "decisions are taken by the entity's officers");
        auto body = json_object(req);
        if (!body)
            return refuse(*s, req, 400, "error.web.bad_request", "a JSON object is expected");
        std::string terminal = text_field(*body, "terminal"), reference = text_field(*body, "reference"),
                    status = text_field(*body, "status"), reason = text_field(*body, "reason"), note = text_field(*body, "note");
        if (terminal.empty() || reference.empty() || terminal.size() > 80 || reference.size() > 40)
            return refuse(*s, req, 400, "error.web.bad_request", "terminal and reference are required");
        if (status != "approved" && status != "rejected" && status != "ready")
            return refuse(*s, req, 400, "error.web.bad_status", "status must be approved, rejected or ready");
        if (!utf8::is_valid(note) || utf8::length(note) > 500)
            return refuse(*s, req, 400, "error.web.note_long", "the note has at most 500 characters");
        bool known = status == "ready" && reason.empty();
        bool needs_note = false;
        for (const auto& [decision, code] : reasons())
            if (decision == status && code == reason) {
                known = true;
                needs_note = code.ends_with("_other");
            }
        if (!known)
            return refuse(*s, req, 400, status == "ready" ? "error.web.bad_request" : "error.decision.reason_required",
                          "choose a reason for this decision");
        std::string words = note;
        while (!words.empty() && (words.back() == ' ' || words.back() == '\n'))
            words.pop_back();
        if (needs_note && utf8::length(words) < 3)
            return refuse(*s, req, 400, "error.decision.note_required", "this reason needs the officer's words");
        auto app = s->store.application(terminal, reference);
        if (!app.ok())
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", app.error().to_string());
        if (!app.value() || !may_see(who, *app.value())) {
            audit(*s, req, who.name, "decide.refused", terminal + "/" + reference);
            return refuse(*s, req, 404, "error.web.no_application", "no such application", who.name + " tried to decide " + terminal + "/" + reference);
        }
        const std::string& from = app.value()->status;
        bool allowed = (status == "ready") ? (from == "approved") : (from == "submitted" || from == "paid" || from == "in_review");
        if (!allowed)
            return refuse(*s, req, 409, "error.web.bad_transition", "this application is " + from + ": it cannot become " + status);
        // The reason travels as its code in the signed decision (the citizen's tracking names it in their language);
        // the note is the officer's own words.
        const std::string& central_note = words;
        if (!audit(*s, req, who.name, "decide", terminal + "/" + reference + " " + status + (reason.empty() ? "" : " " + reason)))
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", "audit");
        auto cursor = s->ctx.store.add_decision(reference, status, central_note, clock::unix_ms(), terminal, reason);
        if (!cursor.ok())
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", cursor.error().to_string());
        return no_store(Response::json(200, {{"cursor", cursor.value()}, {"status", status}, {"note", central_note}}));
    });
    r.max_body_bytes = 8192;
    return r;
}

// The public transparency figures per service over the period (default: the last 365 days): applications, the
// median time from submission to decision, the share decided within the service's published processing time
// (processing_days days; 0 days counts as one day), and satisfaction (average rating 1..5, and how many ratings).
Result<ojson> public_rows(State& s, const Request& req)
{
    auto p = TRY(period(req, 365));
    MeasureQuery mq;
    mq.from_ms = p.from_ms;
    mq.to_ms = p.to_ms;
    mq.group_by = {"service"};
    auto rows = TRY(s.ctx.store.measures(mq));
    auto doc = TRY(catalogue(s));
    std::map<std::string, std::pair<json, int64_t>> services; // code -> (name, processing_days)
    if (doc.is_object() && doc.contains("services") && doc["services"].is_array())
        for (const auto& svc : doc["services"])
            if (svc.is_object() && svc.contains("code") && svc["code"].is_string())
                services[svc["code"].get<std::string>()] = {svc.value("name", json::object()), svc.value("processing_days", int64_t{0})};
    std::sort(rows.begin(), rows.end(), [](const MeasureRow& a, const MeasureRow& b) { return a.keys < b.keys; });
    ojson out = ojson::array();
    for (const auto& row : rows) {
        const std::string& code = row.keys.empty() ? std::string() : row.keys[0];
        auto found = services.find(code);
        ojson o;
        o["service"] = code;
        o["name_ar"] = found != services.end() ? found->second.first.value("ar", code) : code;
        o["name_en"] = found != services.end() ? found->second.first.value("en", code) : code;
        int64_t days = found != services.end() ? found->second.second : 0;
        o["published_days"] = days;
        o["applications"] = row.applications;
        // Durations come from the rollup's histograms (central/store/rollup.h): the median is the nearest-rank
        // bucket's value (within ~4.5 %), and a bucket counts as within the published time when its value is.
        // (rollup::count_within: the same rule as the indicator decided_within_published_share.)
        int64_t decided = 0;
        for (int64_t n : row.decision_hist)
            decided += n;
        int64_t within = rollup::count_within(row.decision_hist, rollup::published_limit_ms(days));
        o["decided"] = decided;
        auto median = rollup::hist_percentile(row.decision_hist, 50);
        o["median_decision_hours"] = median ? ojson(std::round(static_cast<double>(*median) / 36'000.0) / 100.0) : ojson();
        if (decided > 0)
            o["within_published_share"] = std::round(1000.0 * static_cast<double>(within) / static_cast<double>(decided)) / 1000.0;
        else
            o["within_published_share"] = nullptr;
        o["satisfaction_average"] = row.rating_count > 0
            ? ojson(std::round(100.0 * static_cast<double>(row.rating_sum) / static_cast<double>(row.rating_count)) / 100.0)
            : ojson();
        o["ratings"] = row.rating_count;
        out.push_back(std::move(o));
    }
    return out;
}

Route public_route(const std::shared_ptr<State>& s, const std::string& path, const std::string& format)
{
    Route r;
    r.method = "GET";
    r.path = path;
    r.handler = [s, format](Request& req) {
        auto rows = public_rows(*s, req);
        if (!rows.ok()) {
            if (rows.error().code.rfind("error.indicators.", 0) == 0)
                return refuse(*s, req, 400, rows.error().code, rows.error().detail);
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", rows.error().to_string());
        }
        auto res = table(std::move(rows.value()), format, "nafitha-open-data");
        // Open data: anyone may fetch it, from anywhere.
        res.headers.emplace_back("Access-Control-Allow-Origin", "*");
        return res;
    };
    return r;
}

} // namespace

void add_api_routes(Listener& listener, const std::shared_ptr<State>& state)
{
    listener.add_route(indicators_route(state));
    listener.add_route(definitions_route(state));
    listener.add_route(terminals_route(state));
    listener.add_route(names_route(state));
    listener.add_route(applications_route(state));
    listener.add_route(application_route(state));
    listener.add_route(decide_route(state));
    listener.add_route(public_route(state, "/api/public", "json"));
    listener.add_route(public_route(state, "/public.csv", "csv"));
}

} // namespace nafitha::central::front::web
