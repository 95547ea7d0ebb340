#pragma once
// Indicators defined as data (like DHIS2's numerator/denominator definitions): each has an id (its field in the
// rows), a translated name (the key `indicator.<id>` in assets/i18n/{ar,en}/central.json), a numerator and an
// optional denominator over the store's base measures (Store::measures), a unit, which direction is good and an
// optional target. The built-in set is assets/indicators/builtin.json; `compute` answers one table: a row per
// combination of the requested dimensions, with one field per indicator.

#include "base/result.h"
#include "central/store/store.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::central::indicators {

struct Definition {
    std::string id;          // [a-z0-9_]+, the field name in the rows
    std::string numerator;   // a measure (see measure_names()) or pNN(decision_ms|ready_ms), NN in 1..99
    std::string denominator; // a measure, or empty
    std::string unit;        // count | share | minor (money, minor units) | ms | rating | minutes | days
    std::string direction;   // up | down | none (which way is good)
    std::optional<double> target;

    std::string name_key() const { return "indicator." + id; }
};

// The measures a numerator or denominator may name.
const std::vector<std::string>& measure_names();
// The dimensions `--by` accepts: the periods day, week (ISO 8601), month, quarter, year (local days; at most one), and
// entity, service, category, governorate, district (the latest catalogue's hierarchy over the enrolled centre),
// centre, terminal, channel.
const std::vector<std::string>& dimension_names();

// Parses and checks a definitions document {"format": "nafitha.indicators/1", "indicators": [...]}.
// error.indicators.definitions (with the offending indicator in the detail) when anything is wrong.
Result<std::vector<Definition>> parse_definitions(const nlohmann::json& document);
// The built-in set (assets/indicators/builtin.json).
Result<std::vector<Definition>> builtin_definitions();

struct Query {
    int64_t from_ms = 0;                // applications submitted in [from_ms, to_ms)
    int64_t to_ms = 0;
    std::vector<std::string> by;        // dimension_names(); error.indicators.dimension otherwise
    int64_t now_ms = 0;                 // for ages (backlog)
    bool raw = false;                   // from the applications rather than the rollup (tests)
};

// "YYYY-MM-DD" as the UTC midnight of that date (the day number × 86,400,000): the calendar day, which each
// application is matched against in its centre's local time; error.indicators.date otherwise.
Result<int64_t> parse_day(const std::string& text, const std::string& field);

// One JSON array: for each combination of the dimensions (sorted), an object with the dimension values then one
// field per indicator (null where it has no value, e.g. a share of nothing).
Result<nlohmann::ordered_json> compute(Store& store, const std::vector<Definition>& definitions, const Query& query);

// The terminals' measures of a row, from their health reports (Store::health_spans, latest_health) over the opening
// hours of their centres: only for rows grouped by periods, terminal, centre, governorate and district (a terminal
// serves every entity, service and channel, so they are undefined by those).
//   open_minutes            opening-hours minutes of the row's terminals (from enrolment, up to now)
//   available_minutes       of those, minutes covered by reports in service (polling and serving)
//   out_of_service_minutes  of those, minutes covered by reports out of service
//   days_since_last_sync    whole days since the last exchange (ingest or report) of the row's most silent terminal
// Opening hours: the centre's "opening_hours" in the latest catalogue ({"days": ["sun", ...], "open": "HH:MM",
// "close": "HH:MM"}), else the catalogue's, else Sunday to Thursday 08:00-15:00, in the centre's zone (its
// "time_zone", else the catalogue's, else Asia/Damascus). A report covers from its receipt until the next one of
// the same span, the last one of a span for kHealthReportCoverMs after it.
inline constexpr int64_t kHealthReportCoverMs = 60'000;
struct HealthMeasures {
    int64_t open_ms = 0, available_ms = 0, out_of_service_ms = 0;
    std::optional<int64_t> days_since_last_sync;
};

// What a terminal is doing now, from its last exchange (ingest or health report) and its latest report:
// "unknown" (never heard of), "offline" (silent for more than kHealthGapMs), "broken" (polling, out of service),
// "sending" (polling, entries pending), "online" (polling, in service, nothing pending). Translations:
// central.terminal.state.<state>.
std::string terminal_state(const TerminalRecord& terminal, const HealthSample* latest, int64_t now_ms);

// A row's measures that do not come from its applications.
//   visits_abandoned           visits abandoned before submission (visits_started = applications + abandoned)
//   z_reports, z_reports_with_difference, cash_difference_minor (signed: declared - computed), cash_difference_abs_minor
//                              the Z reports closing the row's days (undefined by entity, service, category and
//                              channel: a drawer's cash is not split by them; the differences undefined without reports)
//   cost_minor, cost_transactions
//                              the costs given (Store::costs) for the row's scope and its whole months, and the
//                              applications of those scopes and months: only for rows grouped by entity, or by
//                              centre, district or governorate, with or without a month, quarter or year; months
//                              the query's range covers from their first day to their end (the running month: to
//                              today); undefined where no cost is given or the months have no application
struct RowExtras {
    int64_t abandoned = 0;
    std::optional<Store::ZReportSum> z;
    std::optional<int64_t> cost_minor;
    int64_t cost_transactions = 0;
};

// The value of one indicator on one row of measures (exposed for tests); nullopt when undefined. `health` is null
// when the row's grouping does not define the terminals' measures.
std::optional<double> evaluate(const Definition& definition, const MeasureRow& row, int64_t now_ms,
                               const HealthMeasures* health = nullptr, const RowExtras& extras = {});

// Nearest-rank percentile (the smallest value with at least p% of the values at or below it); nullopt if empty.
// (Indicators read percentiles from the rollup's histograms: rollup::hist_percentile, the same rank over buckets.)
std::optional<int64_t> percentile(std::vector<int64_t> values, int p);

// A cost as the operator gives it (`nafitha-central costs set`): exactly one of `entity` and `centre` (a code of 1 to
// 64 of A-Z a-z 0-9 - _ .), the month "YYYY-MM" and the amount in minor units (a whole number 0..10^15).
// error.costs.scope, error.costs.month or error.costs.amount otherwise.
Result<CostRecord> make_cost(const std::string& entity, const std::string& centre, const std::string& month, const std::string& amount,
                             int64_t now_ms);
// Stores the cost when the latest catalogue knows its entity or centre (error.costs.unknown otherwise; any code
// when no catalogue was imported yet).
Result<void> set_cost(Store& store, const CostRecord& cost);

// Period labels of a (local) day number (unix ms / 86,400,000): 2026-11-28, 2026-W48, 2026-11, 2026-Q4, 2026.
std::string period_label(const std::string& period, int64_t day_number);

} // namespace nafitha::central::indicators
