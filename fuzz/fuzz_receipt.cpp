// libFuzzer target over receipt QR payloads (untrusted: anyone can print a QR code and hold it to the
// kiosk's scanner): bytes arrive from a serial scanner in pieces, are cut into lines by SerialScanner, and
// each line goes through the tracking screen's path: parse_receipt (which terminal it claims), verify_receipt
// against a fixed key, and parse_reference on the claimed reference and on the raw line (typed references).
// The first byte sets the pieces' size. Invariants: a payload that verifies was signed by the key (never by
// the fuzzer, which does not have it), and a reference that parses is made of ASCII digits and dashes.
// Build and run: installer/dev fuzz receipt; the normal suite replays fuzz/corpus/receipt/ and
// fuzz/regressions/receipt/ (tests/fuzz).

#include "devices/scanner.h"
#include "devices/transport.h"
#include "kiosk/services/reference.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/receipt.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

using namespace nafitha;

namespace {

// A scanner cable that delivers the input in pieces, then reports its end (an error the loop below knows), so
// that the scanner never waits: a read never blocks, and nothing depends on time.
class Pieces final : public devices::Transport {
public:
    Pieces(std::string_view bytes, size_t piece) : m_bytes(bytes), m_piece(piece) {}
    Result<void> write_all(std::string_view, devices::Millis) override { return {}; }
    Result<std::string> read_some(size_t max_bytes, devices::Millis) override
    {
        if (m_bytes.empty())
            return Error::make(kEnd, "end of the fuzz input");
        size_t n = std::min({m_piece, max_bytes, m_bytes.size()});
        std::string out(m_bytes.substr(0, n));
        m_bytes.remove_prefix(n);
        return out;
    }
    std::string describe() const override { return "fuzz"; }
    static constexpr const char* kEnd = "fuzz.end";

private:
    std::string_view m_bytes;
    size_t m_piece;
};

void check_reference(const Result<std::string>& r)
{
    if (!r.ok())
        return;
    for (char c : r.value())
        if (!((c >= '0' && c <= '9') || c == '-'))
            std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const protocol::KeyPair keys = protocol::generate_keypair();
    if (size < 1)
        return 0;
    auto pieces = std::make_unique<Pieces>(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), 1 + data[0] % 64);
    devices::SerialScanner scanner(std::move(pieces), 512);
    // Every line until the input ends. (A zero timeout would return before reading anything: the scanner
    // reads only while time is left, and Pieces answers at once, so a long timeout costs nothing.)
    for (int guard = 0; guard < 100000; ++guard) {
        auto line = scanner.next(devices::Millis(60'000));
        if (!line.ok() && line.error().code == Pieces::kEnd)
            break;
        if (!line.ok() || !line->has_value())
            continue;
        const std::string& payload = **line;
        check_reference(services::parse_reference(payload));
        auto claim = protocol::parse_receipt(payload);
        if (claim.ok())
            check_reference(services::parse_reference(claim->reference));
        if (protocol::verify_receipt(payload, keys.public_key).ok())
            std::abort(); // only the terminal's secret key can sign; the fuzzer never had it
    }
    return 0;
}
