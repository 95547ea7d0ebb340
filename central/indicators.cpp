#include "central/indicators.h"

#include "base/paths.h"
#include "central/store/rollup.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

namespace nafitha::central::indicators {

namespace {

constexpr int64_t kDayMs = 86'400'000;

const std::set<std::string> kPeriods = {"day", "week", "month", "quarter", "year"};
const std::set<std::string> kUnits = {"count", "share", "minor", "ms", "rating"};
const std::set<std::string> kDirections = {"up", "down", "none"};

// The value of a plain measure of a row.
std::optional<double> measure(const std::string& name, const MeasureRow& r, int64_t now_ms)
{
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
    if (p < 1 || p > 99 || (list != "decision_ms" && list != "ready_ms"))
        return std::nullopt;
    return std::make_pair(p, list);
}

bool known_term(const std::string& text)
{
    const auto& names = measure_names();
    return std::find(names.begin(), names.end(), text) != names.end() || parse_percentile(text).has_value();
}

// Civil date of a day number (days since 1970-01-01), H. Hinnant's algorithm.
void civil(int64_t z, int& y, int& m, int& d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

} // namespace

const std::vector<std::string>& measure_names()
{
    static const std::vector<std::string> names = {
        "applications",   "applications_kiosk", "applications_counter", "fees_due_minor", "fees_collected_minor",
        "fees_exempted_minor", "applications_exempted", "decided", "ready", "backlog", "backlog_oldest_age_ms",
        "surveyed",       "rating_sum",         "ratings",              "centre_flagged",
    };
    return names;
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
            return bad("indicator " + d.id + ": unit must be count, share, minor, ms or rating");
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
    // rank = ceil(p/100 * n), in integers
    size_t n = values.size();
    size_t rank = (static_cast<size_t>(p) * n + 99) / 100;
    rank = std::clamp<size_t>(rank, 1, n);
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank - 1), values.end());
    return values[rank - 1];
}

std::optional<double> evaluate(const Definition& def, const MeasureRow& row, int64_t now_ms)
{
    auto term = [&](const std::string& t) -> std::optional<double> {
        if (auto pct = parse_percentile(t)) {
            auto v = rollup::hist_percentile(pct->second == "decision_ms" ? row.decision_hist : row.ready_hist, pct->first);
            return v ? std::optional<double>(double(*v)) : std::nullopt;
        }
        return measure(t, row, now_ms);
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

struct Place {
    std::string district, governorate;
};

// The organisation hierarchy of the latest catalogue: each centre's district and governorate ("districts":
// [{code, governorate, name}], "centres": [{code, district, ...}]). Centres it does not place stay empty.
Result<std::map<std::string, Place>> places(Store& store)
{
    std::map<std::string, Place> out;
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
    std::map<std::string, std::string> governorate_of;
    if (auto d = doc.find("districts"); d != doc.end() && d->is_array())
        for (const auto& j : *d)
            if (j.is_object())
                governorate_of[text(j, "code")] = text(j, "governorate");
    if (auto c = doc.find("centres"); c != doc.end() && c->is_array())
        for (const auto& j : *c)
            if (j.is_object()) {
                std::string district = text(j, "district");
                out[text(j, "code")] = {district, district.empty() ? std::string() : governorate_of[district]};
            }
    return out;
}

} // namespace

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
    bool need_places = false;
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
            need_places = true;
            source.push_back({d == "governorate" ? 'g' : 'd', store_index("centre")});
        } else {
            source.push_back({'k', store_index(d)});
        }
    }
    std::map<std::string, Place> where;
    if (need_places)
        where = TRY(places(store));
    // Months, quarters, years and whole-range tables are made of whole months where the range allows.
    mq.months_suffice = period.empty() || period == "month" || period == "quarter" || period == "year";
    mq.raw = query.raw;
    auto rows = TRY(store.measures(mq));
    std::map<std::vector<std::string>, MeasureRow> folded;
    for (auto& r : rows) {
        std::vector<std::string> keys;
        keys.reserve(source.size());
        for (auto [kind, i] : source) {
            const std::string& k = r.keys.at(i);
            if (kind == 'p')
                keys.push_back(period_label(period, std::stoll(k)));
            else if (kind == 'g' || kind == 'd') {
                auto it = where.find(k);
                keys.push_back(it == where.end() ? std::string() : kind == 'g' ? it->second.governorate : it->second.district);
            } else
                keys.push_back(k);
        }
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
        rollup::add_dense(f.decision_hist, r.decision_hist);
        rollup::add_dense(f.ready_hist, r.ready_hist);
    }
    // Durations without any application row in the group cannot happen (both come from the same applications);
    // a group with no application at all is not a row.
    auto out = nlohmann::ordered_json::array();
    for (const auto& [keys, r] : folded) {
        if (r.applications == 0)
            continue;
        nlohmann::ordered_json row = nlohmann::ordered_json::object();
        for (size_t i = 0; i < query.by.size(); ++i)
            row[query.by[i]] = keys[i];
        for (const auto& def : definitions) {
            auto v = evaluate(def, r, query.now_ms);
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
