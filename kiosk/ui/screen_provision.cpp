// Technician: first-run set-up of a terminal that is not enrolled (it boots here), and re-enrollment from the
// technician's network tab (moving the terminal to another server). Three steps: the kiosk's language, the
// centre, central's address and the one-time code — typed on the on-screen keyboard or read from the QR that
// `nafitha-central terminal add --qr` prints — then the printer's test page, then done: the kiosk serves
// citizens. Enrollment runs on the worker (Backend::provision, the same function as `nafitha-ctl provision`).

#include "kiosk/ui/screens.h"
#include "kiosk/ui/staff.h"
#include "kiosk/ui/text_field.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

namespace {

constexpr const char* kFieldKeys[3] = {"ui.provision.centre", "ui.provision.server", "ui.provision.code"};
constexpr const char* kFieldHints[3] = {"DAM-01", "https://central:8443", "ABCD-EFGH-JKLM"};

std::string& field(ProvisionView& pv, int i) { return i == 0 ? pv.centre : i == 1 ? pv.server_url : pv.code; }

// Arabic-Indic digits typed on the keyboard are Western in addresses and codes.
std::string western(std::string_view s)
{
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == 0xD9 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0xA0 &&
            static_cast<unsigned char>(s[i + 1]) <= 0xA9) {
            out += static_cast<char>('0' + (static_cast<unsigned char>(s[i + 1]) - 0xA0));
            ++i;
        } else if (c != ' ' && c != '\t') {
            out += static_cast<char>(c);
        }
    }
    return out;
}

void submit(Ctx& ctx)
{
    ProvisionView& pv = ctx.provision;
    ProvisionForm form;
    form.language = pv.language;
    form.centre = western(pv.centre);
    form.server_url = western(pv.server_url);
    while (!form.server_url.empty() && form.server_url.back() == '/')
        form.server_url.pop_back();
    form.code = western(pv.code);
    form.central_key = pv.scanned ? pv.central_key : std::string();
    pv.error.clear();
    if (form.server_url.empty() || form.code.empty()) {
        pv.error = "ui.provision.error.missing";
        pv.focus = form.server_url.empty() ? 1 : 2;
        pv.reveal = true;
        return;
    }
    Backend* b = ctx.backend;
    staff_task(ctx, "ui.busy.enrolling", [b, form]() -> std::function<void(Ctx&)> {
        auto r = b->provision(form);
        if (!r.ok())
            return [e = r.error()](Ctx& cx) {
                ProvisionView& v = cx.provision;
                v.error = e.code;
                v.error_centre = e.code == "error.provision.centre_mismatch" ? e.detail : std::string();
                // Show the field the error is about.
                if (e.code == "error.central.enroll_code" || e.code == "error.sync.bad_code")
                    v.focus = 2;
                else if (e.code == "error.provision.centre_mismatch" || e.code == "error.provision.centre_invalid")
                    v.focus = 0;
                else
                    v.focus = 1;
                v.reveal = true;
            };
        return [o = *r](Ctx& cx) {
            ProvisionView& v = cx.provision;
            v.outcome = o;
            v.code.clear(); // spent
            v.edits[2] = EditState{};
            v.step = ProvisionView::Step::TestPage;
            v.print_message.clear();
            cx.centre = o.centre;
            cx.home_lang = v.language;
            cx.scroller.reset();
        };
    });
}

// The error in the technician's language, with the code's centre when it names one.
std::string_view error_text(Ctx& ctx, const ProvisionView& pv)
{
    if (pv.error == "error.provision.centre_mismatch")
        return ctx.tr(pv.error, {{"centre", pv.error_centre}});
    return ctx.tr(pv.error);
}

