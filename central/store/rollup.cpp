#include "central/store/rollup.h"

#include "locale/locale.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace nafitha::central::rollup {

namespace {

constexpr int64_t kDayMs = 86'400'000;

const std::array<int64_t, kBuckets + 1>& lower_bounds()
{
    static const auto table = [] {
        std::array<int64_t, kBuckets + 1> t{};
        t[0] = 0;
        for (int b = 1; b <= kBuckets; ++b)
            t[static_cast<size_t>(b)] = static_cast<int64_t>(std::floor(1000.0 * std::pow(2.0, (b - 1) / 8.0)));
        return t;
    }();
    return table;
}

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

} // namespace

int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_of_day(int64_t z, int& y, int& m, int& d)
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

int bucket_of(int64_t ms)
{
    if (ms < 1000)
        return 0;
    const auto& t = lower_bounds();
    auto it = std::upper_bound(t.begin() + 1, t.end(), ms);
    return static_cast<int>(it - t.begin()) - 1;
}

int64_t bucket_lower(int bucket) { return lower_bounds()[static_cast<size_t>(std::clamp(bucket, 0, kBuckets))]; }

int64_t bucket_value(int bucket)
{
    if (bucket <= 0)
        return 500;
    return static_cast<int64_t>(std::llround(static_cast<double>(bucket_lower(bucket)) * std::pow(2.0, 1.0 / 16.0)));
}

std::string encode_hist(const Hist& h)
{
    std::string out;
    for (const auto& [b, n] : h) {
        if (n == 0)
            continue;
        if (!out.empty())
            out += ',';
        out += std::to_string(b);
        out += ':';
        out += std::to_string(n);
    }
    return out;
}

namespace {

// Calls f(bucket, count) for each "b:n" of an encode_hist text (stops at the first malformed pair).
template<typename F>
void each_pair(std::string_view s, F&& f)
{
    const char* p = s.data();
    const char* end = s.data() + s.size();
    while (p < end) {
        int32_t b = 0;
        int64_t n = 0;
        auto r1 = std::from_chars(p, end, b);
        if (r1.ec != std::errc() || r1.ptr >= end || *r1.ptr != ':')
            break;
        auto r2 = std::from_chars(r1.ptr + 1, end, n);
        if (r2.ec != std::errc())
            break;
        f(b, n);
        p = r2.ptr;
        if (p < end && *p == ',')
            ++p;
    }
}

} // namespace

Hist decode_hist(std::string_view s)
{
    Hist h;
    each_pair(s, [&](int32_t b, int64_t n) {
        if (n != 0)
            h[b] += n;
    });
    return h;
}

void add_hist(Hist& into, const Hist& from, int64_t sign)
{
    for (const auto& [b, n] : from) {
        auto& v = into[b];
        v += sign * n;
        if (v == 0)
            into.erase(b);
    }
}

void count_in(Dense& into, int bucket, int64_t n)
{
    if (bucket < 0 || bucket > kBuckets)
        return;
    if (into.size() <= static_cast<size_t>(bucket))
        into.resize(static_cast<size_t>(kBuckets) + 1, 0);
    into[static_cast<size_t>(bucket)] += n;
}

void add_dense(Dense& into, const Dense& from)
{
    if (from.empty())
        return;
    if (into.size() < from.size())
        into.resize(from.size(), 0);
    for (size_t i = 0; i < from.size(); ++i)
        into[i] += from[i];
}

void add_text(Dense& into, std::string_view s)
{
    each_pair(s, [&](int32_t b, int64_t n) { count_in(into, b, n); });
}

Dense to_dense(const Hist& h)
{
    Dense d;
    for (const auto& [b, n] : h)
        count_in(d, b, n);
    return d;
}

int64_t nearest_rank(int p, int64_t n) { return std::clamp<int64_t>((static_cast<int64_t>(p) * n + 99) / 100, 1, std::max<int64_t>(1, n)); }

