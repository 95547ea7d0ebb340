#pragma once
// Barcode and QR scanners. A keyboard-wedge (USB HID) scanner types its payload as key presses far faster
// and more evenly than a person can; WedgeDetector tells the two apart from the timing alone, so the
// track-my-application screen can take a scan while the citizen types elsewhere. Serial scanners send one
// line per scan (CR and/or LF).

#include "base/result.h"
#include "devices/transport.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::devices {

struct WedgeOptions {
    int64_t max_gap_ns = 35'000'000;   // a scanner types a key at least every 35 ms
    size_t min_length = 6;             // shorter bursts are taken as typing
    size_t max_length = 512;
};

// Feed every key event (the character typed, or '\n' for Enter) with its monotonic time.
class WedgeDetector {
public:
    explicit WedgeDetector(WedgeOptions options = {}) : m_options(options) {}

    enum class Verdict {
        Pending,  // the key belongs to a burst that may still be a scan: hold it back
        Typed,    // the keys in typed() were typed by a person: deliver them to the focused field
        Scanned,  // a complete scan is in scan()
    };

    Verdict key(char32_t ch, int64_t time_ns);
    // Call regularly (each frame): a burst that stopped without Enter is released as typing.
    Verdict tick(int64_t time_ns);

    const std::u32string& typed() const { return m_typed; }
    const std::string& scan() const { return m_scan; }

private:
    Verdict release_as_typed();
    WedgeOptions m_options;
    std::u32string m_burst;
    int64_t m_last_ns = 0;
    int64_t m_max_gap_seen = 0;
    std::u32string m_typed;
    std::string m_scan;
};

// Reads complete scans (lines) from a serial scanner.
class SerialScanner {
public:
    explicit SerialScanner(std::unique_ptr<Transport> transport, size_t max_length = 512)
        : m_transport(std::move(transport)), m_max_length(max_length) {}
    // Waits up to `timeout` for the next scan; nullopt when none arrived. An overlong line is
    // error.scanner.too_long (the line is dropped).
    Result<std::optional<std::string>> next(Millis timeout);

private:
    std::unique_ptr<Transport> m_transport;
    size_t m_max_length;
    std::string m_buffer;
    bool m_discarding = false;
};

} // namespace nafitha::devices
