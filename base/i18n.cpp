#include "base/i18n.h"

#include "base/fs.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

namespace nafitha {

std::string_view lang_code(Lang lang) { return lang == Lang::Ar ? "ar" : "en"; }

Result<Lang> parse_lang(std::string_view code)
{
    if (code == "ar")
        return Lang::Ar;
    if (code == "en")
        return Lang::En;
    return Error::make("error.lang.unknown", "unknown language '" + std::string(code) + "' (ar or en)");
}

bool is_rtl(Lang lang) { return lang == Lang::Ar; }

static Result<void> load_dir(const std::filesystem::path& dir, TextTable& out)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        return Error::make("error.i18n.missing", "translation folder not found: " + dir.string());
    std::vector<std::filesystem::path> files;
    for (auto& entry : std::filesystem::directory_iterator(dir, ec))
        if (entry.path().extension() == ".json")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (auto& file : files) {
        auto text = TRY(fs::read_file(file, 4 * 1024 * 1024));
        auto json = nlohmann::json::parse(text, nullptr, false);
        if (json.is_discarded() || !json.is_object())
            return Error::make("error.i18n.invalid", file.string() + ": not a JSON object");
        for (auto& [key, value] : json.items()) {
            if (!value.is_string())
                return Error::make("error.i18n.invalid", file.string() + ": value of '" + key + "' is not a string");
            if (!out.emplace(key, value.get<std::string>()).second)
                return Error::make("error.i18n.invalid", file.string() + ": duplicate key '" + key + "'");
        }
    }
    return {};
}

Result<I18n> I18n::load(const std::filesystem::path& assets_dir)
{
    I18n i18n;
    TRY(load_dir(assets_dir / "i18n" / "ar", i18n.m_ar));
    TRY(load_dir(assets_dir / "i18n" / "en", i18n.m_en));
    return i18n;
}

std::string format_placeholders(std::string_view pattern, TrArgs args)
{
    std::string out;
    out.reserve(pattern.size() + 16);
    format_placeholders_into(out, pattern, args);
    return out;
}

void format_placeholders_into(std::string& out, std::string_view pattern, TrArgs args)
{
    out.clear();
    size_t i = 0;
    while (i < pattern.size()) {
        if (pattern[i] == '{') {
            size_t close = pattern.find('}', i + 1);
            if (close != std::string_view::npos) {
                std::string_view name = pattern.substr(i + 1, close - i - 1);
                auto it = std::find_if(args.begin(), args.end(), [&](auto& a) { return a.first == name; });
                if (it != args.end()) {
                    out.append(it->second);
                    i = close + 1;
                    continue;
                }
            }
        }
        out.push_back(pattern[i++]);
    }
}

std::string_view I18n::text(Lang lang, std::string_view key) const
{
    const TextTable& first = table(lang);
    if (auto it = first.find(key); it != first.end())
        return it->second;
    const TextTable& second = table(lang == Lang::Ar ? Lang::En : Lang::Ar);
    if (auto it = second.find(key); it != second.end())
        return it->second;
    return key;
}

std::string I18n::tr(Lang lang, std::string_view key, TrArgs args) const
{
    return format_placeholders(text(lang, key), args);
}

bool I18n::has(Lang lang, std::string_view key) const { return table(lang).find(key) != table(lang).end(); }

std::string I18n::message(Lang lang, const Error& error) const
{
    return tr(lang, error.code, {{"field", error.field}, {"detail", error.detail}});
}

} // namespace nafitha
