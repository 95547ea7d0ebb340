#include "central/metrics.h"

#include <sstream>

namespace nafitha::central {

namespace {

struct Known {
    const char* name;
    const char* type;
    const char* help;
};

const Known kKnown[] = {
    {"nafitha_central_requests_total", "counter", "HTTP requests by path and status."},
    {"nafitha_central_entries_ingested_total", "counter", "Journal entries newly stored."},
    {"nafitha_central_batches_total", "counter", "Ingest batches accepted."},
    {"nafitha_central_refusals_total", "counter", "Refused requests by reason."},
    {"nafitha_central_fork_alarms_total", "counter", "Different entries offered under a stored sequence."},
    {"nafitha_central_front_events_total", "counter", "Front door events (deadline shutdowns, overload, rate limits)."},
};

std::string name_of(const std::string& series)
{
    auto brace = series.find('{');
    return brace == std::string::npos ? series : series.substr(0, brace);
}

} // namespace

void Metrics::add(const std::string& series, int64_t n)
{
    std::lock_guard lock(m_mutex);
    m_total[series] += n;
    m_unflushed[series] += n;
}

void Metrics::count_request(const std::string& path, int status)
{
    add("nafitha_central_requests_total{path=\"" + path + "\",status=\"" + std::to_string(status) + "\"}", 1);
}

void Metrics::count_refusal(const std::string& reason)
{
    add("nafitha_central_refusals_total{reason=\"" + reason + "\"}", 1);
}

void Metrics::count_event(const std::string& event)
{
    add("nafitha_central_front_events_total{event=\"" + event + "\"}", 1);
}

void Metrics::add_ingested(int64_t n) { add("nafitha_central_entries_ingested_total", n); }
void Metrics::add_fork_alarm() { add("nafitha_central_fork_alarms_total", 1); }
void Metrics::add_batch() { add("nafitha_central_batches_total", 1); }

std::vector<std::pair<std::string, int64_t>> Metrics::take_unflushed()
{
    std::lock_guard lock(m_mutex);
    std::vector<std::pair<std::string, int64_t>> out(m_unflushed.begin(), m_unflushed.end());
    m_unflushed.clear();
    return out;
}

void Metrics::restore_unflushed(const std::vector<std::pair<std::string, int64_t>>& deltas)
{
    std::lock_guard lock(m_mutex);
    for (const auto& [k, v] : deltas)
        m_unflushed[k] += v;
}

std::string Metrics::format(const std::vector<std::pair<std::string, int64_t>>& series)
{
    std::map<std::string, std::vector<const std::pair<std::string, int64_t>*>> by_name;
    for (const auto& s : series)
        by_name[name_of(s.first)].push_back(&s);
    std::ostringstream out;
    for (const auto& k : kKnown) {
        out << "# HELP " << k.name << " " << k.help << "\n# TYPE " << k.name << " " << k.type << "\n";
        auto it = by_name.find(k.name);
        if (it == by_name.end()) {
            std::string n = k.name;
            if (n == "nafitha_central_entries_ingested_total" || n == "nafitha_central_batches_total"
                || n == "nafitha_central_fork_alarms_total")
                out << n << " 0\n";
            continue;
        }
        for (const auto* s : it->second)
            out << s->first << " " << s->second << "\n";
    }
    return out.str();
}

std::string Metrics::render() const
{
    std::vector<std::pair<std::string, int64_t>> series;
    {
        std::lock_guard lock(m_mutex);
        series.assign(m_total.begin(), m_total.end());
    }
    return format(series);
}

} // namespace nafitha::central
