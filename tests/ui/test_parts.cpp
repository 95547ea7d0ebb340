// The kiosk UI's parts, driven through the same input path as a finger.

#include "fixture.h"
#include "kiosk/ui/demo.h"
#include "kiosk/ui/flow.h"
#include "kiosk/ui/keyboard.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/text_field.h"
#include "kiosk/ui/widgets.h"

#include <catch2/catch.hpp>

#include <SDL.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include <cstdlib>
#include <set>
#include <string>

using namespace nafitha;

TEST_CASE("The Arabic keyboard follows the standard layout and lam-alef types two letters")
{
    int n = 0;
    const char* const* row0 = ui::key_row(ui::KeyLayout::Arabic, false, 0, n);
    REQUIRE(n == 12);
    CHECK(std::string(row0[0]) == "ض");
    CHECK(std::string(row0[11]) == "د");
    const char* const* row2 = ui::key_row(ui::KeyLayout::Arabic, false, 2, n);
    bool lam_alef = false;
    for (int i = 0; i < n; ++i)
        lam_alef |= std::string(row2[i]) == "\u0644\u0627";
    CHECK(lam_alef);
    // No presentation forms anywhere on the keyboard.
    for (int shift = 0; shift < 2; ++shift) {
        for (int r = 0; r < 3; ++r) {
            const char* const* keys = ui::key_row(ui::KeyLayout::Arabic, shift == 1, r, n);
            for (int i = 0; i < n; ++i) {
                std::string k = keys[i];
                CHECK(k.find("\xEF\xBB") == std::string::npos); // U+FExx
            }
        }
    }
    CHECK(ui::digit(ui::DigitForm::Western, 7) == "7");
    CHECK(ui::digit(ui::DigitForm::ArabicIndic, 7) == "٧");
}

TEST_CASE("Typing on the on-screen keyboard fills the form field and delete removes a whole cluster")
{
    auto k = test::make_kiosk(540, 960);
    std::string err = k->replay("tap_label المس هنا للبدء\n"
                                "tap_label العربية\n"
                                "tap_label السجلات المدنية\n"
                                "tap_label بيان قيد ولادة\n"
                                "tap_key ui.service.start\n"
                                "tap_label الاسم الكامل\n"
                                "type سلام عليكم\n"
                                "expect_field full_name سلام عليكم\n");
    REQUIRE(err.empty());
    // The lam-alef key inserts lam then alef; delete takes back one grapheme (the alef), then the lam.
    err = k->replay("type لا\nexpect_field full_name سلام عليكملا\n");
    REQUIRE(err.empty());
    CHECK(k->ctx().session.values["full_name"] == "سلام عليكم\u0644\u0627");
    err = k->replay("tap_key ui.key.delete\nexpect_field full_name سلام عليكمل\n");
    CHECK(err.empty());
    // A letter with a haraka is one cluster: typing fatha after the lam and deleting removes both.
    k->ctx().session.values["full_name"] = "سلَ";
    k->ctx().session.edits["full_name"] = ui::EditState{k->ctx().session.values["full_name"].size(),
                                                        k->ctx().session.values["full_name"].size()};
    err = k->replay("tap_key ui.key.delete\nexpect_field full_name س\n");
    CHECK(err.empty());
    // Digits in both forms.
    err = k->replay("tap_key ui.key.done\ntype ٠١٢\nexpect_field national_id ٠١٢\n");
    CHECK(err.empty());
}

