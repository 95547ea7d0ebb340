#include "central/indicators.h"

#include "base/paths.h"
#include "central/store/rollup.h"
#include "locale/locale.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

namespace nafitha::central::indicators {

namespace {

constexpr int64_t kDayMs = 86'400'000;

const std::set<std::string> kPeriods = {"day", "week", "month", "quarter", "year"};
const std::set<std::string> kUnits = {"count", "share", "minor", "ms", "rating", "minutes", "days"};
const std::set<std::string> kHealthMeasures = {"open_minutes", "available_minutes", "out_of_service_minutes", "days_since_last_sync"};
const std::set<std::string> kDirections = {"up", "down", "none"};

// The value of a plain measure of a row.
std::optional<double> measure(const std::string& name, const MeasureRow& r, int64_t now_ms, const HealthMeasures* h, const RowExtras& x)
{
    if (name == "visits_abandoned") return double(x.abandoned);
    if (name == "visits_started") return double(r.applications + x.abandoned);
    if (name == "z_reports" || name == "z_reports_with_difference" || name == "cash_difference_minor" || name == "cash_difference_abs_minor") {
        if (!x.z)
            return std::nullopt;
        if (name == "z_reports") return double(x.z->reports);
        if (name == "z_reports_with_difference") return double(x.z->with_difference);
        if (x.z->reports == 0)
            return std::nullopt; // no drawer closed: no difference known
        return double(name == "cash_difference_minor" ? x.z->difference_minor : x.z->abs_difference_minor);
    }
    if (name == "cost_minor") return x.cost_minor ? std::optional<double>(double(*x.cost_minor)) : std::nullopt;
    if (name == "cost_transactions") return x.cost_minor ? std::optional<double>(double(x.cost_transactions)) : std::nullopt;
    if (kHealthMeasures.count(name)) {
        if (!h)
            return std::nullopt;
        if (name == "open_minutes") return double(h->open_ms / 60'000);
        if (name == "available_minutes") return double(h->available_ms / 60'000);
        if (name == "out_of_service_minutes") return double(h->out_of_service_ms / 60'000);
        return h->days_since_last_sync ? std::optional<double>(double(*h->days_since_last_sync)) : std::nullopt;
    }
    if (name == "applications") return double(r.applications);
    if (name == "applications_kiosk") return double(r.kiosk);
    if (name == "applications_counter") return double(r.counter);
    if (name == "fees_due_minor") return double(r.fees_due_minor);
    if (name == "fees_collected_minor") return double(r.fees_collected_minor);
    if (name == "fees_exempted_minor") return double(r.fees_exempted_minor);
    if (name == "applications_exempted") return double(r.exempted);
    if (name == "decided") return double(r.decided);
    if (name == "ready") return double(r.ready);
    if (name == "backlog") return double(r.open);
    if (name == "backlog_oldest_age_ms") {
        if (!r.oldest_open_ms)
            return std::nullopt;
        return double(std::max<int64_t>(0, now_ms - *r.oldest_open_ms));
    }
    if (name == "surveyed") return double(r.surveyed);
    if (name == "rating_sum") return double(r.rating_sum);
    if (name == "ratings") return double(r.rating_count);
    if (name == "centre_flagged") return double(r.centre_flagged);
    if (name == "decided_within_published") return double(r.decided_within);
    if (name.size() == 9 && name.rfind("ratings_", 0) == 0 && name[8] >= '1' && name[8] <= '5') {
        size_t v = static_cast<size_t>(name[8] - '0');
        return double(v < r.rating_hist.size() ? r.rating_hist[v] : 0);
    }
    if (name.rfind("reason_", 0) == 0) {
        const auto& codes = rollup::survey_reason_codes();
        for (size_t i = 0; i < codes.size(); ++i)
            if (name == "reason_" + codes[i])
                return double(i < r.reason_hist.size() ? r.reason_hist[i] : 0);
    }
    if (name == "tickets") return double(r.tickets);
    if (name == "tickets_called") return double(r.tickets_called);
    if (name == "tickets_no_show") return double(r.tickets_no_show);
    if (name == "tickets_served") return double(r.tickets_served);
    return std::nullopt;
}

// pNN(list): the percentile and the list's name; nullopt when `text` is not of that form.
std::optional<std::pair<int, std::string>> parse_percentile(const std::string& text)
{
    if (text.size() < 6 || text[0] != 'p' || text.back() != ')')
        return std::nullopt;
    auto open = text.find('(');
    if (open == std::string::npos || open < 2 || open > 3)
        return std::nullopt;
    int p = 0;
    for (size_t i = 1; i < open; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return std::nullopt;
        p = p * 10 + (text[i] - '0');
    }
    std::string list = text.substr(open + 1, text.size() - open - 2);
    if (p < 1 || p > 99 || (list != "decision_ms" && list != "ready_ms" && list != "wait_ms"))
        return std::nullopt;
    return std::make_pair(p, list);
}

// Whether a term is one of the queue's (tickets have fewer dimensions than applications: rollup::tickets_apply).
bool queue_term(const std::string& text)
{
    auto pct = parse_percentile(text);
    return pct ? pct->second == "wait_ms" : text.rfind("tickets", 0) == 0;
}

bool known_term(const std::string& text)
{
    const auto& names = measure_names();
    return std::find(names.begin(), names.end(), text) != names.end() || parse_percentile(text).has_value();
}

using rollup::days_from_civil;

void civil(int64_t day, int& y, int& m, int& d) { rollup::civil_of_day(day, y, m, d); }

} // namespace

const std::vector<std::string>& measure_names()
{
    static const std::vector<std::string> names = {
        "applications",   "applications_kiosk", "applications_counter", "fees_due_minor", "fees_collected_minor",
        "fees_exempted_minor", "applications_exempted", "decided", "ready", "backlog", "backlog_oldest_age_ms",
        "surveyed",       "rating_sum",         "ratings",              "centre_flagged", "decided_within_published",
        "open_minutes",   "available_minutes",  "out_of_service_minutes", "days_since_last_sync",
        "tickets",        "tickets_called",     "tickets_no_show",      "tickets_served",
        "ratings_1",      "ratings_2",          "ratings_3",            "ratings_4",      "ratings_5",
        "visits_abandoned", "visits_started",
        "z_reports",      "z_reports_with_difference", "cash_difference_minor", "cash_difference_abs_minor",
        "cost_minor",     "cost_transactions",
    };
    static const std::vector<std::string> all = [] {
        auto out = names;
        for (const auto& code : rollup::survey_reason_codes())
            out.push_back("reason_" + code); // surveys that named the reason
        return out;
    }();
    return all;
}

const std::vector<std::string>& dimension_names()
{
    static const std::vector<std::string> names = {"day",      "week",    "month",    "quarter", "year",     "entity", "service",
                                                   "category", "governorate", "district", "centre", "terminal", "channel"};
    return names;
}

Result<std::vector<Definition>> parse_definitions(const nlohmann::json& doc)
{
    auto bad = [](const std::string& detail) { return Error::make("error.indicators.definitions", detail); };
    if (!doc.is_object() || doc.value("format", "") != "nafitha.indicators/1" || !doc.contains("indicators")
        || !doc["indicators"].is_array())
        return bad("not a nafitha.indicators/1 document with an \"indicators\" array");
    if (doc["indicators"].size() > 500)
        return bad("more than 500 indicators");
    std::vector<Definition> out;
    std::set<std::string> ids;
    for (const auto& j : doc["indicators"]) {
        if (!j.is_object())
            return bad("an indicator is not an object");
        Definition d;
        auto str = [&](const char* key) {
            auto it = j.find(key);
            return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        d.id = str("id");
        d.numerator = str("numerator");
        d.denominator = str("denominator");
        d.unit = str("unit");
        d.direction = str("direction");
        bool id_ok = !d.id.empty() && d.id.size() <= 64
                     && std::all_of(d.id.begin(), d.id.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
        if (!id_ok)
            return bad("an indicator id must be 1 to 64 of a-z, 0-9 and _: '" + d.id + "'");
        if (!ids.insert(d.id).second)
            return bad("indicator " + d.id + " is defined twice");
        const auto& dims = dimension_names();
        if (std::find(dims.begin(), dims.end(), d.id) != dims.end())
            return bad("indicator " + d.id + " has the name of a dimension");
        if (!known_term(d.numerator))
            return bad("indicator " + d.id + ": unknown numerator '" + d.numerator + "'");
        if (!d.denominator.empty() && (!known_term(d.denominator) || parse_percentile(d.denominator)))
            return bad("indicator " + d.id + ": unknown denominator '" + d.denominator + "'");
        if (!kUnits.count(d.unit))
            return bad("indicator " + d.id + ": unit must be count, share, minor, ms, rating, minutes or days");
        if (!kDirections.count(d.direction))
            return bad("indicator " + d.id + ": direction must be up, down or none");
        if (auto t = j.find("target"); t != j.end() && !t->is_null()) {
            if (!t->is_number())
                return bad("indicator " + d.id + ": target must be a number");
            d.target = t->get<double>();
        }
        out.push_back(std::move(d));
    }
    return out;
}

Result<std::vector<Definition>> builtin_definitions()
{
    auto file = paths::assets_dir() / "indicators" / "builtin.json";
    std::ifstream in(file);
    if (!in)
        return Error::make("error.indicators.definitions", "cannot read " + file.string());
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded())
        return Error::make("error.indicators.definitions", file.string() + " is not JSON");
    return parse_definitions(doc);
}

Result<int64_t> parse_day(const std::string& text, const std::string& field)
{
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || text[4] != '-' || text[7] != '-'
        || y < 2000 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
        return Error::make("error.indicators.date", "'" + text + "' is not a date YYYY-MM-DD", field);
    int64_t day = days_from_civil(y, m, d);
    int cy = 0, cm = 0, cd = 0;
    civil(day, cy, cm, cd);
    if (cy != y || cm != m || cd != d)
        return Error::make("error.indicators.date", "'" + text + "' is not a day of the calendar", field);
    return day * kDayMs;
}

std::string period_label(const std::string& period, int64_t day)
{
    int y = 0, m = 0, d = 0;
    civil(day, y, m, d);
    char buf[32];
    if (period == "day")
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    else if (period == "month")
        std::snprintf(buf, sizeof buf, "%04d-%02d", y, m);
    else if (period == "quarter")
        std::snprintf(buf, sizeof buf, "%04d-Q%d", y, (m - 1) / 3 + 1);
    else if (period == "year")
        std::snprintf(buf, sizeof buf, "%04d", y);
    else { // ISO 8601 week: the week of the Thursday of this day's Monday-to-Sunday week
        int64_t monday_based = ((day + 3) % 7 + 7) % 7; // 1970-01-01 was a Thursday: Monday = 0
        int64_t thursday = day - monday_based + 3;
        int ty = 0, tm = 0, td = 0;
        civil(thursday, ty, tm, td);
        int64_t week = (thursday - days_from_civil(ty, 1, 1)) / 7 + 1;
        std::snprintf(buf, sizeof buf, "%04d-W%02d", ty, static_cast<int>(week));
    }
    return buf;
}

std::optional<int64_t> percentile(std::vector<int64_t> values, int p)
{
    if (values.empty())
        return std::nullopt;
    auto rank = static_cast<size_t>(rollup::nearest_rank(p, static_cast<int64_t>(values.size())));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank - 1), values.end());
    return values[rank - 1];
}

std::optional<double> evaluate(const Definition& def, const MeasureRow& row, int64_t now_ms, const HealthMeasures* health,
                               const RowExtras& extras)
{
    auto term = [&](const std::string& t) -> std::optional<double> {
        if (auto pct = parse_percentile(t)) {
            const auto& hist = pct->second == "decision_ms" ? row.decision_hist : pct->second == "ready_ms" ? row.ready_hist : row.wait_hist;
            auto v = rollup::hist_percentile(hist, pct->first);
            return v ? std::optional<double>(double(*v)) : std::nullopt;
        }
        return measure(t, row, now_ms, health, extras);
    };
    auto num = term(def.numerator);
    if (!num || def.denominator.empty())
        return num;
    auto den = term(def.denominator);
    if (!den || *den == 0)
        return std::nullopt;
    return *num / *den;
}

namespace {

// Opening hours of a centre (minutes after local midnight; days from Sunday = 0).
struct Hours {
    int open_min = 8 * 60, close_min = 15 * 60;
    std::array<bool, 7> days{true, true, true, true, true, false, false};
};

struct Place {
    std::string district, governorate;
    std::string zone;           // IANA name; empty: the catalogue's
    std::optional<Hours> hours; // nullopt: the catalogue's
};

struct Places {
    std::map<std::string, Place> centres;
    std::string zone = "Asia/Damascus";
    Hours hours;
    std::map<std::string, int64_t> published_ms; // each service's published processing time (rollup::published_limits)
};

// "HH:MM" as minutes after midnight (24:00 allowed as a closing time).
std::optional<int> parse_clock(const nlohmann::json& j)
{
    if (!j.is_string())
        return std::nullopt;
    auto t = j.get<std::string>();
    if (t.size() != 5 || t[2] != ':' || !std::isdigit(static_cast<unsigned char>(t[0])) || !std::isdigit(static_cast<unsigned char>(t[1]))
        || !std::isdigit(static_cast<unsigned char>(t[3])) || !std::isdigit(static_cast<unsigned char>(t[4])))
        return std::nullopt;
    int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return std::nullopt;
    return h * 60 + m;
}

// {"days": ["sun", ...], "open": "HH:MM", "close": "HH:MM"}; nullopt when absent or not of that form.
std::optional<Hours> parse_hours(const nlohmann::json& doc)
{
    auto it = doc.find("opening_hours");
    if (it == doc.end() || !it->is_object())
        return std::nullopt;
    static const char* const names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    Hours h;
    auto open = it->contains("open") ? parse_clock((*it)["open"]) : std::nullopt;
    auto close = it->contains("close") ? parse_clock((*it)["close"]) : std::nullopt;
    if (!open || !close || *close <= *open)
        return std::nullopt;
    h.open_min = *open;
    h.close_min = *close;
    auto days = it->find("days");
    if (days == it->end() || !days->is_array())
        return std::nullopt;
    h.days.fill(false);
    for (const auto& d : *days) {
        auto n = std::find_if(std::begin(names), std::end(names), [&](const char* x) { return d.is_string() && d.get<std::string>() == x; });
        if (n == std::end(names))
            return std::nullopt;
        h.days[static_cast<size_t>(n - std::begin(names))] = true;
    }
    return h;
}

// The organisation hierarchy of the latest catalogue: each centre's district and governorate ("districts":
// [{code, governorate, name}], "centres": [{code, district, ...}]), and its zone and opening hours. Centres it does
// not place stay empty (the catalogue's zone and hours). With each service's published processing time.
Result<Places> places(Store& store)
{
    Places out;
    auto cat = TRY(store.latest_catalogue());
    if (!cat)
        return out;
    auto doc = nlohmann::json::parse(cat->document, nullptr, false);
    if (!doc.is_object())
        return out;
    auto text = [](const nlohmann::json& j, const char* key) {
        auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (auto z = text(doc, "time_zone"); !z.empty())
        out.zone = z;
    if (auto h = parse_hours(doc))
        out.hours = *h;
    std::map<std::string, std::string> governorate_of;
    if (auto d = doc.find("districts"); d != doc.end() && d->is_array())
        for (const auto& j : *d)
            if (j.is_object())
                governorate_of[text(j, "code")] = text(j, "governorate");
    if (auto c = doc.find("centres"); c != doc.end() && c->is_array())
        for (const auto& j : *c)
            if (j.is_object()) {
                std::string district = text(j, "district");
                out.centres[text(j, "code")] = {district, district.empty() ? std::string() : governorate_of[district],
                                                text(j, "time_zone"), parse_hours(j)};
            }
    out.published_ms = rollup::published_limits(doc);
    return out;
}

// The dimensions that define the terminals' measures.
bool health_grouping(const std::vector<std::string>& by)
{
    return std::all_of(by.begin(), by.end(), [](const std::string& d) {
        return kPeriods.count(d) || d == "terminal" || d == "centre" || d == "governorate" || d == "district";
    });
}

int64_t day_number(const locale::Date& d) { return days_from_civil(d.year, d.month, d.day); }

// Length of the overlap of [a, b) with the intervals (sorted, disjoint).
int64_t overlap(const std::vector<std::pair<int64_t, int64_t>>& intervals, int64_t a, int64_t b)
{
    int64_t sum = 0;
    for (const auto& [s, e] : intervals) {
        int64_t lo = std::max(s, a), hi = std::min(e, b);
        if (hi > lo)
            sum += hi - lo;
    }
    return sum;
}

// The terminals' measures (HealthMeasures) keyed by the values of `by` (a health grouping).
Result<std::map<std::vector<std::string>, HealthMeasures>> health_rows(Store& store, const Query& query, const std::string& period,
                                                                       const Places& where)
{
    std::map<std::vector<std::string>, HealthMeasures> out;
    // (The whole-range query has to_ms = INT64_MAX: no rounding up by addition.)
    const int64_t from_day = query.from_ms / kDayMs;
    const int64_t to_day = std::min<int64_t>(query.to_ms / kDayMs + (query.to_ms % kDayMs != 0), 4'000'000); // exclusive
    auto terminals = TRY(store.terminals());
    std::map<std::string, int64_t> last_report;
    for (const auto& h : TRY(store.latest_health()))
        last_report[h.terminal_id] = h.received_ms;
    // Spans that may touch the range in any zone (a day of margin on both sides).
    std::map<std::string, std::vector<HealthSpan>> spans;
    for (auto& sp : TRY(store.health_spans((from_day - 1) * kDayMs, (to_day + 1) * kDayMs)))
        spans[sp.terminal_id].push_back(std::move(sp));
    std::map<std::string, locale::Zone> zones;
    auto zone_of = [&](const std::string& name) -> Result<const locale::Zone*> {
        auto it = zones.find(name);
        if (it == zones.end()) {
            auto z = locale::Zone::create(name);
            if (!z.ok())
                z = locale::Zone::create("Asia/Damascus");
            it = zones.emplace(name, TRY(std::move(z))).first;
        }
        return &it->second;
    };
    for (const auto& t : terminals) {
        if (t.status != "active")
            continue;
        auto pit = where.centres.find(t.centre);
        const Place* place = pit == where.centres.end() ? nullptr : &pit->second;
        const locale::Zone* zone = TRY(zone_of(place && !place->zone.empty() ? place->zone : where.zone));
        const Hours& hours = place && place->hours ? *place->hours : where.hours;
        // What each report covers: in service and out of service, from the spans.
        std::vector<std::pair<int64_t, int64_t>> in_service, out_of_service;
        const auto& list = spans[t.id];
        for (size_t i = 0; i < list.size(); ++i) {
            int64_t end = list[i].end_ms + kHealthReportCoverMs;
            if (i + 1 < list.size())
                end = std::min(end, list[i + 1].start_ms);
            (list[i].out_of_service ? out_of_service : in_service).push_back({list[i].start_ms, end});
        }
        std::optional<int64_t> days_silent;
        int64_t last = std::max(t.last_ingest_ms, last_report.count(t.id) ? last_report[t.id] : 0);
        if (last > 0)
            days_silent = std::max<int64_t>(0, query.now_ms - last) / kDayMs;
        auto key_for = [&](int64_t day) {
            std::vector<std::string> key;
            for (const auto& d : query.by) {
                if (kPeriods.count(d))
                    key.push_back(period_label(period, day));
                else if (d == "terminal")
                    key.push_back(t.id);
                else if (d == "centre")
                    key.push_back(t.centre);
                else
                    key.push_back(place ? (d == "governorate" ? place->governorate : place->district) : std::string());
            }
            return key;
        };
        auto add_silence = [&](HealthMeasures& m) {
            if (days_silent)
                m.days_since_last_sync = std::max(m.days_since_last_sync.value_or(0), *days_silent);
        };
        if (period.empty())
            add_silence(out[key_for(0)]);
        int64_t first = std::max(from_day, day_number(zone->date_of(t.enrolled_ms)));
        int64_t final_day = std::min(to_day - 1, day_number(zone->date_of(query.now_ms)));
        for (int64_t day = first; day <= final_day; ++day) {
            if (!hours.days[static_cast<size_t>(((day + 4) % 7 + 7) % 7)]) // 1970-01-01 was a Thursday
                continue;
            int y = 0, m = 0, d = 0;
            civil(day, y, m, d);
            int64_t midnight = zone->start_of(locale::Date{y, m, d});
            int64_t a = std::max(midnight + int64_t(hours.open_min) * 60'000, t.enrolled_ms);
            int64_t b = std::min(midnight + int64_t(hours.close_min) * 60'000, query.now_ms);
            if (b <= a)
                continue;
            auto& row = out[key_for(day)];
            row.open_ms += b - a;
            row.available_ms += overlap(in_service, a, b);
            row.out_of_service_ms += overlap(out_of_service, a, b);
            add_silence(row);
        }
    }
    return out;
}

// The costs given for each row of a grouping that costs apply to (RowExtras): key -> (cost, applications of the
// scopes and months that have a cost). Empty when the grouping has no cost scope or no cost is given.
Result<std::map<std::vector<std::string>, std::pair<int64_t, int64_t>>> cost_rows(Store& store, const Query& query,
                                                                                   const MeasureQuery& base, const std::string& period,
                                                                                   const Places& where)
{
    std::map<std::vector<std::string>, std::pair<int64_t, int64_t>> out;
    if (!period.empty() && period != "month" && period != "quarter" && period != "year")
        return out; // a month's cost is not split into days or weeks
    std::string scope;
    for (const auto& d : query.by) {
        if (kPeriods.count(d))
            continue;
        std::string s = d == "entity" ? "entity" : d == "centre" || d == "district" || d == "governorate" ? "centre" : "";
        if (s.empty() || (!scope.empty() && s != scope))
            return out; // split by something costs are not given for (service, terminal, channel...), or by both scopes
        scope = s;
    }
    if (scope.empty())
        return out; // entities' and centres' costs are separate accounts: no total of both
    std::vector<CostRecord> given;
    for (auto& c : TRY(store.costs()))
        if (c.scope == scope)
            given.push_back(std::move(c));
    if (given.empty())
        return out;
    // Months the range covers from their first day to their end, or to today for the running month (a table
    // "up to today" shows the running month's cost over its applications so far).
    auto [from_day, to_day] = rollup::query_days(base);
    const int64_t today = rollup::ZoneBook().local_day("", query.now_ms);
    auto whole = [&, from = from_day, to = to_day](int32_t month) {
        int y = month / 100, m = month % 100;
        int64_t first = days_from_civil(y, m, 1);
        int64_t next = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
        return first >= from && (next <= to || (first <= today && today < next && to > today));
    };
    // The applications of each code of the scope in each month.
    MeasureQuery mq{base.from_ms, base.to_ms, {scope, "day"}};
    mq.months_suffice = true;
    mq.raw = base.raw;
    mq.published_ms = base.published_ms;
    std::map<std::pair<std::string, int32_t>, int64_t> transactions;
    for (const auto& r : TRY(store.measures(mq))) {
        int y = 0, m = 0, d = 0;
        civil(std::stoll(r.keys.at(1)), y, m, d);
        transactions[{r.keys.at(0), y * 100 + m}] += r.applications;
    }
    for (const auto& c : given) {
        if (!whole(c.month))
            continue;
        std::vector<std::string> key;
        for (const auto& d : query.by) {
            if (kPeriods.count(d)) {
                key.push_back(period_label(period, days_from_civil(c.month / 100, c.month % 100, 1)));
            } else if (d == "district" || d == "governorate") {
                auto it = where.centres.find(c.code);
                key.push_back(it == where.centres.end() ? std::string() : d == "governorate" ? it->second.governorate : it->second.district);
            } else {
                key.push_back(c.code);
            }
        }
        auto& row = out[key];
        row.first += c.amount_minor;
        auto t = transactions.find({c.code, c.month});
        row.second += t == transactions.end() ? 0 : t->second;
    }
    return out;
}

} // namespace

Result<CostRecord> make_cost(const std::string& entity, const std::string& centre, const std::string& month, const std::string& amount,
                             int64_t now_ms)
{
    CostRecord c;
    if (entity.empty() == centre.empty())
        return Error::make("error.costs.scope", "name exactly one of --entity and --centre", "scope");
    c.scope = entity.empty() ? "centre" : "entity";
    c.code = entity.empty() ? centre : entity;
    bool code_ok = c.code.size() <= 64 && std::all_of(c.code.begin(), c.code.end(), [](char ch) {
                       return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
                   });
    if (!code_ok)
        return Error::make("error.costs.scope", "the code must be 1 to 64 of A-Z a-z 0-9 - _ .", "scope");
    int y = 0, m = 0;
    char tail = 0;
    if (month.size() != 7 || month[4] != '-' || !std::isdigit(static_cast<unsigned char>(month[0]))
        || !std::isdigit(static_cast<unsigned char>(month[5])) || !std::isdigit(static_cast<unsigned char>(month[6]))
        || std::sscanf(month.c_str(), "%4d-%2d%c", &y, &m, &tail) != 2 || y < 2000 || y > 2200 || m < 1 || m > 12)
        return Error::make("error.costs.month", "'" + month + "' is not a month YYYY-MM", "month");
    c.month = y * 100 + m;
    bool digits = !amount.empty() && amount.size() <= 16
                  && std::all_of(amount.begin(), amount.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!digits || std::stoll(amount) > 1'000'000'000'000'000)
        return Error::make("error.costs.amount", "'" + amount + "' is not a whole number of minor units from 0 to 10^15", "amount");
    c.amount_minor = std::stoll(amount);
    c.set_ms = now_ms;
    return c;
}

Result<void> set_cost(Store& store, const CostRecord& cost)
{
    if (auto cat = TRY(store.latest_catalogue())) {
        auto doc = nlohmann::json::parse(cat->document, nullptr, false);
        bool known = false;
        auto list = doc.is_object() ? doc.find(cost.scope == "entity" ? "entities" : "centres") : doc.end();
        if (doc.is_object() && list != doc.end() && list->is_array())
            for (const auto& j : *list)
                known = known || (j.is_object() && j.value("code", "") == cost.code);
        if (!known)
            return Error::make("error.costs.unknown", "the latest catalogue has no " + cost.scope + " " + cost.code, "scope");
    }
    return store.set_cost(cost);
}

std::string terminal_state(const TerminalRecord& t, const HealthSample* latest, int64_t now_ms)
{
    int64_t last = std::max(t.last_ingest_ms, latest ? latest->received_ms : 0);
    if (last == 0)
        return "unknown";
    if (now_ms - last > kHealthGapMs)
        return "offline";
    if (!latest || now_ms - latest->received_ms > kHealthGapMs)
        return "online"; // ingesting, without reports (an older terminal)
    if (latest->out_of_service)
        return "broken";
    auto doc = nlohmann::json::parse(latest->document, nullptr, false);
    if (doc.is_object() && doc.value("pending", int64_t(0)) > 0)
        return "sending";
    return "online";
}

Result<nlohmann::ordered_json> compute(Store& store, const std::vector<Definition>& definitions, const Query& query)
{
    // The store groups by day when a period is asked for (days fold into weeks, months, ... here) and by centre
    // for a governorate or a district (placed through the catalogue's hierarchy here).
    std::string period;
    MeasureQuery mq{query.from_ms, query.to_ms, {}};
    std::set<std::string> seen;
    std::vector<std::pair<char, size_t>> source; // per output dimension: how it is made, from which store key
    auto store_index = [&](const std::string& d) {
        auto it = std::find(mq.group_by.begin(), mq.group_by.end(), d);
        if (it != mq.group_by.end())
            return static_cast<size_t>(it - mq.group_by.begin());
        mq.group_by.push_back(d);
        return mq.group_by.size() - 1;
    };
    for (const auto& d : query.by) {
        const auto& dims = dimension_names();
        if (std::find(dims.begin(), dims.end(), d) == dims.end())
            return Error::make("error.indicators.dimension", "unknown dimension '" + d + "'", "by");
        if (!seen.insert(d).second)
            return Error::make("error.indicators.dimension", "dimension '" + d + "' is named twice", "by");
        if (kPeriods.count(d)) {
            if (!period.empty())
                return Error::make("error.indicators.period_twice", "only one of day, week, month, quarter, year", "by");
            period = d;
            source.push_back({'p', store_index("day")});
        } else if (d == "governorate" || d == "district") {
            source.push_back({d == "governorate" ? 'g' : 'd', store_index("centre")});
        } else {
            source.push_back({'k', store_index(d)});
        }
    }
    const bool health = health_grouping(query.by);
    // The catalogue always: its services' published times count decisions within them (rollup::count_within).
    Places where = TRY(places(store));
    mq.published_ms = where.published_ms;
    // Months, quarters, years and whole-range tables are made of whole months where the range allows.
    mq.months_suffice = period.empty() || period == "month" || period == "quarter" || period == "year";
    mq.raw = query.raw;
    auto rows = TRY(store.measures(mq));
    // A stored row's keys as the caller's groups: periods labelled, centres lifted to their governorate or district.
    auto group_of = [&](const std::vector<std::string>& stored) {
        std::vector<std::string> keys;
        keys.reserve(source.size());
        for (auto [kind, i] : source) {
            const std::string& k = stored.at(i);
            if (kind == 'p')
                keys.push_back(period_label(period, std::stoll(k)));
            else if (kind == 'g' || kind == 'd') {
                auto it = where.centres.find(k);
                keys.push_back(it == where.centres.end() ? std::string() : kind == 'g' ? it->second.governorate : it->second.district);
            } else
                keys.push_back(k);
        }
        return keys;
    };
    const bool queue = rollup::tickets_apply(mq.group_by);
    std::map<std::vector<std::string>, MeasureRow> folded;
    for (auto& r : rows) {
        std::vector<std::string> keys = group_of(r.keys);
        auto [it, fresh] = folded.try_emplace(keys);
        auto& f = it->second;
        if (fresh) {
            f = std::move(r);
            f.keys = keys;
            continue;
        }
        f.applications += r.applications;
        f.kiosk += r.kiosk;
        f.counter += r.counter;
        f.fees_due_minor += r.fees_due_minor;
        f.fees_collected_minor += r.fees_collected_minor;
        f.fees_exempted_minor += r.fees_exempted_minor;
        f.exempted += r.exempted;
        f.decided += r.decided;
        f.ready += r.ready;
        f.open += r.open;
        if (r.oldest_open_ms)
            f.oldest_open_ms = f.oldest_open_ms ? std::min(*f.oldest_open_ms, *r.oldest_open_ms) : *r.oldest_open_ms;
        f.surveyed += r.surveyed;
        f.rating_sum += r.rating_sum;
        f.rating_count += r.rating_count;
        f.centre_flagged += r.centre_flagged;
        f.decided_within += r.decided_within;
        rollup::add_dense(f.decision_hist, r.decision_hist);
        rollup::add_dense(f.ready_hist, r.ready_hist);
        rollup::add_dense(f.rating_hist, r.rating_hist);
        rollup::add_dense(f.reason_hist, r.reason_hist);
        f.tickets += r.tickets;
        f.tickets_called += r.tickets_called;
        f.tickets_no_show += r.tickets_no_show;
        f.tickets_served += r.tickets_served;
        rollup::add_dense(f.wait_hist, r.wait_hist);
    }
    // Visits abandoned before submission, folded into the same groups.
    std::map<std::vector<std::string>, int64_t> abandoned;
    for (const auto& a : TRY(store.abandoned_visit_counts(mq))) {
        std::vector<std::string> keys = group_of(a.keys);
        abandoned[keys] += a.count;
    }
    // Z reports (only where the grouping does not split a drawer), folded into the same groups.
    const bool cash = std::all_of(mq.group_by.begin(), mq.group_by.end(),
                                  [](const std::string& d) { return d == "day" || d == "centre" || d == "terminal"; });
    std::map<std::vector<std::string>, Store::ZReportSum> closes;
    if (cash)
        for (const auto& z : TRY(store.z_report_sums(mq))) {
            auto& f = closes[group_of(z.keys)];
            f.reports += z.reports;
            f.with_difference += z.with_difference;
            f.difference_minor += z.difference_minor;
            f.abs_difference_minor += z.abs_difference_minor;
        }
    auto costs = TRY(cost_rows(store, query, mq, period, where));
    // Durations without any application row in the group cannot happen (both come from the same applications).
    // A group is a row when it has applications or tickets, or terminals with opening hours in the range (or,
    // without a period, any terminal).
    std::map<std::vector<std::string>, HealthMeasures> terminals;
    if (health)
        terminals = TRY(health_rows(store, query, period, where));
    std::set<std::vector<std::string>> keys;
    for (const auto& [k, r] : folded)
        if (r.applications > 0 || r.tickets > 0)
            keys.insert(k);
    for (const auto& [k, h] : terminals)
        keys.insert(k);
    for (const auto& [k, n] : abandoned)
        keys.insert(k);
    for (const auto& [k, z] : closes)
        keys.insert(k);
    auto out = nlohmann::ordered_json::array();
    const HealthMeasures none;
    for (const auto& key : keys) {
        MeasureRow empty;
        auto fit = folded.find(key);
        const MeasureRow& r = fit == folded.end() ? empty : fit->second;
        auto hit = terminals.find(key);
        const HealthMeasures* h = !health ? nullptr : hit == terminals.end() ? &none : &hit->second;
        RowExtras extras;
        auto ait = abandoned.find(key);
        extras.abandoned = ait == abandoned.end() ? 0 : ait->second;
        if (cash) {
            auto zit = closes.find(key);
            extras.z = zit == closes.end() ? Store::ZReportSum{} : zit->second;
        }
        if (auto cit = costs.find(key); cit != costs.end()) {
            extras.cost_minor = cit->second.first;
            extras.cost_transactions = cit->second.second;
        }
        nlohmann::ordered_json row = nlohmann::ordered_json::object();
        for (size_t i = 0; i < query.by.size(); ++i)
            row[query.by[i]] = key[i];
        for (const auto& def : definitions) {
            if (!queue && (queue_term(def.numerator) || queue_term(def.denominator))) {
                row[def.id] = nullptr; // no value for a grouping tickets do not have (e.g. by service or channel)
                continue;
            }
            auto v = evaluate(def, r, query.now_ms, h, extras);
            if (!v)
                row[def.id] = nullptr;
            else if (def.denominator.empty() && std::floor(*v) == *v && std::fabs(*v) < 9e15)
                row[def.id] = static_cast<int64_t>(*v);
            else
                row[def.id] = *v;
        }
        out.push_back(std::move(row));
    }
    return out;
}

} // namespace nafitha::central::indicators
