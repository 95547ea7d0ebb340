#pragma once
// The indicators' rollup (issue 15): per local day and per local month, per terminal × centre × entity × service ×
// category × channel, the applications' counts and sums and two duration histograms (submission → decision and
// → ready, fixed log-scale buckets), kept by both stores inside the ingest transaction (and by add_decision):
// the rows of every application a batch touches are read before and after the batch is applied, and the
// difference is added to their cells. Indicators read the month cells for whole months and the day cells for
// the rest, so a year's table reads ~12 × (terminals × services × channels) cells whatever the transactions.
//
// Days are local days: each application's `local_day` (days since 1970-01-01 of the local calendar) is fixed
// when it is first stored, from its centre's zone in the latest catalogue (the centre's "time_zone", else the
// catalogue's, else Asia/Damascus), so that a later change of zone never moves an application between cells.

#include "central/store/store.h"

#include <compare>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::central::rollup {

constexpr int32_t kGrainDay = 0;
constexpr int32_t kGrainMonth = 1;

// Durations in ms fall in buckets: 0 holds [0, 1000); bucket b ≥ 1 holds [L(b), L(b + 1)) with
// L(b) = floor(1000 × 2^((b − 1) / 8)) (eight buckets per doubling, each ~9 % wide), the last one open-ended.
// A percentile read from buckets is the nearest-rank value's bucket, reported as bucket_value (its lower bound
// × 2^(1/16), the geometric middle: within ~4.5 % of the exact value; 500 for bucket 0).
constexpr int kBuckets = 320;
int bucket_of(int64_t ms);
int64_t bucket_lower(int bucket);
int64_t bucket_value(int bucket);

using Hist = std::map<int32_t, int64_t>; // bucket -> count (no zero counts)
std::string encode_hist(const Hist& h);  // "b:n,b:n" by bucket
Hist decode_hist(std::string_view text);
void add_hist(Hist& into, const Hist& from, int64_t sign = 1);
// Dense histograms (count per bucket, index = bucket; empty = no values) for folding many cells fast.
using Dense = std::vector<int64_t>;
void count_in(Dense& into, int bucket, int64_t n = 1);
void add_dense(Dense& into, const Dense& from);
void add_text(Dense& into, std::string_view encoded); // an encode_hist text, straight in
Dense to_dense(const Hist& h);
// Nearest-rank percentile (the smallest bucket with at least p % of the values at or below it), as bucket_value.
std::optional<int64_t> hist_percentile(const Dense& h, int p);

// Local day numbers (days since 1970-01-01 in the local calendar).
int32_t month_of_day(int64_t day);          // YYYYMM
int64_t first_day_of_month(int32_t yyyymm); // its first day number

// Centre -> time zone, from a catalogue document; unknown or absent zones fall back to Asia/Damascus.
class ZoneBook {
public:
    ZoneBook();
    static ZoneBook from_catalogue(std::string_view document_json);
    int64_t local_day(const std::string& centre, int64_t unix_ms) const;

private:
    struct Impl;
    std::shared_ptr<const Impl> m_impl;
};

// One application as the rollup counts it.
struct App {
    std::string reference;
    int64_t terminal = 0, local_day = 0, submitted_ms = 0;
    std::string centre, entity, service_code, category, channel;
    int64_t fee_minor = 0, paid_minor = 0, waived_minor = 0;
    bool exempt = false, flagged = false;
    std::optional<int64_t> decided_ms, ready_ms;
    int64_t surveys = 0, rating_sum = 0, ratings = 0;
};
// The columns of `applications` to select for an App, in this order (read_app reads them).
extern const char* const kAppColumns;
// `Row` offers i64(col), str(col), null(col).
template<typename Row>
App read_app(const Row& r)
{
    App a;
    a.reference = r.str(0);
    a.terminal = r.i64(1);
    a.local_day = r.i64(2);
    a.submitted_ms = r.i64(3);
    a.centre = r.str(4);
    a.entity = r.str(5);
    a.service_code = r.str(6);
    a.category = r.str(7);
    a.channel = r.str(8);
    a.fee_minor = r.null(9) ? 0 : r.i64(9);
    a.paid_minor = r.i64(10);
    a.waived_minor = r.i64(11);
    a.exempt = !r.str(12).empty();
    a.flagged = !r.str(13).empty();
    if (!r.null(14))
        a.decided_ms = r.i64(14);
    if (!r.null(15))
        a.ready_ms = r.i64(15);
    a.surveys = r.i64(16);
    a.rating_sum = r.i64(17);
    a.ratings = r.i64(18);
    return a;
}