TEST_CASE("A tap fires on release inside the target and a drag does not tap")
{
    ui::Touch t;
    ImGuiIO io_storage{};
    ImGuiIO& io = io_storage;
    ui::Rect r{10, 10, 100, 100};
    auto step = [&](float x, float y, bool down) {
        io.MousePos = ImVec2(x, y);
        io.MouseDown[0] = down;
        t.begin_frame(io, 10);
    };
    step(50, 50, false);
    step(50, 50, true);
    CHECK(t.held(r));
    CHECK_FALSE(t.tap(r));
    step(50, 50, false);
    CHECK(t.tap(r));
    // Pressed inside, dragged out and back: it was a drag, not a tap.
    step(50, 50, true);
    step(90, 90, true);
    step(50, 50, true);
    step(50, 50, false);
    CHECK_FALSE(t.tap(r));
    // Pressed outside, released inside: nothing.
    step(500, 500, true);
    step(50, 50, false);
    CHECK_FALSE(t.tap(r));
}

TEST_CASE("A long press fires once after its time and its state lives in the context")
{
    ui::Ctx ctx;
    ImGuiIO io_storage{};
    ImGuiIO& io = io_storage;
    ui::Rect emblem{10, 10, 100, 100};
    ui::Rect corner{300, 10, 100, 100};
    auto frame = [&](float x, float y, bool down, double now) {
        io.MousePos = ImVec2(x, y);
        io.MouseDown[0] = down;
        ctx.touch.begin_frame(io, 10);
        ctx.now = now;
    };
    frame(50, 50, true, 0.0);
    CHECK_FALSE(ui::long_press(ctx, "emblem", emblem, 2.0));
    CHECK(ctx.long_press.since == 0.0);
    frame(50, 50, true, 1.9);
    CHECK_FALSE(ui::long_press(ctx, "emblem", emblem, 2.0));
    frame(50, 50, true, 2.0);
    CHECK(ui::long_press(ctx, "emblem", emblem, 2.0));
    frame(50, 50, true, 4.5);
    CHECK_FALSE(ui::long_press(ctx, "emblem", emblem, 2.0)); // the same press fires once
    // Lifting the finger forgets it; a short press elsewhere does not count towards another long press.
    frame(50, 50, false, 4.6);
    CHECK_FALSE(ui::long_press(ctx, "emblem", emblem, 2.0));
    CHECK(ctx.long_press.since < 0);
    frame(350, 50, true, 5.0);
    CHECK_FALSE(ui::long_press(ctx, "corner", corner, 2.0));
    frame(350, 50, false, 5.5);
    CHECK_FALSE(ui::long_press(ctx, "corner", corner, 2.0));
    frame(350, 50, true, 6.0);
    CHECK_FALSE(ui::long_press(ctx, "corner", corner, 2.0));
    frame(350, 50, true, 7.9);
    CHECK_FALSE(ui::long_press(ctx, "corner", corner, 2.0));
    frame(350, 50, true, 8.0);
    CHECK(ui::long_press(ctx, "corner", corner, 2.0));
}

TEST_CASE("The screen registry is in ScreenId order with unique names and every demo names a screen")
{
    const auto& all = ui::screens();
    for (size_t i = 0; i < all.size(); ++i) {
        INFO(all[i].name);
        CHECK(static_cast<size_t>(all[i].id) == i);
        CHECK(ui::find_screen(all[i].name) == all[i].id);
        CHECK(std::string(ui::screen_name(all[i].id)) == all[i].name);
    }
    CHECK_FALSE(ui::find_screen("no_such_screen"));
    std::set<std::string> demos;
    for (const auto& d : ui::demo_states())
        CHECK(demos.insert(d.name).second);
    for (const auto& s : all)
        CHECK(demos.count(s.name) == 1); // every screen has its golden image
}

TEST_CASE("The UI assesses the form with the services' authority including the centre")
{
    auto k = test::make_kiosk(540, 960);
    REQUIRE(k->kiosk->show_demo("review"));
    ui::Ctx& c = k->ctx();
    CHECK(c.centre == "DAM-01");
    const services::Assessment& here = ui::current_quote(c);
    CHECK(here.ok());
    // The same answers at a centre that does not offer the service: refused before any money is taken.
    c.centre = "NOWHERE-01";
    c.session.service_code = "passport.new";
    const services::Assessment& there = ui::current_quote(c);
    REQUIRE_FALSE(there.validation.ok());
    CHECK(there.validation.problems.front().code == "error.service.unavailable");
    ui::start_payment_and_submit(c);
    CHECK(c.session.busy_message.empty());
    CHECK_FALSE(c.session.payment);
    CHECK(c.worker->in_flight() == 0);
}

