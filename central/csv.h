#pragma once
// CSV export of a table of rows (RFC 4180: comma separated, CRLF line ends, fields with a comma, a quote or a
// line break quoted with doubled quotes; UTF-8 with no byte order mark). The header is the first row's field
// names. A text cell that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
// return) is written with a leading apostrophe, so an exported value can never execute in the analyst's
// spreadsheet. Numbers are written as JSON writes them; null is an empty cell.

#include <nlohmann/json.hpp>
#include <string>

namespace nafitha::central {

std::string to_csv(const nlohmann::ordered_json& rows);

} // namespace nafitha::central
