// ESC/POS framing, status bytes and device addresses.

#include "devices/escpos_stream.h"
#include "devices/printer_status.h"
#include "devices/transport.h"

#include <catch2/catch.hpp>

using namespace nafitha;
using namespace nafitha::devices;

namespace {

std::string raster(uint32_t width_bytes, uint32_t rows, uint8_t fill)
{
    std::string s("\x1d\x76\x30\x00", 4);
    s.push_back(char(width_bytes & 0xFF));
    s.push_back(char(width_bytes >> 8));
    s.push_back(char(rows & 0xFF));
    s.push_back(char(rows >> 8));
    s.append(size_t(width_bytes) * rows, char(fill));
    return s;
}

} // namespace

TEST_CASE("The ESC/POS parser splits a stream into commands across any chunk boundary")
{
    // The raster data is full of DLE EOT bytes: they must stay data.
    std::string job = std::string("\x1b\x40", 2) + raster(2, 3, 0x10) + raster(2, 1, 0x04) + std::string("\x1b\x64\x03", 3) +
                      std::string("\x1d\x56\x42\x00", 4) + std::string("\x10\x04\x04", 3);
    auto whole = escpos::parse_all(job);
    REQUIRE(whole.ok());
    REQUIRE(whole->size() == 6);
    CHECK((*whole)[0].kind == escpos::CommandKind::Init);
    CHECK((*whole)[1].kind == escpos::CommandKind::Raster);
    CHECK((*whole)[1].rows == 3);
    CHECK((*whole)[3].kind == escpos::CommandKind::FeedLines);
    CHECK((*whole)[3].arg == 3);
    CHECK((*whole)[4].kind == escpos::CommandKind::Cut);
    CHECK((*whole)[5].kind == escpos::CommandKind::StatusQuery);
    CHECK((*whole)[5].arg == 4);

    for (size_t chunk : {1u, 2u, 3u, 5u, 7u}) {
        escpos::StreamParser parser;
        std::vector<escpos::Command> out;
        for (size_t i = 0; i < job.size(); i += chunk)
            REQUIRE(parser.feed(std::string_view(job).substr(i, chunk), out).ok());
        CHECK(parser.idle());
        REQUIRE(out.size() == whole->size());
        for (size_t i = 0; i < out.size(); ++i) {
            CHECK(out[i].kind == (*whole)[i].kind);
            CHECK(out[i].data == (*whole)[i].data);
        }
    }

    auto page = escpos::assemble_page(*whole);
    REQUIRE(page.ok());
    CHECK(page->width == 16);
    CHECK(page->height == 4);
    CHECK(page->cut);
    CHECK(page->feed_lines_after == 3);
    CHECK_FALSE(page->black(0, 0));
    CHECK(page->black(3, 0)); // 0x10 = 00010000
    CHECK(page->black(5, 3)); // 0x04 = 00000100
}

TEST_CASE("Malformed or oversized ESC/POS is a clear error")
{
    CHECK(escpos::parse_all(std::string("\x1b\x7f", 2)).error().code == "error.escpos.malformed");
    CHECK(escpos::parse_all(raster(300, 1, 0)).error().code == "error.escpos.malformed");
    CHECK(escpos::parse_all(raster(2, 5000, 0).substr(0, 20)).error().code == "error.escpos.malformed");
    // Truncated in the middle of a band.
    CHECK(escpos::parse_all(raster(2, 4, 0).substr(0, 10)).error().code == "error.escpos.malformed");
    // Bands of different widths cannot make one page.
    auto cmds = escpos::parse_all(raster(2, 1, 0) + raster(3, 1, 0));
    REQUIRE(cmds.ok());
    CHECK(escpos::assemble_page(*cmds).error().code == "error.escpos.malformed");
}

TEST_CASE("Status bytes round-trip for every printer condition")
{
    for (int mask = 0; mask < 32; ++mask) {
        PrinterStatus s;
        s.online = mask & 1;
        s.cover_open = mask & 2;
        s.paper_near_end = mask & 4;
        s.paper_out = mask & 8;
        s.error = mask & 16;
        std::array<uint8_t, 4> bytes{};
        for (uint8_t n = 1; n <= 4; ++n)
            bytes[n - 1] = status_reply_byte(n, s);
        auto d = decode_status(bytes);
        REQUIRE(d.ok());
        CHECK(d->online == s.ready());
        CHECK(d->cover_open == s.cover_open);
        CHECK(d->paper_out == s.paper_out);
        CHECK(d->paper_near_end == (s.paper_near_end || s.paper_out));
        CHECK(d->error == s.error);
    }
    CHECK(decode_status({0xFF, 0x12, 0x12, 0x12}).error().code == "error.printer.bad_status");
    PrinterStatus ok;
    ok.online = true;
    CHECK(ok.code() == "device.printer.ok");
    ok.paper_near_end = true;
    CHECK(ok.code() == "device.printer.paper_near_end");
    ok.paper_out = true;
    CHECK(ok.code() == "device.printer.paper_out");
}

TEST_CASE("Device addresses parse and bad ones are refused")
{
    auto tcp = parse_address("tcp://192.168.1.50:9100");
    REQUIRE(tcp.ok());
    CHECK(tcp->kind == DeviceAddress::Kind::Tcp);
    CHECK(tcp->host == "192.168.1.50");
    CHECK(tcp->port == 9100);
    auto lp = parse_address("/dev/usb/lp0");
    REQUIRE(lp.ok());
    CHECK(lp->kind == DeviceAddress::Kind::File);
    auto serial = parse_address("serial:///dev/ttyUSB0?baud=115200");
    REQUIRE(serial.ok());
    CHECK(serial->baud == 115200);
    for (auto bad : {"tcp://host:0", "tcp://:9100", "tcp://h:99999", "relative/path", "serial://dev?baud=x", ""})
        CHECK(parse_address(bad).error().code == "error.device.bad_address");
    auto unsupported = parse_address("serial:///dev/null?baud=12345");
    REQUIRE(unsupported.ok());
    CHECK(open_transport(*unsupported, Millis(100)).error().code == "error.device.bad_address");
    auto missing = parse_address("/dev/usb/no-such-printer");
    CHECK(open_transport(*missing, Millis(100)).error().code == "error.device.connect_failed");
}

TEST_CASE("The ESC/POS parser survives random bytes in random chunks")
{
    uint32_t seed = 12345;
    size_t commands = 0;
    auto next = [&] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    for (int round = 0; round < 300; ++round) {
        std::string bytes;
        size_t len = next() % 600;
        for (size_t i = 0; i < len; ++i) {
            // Bias towards command bytes so that real commands (and broken ones) appear often.
            uint32_t r = next() % 10;
            bytes.push_back(char(r == 0 ? 0x1B : r == 1 ? 0x1D : r == 2 ? 0x10 : next() & 0xFF));
        }
        escpos::StreamParser parser;
        std::vector<escpos::Command> out;
        size_t pos = 0;
        bool failed = false;
        while (pos < bytes.size() && !failed) {
            size_t n = 1 + next() % 40;
            failed = !parser.feed(std::string_view(bytes).substr(pos, n), out).ok();
            pos += n;
        }
        for (auto& c : out)
            if (c.kind == escpos::CommandKind::Raster)
                REQUIRE(c.data.size() == size_t(c.width_bytes) * c.rows);
        (void)escpos::assemble_page(out);
        commands += out.size();
    }
    CHECK(commands > 100);
}
