#pragma once
// Colours and sizes. Normal and high-contrast palettes, and a large-text factor, from assets/theme/theme.json
// (built-in defaults when the file is missing).

#include <imgui.h>

#include <filesystem>

namespace nafitha::ui {

enum class Contrast { Normal, High };
enum class TextSize { Normal, Large };

struct Palette {
    ImU32 background, surface, surface_pressed, primary, primary_pressed, on_primary, text, text_muted, accent,
        danger, success, border, header, on_header, key, key_pressed;
    // Text that warns (the accent's meaning at WCAG AA contrast: the gold accent itself is 2.6:1 on white, so it
    // is for fills and outlines only).
    ImU32 warning_text = 0;
};

struct Theme {
    Palette normal{};
    Palette high{};
    float large_text_factor = 1.3f;
    Contrast contrast = Contrast::Normal;
    TextSize text_size = TextSize::Normal;

    const Palette& pal() const { return contrast == Contrast::High ? high : normal; }
    float text_factor() const { return text_size == TextSize::Large ? large_text_factor : 1.0f; }

    static Theme defaults();
    // Reads <assets>/theme/theme.json over the defaults; a bad file keeps the defaults.
    static Theme load(const std::filesystem::path& assets_dir);
};

} // namespace nafitha::ui
