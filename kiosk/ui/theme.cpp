#include "kiosk/ui/theme.h"

#include "base/fs.h"
#include "base/log.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>

namespace nafitha::ui {

namespace {

ImU32 rgb(unsigned hex)
{
    return IM_COL32((hex >> 16) & 0xFF, (hex >> 8) & 0xFF, hex & 0xFF, 0xFF);
}

// "#RRGGBB" -> colour; anything else keeps `fallback`.
ImU32 parse_colour(const nlohmann::json& j, ImU32 fallback)
{
    if (!j.is_string())
        return fallback;
    std::string s = j.get<std::string>();
    if (s.size() != 7 || s[0] != '#')
        return fallback;
    char* end = nullptr;
    unsigned long v = std::strtoul(s.c_str() + 1, &end, 16);
    if (end != s.c_str() + 7)
        return fallback;
    return rgb(static_cast<unsigned>(v));
}

void read_palette(const nlohmann::json& j, Palette& p)
{
    if (!j.is_object())
        return;
    auto field = [&](const char* name, ImU32& c) {
        if (j.contains(name))
            c = parse_colour(j[name], c);
    };
    field("background", p.background);
    field("surface", p.surface);
    field("surface_pressed", p.surface_pressed);
    field("primary", p.primary);
    field("primary_pressed", p.primary_pressed);
    field("on_primary", p.on_primary);
    field("text", p.text);
    field("text_muted", p.text_muted);
    field("accent", p.accent);
    if (!j.contains("warning_text"))
        p.warning_text = p.accent;
    field("warning_text", p.warning_text);
    field("danger", p.danger);
    field("success", p.success);
    field("border", p.border);
    field("header", p.header);
    field("on_header", p.on_header);
    field("key", p.key);
    field("key_pressed", p.key_pressed);
}

} // namespace

Theme Theme::defaults()
{
    Theme t;
    t.normal = Palette{rgb(0xF4F1EA), rgb(0xFFFFFF), rgb(0xDCE9E4), rgb(0x0B6E4F), rgb(0x08553D), rgb(0xFFFFFF),
                       rgb(0x1D2B28), rgb(0x5B6B66), rgb(0xC8963E), rgb(0xB3261E), rgb(0x1E7B3A), rgb(0xD5D0C4),
                       rgb(0x0B6E4F), rgb(0xFFFFFF), rgb(0xFFFFFF), rgb(0xBFD8CF)};
    t.high = Palette{rgb(0x000000), rgb(0x000000), rgb(0x333300), rgb(0xFFFF00), rgb(0xCCCC00), rgb(0x000000),
                     rgb(0xFFFFFF), rgb(0xFFFFFF), rgb(0x00FFFF), rgb(0xFF6060), rgb(0x60FF60), rgb(0xFFFFFF),
                     rgb(0x000000), rgb(0xFFFF00), rgb(0x000000), rgb(0x444400)};
    return t;
}

Theme Theme::load(const std::filesystem::path& assets_dir)
{
    Theme t = defaults();
    auto text = fs::read_file(assets_dir / "theme" / "theme.json", 64 * 1024);
    if (!text.ok()) {
        log::warn("ui", "theme.json not read, using built-in colours: " + text.error().to_string());
        return t;
    }
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        log::warn("ui", "theme.json is not a JSON object, using built-in colours");
        return t;
    }
    if (j.contains("normal"))
        read_palette(j["normal"], t.normal);
    if (j.contains("high_contrast"))
        read_palette(j["high_contrast"], t.high);
    if (j.contains("large_text_factor") && j["large_text_factor"].is_number()) {
        float f = j["large_text_factor"].get<float>();
        if (f >= 1.0f && f <= 2.0f)
            t.large_text_factor = f;
    }
    return t;
}

} // namespace nafitha::ui
