// libFuzzer target over ESC/POS bytes (untrusted: what comes back on a printer's cable, and what a printer
// receives): the replies a printer sends while a job prints (status quadruples and process-ID barriers, split
// by scan_printer_replies in pieces), status decoding (query_status over a cable that answers with the
// input), and the command stream parser the printer simulator uses, fed in pieces and whole.
// Invariants: the reply inbox never keeps more than a barrier's length of bytes it cannot use (a stuck inbox
// hides the real barrier), and the stream parser gives the same commands whatever the pieces.
// Build and run: installer/dev fuzz escpos; the normal suite replays fuzz/corpus/escpos/ and
// fuzz/regressions/escpos/ (tests/fuzz).

#include "devices/escpos_stream.h"
#include "devices/printer_status.h"
#include "devices/transport.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace nafitha;
using namespace nafitha::devices;

namespace {

class Cable final : public Transport {
public:
    explicit Cable(std::string_view bytes) : m_bytes(bytes) {}
    Result<void> write_all(std::string_view, Millis) override { return {}; }
    Result<std::string> read_some(size_t max_bytes, Millis) override
    {
        if (m_bytes.empty())
            return Error::make("error.device.closed", "end of input");
        size_t n = std::min(max_bytes, m_bytes.size());
        std::string out(m_bytes.substr(0, n));
        m_bytes.remove_prefix(n);
        return out;
    }
    std::string describe() const override { return "fuzz"; }

private:
    std::string_view m_bytes;
};

// Text may come out in several runs when it arrives in pieces: join adjacent runs before comparing.
std::vector<escpos::Command> joined(const std::vector<escpos::Command>& in)
{
    std::vector<escpos::Command> out;
    for (const auto& c : in) {
        if (c.kind == escpos::CommandKind::Text && !out.empty() && out.back().kind == escpos::CommandKind::Text)
            out.back().data += c.data;
        else
            out.push_back(c);
    }
    return out;
}

bool same(std::vector<escpos::Command> a, std::vector<escpos::Command> b)
{
    a = joined(a);
    b = joined(b);
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].kind != b[i].kind || a[i].arg != b[i].arg || a[i].data != b[i].data || a[i].rows != b[i].rows
            || a[i].width_bytes != b[i].width_bytes)
            return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2)
        return 0;
    size_t piece = 1 + data[0] % 32;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);

    // Replies while a job prints.
    const std::string expected = process_id_reply({'N', 'F', char('0' + data[1] % 10), '1'});
    std::string inbox;
    bool outstanding = data[1] & 1;
    for (size_t at = 0; at < bytes.size(); at += piece) {
        inbox.append(bytes.substr(at, piece));
        auto scan = scan_printer_replies(inbox, expected, outstanding);
        if (scan.barrier)
            break;
        if (!outstanding && inbox.size() >= expected.size())
            std::abort(); // bytes that are neither a status nor a barrier stayed in the way
        outstanding = outstanding || (data[1] & 2);
    }

    // A status query answered by the input.
    Cable cable(bytes);
    (void)query_status(cable, Millis(1000));
    if (bytes.size() >= 4)
        (void)decode_status({uint8_t(bytes[0]), uint8_t(bytes[1]), uint8_t(bytes[2]), uint8_t(bytes[3])});

    // The printer's side: the command stream, in pieces and whole.
    escpos::StreamParser parser;
    std::vector<escpos::Command> pieces_out;
    bool failed = false;
    for (size_t at = 0; at < bytes.size() && !failed; at += piece)
        failed = !parser.feed(bytes.substr(at, piece), pieces_out).ok();
    auto whole = escpos::parse_all(bytes);
    if (whole.ok() && (failed || !parser.idle() || !same(whole.value(), pieces_out)))
        std::abort();
    return 0;
}
