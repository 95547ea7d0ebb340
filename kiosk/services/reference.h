#pragma once
// Application reference numbers: "TTTT-NNNNNN-C", digits only so they can be printed, spoken and scanned.
// TTTT is a tag derived from the terminal id, NNNNNN the terminal's application counter, C a Damm check
// digit over the ten digits (catches every single-digit error and every adjacent transposition).

#include "base/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace nafitha::services {

int damm_check_digit(std::string_view digits);
std::string terminal_tag(std::string_view terminal_id);
std::string make_reference(std::string_view tag, int64_t counter);
// Accepts any digit form, spaces and dashes; error.reference.invalid or error.reference.check_digit.
Result<std::string> parse_reference(std::string_view text);

} // namespace nafitha::services