int64_t count_within(const Dense& h, int64_t limit_ms)
{
    int64_t within = 0;
    for (size_t b = 0; b < h.size(); ++b)
        if (bucket_value(static_cast<int>(b)) <= limit_ms)
            within += h[b];
    return within;
}

std::map<std::string, int64_t> published_limits(const nlohmann::json& doc)
{
    std::map<std::string, int64_t> out;
    if (!doc.is_object() || !doc.contains("services") || !doc["services"].is_array())
        return out;
    for (const auto& svc : doc["services"])
        if (svc.is_object() && svc.contains("code") && svc["code"].is_string()) {
            auto days = svc.find("processing_days");
            out[svc["code"].get<std::string>()] =
                published_limit_ms(days != svc.end() && days->is_number_integer() ? days->get<int64_t>() : 0);
        }
    return out;
}

int64_t limit_of(const std::map<std::string, int64_t>& limits, const std::string& service_code)
{
    auto it = limits.find(service_code);
    return it == limits.end() ? published_limit_ms(0) : it->second;
}

std::optional<int64_t> hist_percentile(const Dense& h, int p)
{
    int64_t total = 0;
    for (int64_t n : h)
        total += n;
    if (total <= 0)
        return std::nullopt;
    int64_t rank = nearest_rank(p, total);
    int64_t seen = 0;
    for (size_t b = 0; b < h.size(); ++b) {
        seen += h[b];
        if (seen >= rank)
            return bucket_value(static_cast<int>(b));
    }
    return std::nullopt;
}

int32_t month_of_day(int64_t day)
{
    int y = 0, m = 0, d = 0;
    civil_of_day(day, y, m, d);
    return y * 100 + m;
}

int64_t first_day_of_month(int32_t yyyymm) { return days_from_civil(yyyymm / 100, yyyymm % 100, 1); }

// ---- Zones ----

struct ZoneBook::Impl {
    locale::Zone fallback;
    std::map<std::string, locale::Zone> by_centre;
    const locale::Zone& zone(const std::string& centre) const
    {
        auto it = by_centre.find(centre);
        return it == by_centre.end() ? fallback : it->second;
    }
};

namespace {

locale::Zone damascus()
{
    static const locale::Zone z = locale::Zone::create(locale::kDefaultTimeZone).value();
    return z;
}

} // namespace

ZoneBook::ZoneBook()
{
    auto impl = std::make_shared<Impl>();
    impl->fallback = damascus();
    m_impl = std::move(impl);
}

ZoneBook ZoneBook::from_catalogue(std::string_view document)
{
    ZoneBook book;
    auto impl = std::make_shared<Impl>();
    impl->fallback = damascus();
    auto doc = nlohmann::json::parse(document, nullptr, false);
    if (doc.is_object()) {
        std::map<std::string, locale::Zone> made;
        auto zone = [&](const std::string& name) -> std::optional<locale::Zone> {
            if (auto it = made.find(name); it != made.end())
                return it->second;
            auto z = locale::Zone::create(name);
            if (!z.ok())
                return std::nullopt;
            made.emplace(name, z.value());
            return z.value();
        };
        if (auto it = doc.find("time_zone"); it != doc.end() && it->is_string())
            if (auto z = zone(it->get<std::string>()))
                impl->fallback = *z;
        if (auto c = doc.find("centres"); c != doc.end() && c->is_array())
            for (const auto& j : *c) {
                if (!j.is_object() || !j.contains("code") || !j["code"].is_string())
                    continue;
                auto tz = j.find("time_zone");
                if (tz == j.end() || !tz->is_string() || tz->get<std::string>().empty())
                    continue;
                if (auto z = zone(tz->get<std::string>()))
                    impl->by_centre.emplace(j["code"].get<std::string>(), *z);
            }
    }
    book.m_impl = std::move(impl);
    return book;
}

