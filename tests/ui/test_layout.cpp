// Every screen readable in every mode: each demo state of the citizen, staff and technician screens in Arabic and English, portrait and landscape, with
// normal text, large text and high contrast, is checked from the boxes the UI recorded while drawing it (not
// from pixels): no text overflowing its box or cut off, no text over text, nothing hidden under a later
// surface, no control cut off or overlapping another, and every text colour at WCAG AA contrast against what
// is beneath it (4.5:1; 3:1 for large text).

#include "fixture.h"

#include "kiosk/ui/demo.h"
#include "kiosk/ui/layout.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/widgets.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <sstream>

using namespace nafitha;

namespace {

struct Mode {
    const char* name;
    ui::Contrast contrast;
    ui::TextSize size;
};
constexpr Mode kModes[] = {{"normal", ui::Contrast::Normal, ui::TextSize::Normal},
                           {"large", ui::Contrast::Normal, ui::TextSize::Large},
                           {"contrast", ui::Contrast::High, ui::TextSize::Normal},
                           {"large+contrast", ui::Contrast::High, ui::TextSize::Large}};

// The findings of one demo state in one language and mode (after its layouts settled).
std::vector<ui::LayoutFinding> findings(test::Kiosk& k, const ui::DemoState& demo, Lang lang, const Mode& mode)
{
    ui::LayoutLog log;
    REQUIRE(k.kiosk->show_demo(demo.name));
    auto& ctx = k.ctx();
    ctx.lang = lang;
    ctx.theme.contrast = mode.contrast;
    ctx.theme.text_size = mode.size;
    // Two frames: scrolled regions measure their content on the first.
    for (int i = 0; i < 2; ++i)
        k.runner->frame(1.0f / 60, ui::Host::Raster::No);
    ctx.layout_log = &log;
    k.runner->frame(1.0f / 60, ui::Host::Raster::No);
    ctx.layout_log = nullptr;
    return ui::check_layout(log, ctx.size, ctx.scale, ctx.pal().background);
}

} // namespace

TEST_CASE("The layout check finds overflow overlap hidden and cut text and low contrast")
{
    ui::LayoutLog log;
    auto text = [](ui::Rect box, ui::Rect ink, ImU32 colour) {
        ui::LayoutItem t;
        t.kind = ui::LayoutItem::Kind::Text;
        t.box = box;
        t.ink = ink;
        t.clip = ui::Rect{0, 0, 500, 500};
        t.colour = colour;
        t.px = 20;
        t.text = "x";
        return t;
    };
    ImU32 black = IM_COL32(0, 0, 0, 255), white = IM_COL32(255, 255, 255, 255), gold = IM_COL32(0xC8, 0x96, 0x3E, 255);
    log.add(text({10, 10, 100, 30}, {10, 10, 120, 30}, black));  // wider than its box
    log.add(text({10, 100, 100, 30}, {10, 100, 90, 30}, black)); // fine...
    log.add(text({50, 100, 100, 30}, {50, 100, 90, 30}, black)); // ...but this one overlaps it
    log.add(text({10, 480, 100, 40}, {10, 480, 90, 40}, black)); // runs off the screen
    log.add(text({300, 300, 100, 30}, {300, 300, 90, 30}, gold)); // gold on the white page: 2.6:1
    ui::LayoutItem fill;
    fill.kind = ui::LayoutItem::Kind::Fill;
    fill.box = {300, 200, 150, 60};
    fill.clip = {0, 0, 500, 500};
    fill.colour = black;
    log.add(text({320, 210, 100, 30}, {320, 210, 90, 30}, white)); // (drawn before the fill: hidden by it)
    log.add(fill);
    auto found = ui::check_layout(log, ImVec2(500, 500), 1.0f, white);
    std::map<ui::LayoutFinding::Kind, int> kinds;
    for (const auto& f : found)
        ++kinds[f.kind];
    CHECK(kinds[ui::LayoutFinding::Kind::TextOverflow] == 1);
    CHECK(kinds[ui::LayoutFinding::Kind::TextOverlap] == 1);
    CHECK(kinds[ui::LayoutFinding::Kind::TextOffScreen] == 1);
    CHECK(kinds[ui::LayoutFinding::Kind::Contrast] == 2); // gold, and white on the white page beneath the late fill
    CHECK(kinds[ui::LayoutFinding::Kind::TextHidden] == 1);
    CHECK(ui::contrast_ratio(black, white) == Approx(21.0));
    CHECK(ui::contrast_ratio(gold, white) < 3.0);
}

// The sweep over every demo state whose screen is in `modes`: the number of states checked and every finding.
std::pair<size_t, std::string> sweep(std::initializer_list<ui::Mode> modes, size_t& total)
{
    size_t checked = 0;
    std::ostringstream report;
    for (auto [w, h] : {std::pair{540, 960}, std::pair{960, 540}}) {
        auto k = test::make_kiosk(w, h);
        for (const auto& demo : ui::demo_states()) {
            if (std::find(modes.begin(), modes.end(), ui::screen_def(demo.screen).mode) == modes.end())
                continue;
            for (Lang lang : {Lang::Ar, Lang::En}) {
                for (const Mode& mode : kModes) {
                    auto found = findings(*k, demo, lang, mode);
                    ++checked;
                    total += found.size();
                    for (const auto& f : found)
                        report << demo.name << " " << lang_code(lang) << " " << w << "x" << h << " " << mode.name << ": "
                               << ui::finding_name(f.kind) << ": " << f.detail << "\n";
                }
            }
        }
    }
    return {checked, report.str()};
}

TEST_CASE("Every citizen staff and technician screen in every language orientation and mode has no layout or contrast finding")
{
    // Every mode: the citizen's screens, out of service, the technician's (the first-run set-up included) and
    // the staff's counter screens (register, queue, inbox, application, drawer, sync).
    size_t total = 0;
    auto [checked, report] = sweep({ui::Mode::Citizen, ui::Mode::Service, ui::Mode::Technician, ui::Mode::Staff}, total);
    INFO(report);
    CHECK(checked >= 15 * 2 * 2 * std::size(kModes));
    CHECK(total == 0);
}
