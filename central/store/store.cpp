#include "central/store/store.h"

#include "central/store/measures.h"
#include "central/store/rollup.h"

#include <algorithm>
#include <ctime>
#include <map>

namespace nafitha::central {

std::string StoreLocation::describe() const
{
    if (!is_postgres())
        return (data_dir / "central.db").string();
    // postgresql://user:secret@host/db -> postgresql://user@host/db; password=… in key-value form likewise.
    std::string out = url;
    auto scheme = out.find("://");
    if (scheme != std::string::npos) {
        auto at = out.find('@', scheme + 3);
        auto colon = out.find(':', scheme + 3);
        if (at != std::string::npos && colon != std::string::npos && colon < at)
            out.erase(colon, at - colon);
    }
    for (const char* key : {"password="}) {
        for (auto pos = out.find(key); pos != std::string::npos; pos = out.find(key, pos + 1)) {
            auto end = out.find_first_of(" &", pos);
            out.replace(pos, (end == std::string::npos ? out.size() : end) - pos, std::string(key) + "***");
        }
    }
    return out;
}

Result<std::unique_ptr<Store>> open_store(const StoreLocation& location, const OpenOptions& options)
{
    if (location.is_postgres())
        return open_postgres_store(location.url, options);
    if (location.data_dir.empty())
        return Error::make("error.central.store_location", "neither --store nor --data names a store");
    return open_sqlite_store(location.data_dir, options);
}

Result<void> backfill_log(Store& store)
{
    if (!TRY(store.log_needs_backfill()))
        return {};
    // Entries stored before the log existed: their leaves from their signed bytes, terminal by terminal.
    std::vector<LogLeaf> leaves;
    for (const auto& t : TRY(store.terminals())) {
        TRY(store.scan_entries(t.id, 0, [&](const SignedEntry& e) -> Result<void> {
            LogLeaf l;
            l.terminal_id = t.id;
            l.seq = e.seq;
            l.hash = protocol::merkle_leaf_hash(e.bytes);
            leaves.push_back(std::move(l));
            return {};
        }));
    }
    TRY(store.log_backfill(leaves));
    return {};
}

int32_t month_of_ms(int64_t unix_ms)
{
    time_t secs = static_cast<time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
    struct tm tm {};
    gmtime_r(&secs, &tm);
    return (tm.tm_year + 1900) * 100 + tm.tm_mon + 1;
}

int64_t month_start_ms(int32_t month)
{
    struct tm tm {};
    tm.tm_year = month / 100 - 1900;
    tm.tm_mon = month % 100 - 1;
    tm.tm_mday = 1;
    return static_cast<int64_t>(timegm(&tm)) * 1000;
}

int32_t next_month(int32_t month)
{
    return month % 100 == 12 ? (month / 100 + 1) * 100 + 1 : month + 1;
}

std::optional<int64_t> parse_time_ms(std::string_view s)
{
    // YYYY-MM-DDTHH:MM:SS[.fff…][Z|±HH:MM]
    auto digits = [&](size_t pos, size_t n) -> std::optional<int> {
        if (pos + n > s.size())
            return std::nullopt;
        int v = 0;
        for (size_t i = pos; i < pos + n; ++i) {
            if (s[i] < '0' || s[i] > '9')
                return std::nullopt;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    auto Y = digits(0, 4), M = digits(5, 2), D = digits(8, 2), h = digits(11, 2), m = digits(14, 2), sec = digits(17, 2);
    if (!Y || !M || !D || !h || !m || !sec || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ')
        || s[13] != ':' || s[16] != ':' || *M < 1 || *M > 12 || *D < 1 || *D > 31 || *h > 23 || *m > 59 || *sec > 60)
        return std::nullopt;
    size_t pos = 19;
    int64_t ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int scale = 100;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            ms += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
    }
    int64_t offset_s = 0;
    if (pos < s.size()) {
        if (s[pos] == 'Z') {
            ++pos;
        } else if (s[pos] == '+' || s[pos] == '-') {
            auto oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
            if (!oh || !om || s[pos + 3] != ':')
                return std::nullopt;
            offset_s = (*oh * 3600 + *om * 60) * (s[pos] == '+' ? 1 : -1);
            pos += 6;
        }
    }
    if (pos != s.size())
        return std::nullopt;
    struct tm tm {};
    tm.tm_year = *Y - 1900;
    tm.tm_mon = *M - 1;
    tm.tm_mday = *D;
    tm.tm_hour = *h;
    tm.tm_min = *m;
    tm.tm_sec = *sec;
    return (static_cast<int64_t>(timegm(&tm)) - offset_s) * 1000 + ms;
}

} // namespace nafitha::central

// ---- The indicators' base measures (measures.h) ----

namespace nafitha::central {

namespace {

std::optional<std::string> dimension_sql(const std::string& name)
{
    static const std::map<std::string, std::string> kColumns = {
        {"entity", "a.entity"},   {"service", "a.service_code"},      {"category", "a.category"},
        {"centre", "a.centre"},   {"terminal", "CAST(a.terminal AS TEXT)"}, {"channel", "a.channel"},
        {"day", "CAST(a.local_day AS TEXT)"},
    };
    auto it = kColumns.find(name);
    if (it == kColumns.end())
        return std::nullopt;
    return it->second;
}

} // namespace

Result<MeasureSql> measure_sql(const MeasureQuery& query, bool postgres)
{
    std::string keys, group;
    for (const auto& d : query.group_by) {
        auto column = dimension_sql(d);
        if (!column)
            return Error::make("error.indicators.dimension", "unknown dimension '" + d + "'", "by");
        keys += *column + ", ";
        group += (group.empty() ? "" : ", ") + *column;
    }
    std::string p1 = postgres ? "$1" : "?1", p2 = postgres ? "$2" : "?2";
    std::string where = " FROM applications a WHERE a.local_day >= " + p1 + " AND a.local_day < " + p2;
    std::string by = group.empty() ? std::string() : " GROUP BY " + group;
    auto sum = [](const std::string& e) { return "CAST(COALESCE(SUM(" + e + "), 0) AS BIGINT)"; };
    auto count_if = [&](const std::string& cond) { return sum("CASE WHEN " + cond + " THEN 1 ELSE 0 END"); };
    MeasureSql out;
    out.aggregate = "SELECT " + keys + "COUNT(*), " + count_if("a.channel = 'kiosk'") + ", " + count_if("a.channel = 'counter'")
                    + ", " + sum("a.fee_minor") + ", " + sum("a.paid_minor") + ", " + sum("a.waived_minor") + ", "
                    + count_if("a.exemption <> ''") + ", " + count_if("a.decided_ms IS NOT NULL") + ", "
                    + count_if("a.ready_ms IS NOT NULL") + ", " + count_if("a.decided_ms IS NULL") + ", "
                    + "MIN(CASE WHEN a.decided_ms IS NULL THEN a.submitted_ms END), " + count_if("a.surveys > 0") + ", "
                    + sum("a.rating_sum") + ", " + sum("a.ratings") + ", " + count_if("a.claimed_centre <> ''") + where + by;
    out.durations = "SELECT " + keys + "a.decided_ms - a.submitted_ms, a.ready_ms - a.submitted_ms, a.service_code" + where
                    + " AND a.decided_ms IS NOT NULL";
    out.surveys = "SELECT " + keys + "s.rating, s.reasons FROM surveys s JOIN applications a ON a.terminal = s.terminal "
                  "AND a.reference = s.reference WHERE a.local_day >= " + p1 + " AND a.local_day < " + p2;
    if (rollup::tickets_apply(query.group_by)) {
        static const std::map<std::string, std::string> kTicketColumns = {
            {"entity", "k.entity"}, {"category", "k.category"}, {"centre", "k.centre"},
            {"terminal", "CAST(k.terminal AS TEXT)"}, {"day", "CAST(k.local_day AS TEXT)"}};
        std::string ticket_keys;
        for (const auto& d : query.group_by)
            ticket_keys += kTicketColumns.at(d) + ", ";
        out.tickets = "SELECT " + ticket_keys + "k.status, k.issued_ms, k.called_ms FROM tickets k WHERE k.local_day >= " + p1
                      + " AND k.local_day < " + p2;
    }
    return out;
}

void MeasureCollector::aggregate(std::vector<std::string> keys, const std::vector<std::optional<int64_t>>& v)
{
    auto& r = m_rows[keys];
    r.keys = std::move(keys);
    auto at = [&](size_t i) { return i < v.size() && v[i] ? *v[i] : 0; };
    r.applications += at(0);
    r.kiosk += at(1);
    r.counter += at(2);
    r.fees_due_minor += at(3);
    r.fees_collected_minor += at(4);
    r.fees_exempted_minor += at(5);
    r.exempted += at(6);
    r.decided += at(7);
    r.ready += at(8);
    r.open += at(9);
    if (v.size() > 10 && v[10])
        r.oldest_open_ms = r.oldest_open_ms ? std::min(*r.oldest_open_ms, *v[10]) : *v[10];
    r.surveyed += at(11);
    r.rating_sum += at(12);
    r.rating_count += at(13);
    r.centre_flagged += at(14);
}

MeasureRow& MeasureCollector::row(std::vector<std::string> keys)
{
    auto& r = m_rows[keys];
    if (r.keys.empty())
        r.keys = std::move(keys);
    return r;
}

void MeasureCollector::duration(std::vector<std::string> keys, int64_t decision_ms, std::optional<int64_t> ready_ms,
                                const std::string& service_code)
{
    auto& r = row(std::move(keys));
    int bucket = rollup::bucket_of(std::max<int64_t>(0, decision_ms));
    rollup::count_in(r.decision_hist, bucket);
    if (rollup::bucket_value(bucket) <= rollup::limit_of(m_query.published_ms, service_code))
        ++r.decided_within;
    if (ready_ms)
        rollup::count_in(r.ready_hist, rollup::bucket_of(std::max<int64_t>(0, *ready_ms)));
}

void MeasureCollector::survey(std::vector<std::string> keys, std::optional<int64_t> rating, const std::string& reasons)
{
    // The same reading as the rollup's (rollup::read_survey_column), one survey at a time.
    rollup::App one;
    rollup::read_survey_column(one, std::to_string(rating.value_or(0)) + "|" + reasons);
    auto& r = row(std::move(keys));
    for (const auto& [v, n] : one.rating_counts)
        rollup::count_in(r.rating_hist, v, n);
    for (const auto& [i, n] : one.reason_counts)
        rollup::count_in(r.reason_hist, i, n);
}

void MeasureCollector::ticket(std::vector<std::string> keys, const std::string& status, int64_t issued_ms, std::optional<int64_t> called_ms)
{
    auto& r = row(std::move(keys));
    ++r.tickets;
    r.tickets_no_show += status == "no_show";
    r.tickets_served += status == "served";
    if (called_ms) {
        ++r.tickets_called;
        rollup::count_in(r.wait_hist, rollup::bucket_of(std::max<int64_t>(0, *called_ms - issued_ms)));
    }
}

std::vector<MeasureRow> MeasureCollector::finish(const MeasureQuery& query, const std::map<std::string, std::string>& terminal_ids)
{
    std::vector<MeasureRow> out;
    out.reserve(m_rows.size());
    for (auto& [k, row] : m_rows) {
        row.keys.resize(m_dims);
        for (size_t i = 0; i < query.group_by.size() && i < row.keys.size(); ++i)
            if (query.group_by[i] == "terminal")
                if (auto it = terminal_ids.find(row.keys[i]); it != terminal_ids.end())
                    row.keys[i] = it->second;
        out.push_back(std::move(row));
    }
    return out;
}

namespace {

// SELECT the grouping's columns, then `aggregates`, FROM `from` (joined to terminals as t) on the query's local days
// ($1/?1 first, $2/?2 the day after the last), grouped. error.indicators.dimension for a dimension `columns` lacks.
Result<std::string> per_day_sql(const std::map<std::string, std::string>& columns, const std::vector<std::string>& group_by, bool postgres,
                                const std::string& aggregates, const std::string& from, const std::string& day_column, const std::string& what)
{
    std::string cols, groups;
    for (const auto& d : group_by) {
        auto it = columns.find(d);
        if (it == columns.end())
            return Error::make("error.indicators.dimension", what + " have no dimension '" + d + "'", "by");
        cols += (postgres && d == "day" ? it->second + "::text" : it->second) + ", "; // (grouped as the number: faster)
        groups += (groups.empty() ? "" : ", ") + it->second;
    }
    std::string sql = "SELECT " + cols + aggregates + " FROM " + from + " WHERE " + day_column + " >= " + (postgres ? "$1" : "?1") + " AND "
                      + day_column + " < " + (postgres ? "$2" : "?2");
    if (!groups.empty())
        sql += " GROUP BY " + groups;
    return sql;
}

// `table` joined to the terminals (as t, for their ids) only when the grouping names them.
std::string with_terminals(const std::string& table, const std::string& alias, const std::vector<std::string>& group_by)
{
    if (std::find(group_by.begin(), group_by.end(), "terminal") == group_by.end())
        return table;
    return table + " JOIN terminals t ON t.no = " + alias + ".terminal";
}

} // namespace

Result<std::string> abandoned_visits_sql(const std::vector<std::string>& group_by, bool postgres)
{
    static const std::map<std::string, std::string> columns = {
        {"entity", "v.entity"},   {"service", "v.service_code"}, {"category", "v.category"}, {"centre", "v.centre"},
        {"terminal", "t.id"},     {"channel", "v.channel"},      {"day", "v.local_day"}};
    return per_day_sql(columns, group_by, postgres, "COUNT(*)", with_terminals("visits_abandoned v", "v", group_by), "v.local_day",
                       "abandoned visits");
}

Result<std::string> z_reports_sql(const std::vector<std::string>& group_by, bool postgres)
{
    static const std::map<std::string, std::string> columns = {{"centre", "z.centre"}, {"terminal", "t.id"}, {"day", "z.local_day"}};
    const char* cast = postgres ? "::bigint" : ""; // (PostgreSQL's SUM of bigint is numeric)
    return per_day_sql(columns, group_by, postgres,
                       std::string("COUNT(*), SUM(CASE WHEN z.difference_minor <> 0 THEN 1 ELSE 0 END)") + cast + ", SUM(z.difference_minor)" + cast
                           + ", SUM(ABS(z.difference_minor))" + cast,
                       with_terminals("z_reports z", "z", group_by), "z.local_day", "Z reports");
}

Result<void> backfill_z_reports(Store& store)
{
    if (!TRY(store.z_reports_need_backfill()))
        return {};
    // Entries stored before the projection existed: their Z reports from their signed bytes, terminal by terminal.
    std::map<std::string, std::vector<ZReportFact>> reports;
    for (const auto& t : TRY(store.terminals())) {
        std::vector<protocol::Entry> found;
        TRY(store.scan_entries(t.id, 0, [&](const SignedEntry& e) -> Result<void> {
            if (e.bytes.find("\"drawer.z_report\"") == std::string::npos)
                return {};
            auto j = nlohmann::json::parse(e.bytes, nullptr, false);
            if (!j.is_object() || j.value("type", "") != "drawer.z_report")
                return {};
            protocol::Entry entry;
            entry.seq = e.seq;
            entry.type = "drawer.z_report";
            entry.time = j.value("time", "");
            if (auto p = j.find("payload"); p != j.end() && p->is_object())
                entry.payload = *p;
            found.push_back(std::move(entry));
            return {};
        }));
        if (!found.empty())
            reports[t.id] = z_reports(found, 0, t.centre, 0);
    }
    return store.z_reports_backfill(reports);
}

} // namespace nafitha::central