std::map<std::string, std::string> category_entities(std::string_view document)
{
    std::map<std::string, std::string> out;
    auto doc = nlohmann::json::parse(document, nullptr, false);
    if (doc.is_object())
        if (auto c = doc.find("categories"); c != doc.end() && c->is_array())
            for (const auto& j : *c)
                if (j.is_object() && j.contains("code") && j["code"].is_string() && j.contains("entity") && j["entity"].is_string())
                    out[j["code"].get<std::string>()] = j["entity"].get<std::string>();
    return out;
}

int64_t ZoneBook::local_day(const std::string& centre, int64_t unix_ms) const
{
    auto d = m_impl->zone(centre).date_of(unix_ms);
    return days_from_civil(d.year, d.month, d.day);
}

Touched touch(BatchFacts& facts, const ZoneBook& book)
{
    Touched t;
    for (auto& a : facts.applications) {
        a.local_day = book.local_day(a.centre, a.submitted_ms);
        t.applications.insert(a.reference);
    }
    for (const auto& [ref, v] : facts.paid)
        t.applications.insert(ref);
    for (const auto& [ref, v] : facts.statuses)
        t.applications.insert(ref);
    for (const auto& [ref, v] : facts.surveyed)
        t.applications.insert(ref);
    for (auto& k : facts.tickets) {
        k.local_day = book.local_day(k.centre, k.issued_ms);
        t.tickets.insert(k.ticket);
    }
    for (const auto& [k, v] : facts.ticket_changes)
        t.tickets.insert(k);
    return t;
}

// ---- Cells ----

const std::vector<std::string>& survey_reason_codes()
{
    static const std::vector<std::string> codes = {"long_wait", "unclear_steps", "fees", "staff", "machine_problem", "other"};
    return codes;
}

std::string stored_reasons(const std::vector<std::string>& codes)
{
    std::string out;
    for (const auto& known : survey_reason_codes())
        if (std::find(codes.begin(), codes.end(), known) != codes.end())
            out += (out.empty() ? "" : ",") + known;
    return out;
}

std::string app_columns(bool postgres)
{
    // rating (0: none) "|" reasons, for each survey of the application, ";"-separated (NULL: no survey).
    // SQLite without statistics picked surveys' primary key (terminal, seq) for the correlated sub-select and read
    // every survey of the terminal for each application (ingest ~3x slower, bench central.ingest_ratio 0.31 -> 0.11):
    // the index by reference is named.
    std::string surveys = postgres ? "(SELECT string_agg(COALESCE(s.rating, 0)::text || '|' || s.reasons, ';') "
                                   : "(SELECT group_concat(COALESCE(s.rating, 0) || '|' || s.reasons, ';') ";
    return "reference, terminal, local_day, submitted_ms, centre, entity, service_code, category, channel, fee_minor, paid_minor, "
           "waived_minor, exemption, claimed_centre, decided_ms, ready_ms, surveys, rating_sum, ratings, "
           + surveys + (postgres ? "FROM surveys s " : "FROM surveys s INDEXED BY surveys_by_reference ")
           + "WHERE s.terminal = applications.terminal AND s.reference = applications.reference)";
}

void read_survey_column(App& app, std::string_view text)
{
    const auto& codes = survey_reason_codes();
    while (!text.empty()) {
        auto end = text.find(';');
        std::string_view one = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        auto bar = one.find('|');
        int rating = 0;
        std::from_chars(one.data(), one.data() + (bar == std::string_view::npos ? one.size() : bar), rating);
        if (rating >= 1 && rating <= 5)
            ++app.rating_counts[rating];
        std::string_view reasons = bar == std::string_view::npos ? std::string_view() : one.substr(bar + 1);
        while (!reasons.empty()) {
            auto comma = reasons.find(',');
            std::string_view code = reasons.substr(0, comma);
            reasons = comma == std::string_view::npos ? std::string_view() : reasons.substr(comma + 1);
            for (size_t i = 0; i < codes.size(); ++i)
                if (codes[i] == code)
                    ++app.reason_counts[static_cast<int32_t>(i)];
        }
    }
}

