#pragma once
// The indicators' base measures (Store::measures), one SQL text for both stores: only the placeholders differ.

#include "central/store/store.h"

#include <map>

namespace nafitha::central {

struct MeasureSql {
    std::string aggregate; // keys..., then the sums of MeasureRow in declaration order (see measure_sql)
    std::string durations; // keys..., decision ms, ready ms (NULL when not ready), service code of decided applications
    std::string tickets;   // keys..., status, issued ms, first call ms (NULL) of the tickets; empty: the grouping has none
    std::string surveys;   // keys..., rating (NULL), reasons of the surveys of the applications
};

// Parameters: 1 = first local day, 2 = the day after the last (MeasureQuery, rollup::query_days). `postgres` picks $N placeholders, else ?N.
Result<MeasureSql> measure_sql(const MeasureQuery& query, bool postgres);

// Number of summed columns after the keys in the aggregate query.
constexpr int kMeasureColumns = 15;

// Builds the rows from both queries' results, keyed by their dimension values.
class MeasureCollector {
public:
    explicit MeasureCollector(const MeasureQuery& query) : m_query(query), m_dims(query.group_by.size()) {}
    // `values`: the kMeasureColumns columns of one aggregate row (nullopt for NULL).
    void aggregate(std::vector<std::string> keys, const std::vector<std::optional<int64_t>>& values);
    void duration(std::vector<std::string> keys, int64_t decision_ms, std::optional<int64_t> ready_ms, const std::string& service_code);
    void ticket(std::vector<std::string> keys, const std::string& status, int64_t issued_ms, std::optional<int64_t> called_ms);
    void survey(std::vector<std::string> keys, std::optional<int64_t> rating, const std::string& reasons);
    // Terminal numbers in the "terminal" key replaced by terminal ids.
    std::vector<MeasureRow> finish(const MeasureQuery& query, const std::map<std::string, std::string>& terminal_ids);

private:
    MeasureRow& row(std::vector<std::string> keys);
    const MeasureQuery& m_query;
    size_t m_dims;
    std::map<std::vector<std::string>, MeasureRow> m_rows;
};

} // namespace nafitha::central
