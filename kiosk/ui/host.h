#pragma once
// The SDL and ImGui host: a window (development), full screen (kiosk) or an off-screen software surface
// (headless: tests, screenshots, replays, benchmarks). Owns every SDL handle. Pointer input from the mouse and
// from fingers (SDL_FINGER*, which ImGui 1.86's SDL backend ignores) is queued and fed to ImGui one
// transition per frame, through io.MousePos/io.MouseDown after the platform backend's NewFrame, so a quick
// tap is never lost. Replays inject pointer states into the same queue.

#include "base/result.h"
#include "kiosk/ui/labels.h"

#include <imgui.h>

#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

struct SDL_Window;
struct SDL_Renderer;
struct SDL_Surface;

namespace nafitha::ui {

enum class Display { Window, Fullscreen, Headless };

struct HostOptions {
    int width = 1080;
    int height = 1920;
    Display display = Display::Window;
};

class Host {
public:
    static Result<std::unique_ptr<Host>> create(const HostOptions& options);
    ~Host();
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    SDL_Renderer* renderer() const { return m_renderer; }
    ImVec2 size() const;
    bool headless() const { return m_window == nullptr; }
    // Plays 16-bit mono samples at `rate` through SDL audio, replacing what is still playing (any thread).
    // Headless hosts play nothing; a machine without audio logs it once.
    void play(const int16_t* samples, size_t count, int rate);

    // Reads window events into the pointer queue; false when the window was closed.
    bool pump_events();
    // Characters from a keyboard or a keyboard-wedge scanner ('\n' for Enter, '\b' for Backspace) with their
    // monotonic time, oldest first; take_keys() empties the queue.
    struct KeyInput {
        char32_t ch;
        int64_t time_ns;
    };
    std::vector<KeyInput> take_keys();
    // Queues a pointer state (pixels, pressed or not), as a finger would.
    void push_pointer(ImVec2 pos, bool down);
    size_t pending_pointer() const { return m_pointer.size(); }

    // Starts an ImGui frame with `dt` seconds since the last one and the next queued pointer state.
    void begin_frame(float dt);
    // Ends the frame: ImGui::Render, atlas upload, and (unless `rasterise` is false) drawing and presenting.
    enum class Raster { Yes, No };
    // `clear` is the screen's background colour (cheaper as a clear than as a full-screen shape).
    void end_frame(Labels& labels, Raster raster = Raster::Yes, ImU32 clear = IM_COL32(0, 0, 0, 255));

    // Writes the last rendered frame to a PNG (alpha forced to 255).
    Result<void> screenshot(const std::filesystem::path& path) const;
    // The last rendered frame as RGBA bytes (alpha 255), width * height * 4.
    std::vector<uint8_t> pixels() const;

    // Tests only: moves every vertex by a pseudo-random amount of at most `amplitude` pixels before it is
    // snapped, as another CPU's approximate arithmetic would (ImGui normalises with the rsqrtss instruction,
    // whose low bits differ between processors). 0 turns it off.
    void set_vertex_noise(float amplitude) { m_vertex_noise = amplitude; }

private:
    Host() = default;
    SDL_Window* m_window = nullptr;
    SDL_Renderer* m_renderer = nullptr;
    SDL_Surface* m_surface = nullptr; // headless target
    ImGuiContext* m_imgui = nullptr;
    bool m_sdl_platform = false;
    bool m_renderer_backend = false;
    int m_width = 0, m_height = 0;
    float m_vertex_noise = 0;
    struct PointerState {
        ImVec2 pos;
        bool down;
    };
    std::deque<PointerState> m_pointer;
    std::vector<KeyInput> m_keys;
    PointerState m_current{ImVec2(-1, -1), false};
    std::mutex m_audio_mutex;
    uint32_t m_audio = 0; // SDL_AudioDeviceID, 0 until the first play
    int m_audio_rate = 0;
    bool m_audio_failed = false;
};

} // namespace nafitha::ui
