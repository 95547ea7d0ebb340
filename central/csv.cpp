#include "central/csv.h"

namespace nafitha::central {

namespace {

std::string cell(const nlohmann::ordered_json& v)
{
    if (v.is_null())
        return {};
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    if (v.is_string() && !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t'
                                           || text[0] == '\r'))
        text.insert(text.begin(), '\'');
    if (text.find_first_of(",\"\r\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

} // namespace

std::string to_csv(const nlohmann::ordered_json& rows)
{
    std::string out;
    if (!rows.is_array() || rows.empty() || !rows[0].is_object())
        return out;
    std::vector<std::string> columns;
    for (const auto& [name, _] : rows[0].items())
        columns.push_back(name);
    for (size_t i = 0; i < columns.size(); ++i)
        out += (i ? "," : "") + cell(columns[i]);
    out += "\r\n";
    for (const auto& row : rows) {
        for (size_t i = 0; i < columns.size(); ++i) {
            auto it = row.find(columns[i]);
            out += (i ? "," : "") + (it == row.end() ? std::string() : cell(*it));
        }
        out += "\r\n";
    }
    return out;
}

} // namespace nafitha::central