TEST_CASE("Drag to scroll keeps moving after release and slows down")
{
    ui::Touch t;
    ui::Scroller s;
    ImGuiIO io_storage{};
    ImGuiIO& io = io_storage;
    ui::Rect view{0, 0, 500, 500};
    float dt = 1.0f / 60;
    auto step = [&](float y, bool down) {
        io.MousePos = ImVec2(100, y);
        io.MouseDown[0] = down;
        t.begin_frame(io, 10);
        s.update(t, view, 3000, dt);
    };
    step(400, false);
    step(400, true);
    for (int i = 1; i <= 10; ++i)
        step(400 - 20.0f * i, true);
    float at_release = s.offset();
    CHECK(at_release > 150);
    step(200, false);
    float after1 = s.offset();
    for (int i = 0; i < 10; ++i)
        step(200, false);
    float after10 = s.offset();
    CHECK(after1 > at_release);       // inertia carries on
    CHECK(after10 > after1);
    float v_early = after1 - at_release;
    step(200, false);
    float v_late = s.offset() - after10;
    CHECK(v_late < v_early);          // and slows down
    for (int i = 0; i < 600; ++i)
        step(200, false);
    CHECK(s.offset() <= 2500);        // never past the end
}

TEST_CASE("Right-to-left layouts mirror placement and the back arrow")
{
    auto k = test::make_kiosk(540, 960);
    ui::Ctx& c = k->ctx();
    ui::Rect within{0, 0, 500, 100};
    c.lang = Lang::Ar;
    ui::Rect a = ui::from_start(c, within, 10, 100);
    CHECK(a.x == Approx(390));
    c.lang = Lang::En;
    ui::Rect b = ui::from_start(c, within, 10, 100);
    CHECK(b.x == Approx(10));
    // The back button sits at the start side: right in Arabic, left in English.
    for (Lang lang : {Lang::Ar, Lang::En}) {
        REQUIRE(k->kiosk->show_demo("service"));
        c.lang = lang;
        k->runner->frame();
        const ui::Target* back = nullptr;
        for (const auto& t : c.targets)
            if (t.text == c.tr("ui.back"))
                back = &t;
        REQUIRE(back);
        if (lang == Lang::Ar)
            CHECK(back->rect.x > 270);
        else
            CHECK(back->rect.x < 270);
    }
}

TEST_CASE("Touch targets are at least 64 pixels at 1080p")
{
    auto k = test::make_kiosk(1080, 1920);
    for (const char* screen : {"attract", "categories", "services", "service", "form", "review", "payment", "done",
                               "survey", "track", "staff_login", "staff_queue"}) {
        INFO(screen);
        REQUIRE(k->kiosk->show_demo(screen));
        k->runner->frame();
        for (const auto& t : k->ctx().targets) {
            INFO(t.text);
            CHECK(t.rect.h >= 64);
            CHECK(t.rect.w >= 64);
        }
    }
}

TEST_CASE("An idle citizen is asked after 60 seconds and wiped 15 seconds later")
{
    auto k = test::make_kiosk(540, 960);
    std::string err = k->replay("tap_label المس هنا للبدء\n"
                                "tap_label English\n"
                                "tap_label Civil records\n"
                                "tap_label Birth record extract\n"
                                "tap_key ui.service.start\n"
                                "tap_label Full name\n"
                                "type abc\n"
                                "wait 59\n");
    REQUIRE(err.empty());
    CHECK_FALSE(k->ctx().idle_prompt);
    CHECK(k->ctx().session.values["full_name"] == "abc");
    err = k->replay("wait 2\n");
    CHECK(k->ctx().idle_prompt);
    // "I'm still here" keeps the visit.
    err = k->replay("tap_key ui.idle.stay\nexpect_field full_name abc\n");
    CHECK(err.empty());
    CHECK_FALSE(k->ctx().idle_prompt);
    err = k->replay("wait 76\nexpect_wiped\n");
    CHECK(err.empty());
    CHECK(k->ctx().session.values.empty());
    CHECK(k->ctx().lang == Lang::Ar);
}