const char* const kKeyColumns = "grain, period, terminal, centre, entity, service_code, category, channel";

const char* const kCellColumns =
    "applications, fees_due_minor, paid_minor, waived_minor, exempted, decided, ready, open, surveyed, rating_sum, ratings, "
    "flagged, oldest_open_ms, decision_hist, ready_hist, rating_hist, reason_hist";

const char* const kOldestOpenSqlite =
    "SELECT MIN(submitted_ms) FROM applications WHERE terminal = ?1 AND local_day >= ?2 AND local_day <= ?3 AND centre = ?4 "
    "AND entity = ?5 AND service_code = ?6 AND category = ?7 AND channel = ?8 AND decided_ms IS NULL";
const char* const kOldestOpenPostgres =
    "SELECT MIN(submitted_ms) FROM applications WHERE terminal = $1 AND local_day >= $2 AND local_day <= $3 AND centre = $4 "
    "AND entity = $5 AND service_code = $6 AND category = $7 AND channel = $8 AND decided_ms IS NULL";

void Delta::add(const App& a, int sign)
{
    for (int32_t grain : {kGrainDay, kGrainMonth}) {
        Key k{grain, grain == kGrainDay ? a.local_day : month_of_day(a.local_day), a.terminal, a.centre, a.entity,
              a.service_code, a.category, a.channel};
        auto& ch = m_changes[k];
        auto& s = ch.sums;
        s.applications += sign;
        s.fees_due_minor += sign * a.fee_minor;
        s.paid_minor += sign * a.paid_minor;
        s.waived_minor += sign * a.waived_minor;
        s.exempted += sign * (a.exempt ? 1 : 0);
        s.flagged += sign * (a.flagged ? 1 : 0);
        s.surveyed += sign * (a.surveys > 0 ? 1 : 0);
        s.rating_sum += sign * a.rating_sum;
        s.ratings += sign * a.ratings;
        add_hist(s.rating_hist, a.rating_counts, sign);
        add_hist(s.reason_hist, a.reason_counts, sign);
        if (a.ready_ms)
            s.ready += sign;
        if (a.decided_ms) {
            s.decided += sign;
            auto& d = s.decision[bucket_of(std::max<int64_t>(0, *a.decided_ms - a.submitted_ms))];
            d += sign;
            if (a.ready_ms)
                s.ready_hist[bucket_of(std::max<int64_t>(0, *a.ready_ms - a.submitted_ms))] += sign;
        } else {
            s.open += sign;
            if (sign > 0)
                ch.added_open_min = ch.added_open_min ? std::min(*ch.added_open_min, a.submitted_ms) : a.submitted_ms;
            else
                ch.removed_open.insert(a.submitted_ms);
        }
    }
}

namespace {

bool same(const App& a, const App& b)
{
    return a.local_day == b.local_day && a.submitted_ms == b.submitted_ms && a.centre == b.centre && a.entity == b.entity
           && a.service_code == b.service_code && a.category == b.category && a.channel == b.channel && a.fee_minor == b.fee_minor
           && a.paid_minor == b.paid_minor && a.waived_minor == b.waived_minor && a.exempt == b.exempt && a.flagged == b.flagged
           && a.decided_ms == b.decided_ms && a.ready_ms == b.ready_ms && a.surveys == b.surveys && a.rating_sum == b.rating_sum
           && a.ratings == b.ratings && a.terminal == b.terminal && a.rating_counts == b.rating_counts
           && a.reason_counts == b.reason_counts;
}

} // namespace

void Delta::diff(const std::vector<App>& before, const std::vector<App>& after)
{
    std::map<std::string, const App*> old;
    for (const auto& a : before)
        old[a.reference] = &a;
    for (const auto& a : after) {
        auto it = old.find(a.reference);
        if (it != old.end()) {
            if (same(*it->second, a)) {
                old.erase(it);
                continue;
            }
            add(*it->second, -1);
            old.erase(it);
        }
        add(a, +1);
    }
    for (const auto& [ref, a] : old)
        add(*a, -1);
}

