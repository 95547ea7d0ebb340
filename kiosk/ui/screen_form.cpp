// The service's form: fields from the catalogue, an on-screen keyboard for the focused field, every problem
// shown next to its field in the citizen's language (the one validation authority, services::assess, judges).
// Dates are typed day/month/year: the mask shows in the empty field, the slashes appear by themselves (or from
// the pad's "/" key), the hint says the same as the error message, a picker sets a date without typing, and a
// complete date is read back with its Hijri date so that the citizen sees which day was understood.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/text_field.h"
#include "kiosk/ui/widgets.h"

#include "base/clock.h"
#include "base/utf8.h"

#include <algorithm>

namespace nafitha::ui {

namespace {

using services::FieldType;

bool numeric_field(FieldType t)
{
    return t == FieldType::NationalId || t == FieldType::Phone || t == FieldType::Number || t == FieldType::Amount ||
           t == FieldType::Date || t == FieldType::ScanReference;
}

bool is_digit(char32_t cp) { return (cp >= '0' && cp <= '9') || (cp >= 0x0660 && cp <= 0x0669) || (cp >= 0x06F0 && cp <= 0x06F9); }

} // namespace

// Day/month/year as typed: digits in any form and "/" from the pad. A part ends with "/" or when it is full
// (two digits for the day and the month, four for the year); a one-digit day or month ended by "/" gets its
// zero. The slashes appear by themselves: "17051990" becomes "17/05/1990", "1/5/1990" becomes "01/05/1990".
void format_date_typing(std::string& value, EditState& st)
{
    std::u32string parts[3];
    size_t part = 0;
    bool closed[3] = {false, false, false};
    size_t pos = 0;
    while (pos < value.size()) {
        char32_t cp = utf8::decode_next(value, pos);
        if (cp == '/' || cp == '-' || cp == '.') {
            if (part < 2 && !parts[part].empty()) {
                closed[part] = true;
                ++part;
            }
            continue;
        }
        if (!is_digit(cp))
            continue;
        size_t limit = part == 2 ? 4 : 2;
        if (parts[part].size() == limit) {
            if (part == 2)
                continue;
            closed[part] = true;
            ++part;
        }
        parts[part] += cp;
    }
    std::u32string out;
    for (size_t i = 0; i <= part; ++i) {
        std::u32string p = parts[i];
        if (i < 2 && closed[i] && p.size() == 1) {
            // The zero in the same digit form as the digit it goes before.
            char32_t zero = p[0] >= 0x06F0 ? 0x06F0 : (p[0] >= 0x0660 ? 0x0660 : U'0');
            p.insert(p.begin(), zero);
        }
        out += p;
        // The slash after a full (or closed) day or month.
        if (i < 2 && (closed[i] || parts[i].size() == 2) && (i < part || parts[i].size() == 2))
            out += U'/';
    }
    value = utf8::encode(out);
    st.caret = st.anchor = value.size();
}

namespace {

const Error* problem_for(const Session& s, const std::string& field)
{
    for (const Error& e : s.errors) {
        if (e.field == field)
            return &e;
    }
    return nullptr;
}

// The picker over the form: day, month and year with steps, the day read back with its Hijri date; OK writes
// the field as the citizen would have typed it.
void draw_date_picker(Ctx& ctx, const services::FormField& field)
{
    const Palette& p = ctx.pal();
    DatePicker& dp = ctx.session.picker;
    scrim(ctx, IM_COL32(0, 0, 0, 150));
    float m = margin(ctx);
    float w = std::min(ctx.size.x - 2 * m, ctx.u(1000));
    float pad = ctx.u(30);
    float title_h = text_h(ctx, ctx.font(42));
    float col_h = text_h(ctx, ctx.font(30));
    float value_h = text_h(ctx, ctx.font(44));
    float bh = std::max(touch_min(ctx), text_h(ctx, ctx.font(40)) + ctx.u(24));
    locale::Date d{dp.year, dp.month, dp.day};
    std::string_view reads = ctx.tr("ui.form.date_reads", {{"date", ctx.date_long(d.iso())}, {"hijri", ctx.hijri(d.iso())}});
    float reads_h = paragraph_height(ctx, w - 2 * pad, reads, ctx.font(32));
    float h = pad + title_h + ctx.u(16) + col_h + ctx.u(8) + bh + ctx.u(8) + value_h + ctx.u(8) + bh + ctx.u(20) + reads_h + ctx.u(24) +
              button_h(ctx) + pad;
    h = std::min(h, ctx.size.y - 2 * ctx.u(10));
    Rect box{(ctx.size.x - w) * 0.5f, (ctx.size.y - h) * 0.5f, w, h};
    fill(ctx, box, p.surface, ctx.u(24));
    outline(ctx, box, p.primary, ctx.u(24), ctx.u(4));
    float y = box.y + pad;
    label(ctx, Rect{box.x + pad, y, box.w - 2 * pad, title_h}, field.label.in(ctx.lang), ctx.font(42), p.text, Align::Center);
    y += title_h + ctx.u(16);
    float gap = ctx.u(20);
    float cw = (box.w - 2 * pad - 2 * gap) / 3.0f;
    Rect row{box.x + pad, y, box.w - 2 * pad, col_h};
    // Day at the start side, then month, then year: the order the date is written in.
    struct Column {
        const char* title;
        int which;
    };
    static constexpr Column kColumns[] = {{"ui.form.day", 0}, {"ui.form.month", 1}, {"ui.form.year", 2}};
    locale::Date today = ctx.loc().local_date(clock::unix_ms());
    int max_year = field.past_only ? today.year : today.year + 20;
    for (int i = 0; i < 3; ++i) {
        Rect col = from_start(ctx, Rect{row.x, y, row.w, h}, static_cast<float>(i) * (cw + gap), cw);
        label(ctx, Rect{col.x, y, col.w, col_h}, ctx.tr(kColumns[i].title), ctx.font(30), p.text_muted, Align::Center);
        float cy = y + col_h + ctx.u(8);
        int which = kColumns[i].which;
        // The year steps by ten as well as by one (a birth year is far from today).
        int big = which == 2 ? 10 : 0;
        float half = (col.w - ctx.u(10)) * 0.5f;
        auto step = [&](int by) {
            if (which == 0)
                dp.day = (dp.day - 1 + by + 31 * 4) % 31 + 1;
            else if (which == 1)
                dp.month = (dp.month - 1 + by + 12 * 4) % 12 + 1;
            else
                dp.year = std::clamp(dp.year + by, 1900, max_year);
            // The picker offers only days that exist.
            dp.day = std::min(dp.day, locale::days_in_month(dp.year, dp.month));
        };
        Rect up{col.x, cy, col.w, bh};
        if (big) {
            if (button(ctx, from_start(ctx, up, 0, half), ctx.tr("ui.form.plus_ten"), Look::Quiet))
                step(10);
            if (button(ctx, from_end(ctx, up, 0, half), ctx.tr("ui.form.plus_one"), Look::Quiet))
                step(1);
        } else if (button(ctx, up, ctx.tr("ui.form.plus_one"), Look::Quiet)) {
            step(1);
        }
        cy += bh + ctx.u(8);
        std::string_view value = which == 0 ? ctx.number(dp.day)
                                            : (which == 1 ? ctx.month_name(dp.month) : ctx.digits(std::to_string(dp.year)));
        label(ctx, Rect{col.x, cy, col.w, value_h}, value, ctx.font(44), p.primary, Align::Center);
        cy += value_h + ctx.u(8);
        Rect down{col.x, cy, col.w, bh};
        if (big) {
            if (button(ctx, from_start(ctx, down, 0, half), ctx.tr("ui.form.minus_ten"), Look::Quiet))
                step(-10);
            if (button(ctx, from_end(ctx, down, 0, half), ctx.tr("ui.form.minus_one"), Look::Quiet))
                step(-1);
        } else if (button(ctx, down, ctx.tr("ui.form.minus_one"), Look::Quiet)) {
            step(-1);
        }
    }
    y += col_h + ctx.u(8) + bh + ctx.u(8) + value_h + ctx.u(8) + bh + ctx.u(20);
    paragraph(ctx, Rect{box.x + pad, y, box.w - 2 * pad, reads_h}, reads, ctx.font(32), p.text, Align::Center);
    Rect foot{box.x + pad, box.y + box.h - pad - button_h(ctx), box.w - 2 * pad, button_h(ctx)};
    float half = (foot.w - gap) * 0.5f;
    if (button(ctx, from_end(ctx, foot, 0, half), ctx.tr("ui.form.date_ok"), Look::Primary)) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", dp.day, dp.month, dp.year);
        std::string& value = ctx.session.values[field.name];
        // Written in the language's digits, as the pad would have typed them.
        value = std::string(ctx.digits(buf));
        ctx.session.edits[field.name] = EditState{value.size(), value.size()};
        std::erase_if(ctx.session.errors, [&](const Error& e) { return e.field == field.name; });
        dp = DatePicker{};
        return;
    }
    if (button(ctx, from_start(ctx, foot, 0, half), ctx.tr("ui.form.date_cancel"), Look::Secondary))
        dp = DatePicker{};
}

void open_picker(Ctx& ctx, const services::FormField& f)
{
    DatePicker& dp = ctx.session.picker;
    dp.field = f.name;
    // From the day already written when it is one, else a plausible start (a birth date: 1990).
    const auto& normalised = current_quote(ctx).validation.values;
    auto it = normalised.find(f.name);
    auto d = it == normalised.end() ? Result<locale::Date>(Error::make("none")) : locale::parse_iso_date(it->second);
    locale::Date today = ctx.loc().local_date(clock::unix_ms());
    locale::Date start = d.ok() ? *d : (f.past_only ? locale::Date{1990, 1, 1} : today);
    dp.day = start.day;
    dp.month = start.month;
    dp.year = start.year;
}

} // namespace

