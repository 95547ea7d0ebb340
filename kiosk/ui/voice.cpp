#include "kiosk/ui/voice.h"

#include "base/log.h"

#include <espeak-ng/speak_lib.h>

#include <cmath>

namespace nafitha::ui {

namespace {

std::mutex g_espeak; // espeak-ng's state is global
int g_rate = 0;      // 0: not initialised; < 0: unavailable
std::vector<int16_t>* g_out = nullptr;

int collect(short* wav, int n, espeak_EVENT*)
{
    if (wav && n > 0 && g_out)
        g_out->insert(g_out->end(), wav, wav + n);
    return 0;
}

} // namespace

Result<Speech> synthesize(Lang lang, std::string_view text)
{
    if (text.size() > 2000)
        return Error::make("error.voice.too_long", std::to_string(text.size()) + " bytes");
    std::lock_guard lock(g_espeak);
    if (g_rate == 0) {
        g_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, nullptr, 0);
        if (g_rate > 0)
            espeak_SetSynthCallback(collect);
        else
            g_rate = -1;
    }
    if (g_rate < 0)
        return Error::make("error.voice.unavailable", "espeak-ng could not load its data");
    if (espeak_SetVoiceByName(lang == Lang::Ar ? "ar" : "en") != EE_OK)
        return Error::make("error.voice.unavailable", std::string("no espeak-ng voice for ") + std::string(lang_code(lang)));
    Speech s;
    s.lang = lang;
    s.text.assign(text);
    s.rate = g_rate;
    g_out = &s.samples;
    std::string z(text); // NUL-terminated
    espeak_ERROR e = espeak_Synth(z.c_str(), z.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, nullptr);
    if (e == EE_OK)
        e = espeak_Synchronize();
    g_out = nullptr;
    if (e != EE_OK)
        return Error::make("error.voice.failed", "espeak-ng error " + std::to_string(static_cast<int>(e)));
    return s;
}

double rms(const std::vector<int16_t>& samples)
{
    if (samples.empty())
        return 0;
    double sum = 0;
    for (int16_t v : samples)
        sum += static_cast<double>(v) * v;
    return std::sqrt(sum / static_cast<double>(samples.size()));
}

Voice::Voice(Sink sink) : m_sink(std::move(sink)), m_thread([this] { run(); }) {}

Voice::~Voice()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_queue.clear();
    }
    m_cv.notify_all();
    m_thread.join();
}

void Voice::say(Lang lang, std::string text)
{
    {
        std::lock_guard lock(m_mutex);
        // Dropped ones count as done, so that wait_spoken() counts requests.
        m_done += m_queue.size();
        m_queue.clear();
        m_queue.emplace_back(lang, std::move(text));
    }
    m_cv.notify_all();
}

size_t Voice::spoken() const
{
    std::lock_guard lock(m_mutex);
    return m_done;
}

void Voice::wait_spoken(size_t n) const
{
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_done >= n || m_stop; });
}

void Voice::run()
{
    bool warned = false;
    for (;;) {
        std::pair<Lang, std::string> next;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_stop || !m_queue.empty(); });
            if (m_stop)
                return;
            next = std::move(m_queue.front());
            m_queue.pop_front();
        }
        auto speech = synthesize(next.first, next.second);
        if (speech.ok()) {
            if (m_sink)
                m_sink(std::move(*speech));
        } else if (!warned) {
            warned = true;
            log::warn("voice", "no spoken guidance: " + speech.error().to_string());
        }
        {
            std::lock_guard lock(m_mutex);
            ++m_done;
        }
        m_cv.notify_all();
    }
}

} // namespace nafitha::ui