bool merge(Cell& c, const Change& ch)
{
    const auto& s = ch.sums;
    c.applications += s.applications;
    c.fees_due_minor += s.fees_due_minor;
    c.paid_minor += s.paid_minor;
    c.waived_minor += s.waived_minor;
    c.exempted += s.exempted;
    c.decided += s.decided;
    c.ready += s.ready;
    c.open += s.open;
    c.surveyed += s.surveyed;
    c.rating_sum += s.rating_sum;
    c.ratings += s.ratings;
    c.flagged += s.flagged;
    add_hist(c.decision, s.decision);
    add_hist(c.ready_hist, s.ready_hist);
    add_hist(c.rating_hist, s.rating_hist);
    add_hist(c.reason_hist, s.reason_hist);
    bool recompute = c.oldest_open_ms && ch.removed_open.count(*c.oldest_open_ms) > 0;
    if (ch.added_open_min && (!c.oldest_open_ms || *ch.added_open_min < *c.oldest_open_ms))
        c.oldest_open_ms = ch.added_open_min;
    else if (recompute && ch.added_open_min && *ch.added_open_min == *c.oldest_open_ms)
        recompute = false; // taken out and put back (the same application changed in another way)
    if (c.open <= 0) {
        c.oldest_open_ms.reset();
        recompute = false;
    }
    return recompute;
}

std::pair<int64_t, int64_t> day_bounds(const Key& key)
{
    if (key.grain == kGrainDay)
        return {key.period, key.period};
    int32_t m = static_cast<int32_t>(key.period);
    int32_t next = m % 100 == 12 ? (m / 100 + 1) * 100 + 1 : m + 1;
    return {first_day_of_month(m), first_day_of_month(next) - 1};
}

std::array<int64_t, 12> counts_of(const Cell& c)
{
    return {c.applications, c.fees_due_minor, c.paid_minor, c.waived_minor, c.exempted, c.decided,
            c.ready,        c.open,           c.surveyed,   c.rating_sum,   c.ratings,  c.flagged};
}

Result<Settled<Key, Cell>> settle(const Delta& delta, const std::function<Result<std::optional<Cell>>(const Key&)>& stored,
                                  const std::function<Result<std::optional<int64_t>>(const Key&)>& oldest_open)
{
    Settled<Key, Cell> out;
    for (const auto& [k, change] : delta.changes()) {
        Cell cell = TRY(stored(k)).value_or(Cell{});
        if (merge(cell, change))
            cell.oldest_open_ms = TRY(oldest_open(k));
        if (cell.applications <= 0)
            out.drop.push_back(k);
        else
            out.keep.emplace_back(k, std::move(cell));
    }
    return out;
}

// ---- Tickets ----

const char* const kTicketColumns = "ticket, terminal, local_day, issued_ms, centre, entity, category, status, called_ms";
const char* const kTicketKeyColumns = "grain, period, terminal, centre, entity, category";
const char* const kTicketCellColumns = "issued, called, no_show, served, wait_hist";

void TicketDelta::add(const Ticket& t, int sign)
{
    for (int32_t grain : {kGrainDay, kGrainMonth}) {
        TicketKey k{grain, grain == kGrainDay ? t.local_day : month_of_day(t.local_day), t.terminal, t.centre, t.entity, t.category};
        auto& c = m_changes[k];
        c.issued += sign;
        c.no_show += sign * (t.status == "no_show" ? 1 : 0);
        c.served += sign * (t.status == "served" ? 1 : 0);
        if (t.called_ms) {
            c.called += sign;
            auto& n = c.wait[bucket_of(std::max<int64_t>(0, *t.called_ms - t.issued_ms))];
            n += sign;
        }
    }
}

