#include "kiosk/ui/counter.h"

#include "base/utf8.h"
#include "kiosk/ui/flow.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/text_field.h"

#include <algorithm>

namespace nafitha::ui {

std::string_view ltr(Ctx& ctx, std::string_view s)
{
    std::string& out = ctx.text.next();
    out.append("\u2066").append(s).append("\u2069");
    return out;
}

size_t counter_focus_order(const Ctx& ctx, std::string_view* out, size_t max)
{
    size_t n = 0;
    const services::Service* s = current_service(ctx);
    if (!s)
        return 0;
    for (const auto& f : s->form)
        if (n < max && f.type != services::FieldType::Choice)
            out[n++] = f.name;
    if (n < max) {
        switch (ctx.session.method) {
        case PayMethod::Cash: out[n++] = kTenderedField; break;
        case PayMethod::Card: out[n++] = kCardField; break;
        case PayMethod::Exemption: out[n++] = kDocumentField; break;
        }
    }
    return n;
}

int64_t counter_due(Ctx& ctx)
{
    const services::Assessment& a = current_quote(ctx);
    return a.fee.ok() ? a.fee->total : 0;
}

// Pounds as typed (ASCII or Arabic-Indic digits, thousands separators, one decimal point) in minor units;
// -1 when it is not an amount. No allocation: the drawer and the cash field call it every frame.
static int64_t parse_pounds(std::string_view text)
{
    int64_t whole = 0, frac = 0;
    int frac_digits = -1;
    bool any = false;
    size_t pos = 0;
    while (pos < text.size()) {
        char32_t cp = utf8::decode_next(text, pos);
        int d = -1;
        if (cp >= '0' && cp <= '9')
            d = static_cast<int>(cp - '0');
        else if (cp >= 0x0660 && cp <= 0x0669)
            d = static_cast<int>(cp - 0x0660);
        else if (cp == ',' || cp == 0x066C || cp == ' ')
            continue;
        else if ((cp == '.' || cp == 0x066B) && frac_digits < 0) {
            frac_digits = 0;
            continue;
        } else
            return -1;
        any = true;
        if (frac_digits >= 0) {
            if (++frac_digits > 2)
                return -1;
            frac = frac * 10 + d;
        } else {
            whole = whole * 10 + d;
            if (whole > 100'000'000'000)
                return -1;
        }
    }
    if (!any)
        return -1;
    if (frac_digits == 1)
        frac *= 10;
    return whole * 100 + frac;
}

int64_t counter_tendered(const Ctx& ctx) { return parse_pounds(ctx.counter.tendered); }

bool counter_ready(Ctx& ctx)
{
    if (!current_quote(ctx).ok())
        return false;
    int64_t due = counter_due(ctx);
    switch (ctx.session.method) {
    case PayMethod::Cash: return due == 0 || counter_tendered(ctx) >= due;
    case PayMethod::Card: return due == 0 || !ctx.counter.card_auth.empty();
    case PayMethod::Exemption: return !ctx.session.exemption.empty() && !ctx.counter.document.empty();
    }
    return false;
}

namespace {

// The string and caret the counter's focused input edits, or null.
std::string* focused_value(Ctx& ctx, EditState*& st, size_t& max_chars)
{
    CounterView& cv = ctx.counter;
    Session& s = ctx.session;
    max_chars = 100;
    if (ctx.screen == ScreenId::CounterRegister) {
        const std::string& f = s.focused_field;
        if (f.empty())
            return nullptr;
        st = &s.edits[f];
        if (f == kTenderedField) {
            max_chars = 16;
            return &cv.tendered;
        }
        if (f == kCardField) {
            max_chars = 32;
            return &cv.card_auth;
        }
        if (f == kDocumentField)
            return &cv.document;
        return &s.values[f];
    }
    if (ctx.screen == ScreenId::StaffInbox) {
        st = &cv.query_edit;
        return &cv.query;
    }
    if (ctx.screen == ScreenId::CounterApplication && cv.note_focused) {
        st = &cv.note_edit;
        max_chars = 300;
        return &cv.note;
    }
    if (ctx.screen == ScreenId::CounterDrawer) {
        max_chars = 16;
        st = cv.focus == 0 ? &cv.amount_edit : &cv.declared_edit;
        return cv.focus == 0 ? &cv.amount : &cv.declared;
    }
    return nullptr;
}

void move_focus(Ctx& ctx, int step)
{
    std::string_view order[32];
    size_t n = counter_focus_order(ctx, order, 32);
    if (n == 0)
        return;
    size_t at = n;
    for (size_t i = 0; i < n; ++i)
        if (order[i] == ctx.session.focused_field)
            at = i;
    size_t next = 0;
    if (at == n)
        next = step > 0 ? 0 : n - 1;
    else
        next = step > 0 ? (at + 1) % n : (at + n - 1) % n;
    ctx.session.focused_field = std::string(order[next]);
    EditState& st = ctx.session.edits[ctx.session.focused_field];
    size_t len = 0;
    if (order[next] == kTenderedField)
        len = ctx.counter.tendered.size();
    else if (order[next] == kCardField)
        len = ctx.counter.card_auth.size();
    else if (order[next] == kDocumentField)
        len = ctx.counter.document.size();
    else
        len = ctx.session.values[ctx.session.focused_field].size();
    st.caret = st.anchor = len;
}

bool last_focus(const Ctx& ctx)
{
    std::string_view order[32];
    size_t n = counter_focus_order(ctx, order, 32);
    return n > 0 && order[n - 1] == ctx.session.focused_field;
}

} // namespace

void counter_key(Ctx& ctx, char32_t ch)
{
    CounterView& cv = ctx.counter;
    if (!ctx.session.busy_message.empty())
        return;
    if (ctx.screen == ScreenId::CounterRegister && (ch == U'\t' || ch == U'\x0b')) {
        move_focus(ctx, ch == U'\t' ? 1 : -1);
        return;
    }
    if (ctx.screen == ScreenId::CounterDrawer && (ch == U'\t' || ch == U'\x0b')) {
        cv.focus = 1 - cv.focus;
        return;
    }
    if (ch == U'\n') {
        switch (ctx.screen) {
        case ScreenId::CounterRegister:
            if (last_focus(ctx) && counter_ready(ctx))
                start_counter_submit(ctx);
            else
                move_focus(ctx, 1);
            return;
        case ScreenId::StaffInbox: start_counter_search(ctx); return;
        case ScreenId::CounterDone:
            cv.wipe();
            ctx.session.wipe();
            ctx.screen = ScreenId::CounterRegister;
            return;
        case ScreenId::CounterDrawer:
            if (cv.focus == 0)
                start_drawer_move(ctx);
            else
                start_close_day(ctx);
            return;
        default: return;
        }
    }
    EditState* st = nullptr;
    size_t max_chars = 100;
    std::string* value = focused_value(ctx, st, max_chars);
    if (!value || !st)
        return;
    KeyEvent ev;
    if (ch == U'\b') {
        ev.kind = KeyEvent::Kind::Backspace;
    } else if (ch >= 0x20 && ch != 0x7F) {
        ev.kind = KeyEvent::Kind::Insert;
        utf8::append(ev.text, ch);
    } else {
        return;
    }
    apply_key(ctx, ev, *value, *st, max_chars);
}

void start_counter_submit(Ctx& ctx)
{
    const services::Service* svc = current_service(ctx);
    if (!svc)
        return;
    Session& s = ctx.session;
    CounterView& cv = ctx.counter;
    const services::Assessment& assessed = current_quote(ctx);
    if (!assessed.ok()) {
        s.errors = assessed.validation.problems;
        cv.message = assessed.validation.ok() ? assessed.fee.error().code : std::string("ui.error.form");
        cv.message_ok = false;
        return;
    }
    if (!counter_ready(ctx)) {
        cv.message = "ui.counter.payment_incomplete";
        cv.message_ok = false;
        return;
    }
    int64_t due = assessed.fee->total;
    PaymentRequest pay;
    pay.method = s.method;
    if (s.method == PayMethod::Cash)
        pay.tendered_minor = due == 0 ? 0 : counter_tendered(ctx);
    else if (s.method == PayMethod::Card)
        pay.card_authorisation = cv.card_auth;
    else {
        pay.exemption = s.exemption;
        pay.document = cv.document;
    }
    Backend* b = ctx.backend;
    std::string code = svc->code;
    FormValues values = s.values;
    Lang lang = ctx.lang;
    int64_t change = s.method == PayMethod::Cash && due > 0 ? pay.tendered_minor - due : 0;
    staff_task(ctx, "ui.busy.saving", [b, code, values, pay, lang, change]() -> std::function<void(Ctx&)> {
        auto sub = b->counter_submit(code, values, pay, lang);
        if (!sub.ok())
            return [e = sub.error()](Ctx& c) {
                c.counter.message = e.code;
                c.counter.message_ok = false;
            };
        return [r = sub.release_value(), change](Ctx& c) {
            c.counter.done = r;
            c.counter.change_minor = change;
            c.counter.message.clear();
            c.screen = ScreenId::CounterDone;
        };
    });
}

void start_counter_search(Ctx& ctx)
{
    Backend* b = ctx.backend;
    std::string q = ctx.counter.query;
    staff_task(ctx, "ui.busy.loading", [b, q]() -> std::function<void(Ctx&)> {
        auto hits = b->search(q);
        if (!hits.ok())
            return [e = hits.error()](Ctx& c) {
                c.counter.message = e.code;
                c.counter.hits.clear();
                c.counter.searched = false;
            };
        return [h = hits.release_value()](Ctx& c) {
            c.counter.hits = h;
            c.counter.searched = true;
            c.counter.message.clear();
            c.scroller.reset();
        };
    });
}

void open_application(Ctx& ctx, const std::string& reference)
{
    Backend* b = ctx.backend;
    staff_task(ctx, "ui.busy.loading", [b, reference]() -> std::function<void(Ctx&)> {
        auto app = b->view_application(reference); // journalled: application.viewed
        if (!app.ok())
            return [e = app.error()](Ctx& c) { c.counter.message = e.code; };
        return [a = app.release_value()](Ctx& c) {
            CounterView& cv = c.counter;
            cv.app = a;
            cv.reason = -1;
            cv.note.clear();
            cv.note_edit = {};
            cv.note_focused = false;
            cv.confirming = false;
            cv.outcome.reset();
            cv.message.clear();
            c.go(ScreenId::CounterApplication);
        };
    });
}

void start_decide(Ctx& ctx)
{
    CounterView& cv = ctx.counter;
    if (!cv.app)
        return;
    auto reasons = services::decision_reasons();
    services::DecisionRequest req;
    req.reference = cv.app->reference;
    req.to = cv.verdict;
    if (cv.reason >= 0 && static_cast<size_t>(cv.reason) < reasons.size())
        req.reason = std::string(reasons[static_cast<size_t>(cv.reason)].code);
    req.note = cv.note;
    req.confirmed = true;
    Backend* b = ctx.backend;
    staff_task(ctx, "ui.busy.working", [b, req]() -> std::function<void(Ctx&)> {
        auto out = b->decide(req);
        if (!out.ok())
            return [e = out.error()](Ctx& c) {
                c.counter.message = e.code;
                c.counter.message_ok = false;
                c.counter.confirming = false;
            };
        return [o = out.release_value()](Ctx& c) {
            c.counter.app = o.application;
            c.counter.outcome = o;
            c.counter.confirming = false;
            c.counter.reason = -1;
            c.counter.note.clear();
            c.counter.note_edit = {};
            c.counter.message = "ui.counter.decided";
            c.counter.message_ok = true;
        };
    });
}

void start_reverse(Ctx& ctx)
{
    CounterView& cv = ctx.counter;
    if (!cv.app)
        return;
    Backend* b = ctx.backend;
    std::string ref = cv.app->reference;
    std::string note = cv.note;
    staff_task(ctx, "ui.busy.working", [b, ref, note]() -> std::function<void(Ctx&)> {
        auto out = b->reverse_decision(ref, note);
        if (!out.ok())
            return [e = out.error()](Ctx& c) {
                c.counter.message = e.code;
                c.counter.message_ok = false;
            };
        return [a = out.release_value()](Ctx& c) {
            c.counter.app = a;
            c.counter.outcome.reset();
            c.counter.note.clear();
            c.counter.note_edit = {};
            c.counter.message = "ui.counter.reversed";
            c.counter.message_ok = true;
        };
    });
}

void start_reprint(Ctx& ctx, const std::string& reference)
{
    Backend* b = ctx.backend;
    Lang lang = ctx.lang;
    staff_task(ctx, "ui.busy.printing", [b, reference, lang]() -> std::function<void(Ctx&)> {
        auto job = b->reprint(reference, lang);
        if (!job.ok() || !job->queued) {
            std::string key = job.ok() ? job->error : job.error().code;
            return [key](Ctx& c) {
                c.counter.message = key;
                c.counter.message_ok = false;
            };
        }
        return [](Ctx& c) {
            c.counter.message = "ui.counter.reprinted";
            c.counter.message_ok = true;
        };
    });
}

void refresh_drawer(Ctx& ctx)
{
    Backend* b = ctx.backend;
    std::string day = ctx.counter.day;
    staff_task(ctx, "ui.busy.loading", [b, day]() -> std::function<void(Ctx&)> {
        auto t = b->day_totals(day);
        if (!t.ok())
            return [e = t.error()](Ctx& c) { c.counter.message = e.code; };
        return [t = t.release_value()](Ctx& c) { c.counter.totals = t; };
    });
}

void start_drawer_move(Ctx& ctx)
{
    CounterView& cv = ctx.counter;
    int64_t amount = parse_pounds(cv.amount);
    if (amount < 0 || (amount == 0 && cv.move != services::DrawerMove::Float)) {
        cv.message = "error.drawer.bad_amount";
        cv.message_ok = false;
        return;
    }
    Backend* b = ctx.backend;
    services::DrawerMove kind = cv.move;
    std::string day = cv.day;
    staff_task(ctx, "ui.busy.saving", [b, kind, amount, day]() -> std::function<void(Ctx&)> {
        auto m = b->drawer_move(kind, amount, "");
        if (!m.ok())
            return [e = m.error()](Ctx& c) {
                c.counter.message = e.code;
                c.counter.message_ok = false;
            };
        auto t = b->day_totals(day);
        return [t = t.ok() ? std::optional<services::DayTotals>(*t) : std::nullopt](Ctx& c) {
            c.counter.totals = t;
            c.counter.amount.clear();
            c.counter.amount_edit = {};
            c.counter.message = "ui.counter.drawer.recorded";
            c.counter.message_ok = true;
        };
    });
}

void start_close_day(Ctx& ctx)
{
    CounterView& cv = ctx.counter;
    int64_t declared = parse_pounds(cv.declared);
    if (declared < 0) {
        cv.message = "error.drawer.bad_amount";
        cv.message_ok = false;
        return;
    }
    Backend* b = ctx.backend;
    std::string day = cv.day;
    Lang lang = ctx.lang;
    staff_task(ctx, "ui.busy.printing", [b, day, declared, lang]() -> std::function<void(Ctx&)> {
        auto z = b->close_day(day, declared, lang);
        if (!z.ok())
            return [e = z.error()](Ctx& c) {
                c.counter.message = e.code;
                c.counter.message_ok = false;
            };
        auto t = b->day_totals(z->day);
        return [t = t.ok() ? std::optional<services::DayTotals>(*t) : std::nullopt](Ctx& c) {
            c.counter.totals = t;
            c.counter.declared.clear();
            c.counter.declared_edit = {};
            c.counter.message = "ui.counter.drawer.closed";
            c.counter.message_ok = true;
        };
    });
}

void start_print_z(Ctx& ctx)
{
    Backend* b = ctx.backend;
    std::string day = ctx.counter.day;
    Lang lang = ctx.lang;
    staff_task(ctx, "ui.busy.printing", [b, day, lang]() -> std::function<void(Ctx&)> {
        auto r = b->print_z_report(lang, day);
        if (!r.ok())
            return [e = r.error()](Ctx& c) {
                c.counter.message = e.code;
                c.counter.message_ok = false;
            };
        return [](Ctx& c) {
            c.counter.message = "ui.staff.payments.z_printed";
            c.counter.message_ok = true;
        };
    });
}

} // namespace nafitha::ui
