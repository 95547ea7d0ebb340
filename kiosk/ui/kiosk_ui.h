#pragma once
// The kiosk's frame: applies finished background work, reads the pointer, runs the idle timer and the
// out-of-service check, draws the current screen and its overlays. The host (host.h) owns SDL and ImGui.

#include "kiosk/ui/context.h"

#include <memory>
#include <string>
#include <string_view>

namespace nafitha::ui {

class KioskUi {
public:
    KioskUi(const I18n& i18n, Backend& backend, Labels& labels, Worker& worker, Theme theme);

    Ctx& ctx() { return m_ctx; }

    // Between ImGui::NewFrame() and ImGui::Render(): builds the frame's draw lists. `now` is seconds on a
    // monotonic (or simulated) clock.
    void build_frame(ImVec2 size, double now);

    // A code read by the scanner: on the citizen side it opens tracking with it (the receipt's QR code); on the
    // set-up screen an enrollment QR fills the form; on the technician's devices tab it is shown decoded.
    void on_scan(const std::string& payload);
    // A terminal that is not enrolled starts on the technician's first-run set-up (provisioning) screen.
    void start_first_run();
    // Text typed on a physical keyboard (development, or a counter keyboard): goes to the focused field.
    void on_typed(const std::u32string& text);

    // Puts the UI in the demo state `name` (demo.h: a screen with representative data, for screenshots and
    // golden images). False for an unknown name.
    bool show_demo(std::string_view name);

private:
    void check_idle();
    void check_health();
    // Spoken guidance: the screen's guidance when the screen or the language changes (or the speaker is turned
    // on), an error's message when a new one shows. Asks the voice only on a change: steady frames cost nothing.
    void speak_changes();

    std::unique_ptr<locale::Locale> m_locales[2]; // ar, en in the centre's zone (before m_ctx, which points at them)
    Ctx m_ctx;
    double m_last_health = -1e9;
    bool m_health_pending = false;
    double m_idle_prompt_since = 0;
    bool m_started = false;
    // What was last spoken: screen, language, error, and whether the speaker was on.
    ScreenId m_spoken_screen = ScreenId::Attract;
    Lang m_spoken_lang = Lang::Ar;
    std::string m_spoken_error;
    bool m_spoken_on = false;
    bool m_spoken_any = false;
    std::string m_voice_key; // "voice.<screen>" (reused)
};

} // namespace nafitha::ui
