#pragma once
// Everything a screen's draw function gets: translations, theme, text, input, the backend, the worker, the
// citizen's session (wiped on idle) and view state. Screens keep only view state, and they keep it here:
// no function statics. The data comes from the backend. See README.md ("The UI contract").
//
// A steady frame allocates nothing (tests/ui/test_alloc.cpp): translations are looked up as views, text
// built for one frame goes into the frame's reusable buffers (Ctx::frame_text), tappable targets reuse
// their slots, and widget state (a long press, a list's scroll) lives in these structs.

#include "base/i18n.h"
#include "kiosk/ui/backend.h"
#include "locale/locale.h"
#include "kiosk/ui/keyboard.h"
#include "kiosk/ui/labels.h"
#include "kiosk/ui/layout.h"
#include "kiosk/ui/theme.h"
#include "kiosk/ui/touch.h"
#include "kiosk/ui/worker.h"

#include <imgui.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nafitha::ui {

class Voice; // voice.h

enum class Mode { Citizen, Staff, Technician, Service };

// Every screen of every mode. Names (for --screen, --list-screens and replays) live in the registry
// (screens.h); code compares these.
enum class ScreenId : uint8_t {
    Attract,
    Language,
    Categories,
    Services,
    Service,
    Form,
    Review,
    Payment,
    Done,
    Survey,
    Track,
    Ticket,
    TicketChoice,
    OutOfService,
    StaffLogin,
    StaffHome,
    StaffQueue,
    StaffInbox,
    StaffPayments,
    StaffSync,
    CounterRegister,
    CounterDone,
    CounterApplication,
    CounterDrawer,
    TechDevices,
    TechNetwork,
    TechInfo,
    Provision,
    StaffUpdates,
};

struct QuoteCache; // flow.cpp: the form's assessment for the current answers

// Caret and selection of one text field.
struct EditState {
    size_t caret = 0;  // byte offset
    size_t anchor = 0; // the selection is [min(caret, anchor), max(caret, anchor)) when they differ
};

// The date picker over the form: which field it fills and the day it shows.
struct DatePicker {
    std::string field; // empty when closed
    int day = 1, month = 1, year = 1990;
    bool open() const { return !field.empty(); }
};

// The citizen's visit. Everything here is wiped when the citizen leaves or the idle timer fires.
struct Session {
    std::string category;
    std::string service_code;
    FormValues values;
    std::string focused_field;
    std::string scroll_to_field;  // the form scrolls this field into view at its next frame
    bool editing_from_review = false; // the form was opened from the review to change one answer
    DatePicker picker;
    std::map<std::string, EditState> edits;
    std::string exemption;
    std::vector<Error> errors;
    PayMethod method = PayMethod::Cash;
    std::optional<PaymentRequest> payment; // money taken by the devices: never taken twice
    std::optional<Submitted> submission;
    std::string track_input;
    std::optional<TrackedApplication> tracked;
    std::string track_error;
    bool track_editing = true;    // the pad is up (a result folds it away until the field is tapped)
    std::optional<TakenTicket> ticket;
    bool survey_done = false;
    std::vector<std::string> survey_reasons; // reason codes tapped before the rating (services::survey_reason_codes)
    int reprints = 0;             // receipt copies printed in this visit (one is offered)
    std::string reprint_message;  // translation key: the copy's outcome
    std::string busy_message; // translation key while a task runs
    std::string error;        // translation key of the last failure shown on screen
    std::shared_ptr<QuoteCache> quote;
    // Cash fed into the acceptor so far (written by the worker), what is due, the citizen's cancel (read by the
    // worker between notes) and what a cancelled payment gave back.
    std::shared_ptr<std::atomic<int64_t>> cash_inserted;
    int64_t cash_due = 0;
    std::shared_ptr<std::atomic<bool>> cash_cancel;
    int64_t cash_returned = 0;

    void wipe();
    bool empty() const;
};

// The technician's first-run set-up (and re-enrollment): language, centre, server and code typed or scanned,
// then the printer's test page, then done.
struct ProvisionView {
    enum class Step : uint8_t { Details, TestPage, Done };
    Step step = Step::Details;
    bool first_run = false;  // at boot on a terminal that is not enrolled (else from the technician's menu)
    Lang language = Lang::Ar;
    std::string centre;
    std::string server_url;
    std::string code;
    std::string central_key; // from a scanned QR only
    bool scanned = false;
    EditState edits[3];      // centre, server, code
    int focus = 1;           // the field the keyboard types into: 0 centre, 1 server, 2 code
    bool reveal = false;     // scroll the focused field into view at the next frame
    std::string error;       // translation key
    std::string error_centre; // the code's centre, for error.provision.centre_mismatch
    std::optional<ProvisionOutcome> outcome;
    std::string print_message; // translation key: the test page's outcome
    bool print_ok = false;
};

