#pragma once
// Log lines that an outsider can cause (refusals, broken connections) go through a token bucket, so that a
// flood of bad requests cannot flood the log or the disk. Lines over the budget are counted and the count is
// reported with the next line that gets through.

#include "base/log.h"

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace nafitha::central::front {

class LogLimiter {
public:
    explicit LogLimiter(double lines_per_second = 20, double burst = 100);
    void write(log::Level level, std::string_view component, const std::string& message);
    int64_t suppressed_total() const;

private:
    mutable std::mutex m_mutex;
    double m_rate;
    double m_burst;
    double m_tokens;
    int64_t m_last_ns = 0;
    int64_t m_suppressed = 0;       // since the last line written
    int64_t m_suppressed_total = 0;
};

} // namespace nafitha::central::front
