#include "kiosk/ui/context.h"

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
    ticket.reset();
    survey_done = false;
    busy_message.clear();
    error.clear();
    quote.reset();
    cash_inserted.reset();
    cash_due = 0;
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

void Ctx::end_visit()
{
    session.wipe();
    if (labels)
        labels->forget();
    keyboard = Keyboard{};
    staff = StaffView{};
    idle_prompt = false;
    mode = Mode::Citizen;
    lang = Lang::Ar;
    reset(ScreenId::Attract);
}

void Ctx::begin_frame()
{
    targets.clear();
    text.reset();
}

} // namespace nafitha::ui
