#pragma once
// Satisfaction surveys: a 1-5 rating and an optional reason, tied to an application or a ticket.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::services {

inline constexpr size_t kMaxSurveyReasonChars = 300;

// The associated data a survey's sealed reason is bound to (PiiVault): a sealed reason moved to another survey
// does not open.
std::string survey_context(int64_t survey_id);

// The reasons a citizen can tap (docs/PROTOCOL.md, survey.recorded "reasons"), in the order the kiosk shows them;
// each is translated as "ui.survey.reason.<code>". Codes are not personal data: they are journalled as they are.
const std::vector<std::string>& survey_reason_codes();

struct SurveyRequest {
    std::string reference;             // the application, or empty
    std::optional<int64_t> ticket_id;  // the ticket, or empty (one of the two is required)
    int rating = 0;                    // 1..5
    std::string reason;                // optional, <= kMaxSurveyReasonChars code points (sealed, never journalled)
    std::vector<std::string> reasons = {}; // optional codes among survey_reason_codes() (error.survey.reason_code)
};

} // namespace nafitha::services
