#include "kiosk/ui/host.h"

#include "base/clock.h"
#include "base/log.h"
#include "base/utf8.h"

#include <SDL.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace nafitha::ui {

Result<std::unique_ptr<Host>> Host::create(const HostOptions& options)
{
    if (options.width < 64 || options.height < 64 || options.width > 8192 || options.height > 8192)
        return Error::make("error.ui.bad_size", "size out of range");
    std::unique_ptr<Host> h(new Host());
    h->m_width = options.width;
    h->m_height = options.height;
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    if (options.display == Display::Headless) {
        // No video driver at all: a software renderer drawing into a surface.
        if (SDL_Init(0) != 0)
            return Error::make("error.ui.sdl", SDL_GetError());
        h->m_surface = SDL_CreateRGBSurfaceWithFormat(0, options.width, options.height, 32, SDL_PIXELFORMAT_XRGB8888);
        if (!h->m_surface)
            return Error::make("error.ui.sdl", SDL_GetError());
        h->m_renderer = SDL_CreateSoftwareRenderer(h->m_surface);
        if (!h->m_renderer)
            return Error::make("error.ui.sdl", SDL_GetError());
    } else {
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "");
        if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0)
            return Error::make("error.ui.sdl", SDL_GetError());
        Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
        if (options.display == Display::Fullscreen)
            flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
        else
            flags |= SDL_WINDOW_RESIZABLE;
        h->m_window = SDL_CreateWindow("Nafitha", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, options.width,
                                       options.height, flags);
        if (!h->m_window)
            return Error::make("error.ui.sdl", SDL_GetError());
        h->m_renderer = SDL_CreateRenderer(h->m_window, -1, SDL_RENDERER_PRESENTVSYNC | SDL_RENDERER_ACCELERATED);
        if (!h->m_renderer)
            h->m_renderer = SDL_CreateRenderer(h->m_window, -1, SDL_RENDERER_SOFTWARE);
        if (!h->m_renderer)
            return Error::make("error.ui.sdl", SDL_GetError());
        if (options.display == Display::Fullscreen)
            SDL_ShowCursor(SDL_DISABLE);
    }
    IMGUI_CHECKVERSION();
    h->m_imgui = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    io.DisplaySize = ImVec2(static_cast<float>(options.width), static_cast<float>(options.height));
    // Solid shapes are drawn untextured (see end_frame): lines must not need the font texture either.
    ImGui::GetStyle().AntiAliasedLinesUseTex = false;
    if (h->m_window) {
        ImGui_ImplSDL2_InitForSDLRenderer(h->m_window);
        h->m_sdl_platform = true;
    }
    ImGui_ImplSDLRenderer_Init(h->m_renderer);
    h->m_renderer_backend = true;
    return h;
}

void Host::play(const int16_t* samples, size_t count, int rate)
{
    if (headless() || count == 0)
        return;
    std::lock_guard lock(m_audio_mutex);
    if (m_audio_failed)
        return;
    if (m_audio != 0 && m_audio_rate != rate) {
        SDL_CloseAudioDevice(m_audio);
        m_audio = 0;
    }
    if (m_audio == 0) {
        if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
            m_audio_failed = true;
            log::warn("ui", std::string("no audio: ") + SDL_GetError());
            return;
        }
        SDL_AudioSpec want{};
        want.freq = rate;
        want.format = AUDIO_S16SYS;
        want.channels = 1;
        want.samples = 2048;
        m_audio = SDL_OpenAudioDevice(nullptr, 0, &want, nullptr, 0);
        if (m_audio == 0) {
            m_audio_failed = true;
            log::warn("ui", std::string("no audio device: ") + SDL_GetError());
            return;
        }
        m_audio_rate = rate;
        SDL_PauseAudioDevice(m_audio, 0);
    }
    SDL_ClearQueuedAudio(m_audio);
    SDL_QueueAudio(m_audio, samples, static_cast<Uint32>(count * sizeof(int16_t)));
}