TEST_CASE("The worker runs tasks off the UI thread and applies results at the next frame")
{
    ui::Worker w(ui::Worker::Mode::Threaded);
    std::thread::id ui_thread = std::this_thread::get_id();
    std::thread::id task_thread;
    int applied = 0;
    w.post([&]() -> ui::Worker::Completion {
        task_thread = std::this_thread::get_id();
        return [&] { ++applied; };
    });
    w.drain();
    CHECK(applied == 0);
    CHECK(w.in_flight() == 1);
    w.apply_completions();
    CHECK(applied == 1);
    CHECK(w.in_flight() == 0);
    CHECK(task_thread != ui_thread);
}

TEST_CASE("Every screen draws in both orientations without failing")
{
    for (auto [w, h] : {std::pair{1080, 1920}, std::pair{1920, 1080}}) {
        auto k = test::make_kiosk(w, h);
        for (const auto& s : ui::demo_states()) {
            for (Lang lang : {Lang::Ar, Lang::En}) {
                REQUIRE(k->kiosk->show_demo(s.name));
                k->ctx().lang = lang;
                k->runner->frame(1.0f / 60, ui::Host::Raster::No);
                // Nothing tappable may hang off the screen.
                for (const auto& t : k->ctx().targets) {
                    INFO(s.name << " " << t.text);
                    CHECK(t.rect.x >= -1);
                    CHECK(t.rect.x + t.rect.w <= w + 1);
                }
            }
        }
    }
}

TEST_CASE("Finger events from SDL reach the pointer one transition per frame")
{
    // A real SDL window on the off-screen video driver: the path a touch screen takes.
#ifdef __SANITIZE_ADDRESS__
    // The video driver's system libraries (EGL, Mesa), loaded and unloaded by SDL, leak on purpose; what this
    // test's own code allocates is checked by every other test on the window-less path.
    __lsan::ScopedDisabler system_libraries_leak;
#endif
    ::setenv("SDL_VIDEODRIVER", "offscreen", 1);
    auto host = ui::Host::create(ui::HostOptions{400, 800, ui::Display::Window});
    ::unsetenv("SDL_VIDEODRIVER");
    if (!host.ok()) {
        WARN("no off-screen SDL video: " << host.error().to_string());
        return;
    }
    ImVec2 size = (*host)->size();
    auto finger = [](Uint32 type, float x, float y) {
        SDL_Event e{};
        e.type = type;
        e.tfinger.x = x;
        e.tfinger.y = y;
        e.tfinger.fingerId = 1;
        SDL_PushEvent(&e);
    };
    // A quick tap: down and up arrive in the same poll; they must land in two different frames.
    finger(SDL_FINGERDOWN, 0.25f, 0.5f);
    finger(SDL_FINGERUP, 0.25f, 0.5f);
    REQUIRE((*host)->pump_events());
    (*host)->begin_frame(1.0f / 60);
    CHECK(ImGui::GetIO().MouseDown[0]);
    CHECK(ImGui::GetIO().MousePos.x == Approx(size.x * 0.25f));
    CHECK(ImGui::GetIO().MousePos.y == Approx(size.y * 0.5f));
    ImGui::EndFrame();
    (*host)->begin_frame(1.0f / 60);
    CHECK_FALSE(ImGui::GetIO().MouseDown[0]);
    ImGui::EndFrame();
}
