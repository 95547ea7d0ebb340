#include "printing/documents.h"

#include <cmath>

namespace nafitha::printing {

namespace {

using locale::Locale;

std::string tr(const Locale& loc, std::string_view key, locale::Args args = {}) { return loc.tr(key, args); }

void header(Document& d, const Locale& loc, std::string_view title_key, int emblem_size = 112)
{
    d.image(emblem(emblem_size), 0, Tone::Threshold);
    d.space(6);
    d.text(tr(loc, "printing.header.authority"), TextSize::Normal, TextWeight::Bold, BlockAlign::Center);
    d.text(tr(loc, "printing.header.system"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
    d.space(8);
    d.text(tr(loc, title_key), TextSize::Title, TextWeight::Bold, BlockAlign::Center);
    d.separator(RuleStyle::Double);
}

std::string money(const Locale& loc, const Money& m) { return loc.money(m.minor, m.currency); }

// A stored UTC time in the locale's zone and digits.
std::string when(const Locale& loc, std::string_view iso8601_utc) { return loc.date_time(iso8601_utc); }

// A stored day ("YYYY-MM-DD") day first in the locale's digits; the text as it is when it is not a day.
std::string day(const Locale& loc, std::string_view iso)
{
    auto d = locale::parse_iso_date(iso);
    return d.ok() ? loc.date(*d) : std::string(iso);
}
std::string hijri(const Locale& loc, std::string_view iso)
{
    auto d = locale::parse_iso_date(iso);
    return d.ok() ? loc.hijri(*d) : std::string();
}

// Left-to-right isolate (LRI ... PDI) for references and identifiers (codes, in Western digits in both
// languages): inside an Arabic line the bidi algorithm would otherwise reorder "DAM1-000123-7". Dates and
// numbers come from the locale already ordered for their language.
std::string ltr(std::string_view s)
{
    if (s.empty())
        return {};
    return "\u2066" + std::string(s) + "\u2069";
}

} // namespace

Document receipt_document(const ReceiptData& r, const Locale& loc)
{
    Document d;
    d.lang = loc.lang();
    header(d, loc, "printing.receipt.title");
    if (r.duplicate)
        d.text(tr(loc, "printing.receipt.duplicate"), TextSize::Large, TextWeight::Bold, BlockAlign::Center);
    d.text(tr(loc, "printing.receipt.reference"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
    d.text(ltr(r.reference), TextSize::Title, TextWeight::Bold, BlockAlign::Center);
    d.separator();
    d.row(tr(loc, "printing.receipt.service"), r.service_name);
    if (!r.centre.empty())
        d.row(tr(loc, "printing.receipt.centre"), r.centre);
    d.row(tr(loc, "printing.receipt.time"), when(loc, r.time_utc));
    if (!r.ticket_number.empty())
        d.row(tr(loc, "printing.receipt.ticket"), ltr(r.ticket_number));
    for (auto& [k, v] : r.extra_rows)
        d.row(k, v);
    d.separator();
    if (r.amount) {
        d.row(tr(loc, "printing.receipt.amount"), money(loc, *r.amount), TextWeight::Bold);
        if (!r.pay_method.empty())
            d.row(tr(loc, "printing.receipt.method"), tr(loc, "printing.method." + r.pay_method));
        if (r.tendered)
            d.row(tr(loc, "printing.receipt.tendered"), money(loc, *r.tendered));
        if (r.change)
            d.row(tr(loc, "printing.receipt.change"), money(loc, *r.change));
        if (!r.card_authorisation.empty())
            d.row(tr(loc, "printing.receipt.authorisation"), ltr(r.card_authorisation));
    } else {
        d.row(tr(loc, "printing.receipt.amount"), tr(loc, "printing.receipt.free"), TextWeight::Bold);
    }
    if (!r.expected_ready.empty()) {
        d.row(tr(loc, "printing.receipt.expected_ready"), day(loc, r.expected_ready));
        if (std::string h = hijri(loc, r.expected_ready); !h.empty())
            d.row(tr(loc, "printing.receipt.hijri"), h);
    }
    if (!r.terminal_id.empty())
        d.row(tr(loc, "printing.receipt.terminal"), ltr(r.terminal_id), TextWeight::Regular);
    d.separator();
    if (!r.qr_payload.empty()) {
        d.qr(r.qr_payload);
        d.text(tr(loc, "printing.receipt.verify_hint"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
        d.space(6);
    }
    d.text(tr(loc, "printing.receipt.keep"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
    d.text(tr(loc, "printing.receipt.thanks"), TextSize::Normal, TextWeight::Regular, BlockAlign::Center);
    d.space(10);
    // The reference number is always the last line.
    d.text(tr(loc, "printing.receipt.reference_line", {{"reference", ltr(r.reference)}}), TextSize::Normal,
           TextWeight::Bold, BlockAlign::Center);
    return d;
}

Document ticket_document(const TicketData& t, const Locale& loc)
{
    Document d;
    d.lang = loc.lang();
    header(d, loc, "printing.ticket.title", 80);
    d.text(tr(loc, "printing.ticket.your_number"), TextSize::Normal, TextWeight::Regular, BlockAlign::Center);
    d.space(4);
    d.text(ltr(t.number), TextSize::Huge, TextWeight::Bold, BlockAlign::Center);
    d.space(4);
    d.text(t.category_name, TextSize::Large, TextWeight::Bold, BlockAlign::Center);
    d.separator();
    d.row(tr(loc, "printing.ticket.ahead"), loc.number(t.people_ahead));
    d.row(tr(loc, "printing.ticket.wait"), tr(loc, "printing.ticket.minutes", {{"minutes", t.estimated_wait_min}}));
    if (!t.centre.empty())
        d.row(tr(loc, "printing.receipt.centre"), t.centre);
    d.row(tr(loc, "printing.receipt.time"), when(loc, t.time_utc));
    d.separator();
    if (!t.qr_payload.empty())
        d.qr(t.qr_payload);
    d.text(tr(loc, "printing.ticket.hint"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
    d.space(8);
    d.text(ltr(t.number), TextSize::Large, TextWeight::Bold, BlockAlign::Center);
    return d;
}

Document summary_document(const SummaryData& s, const Locale& loc)
{
    Document d;
    d.lang = loc.lang();
    header(d, loc, "printing.summary.title");
    d.row(tr(loc, "printing.receipt.reference"), ltr(s.reference), TextWeight::Bold);
    d.row(tr(loc, "printing.receipt.service"), s.service_name);
    d.row(tr(loc, "printing.summary.status"), tr(loc, s.status_key));
    if (!s.centre.empty())
        d.row(tr(loc, "printing.receipt.centre"), s.centre);
    d.row(tr(loc, "printing.summary.submitted"), when(loc, s.submitted_utc));
    if (!s.expected_ready.empty()) {
        d.row(tr(loc, "printing.receipt.expected_ready"), day(loc, s.expected_ready));
        if (std::string h = hijri(loc, s.expected_ready); !h.empty())
            d.row(tr(loc, "printing.receipt.hijri"), h);
    }
    d.separator(RuleStyle::Solid);
    d.text(tr(loc, "printing.summary.details"), TextSize::Large, TextWeight::Bold);
    for (auto& [k, v] : s.fields)
        d.row(k, v);
    d.separator(RuleStyle::Solid);
    if (s.fee)
        d.row(tr(loc, "printing.summary.fee"), money(loc, *s.fee));
    d.row(tr(loc, "printing.summary.paid"), money(loc, s.paid), TextWeight::Bold);
    if (!s.history.empty()) {
        d.separator(RuleStyle::Solid);
        d.text(tr(loc, "printing.summary.history"), TextSize::Large, TextWeight::Bold);
        for (auto& [time, status] : s.history)
            d.row(when(loc, time), status);
    }
    if (!s.qr_payload.empty()) {
        d.separator();
        d.qr(s.qr_payload);
        d.text(tr(loc, "printing.receipt.verify_hint"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
    }
    d.space(8);
    d.text(tr(loc, "printing.receipt.reference_line", {{"reference", ltr(s.reference)}}), TextSize::Normal,
           TextWeight::Bold, BlockAlign::Center);
    if (s.citizen_signs) {
        d.separator();
        d.text(tr(loc, "printing.summary.declaration"), TextSize::Small);
        d.space(50);
        d.text(tr(loc, "printing.summary.citizen_signature"), TextSize::Normal);
        d.space(40);
        if (!s.clerk.empty())
            d.row(tr(loc, "printing.summary.clerk"), s.clerk);
        d.space(30);
        d.separator(RuleStyle::Solid);
    }
    return d;
}

Document z_report_document(const ZReportData& z, const Locale& loc)
{
    Document d;
    d.lang = loc.lang();
    header(d, loc, "printing.z.title", 80);
    d.row(tr(loc, "printing.z.day"), day(loc, z.day), TextWeight::Bold);
    if (!z.centre.empty())
        d.row(tr(loc, "printing.receipt.centre"), z.centre);
    if (!z.terminal_id.empty())
        d.row(tr(loc, "printing.receipt.terminal"), ltr(z.terminal_id));
    d.row(tr(loc, "printing.z.generated"), when(loc, z.generated_utc));
    d.separator();
    d.row(tr(loc, "printing.z.payments"), loc.number(z.payments));
    d.row(tr(loc, "printing.method.cash"), money(loc, z.cash));
    d.row(tr(loc, "printing.method.card"), money(loc, z.card));
    d.row(tr(loc, "printing.z.waived"), money(loc, z.waived));
    d.row(tr(loc, "printing.receipt.change"), money(loc, z.change));
    Money total = z.cash;
    total.minor = z.cash.minor + z.card.minor;
    d.row(tr(loc, "printing.z.total"), money(loc, total), TextWeight::Bold);
    d.separator();
    d.row(tr(loc, "printing.z.applications"), loc.number(z.applications));
    d.row(tr(loc, "printing.z.tickets"), loc.number(z.tickets));
    if (!z.by_staff.empty()) {
        d.separator();
        d.text(tr(loc, "printing.z.by_staff"), TextSize::Normal, TextWeight::Bold);
        for (auto& s : z.by_staff) {
            std::string name = s.name.empty() ? tr(loc, "printing.z.kiosk") : s.name;
            d.row(name, tr(loc, "printing.z.count", {{"count", s.count}}), TextWeight::Bold);
            d.row(tr(loc, "printing.method.cash"), money(loc, s.cash));
            d.row(tr(loc, "printing.method.card"), money(loc, s.card));
        }
    }
    if (z.drawer) {
        d.separator();
        d.text(tr(loc, "printing.z.drawer"), TextSize::Normal, TextWeight::Bold);
        d.row(tr(loc, "printing.z.float"), money(loc, z.opening_float));
        d.row(tr(loc, "printing.z.cash_in"), money(loc, z.cash_in));
        d.row(tr(loc, "printing.z.cash_out"), money(loc, z.cash_out));
        d.row(tr(loc, "printing.z.refunded_cash"), money(loc, z.refunded_cash));
        d.row(tr(loc, "printing.z.refunded_card"), money(loc, z.refunded_card));
        d.row(tr(loc, "printing.z.expected"), money(loc, z.expected_cash), TextWeight::Bold);
        if (z.declared) {
            d.row(tr(loc, "printing.z.declared"), money(loc, *z.declared), TextWeight::Bold);
            if (z.difference) {
                Money diff = *z.difference;
                bool short_ = diff.minor < 0;
                diff.minor = short_ ? -diff.minor : diff.minor;
                std::string amount = money(loc, diff);
                d.row(tr(loc, "printing.z.difference"),
                      diff.minor == 0 ? amount
                                      : tr(loc, short_ ? "printing.z.short" : "printing.z.over", {{"amount", amount}}),
                      TextWeight::Bold);
            }
        }
        d.row(tr(loc, "printing.z.decisions"), loc.number(z.decisions));
        d.row(tr(loc, "printing.z.reversals"), loc.number(z.reversals));
    }
    d.separator();
    d.row(tr(loc, "printing.z.unsent"), loc.number(z.journal_pending));
    d.space(40);
    d.text(tr(loc, "printing.z.signature"), TextSize::Small);
    d.space(30);
    d.separator(RuleStyle::Solid);
    return d;
}

Document test_page_document(const TestPageData& t, const Locale& loc)
{
    Document d;
    d.lang = loc.lang();
    header(d, loc, "printing.test.title");
    d.row(tr(loc, "printing.receipt.terminal"), ltr(t.terminal_id));
    d.row(tr(loc, "printing.test.printer"), ltr(t.printer));
    d.row(tr(loc, "printing.test.width"), tr(loc, "printing.test.dots", {{"dots", t.width_dots}}));
    d.row(tr(loc, "printing.receipt.time"), when(loc, t.time_utc));
    d.separator(RuleStyle::Solid);
    for (Lang sample : {Lang::Ar, Lang::En})
        d.blocks.push_back(TextBlock{std::string(loc.i18n().text(sample, "printing.test.sample")), TextSize::Normal, TextWeight::Regular,
                                     BlockAlign::Start, TextDirection::Own});
    d.text("0123456789 ٠١٢٣٤٥٦٧٨٩", TextSize::Large, TextWeight::Bold, BlockAlign::Center);
    d.separator(RuleStyle::Dashed);
    // A gray ramp shows that dithering works.
    GrayImage ramp;
    ramp.width = 256;
    ramp.height = 32;
    ramp.pixels.resize(size_t(ramp.width * ramp.height));
    for (int y = 0; y < ramp.height; ++y)
        for (int x = 0; x < ramp.width; ++x)
            ramp.at(x, y) = uint8_t(x);
    d.image(ramp, 0, Tone::Dither);
    d.separator(RuleStyle::Double);
    d.qr(tr(loc, "printing.test.qr"));
    d.text(tr(loc, "printing.test.end"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
    return d;
}

GrayImage emblem(int size)
{
    GrayImage g;
    g.width = g.height = size;
    g.pixels.assign(size_t(size) * size_t(size), 0);
    const int ss = 4; // 4x4 supersampling
    auto ink = [](double x, double y) {
        // Coordinates centred, -0.5..0.5.
        double r = std::sqrt(x * x + y * y);
        if (r <= 0.49 && r >= 0.445)
            return true;
        double s = 0.30;
        bool square = std::abs(x) <= s && std::abs(y) <= s;
        bool diamond = std::abs(x + y) / std::sqrt(2.0) <= s && std::abs(x - y) / std::sqrt(2.0) <= s;
        if (!(square || diamond))
            return false;
        // The window: an arch on a rectangle, with a cross of mullions.
        double wx = 0.13, top = -0.04, bottom = 0.19;
        bool in_rect = std::abs(x) <= wx && y >= top && y <= bottom;
        bool in_arch = y < top && (x * x + (y - top) * (y - top)) <= wx * wx;
        bool window = in_rect || in_arch;
        bool mullion = std::abs(x) <= 0.017 || std::abs(y - 0.07) <= 0.017;
        return !window || mullion;
    };
    for (int py = 0; py < size; ++py)
        for (int px = 0; px < size; ++px) {
            int hits = 0;
            for (int sy = 0; sy < ss; ++sy)
                for (int sx = 0; sx < ss; ++sx) {
                    double x = (px + (sx + 0.5) / ss) / size - 0.5;
                    double y = (py + (sy + 0.5) / ss) / size - 0.5;
                    hits += ink(x, y);
                }
            g.at(px, py) = uint8_t(hits * 255 / (ss * ss));
        }
    return g;
}

} // namespace nafitha::printing
