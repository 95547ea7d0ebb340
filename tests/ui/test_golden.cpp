// Golden images: every screen in Arabic and English at 540x960, compared with the PNGs in tests/ui/golden.
// A mismatch writes the actual picture and a diff picture (changed pixels in red) next to the test binary.
// NAFITHA_UPDATE_GOLDEN=1 rewrites the goldens (look at them before committing).

#include "fixture.h"
#include "kiosk/ui/demo.h"
#include "kiosk/ui/screens.h"

#include <catch2/catch.hpp>
#include <stb_image.h>
#include <stb_image_write.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

using namespace nafitha;

namespace {

constexpr int kW = 540, kH = 960;

std::filesystem::path golden_dir()
{
    return std::filesystem::path(NAFITHA_SOURCE_DIR) / "tests" / "ui" / "golden";
}

std::filesystem::path out_dir()
{
    auto d = std::filesystem::path(NAFITHA_BINARY_DIR) / "tests" / "ui-golden-out";
    std::filesystem::create_directories(d);
    return d;
}

// RGB pixels of a PNG, or empty.
std::vector<uint8_t> load_rgb(const std::filesystem::path& p, int& w, int& h)
{
    int n = 0;
    unsigned char* data = stbi_load(p.c_str(), &w, &h, &n, 3);
    if (!data)
        return {};
    std::vector<uint8_t> out(data, data + static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
    stbi_image_free(data);
    return out;
}

std::vector<uint8_t> to_rgb(const std::vector<uint8_t>& rgba)
{
    std::vector<uint8_t> out(rgba.size() / 4 * 3);
    for (size_t i = 0, j = 0; i < rgba.size(); i += 4, j += 3) {
        out[j] = rgba[i];
        out[j + 1] = rgba[i + 1];
        out[j + 2] = rgba[i + 2];
    }
    return out;
}

} // namespace

namespace {

// Compares the current frame with golden `name`; writes actual and diff pictures on a mismatch.
void check_golden(test::Kiosk& k, const std::string& name, bool update, int kW = ::kW, int kH = ::kH)
{
    INFO("golden " << name);
    std::vector<uint8_t> actual = to_rgb(k.host->pixels());
    auto golden_path = golden_dir() / (name + ".png");
    if (update) {
        REQUIRE(stbi_write_png(golden_path.c_str(), kW, kH, 3, actual.data(), kW * 3));
        return;
    }
    int gw = 0, gh = 0;
    std::vector<uint8_t> golden = load_rgb(golden_path, gw, gh);
    REQUIRE_FALSE(golden.empty());
    REQUIRE(gw == kW);
    REQUIRE(gh == kH);
    // Compared in 3x3 blocks (averaged), so that a sub-pixel change in glyph rasterisation or anti-aliasing
    // does not fail the test while anything a person would notice does (a moved button, missing or
    // mirrored text, another colour): a block differs when a channel of its average moves by more than 32;
    // at most 0.3% of the blocks may differ. The diff picture marks differing blocks in red.
    constexpr int B = 3;
    size_t differing = 0;
    std::vector<uint8_t> diff(actual.size());
    for (size_t i = 0; i < actual.size(); i += 3) {
        uint8_t grey = static_cast<uint8_t>((golden[i] + golden[i + 1] + golden[i + 2]) / 6 + 128);
        diff[i] = diff[i + 1] = diff[i + 2] = grey;
    }
    for (int by = 0; by + B <= kH; by += B) {
        for (int bx = 0; bx + B <= kW; bx += B) {
            int sa[3] = {0, 0, 0}, sg[3] = {0, 0, 0};
            for (int y = by; y < by + B; ++y)
                for (int x = bx; x < bx + B; ++x)
                    for (int c = 0; c < 3; ++c) {
                        size_t i = (static_cast<size_t>(y) * kW + static_cast<size_t>(x)) * 3 + static_cast<size_t>(c);
                        sa[c] += actual[i];
                        sg[c] += golden[i];
                    }
            bool d = false;
            for (int c = 0; c < 3; ++c)
                d |= std::abs(sa[c] - sg[c]) > 32 * B * B;
            if (!d)
                continue;
            ++differing;
            for (int y = by; y < by + B; ++y)
                for (int x = bx; x < bx + B; ++x) {
                    size_t i = (static_cast<size_t>(y) * kW + static_cast<size_t>(x)) * 3;
                    diff[i] = 255;
                    diff[i + 1] = 0;
                    diff[i + 2] = 0;
                }
        }
    }
    size_t allowed = static_cast<size_t>(kW / B) * (kH / B) * 3 / 1000;
    if (differing > allowed) {
        auto out = out_dir();
        stbi_write_png((out / (name + "-actual.png")).c_str(), kW, kH, 3, actual.data(), kW * 3);
        stbi_write_png((out / (name + "-diff.png")).c_str(), kW, kH, 3, diff.data(), kW * 3);
    }
    CHECK(differing <= allowed);
}

} // namespace

TEST_CASE("Every screen matches its golden image in Arabic and English")
{
    auto k = test::make_kiosk(kW, kH);
    bool update = std::getenv("NAFITHA_UPDATE_GOLDEN") != nullptr;
    for (const auto& screen : ui::demo_states()) {
        for (Lang lang : {Lang::Ar, Lang::En}) {
            REQUIRE(k->kiosk->show_demo(screen.name));
            k->ctx().lang = lang;
            for (int i = 0; i < 3; ++i)
                k->runner->frame();
            check_golden(*k, std::string(screen.name) + "-" + std::string(lang_code(lang)), update);
        }
    }
}

TEST_CASE("The counter's screens match their golden images in landscape in Arabic and English")
{
    // Counter mode is a staff terminal in landscape (1366x768 here; 1920x1080 is the same layout scaled).
    constexpr int W = 1366, H = 768;
    auto k = test::make_kiosk(W, H);
    bool update = std::getenv("NAFITHA_UPDATE_GOLDEN") != nullptr;
    for (const char* name : {"counter_register", "counter_done", "counter_application", "counter_drawer", "staff_inbox", "staff_sync"}) {
        for (Lang lang : {Lang::Ar, Lang::En}) {
            REQUIRE(k->kiosk->show_demo(name));
            k->ctx().lang = lang;
            for (int i = 0; i < 3; ++i)
                k->runner->frame();
            check_golden(*k, std::string("landscape-") + name + "-" + std::string(lang_code(lang)), update, W, H);
        }
    }
}

TEST_CASE("High contrast and large text match their golden images")
{
    auto k = test::make_kiosk(kW, kH);
    bool update = std::getenv("NAFITHA_UPDATE_GOLDEN") != nullptr;
    struct Case {
        const char* screen;
        Lang lang;
        ui::Contrast contrast;
        ui::TextSize size;
        const char* name;
    };
    const Case cases[] = {{"form", Lang::Ar, ui::Contrast::High, ui::TextSize::Normal, "access-form-ar-contrast"},
                          {"service", Lang::Ar, ui::Contrast::Normal, ui::TextSize::Large, "access-service-ar-large"},
                          {"categories", Lang::En, ui::Contrast::High, ui::TextSize::Large, "access-categories-en-both"}};
    for (const Case& c : cases) {
        REQUIRE(k->kiosk->show_demo(c.screen));
        k->ctx().lang = c.lang;
        k->ctx().theme.contrast = c.contrast;
        k->ctx().theme.text_size = c.size;
        for (int i = 0; i < 3; ++i)
            k->runner->frame();
        check_golden(*k, c.name, update);
    }
}

TEST_CASE("The cash overlay shows what was inserted against what is due")
{
    auto k = test::make_kiosk(kW, kH);
    bool update = std::getenv("NAFITHA_UPDATE_GOLDEN") != nullptr;
    REQUIRE(k->kiosk->show_demo("payment"));
    auto& s = k->ctx().session;
    s.busy_message = "ui.busy.cash";
    s.cash_inserted = std::make_shared<std::atomic<int64_t>>(100000);
    s.cash_due = 200000;
    for (int i = 0; i < 3; ++i)
        k->runner->frame();
    check_golden(*k, "busy-cash-ar", update);
    s.busy_message.clear();
}

TEST_CASE("Pictures do not change with another processor's last-bit arithmetic")
{
    // ImGui's outline geometry uses approximate reciprocal square roots (rsqrtss), whose last bits differ from
    // one CPU to another; the host snaps vertices so that goldens hold on every machine. Here every vertex is
    // moved by up to 1/1000 of a pixel, far more than those differences, and the pictures must stay the same.
    auto k = test::make_kiosk(kW, kH);
    size_t changed_pixels = 0;
    int animated = 0, compared = 0;
    for (const auto& screen : ui::demo_states()) {
        for (Lang lang : {Lang::Ar, Lang::En}) {
            INFO("screen " << screen.name << " " << lang_code(lang));
            REQUIRE(k->kiosk->show_demo(screen.name));
            k->ctx().lang = lang;
            for (int i = 0; i < 3; ++i)
                k->runner->frame();
            std::vector<uint8_t> plain = k->host->pixels();
            k->host->set_vertex_noise(0.001f);
            k->runner->frame();
            std::vector<uint8_t> noisy = k->host->pixels();
            k->host->set_vertex_noise(0);
            k->runner->frame();
            if (k->host->pixels() != plain) {
                ++animated;
                continue; // an animated screen changes by itself from frame to frame
            }
            ++compared;
            // A pixel on a 1/64 snapping boundary may take a slightly different coverage; a whole edge that
            // moves by a pixel changes thousands (without snapping, 2,500 to 400,000 a screen).
            size_t n = 0;
            for (size_t i = 0; i < plain.size(); i += 4) {
                int d = 0;
                for (size_t c = 0; c < 3; ++c)
                    d = std::max(d, std::abs(int(plain[i + c]) - int(noisy[i + c])));
                n += d > 24;
            }
            changed_pixels += n;
            CHECK(n <= 100);
        }
    }
    INFO("pixels changed by the noise over all screens: " << changed_pixels << "; compared " << compared
                                                                 << ", animated " << animated);
    CHECK(compared >= 40);
    CHECK(changed_pixels <= 1000);
}
