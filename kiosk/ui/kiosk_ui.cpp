#include "kiosk/ui/kiosk_ui.h"

#include "kiosk/ui/voice.h"

#include "kiosk/ui/counter.h"

#include "kiosk/ui/demo.h"
#include "kiosk/ui/flow.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/text_field.h"

#include "base/log.h"
#include "base/utf8.h"
#include "kiosk/ui/widgets.h"

#include <algorithm>

namespace nafitha::ui {

KioskUi::KioskUi(const I18n& i18n, Backend& backend, Labels& labels, Worker& worker, Theme theme)
{
    m_ctx.i18n = &i18n;
    m_ctx.backend = &backend;
    m_ctx.labels = &labels;
    m_ctx.worker = &worker;
    m_ctx.theme = theme;
    m_ctx.catalogue = backend.catalogue();
    m_ctx.centre = backend.centre();
    // Numbers, money, counts, dates and times in the centre's zone (the catalogue names it); a zone ICU does not
    // know is logged and the default is used, so the screen still reads right.
    std::string zone = m_ctx.catalogue ? m_ctx.catalogue->time_zone_at(m_ctx.centre) : std::string(locale::kDefaultTimeZone);
    for (Lang lang : {Lang::Ar, Lang::En}) {
        auto loc = locale::Locale::create(i18n, lang, zone);
        if (!loc.ok()) {
            log::warn("ui", "time zone '" + zone + "': " + loc.error().to_string());
            loc = locale::Locale::create(i18n, lang, locale::kDefaultTimeZone);
        }
        m_locales[lang == Lang::Ar ? 0 : 1] = loc.release_value();
        m_ctx.locales[lang == Lang::Ar ? 0 : 1] = m_locales[lang == Lang::Ar ? 0 : 1].get();
    }
}

bool KioskUi::show_demo(std::string_view name)
{
    const DemoState* demo = find_demo(name);
    if (!demo)
        return false;
    const ScreenDef& def = screen_def(demo->screen);
    m_ctx.session.wipe();
    m_ctx.history.clear();
    m_ctx.mode = def.mode;
    m_ctx.screen = def.id;
    if (def.mode == Mode::Citizen && m_ctx.screen != ScreenId::Attract)
        m_ctx.history.push_back(ScreenId::Attract);
    m_ctx.demo = true;
    if (demo->setup)
        demo->setup(m_ctx);
    m_ctx.last_activity = m_ctx.now;
    m_idle_prompt_since = m_ctx.now;
    return true;
}

void KioskUi::start_first_run()
{
    Ctx& c = m_ctx;
    c.session.wipe();
    c.history.clear();
    c.provision = ProvisionView{};
    c.provision.first_run = true;
    c.provision.language = c.lang;
    c.keyboard.reset_for(false, false);
    c.mode = Mode::Technician;
    c.screen = ScreenId::Provision;
    c.scroller.reset();
}

void KioskUi::on_scan(const std::string& payload)
{
    Ctx& c = m_ctx;
    if (c.mode == Mode::Technician && !payload.empty() && payload.size() <= 512 && c.session.busy_message.empty()) {
        c.last_activity = c.now;
        if (c.screen == ScreenId::Provision && c.provision.step == ProvisionView::Step::Details) {
            // An enrollment QR fills the form (and pins central's key); anything else says what it is not.
            auto form = c.backend->read_enrollment_qr(payload, c.provision.language);
            ProvisionView& pv = c.provision;
            if (!form.ok()) {
                pv.error = form.error().code;
                return;
            }
            pv.centre = form->centre;
            pv.server_url = form->server_url;
            pv.code = form->code;
            pv.central_key = form->central_key;
            pv.scanned = true;
            pv.error.clear();
            for (int i = 0; i < 3; ++i) {
                const std::string& v = i == 0 ? pv.centre : i == 1 ? pv.server_url : pv.code;
                pv.edits[i] = EditState{v.size(), v.size()};
            }
            return;
        }
        if (c.screen == ScreenId::TechDevices) {
            // The live scanner test: what was read, decoded (a receipt's signature is checked on the worker).
            Backend* b = c.backend;
            Ctx* cx = &c;
            c.worker->post([b, cx, payload]() -> Worker::Completion {
                ScanReading r = b->read_scan(payload);
                return [cx, r] {
                    cx->staff.scan = r;
                    cx->staff.scans += 1;
                };
            });
        }
        return;
    }
    if (c.mode != Mode::Citizen || payload.empty() || payload.size() > 512 || !c.session.busy_message.empty())
        return;
    // A scan never throws away a form being filled: it counts only before a service is chosen, or on tracking.
    if (c.screen != ScreenId::Attract && c.screen != ScreenId::Language && c.screen != ScreenId::Categories && c.screen != ScreenId::Track)
        return;
    c.last_activity = c.now;
    c.idle_prompt = false;
    if (c.screen != ScreenId::Track) {
        c.session.wipe();
        c.keyboard.reset_for(true, true);
        c.reset(ScreenId::Attract);
        c.go(ScreenId::Track);
    }
    c.session.track_input = payload;
    c.session.edits["track"] = EditState{payload.size(), payload.size()};
    start_track(c);
}

void KioskUi::on_typed(const std::u32string& text)
{
    Ctx& c = m_ctx;
    c.last_activity = c.now;
    // Staff at the counter type on a physical keyboard: Tab, Enter and text go to the counter's inputs.
    if (c.mode == Mode::Staff && c.screen != ScreenId::StaffLogin) {
        for (char32_t ch : text)
            counter_key(c, ch);
        return;
    }
    std::string* value = nullptr;
    EditState* st = nullptr;
    size_t max_chars = 100;
    bool date = false;
    if (c.screen == ScreenId::Provision && c.provision.step == ProvisionView::Step::Details) {
        ProvisionView& pv = c.provision;
        value = pv.focus == 0 ? &pv.centre : pv.focus == 1 ? &pv.server_url : &pv.code;
        st = &pv.edits[pv.focus];
        max_chars = pv.focus == 1 ? 200 : 64;
        pv.scanned = false;
    } else if (c.screen == ScreenId::Form && !c.session.focused_field.empty()) {
        const services::Service* svc = current_service(c);
        const services::FormField* f = svc ? svc->field(c.session.focused_field) : nullptr;
        date = f && f->type == services::FieldType::Date;
        value = &c.session.values[c.session.focused_field];
        st = &c.session.edits[c.session.focused_field];
    } else if (c.screen == ScreenId::Track) {
        value = &c.session.track_input;
        st = &c.session.edits["track"];
        max_chars = 20;
    }
    if (!value)
        return;
    for (char32_t ch : text) {
        KeyEvent ev;
        if (ch == U'\b') {
            ev.kind = KeyEvent::Kind::Backspace;
        } else if (ch >= 0x20 && ch != 0x7F) {
            ev.kind = KeyEvent::Kind::Insert;
            utf8::append(ev.text, ch);
        } else {
            continue;
        }
        apply_key(c, ev, *value, *st, max_chars);
        if (date && ev.kind == KeyEvent::Kind::Insert)
            format_date_typing(*value, *st);
    }
}

void KioskUi::check_idle()
{
    Ctx& c = m_ctx;
    if (c.touch.activity() && !c.idle_prompt)
        c.last_activity = c.now;
    // Money taken but not yet written with its application must not vanish with the citizen: the payment
    // screen stays (with its retry) until the submission succeeds or staff take over.
    bool money_pending = c.session.payment.has_value() && !c.session.submission.has_value();
    // A terminal being set up waits for its technician (there is nothing to wipe and nowhere else to go).
    bool first_run = c.screen == ScreenId::Provision && c.provision.first_run;
    bool at_rest = (c.screen == ScreenId::Attract && c.session.empty()) || c.screen == ScreenId::OutOfService || money_pending ||
                   first_run;
    if (at_rest) {
        c.last_activity = c.now;
        c.idle_prompt = false;
        return;
    }
    // Staff at a counter pause longer than citizens do: five minutes at least before their session is asked.
    double timeout = c.mode == Mode::Citizen ? c.idle_timeout_s : std::max(c.idle_timeout_s, 300.0);
    if (!c.idle_prompt && c.now - c.last_activity >= timeout) {
        c.idle_prompt = true;
        m_idle_prompt_since = c.now;
    }
    if (c.idle_prompt && c.now - m_idle_prompt_since >= c.idle_prompt_s)
        c.end_visit(true);
}

void KioskUi::check_health()
{
    Ctx& c = m_ctx;
    if (c.demo)
        return;
    if (!m_health_pending && c.now - m_last_health >= 2.0) {
        m_last_health = c.now;
        m_health_pending = true;
        Backend* b = c.backend;
        c.worker->post([this, b]() -> Worker::Completion {
            Health h = b->health();
            auto cat = b->catalogue();
            return [this, h = std::move(h), cat = std::move(cat)]() mutable {
                m_health_pending = false;
                m_ctx.health = std::move(h);
                if (cat)
                    m_ctx.catalogue = std::move(cat);
            };
        });
    }
    // A citizen mid-visit with a payment already taken finishes; otherwise the kiosk stops taking citizens.
    bool in_transaction = c.session.payment.has_value() && !c.session.submission.has_value();
    if (!c.health.ok() && c.mode == Mode::Citizen && !in_transaction) {
        c.session.wipe();
        c.mode = Mode::Service;
        c.reset(ScreenId::OutOfService);
    } else if (c.health.ok() && c.mode == Mode::Service) {
        c.mode = Mode::Citizen;
        c.reset(ScreenId::Attract);
    }
}

void KioskUi::build_frame(ImVec2 size, double now)
{
    Ctx& c = m_ctx;
    if (!m_started) {
        c.now = now;
        c.last_activity = now;
        m_started = true;
    }
    c.dt = static_cast<float>(std::clamp(now - c.now, 0.0, 0.1));
    c.now = now;
    c.size = size;
    c.scale = std::min(size.x, size.y) / 1080.0f;
    c.worker->apply_completions();
    c.begin_frame();
    c.touch.set_blocked(false);
    c.touch.begin_frame(ImGui::GetIO(), std::max(8.0f, c.u(24)));
    check_idle();
    check_health();

    // The background colour is the host's clear colour (see Host::end_frame).
    const ScreenDef* def = &screen_def(c.screen);
    bool busy = !c.session.busy_message.empty();
    c.touch.set_blocked(c.idle_prompt || busy);
    c.layer = ImGui::GetBackgroundDrawList();
    def->draw(c);
    c.touch.set_blocked(false);
    c.layer = ImGui::GetForegroundDrawList();
    if (busy && c.session.busy_message == "ui.busy.cash" && c.session.cash_inserted) {
        // The cash acceptor's progress, the change to come, and cancel (the notes come back).
        draw_cash_overlay(c);
    } else if (busy)
        busy_overlay(c, c.tr(c.session.busy_message));
    else if (c.idle_prompt)
        draw_idle_prompt(c);
    speak_changes();
}

void KioskUi::speak_changes()
{
    Ctx& c = m_ctx;
    if (!c.voice)
        return;
    bool on = c.voice_on && (c.mode == Mode::Citizen || c.mode == Mode::Service);
    bool turned_on = on && !m_spoken_on;
    m_spoken_on = on;
    if (!on)
        return;
    if (turned_on || !m_spoken_any || c.screen != m_spoken_screen || c.lang != m_spoken_lang) {
        m_spoken_any = true;
        m_spoken_screen = c.screen;
        m_spoken_lang = c.lang;
        m_spoken_error = c.session.error;
        m_voice_key = "voice.";
        m_voice_key += screen_def(c.screen).name;
        if (c.i18n->has(c.lang, m_voice_key))
            c.voice->say(c.lang, std::string(c.tr(m_voice_key)));
        return;
    }
    if (c.session.error != m_spoken_error) {
        m_spoken_error = c.session.error;
        if (!m_spoken_error.empty())
            c.voice->say(c.lang, std::string(c.tr(m_spoken_error, {{"amount", c.money(c.session.cash_returned)}})));
    }
}

} // namespace nafitha::ui
