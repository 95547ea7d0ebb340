// Documents end to end: golden receipts in Arabic and English at both widths, QR codes read back with
// zbarimg, every document through ESC/POS and back, the A4 PDF, and a receipt through the print queue to
// the printer simulator over TCP.

#include "devices/escpos_stream.h"
#include "devices/print_queue.h"
#include "devices/printer_simulator.h"
#include "printing/escpos.h"
#include "printing/pdf.h"
#include "printing/png.h"
#include "printing/qr.h"
#include "sync/protocol/receipt.h"
#include "printing/render.h"
#include "tests/printing/helpers.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <stb_image_write.h>
#include <thread>

using namespace nafitha;
using namespace nafitha::printing;
using namespace test_printing;

namespace test_printing {

ReceiptData sample_receipt(Lang lang)
{
    ReceiptData r;
    r.reference = "DAM1-000123-7";
    r.service_name = lang == Lang::Ar ? "إخراج قيد مدني فردي" : "Individual civil registry extract";
    r.centre = "DAM-01";
    r.terminal_id = "T0123456789ab";
    r.time_utc = "2026-11-28T10:15:00.000Z";
    r.amount = Money{250000, "SYP"};
    r.pay_method = "cash";
    r.tendered = Money{300000, "SYP"};
    r.change = Money{50000, "SYP"};
    r.expected_ready = "2026-12-01";
    r.ticket_number = "A-042";
    r.qr_payload = protocol::sign_receipt(r.reference, r.terminal_id, fixed_keys().secret_key).value();
    return r;
}

} // namespace test_printing

namespace {

std::string zbar(const std::filesystem::path& png)
{
    std::string cmd = "zbarimg --raw -q '" + png.string() + "' 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p)
        return {};
    std::string out;
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    ::pclose(p);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    return out;
}

void write_diff(const Bitmap& want, const Bitmap& got, const std::filesystem::path& path)
{
    int w = std::max(want.width, got.width), h = std::max(want.height, got.height);
    std::vector<uint8_t> rgb(size_t(w) * size_t(h) * 3, 255);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            bool a = x < want.width && y < want.height && want.black(x, y);
            bool b = x < got.width && y < got.height && got.black(x, y);
            uint8_t* px = &rgb[(size_t(y) * size_t(w) + size_t(x)) * 3];
            if (a && b)
                px[0] = px[1] = px[2] = 160;
            else if (a)
                px[0] = 0, px[1] = 0, px[2] = 255;  // expected ink missing: blue
            else if (b)
                px[0] = 255, px[1] = 0, px[2] = 0;  // unexpected ink: red
        }
    stbi_write_png(path.c_str(), w, h, 3, rgb.data(), w * 3);
}

// Compares with tests/printing/golden/<name>.png; NAFITHA_UPDATE_GOLDEN=1 rewrites the golden instead. On a
// mismatch the actual picture and a diff picture are left in the build folder. The page must have the same
// size; up to 0.2% of the dots may differ, so that a glyph rasterisation tweak in text/ does not fail every
// golden while a moved line, a lost word or a wrong direction still does.
void check_golden(const Bitmap& got, const std::string& name)
{
    auto golden = std::filesystem::path(NAFITHA_SOURCE_DIR) / "tests" / "printing" / "golden" / (name + ".png");
    if (std::getenv("NAFITHA_UPDATE_GOLDEN")) {
        REQUIRE(write_png(got, golden).ok());
        return;
    }
    auto want = read_png(golden);
    REQUIRE(want.ok());
    size_t differing = 0;
    bool same_size = want->width == got.width && want->height == got.height;
    if (same_size)
        for (int y = 0; y < got.height; ++y)
            for (int x = 0; x < got.width; ++x)
                differing += want->black(x, y) != got.black(x, y);
    size_t allowed = size_t(got.width) * size_t(got.height) / 500;
    if (!same_size || differing > allowed) {
        auto out = artifacts_dir();
        (void)write_png(got, out / (name + ".actual.png"));
        write_diff(*want, got, out / (name + ".diff.png"));
        FAIL("golden " << name << " differs (" << (same_size ? std::to_string(differing) + " dots" : std::string("size"))
                                << "); see " << (out / (name + ".diff.png")).string());
    }
}

void require_roundtrip(const Bitmap& b)
{
    auto bytes = encode_escpos(b).value();
    auto page = devices::escpos::assemble_page(devices::escpos::parse_all(bytes).value()).value();
    REQUIRE(int(page.width) == b.width);
    REQUIRE(int(page.height) == b.height);
    REQUIRE(page.bits == b.bits);
}

} // namespace

TEST_CASE("Golden receipts in Arabic and English at 58 and 80 mm")
{
    for (Lang lang : {Lang::Ar, Lang::En})
        for (int width : {kWidth58mm, kWidth80mm}) {
            std::string name = "receipt_" + std::string(lang_code(lang)) + "_" + std::to_string(width);
            INFO(name);
            auto data = sample_receipt(lang);
            auto doc = receipt_document(data, loc(lang));
            // The reference number is the last line.
            auto& last = std::get<TextBlock>(doc.blocks.back());
            CHECK(last.text.find(data.reference) != std::string::npos);
            auto bitmap = render(doc, width, engine());
            REQUIRE(bitmap.ok());
            CHECK(bitmap->width == width);
            check_golden(*bitmap, name);
            require_roundtrip(*bitmap);

            // The QR code on the printed dots reads back to the signed payload.
            auto png = artifacts_dir() / (name + ".png");
            REQUIRE(write_png(*bitmap, png).ok());
            auto scanned = zbar(png);
            CHECK(scanned == data.qr_payload);
            CHECK(protocol::verify_receipt(scanned, fixed_keys().public_key).ok());
        }
}

