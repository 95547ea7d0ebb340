#pragma once
// Queue tickets per centre and category: issue, call next, recall, no-show, serve; estimated wait from
// recent service times.

#include <cstdint>
#include <optional>
#include <string>

namespace nafitha::services {

enum class TicketStatus { Waiting, Called, Served, NoShow };
std::string_view ticket_status_name(TicketStatus status);

struct Ticket {
    int64_t id = 0;
    std::string number;       // "A017": category prefix + daily number
    std::string category;
    std::string centre;
    std::string day;          // YYYY-MM-DD (UTC)
    TicketStatus status = TicketStatus::Waiting;
    std::string issued_at;
    std::string called_at;    // empty until called
    std::string served_at;    // empty until served
    int counter = 0;          // the counter that called it
    int recalls = 0;
    std::optional<int64_t> staff_id;
    int waiting_ahead = 0;            // when issued: tickets ahead in the same category
    int64_t estimated_wait_s = 0;     // when issued: estimated wait in seconds
};

} // namespace nafitha::services
