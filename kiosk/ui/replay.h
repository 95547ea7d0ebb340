#pragma once
// Scripted sessions through the same input path a finger takes (queued pointer states, one transition per
// frame). One command per line; '#' starts a comment; text arguments run to the end of the line.
//
//   tap X Y                 press and release at pixel X, Y (fractions of the screen when both are <= 1.0)
//   tap_label TEXT          tap what is labelled TEXT on screen now (a button, tile or key)
//   tap_key KEY             tap what is labelled with translation KEY in the current language
//   tap_label_containing T  tap the first thing whose label contains T (a row by its reference)
//   expect_message KEY      fail unless the staff screen's last result (or the set-up screen's error or test-page
//                           outcome, or the technician's message) is the translation KEY
//   expect_scan KIND [TEXT] fail unless the devices tab's scanner test shows a valid code of KIND (a translation
//                           key, ui.tech.scan.kind.*) reading TEXT
//   expect_lang ar|en       fail unless the screen is in that language
//   hold X Y SECONDS        press, keep the finger down, release
//   drag X0 Y0 X1 Y1        drag over 12 frames (scrolls lists; inertia continues after release)
//   type TEXT               tap the on-screen keyboard's keys for TEXT (switching layout or shift as needed)
//   keys TEXT               type TEXT on the physical keyboard (SDL text input), one key a frame; {tab},
//                           {shift+tab}, {enter}, {backspace} for those keys
//   wait SECONDS            let time pass (simulated clock; 10 frames a second, drawn without rasterising)
//   settle                  finish background work and draw a few frames
//   scan PAYLOAD            the scanner reads PAYLOAD (a receipt's QR code; an enrollment QR on the set-up screen)
//   screenshot FILE         write the current screen to FILE (relative to the output folder)
//   expect_screen NAME      fail unless the current screen is NAME
//   expect_label TEXT       fail unless something labelled TEXT is on screen
//   expect_tracked STATUS [REASON_KEY [FEE]]  fail unless tracking shows an application with STATUS (paid,
//                           approved, ...), and when given the decision's reason key and the fee's fate (kept, refunded)
//   expect_track_error KEY  fail unless tracking refused with the error KEY
//   expect_wiped            fail unless the visit left nothing behind (start screen, empty session)
//   expect_field NAME VALUE fail unless form field NAME holds VALUE
//   lang ar|en              switch the language
//   screen NAME             jump to a screen with its demo state

#include "base/result.h"
#include "kiosk/ui/host.h"
#include "kiosk/ui/kiosk_ui.h"

#include <array>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::ui {

// Drives frames on a simulated clock.
class Runner {
public:
    Runner(Host& host, KioskUi& ui, Labels& labels, Worker& worker) : m_host(host), m_ui(ui), m_labels(labels), m_worker(worker) {}

    void frame(float dt = 1.0f / 60, Host::Raster raster = Host::Raster::Yes);
    // Drains the worker and draws frames until no task is in flight and no pointer state is queued.
    void settle();
    double now() const { return m_now; }
    Host& host() { return m_host; }
    KioskUi& ui() { return m_ui; }

private:
    Host& m_host;
    KioskUi& m_ui;
    Labels& m_labels;
    Worker& m_worker;
    double m_now = 0;
};

// One checked line of a script.
struct ReplayStep {
    int line = 0;                   // 1-based, for messages
    std::string command;
    std::string text;               // the rest of the line (label, key, text, payload, file, screen, language)
    std::string value;              // expect_field: the expected value (text holds the field name)
    std::array<float, 4> numbers{}; // tap: X Y; hold: X Y SECONDS; drag: X0 Y0 X1 Y1; wait: SECONDS
};

// Parses and checks a whole script (untrusted: a file given on the command line): known commands, UTF-8,
// numbers finite and in range (coordinates 0 to 100000, hold up to 60 s, wait up to 3600 s), screenshot names
// inside the output folder, lines up to 4 KiB, scripts up to 4 MiB. error.replay.failed names the line.
Result<std::vector<ReplayStep>> parse_replay(std::string_view script);

// Runs a script; screenshots land in `out_dir`. Progress lines go to `log`. The script is checked whole
// before its first command runs; then the first failing command is the error (with its line number).
Result<void> run_replay(Runner& runner, std::istream& script, const std::filesystem::path& out_dir, std::ostream& log);

} // namespace nafitha::ui