struct StaffView {
    std::optional<services::Session> session;
    std::vector<services::StaffAccount> accounts;
    bool accounts_loaded = false;
    std::string login;
    std::string pin;
    std::string login_error;
    std::optional<QueueState> queue;
    std::vector<services::InboxItem> inbox;
    std::string selected;
    std::optional<services::DayTotals> payments;
    std::string message; // translation key of the last result
    std::string tech_message;
    std::string tech_detail;
    SyncStatus sync;
    std::optional<services::PolicyState> health;  // days without a sync against central's policy
    std::vector<services::UnsyncedItem> unsynced; // oldest first
    std::optional<services::UpdateState> updates;  // the updates screen: window, postponement, last run
    std::vector<DeviceInfo> devices;
    std::vector<std::pair<std::string, std::string>> versions;
    double last_poll = -1e9;
    std::optional<NetworkInfo> network; // the network tab's details (probe run off the UI thread)
    bool network_loading = false;
    std::optional<ScanReading> scan;    // the devices tab's live scanner test
    int scans = 0;
};

// The counter's view state (staff-operated landscape terminal with a physical keyboard). The walk-in citizen's
// form itself lives in Session (service, values, edits, focus, exemption) and is wiped with it.
struct CounterView {
    // Registration and payment.
    std::string tendered;          // cash handed over, as typed (pounds)
    std::string card_auth;         // the card terminal's approval code, as typed
    std::string document;          // the exemption's supporting document, as noted
    std::optional<Submitted> done; // the visit just committed
    int64_t change_minor = 0;
    // Search and the application in front of the decider.
    std::string query;
    EditState query_edit;
    bool query_focused = false;
    std::vector<services::SearchHit> hits;
    bool searched = false;
    std::optional<services::Application> app; // decrypted: wiped when the panel closes
    services::AppStatus verdict = services::AppStatus::Approved;
    int reason = -1;               // index into services::decision_reasons()
    std::string note;
    EditState note_edit;
    bool note_focused = false;
    bool confirming = false;
    std::optional<services::DecisionOutcome> outcome;
    // The drawer and the Z report.
    services::DrawerMove move = services::DrawerMove::Float;
    std::string amount;
    EditState amount_edit;
    std::string declared;
    EditState declared_edit;
    int focus = 0;                 // drawer: 0 amount, 1 declared
    std::string day;               // the Z report's day ("" = today)
    std::optional<services::DayTotals> totals;
    std::string message;           // translation key of the last result
    bool message_ok = false;

    void wipe();
};

// Something tappable drawn this frame, with its label: replays tap by label, the way a person would.
struct Target {
    enum class Kind { Button, Key, SpecialKey };
    std::string text;
    Rect rect;
    Kind kind = Kind::Button;
};

// This frame's targets. Slots are reused from frame to frame (their strings keep their capacity).
class Targets {
public:
    void clear() { m_count = 0; }
    void add(std::string_view text, const Rect& r, Target::Kind kind);
    size_t size() const { return m_count; }
    const Target* begin() const { return m_slots.data(); }
    const Target* end() const { return m_slots.data() + m_count; }

private:
    std::vector<Target> m_slots;
    size_t m_count = 0;
};

// Text made for one frame (a formatted translation, money, digits). Buffers are reused from frame to frame,
// so a steady frame formats into memory it already has. A view stays valid until the next frame starts.
class FrameText {
public:
    // A cleared buffer of this frame.
    std::string& next();
    void reset() { m_used = 0; }

private:
    std::deque<std::string> m_buffers; // a deque: growing never moves the strings views point into
    size_t m_used = 0;
};

// Text formatted by the locale (ICU allocates), kept so that the next frames find it instead of formatting
// again: a steady frame allocates nothing. Keyed by what was formatted (kind, language, number, text); the
// entries hold views' memory until clear() (called between frames when it grows, and when a visit ends,
// since dates may be a citizen's).
class FormatMemo {
public:
    enum class Kind : uint8_t { Count, Number, Money, Date, DateLong, Hijri, DateTime, Digits, Month };
    // The memoised text, or null.
    const std::string* find(Kind kind, Lang lang, int64_t n, std::string_view s) const;
    // Stores `value` and returns the stored text.
    const std::string& put(Kind kind, Lang lang, int64_t n, std::string_view s, std::string value);
    size_t size() const { return m_entries.size(); }
    void clear() { m_entries.clear(); }

private:
    struct Entry {
        Kind kind;
        Lang lang;
        int64_t n;
        std::string s;
        std::string value;
    };
    static uint64_t hash(Kind kind, Lang lang, int64_t n, std::string_view s);
    std::unordered_map<uint64_t, Entry> m_entries; // node-based: stored strings never move
};

// A long press in progress: one pointer, so one at a time. See long_press() in widgets.h.
struct LongPressState {
    uint32_t id = 0;
    double since = -1;
};

