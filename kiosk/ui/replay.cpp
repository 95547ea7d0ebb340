#include "kiosk/ui/replay.h"

#include "base/utf8.h"
#include "kiosk/ui/screens.h"

#include <algorithm>
#include <chrono>
#include <array>
#include <cmath>
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
    // From the symbols back to the letters they came from ("abc" / "أ ب") before switching the letters' language.
    // Two rounds over the toggles: a key can be two switches away (from the symbols of one alphabet to the
    // letters of the other).
    const char* toggles[] = {"ui.key.shift", "ABC", "abc", "أ ب", "#+=", "عربي", "أ ب ت", "١٢٣", "123", "ui.key.shift"};
    const size_t rounds = 2 * std::size(toggles);
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
        for (size_t attempt = 0; attempt <= rounds && !typed; ++attempt) {
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
            if (attempt == rounds)
                break;
            std::string label = toggles[attempt % std::size(toggles)];
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

namespace {

constexpr size_t kMaxScriptBytes = 4 << 20;
constexpr size_t kMaxLineBytes = 4096;
constexpr float kMaxCoordinate = 100000;

bool known_command(std::string_view c)
{
    static constexpr std::string_view known[] = {"tap", "tap_label", "tap_key", "hold", "drag", "type", "wait", "settle",
                                                 "screenshot", "expect_screen", "expect_label", "scan", "expect_tracked",
                                                 "expect_track_error", "expect_wiped", "expect_field", "lang", "screen",
                                                 "keys", "tap_label_containing", "expect_message",
                                                 "wait_cash", "expect_scan", "expect_lang"};
    return std::find(std::begin(known), std::end(known), c) != std::end(known);
}

// The keys a `keys` line types: its text with {tab}, {shift+tab}, {enter} and {backspace} as control characters.
Result<std::u32string> physical_keys(const std::string& line)
{
    std::u32string text = utf8::decode(line), out;
    for (size_t i = 0; i < text.size(); ++i) {
        char32_t ch = text[i];
        if (ch == U'{') {
            size_t end = text.find(U'}', i);
            if (end == std::u32string::npos)
                return Error::make("error.replay.failed", "keys: { without }");
            std::string name = utf8::encode(text.substr(i + 1, end - i - 1));
            ch = name == "tab" ? U'\t' : name == "shift+tab" ? U'\x0b' : name == "enter" ? U'\n' : name == "backspace" ? U'\b' : 0;
            if (ch == 0)
                return Error::make("error.replay.failed", "keys: unknown key {" + name + "}");
            i = end;
        }
        out.push_back(ch);
    }
    return out;
}

// Reads `count` numbers from `text`, each finite and within [lo, hi]; nothing else may follow.
bool numbers(const std::string& text, size_t count, float lo, float hi, std::array<float, 4>& out)
{
    std::istringstream in(text);
    for (size_t i = 0; i < count; ++i) {
        double v = 0;
        if (!(in >> v) || !std::isfinite(v) || v < lo || v > hi)
            return false;
        out[i] = static_cast<float>(v);
    }
    std::string extra;
    return !(in >> extra);
}

} // namespace

Result<std::vector<ReplayStep>> parse_replay(std::string_view script)
{
    if (script.size() > kMaxScriptBytes)
        return Error::make("error.replay.failed", "the script is larger than 4 MiB");
    std::vector<ReplayStep> steps;
    int number = 0;
    size_t pos = 0;
    while (pos < script.size()) {
        size_t nl = script.find('\n', pos);
        std::string_view raw = script.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? script.size() : nl + 1;
        ++number;
        auto fail = [&](const std::string& why) {
            return Error::make("error.replay.failed", "line " + std::to_string(number) + ": " + why);
        };
        if (raw.size() > kMaxLineBytes)
            return fail("longer than 4 KiB");
        if (!utf8::is_valid(raw))
            return fail("not UTF-8");
        std::string line = trim(std::string(raw));
        if (line.empty() || line[0] == '#')
            continue;
        ReplayStep step;
        step.line = number;
        size_t space = line.find_first_of(" \t");
        step.command = line.substr(0, space);
        step.text = space == std::string::npos ? std::string() : trim(line.substr(space));
        const std::string& c = step.command;
        if (!known_command(c))
            return fail("unknown command " + c);
        if (c == "tap" && !numbers(step.text, 2, 0, kMaxCoordinate, step.numbers))
            return fail("tap needs X Y");
        if (c == "hold" && (!numbers(step.text, 3, 0, kMaxCoordinate, step.numbers) || step.numbers[2] > 60))
            return fail("hold needs X Y SECONDS (up to 60)");
        if (c == "drag" && !numbers(step.text, 4, 0, kMaxCoordinate, step.numbers))
            return fail("drag needs X0 Y0 X1 Y1");
        if (c == "wait" && !numbers(step.text, 1, 0, 3600, step.numbers))
            return fail("wait takes 0 to 3600 seconds");
        if (c == "wait_cash" && !numbers(step.text, 1, 1, 1e12, step.numbers))
            return fail("wait_cash takes an amount in minor units");
        if (c == "screenshot") {
            std::filesystem::path file(step.text);
            bool inside = !step.text.empty() && file.is_relative() && !file.has_root_path();
            for (const auto& part : file)
                inside = inside && part != ".." && part != ".";
            if (!inside)
                return fail("screenshot needs a file name inside the output folder");
        }
        if (c == "keys") {
            auto keys = physical_keys(step.text);
            if (!keys.ok())
                return fail(keys.error().detail);
        }
        if ((c == "tap_label_containing" || c == "expect_message" || c == "expect_scan") && step.text.empty())
            return fail(c + " needs a text");
        if ((c == "lang" || c == "expect_lang") && !parse_lang(step.text).ok())
            return fail("lang is ar or en");
        if (c == "expect_field") {
            size_t gap = step.text.find_first_of(" \t");
            step.value = gap == std::string::npos ? std::string() : trim(step.text.substr(gap));
            step.text = step.text.substr(0, gap);
            if (step.text.empty())
                return fail("expect_field needs NAME VALUE");
        }
        steps.push_back(std::move(step));
    }
    return steps;
}

Result<void> run_replay(Runner& r, std::istream& script, const std::filesystem::path& out_dir, std::ostream& log)
{
    // The whole script is read and checked before anything runs: a bad line stops nothing half-way.
    std::string text;
    char buf[65536];
    while (script.read(buf, sizeof buf) || script.gcount() > 0) {
        text.append(buf, static_cast<size_t>(script.gcount()));
        if (text.size() > kMaxScriptBytes)
            break;
    }
    auto steps = parse_replay(text);
    if (!steps.ok()) {
        log << "replay: " << steps.error().detail << "\n";
        return steps.error();
    }
    Ctx& ctx = r.ui().ctx();
    r.frame();
    for (const ReplayStep& step : steps.value()) {
        const std::string& cmd = step.command;
        const std::string& rest = step.text;
        const auto& n = step.numbers;
        auto fail = [&](const std::string& why) {
            log << "replay: line " << step.line << ": " << why << " (screen " << screen_name(ctx.screen) << ")\n";
            return Error::make("error.replay.failed", "line " + std::to_string(step.line) + ": " + why);
        };
        log << "replay: " << cmd << (rest.empty() ? "" : " ") << rest << (step.value.empty() ? "" : " ") << step.value << "\n";
        if (cmd == "tap") {
            tap_at(r, point(r, n[0], n[1]));
        } else if (cmd == "tap_label" || cmd == "tap_key") {
            std::string label = cmd == "tap_key" ? std::string(ctx.tr(rest)) : rest;
            r.frame(1.0f / 60, Host::Raster::No);
            const Target* t = find_target(ctx, label, false);
            if (!t)
                return fail("nothing labelled '" + label + "'");
            tap_at(r, t->rect.centre());
        } else if (cmd == "tap_label_containing") {
            r.frame(1.0f / 60, Host::Raster::No);
            const Target* found = nullptr;
            for (const Target& t : ctx.targets)
                if (!found && t.text.find(rest) != std::string::npos)
                    found = &t;
            if (!found)
                return fail("nothing labelled with '" + rest + "' in it");
            tap_at(r, found->rect.centre());
        } else if (cmd == "wait_cash") {
            // wait_cash MINOR: frames until the cash acceptor has taken at least MINOR into escrow (the
            // simulated citizen feeds it from the worker thread). Progress, not time: the bound only stops a
            // script that would wait forever.
            auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            auto inserted = [&] { return ctx.session.cash_inserted ? ctx.session.cash_inserted->load() : int64_t{0}; };
            while (inserted() < static_cast<int64_t>(n[0])) {
                if (std::chrono::steady_clock::now() > give_up)
                    return fail("the cash acceptor took only " + std::to_string(inserted()));
                r.frame(1.0f / 60, Host::Raster::No);
            }
        } else if (cmd == "expect_message") {
            r.frame(1.0f / 60, Host::Raster::No);
            if (ctx.counter.message != rest && ctx.staff.message != rest && ctx.session.error != rest &&
                ctx.provision.error != rest && ctx.provision.print_message != rest && ctx.staff.tech_message != rest)
                return fail("the message is not " + rest + " (got '" + ctx.counter.message + "' '" + ctx.provision.error + "' '" +
                            ctx.staff.tech_message + "')");
        } else if (cmd == "expect_lang") {
            r.frame(1.0f / 60, Host::Raster::No);
            if (ctx.lang != parse_lang(rest).value())
                return fail("the screen is not in " + rest);
        } else if (cmd == "expect_scan") {
            // The devices tab's live scanner test: KIND [DETAIL] of the last code read.
            r.frame(1.0f / 60, Host::Raster::No);
            std::string kind = rest.substr(0, rest.find(' '));
            std::string detail = rest.find(' ') == std::string::npos ? std::string() : rest.substr(rest.find(' ') + 1);
            if (!ctx.staff.scan || ctx.staff.scan->kind != kind || (!detail.empty() && ctx.staff.scan->detail != detail) ||
                !ctx.staff.scan->valid)
                return fail("the scanner test does not show " + rest + " (got '" +
                            (ctx.staff.scan ? ctx.staff.scan->kind + " " + ctx.staff.scan->detail : std::string("nothing")) + "')");
        } else if (cmd == "hold") {
            ImVec2 p = point(r, n[0], n[1]);
            r.host().push_pointer(p, false);
            r.host().push_pointer(p, true);
            int frames = std::max(1, static_cast<int>(n[2] * 60));
            for (int i = 0; i < frames; ++i)
                r.frame(1.0f / 60, Host::Raster::No);
            r.host().push_pointer(p, false);
            r.frame(1.0f / 60, Host::Raster::No);
        } else if (cmd == "drag") {
            ImVec2 p0 = point(r, n[0], n[1]), p1 = point(r, n[2], n[3]);
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
        } else if (cmd == "keys") {
            // Typed on a physical keyboard (SDL text input), with {tab}, {shift+tab}, {enter}, {backspace}.
            auto keys = physical_keys(rest);
            if (!keys.ok())
                return fail(keys.error().detail);
            for (char32_t ch : keys.value()) {
                r.ui().on_typed(std::u32string(1, ch));
                r.frame(1.0f / 60, Host::Raster::No);
            }
        } else if (cmd == "type") {
            auto t = type_text(r, rest, log);
            if (!t.ok())
                return fail(t.error().detail);
        } else if (cmd == "wait") {
            int frames = static_cast<int>(n[0] * 10);
            for (int i = 0; i < frames; ++i)
                r.frame(0.1f, Host::Raster::No);
        } else if (cmd == "settle") {
            r.settle();
        } else if (cmd == "screenshot") {
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
            // STATUS [REASON_KEY [FEE_OUTCOME]]: the status, then the decision's reason and the fee's fate.
            std::istringstream words(rest);
            std::string status, reason, fee;
            words >> status >> reason >> fee;
            const auto& tr = ctx.session.tracked;
            if (!tr || services::app_status_name(tr->status) != status)
                return fail("the tracked application is not '" + status + "'" +
                            (ctx.session.track_error.empty() ? std::string() : " (" + ctx.session.track_error + ")"));
            if (!reason.empty() && tr->reason_key != reason)
                return fail("the tracked reason is '" + tr->reason_key + "', not '" + reason + "'");
            if (!fee.empty() && tr->fee_outcome != fee)
                return fail("the tracked fee is '" + tr->fee_outcome + "', not '" + fee + "'");
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
            auto it = ctx.session.values.find(rest);
            std::string got = it == ctx.session.values.end() ? std::string() : it->second;
            if (got != step.value)
                return fail("field " + rest + " holds '" + got + "'");
        } else if (cmd == "lang") {
            ctx.lang = parse_lang(rest).value();
            r.frame(1.0f / 60, Host::Raster::No);
        } else if (cmd == "screen") {
            if (!r.ui().show_demo(rest))
                return fail("unknown screen " + rest);
            r.frame(1.0f / 60, Host::Raster::No);
        }
    }
    r.settle();
    return {};
}

} // namespace nafitha::ui
