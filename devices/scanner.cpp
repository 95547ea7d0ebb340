#include "devices/scanner.h"

#include "base/clock.h"
#include "base/utf8.h"

namespace nafitha::devices {

WedgeDetector::Verdict WedgeDetector::release_as_typed()
{
    m_typed = m_burst;
    m_burst.clear();
    m_max_gap_seen = 0;
    return Verdict::Typed;
}

WedgeDetector::Verdict WedgeDetector::key(char32_t ch, int64_t time_ns)
{
    m_typed.clear();
    if (!m_burst.empty()) {
        int64_t gap = time_ns - m_last_ns;
        if (gap > m_options.max_gap_ns) {
            // Too slow for a scanner: the held keys were typed; this key starts a new burst.
            std::u32string held = m_burst;
            m_burst.clear();
            m_max_gap_seen = 0;
            if (ch == U'\n' || ch == U'\r') {
                m_typed = held + ch;
                return Verdict::Typed;
            }
            m_burst.push_back(ch);
            m_last_ns = time_ns;
            m_typed = held;
            return Verdict::Typed;
        }
        m_max_gap_seen = std::max(m_max_gap_seen, gap);
    }
    m_last_ns = time_ns;
    if (ch == U'\n' || ch == U'\r') {
        if (m_burst.size() >= m_options.min_length) {
            m_scan = utf8::encode(m_burst);
            m_burst.clear();
            m_max_gap_seen = 0;
            return Verdict::Scanned;
        }
        m_burst.push_back(ch);
        return release_as_typed();
    }
    m_burst.push_back(ch);
    if (m_burst.size() > m_options.max_length)
        return release_as_typed();
    return Verdict::Pending;
}

WedgeDetector::Verdict WedgeDetector::tick(int64_t time_ns)
{
    m_typed.clear();
    if (!m_burst.empty() && time_ns - m_last_ns > m_options.max_gap_ns)
        return release_as_typed();
    return m_burst.empty() ? Verdict::Typed : Verdict::Pending;
}

Result<std::optional<std::string>> SerialScanner::next(Millis timeout)
{
    int64_t deadline = clock::monotonic_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    for (;;) {
        size_t eol = m_buffer.find_first_of("\r\n");
        while (eol != std::string::npos) {
            std::string line = m_buffer.substr(0, eol);
            m_buffer.erase(0, eol + 1);
            bool was_discarding = m_discarding;
            m_discarding = false;
            if (was_discarding || line.size() > m_max_length)
                return Error::make("error.scanner.too_long", "scan longer than " + std::to_string(m_max_length));
            if (!line.empty()) {
                if (!utf8::is_valid(line))
                    return Error::make("error.scanner.bad_data", "scan is not UTF-8");
                return std::optional<std::string>(line);
            }
            eol = m_buffer.find_first_of("\r\n");
        }
        if (m_buffer.size() > m_max_length) {
            m_buffer.clear();
            m_discarding = true;
        }
        int64_t left = (deadline - clock::monotonic_ns()) / 1000000;
        if (left <= 0)
            return std::optional<std::string>();
        auto chunk = TRY(m_transport->read_some(256, Millis(left)));
        if (m_discarding) {
            auto e = chunk.find_first_of("\r\n");
            if (e == std::string::npos)
                continue;
            m_buffer = chunk.substr(e + 1);
            m_discarding = false;
            return Error::make("error.scanner.too_long", "scan longer than " + std::to_string(m_max_length));
        }
        m_buffer += chunk;
    }
}

} // namespace nafitha::devices