// Reused buffers that drawing needs every frame.
struct FrameScratch {
    std::vector<CaretStop> caret_stops;
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
    // Spoken guidance: on or off for this visit (the speaker on the start screen), and what a visit starts
    // with (configured: --voice off keeps a kiosk quiet until a citizen turns the speaker on).
    bool voice_on = true;
    bool voice_default = true;
    Voice* voice = nullptr; // where speech goes (none: silent, e.g. headless runs)

    ImVec2 size{1080, 1920};
    float scale = 1.0f; // 1.0 at 1080 pixels on the short side
    float dt = 1.0f / 60;
    double now = 0; // seconds since start (monotonic, or simulated in replays)
    double last_activity = 0;
    bool idle_prompt = false;
    double idle_timeout_s = 60;
    double idle_prompt_s = 15;

    ScreenId screen = ScreenId::Attract;
    std::vector<ScreenId> history;
    Mode mode = Mode::Citizen;

    Targets targets; // cleared at the start of every frame
    // When attached (the layout tests), the widgets record the frame's boxes here (cleared every frame).
    LayoutLog* layout_log = nullptr;
    bool in_scroll = false; // drawing inside a scrolled region (begin_scroll .. end_scroll)
    ScreenId scroll_screen = ScreenId::Attract; // the screen whose region is being drawn

    Session session;
    StaffView staff;
    CounterView counter;
    ProvisionView provision;
    Lang home_lang = Lang::Ar; // the language a visit starts in (chosen at provisioning; Arabic by default)
    Keyboard keyboard;
    Scroller scroller; // the current screen's list or page (reset when the screen changes)
    LongPressState long_press;
    FrameText text;
    FrameScratch scratch;
    std::shared_ptr<const Catalogue> catalogue;
    // Formatting for each language in the centre's time zone (owned by KioskUi), and its memo.
    const locale::Locale* locales[2] = {nullptr, nullptr};
    FormatMemo memo;
    std::string centre; // where this terminal stands (the validation authority checks services against it)
    Health health;

    // A translation in the screen's language, or in `in`. Views into the loaded translations: no copy.
    std::string_view tr(std::string_view key) const { return i18n->text(lang, key); }
    std::string_view tr_in(Lang in, std::string_view key) const { return i18n->text(in, key); }
    // A translation with {name} placeholders filled, in this frame's text.
    std::string_view tr(std::string_view key, TrArgs args);
    // An error's message in the screen's language, in this frame's text.
    std::string_view message(const Error& error);
    // The locale of the screen's language.
    const locale::Locale& loc() const { return *locales[lang == Lang::Ar ? 0 : 1]; }
    // Locale-formatted text (memoised; valid until the memo is cleared between frames or at a visit's end):
    // a plural message with its count {n}, a number, money in the catalogue's currency, a stored day
    // ("YYYY-MM-DD") day first / with the month's name / in the Hijri calendar, a stored UTC time in local time.
    // A text that is not a day or a time is shown as it is.
    std::string_view count(std::string_view key, int64_t n);
    std::string_view number(int64_t n);
    std::string_view money(int64_t minor);
    std::string_view date(std::string_view iso_day);
    std::string_view date_long(std::string_view iso_day);
    std::string_view hijri(std::string_view iso_day);
    std::string_view date_time(std::string_view iso_utc);
    // A value's digits in the language's digits (a national ID or a phone number as the citizen reads it).
    std::string_view digits(std::string_view ascii);
    // The name of month 1-12 ("أيار" / "May").
    std::string_view month_name(int month);
    bool rtl() const { return is_rtl(lang); }
    bool portrait() const { return size.y >= size.x; }
    float u(float v) const { return v * scale; }                       // design units -> pixels
    float font(float v) const { return v * scale * theme.text_factor(); } // text sizes -> pixels
    const Palette& pal() const { return theme.pal(); }

    // Registers a tappable area under its label (ignored while a modal blocks the screen).
    void target(std::string_view text, const Rect& r, Target::Kind kind = Target::Kind::Button)
    {
        if (touch.blocked())
            return;
        targets.add(text, r, kind);
        if (layout_log)
            record(LayoutItem::Kind::Control, r, r, 0, 0, text);
    }
    // Records a box in the layout log (when one is attached), with the clip in effect.
    void record(LayoutItem::Kind kind, const Rect& box, const Rect& ink, ImU32 colour, float px, std::string_view text,
                bool wraps = false);
    // Navigation: go() pushes the current screen on the history; back() pops; reset() clears.
    void go(ScreenId to);
    void back();
    void reset(ScreenId to);
    // Ends the citizen's visit: wipes the session and returns to the attract screen in Arabic. A citizen's visit
    // that chose a service and submitted nothing is journalled first (off the UI thread) as abandoned, with the
    // last screen reached and why (`timed_out`: the idle timer, else the citizen left); no personal data.
    void end_visit(bool timed_out = false);
    // Called by the frame before anything is drawn.
    void begin_frame();
};

} // namespace nafitha::ui