void TicketDelta::diff(const std::vector<Ticket>& before, const std::vector<Ticket>& after)
{
    auto same = [](const Ticket& a, const Ticket& b) {
        return a.terminal == b.terminal && a.local_day == b.local_day && a.issued_ms == b.issued_ms && a.centre == b.centre
               && a.entity == b.entity && a.category == b.category && a.status == b.status && a.called_ms == b.called_ms;
    };
    std::map<std::string, const Ticket*> old;
    for (const auto& t : before)
        old[t.ticket] = &t;
    for (const auto& t : after) {
        if (auto it = old.find(t.ticket); it != old.end()) {
            bool unchanged = same(*it->second, t);
            if (!unchanged)
                add(*it->second, -1);
            old.erase(it);
            if (unchanged)
                continue;
        }
        add(t, +1);
    }
    for (const auto& [name, t] : old)
        add(*t, -1);
}

Result<Settled<TicketKey, TicketCell>> settle(const TicketDelta& delta,
                                              const std::function<Result<std::optional<TicketCell>>(const TicketKey&)>& stored)
{
    Settled<TicketKey, TicketCell> out;
    for (const auto& [k, change] : delta.changes()) {
        TicketCell cell = TRY(stored(k)).value_or(TicketCell{});
        cell.issued += change.issued;
        cell.called += change.called;
        cell.no_show += change.no_show;
        cell.served += change.served;
        add_hist(cell.wait, change.wait);
        if (cell.issued <= 0)
            out.drop.push_back(k);
        else
            out.keep.emplace_back(k, std::move(cell));
    }
    return out;
}

bool tickets_apply(const std::vector<std::string>& group_by)
{
    static const std::set<std::string> ticket_dims = {"entity", "category", "centre", "terminal", "day"};
    return std::all_of(group_by.begin(), group_by.end(), [](const std::string& d) { return ticket_dims.count(d) > 0; });
}

std::pair<int64_t, int64_t> query_days(const MeasureQuery& q)
{
    int64_t from = floor_div(q.from_ms, kDayMs);
    int64_t to = -floor_div(-q.to_ms, kDayMs);
    return {from, std::max(from, to)};
}

std::vector<Range> plan(int64_t from_day, int64_t to_day, bool months_suffice)
{
    std::vector<Range> out;
    if (to_day <= from_day)
        return out;
    if (!months_suffice)
        return {{kGrainDay, from_day, to_day}};
    // The first month that starts on or after from_day, and the last that ends on or before to_day.
    int32_t first = month_of_day(from_day);
    if (first_day_of_month(first) != from_day)
        first = first % 100 == 12 ? (first / 100 + 1) * 100 + 1 : first + 1;
    int32_t end = month_of_day(to_day); // months before `end` end before to_day
    int64_t months_from = first_day_of_month(first), months_to = first_day_of_month(end);
    if (months_from >= months_to)
        return {{kGrainDay, from_day, to_day}};
    if (from_day < months_from)
        out.push_back({kGrainDay, from_day, months_from});
    out.push_back({kGrainMonth, first, end});
    if (months_to < to_day)
        out.push_back({kGrainDay, months_to, to_day});
    return out;
}

// ---- Reading cells into measure rows ----

CellCollector::CellCollector(const MeasureQuery& query) : m_query(query)
{
    for (size_t i = 0; i < query.group_by.size(); ++i)
        if (query.group_by[i] == "terminal")
            m_terminal_dim = static_cast<int>(i);
}

Result<void> CellCollector::check() const
{
    static const std::set<std::string> known = {"entity", "service", "category", "centre", "terminal", "channel", "day"};
    for (const auto& d : m_query.group_by)
        if (!known.count(d))
            return Error::make("error.indicators.dimension", "unknown dimension '" + d + "'", "by");
    return {};
}

std::string CellCollector::day_key(int32_t grain, int64_t period) const
{
    // The month's first day stands for a month cell (the caller asked for months at most).
    return std::to_string(grain == kGrainDay ? period : first_day_of_month(static_cast<int32_t>(period)));
}

