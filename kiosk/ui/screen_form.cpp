// The service's form: fields from the catalogue, an on-screen keyboard for the focused field, every problem
// shown next to its field in the citizen's language.

#include "kiosk/ui/flow.h"
#include "kiosk/ui/icons.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/text_field.h"
#include "kiosk/ui/widgets.h"

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

// Dates are typed as digits; the dashes of YYYY-MM-DD appear by themselves.
void format_date(std::string& value, EditState& st)
{
    std::string digits;
    size_t pos = 0;
    while (pos < value.size()) {
        char32_t cp = utf8::decode_next(value, pos);
        if ((cp >= '0' && cp <= '9') || (cp >= 0x0660 && cp <= 0x0669))
            utf8::append(digits, cp);
    }
    std::u32string d = utf8::decode(digits);
    std::u32string out;
    for (size_t i = 0; i < d.size() && i < 8; ++i) {
        if (i == 4 || i == 6)
            out += U'-';
        out += d[i];
    }
    value = utf8::encode(out);
    st.caret = st.anchor = value.size();
}

const Error* problem_for(const Session& s, const std::string& field)
{
    for (const Error& e : s.errors) {
        if (e.field == field)
            return &e;
    }
    return nullptr;
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
    bool keyboard_up = focused && focused->type != FieldType::Choice;
    // Portrait: the keyboard along the bottom. Landscape: the keyboard fills the end half, the form the start half.
    bool side = !ctx.portrait();
    float kb_h = keyboard_up ? std::min(ctx.size.y * 0.34f, ctx.u(numeric ? 560 : 620)) : 0;
    Rect kb_rect{0, ctx.size.y - kb_h, ctx.size.x, kb_h};
    if (side && keyboard_up) {
        Rect half = from_end(ctx, Rect{0, body.y, ctx.size.x, body.h}, 0, ctx.size.x * 0.5f);
        kb_rect = Rect{half.x, body.y + body.h * 0.25f, half.w, body.h * 0.75f};
        c = from_start(ctx, c, 0, c.w * 0.5f - m);
        kb_h = 0;
    }
    float foot_h = ctx.u(140);
    Rect foot{c.x, ctx.size.y - kb_h - m * 0.5f - foot_h, c.w, foot_h};
    Rect view{c.x, c.y + ctx.u(50), c.w, foot.y - ctx.u(20) - (c.y + ctx.u(50))};

    ctx.scroller.update(ctx.touch, view, ctx.dt);
    canvas(ctx)->PushClipRect(view.min(), view.max(), true);
    ctx.touch.set_clip(view);
    float y = view.y - ctx.scroller.offset();
    float field_h = std::max(ctx.u(110), touch_min(ctx));
    for (const services::FormField& f : s->form) {
        std::string& title = ctx.text.next();
        title.append(f.label.in(ctx.lang));
        if (f.required)
            title += " *";
        label(ctx, Rect{view.x, y, view.w, ctx.u(56)}, title, ctx.font(36), p.text);
        y += ctx.u(62);
        const Error* problem = problem_for(ses, f.name);
        std::string& value = ses.values[f.name];
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
            Rect r{view.x, y, view.w, field_h};
            EditState& st = ses.edits[f.name];
            bool is_focused = ses.focused_field == f.name;
            ctx.target(f.label.in(ctx.lang), r);
            if (text_field(ctx, r, value, st, is_focused, problem != nullptr) && view.contains(ctx.touch.pos())) {
                if (!is_focused) {
                    ses.focused_field = f.name;
                    bool arabic_letters = f.type == FieldType::ArabicName || ctx.lang == Lang::Ar;
                    ctx.keyboard.reset_for(numeric_field(f.type), arabic_letters);
                }
            }
            y += field_h;
        }
        if (problem) {
            label(ctx, Rect{view.x, y + ctx.u(6), view.w, ctx.u(50)}, ctx.message(*problem),
                  ctx.font(30), p.danger);
            y += ctx.u(56);
        } else if (!f.hint.ar.empty()) {
            label(ctx, Rect{view.x, y + ctx.u(6), view.w, ctx.u(50)}, f.hint.in(ctx.lang), ctx.font(28), p.text_muted);
            y += ctx.u(56);
        }
        y += ctx.u(30);
    }
    ctx.scroller.measure(y + ctx.scroller.offset() - view.y);
    canvas(ctx)->PopClipRect();
    ctx.touch.clear_clip();

    bool back = false;
    if (footer_nav(ctx, foot, ctx.tr("ui.form.review"), true, back)) {
        const services::Validation& v = current_quote(ctx).validation;
        ses.errors = v.problems;
        if (v.ok()) {
            ses.focused_field.clear();
            ctx.go(ScreenId::Review);
        } else if (!v.problems.empty()) {
            ses.focused_field = v.problems.front().field;
        }
    } else if (back) {
        ctx.back();
    }

    if (keyboard_up) {
        KeyEvent ev = draw_keyboard(ctx, kb_rect, numeric);
        if (ev.kind == KeyEvent::Kind::Done) {
            // Done moves to the next field, or closes the keyboard after the last one.
            auto it = std::find_if(s->form.begin(), s->form.end(), [&](const auto& f) { return f.name == ses.focused_field; });
            ses.focused_field.clear();
            if (it != s->form.end() && ++it != s->form.end() && it->type != FieldType::Choice) {
                ses.focused_field = it->name;
                ctx.keyboard.reset_for(numeric_field(it->type), it->type == FieldType::ArabicName || ctx.lang == Lang::Ar);
            }
        } else if (ev.kind != KeyEvent::Kind::None) {
            std::string& value = ses.values[focused->name];
            EditState& st = ses.edits[focused->name];
            size_t max_chars = focused->max_length ? focused->max_length : 100;
            apply_key(ctx, ev, value, st, std::min<size_t>(max_chars, 200));
            if (focused->type == FieldType::Date && ev.kind == KeyEvent::Kind::Insert)
                format_date(value, st);
            std::erase_if(ses.errors, [&](const Error& e) { return e.field == focused->name; });
        }
    }
}



} // namespace nafitha::ui
