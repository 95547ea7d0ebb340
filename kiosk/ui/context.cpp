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

} // namespace

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
    if (submission) {
        scrub(submission->reference);
    }
    submission.reset();
    receipt_error.clear();
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

void Ctx::go(const std::string& name)
{
    if (name == screen)
        return;
    history.push_back(screen);
    screen = name;
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

void Ctx::reset(const std::string& name)
{
    history.clear();
    screen = name;
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
    reset("attract");
}

} // namespace nafitha::ui
