#pragma once
// Spoken guidance: espeak-ng (Debian's libespeak-ng) turns a screen's guidance ("voice.<screen>" in the
// translations) or an error message into 16-bit mono PCM on the voice's own thread, never on the UI thread.
// The kiosk plays it through SDL audio (Host::play); headless runs and tests hand it to any sink.
//
// espeak-ng keeps one global state, so every synthesis in the process is serialised (synthesize() may be called
// from any thread). The UI asks for speech only when the screen, the language or the error changes, so a
// steady frame costs nothing.

#include "base/i18n.h"
#include "base/result.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace nafitha::ui {

struct Speech {
    Lang lang = Lang::Ar;
    std::string text;
    std::vector<int16_t> samples; // mono
    int rate = 0;                 // samples per second
    double seconds() const { return rate > 0 ? static_cast<double>(samples.size()) / rate : 0; }
};

// Synthesises `text` in `lang` ("ar" or "en" voice). error.voice.unavailable when espeak-ng or its data cannot
// be loaded; error.voice.failed when synthesis fails. Text longer than 2,000 bytes is refused (error.voice.too_long).
Result<Speech> synthesize(Lang lang, std::string_view text);

// Root mean square of the samples (0 for silence; speech is in the thousands).
double rms(const std::vector<int16_t>& samples);

class Voice {
public:
    using Sink = std::function<void(Speech&&)>;
    explicit Voice(Sink sink);
    ~Voice();
    Voice(const Voice&) = delete;
    Voice& operator=(const Voice&) = delete;

    // Queues `text` to be spoken; what was queued and not yet started is dropped (the newest screen wins).
    void say(Lang lang, std::string text);
    // Utterances handed to the sink so far, and failures (logged once each).
    size_t spoken() const;
    // Blocks until `n` utterances were handed to the sink or failed (tests).
    void wait_spoken(size_t n) const;

private:
    void run();

    Sink m_sink;
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_cv;
    std::deque<std::pair<Lang, std::string>> m_queue;
    size_t m_done = 0;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace nafitha::ui
