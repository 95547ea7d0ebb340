// Spoken guidance: every citizen screen has guidance in Arabic and English that espeak-ng turns into audible
// speech of a plausible length; the kiosk asks for it off the UI thread when the screen or the language
// changes, never on a steady frame, and not while the speaker is off.

#include "fixture.h"

#include "base/utf8.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/voice.h"

#include <catch2/catch.hpp>

#include <mutex>
#include <thread>
#include <vector>

using namespace nafitha;

TEST_CASE("Every citizen screen has spoken guidance in both languages that is audible and of plausible length")
{
    auto k = test::make_kiosk(540, 960);
    size_t checked = 0;
    for (const auto& def : ui::screens()) {
        if (def.mode != ui::Mode::Citizen && def.mode != ui::Mode::Service)
            continue;
        for (Lang lang : {Lang::Ar, Lang::En}) {
            std::string key = std::string("voice.") + def.name;
            INFO(key << " " << lang_code(lang));
            REQUIRE(k->i18n->has(lang, key));
            std::string_view text = k->i18n->text(lang, key);
            auto speech = ui::synthesize(lang, text);
            REQUIRE(speech.ok());
            double letters = static_cast<double>(utf8::decode(text).size());
            double rms = ui::rms(speech->samples);
            INFO(speech->seconds() << " s for " << letters << " letters, rms " << rms);
            CHECK(speech->rate > 8000);
            CHECK(rms > 300);                                   // not silence
            CHECK(speech->seconds() > 0.02 * letters);          // every word said...
            CHECK(speech->seconds() < 0.25 * letters + 1.0);    // ...and no runaway
            ++checked;
        }
    }
    CHECK(checked >= 28);
    // Refused before espeak-ng sees it.
    CHECK(ui::synthesize(Lang::En, std::string(3000, 'a')).error().code == "error.voice.too_long");
}

TEST_CASE("The kiosk speaks a screen's guidance off the UI thread when it changes and not while the speaker is off")
{
    auto k = test::make_kiosk(540, 960);
    std::mutex m;
    std::vector<ui::Speech> heard;
    std::vector<std::thread::id> threads;
    ui::Voice voice([&](ui::Speech&& s) {
        std::lock_guard lock(m);
        threads.push_back(std::this_thread::get_id());
        heard.push_back(std::move(s));
    });
    auto& ctx = k->ctx();
    ctx.voice = &voice;
    REQUIRE(k->kiosk->show_demo("categories"));
    ctx.lang = Lang::Ar;
    for (int i = 0; i < 5; ++i)
        k->runner->frame(1.0f / 60, ui::Host::Raster::No);
    voice.wait_spoken(1);
    // Steady frames ask for nothing more.
    for (int i = 0; i < 30; ++i)
        k->runner->frame(1.0f / 60, ui::Host::Raster::No);
    {
        std::lock_guard lock(m);
        REQUIRE(heard.size() == 1);
        CHECK(heard[0].text == k->i18n->text(Lang::Ar, "voice.categories"));
        CHECK(heard[0].lang == Lang::Ar);
        CHECK(threads[0] != std::this_thread::get_id());
    }
    // The speaker off: another screen says nothing; on again: the screen in view now is spoken, in English.
    ctx.voice_on = false;
    REQUIRE(k->kiosk->show_demo("payment"));
    for (int i = 0; i < 5; ++i)
        k->runner->frame(1.0f / 60, ui::Host::Raster::No);
    ctx.voice_on = true;
    ctx.lang = Lang::En;
    k->runner->frame(1.0f / 60, ui::Host::Raster::No);
    voice.wait_spoken(2);
    {
        std::lock_guard lock(m);
        REQUIRE(heard.size() == 2);
        CHECK(heard[1].text == k->i18n->text(Lang::En, "voice.payment"));
        CHECK(ui::rms(heard[1].samples) > 300);
    }
    // An error that shows is read out.
    ctx.session.error = "ui.payment.cancelled";
    k->runner->frame(1.0f / 60, ui::Host::Raster::No);
    voice.wait_spoken(3);
    {
        std::lock_guard lock(m);
        REQUIRE(heard.size() == 3);
        CHECK(heard[2].text.find("Payment cancelled") != std::string::npos);
    }
    ctx.voice = nullptr;
}