struct Key {
    int32_t grain = 0;
    int64_t period = 0; // day number (grain day) or YYYYMM (grain month)
    int64_t terminal = 0;
    std::string centre, entity, service_code, category, channel;
    auto operator<=>(const Key&) const = default;
};
// The key columns of app_rollup, in Key's order.
extern const char* const kKeyColumns;

struct Cell {
    int64_t applications = 0, fees_due_minor = 0, paid_minor = 0, waived_minor = 0, exempted = 0, decided = 0, ready = 0,
            open = 0, surveyed = 0, rating_sum = 0, ratings = 0, flagged = 0;
    std::optional<int64_t> oldest_open_ms;
    Hist decision, ready_hist;
};
// The value columns of app_rollup, in Cell's order (the two histograms as text last).
extern const char* const kCellColumns;
constexpr int kCellIntColumns = 13; // the 12 counts, then oldest_open_ms (nullable)
template<typename Row>
Cell read_cell(const Row& r, int first, bool histograms = true)
{
    Cell c;
    int64_t* f[] = {&c.applications, &c.fees_due_minor, &c.paid_minor, &c.waived_minor, &c.exempted, &c.decided,
                    &c.ready, &c.open, &c.surveyed, &c.rating_sum, &c.ratings, &c.flagged};
    for (int i = 0; i < 12; ++i)
        *f[i] = r.i64(first + i);
    if (!r.null(first + 12))
        c.oldest_open_ms = r.i64(first + 12);
    if (histograms) {
        c.decision = decode_hist(r.str(first + 13));
        c.ready_hist = decode_hist(r.str(first + 14));
    }
    return c;
}
template<typename Row>
Key read_key(const Row& r)
{
    return Key{static_cast<int32_t>(r.i64(0)), r.i64(1), r.i64(2), r.str(3), r.str(4), r.str(5), r.str(6), r.str(7)};
}

// What a set of application changes does to the cells.
struct Change {
    Cell sums;                             // signed
    std::optional<int64_t> added_open_min; // the earliest open application added
    std::set<int64_t> removed_open;        // submission times of open applications taken out
};

class Delta {
public:
    // sign +1 adds the application to its day and month cells, −1 takes it out.
    void add(const App& app, int sign);
    // Old rows (before the batch) out, new rows in; applications are matched by reference.
    void diff(const std::vector<App>& before, const std::vector<App>& after);
    const std::map<Key, Change>& changes() const { return m_changes; }
    bool empty() const { return m_changes.empty(); }

private:
    std::map<Key, Change> m_changes;
};

// Applies a change to a stored cell (absent: a zero cell). True when the cell's oldest open application was
// taken out and must be found again among the applications (recompute_oldest_sql).
bool merge(Cell& cell, const Change& change);
// SELECT MIN(submitted_ms) of the open applications of a cell: parameters 1..8 = the Key's fields, plus 9 = the
// last day of the period (the period's first day is derived from the key; see oldest_bounds).
std::pair<int64_t, int64_t> day_bounds(const Key& key); // [first day, last day] of the cell's period
extern const char* const kOldestOpenSqlite; // ?1 terminal ?2 first day ?3 last day ?4 centre ?5 entity ?6 service ?7 category ?8 channel
extern const char* const kOldestOpenPostgres;

// Which cells answer a query: for days [from_day, to_day), whole months from the month cells when
// `months_suffice`, the rest from the day cells.
struct Range {
    int32_t grain;
    int64_t from, to; // period bounds [from, to)
};
std::vector<Range> plan(int64_t from_day, int64_t to_day, bool months_suffice);
// Query days of a MeasureQuery: [floor(from_ms / day), ceil(to_ms / day)).
std::pair<int64_t, int64_t> query_days(const MeasureQuery& q);

// Folds cells into measure rows keyed by the query's dimensions.
class CellCollector {
public:
    explicit CellCollector(const MeasureQuery& query);
    Result<void> check() const; // error.indicators.dimension for an unknown dimension
    // `cell` without its histograms: they come as their stored texts (folded without building maps).
    void add(const Key& key, const Cell& cell, std::string_view decision_hist, std::string_view ready_hist);
    // Terminal numbers replaced by their ids.
    std::vector<MeasureRow> finish(const std::map<int64_t, std::string>& terminal_ids);

private:
    const MeasureQuery& m_query;
    std::map<std::vector<std::string>, MeasureRow> m_rows;
    int m_terminal_dim = -1;
};

} // namespace nafitha::central::rollup