void draw_form(Ctx& ctx)
{
    const Palette& p = ctx.pal();
    const services::Service* s = current_service(ctx);
    Rect body = header(ctx, s ? s->name.in(ctx.lang) : ctx.tr("ui.form.title"));
    if (!s)
        return;
    Session& ses = ctx.session;
    float m = margin(ctx);
    Rect c = body.inset(m);
    progress(ctx, Rect{c.x, c.y, c.w, ctx.u(30)}, 1, kFlowSteps);

    const services::FormField* focused = s->field(ses.focused_field);
    bool numeric = focused && numeric_field(focused->type);
    bool keyboard_up = focused && focused->type != FieldType::Choice && !ses.picker.open();
    // Portrait: the keyboard along the bottom. Landscape: the keyboard fills the end half, the form the start half.
    bool side = !ctx.portrait();
    float kb_h = keyboard_up ? std::min(ctx.size.y * 0.36f, ctx.u(numeric ? 560 : 620)) : 0;
    Rect kb_rect{0, ctx.size.y - kb_h, ctx.size.x, kb_h};
    if (side && keyboard_up) {
        Rect half = from_end(ctx, Rect{0, body.y, ctx.size.x, body.h}, 0, ctx.size.x * 0.5f);
        kb_rect = half;
        c = from_start(ctx, c, 0, c.w * 0.5f - m);
        kb_h = 0;
    }
    float foot_h = button_h(ctx);
    Rect foot{c.x, ctx.size.y - kb_h - m * 0.5f - foot_h, c.w, foot_h};
    Rect area{c.x, c.y + ctx.u(50), c.w, foot.y - ctx.u(20) - (c.y + ctx.u(50))};
    const services::Assessment& assessed = current_quote(ctx);

    Rect view = begin_scroll(ctx, area);
    float y = view.y - ctx.scroller.offset();
    float field_h = std::max({ctx.u(110), touch_min(ctx), text_h(ctx, ctx.font(40)) + ctx.u(24)});
    float scroll_target = -1;
    for (const services::FormField& f : s->form) {
        if (ses.scroll_to_field == f.name)
            scroll_target = y + ctx.scroller.offset() - view.y;
        std::string& title = ctx.text.next();
        title.append(f.label.in(ctx.lang));
        if (f.required)
            title += " *";
        float th = paragraph_height(ctx, view.w, title, ctx.font(36));
        paragraph(ctx, Rect{view.x, y, view.w, th}, title, ctx.font(36), p.text);
        y += th + ctx.u(8);
        std::string& value = ses.values[f.name];
        // Problems: those of the last "review" press, and a complete date's at once (an impossible day is
        // explained as soon as it is typed).
        const Error* problem = problem_for(ses, f.name);
        if (!problem && f.type == FieldType::Date && utf8::length(value) == 10)
            problem = assessed.validation.problem(f.name);
        if (f.type == FieldType::Choice) {
            // Options as buttons, wrapping onto more rows.
            float gap = ctx.u(16);
            int per_row = ctx.portrait() ? 2 : 3;
            float ow = (view.w - gap * static_cast<float>(per_row - 1)) / static_cast<float>(per_row);
            for (size_t i = 0; i < f.options.size(); ++i) {
                int col = static_cast<int>(i % static_cast<size_t>(per_row));
                if (i > 0 && col == 0)
                    y += field_h + gap;
                Rect r = from_start(ctx, Rect{view.x, y, view.w, field_h}, static_cast<float>(col) * (ow + gap), ow);
                bool selected = value == f.options[i].value;
                if (button(ctx, r, f.options[i].label.in(ctx.lang), selected ? Look::Primary : Look::Quiet) &&
                    view.contains(ctx.touch.pos())) {
                    value = f.options[i].value;
                    ses.focused_field = f.name;
                    std::erase_if(ses.errors, [&](const Error& e) { return e.field == f.name; });
                }
            }
            y += field_h;
        } else {
            bool date = f.type == FieldType::Date;
            float pick_w = date ? std::max(field_h, ctx.u(130)) : 0;
            Rect row{view.x, y, view.w, field_h};
            Rect r = date ? from_start(ctx, row, 0, view.w - pick_w - ctx.u(16)) : row;
            EditState& st = ses.edits[f.name];
            bool is_focused = ses.focused_field == f.name;
            ctx.target(f.label.in(ctx.lang), r);
            if (text_field(ctx, r, value, st, is_focused, problem != nullptr, date ? ctx.tr("ui.form.date_mask") : std::string_view()) &&
                view.contains(ctx.touch.pos())) {
                if (!is_focused) {
                    ses.focused_field = f.name;
                    bool arabic_letters = f.type == FieldType::ArabicName || ctx.lang == Lang::Ar;
                    ctx.keyboard.reset_for(numeric_field(f.type), arabic_letters);
                    ctx.keyboard.digits = ctx.lang == Lang::Ar ? DigitForm::ArabicIndic : DigitForm::Western;
                }
            }
            if (date) {
                Rect pick = from_end(ctx, row, 0, pick_w);
                bool held = ctx.touch.held(pick);
                fill(ctx, pick, held ? p.surface_pressed : p.surface, ctx.u(12));
                outline(ctx, pick, p.primary, ctx.u(12), ctx.u(3));
                float is = std::min(pick.w, pick.h) * 0.55f;
                draw_icon(ctx, "calendar", Rect{pick.x + (pick.w - is) * 0.5f, pick.y + (pick.h - is) * 0.5f, is, is}, p.primary);
                ctx.target(ctx.tr("ui.form.date_pick"), pick);
                if (ctx.touch.tap(pick) && view.contains(ctx.touch.pos())) {
                    ses.focused_field = f.name;
                    open_picker(ctx, f);
                }
            }
            y += field_h;
        }
        // Under the field: its problem, else the date read back (Gregorian and Hijri), else its hint.
        std::string_view under;
        ImU32 colour = p.text_muted;
        float px = ctx.font(30);
        if (problem) {
            under = ctx.message(*problem);
            colour = p.danger;
        } else if (f.type == FieldType::Date) {
            auto it = assessed.validation.values.find(f.name);
            if (it != assessed.validation.values.end()) {
                under = ctx.tr("ui.form.date_reads", {{"date", ctx.date_long(it->second)}, {"hijri", ctx.hijri(it->second)}});
                colour = p.primary;
            } else {
                under = ctx.tr("ui.form.date_hint");
            }
        } else if (!f.hint.ar.empty()) {
            under = f.hint.in(ctx.lang);
        }
        if (!under.empty()) {
            float uh = paragraph_height(ctx, view.w, under, px);
            paragraph(ctx, Rect{view.x, y + ctx.u(8), view.w, uh}, under, px, colour);
            y += uh + ctx.u(8);
        }
        y += ctx.u(34);
    }
    end_scroll(ctx, view, y);
    if (scroll_target >= 0) {
        ctx.scroller.scroll_by(scroll_target - ctx.scroller.offset());
        ses.scroll_to_field.clear();
    }

    bool back = false;
    std::string_view next = ctx.tr(ses.editing_from_review ? "ui.form.back_to_review" : "ui.form.review");
    if (footer_nav(ctx, foot, next, true, back)) {
        const services::Validation& v = assessed.validation;
        ses.errors = v.problems;
        if (v.ok()) {
            ses.focused_field.clear();
            if (ses.editing_from_review) {
                ses.editing_from_review = false;
                ctx.back();
            } else {
                ctx.go(ScreenId::Review);
            }
        } else if (!v.problems.empty()) {
            ses.focused_field = v.problems.front().field;
            ses.scroll_to_field = v.problems.front().field;
        }
    } else if (back) {
        ses.editing_from_review = false;
        ctx.back();
    }

    if (keyboard_up) {
        KeyEvent ev = draw_keyboard(ctx, kb_rect, numeric, focused->type == FieldType::Date ? PadExtra::Slash : PadExtra::None);
        if (ev.kind == KeyEvent::Kind::Done) {
            // Done moves to the next field, or closes the keyboard after the last one.
            auto it = std::find_if(s->form.begin(), s->form.end(), [&](const auto& f) { return f.name == ses.focused_field; });
            ses.focused_field.clear();
            if (it != s->form.end() && ++it != s->form.end() && it->type != FieldType::Choice) {
                ses.focused_field = it->name;
                ses.scroll_to_field = it->name;
                ctx.keyboard.reset_for(numeric_field(it->type), it->type == FieldType::ArabicName || ctx.lang == Lang::Ar);
                ctx.keyboard.digits = ctx.lang == Lang::Ar ? DigitForm::ArabicIndic : DigitForm::Western;
            }
        } else if (ev.kind != KeyEvent::Kind::None) {
            std::string& value = ses.values[focused->name];
            EditState& st = ses.edits[focused->name];
            size_t max_chars = focused->max_length ? focused->max_length : 100;
            if (focused->type == FieldType::Date)
                max_chars = 10;
            apply_key(ctx, ev, value, st, std::min<size_t>(max_chars, 200));
            if (focused->type == FieldType::Date && ev.kind == KeyEvent::Kind::Insert)
                format_date_typing(value, st);
            std::erase_if(ses.errors, [&](const Error& e) { return e.field == focused->name; });
        }
    }
    if (ses.picker.open()) {
        if (const services::FormField* f = s->field(ses.picker.field))
            draw_date_picker(ctx, *f);
        else
            ses.picker = DatePicker{};
    }
}

} // namespace nafitha::ui
