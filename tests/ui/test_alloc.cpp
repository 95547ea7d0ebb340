// A steady UI frame allocates nothing: every screen (each demo state), in both languages and both
// orientations, draws its frame again without touching the heap once its caches are warm. Like the text
// engine's test (tests/text/test_render.cpp), tests/text/alloc_counter.cpp interposes malloc and counts.
//
// The frame measured is the UI's: ImGui's new frame, KioskUi::build_frame (every widget, label, translation
// and target), ImGui::Render and the glyph atlas upload. Rasterising the draw lists is SDL's software
// renderer (a GPU on a real kiosk) and is not counted. Work a screen starts on purpose (the health check
// every two seconds, a panel's poll) posts a task and is not a steady frame: demo states have none.

#include "fixture.h"

#include "kiosk/ui/demo.h"

#include <catch2/catch.hpp>

#ifdef NAFITHA_NO_ALLOCATION_COUNT
static uint64_t allocation_count() { return 0; }
#else
uint64_t allocation_count();
#endif

using namespace nafitha;

TEST_CASE("A steady UI frame allocates nothing on any screen")
{
    for (auto [w, h] : {std::pair{540, 960}, std::pair{960, 540}}) {
        auto k = test::make_kiosk(w, h);
        for (const auto& demo : ui::demo_states()) {
            for (Lang lang : {Lang::Ar, Lang::En}) {
                REQUIRE(k->kiosk->show_demo(demo.name));
                k->ctx().lang = lang;
                // Warm up: layouts shaped, glyphs in the atlas, buffers grown.
                for (int i = 0; i < 4; ++i)
                    k->runner->frame(1.0f / 60, ui::Host::Raster::No);
                INFO(demo.name << " " << lang_code(lang) << " " << w << "x" << h); // (allocates: before counting)
                uint64_t before = allocation_count();
                for (int i = 0; i < 3; ++i)
                    k->runner->frame(1.0f / 60, ui::Host::Raster::No);
                uint64_t allocated = allocation_count() - before;
                CHECK(allocated == 0);
            }
        }
    }
}

