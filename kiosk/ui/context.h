#pragma once
// Everything a screen's draw function gets: translations, theme, text, input, the backend, the worker, the
// citizen's session (wiped on idle) and view state. Screens keep only view state; the data comes from the
// backend.

#include "base/i18n.h"
#include "kiosk/ui/backend.h"
#include "kiosk/ui/keyboard.h"
#include "kiosk/ui/labels.h"
#include "kiosk/ui/theme.h"
#include "kiosk/ui/touch.h"
#include "kiosk/ui/worker.h"

#include <imgui.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::ui {

enum class Mode { Citizen, Staff, Technician, Service };

struct QuoteCache; // flow.cpp: the form's validation and fee for the current answers

// Caret and selection of one text field.
struct EditState {
    size_t caret = 0;  // byte offset
    size_t anchor = 0; // the selection is [min(caret, anchor), max(caret, anchor)) when they differ
};

// The citizen's visit. Everything here is wiped when the citizen leaves or the idle timer fires.
struct Session {
    std::string category;
    std::string service_code;
    FormValues values;
    std::string focused_field;
    std::map<std::string, EditState> edits;
    std::string exemption;
    std::vector<Error> errors;
    PayMethod method = PayMethod::Cash;
    std::optional<Payment> payment;
    std::optional<Submission> submission;
    std::string receipt_error; // translation key when the receipt could not be printed
    std::string track_input;
    std::optional<TrackedApplication> tracked;
    std::string track_error;
    std::optional<Ticket> ticket;
    bool survey_done = false;
    std::string busy_message; // translation key while a task runs
    std::string error;        // translation key of the last failure shown on screen
    std::shared_ptr<QuoteCache> quote;
    // Cash fed into the acceptor so far (written by the worker), and what is due.
    std::shared_ptr<std::atomic<int64_t>> cash_inserted;
    int64_t cash_due = 0;

    void wipe();
    bool empty() const;
};

struct StaffView {
    std::optional<StaffSession> session;
    std::vector<StaffSession> accounts;
    bool accounts_loaded = false;
    std::string login;
    std::string pin;
    std::string login_error;
    std::optional<QueueState> queue;
    std::vector<InboxItem> inbox;
    std::string selected;
    std::optional<PaymentsSummary> payments;
    std::string message; // translation key of the last result
    std::string tech_message;
    std::string tech_detail;
    SyncStatus sync;
    std::vector<DeviceInfo> devices;
    std::vector<std::pair<std::string, std::string>> versions;
    double last_poll = -1e9;
};

// Something tappable drawn this frame, with its label: replays tap by label, the way a person would.
struct Target {
    enum class Kind { Button, Key, SpecialKey };
    std::string text;
    Rect rect;
    Kind kind = Kind::Button;
};

struct Ctx {
    const I18n* i18n = nullptr;
    Lang lang = Lang::Ar;
    Theme theme = Theme::defaults();
    Labels* labels = nullptr;
    Backend* backend = nullptr;
    Worker* worker = nullptr;
    Touch touch;
    ImDrawList* layer = nullptr; // where widgets draw: the screen, or an overlay above it
    bool demo = false;           // screenshot mode: health comes from the demo state, not the backend

    ImVec2 size{1080, 1920};
    float scale = 1.0f; // 1.0 at 1080 pixels on the short side
    float dt = 1.0f / 60;
    double now = 0; // seconds since start (monotonic, or simulated in replays)
    double last_activity = 0;
    bool idle_prompt = false;
    double idle_timeout_s = 60;
    double idle_prompt_s = 15;

    std::string screen = "attract";
    std::vector<std::string> history;
    Mode mode = Mode::Citizen;

    std::vector<Target> targets; // cleared at the start of every frame

    Session session;
    StaffView staff;
    Keyboard keyboard;
    Scroller scroller;
    std::shared_ptr<const Catalogue> catalogue;
    Health health;

    // A translated string.
    std::string tr(std::string_view key, TrArgs args = {}) const { return i18n->tr(lang, key, args); }
    bool rtl() const { return is_rtl(lang); }
    bool portrait() const { return size.y >= size.x; }
    float u(float v) const { return v * scale; }                       // design units -> pixels
    float font(float v) const { return v * scale * theme.text_factor(); } // text sizes -> pixels
    const Palette& pal() const { return theme.pal(); }

    // Registers a tappable area under its label (ignored while a modal blocks the screen).
    void target(std::string_view text, const Rect& r, Target::Kind kind = Target::Kind::Button)
    {
        if (!touch.blocked())
            targets.push_back(Target{std::string(text), r, kind});
    }
    // Navigation: go() pushes the current screen on the history; back() pops; reset() clears.
    void go(const std::string& name);
    void back();
    void reset(const std::string& name);
    // Ends the citizen's visit: wipes the session and returns to the attract screen in Arabic.
    void end_visit();
};

} // namespace nafitha::ui
