#pragma once
// Counters for GET /metrics (Prometheus text format).

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace nafitha::central {

class Metrics {
public:
    void count_request(const std::string& path, int status);
    void count_refusal(const std::string& reason);
    void add_ingested(int64_t n) { m_entries_ingested += n; }
    void add_fork_alarm() { ++m_fork_alarms; }
    void add_batch() { ++m_batches; }

    // The counters in Prometheus text format (without per-terminal gauges, which the server adds).
    std::string render() const;

private:
    mutable std::mutex m_mutex;
    std::map<std::pair<std::string, int>, int64_t> m_requests;
    std::map<std::string, int64_t> m_refusals;
    std::atomic<int64_t> m_entries_ingested{0};
    std::atomic<int64_t> m_fork_alarms{0};
    std::atomic<int64_t> m_batches{0};
};

} // namespace nafitha::central