void details(Ctx& ctx, const Rect& c)
{
    const Palette& p = ctx.pal();
    ProvisionView& pv = ctx.provision;
    float gap = ctx.u(20);
    // The keyboard: under the form in portrait, beside it in landscape.
    Rect form_area = c, kb = c;
    if (ctx.portrait()) {
        float kb_h = std::min(ctx.u(600), c.h * 0.38f);
        kb = Rect{0, ctx.size.y - kb_h, ctx.size.x, kb_h};
        form_area.h = kb.y - gap - c.y;
    } else {
        float kw = c.w * 0.46f;
        kb = from_end(ctx, Rect{c.x, c.y, c.w, c.h}, 0, kw);
        form_area = from_start(ctx, c, 0, c.w - kw - gap);
    }
    // The kiosk's language is the screen's: the header's switch and the two buttons below both choose it.
    pv.language = ctx.lang;
    // The error and the Enroll button stay in sight under the form; the form scrolls above them.
    float bh = button_h(ctx);
    std::string_view e = pv.error.empty() ? std::string_view() : error_text(ctx, pv);
    float eh = e.empty() ? 0 : error_banner_h(ctx, form_area.w, e);
    float foot_h = bh + (e.empty() ? 0 : eh + gap);
    Rect foot{form_area.x, form_area.y + form_area.h - foot_h, form_area.w, foot_h};
    form_area.h -= foot_h + gap;
    Rect view = begin_scroll(ctx, form_area);
    float y = view.y - ctx.scroller.offset();
    float w = view.w;
    std::string_view intro = ctx.tr(pv.first_run ? "ui.provision.intro" : "ui.provision.intro_move");
    float ih = paragraph_height(ctx, w, intro, ctx.font(32));
    y += paragraph(ctx, Rect{view.x, y, w, ih}, intro, ctx.font(32), p.text) + gap;

    // The kiosk's language (what citizens see first).
    std::string_view lang_title = ctx.tr("ui.provision.language");
    float th = paragraph_height(ctx, w, lang_title, ctx.font(32));
    y += paragraph(ctx, Rect{view.x, y, w, th}, lang_title, ctx.font(32), p.text_muted) + ctx.u(8);
    float half = (w - gap) * 0.5f;
    for (int i = 0; i < 2; ++i) {
        Lang l = i == 0 ? Lang::Ar : Lang::En;
        Rect r = from_start(ctx, Rect{view.x, y, w, bh}, static_cast<float>(i) * (half + gap), half);
        if (button(ctx, r, ctx.tr_in(l, "ui.language.self"), pv.language == l ? Look::Primary : Look::Quiet)) {
            pv.language = l;
            ctx.lang = l;
        }
    }
    y += bh + gap;

    // Centre, server and code.
    float fh = std::max(touch_min(ctx), text_h(ctx, ctx.font(40)) + ctx.u(44));
    for (int i = 0; i < 3; ++i) {
        std::string_view name = ctx.tr(kFieldKeys[i]);
        float nh = paragraph_height(ctx, w, name, ctx.font(32));
        y += paragraph(ctx, Rect{view.x, y, w, nh}, name, ctx.font(32), p.text_muted) + ctx.u(8);
        bool err = !pv.error.empty() && ((i == 0 && pv.error == "error.provision.centre_mismatch") ||
                                         (i == 1 && (pv.error == "error.sync.bad_url" || pv.error == "error.provision.unreachable")) ||
                                         (i == 2 && (pv.error == "error.central.enroll_code" || pv.error == "error.sync.bad_code")));
        if (pv.reveal && pv.focus == i) {
            // The field the keyboard now types into (or the one an error is about) comes into view.
            pv.reveal = false;
            if (y + fh > view.y + view.h)
                ctx.scroller.scroll_by(y + fh - (view.y + view.h) + ctx.u(8));
            else if (y < view.y)
                ctx.scroller.scroll_by(y - view.y - ctx.u(8));
        }
        if (text_field(ctx, Rect{view.x, y, w, fh}, field(pv, i), pv.edits[i], pv.focus == i, err, kFieldHints[i])) {
            pv.focus = i;
            ctx.keyboard.reset_for(false, false);
        }
        y += fh + gap;
    }
    // Or scan: the QR fills everything (and pins central's key).
    std::string_view scan = ctx.tr(pv.scanned ? "ui.provision.scanned" : "ui.provision.scan_hint");
    float sh = paragraph_height(ctx, w, scan, ctx.font(30));
    y += paragraph(ctx, Rect{view.x, y, w, sh}, scan, ctx.font(30), pv.scanned ? p.success : p.text_muted);
    end_scroll(ctx, view, y);
    if (!e.empty())
        error_banner(ctx, Rect{foot.x, foot.y, foot.w, eh}, e);
    if (button(ctx, Rect{foot.x, foot.y + foot.h - bh, foot.w, bh}, ctx.tr("ui.provision.enroll"), Look::Primary))
        submit(ctx);

    KeyEvent ev = draw_keyboard(ctx, kb, false);
    if (ev.kind == KeyEvent::Kind::Done) {
        if (pv.focus < 2) {
            pv.focus += 1;
            pv.reveal = true;
        } else
            submit(ctx);
    } else if (ev.kind != KeyEvent::Kind::None && pv.focus >= 0 && pv.focus < 3) {
        apply_key(ctx, ev, field(pv, pv.focus), pv.edits[pv.focus], pv.focus == 1 ? 200 : 64);
        if (pv.focus != 0 || ev.kind == KeyEvent::Kind::Insert)
            pv.error.clear();
        // A value typed by hand is no longer the scanned one: central's key comes only with the QR.
        pv.scanned = false;
    }
}

