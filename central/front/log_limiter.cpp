#include "central/front/log_limiter.h"

#include "base/clock.h"

#include <algorithm>

namespace nafitha::central::front {

LogLimiter::LogLimiter(double lines_per_second, double burst) : m_rate(lines_per_second), m_burst(burst), m_tokens(burst) {}

void LogLimiter::write(log::Level level, std::string_view component, const std::string& message)
{
    int64_t suppressed = 0;
    {
        std::lock_guard lock(m_mutex);
        int64_t now = clock::monotonic_ns();
        if (m_last_ns)
            m_tokens = std::min(m_burst, m_tokens + static_cast<double>(now - m_last_ns) / 1e9 * m_rate);
        m_last_ns = now;
        if (m_tokens < 1) {
            ++m_suppressed;
            ++m_suppressed_total;
            return;
        }
        m_tokens -= 1;
        suppressed = m_suppressed;
        m_suppressed = 0;
    }
    if (suppressed)
        log::write(level, component, message + " (" + std::to_string(suppressed) + " similar lines suppressed before this one)");
    else
        log::write(level, component, message);
}

int64_t LogLimiter::suppressed_total() const
{
    std::lock_guard lock(m_mutex);
    return m_suppressed_total;
}

} // namespace nafitha::central::front
