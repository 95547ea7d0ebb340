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

#include "central/store/facts.h"
#include "central/store/store.h"

#include <algorithm>
#include <array>
#include <compare>
#include <nlohmann/json_fwd.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::central::rollup {

// The store version whose app_rollup cells this code reads and writes (migration 12 added the surveys'
// histograms); a store opened at an older version by the migration tests keeps no cells. The queue's rollup
// (ticket_rollup) came with version 11.
constexpr int kCellsVersion = 12;
constexpr int kQueueVersion = 11;

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
// The nearest rank of the p-th percentile among n values (1-based): ceil(p × n / 100), within [1, n]. Both the
// exact percentile (indicators::percentile) and the bucketed one use it.
int64_t nearest_rank(int p, int64_t n);
// Nearest-rank percentile (the smallest bucket with at least p % of the values at or below it), as bucket_value.
std::optional<int64_t> hist_percentile(const Dense& h, int p);
// How many values of a histogram are within `limit_ms`: a bucket counts whole when its bucket_value is (the share
// decided within a service's published time: the public page and the indicator use this one rule).
int64_t count_within(const Dense& h, int64_t limit_ms);
// A service's published processing time as the limit of count_within: processing_days days, 0 counting as one.
inline int64_t published_limit_ms(int64_t processing_days) { return std::max<int64_t>(1, processing_days) * 86'400'000; }
// Each service's limit from a catalogue document ("services": [{code, processing_days}]).
std::map<std::string, int64_t> published_limits(const nlohmann::json& catalogue);
// The limit of one service (one day when `limits` does not name it).
int64_t limit_of(const std::map<std::string, int64_t>& limits, const std::string& service_code);

// Local day numbers (days since 1970-01-01 in the local calendar), H. Hinnant's civil-date algorithms.
int64_t days_from_civil(int y, int m, int d);
void civil_of_day(int64_t day, int& y, int& m, int& d);
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

// Category -> entity, from a catalogue document ("categories": [{code, entity}]).
std::map<std::string, std::string> category_entities(std::string_view document_json);

// The survey reasons a citizen can tap, as the kiosk sends them (survey.recorded "reasons", docs/PROTOCOL.md):
// a reason's index in this list is its bucket in the rollup's reason histograms. Other codes are not counted.
const std::vector<std::string>& survey_reason_codes();
// The reasons of one survey as stored (`surveys.reasons`): the known codes of a payload's list, comma-separated,
// each once, in survey_reason_codes()' order.
std::string stored_reasons(const std::vector<std::string>& codes);

// What a batch touches, for the rows to read before and after it: the applications (new, paid, refunded, with a
// status change or a survey) and the tickets (new or changed). Sets the new ones' local days on the way.
struct Touched {
    std::set<std::string> applications, tickets;
};
Touched touch(BatchFacts& facts, const ZoneBook& book);

// One application as the rollup counts it.
struct App {
    std::string reference;
    int64_t terminal = 0, local_day = 0, submitted_ms = 0;
    std::string centre, entity, service_code, category, channel;
    int64_t fee_minor = 0, paid_minor = 0, waived_minor = 0;
    bool exempt = false, flagged = false;
    std::optional<int64_t> decided_ms, ready_ms;
    int64_t surveys = 0, rating_sum = 0, ratings = 0;
    Hist rating_counts, reason_counts; // its surveys' ratings (1..5 -> count) and reasons (index -> count)
};
// The columns of `applications` to select for an App, in this order (read_app reads them): the last one sums up
// the application's surveys (rating|reasons;...) from `surveys` (version 12) on SQLite or PostgreSQL.
std::string app_columns(bool postgres);
// Folds that last column into an App's rating and reason counts.
void read_survey_column(App& app, std::string_view text);
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
    if (!r.null(19))
        read_survey_column(a, r.str(19));
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
    Hist rating_hist, reason_hist; // ratings (1..5) and survey reasons (index in survey_reason_codes()), version 12
};
// The value columns of app_rollup, in Cell's order (the four histograms as text last).
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
        c.rating_hist = decode_hist(r.str(first + 15));
        c.reason_hist = decode_hist(r.str(first + 16));
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