void test_page(Ctx& ctx, const Rect& c)
{
    const Palette& p = ctx.pal();
    ProvisionView& pv = ctx.provision;
    float gap = ctx.u(20);
    float bh = button_h(ctx);
    // The buttons stay at the bottom; what was enrolled scrolls above them.
    Rect foot{c.x, c.y + c.h - bh, c.w, bh};
    Rect view = begin_scroll(ctx, Rect{c.x, c.y, c.w, foot.y - gap - c.y});
    float y = view.y - ctx.scroller.offset();
    const ProvisionOutcome& o = *pv.outcome;
    std::string_view done = ctx.tr(o.moved ? "ui.provision.moved" : "ui.provision.enrolled");
    float dh = paragraph_height(ctx, view.w, done, ctx.font(38));
    y += paragraph(ctx, Rect{view.x, y, view.w, dh}, done, ctx.font(38), p.success) + gap;
    float rh = ctx.u(90);
    auto row = [&](std::string_view k, std::string_view v) {
        y += key_value_row(ctx, Rect{view.x, y, view.w, rh}, k, v, p.text, rh);
    };
    row(ctx.tr("ui.tech.version.terminal"), o.terminal_id);
    row(ctx.tr("ui.tech.version.centre"), o.centre);
    row(ctx.tr("ui.provision.server"), o.server_url);
    row(ctx.tr("ui.tech.net.fingerprint"), o.fingerprint);
    if (o.moved)
        row(ctx.tr("ui.provision.previous"), o.previous_server);
    y += gap;
    std::string_view next = ctx.tr(pv.print_message.empty() ? std::string_view("ui.provision.print_next") : std::string_view(pv.print_message));
    float nh = paragraph_height(ctx, view.w, next, ctx.font(34));
    ImU32 colour = pv.print_message.empty() ? p.text : (pv.print_ok ? p.success : p.danger);
    y += paragraph(ctx, Rect{view.x, y, view.w, nh}, next, ctx.font(34), colour);
    end_scroll(ctx, view, y);

    float half = (c.w - gap) * 0.5f;
    Backend* b = ctx.backend;
    Lang lang = ctx.lang;
    if (button(ctx, from_start(ctx, foot, 0, half), ctx.tr("ui.tech.test_print"), pv.print_ok ? Look::Secondary : Look::Primary)) {
        staff_task(ctx, "ui.busy.printing", [b, lang]() -> std::function<void(Ctx&)> {
            auto r = b->test_print(lang);
            bool ok = r.ok();
            std::string key = ok ? "ui.provision.printed" : r.error().code;
            return [key, ok](Ctx& cx) {
                cx.provision.print_message = key;
                cx.provision.print_ok = ok;
            };
        });
    }
    if (button(ctx, from_end(ctx, foot, 0, half), ctx.tr("ui.provision.finish"), pv.print_ok ? Look::Primary : Look::Secondary)) {
        pv.step = ProvisionView::Step::Done;
        ctx.scroller.reset();
    }
}

void finished(Ctx& ctx, const Rect& c)
{
    const Palette& p = ctx.pal();
    ProvisionView& pv = ctx.provision;
    float gap = ctx.u(20);
    float bh = button_h(ctx);
    Rect foot{c.x, c.y + c.h - bh, c.w, bh};
    Rect view = begin_scroll(ctx, Rect{c.x, c.y, c.w, foot.y - gap - c.y});
    float y = view.y - ctx.scroller.offset();
    std::string_view title = ctx.tr("ui.provision.ready");
    float th = paragraph_height(ctx, view.w, title, ctx.font(44));
    y += paragraph(ctx, Rect{view.x, y, view.w, th}, title, ctx.font(44), p.success, Align::Center) + gap;
    std::string_view text = ctx.tr("ui.provision.ready_detail",
                                   {{"language", ctx.tr_in(pv.language, "ui.language.self")},
                                    {"centre", pv.outcome ? std::string_view(pv.outcome->centre) : std::string_view()}});
    float h = paragraph_height(ctx, view.w, text, ctx.font(34));
    y += paragraph(ctx, Rect{view.x, y, view.w, h}, text, ctx.font(34), p.text, Align::Center);
    end_scroll(ctx, view, y);
    if (button(ctx, foot, ctx.tr("ui.provision.start"), Look::Primary)) {
        Backend* b = ctx.backend;
        ctx.worker->post([b]() -> Worker::Completion {
            b->staff_logout();
            return {};
        });
        ctx.end_visit(); // the citizens' start screen, in the language chosen
    }
}

} // namespace

void draw_provision(Ctx& ctx)
{
    ProvisionView& pv = ctx.provision;
    Rect body = header(ctx, ctx.tr(pv.first_run ? "ui.provision.title" : "ui.provision.title_move"), !pv.first_run);
    float m = margin(ctx);
    Rect c = body.inset(m);
    float ph = ctx.u(36);
    progress(ctx, Rect{c.x, c.y, c.w, ph}, static_cast<int>(pv.step), 3);
    c.y += ph + ctx.u(20);
    c.h -= ph + ctx.u(20);
    switch (pv.step) {
    case ProvisionView::Step::Details:
        details(ctx, c);
        break;
    case ProvisionView::Step::TestPage:
        if (pv.outcome)
            test_page(ctx, c);
        else
            pv.step = ProvisionView::Step::Details;
        break;
    case ProvisionView::Step::Done:
        finished(ctx, c);
        break;
    }
}

} // namespace nafitha::ui
