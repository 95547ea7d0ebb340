#include "kiosk/ui/context.h"

#include "base/log.h"
#include "kiosk/ui/screens.h"

namespace nafitha::ui {

namespace {

// Overwrites a string's bytes before releasing them, so the citizen's input does not linger in freed memory.
void scrub(std::string& s)
{
    volatile char* p = s.data();
    for (size_t i = 0; i < s.size(); ++i)
        p[i] = 0;
    s.clear();
    s.shrink_to_fit();
}

void scrub(services::Application& a)
{
    scrub(a.reference);
    for (auto& [k, v] : a.values)
        scrub(v);
    a.values.clear();
    scrub(a.applicant.full_name);
    scrub(a.applicant.national_id);
    scrub(a.applicant.phone);
    scrub(a.applicant.address);
}

} // namespace

void Targets::add(std::string_view text, const Rect& r, Target::Kind kind)
{
    if (m_count == m_slots.size())
        m_slots.emplace_back();
    Target& t = m_slots[m_count++];
    t.text.assign(text.data(), text.size());
    t.rect = r;
    t.kind = kind;
}

std::string& FrameText::next()
{
    if (m_used == m_buffers.size())
        m_buffers.emplace_back();
    std::string& s = m_buffers[m_used++];
    s.clear();
    return s;
}

std::string_view Ctx::tr(std::string_view key, TrArgs args)
{
    std::string& out = text.next();
    format_placeholders_into(out, i18n->text(lang, key), args);
    return out;
}

uint64_t FormatMemo::hash(Kind kind, Lang lang, int64_t n, std::string_view s)
{
    // FNV-1a over the inputs.
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](uint8_t b) { h = (h ^ b) * 1099511628211ull; };
    mix(static_cast<uint8_t>(kind));
    mix(static_cast<uint8_t>(lang));
    for (int i = 0; i < 8; ++i)
        mix(static_cast<uint8_t>(static_cast<uint64_t>(n) >> (8 * i)));
    for (char c : s)
        mix(static_cast<uint8_t>(c));
    return h;
}

const std::string* FormatMemo::find(Kind kind, Lang lang, int64_t n, std::string_view s) const
{
    auto it = m_entries.find(hash(kind, lang, n, s));
    if (it == m_entries.end())
        return nullptr;
    const Entry& e = it->second;
    if (e.kind != kind || e.lang != lang || e.n != n || e.s != s)
        return nullptr;
    return &e.value;
}

const std::string& FormatMemo::put(Kind kind, Lang lang, int64_t n, std::string_view s, std::string value)
{
    Entry& e = m_entries[hash(kind, lang, n, s)];
    e = Entry{kind, lang, n, std::string(s), std::move(value)};
    return e.value;
}

namespace {

using MemoKind = FormatMemo::Kind;

// The memoised text of (kind, n, s) in the screen's language, made by `make` on a miss.
template<typename Make>
std::string_view memoised(Ctx& ctx, MemoKind kind, int64_t n, std::string_view s, Make make)
{
    if (const std::string* hit = ctx.memo.find(kind, ctx.lang, n, s))
        return *hit;
    return ctx.memo.put(kind, ctx.lang, n, s, make(ctx.loc()));
}

} // namespace

std::string_view Ctx::count(std::string_view key, int64_t n)
{
    return memoised(*this, MemoKind::Count, n, key, [&](const locale::Locale& l) { return l.tr(key, {{"n", n}}); });
}

std::string_view Ctx::number(int64_t n)
{
    return memoised(*this, MemoKind::Number, n, {}, [&](const locale::Locale& l) { return l.number(n); });
}

std::string_view Ctx::money(int64_t minor)
{
    std::string_view currency = catalogue ? std::string_view(catalogue->currency) : std::string_view("SYP");
    return memoised(*this, MemoKind::Money, minor, currency,
                    [&](const locale::Locale& l) { return l.money(minor, currency); });
}

std::string_view Ctx::date(std::string_view iso)
{
    return memoised(*this, MemoKind::Date, 0, iso, [&](const locale::Locale& l) {
        auto d = locale::parse_iso_date(iso);
        return d.ok() ? l.date(*d) : std::string(iso);
    });
}

std::string_view Ctx::date_long(std::string_view iso)
{
    return memoised(*this, MemoKind::DateLong, 0, iso, [&](const locale::Locale& l) {
        auto d = locale::parse_iso_date(iso);
        return d.ok() ? l.date_long(*d) : std::string(iso);
    });
}

std::string_view Ctx::hijri(std::string_view iso)
{
    return memoised(*this, MemoKind::Hijri, 0, iso, [&](const locale::Locale& l) {
        auto d = locale::parse_iso_date(iso);
        return d.ok() ? l.hijri(*d) : std::string();
    });
}