Host::~Host()
{
    if (m_audio != 0)
        SDL_CloseAudioDevice(m_audio);
    if (m_renderer_backend)
        ImGui_ImplSDLRenderer_Shutdown();
    if (m_sdl_platform)
        ImGui_ImplSDL2_Shutdown();
    if (m_imgui)
        ImGui::DestroyContext(m_imgui);
    if (m_renderer)
        SDL_DestroyRenderer(m_renderer);
    if (m_surface)
        SDL_FreeSurface(m_surface);
    if (m_window)
        SDL_DestroyWindow(m_window);
    SDL_Quit();
}

ImVec2 Host::size() const
{
    if (m_window) {
        int w = 0, h = 0;
        SDL_GetRendererOutputSize(m_renderer, &w, &h);
        return ImVec2(static_cast<float>(w), static_cast<float>(h));
    }
    return ImVec2(static_cast<float>(m_width), static_cast<float>(m_height));
}

void Host::push_pointer(ImVec2 pos, bool down)
{
    if (m_pointer.size() > 256)
        m_pointer.pop_front();
    m_pointer.push_back(PointerState{pos, down});
}

bool Host::pump_events()
{
    if (!m_window)
        return true;
    SDL_Event e;
    bool running = true;
    // On high-density displays the renderer has more pixels than the window has points: mouse positions
    // come in points and are scaled to pixels (finger positions are fractions of the window).
    int ww = 1, wh = 1;
    SDL_GetWindowSize(m_window, &ww, &wh);
    ImVec2 size = this->size();
    float sx = size.x / static_cast<float>(std::max(1, ww)), sy = size.y / static_cast<float>(std::max(1, wh));
    while (SDL_PollEvent(&e)) {
        ImGui_ImplSDL2_ProcessEvent(&e);
        switch (e.type) {
        case SDL_QUIT:
            running = false;
            break;
        case SDL_MOUSEBUTTONDOWN:
        case SDL_MOUSEBUTTONUP:
            // Touches also arrive as synthetic mouse events: the finger events below handle them.
            if (e.button.which != SDL_TOUCH_MOUSEID && e.button.button == SDL_BUTTON_LEFT)
                push_pointer(ImVec2(static_cast<float>(e.button.x) * sx, static_cast<float>(e.button.y) * sy),
                             e.type == SDL_MOUSEBUTTONDOWN);
            break;
        case SDL_MOUSEMOTION:
            if (e.motion.which != SDL_TOUCH_MOUSEID)
                push_pointer(ImVec2(static_cast<float>(e.motion.x) * sx, static_cast<float>(e.motion.y) * sy),
                             (e.motion.state & SDL_BUTTON_LMASK) != 0);
            break;
        case SDL_TEXTINPUT: {
            std::string_view text(e.text.text);
            size_t pos = 0;
            while (pos < text.size() && m_keys.size() < 4096)
                m_keys.push_back(KeyInput{utf8::decode_next(text, pos), clock::monotonic_ns()});
            break;
        }
        case SDL_KEYDOWN:
            if ((e.key.keysym.sym == SDLK_RETURN || e.key.keysym.sym == SDLK_KP_ENTER) && m_keys.size() < 4096)
                m_keys.push_back(KeyInput{U'\n', clock::monotonic_ns()});
            else if (e.key.keysym.sym == SDLK_BACKSPACE && m_keys.size() < 4096)
                m_keys.push_back(KeyInput{U'\b', clock::monotonic_ns()});
            else if (e.key.keysym.sym == SDLK_TAB && m_keys.size() < 4096)
                // Tab to the next field, Shift+Tab to the previous (the counter's forms).
                m_keys.push_back(KeyInput{(e.key.keysym.mod & KMOD_SHIFT) ? U'\x0b' : U'\t', clock::monotonic_ns()});
            break;
        case SDL_FINGERDOWN:
        case SDL_FINGERUP:
        case SDL_FINGERMOTION:
            push_pointer(ImVec2(e.tfinger.x * size.x, e.tfinger.y * size.y), e.type != SDL_FINGERUP);
            break;
        default:
            break;
        }
    }
    return running;
}

std::vector<Host::KeyInput> Host::take_keys()
{
    std::vector<KeyInput> out;
    out.swap(m_keys);
    return out;
}

