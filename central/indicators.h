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
    std::string unit;        // count | share | minor (money, minor units) | ms | rating
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

// The value of one indicator on one row of measures (exposed for tests); nullopt when undefined.
std::optional<double> evaluate(const Definition& definition, const MeasureRow& row, int64_t now_ms);

// Nearest-rank percentile (the smallest value with at least p% of the values at or below it); nullopt if empty.
// (Indicators read percentiles from the rollup's histograms: rollup::hist_percentile, the same rank over buckets.)
std::optional<int64_t> percentile(std::vector<int64_t> values, int p);

// Period labels of a (local) day number (unix ms / 86,400,000): 2026-11-28, 2026-W48, 2026-11, 2026-Q4, 2026.
std::string period_label(const std::string& period, int64_t day_number);

} // namespace nafitha::central::indicators