std::string_view Ctx::date_time(std::string_view iso)
{
    return memoised(*this, MemoKind::DateTime, 0, iso, [&](const locale::Locale& l) { return l.date_time(iso); });
}

std::string_view Ctx::digits(std::string_view ascii)
{
    return memoised(*this, MemoKind::Digits, 0, ascii, [&](const locale::Locale& l) { return l.digits(ascii); });
}

std::string_view Ctx::month_name(int month)
{
    return memoised(*this, MemoKind::Month, month, {}, [&](const locale::Locale& l) { return l.month_name(month); });
}

std::string_view Ctx::message(const Error& error)
{
    return tr(error.code, {{"field", error.field}, {"detail", error.detail}});
}

void Session::wipe()
{
    scrub(category);
    scrub(service_code);
    for (auto& [k, v] : values)
        scrub(v);
    values.clear();
    scrub(focused_field);
    scroll_to_field.clear();
    editing_from_review = false;
    picker = DatePicker{};
    edits.clear();
    exemption.clear();
    errors.clear();
    method = PayMethod::Cash;
    payment.reset();
    if (submission)
        scrub(submission->submission.application);
    submission.reset();
    scrub(track_input);
    tracked.reset();
    track_error.clear();
    track_editing = true;
    ticket.reset();
    survey_done = false;
    survey_reasons.clear();
    reprints = 0;
    reprint_message.clear();
    busy_message.clear();
    error.clear();
    quote.reset();
    cash_inserted.reset();
    cash_due = 0;
    cash_cancel.reset();
    cash_returned = 0;
}

void CounterView::wipe()
{
    scrub(tendered);
    scrub(card_auth);
    scrub(document);
    if (done)
        scrub(done->submission.application);
    done.reset();
    change_minor = 0;
    scrub(query);
    query_edit = {};
    query_focused = false;
    hits.clear();
    searched = false;
    if (app)
        scrub(*app);
    app.reset();
    reason = -1;
    scrub(note);
    note_edit = {};
    note_focused = false;
    confirming = false;
    outcome.reset();
    amount.clear();
    amount_edit = {};
    declared.clear();
    declared_edit = {};
    focus = 0;
    day.clear();
    totals.reset();
    message.clear();
}

bool Session::empty() const
{
    return category.empty() && service_code.empty() && values.empty() && !payment && !submission &&
           track_input.empty() && !tracked && !ticket;
}

void Ctx::go(ScreenId to)
{
    if (to == screen)
        return;
    history.push_back(screen);
    screen = to;
    scroller.reset();
}

void Ctx::back()
{
    if (history.empty())
        return;
    screen = history.back();
    history.pop_back();
    scroller.reset();
}

void Ctx::reset(ScreenId to)
{
    history.clear();
    screen = to;
    scroller.reset();
}

void Ctx::end_visit(bool timed_out)
{
    if (mode == Mode::Citizen && !session.service_code.empty() && !session.submission && backend && worker && !demo) {
        worker->post([b = backend, service = session.service_code, step = std::string(screen_name(screen)),
                      reason = std::string(timed_out ? "timeout" : "cancel")]() -> Worker::Completion {
            if (auto r = b->record_abandoned_visit(service, step, reason); !r.ok())
                log::warn("kiosk", "abandoned visit not journalled: " + r.error().to_string());
            return [] {};
        });
    }
    session.wipe();
    memo.clear(); // formatted dates may be the citizen's
    if (labels)
        labels->forget();
    keyboard = Keyboard{};
    counter.wipe();
    staff = StaffView{};
    idle_prompt = false;
    provision = ProvisionView{};
    mode = Mode::Citizen;
    lang = home_lang;
    voice_on = voice_default;
    reset(ScreenId::Attract);
}

void Ctx::record(LayoutItem::Kind kind, const Rect& box, const Rect& ink, ImU32 colour, float px, std::string_view s,
                 bool wraps)
{
    if (!layout_log)
        return;
    LayoutItem it;
    it.kind = kind;
    it.box = box;
    it.ink = ink;
    ImDrawList* dl = layer ? layer : ImGui::GetBackgroundDrawList();
    ImVec2 c0 = dl->GetClipRectMin(), c1 = dl->GetClipRectMax();
    it.clip = Rect{c0.x, c0.y, c1.x - c0.x, c1.y - c0.y};
    it.colour = colour;
    it.px = px;
    it.in_scroll = in_scroll;
    it.wraps = wraps;
    it.text.assign(s.data(), s.size());
    layout_log->add(std::move(it));
}

void Ctx::begin_frame()
{
    targets.clear();
    text.reset();
    in_scroll = false;
    if (layout_log)
        layout_log->clear();
    // Views into the memo live for one frame: it is bounded here, between frames.
    if (memo.size() > 4096)
        memo.clear();
}

} // namespace nafitha::ui
