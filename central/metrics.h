#pragma once
// Counters for GET /metrics (Prometheus text format). Each instance counts in memory; the counts are added to
// the store every few seconds (Store::add_counters), so that /metrics shows the sum over every instance on
// the store and over restarts. render() is this instance's own view (since it started).

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace nafitha::central {

class Metrics {
public:
    void count_request(const std::string& path, int status);
    void count_refusal(const std::string& reason);
    void count_event(const std::string& event); // front events: deadline_shutdown, overloaded, rate_limited...
    void add_ingested(int64_t n);
    void add_fork_alarm();
    void add_batch();

    // This instance's counters since it started, in Prometheus text format.
    std::string render() const;
    // The counts not yet added to the store (cleared).
    std::vector<std::pair<std::string, int64_t>> take_unflushed();
    // Puts back counts that could not be stored.
    void restore_unflushed(const std::vector<std::pair<std::string, int64_t>>& deltas);

    // Prometheus text for series "name{labels}" -> value, with HELP/TYPE lines for the known names.
    static std::string format(const std::vector<std::pair<std::string, int64_t>>& series);

private:
    void add(const std::string& series, int64_t n);

    mutable std::mutex m_mutex;
    std::map<std::string, int64_t> m_total;
    std::map<std::string, int64_t> m_unflushed;
};

} // namespace nafitha::central