TEST_CASE("Tickets summaries Z reports and test pages render at both widths and survive ESC/POS")
{
    TicketData t{"A-042", "الأحوال المدنية", "DAM-01", "2026-11-28T10:15:00.000Z", 7, 21, ""};
    SummaryData s;
    s.reference = "DAM1-000123-7";
    s.service_name = "إخراج قيد مدني فردي";
    s.status_key = "printing.status.in_review";
    s.submitted_utc = "2026-11-28T10:15:00.000Z";
    s.fee = Money{250000};
    s.paid = Money{250000};
    s.fields = {{"الاسم الكامل", "سامر محمد الخطيب"}, {"الرقم الوطني", "01020304050"}, {"مكان الولادة", "دمشق"}};
    s.history = {{"2026-11-28T10:15:00.000Z", "مقدَّم"}, {"2026-11-28T10:16:00.000Z", "مدفوع"}};
    ZReportData z;
    z.day = "2026-11-28";
    z.centre = "DAM-01";
    z.terminal_id = "T0123456789ab";
    z.generated_utc = "2026-11-28T20:00:00.000Z";
    z.payments = 14;
    z.cash = Money{1250000};
    z.card = Money{500000};
    z.by_staff = {{"", 9, Money{750000}, Money{250000}}, {"ليلى", 5, Money{500000}, Money{250000}}};
    TestPageData tp{"T0123456789ab", "tcp://127.0.0.1:9100", 576, "2026-11-28T20:00:00.000Z"};
    for (Lang lang : {Lang::Ar, Lang::En})
        for (int width : {kWidth58mm, kWidth80mm}) {
            tp.width_dots = width;
            for (auto& doc : {ticket_document(t, loc(lang)), summary_document(s, loc(lang)),
                              z_report_document(z, loc(lang)), test_page_document(tp, loc(lang))}) {
                auto b = render(doc, width, engine());
                REQUIRE(b.ok());
                CHECK(b->black_count() > 2000);
                require_roundtrip(*b);
            }
        }
    // Keep pictures of the other documents for people to look at.
    (void)write_png(render(ticket_document(t, loc(Lang::Ar)), kWidth80mm, engine()).value(), artifacts_dir() / "ticket_ar_576.png");
    (void)write_png(render(z_report_document(z, loc(Lang::Ar)), kWidth80mm, engine()).value(), artifacts_dir() / "z_ar_576.png");
    (void)write_png(render(test_page_document(tp, loc(Lang::En)), kWidth80mm, engine()).value(), artifacts_dir() / "test_en_576.png");
}

TEST_CASE("The application summary is an A4 PDF that grows to several pages")
{
    auto dir = temp_dir("pdf");
    SummaryData s;
    s.reference = "DAM1-000123-7";
    s.service_name = "إخراج قيد مدني فردي";
    s.status_key = "printing.status.submitted";
    s.submitted_utc = "2026-11-28T10:15:00.000Z";
    s.paid = Money{0};
    s.qr_payload = protocol::sign_receipt(s.reference, "T0123456789ab", fixed_keys().secret_key).value();
    auto one = write_pdf_a4(summary_document(s, loc(Lang::Ar)), engine(), dir / "one.pdf");
    REQUIRE(one.ok());
    CHECK(one->pages == 1);
    auto head = fs::read_file(dir / "one.pdf", 10u << 20).value();
    CHECK(head.rfind("%PDF-", 0) == 0);
    // The first page drawn by the same vector painter: its QR code reads back.
    REQUIRE(write_a4_preview_png(summary_document(s, loc(Lang::Ar)), engine(), dir / "one.png").ok());
    (void)std::filesystem::copy_file(dir / "one.png", artifacts_dir() / "summary_ar_a4.png",
                                     std::filesystem::copy_options::overwrite_existing);
    CHECK(zbar(dir / "one.png") == s.qr_payload);
    for (int i = 0; i < 90; ++i)
        s.fields.emplace_back("حقل رقم " + std::to_string(i), "قيمة الحقل " + std::to_string(i));
    auto many = write_pdf_a4(summary_document(s, loc(Lang::Ar)), engine(), dir / "many.pdf");
    REQUIRE(many.ok());
    CHECK(many->pages >= 2);
    CHECK(write_pdf_a4(summary_document(s, loc(Lang::Ar)), engine(), "/nonexistent/dir/x.pdf").error().code ==
          "error.printing.pdf_failed");
    std::filesystem::remove_all(dir);
}

TEST_CASE("A receipt goes through the durable queue to the simulator and prints the same dots")
{
    auto dir = temp_dir("e2e");
    auto bitmap = render(receipt_document(sample_receipt(Lang::Ar), loc(Lang::Ar)), kWidth80mm, engine()).value();
    std::mutex m;
    std::vector<devices::escpos::Page> pages;
    auto sim = devices::PrinterSimulator::start(0, [&](const devices::SimulatedJob& j) {
        auto p = devices::escpos::assemble_page(j.commands);
        std::lock_guard lock(m);
        if (p.ok())
            pages.push_back(*p);
    });
    REQUIRE(sim.ok());
    auto queue = devices::PrintQueue::open(dir / "queue").release_value();
    REQUIRE(queue->enqueue("receipt:DAM1-000123-7", encode_escpos(bitmap).value()).ok());
    uint16_t port = (*sim)->port();
    auto report = queue->drain([port] {
        devices::DeviceAddress a;
        a.host = "127.0.0.1";
        a.port = port;
        return devices::open_transport(a, devices::Millis(1000));
    });
    CHECK_FALSE(report.stopped_by.has_value());
    std::lock_guard lock(m);
    REQUIRE(pages.size() == 1);
    CHECK(pages[0].bits == bitmap.bits);
    std::filesystem::remove_all(dir);
}
