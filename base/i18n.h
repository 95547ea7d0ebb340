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

// Key lookups by std::string_view without building a std::string (heterogeneous lookup).
struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using TextTable = std::unordered_map<std::string, std::string, TextHash, std::equal_to<>>;

class I18n {
public:
    // Loads every *.json under <assets>/i18n/ar and <assets>/i18n/en. A duplicate key across files, or a
    // file that is not a flat object of strings, is an error naming the file.
    static Result<I18n> load(const std::filesystem::path& assets_dir);

    // The text for `key` in `lang` with {name} placeholders filled. A missing key falls back to the other
    // language, then to the key itself (tests check that every key exists in both languages).
    std::string tr(Lang lang, std::string_view key, TrArgs args = {}) const;
    // The same without placeholders and without a copy: a view into the loaded table (valid while the
    // I18n lives), or `key` itself when no language has it (so keep `key` alive as long as the view). Allocates
    // nothing.
    std::string_view text(Lang lang, std::string_view key) const;
    bool has(Lang lang, std::string_view key) const;

    // The person-facing message for an error: its code looked up as a key.
    std::string message(Lang lang, const Error& error) const;

    const TextTable& table(Lang lang) const { return lang == Lang::Ar ? m_ar : m_en; }

private:
    TextTable m_ar;
    TextTable m_en;
};

// Fills {name} placeholders in `pattern`.
std::string format_placeholders(std::string_view pattern, TrArgs args);
// The same into `out` (cleared first; its capacity is reused).
void format_placeholders_into(std::string& out, std::string_view pattern, TrArgs args);

} // namespace nafitha
