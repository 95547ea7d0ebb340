#include "central/metrics.h"

#include <sstream>

namespace nafitha::central {

void Metrics::count_request(const std::string& path, int status)
{
    std::lock_guard lock(m_mutex);
    ++m_requests[{path, status}];
}

void Metrics::count_refusal(const std::string& reason)
{
    std::lock_guard lock(m_mutex);
    ++m_refusals[reason];
}

std::string Metrics::render() const
{
    std::ostringstream out;
    std::lock_guard lock(m_mutex);
    out << "# HELP nafitha_central_requests_total HTTP requests by path and status.\n"
           "# TYPE nafitha_central_requests_total counter\n";
    for (const auto& [key, n] : m_requests)
        out << "nafitha_central_requests_total{path=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
    out << "# HELP nafitha_central_entries_ingested_total Journal entries newly stored.\n"
           "# TYPE nafitha_central_entries_ingested_total counter\n"
           "nafitha_central_entries_ingested_total " << m_entries_ingested.load() << "\n"
        << "# HELP nafitha_central_batches_total Ingest batches accepted.\n"
           "# TYPE nafitha_central_batches_total counter\n"
           "nafitha_central_batches_total " << m_batches.load() << "\n"
        << "# HELP nafitha_central_refusals_total Refused requests by reason.\n"
           "# TYPE nafitha_central_refusals_total counter\n";
    for (const auto& [reason, n] : m_refusals)
        out << "nafitha_central_refusals_total{reason=\"" << reason << "\"} " << n << "\n";
    out << "# HELP nafitha_central_fork_alarms_total Different entries offered under a stored sequence.\n"
           "# TYPE nafitha_central_fork_alarms_total counter\n"
           "nafitha_central_fork_alarms_total " << m_fork_alarms.load() << "\n";
    return out.str();
}

} // namespace nafitha::central
