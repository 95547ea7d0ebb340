#pragma once
// Satisfaction surveys: a 1-5 rating and an optional reason, tied to an application or a ticket.

#include <cstdint>
#include <optional>
#include <string>

namespace nafitha::services {

inline constexpr size_t kMaxSurveyReasonChars = 300;

// The associated data a survey's sealed reason is bound to (PiiVault): a sealed reason moved to another survey
// does not open.
std::string survey_context(int64_t survey_id);

struct SurveyRequest {
    std::string reference;             // the application, or empty
    std::optional<int64_t> ticket_id;  // the ticket, or empty (one of the two is required)
    int rating = 0;                    // 1..5
    std::string reason;                // optional, <= kMaxSurveyReasonChars code points
};

} // namespace nafitha::services