// The cells to write after a delta, the same on both stores: `stored` reads a cell as it is (nullopt: none), and
// `oldest_open` finds a cell's oldest open application again when the delta took it out. Cells left without any
// application are to be deleted, the others written whole.
template<typename K, typename C>
struct Settled {
    std::vector<std::pair<K, C>> keep;
    std::vector<K> drop;
};
Result<Settled<Key, Cell>> settle(const Delta& delta, const std::function<Result<std::optional<Cell>>(const Key&)>& stored,
                                  const std::function<Result<std::optional<int64_t>>(const Key&)>& oldest_open);
// The 12 counts of a cell in kCellColumns' order.
std::array<int64_t, 12> counts_of(const Cell& cell);

// ---- The queue's tickets (issue 15: waits and no-shows) ----
// Table `ticket_rollup`, kept like app_rollup: per local day and month × terminal × centre × entity × category,
// the tickets issued, called (at least once), marked no-show and served, and the histogram of the waits from issue
// to the first call (the same buckets as above). A ticket's day is its `local_day` (of issued_ms, fixed when first
// stored). Tickets have no service and no channel: the queue's measures are given only for groupings among day
// (and the periods), entity, category, centre, terminal (and the governorates and districts over centres).
struct Ticket {
    std::string ticket;
    int64_t terminal = 0, local_day = 0, issued_ms = 0;
    std::string centre, entity, category, status;
    std::optional<int64_t> called_ms;
};
extern const char* const kTicketColumns; // of `tickets`, in read_ticket's order
template<typename Row>
Ticket read_ticket(const Row& r)
{
    Ticket t;
    t.ticket = r.str(0);
    t.terminal = r.i64(1);
    t.local_day = r.i64(2);
    t.issued_ms = r.i64(3);
    t.centre = r.str(4);
    t.entity = r.str(5);
    t.category = r.str(6);
    t.status = r.str(7);
    if (!r.null(8))
        t.called_ms = r.i64(8);
    return t;
}

struct TicketKey {
    int32_t grain = 0;
    int64_t period = 0;
    int64_t terminal = 0;
    std::string centre, entity, category;
    auto operator<=>(const TicketKey&) const = default;
};
extern const char* const kTicketKeyColumns; // in TicketKey's order
struct TicketCell {
    int64_t issued = 0, called = 0, no_show = 0, served = 0;
    Hist wait;
};
extern const char* const kTicketCellColumns; // the four counts, then wait_hist
template<typename Row>
TicketKey read_ticket_key(const Row& r)
{
    return TicketKey{static_cast<int32_t>(r.i64(0)), r.i64(1), r.i64(2), r.str(3), r.str(4), r.str(5)};
}
template<typename Row>
TicketCell read_ticket_cell(const Row& r, int first, bool histogram = true)
{
    TicketCell c{r.i64(first), r.i64(first + 1), r.i64(first + 2), r.i64(first + 3), {}};
    if (histogram)
        c.wait = decode_hist(r.str(first + 4));
    return c;
}

class TicketDelta {
public:
    void add(const Ticket& ticket, int sign);
    void diff(const std::vector<Ticket>& before, const std::vector<Ticket>& after); // matched by ticket
    const std::map<TicketKey, TicketCell>& changes() const { return m_changes; }
    bool empty() const { return m_changes.empty(); }

private:
    std::map<TicketKey, TicketCell> m_changes;
};
Result<Settled<TicketKey, TicketCell>> settle(const TicketDelta& delta,
                                              const std::function<Result<std::optional<TicketCell>>(const TicketKey&)>& stored);
// Whether a grouping has queue measures (only dimensions a ticket has).
bool tickets_apply(const std::vector<std::string>& group_by);

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
    // `cell` without its histograms: they come as their stored texts (folded without building maps), in
    // kCellColumns' order.
    struct Texts {
        std::string_view decision, ready, ratings, reasons;
    };
    void add(const Key& key, const Cell& cell, const Texts& histograms);
    void add_tickets(const TicketKey& key, const TicketCell& counts, std::string_view wait_hist);
    // Terminal numbers replaced by their ids.
    std::vector<MeasureRow> finish(const std::map<int64_t, std::string>& terminal_ids);

private:
    const MeasureQuery& m_query;
    MeasureRow& row(const std::vector<std::string>& keys);
    std::string day_key(int32_t grain, int64_t period) const;
    std::map<std::vector<std::string>, MeasureRow> m_rows;
    int m_terminal_dim = -1;
};

} // namespace nafitha::central::rollup
