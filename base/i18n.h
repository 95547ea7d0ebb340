#pragma once
// Translations. Every user-visible string comes from assets/i18n/<lang>/*.json (one file per module, flat
// objects of key -> text with {name} placeholders). Arabic is the first language.

#include "base/result.h"

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace nafitha {

enum class Lang { Ar, En };

std::string_view lang_code(Lang lang);             // "ar" / "en"
Result<Lang> parse_lang(std::string_view code);    // "ar" / "en", else error.lang.unknown
bool is_rtl(Lang lang);

using TrArgs = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class I18n {
public:
    // Loads every *.json under <assets>/i18n/ar and <assets>/i18n/en. A duplicate key across files, or a
    // file that is not a flat object of strings, is an error naming the file.
    static Result<I18n> load(const std::filesystem::path& assets_dir);

    // The text for `key` in `lang` with {name} placeholders filled. A missing key falls back to the other
    // language, then to the key itself (tests check that every key exists in both languages).
    std::string tr(Lang lang, std::string_view key, TrArgs args = {}) const;
    bool has(Lang lang, std::string_view key) const;

    // The person-facing message for an error: its code looked up as a key.
    std::string message(Lang lang, const Error& error) const;

    const std::unordered_map<std::string, std::string>& table(Lang lang) const
    {
        return lang == Lang::Ar ? m_ar : m_en;
    }

private:
    std::unordered_map<std::string, std::string> m_ar;
    std::unordered_map<std::string, std::string> m_en;
};

// Fills {name} placeholders in `pattern`.
std::string format_placeholders(std::string_view pattern, TrArgs args);

} // namespace nafitha
