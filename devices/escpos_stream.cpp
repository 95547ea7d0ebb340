#include "devices/escpos_stream.h"

namespace nafitha::devices::escpos {

namespace {

enum class Step { Done, NeedMore, Bad };

uint8_t at(std::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

// Parses one command at the front of `s`. On Done, `used` is its length.
Step parse_one(std::string_view s, Command& cmd, size_t& used, std::string& why)
{
    uint8_t b = at(s, 0);
    auto need = [&](size_t n) { return s.size() >= n; };
    if (b == ESC) {
        if (!need(2))
            return Step::NeedMore;
        switch (at(s, 1)) {
        case '@': cmd.kind = CommandKind::Init; used = 2; return Step::Done;
        case '2': cmd.kind = CommandKind::Other; used = 2; return Step::Done;
        case 'd':
        case 'J':
            if (!need(3))
                return Step::NeedMore;
            cmd.kind = at(s, 1) == 'd' ? CommandKind::FeedLines : CommandKind::FeedDots;
            cmd.arg = at(s, 2);
            used = 3;
            return Step::Done;
        case 'a': case '3': case 'E': case '!': case '-': case 't': case 'M': case 'R': case 'U': case '{':
            if (!need(3))
                return Step::NeedMore;
            cmd.kind = CommandKind::Other;
            cmd.arg = at(s, 2);
            used = 3;
            return Step::Done;
        case 'p':
            if (!need(5))
                return Step::NeedMore;
            cmd.kind = CommandKind::DrawerKick;
            cmd.arg = at(s, 2);
            used = 5;
            return Step::Done;
        default:
            why = "unknown ESC command " + std::to_string(at(s, 1));
            return Step::Bad;
        }
    }
    if (b == GS) {
        if (!need(2))
            return Step::NeedMore;
        switch (at(s, 1)) {
        case 'V': {
            if (!need(3))
                return Step::NeedMore;
            uint8_t m = at(s, 2);
            size_t len = (m == 65 || m == 66 || m == 97 || m == 98 || m == 103 || m == 104) ? 4 : 3;
            if (!need(len))
                return Step::NeedMore;
            cmd.kind = CommandKind::Cut;
            cmd.arg = m;
            used = len;
            return Step::Done;
        }
        case 'v': {
            if (!need(8))
                return Step::NeedMore;
            if (at(s, 2) != '0') {
                why = "GS v with function " + std::to_string(at(s, 2));
                return Step::Bad;
            }
            uint32_t wb = at(s, 4) | (uint32_t(at(s, 5)) << 8);
            uint32_t rows = at(s, 6) | (uint32_t(at(s, 7)) << 8);
            if (wb == 0 || rows == 0 || wb > kMaxRasterWidthBytes || rows > kMaxRasterRows) {
                why = "raster band " + std::to_string(wb) + " bytes x " + std::to_string(rows) + " rows";
                return Step::Bad;
            }
            size_t len = 8 + size_t(wb) * rows;
            if (!need(len))
                return Step::NeedMore;
            cmd.kind = CommandKind::Raster;
            cmd.arg = at(s, 3);
            cmd.width_bytes = wb;
            cmd.rows = rows;
            cmd.data.assign(s.substr(8, len - 8));
            used = len;
            return Step::Done;
        }
        case '(': {
            if (!need(5))
                return Step::NeedMore;
            size_t plen = at(s, 3) | (size_t(at(s, 4)) << 8);
            if (plen > 1024) {
                why = "GS ( parameter too long";
                return Step::Bad;
            }
            if (!need(5 + plen))
                return Step::NeedMore;
            if (at(s, 2) == 'H' && plen == 6 && at(s, 5) == 48 && at(s, 6) == 48) {
                cmd.kind = CommandKind::ProcessId;
                cmd.data.assign(s.substr(7, 4));
            } else {
                cmd.kind = CommandKind::Other;
            }
            used = 5 + plen;
            return Step::Done;
        }
        case 'a': case 'r': case '!': case 'B': case 'L': case 'W': case 'I':
            if (!need(3))
                return Step::NeedMore;
            cmd.kind = CommandKind::Other;
            used = at(s, 1) == 'L' || at(s, 1) == 'W' ? 4 : 3;
            if (!need(used))
                return Step::NeedMore;
            return Step::Done;
        default:
            why = "unknown GS command " + std::to_string(at(s, 1));
            return Step::Bad;
        }
    }
    if (b == DLE) {
        if (!need(3))
            return Step::NeedMore;
        if (at(s, 1) != EOT) {
            why = "unknown DLE command " + std::to_string(at(s, 1));
            return Step::Bad;
        }
        cmd.kind = CommandKind::StatusQuery;
        cmd.arg = at(s, 2);
        used = 3;
        return Step::Done;
    }
    if (b == LF) {
        cmd.kind = CommandKind::FeedLines;
        cmd.arg = 1;
        used = 1;
        return Step::Done;
    }
    // Plain text up to the next control byte.
    size_t n = 0;
    while (n < s.size() && at(s, n) != ESC && at(s, n) != GS && at(s, n) != DLE && at(s, n) != LF)
        ++n;
    cmd.kind = CommandKind::Text;
    cmd.data.assign(s.substr(0, n));
    used = n;
    return Step::Done;
}

} // namespace

Result<void> StreamParser::feed(std::string_view bytes, std::vector<Command>& out)
{
    m_buf.append(bytes);
    size_t pos = 0;
    while (pos < m_buf.size()) {
        Command cmd;
        size_t used = 0;
        std::string why;
        Step step = parse_one(std::string_view(m_buf).substr(pos), cmd, used, why);
        if (step == Step::NeedMore)
            break;
        if (step == Step::Bad) {
            m_buf.clear();
            return Error::make("error.escpos.malformed", why);
        }
        out.push_back(std::move(cmd));
        pos += used;
    }
    m_buf.erase(0, pos);
    return {};
}

Result<std::vector<Command>> parse_all(std::string_view bytes)
{
    StreamParser parser;
    std::vector<Command> out;
    TRY(parser.feed(bytes, out));
    if (!parser.idle())
        return Error::make("error.escpos.malformed", "stream ends inside a command");
    return out;
}

Result<Page> assemble_page(const std::vector<Command>& commands)
{
    Page page;
    uint32_t pending_blank = 0;
    for (const auto& c : commands) {
        switch (c.kind) {
        case CommandKind::Init:
            page = Page{};
            pending_blank = 0;
            break;
        case CommandKind::Raster: {
            uint32_t width = c.width_bytes * 8;
            if (page.width == 0)
                page.width = width;
            if (page.width != width)
                return Error::make("error.escpos.malformed", "raster bands of different widths");
            uint32_t stride = c.width_bytes;
            page.bits.resize(page.bits.size() + size_t(pending_blank) * stride, 0);
            page.height += pending_blank;
            pending_blank = 0;
            page.bits.insert(page.bits.end(), c.data.begin(), c.data.end());
            page.height += c.rows;
            page.feed_lines_after = 0;
            break;
        }
        case CommandKind::FeedLines:
            pending_blank += 30u * c.arg;
            page.feed_lines_after += c.arg;
            break;
        case CommandKind::FeedDots:
            pending_blank += c.arg;
            break;
        case CommandKind::Cut: page.cut = true; break;
        case CommandKind::DrawerKick: page.drawer_kicked = true; break;
        default: break;
        }
    }
    return page;
}

} // namespace nafitha::devices::escpos
