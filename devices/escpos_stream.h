#pragma once
// ESC/POS framing: an incremental parser that splits a byte stream into commands, and the assembly of the
// raster commands of one job back into a 1-bit page. Printers, the simulator and the tests all read the
// stream this way, so that raster data is never mistaken for a command (a DLE EOT inside an image is data).

#include "base/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nafitha::devices::escpos {

inline constexpr uint8_t ESC = 0x1B;
inline constexpr uint8_t GS = 0x1D;
inline constexpr uint8_t DLE = 0x10;
inline constexpr uint8_t EOT = 0x04;
inline constexpr uint8_t LF = 0x0A;

// Largest raster band the parser accepts: 2048 dots wide, 4096 rows high.
inline constexpr uint32_t kMaxRasterWidthBytes = 256;
inline constexpr uint32_t kMaxRasterRows = 4096;

enum class CommandKind {
    Init,          // ESC @
    Raster,        // GS v 0 m xL xH yL yH d1...dk
    FeedLines,     // ESC d n (and LF, n = 1)
    FeedDots,      // ESC J n
    Cut,           // GS V m [n]
    DrawerKick,    // ESC p m t1 t2
    StatusQuery,   // DLE EOT n (real time)
    ProcessId,     // GS ( H 6 0 48 48 d1 d2 d3 d4: answer when everything before has been processed
    Text,          // printable bytes outside any command
    Other,         // any other ESC/GS command of known length (alignment, line spacing)
};

struct Command {
    CommandKind kind = CommandKind::Other;
    uint8_t arg = 0;           // n for FeedLines/FeedDots/StatusQuery, m for Cut/DrawerKick
    uint32_t width_bytes = 0;  // Raster
    uint32_t rows = 0;         // Raster
    std::string data;          // Raster bits (rows * width_bytes), Text bytes, ProcessId's 4 bytes
};

class StreamParser {
public:
    // Appends every complete command in `bytes` (plus what was buffered) to `out`. A malformed or oversized
    // command is error.escpos.malformed; the parser is then unusable until reset().
    Result<void> feed(std::string_view bytes, std::vector<Command>& out);
    // True when no partial command is buffered.
    bool idle() const { return m_buf.empty(); }
    void reset() { m_buf.clear(); }

private:
    std::string m_buf;
};

// Whole-stream helper for tests and tools. A trailing partial command is an error.
Result<std::vector<Command>> parse_all(std::string_view bytes);

// One printed page: rows of packed bits, most significant bit first, 1 = black dot.
struct Page {
    uint32_t width = 0;      // dots
    uint32_t height = 0;     // rows
    std::vector<uint8_t> bits; // height * ((width + 7) / 8)
    uint32_t feed_lines_after = 0;
    bool cut = false;
    bool drawer_kicked = false;

    bool black(uint32_t x, uint32_t y) const
    {
        return (bits[y * ((width + 7) / 8) + x / 8] >> (7 - x % 8)) & 1;
    }
};

// Stacks the raster bands of a job into one page. Bands of different widths are an error
// (error.escpos.malformed). Feeds before the last band become blank rows (30 dots a line); feeds after it
// are counted in feed_lines_after.
Result<Page> assemble_page(const std::vector<Command>& commands);

} // namespace nafitha::devices::escpos
