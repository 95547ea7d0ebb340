#include "printing/documents.h"

#include "base/clock.h"

#include <cmath>

namespace nafitha::printing {

std::string format_money(const I18n& i18n, Lang lang, const Money& money)
{
    int64_t v = money.minor < 0 ? -money.minor : money.minor;
    int64_t unit = 1;
    for (int i = 0; i < money.minor_digits; ++i)
        unit *= 10;
    std::string whole = std::to_string(v / unit);
    // Thousands separators.
    std::string grouped;
    for (size_t i = 0; i < whole.size(); ++i) {
        if (i > 0 && (whole.size() - i) % 3 == 0)
            grouped += ',';
        grouped += whole[i];
    }
    std::string number = (money.minor < 0 ? "-" : "") + grouped;
    if (money.minor_digits > 0) {
        std::string frac = std::to_string(v % unit);
        number += "." + std::string(size_t(money.minor_digits) - frac.size(), '0') + frac;
    }
    return i18n.tr(lang, "printing.money", {{"amount", number}, {"currency", i18n.tr(lang, "printing.currency." + money.currency)}});
}

std::string format_time(std::string_view iso)
{
    // "2026-11-28T22:40:05.123Z" -> "2026-11-28 22:40 UTC"
    if (iso.size() < 16)
        return std::string(iso);
    return std::string(iso.substr(0, 10)) + " " + std::string(iso.substr(11, 5)) + " UTC";
}

std::string format_time_ms(int64_t unix_ms) { return format_time(clock::iso8601_utc(unix_ms)); }

namespace {

void header(Document& d, const I18n& i18n, Lang lang, std::string_view title_key, int emblem_size = 112)
{
    d.image(emblem(emblem_size), 0, Tone::Threshold);
    d.space(6);
    d.text(i18n.tr(lang, "printing.header.authority"), TextSize::Normal, TextWeight::Bold, BlockAlign::Center);
    d.text(i18n.tr(lang, "printing.header.system"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
    d.space(8);
    d.text(i18n.tr(lang, title_key), TextSize::Title, TextWeight::Bold, BlockAlign::Center);
    d.separator(RuleStyle::Double);
}

std::string tr(const I18n& i18n, Lang lang, std::string_view key, TrArgs args = {}) { return i18n.tr(lang, key, args); }

// Left-to-right isolate (LRI ... PDI) for dates, references and identifiers: inside an Arabic line the bidi
// algorithm would otherwise print "2026-11-28" as "28-11-2026".
std::string ltr(std::string_view s)
{
    if (s.empty())
        return {};
    return "\u2066" + std::string(s) + "\u2069";
}

} // namespace

Document receipt_document(const ReceiptData& r, const I18n& i18n, Lang lang)
{
    Document d;
    d.lang = lang;
    header(d, i18n, lang, "printing.receipt.title");
    if (r.duplicate)
        d.text(tr(i18n, lang, "printing.receipt.duplicate"), TextSize::Large, TextWeight::Bold, BlockAlign::Center);
    d.text(tr(i18n, lang, "printing.receipt.reference"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
    d.text(ltr(r.reference), TextSize::Title, TextWeight::Bold, BlockAlign::Center);
    d.separator();
    d.row(tr(i18n, lang, "printing.receipt.service"), r.service_name);
    if (!r.centre.empty())
        d.row(tr(i18n, lang, "printing.receipt.centre"), r.centre);
    d.row(tr(i18n, lang, "printing.receipt.time"), ltr(format_time(r.time_utc)));
    if (!r.ticket_number.empty())
        d.row(tr(i18n, lang, "printing.receipt.ticket"), ltr(r.ticket_number));
    for (auto& [k, v] : r.extra_rows)
        d.row(k, v);
    d.separator();
    if (r.amount) {
        d.row(tr(i18n, lang, "printing.receipt.amount"), format_money(i18n, lang, *r.amount), TextWeight::Bold);
        if (!r.pay_method.empty())
            d.row(tr(i18n, lang, "printing.receipt.method"), tr(i18n, lang, "printing.method." + r.pay_method));
        if (r.tendered)
            d.row(tr(i18n, lang, "printing.receipt.tendered"), format_money(i18n, lang, *r.tendered));
        if (r.change)
            d.row(tr(i18n, lang, "printing.receipt.change"), format_money(i18n, lang, *r.change));
        if (!r.card_authorisation.empty())
            d.row(tr(i18n, lang, "printing.receipt.authorisation"), ltr(r.card_authorisation));
    } else {
        d.row(tr(i18n, lang, "printing.receipt.amount"), tr(i18n, lang, "printing.receipt.free"), TextWeight::Bold);
    }
    if (!r.expected_ready.empty())
        d.row(tr(i18n, lang, "printing.receipt.expected_ready"), ltr(r.expected_ready));
    if (!r.terminal_id.empty())
        d.row(tr(i18n, lang, "printing.receipt.terminal"), ltr(r.terminal_id), TextWeight::Regular);
    d.separator();
    if (!r.qr_payload.empty()) {
        d.qr(r.qr_payload);
        d.text(tr(i18n, lang, "printing.receipt.verify_hint"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
        d.space(6);
    }
    d.text(tr(i18n, lang, "printing.receipt.keep"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
    d.text(tr(i18n, lang, "printing.receipt.thanks"), TextSize::Normal, TextWeight::Regular, BlockAlign::Center);
    d.space(10);
    // The reference number is always the last line.
    d.text(tr(i18n, lang, "printing.receipt.reference_line", {{"reference", ltr(r.reference)}}), TextSize::Normal,
           TextWeight::Bold, BlockAlign::Center);
    return d;
}

Document ticket_document(const TicketData& t, const I18n& i18n, Lang lang)
{
    Document d;
    d.lang = lang;
    header(d, i18n, lang, "printing.ticket.title", 80);
    d.text(tr(i18n, lang, "printing.ticket.your_number"), TextSize::Normal, TextWeight::Regular, BlockAlign::Center);
    d.space(4);
    d.text(ltr(t.number), TextSize::Huge, TextWeight::Bold, BlockAlign::Center);
    d.space(4);
    d.text(t.category_name, TextSize::Large, TextWeight::Bold, BlockAlign::Center);
    d.separator();
    d.row(tr(i18n, lang, "printing.ticket.ahead"), std::to_string(t.people_ahead));
    d.row(tr(i18n, lang, "printing.ticket.wait"),
          tr(i18n, lang, "printing.ticket.minutes", {{"minutes", std::to_string(t.estimated_wait_min)}}));
    if (!t.centre.empty())
        d.row(tr(i18n, lang, "printing.receipt.centre"), t.centre);
    d.row(tr(i18n, lang, "printing.receipt.time"), ltr(format_time(t.time_utc)));
    d.separator();
    if (!t.qr_payload.empty())
        d.qr(t.qr_payload);
    d.text(tr(i18n, lang, "printing.ticket.hint"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
    d.space(8);
    d.text(ltr(t.number), TextSize::Large, TextWeight::Bold, BlockAlign::Center);
    return d;
}

Document summary_document(const SummaryData& s, const I18n& i18n, Lang lang)
{
    Document d;
    d.lang = lang;
    header(d, i18n, lang, "printing.summary.title");
    d.row(tr(i18n, lang, "printing.receipt.reference"), ltr(s.reference), TextWeight::Bold);
    d.row(tr(i18n, lang, "printing.receipt.service"), s.service_name);
    d.row(tr(i18n, lang, "printing.summary.status"), tr(i18n, lang, s.status_key));
    if (!s.centre.empty())
        d.row(tr(i18n, lang, "printing.receipt.centre"), s.centre);
    d.row(tr(i18n, lang, "printing.summary.submitted"), ltr(format_time(s.submitted_utc)));
    if (!s.expected_ready.empty())
        d.row(tr(i18n, lang, "printing.receipt.expected_ready"), ltr(s.expected_ready));
    d.separator(RuleStyle::Solid);
    d.text(tr(i18n, lang, "printing.summary.details"), TextSize::Large, TextWeight::Bold);
    for (auto& [k, v] : s.fields)
        d.row(k, v);
    d.separator(RuleStyle::Solid);
    if (s.fee)
        d.row(tr(i18n, lang, "printing.summary.fee"), format_money(i18n, lang, *s.fee));
    d.row(tr(i18n, lang, "printing.summary.paid"), format_money(i18n, lang, s.paid), TextWeight::Bold);
    if (!s.history.empty()) {
        d.separator(RuleStyle::Solid);
        d.text(tr(i18n, lang, "printing.summary.history"), TextSize::Large, TextWeight::Bold);
        for (auto& [time, status] : s.history)
            d.row(ltr(format_time(time)), status);
    }
    if (!s.qr_payload.empty()) {
        d.separator();
        d.qr(s.qr_payload);
        d.text(tr(i18n, lang, "printing.receipt.verify_hint"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
    }
    d.space(8);
    d.text(tr(i18n, lang, "printing.receipt.reference_line", {{"reference", ltr(s.reference)}}), TextSize::Normal,
           TextWeight::Bold, BlockAlign::Center);
    return d;
}

Document z_report_document(const ZReportData& z, const I18n& i18n, Lang lang)
{
    Document d;
    d.lang = lang;
    header(d, i18n, lang, "printing.z.title", 80);
    d.row(tr(i18n, lang, "printing.z.day"), ltr(z.day), TextWeight::Bold);
    if (!z.centre.empty())
        d.row(tr(i18n, lang, "printing.receipt.centre"), z.centre);
    if (!z.terminal_id.empty())
        d.row(tr(i18n, lang, "printing.receipt.terminal"), ltr(z.terminal_id));
    d.row(tr(i18n, lang, "printing.z.generated"), ltr(format_time(z.generated_utc)));
    d.separator();
    d.row(tr(i18n, lang, "printing.z.payments"), std::to_string(z.payments));
    d.row(tr(i18n, lang, "printing.method.cash"), format_money(i18n, lang, z.cash));
    d.row(tr(i18n, lang, "printing.method.card"), format_money(i18n, lang, z.card));
    d.row(tr(i18n, lang, "printing.z.waived"), format_money(i18n, lang, z.waived));
    d.row(tr(i18n, lang, "printing.receipt.change"), format_money(i18n, lang, z.change));
    Money total = z.cash;
    total.minor = z.cash.minor + z.card.minor;
    d.row(tr(i18n, lang, "printing.z.total"), format_money(i18n, lang, total), TextWeight::Bold);
    d.separator();
    d.row(tr(i18n, lang, "printing.z.applications"), std::to_string(z.applications));
    d.row(tr(i18n, lang, "printing.z.tickets"), std::to_string(z.tickets));
    if (!z.by_staff.empty()) {
        d.separator();
        d.text(tr(i18n, lang, "printing.z.by_staff"), TextSize::Normal, TextWeight::Bold);
        for (auto& s : z.by_staff) {
            std::string name = s.name.empty() ? tr(i18n, lang, "printing.z.kiosk") : s.name;
            d.row(name, tr(i18n, lang, "printing.z.count", {{"count", std::to_string(s.count)}}), TextWeight::Bold);
            d.row(tr(i18n, lang, "printing.method.cash"), format_money(i18n, lang, s.cash));
            d.row(tr(i18n, lang, "printing.method.card"), format_money(i18n, lang, s.card));
        }
    }
    d.separator();
    d.row(tr(i18n, lang, "printing.z.unsent"), std::to_string(z.journal_pending));
    d.space(40);
    d.text(tr(i18n, lang, "printing.z.signature"), TextSize::Small);
    d.space(30);
    d.separator(RuleStyle::Solid);
    return d;
}

Document test_page_document(const TestPageData& t, const I18n& i18n, Lang lang)
{
    Document d;
    d.lang = lang;
    header(d, i18n, lang, "printing.test.title");
    d.row(tr(i18n, lang, "printing.receipt.terminal"), ltr(t.terminal_id));
    d.row(tr(i18n, lang, "printing.test.printer"), ltr(t.printer));
    d.row(tr(i18n, lang, "printing.test.width"), tr(i18n, lang, "printing.test.dots", {{"dots", std::to_string(t.width_dots)}}));
    d.row(tr(i18n, lang, "printing.receipt.time"), ltr(format_time(t.time_utc)));
    d.separator(RuleStyle::Solid);
    for (Lang sample : {Lang::Ar, Lang::En})
        d.blocks.push_back(TextBlock{tr(i18n, sample, "printing.test.sample"), TextSize::Normal, TextWeight::Regular,
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
    d.qr(tr(i18n, lang, "printing.test.qr"));
    d.text(tr(i18n, lang, "printing.test.end"), TextSize::Small, TextWeight::Regular, BlockAlign::Center);
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
