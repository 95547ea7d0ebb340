#pragma once
// Payments: cash with change, card, exemption. Integer minor units of SYP (1 SYP = 100 minor units).

#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace nafitha::services {

enum class PayMethod { Cash, Card, Exemption };
std::string_view pay_method_name(PayMethod method); // "cash", "card", "exemption"

struct PaymentRequest {
    PayMethod method = PayMethod::Cash;
    int64_t tendered_minor = 0;        // Cash: what the citizen handed over (>= due)
    std::string card_authorisation;    // Card: the payment terminal's approval code (<= 32 chars)
    std::string exemption;             // Exemption: the exemption code (must be one of the service's)
    std::optional<int64_t> staff_id;   // the clerk taking the payment; empty at a kiosk
    std::string document;              // Exemption at the counter: the supporting document seen (stored sealed)

    static PaymentRequest cash(int64_t tendered, std::optional<int64_t> staff = {})
    {
        return {PayMethod::Cash, tendered, {}, {}, staff, {}};
    }
    static PaymentRequest card(std::string authorisation, std::optional<int64_t> staff = {})
    {
        return {PayMethod::Card, 0, std::move(authorisation), {}, staff, {}};
    }
    static PaymentRequest exempt(std::string exemption_code, std::optional<int64_t> staff = {})
    {
        return {PayMethod::Exemption, 0, {}, std::move(exemption_code), staff, {}};
    }
};

struct Payment {
    int64_t id = 0;
    std::string reference;       // the application's reference
    PayMethod method = PayMethod::Cash;
    int64_t amount_minor = 0;    // what was due and settled
    int64_t tendered_minor = 0;
    int64_t change_minor = 0;
    int64_t waived_minor = 0;    // Exemption: what was waived
    std::string card_authorisation;
    std::optional<int64_t> staff_id;
    std::string time;            // ISO 8601 UTC
    std::string day;             // YYYY-MM-DD, the local day in the centre's zone (the Z report's day)
};

struct StaffTotals {
    std::optional<int64_t> staff_id;   // empty = kiosk self-service
    std::string staff_name;
    int64_t count = 0;
    int64_t cash_minor = 0;
    int64_t card_minor = 0;
    int64_t waived_minor = 0;
    int64_t change_minor = 0;
};

// The numbers of an end-of-day Z report.
struct DayTotals {
    std::string day;             // YYYY-MM-DD, a local day in the centre's zone
    int64_t count = 0;
    int64_t cash_minor = 0;
    int64_t card_minor = 0;
    int64_t waived_minor = 0;
    int64_t change_minor = 0;
    std::vector<StaffTotals> by_staff;
    int64_t applications = 0;    // applications submitted that day
    int64_t tickets = 0;         // queue tickets issued that day
    // The cash drawer (counter): opening float, cash in and out, refunds, and what the drawer should hold.
    int64_t opening_float_minor = 0;
    int64_t cash_in_minor = 0;
    int64_t cash_out_minor = 0;
    int64_t refunds = 0;
    int64_t refunded_cash_minor = 0;
    int64_t refunded_card_minor = 0;
    int64_t counter_applications = 0; // of `applications`, registered at the counter
    int64_t decisions = 0;            // staff decisions taken that day (reversals not counted)
    int64_t reversals = 0;
    // float + cash payments + cash in - cash out - cash refunds
    int64_t expected_cash_minor = 0;
    // The day's latest close, when a supervisor declared the cash.
    std::optional<int64_t> declared_minor;
    std::optional<int64_t> difference_minor;
};

} // namespace nafitha::services