MeasureRow& CellCollector::row(const std::vector<std::string>& keys)
{
    auto [it, fresh] = m_rows.try_emplace(keys);
    if (fresh)
        it->second.keys = keys;
    return it->second;
}

namespace {

// The dimension values of a cell for a query; nullopt when the cell has no such dimension (tickets: service,
// channel). `service` and `channel` are null for a ticket cell.
template<typename K>
std::optional<std::vector<std::string>> cell_keys(const std::vector<std::string>& dims, const K& k, const std::string* service,
                                                  const std::string* channel, const std::string& day)
{
    std::vector<std::string> keys;
    keys.reserve(dims.size());
    for (const auto& d : dims) {
        if (d == "entity")
            keys.push_back(k.entity);
        else if (d == "category")
            keys.push_back(k.category);
        else if (d == "centre")
            keys.push_back(k.centre);
        else if (d == "terminal")
            keys.push_back(std::to_string(k.terminal));
        else if (d == "day")
            keys.push_back(day);
        else if (d == "service" && service)
            keys.push_back(*service);
        else if (d == "channel" && channel)
            keys.push_back(*channel);
        else
            return std::nullopt;
    }
    return keys;
}

} // namespace

void CellCollector::add_tickets(const TicketKey& k, const TicketCell& c, std::string_view wait_hist)
{
    auto keys = cell_keys(m_query.group_by, k, nullptr, nullptr, day_key(k.grain, k.period));
    if (!keys)
        return; // a dimension tickets do not have (tickets_apply)
    auto& r = row(*keys);
    r.tickets += c.issued;
    r.tickets_called += c.called;
    r.tickets_no_show += c.no_show;
    r.tickets_served += c.served;
    add_text(r.wait_hist, wait_hist);
}

void CellCollector::add(const Key& k, const Cell& c, const Texts& h)
{
    auto keys = cell_keys(m_query.group_by, k, &k.service_code, &k.channel, day_key(k.grain, k.period));
    if (!keys)
        return; // (check() refuses unknown dimensions first)
    auto& r = row(*keys);
    r.applications += c.applications;
    if (k.channel == "kiosk")
        r.kiosk += c.applications;
    else if (k.channel == "counter")
        r.counter += c.applications;
    r.fees_due_minor += c.fees_due_minor;
    r.fees_collected_minor += c.paid_minor;
    r.fees_exempted_minor += c.waived_minor;
    r.exempted += c.exempted;
    r.decided += c.decided;
    r.ready += c.ready;
    r.open += c.open;
    if (c.oldest_open_ms)
        r.oldest_open_ms = r.oldest_open_ms ? std::min(*r.oldest_open_ms, *c.oldest_open_ms) : *c.oldest_open_ms;
    r.surveyed += c.surveyed;
    r.rating_sum += c.rating_sum;
    r.rating_count += c.ratings;
    r.centre_flagged += c.flagged;
    add_text(r.decision_hist, h.decision);
    add_text(r.ready_hist, h.ready);
    add_text(r.rating_hist, h.ratings);
    add_text(r.reason_hist, h.reasons);
    const int64_t limit = limit_of(m_query.published_ms, k.service_code);
    each_pair(h.decision, [&](int32_t b, int64_t n) {
        if (b >= 0 && b <= kBuckets && bucket_value(b) <= limit)
            r.decided_within += n;
    });
}

std::vector<MeasureRow> CellCollector::finish(const std::map<int64_t, std::string>& terminal_ids)
{
    std::vector<MeasureRow> out;
    out.reserve(m_rows.size());
    for (auto& [k, row] : m_rows) {
        if (m_terminal_dim >= 0) {
            auto& key = row.keys[static_cast<size_t>(m_terminal_dim)];
            if (auto it = terminal_ids.find(std::stoll(key)); it != terminal_ids.end())
                key = it->second;
        }
        out.push_back(std::move(row));
    }
    return out;
}

} // namespace nafitha::central::rollup
