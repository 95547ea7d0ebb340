#include "kiosk/services/reference.h"

#include "kiosk/services/text_normalize.h"
#include "sync/protocol/crypto.h"

#include <cstdio>

namespace nafitha::services {

// The Damm quasigroup table (order 10, weakly totally anti-symmetric).
static constexpr int kDamm[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

int damm_check_digit(std::string_view digits)
{
    int interim = 0;
    for (char c : digits)
        if (c >= '0' && c <= '9')
            interim = kDamm[interim][c - '0'];
    return interim;
}

std::string terminal_tag(std::string_view terminal_id)
{
    auto digest = protocol::sha256(terminal_id);
    uint32_t v = (uint32_t(digest[0]) << 24) | (uint32_t(digest[1]) << 16) | (uint32_t(digest[2]) << 8) | digest[3];
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04u", v % 10000u);
    return buf;
}

std::string make_reference(std::string_view tag, int64_t counter)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(counter % 1000000));
    std::string digits = std::string(tag) + buf;
    return std::string(tag) + "-" + buf + "-" + std::to_string(damm_check_digit(digits));
}

Result<std::string> parse_reference(std::string_view text)
{
    if (text.size() > 64)
        return Error::make("error.reference.invalid", "reference too long", "reference");
    std::string digits;
    for (char c : digits_to_ascii(text)) {
        if (c >= '0' && c <= '9')
            digits.push_back(c);
        else if (c != '-' && c != ' ')
            return Error::make("error.reference.invalid", "reference has a character other than digits", "reference");
    }
    if (digits.size() != 11)
        return Error::make("error.reference.invalid", "a reference has 11 digits", "reference");
    if (damm_check_digit(digits) != 0)
        return Error::make("error.reference.check_digit", "check digit does not match", "reference");
    return digits.substr(0, 4) + "-" + digits.substr(4, 6) + "-" + digits.substr(10, 1);
}

} // namespace nafitha::services
