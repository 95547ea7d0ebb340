#include "kiosk/ui/replay.h"

#include "base/utf8.h"
#include "kiosk/ui/screens.h"

#include <algorithm>
#include <istream>
#include <ostream>
#include <sstream>
#include <string>

namespace nafitha::ui {

void Runner::frame(float dt, Host::Raster raster)
{
    m_now += dt;
    m_host.begin_frame(dt);
    m_ui.build_frame(m_host.size(), m_now);
    m_host.end_frame(m_labels, raster, m_ui.ctx().pal().background);
}

void Runner::settle()
{
    for (int i = 0; i < 600; ++i) {
        m_worker.drain();
        frame(1.0f / 60, Host::Raster::No);
        if (m_worker.in_flight() == 0 && m_host.pending_pointer() == 0 && i >= 2)
            break;
    }
    frame();
}

namespace {

std::string trim(std::string s)
{
    size_t a = s.find_first_not_of(" \t\r");
    size_t b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

const Target* find_target(const Ctx& ctx, std::string_view text, bool keys_only)
{
    // The last one drawn is on top (overlays draw after the screen).
    for (const Target* it = ctx.targets.end(); it != ctx.targets.begin();) {
        --it;
        if (keys_only && it->kind != Target::Kind::Key)
            continue;
        if (it->text == text)
            return it;
    }
    return nullptr;
}

void tap_at(Runner& r, ImVec2 p)
{
    r.host().push_pointer(p, false);
    r.host().push_pointer(p, true);
    r.host().push_pointer(p, false);
    for (int i = 0; i < 3; ++i)
        r.frame(1.0f / 60, Host::Raster::No);
}

ImVec2 point(Runner& r, float x, float y)
{
    ImVec2 s = r.host().size();
    if (x <= 1.0f && y <= 1.0f)
        return ImVec2(x * s.x, y * s.y);
    return ImVec2(x, y);
}

// Types one piece of text by tapping keys; switches layouts and shift when the key is not on screen.
Result<void> type_text(Runner& r, const std::string& text, std::ostream& log)
{
    Ctx& ctx = r.ui().ctx();
    size_t pos = 0;
    const char* toggles[] = {"ui.key.shift", "ABC", "عربي", "#+=", "abc", "أ ب", "أ ب ت", "١٢٣", "123", "ui.key.shift"};
    while (pos < text.size()) {
        r.frame(1.0f / 60, Host::Raster::No);
        std::string_view rest(text.data() + pos, text.size() - pos);
        if (rest[0] == ' ') {
            const Target* t = find_target(ctx, ctx.tr("ui.key.space"), false);
            if (!t)
                return Error::make("error.replay.no_key", "no space key on screen");
            tap_at(r, t->rect.centre());
            pos += 1;
            continue;
        }
        bool typed = false;
        for (size_t attempt = 0; attempt <= std::size(toggles) && !typed; ++attempt) {
            // The longest key label that starts the remaining text (the lam-alef key is two letters).
            const Target* best = nullptr;
            for (const Target& t : ctx.targets) {
                if (t.kind != Target::Kind::Key || t.text.empty() || t.text.size() > rest.size())
                    continue;
                if (rest.substr(0, t.text.size()) == t.text && (!best || t.text.size() > best->text.size()))
                    best = &t;
            }
            if (best) {
                size_t n = best->text.size();
                log << "replay: key " << best->text << " at " << best->rect.x << "," << best->rect.y << "\n";
                tap_at(r, best->rect.centre());
                pos += n;
                typed = true;
                break;
            }
            if (attempt == std::size(toggles))
                break;
            std::string label = toggles[attempt];
            if (label.rfind("ui.", 0) == 0)
                label = ctx.tr(label);
            if (const Target* t = find_target(ctx, label, false)) {
                tap_at(r, t->rect.centre());
                r.frame(1.0f / 60, Host::Raster::No);
            }
        }
        if (!typed) {
            size_t p = pos;
            std::string ch;
            utf8::append(ch, utf8::decode_next(text, p));
            log << "replay: no key for '" << ch << "'\n";
            return Error::make("error.replay.no_key", "no key for '" + ch + "'");
        }
    }
    return {};
}

} // namespace

Result<void> run_replay(Runner& r, std::istream& script, const std::filesystem::path& out_dir, std::ostream& log)
{
    std::string line;
    int number = 0;
    Ctx& ctx = r.ui().ctx();
    r.frame();
    while (std::getline(script, line)) {
        ++number;
        line = trim(line);
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream in(line);
        std::string cmd;
        in >> cmd;
        std::string rest;
        std::getline(in, rest);
        rest = trim(rest);
        auto fail = [&](const std::string& why) {
            log << "replay: line " << number << ": " << why << " (screen " << screen_name(ctx.screen) << ")\n";
            return Error::make("error.replay.failed", "line " + std::to_string(number) + ": " + why);
        };
        log << "replay: " << line << "\n";
        if (cmd == "tap") {
            std::istringstream a(rest);
            float x = 0, y = 0;
            if (!(a >> x >> y))
                return fail("tap needs X Y");
            tap_at(r, point(r, x, y));
        } else if (cmd == "tap_label" || cmd == "tap_key") {
            std::string label = cmd == "tap_key" ? std::string(ctx.tr(rest)) : rest;
            r.frame(1.0f / 60, Host::Raster::No);
            const Target* t = find_target(ctx, label, false);
            if (!t)
                return fail("nothing labelled '" + label + "'");
            tap_at(r, t->rect.centre());
        } else if (cmd == "hold") {
            std::istringstream a(rest);
            float x = 0, y = 0, secs = 0;
            if (!(a >> x >> y >> secs))
                return fail("hold needs X Y SECONDS");
            ImVec2 p = point(r, x, y);
            r.host().push_pointer(p, false);
            r.host().push_pointer(p, true);
            int frames = std::max(1, static_cast<int>(secs * 60));
            for (int i = 0; i < frames; ++i)
                r.frame(1.0f / 60, Host::Raster::No);
            r.host().push_pointer(p, false);
            r.frame(1.0f / 60, Host::Raster::No);
        } else if (cmd == "drag") {
            std::istringstream a(rest);
            float x0, y0, x1, y1;
            if (!(a >> x0 >> y0 >> x1 >> y1))
                return fail("drag needs X0 Y0 X1 Y1");
            ImVec2 p0 = point(r, x0, y0), p1 = point(r, x1, y1);
            r.host().push_pointer(p0, false);
            r.host().push_pointer(p0, true);
            r.frame(1.0f / 60, Host::Raster::No);
            r.frame(1.0f / 60, Host::Raster::No);
            for (int i = 1; i <= 12; ++i) {
                float t = static_cast<float>(i) / 12;
                r.host().push_pointer(ImVec2(p0.x + (p1.x - p0.x) * t, p0.y + (p1.y - p0.y) * t), true);
                r.frame(1.0f / 60, Host::Raster::No);
            }
            r.host().push_pointer(p1, false);
            r.frame(1.0f / 60, Host::Raster::No);
        } else if (cmd == "type") {
            auto t = type_text(r, rest, log);
            if (!t.ok())
                return fail(t.error().detail);
        } else if (cmd == "wait") {
            double secs = std::atof(rest.c_str());
            if (secs < 0 || secs > 3600)
                return fail("wait takes 0 to 3600 seconds");
            int frames = static_cast<int>(secs * 10);
            for (int i = 0; i < frames; ++i)
                r.frame(0.1f, Host::Raster::No);
        } else if (cmd == "settle") {
            r.settle();
        } else if (cmd == "screenshot") {
            if (rest.empty() || rest.find("..") != std::string::npos)
                return fail("screenshot needs a file name inside the output folder");
            r.frame();
            auto s = r.host().screenshot(out_dir / rest);
            if (!s.ok())
                return fail(s.error().to_string());
        } else if (cmd == "expect_screen") {
            r.frame(1.0f / 60, Host::Raster::No);
            if (screen_name(ctx.screen) != rest)
                return fail("expected screen " + rest);
        } else if (cmd == "expect_label") {
            r.frame(1.0f / 60, Host::Raster::No);
            if (!find_target(ctx, rest, false))
                return fail("nothing labelled '" + rest + "'");
        } else if (cmd == "scan") {
            r.ui().on_scan(rest);
            r.frame(1.0f / 60, Host::Raster::No);
        } else if (cmd == "expect_tracked") {
            r.frame(1.0f / 60, Host::Raster::No);
            if (!ctx.session.tracked || services::app_status_name(ctx.session.tracked->status) != rest)
                return fail("the tracked application is not '" + rest + "'" +
                            (ctx.session.track_error.empty() ? std::string() : " (" + ctx.session.track_error + ")"));
        } else if (cmd == "expect_track_error") {
            r.frame(1.0f / 60, Host::Raster::No);
            if (ctx.session.tracked || ctx.session.track_error != rest)
                return fail("tracking did not refuse with " + rest + " (got '" + ctx.session.track_error + "')");
        } else if (cmd == "expect_wiped") {
            r.frame(1.0f / 60, Host::Raster::No);
            if (!ctx.session.empty() || ctx.screen != ScreenId::Attract || ctx.staff.session)
                return fail("the visit left traces behind");
        } else if (cmd == "expect_field") {
            // expect_field NAME VALUE: the form field NAME holds VALUE.
            std::istringstream a(rest);
            std::string name;
            a >> name;
            std::string value;
            std::getline(a, value);
            value = trim(value);
            auto it = ctx.session.values.find(name);
            std::string got = it == ctx.session.values.end() ? std::string() : it->second;
            if (got != value)
                return fail("field " + name + " holds '" + got + "'");
        } else if (cmd == "lang") {
            auto l = parse_lang(rest);
            if (!l.ok())
                return fail("lang is ar or en");
            ctx.lang = *l;
            r.frame(1.0f / 60, Host::Raster::No);
        } else if (cmd == "screen") {
            if (!r.ui().show_demo(rest))
                return fail("unknown screen " + rest);
            r.frame(1.0f / 60, Host::Raster::No);
        } else {
            return fail("unknown command " + cmd);
        }
    }
    r.settle();
    return {};
}

} // namespace nafitha::ui