void Host::begin_frame(float dt)
{
    ImGuiIO& io = ImGui::GetIO();
    ImGui_ImplSDLRenderer_NewFrame();
    if (m_sdl_platform)
        ImGui_ImplSDL2_NewFrame();
    io.DisplaySize = size();
    io.DisplayFramebufferScale = ImVec2(1, 1);
    io.DeltaTime = dt > 0 ? dt : 1.0f / 60;
    // One pointer transition per frame: moves coalesce, a press or release always gets its own frame.
    while (!m_pointer.empty()) {
        PointerState next = m_pointer.front();
        m_pointer.pop_front();
        bool transition = next.down != m_current.down;
        m_current = next;
        if (transition)
            break;
    }
    io.MousePos = m_current.pos;
    io.MouseDown[0] = m_current.down;
    for (int i = 1; i < 5; ++i)
        io.MouseDown[i] = false;
    ImGui::NewFrame();
}

void Host::end_frame(Labels& labels, Raster raster, ImU32 clear)
{
    ImGui::Render();
    labels.upload();
    if (raster == Raster::No)
        return;
    // ImGui fills solid shapes by sampling the white pixel of its font texture. The software renderer's
    // textured triangles are several times slower than plain coloured ones, and the kiosk never draws ImGui's
    // font, so those commands go untextured (vertex colours only).
    ImDrawData* dd = ImGui::GetDrawData();
    ImTextureID font = ImGui::GetIO().Fonts->TexID;
    // Vertices are snapped to 1/64 of a pixel, as a GPU's rasteriser does. ImGui computes outline and
    // anti-aliasing fringe positions with approximate reciprocal square roots whose last bits differ from one
    // CPU to another; an even-width outline puts edges exactly on pixel boundaries, where such a difference
    // would move a whole row of pixels. Snapping makes the picture the same on every machine.
    uint32_t noise_state = 0x9E3779B9u;
    for (int l = 0; l < dd->CmdListsCount; ++l) {
        ImDrawList* list = dd->CmdLists[l];
        for (ImDrawCmd& cmd : list->CmdBuffer) {
            if (cmd.TextureId == font)
                cmd.TextureId = nullptr;
        }
        for (ImDrawVert& v : list->VtxBuffer) {
            if (m_vertex_noise != 0) {
                for (float* c : {&v.pos.x, &v.pos.y}) {
                    noise_state = noise_state * 1664525u + 1013904223u;
                    *c += m_vertex_noise * (static_cast<float>(noise_state >> 8) / 8388608.0f - 1.0f);
                }
            }
            v.pos.x = std::nearbyint(v.pos.x * 64.0f) / 64.0f;
            v.pos.y = std::nearbyint(v.pos.y * 64.0f) / 64.0f;
        }
    }
    SDL_SetRenderDrawColor(m_renderer, static_cast<Uint8>(clear & 0xFF), static_cast<Uint8>((clear >> 8) & 0xFF),
                           static_cast<Uint8>((clear >> 16) & 0xFF), 255);
    SDL_RenderClear(m_renderer);
    ImGui_ImplSDLRenderer_RenderDrawData(dd);
    SDL_RenderPresent(m_renderer);
}

std::vector<uint8_t> Host::pixels() const
{
    ImVec2 s = size();
    int w = static_cast<int>(s.x), h = static_cast<int>(s.y);
    std::vector<uint8_t> out(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
    if (m_surface) {
        SDL_LockSurface(m_surface);
        SDL_ConvertPixels(w, h, m_surface->format->format, m_surface->pixels, m_surface->pitch, SDL_PIXELFORMAT_ABGR8888,
                          out.data(), w * 4);
        SDL_UnlockSurface(m_surface);
    } else {
        SDL_RenderReadPixels(m_renderer, nullptr, SDL_PIXELFORMAT_ABGR8888, out.data(), w * 4);
    }
    for (size_t i = 3; i < out.size(); i += 4)
        out[i] = 255;
    return out;
}

Result<void> Host::screenshot(const std::filesystem::path& path) const
{
    ImVec2 s = size();
    int w = static_cast<int>(s.x), h = static_cast<int>(s.y);
    std::vector<uint8_t> px = pixels();
    if (!stbi_write_png(path.c_str(), w, h, 4, px.data(), w * 4))
        return Error::make("error.ui.screenshot", "cannot write " + path.string());
    return {};
}

} // namespace nafitha::ui
