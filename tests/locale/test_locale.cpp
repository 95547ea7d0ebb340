// locale/: CLDR plural categories, every count message in the translations, numbers, money, dates (Gregorian
// and Umm al-Qura), local time in the configured zone.

#include "base/i18n.h"
#include "base/paths.h"
#include "locale/locale.h"

#include <catch2/catch.hpp>

#include <unicode/messagepattern.h>
#include <unicode/unistr.h>

#include <regex>
#include <set>

using namespace nafitha;
using locale::Plural;

namespace {

const I18n& translations()
{
    static I18n i18n = [] {
        auto r = I18n::load(paths::assets_dir());
        REQUIRE(r.ok());
        return r.release_value();
    }();
    return i18n;
}

std::unique_ptr<locale::Locale> make(Lang lang, std::string_view zone = locale::kDefaultTimeZone)
{
    auto r = locale::Locale::create(translations(), lang, zone);
    REQUIRE(r.ok());
    return r.release_value();
}

constexpr int64_t kCounts[] = {0, 1, 2, 3, 11, 100};

// The sub-messages of the first plural argument of `pattern`, by selector ("one", "=0", ...).
std::map<std::string, std::string> plural_branches(const std::string& pattern, std::string& arg_name)
{
    std::map<std::string, std::string> out;
    UErrorCode st = U_ZERO_ERROR;
    UParseError pe;
    icu::UnicodeString text = icu::UnicodeString::fromUTF8(pattern);
    icu::MessagePattern mp(text, &pe, st);
    REQUIRE(U_SUCCESS(st));
    int32_t n = mp.countParts();
    for (int32_t i = 0; i < n; ++i) {
        const auto& part = mp.getPart(i);
        if (part.getType() != UMSGPAT_PART_TYPE_ARG_START || part.getArgType() != UMSGPAT_ARG_TYPE_PLURAL)
            continue;
        mp.getSubstring(mp.getPart(i + 1)).toUTF8String(arg_name);
        int32_t limit = mp.getLimitPartIndex(i);
        for (int32_t j = i + 2; j < limit; ++j) {
            const auto& sel = mp.getPart(j);
            if (sel.getType() != UMSGPAT_PART_TYPE_ARG_SELECTOR)
                continue;
            std::string selector;
            mp.getSubstring(sel).toUTF8String(selector);
            int32_t k = j + 1;
            if (mp.getPart(k).getType() == UMSGPAT_PART_TYPE_ARG_INT || mp.getPart(k).getType() == UMSGPAT_PART_TYPE_ARG_DOUBLE)
                ++k;
            REQUIRE(mp.getPart(k).getType() == UMSGPAT_PART_TYPE_MSG_START);
            int32_t msg_limit = mp.getLimitPartIndex(k);
            int32_t from = mp.getPart(k).getLimit();
            int32_t to = mp.getPart(msg_limit).getIndex();
            std::string body;
            text.tempSubStringBetween(from, to).toUTF8String(body);
            out[selector] = body;
            j = msg_limit;
        }
        break;
    }
    return out;
}

std::string replace_all(std::string s, const std::string& what, const std::string& with)
{
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
        s.replace(at, what.size(), with);
    return s;
}

bool has_ascii_digit(const std::string& s) { return s.find_first_of("0123456789") != std::string::npos; }

} // namespace

TEST_CASE("Plural categories follow CLDR for Arabic and English")
{
    auto ar = make(Lang::Ar);
    auto en = make(Lang::En);
    const Plural ar_expected[] = {Plural::Zero, Plural::One, Plural::Two, Plural::Few, Plural::Many, Plural::Other};
    const Plural en_expected[] = {Plural::Other, Plural::One, Plural::Other, Plural::Other, Plural::Other, Plural::Other};
    for (size_t i = 0; i < std::size(kCounts); ++i) {
        INFO("n = " << kCounts[i]);
        CHECK(ar->plural(kCounts[i]) == ar_expected[i]);
        CHECK(en->plural(kCounts[i]) == en_expected[i]);
    }
    // More of Arabic's rule: few is n % 100 in 3..10, many is n % 100 in 11..99.
    CHECK(ar->plural(103) == Plural::Few);
    CHECK(ar->plural(110) == Plural::Few);
    CHECK(ar->plural(111) == Plural::Many);
    CHECK(ar->plural(199) == Plural::Many);
    CHECK(ar->plural(102) == Plural::Other);
    CHECK(ar->plural(1000) == Plural::Other);
}

TEST_CASE("Every count message has every plural form of its language and renders each count with its form")
{
    int messages = 0;
    for (Lang lang : {Lang::Ar, Lang::En}) {
        auto loc = make(lang);
        const std::set<std::string> needed = lang == Lang::Ar ? std::set<std::string>{"zero", "one", "two", "few", "many", "other"}
                                                              : std::set<std::string>{"one", "other"};
        for (const auto& [key, pattern] : translations().table(lang)) {
            if (pattern.find(", plural,") == std::string::npos)
                continue;
            ++messages;
            INFO(lang_code(lang) << " " << key << ": " << pattern);
            std::string arg;
            auto branches = plural_branches(pattern, arg);
            for (const std::string& k : needed)
                CHECK(branches.count(k) == 1);
            for (int64_t n : kCounts) {
                INFO("n = " << n);
                std::string rendered = loc->tr(key, {{arg, n}});
                std::string selector = "=" + std::to_string(n);
                if (!branches.count(selector))
                    selector = std::string(locale::plural_name(loc->plural(n)));
                REQUIRE(branches.count(selector) == 1);
                std::string expected = replace_all(branches[selector], "#", loc->number(n));
                CHECK(rendered.find(expected) != std::string::npos);
                CHECK(rendered.find_first_of("{}#") == std::string::npos);
                // One digit style per language: Arabic-Indic in Arabic, Western in English.
                if (lang == Lang::Ar)
                    CHECK_FALSE(has_ascii_digit(rendered));
            }
        }
    }
    CHECK(messages >= 16);
}

TEST_CASE("No count is written outside a plural message")
{
    // A number placeholder such as {n} or {count} outside a plural makes "1 days": every one of them must be
    // inside {x, plural, ...}.
    std::regex bare(R"(\{(n|count|minutes|dots|days|seconds|people|entries|payments)\})");
    for (Lang lang : {Lang::Ar, Lang::En}) {
        for (const auto& [key, pattern] : translations().table(lang)) {
            INFO(lang_code(lang) << " " << key << ": " << pattern);
            CHECK_FALSE(std::regex_search(pattern, bare));
        }
    }
}

TEST_CASE("The counts the issue found ungrammatical now read correctly")
{
    auto ar = make(Lang::Ar);
    auto en = make(Lang::En);
    CHECK(ar->tr("ui.service.days", {{"n", 1}}) == "يوم عمل واحد");
    CHECK(ar->tr("ui.service.days", {{"n", 2}}) == "يوما عمل");
    CHECK(ar->tr("ui.service.days", {{"n", 5}}) == "٥ أيام عمل");
    CHECK(ar->tr("ui.service.days", {{"n", 15}}) == "١٥ يوم عمل");
    CHECK(ar->tr("ui.ticket.ahead", {{"n", 1}}) == "أمامك شخص واحد");
    CHECK(ar->tr("ui.ticket.ahead", {{"n", 4}}) == "أمامك ٤ أشخاص");
    CHECK(ar->tr("ui.ticket.wait", {{"n", 5}}) == "الانتظار المتوقع نحو ٥ دقائق");
    CHECK(ar->tr("ui.idle.body", {{"n", 10}}).find("خلال ١٠ ثوانٍ") != std::string::npos);
    CHECK(ar->tr("printing.z.count", {{"count", 4}}) == "٤ دفعات");
    CHECK(en->tr("ui.service.days", {{"n", 1}}) == "1 working day");
    CHECK(en->tr("ui.service.days", {{"n", 3}}) == "3 working days");
    CHECK(en->tr("printing.z.count", {{"count", 1}}) == "1 payment");
    CHECK(en->tr("printing.z.count", {{"count", 1200}}) == "1,200 payments");
    CHECK(ar->tr("ui.survey.skip") == "تخطَّ");
}

TEST_CASE("Messages take text arguments and leave a pattern ICU cannot read as it is")
{
    auto en = make(Lang::En);
    CHECK(en->format("Paid {amount} by {method}", {{"amount", "SYP 2,500"}, {"method", std::string("cash")}}) ==
          "Paid SYP 2,500 by cash");
    CHECK(en->format("broken {n, plural, one {x}", {{"n", 1}}) == "broken {n, plural, one {x}");
    CHECK(en->format("{n} items in {where}", {{"n", 3}, {"where", "here"}}) == "3 items in here");
}

TEST_CASE("Numbers and money use one digit style per language")
{
    auto ar = make(Lang::Ar);
    auto en = make(Lang::En);
    CHECK(ar->number(1234567) == "١٬٢٣٤٬٥٦٧");
    CHECK(en->number(1234567) == "1,234,567");
    CHECK(ar->number(0) == "٠");
    // Money: minor units; the fraction only when there is one; the currency as each language writes it.
    CHECK(en->money(250000, "SYP") == "SYP\u00A02,500");
    CHECK(en->money(250050, "SYP") == "SYP\u00A02,500.50");
    CHECK(en->money(5, "SYP") == "SYP\u00A00.05");
    CHECK(en->money(-120000, "SYP") == "-SYP\u00A01,200");
    std::string a = ar->money(250000, "SYP");
    CHECK(a.find("٢٬٥٠٠") != std::string::npos);
    CHECK(a.find("ل.س") != std::string::npos);
    CHECK_FALSE(has_ascii_digit(a));
    CHECK(ar->money(250050, "SYP").find("٢٬٥٠٠٫٥٠") != std::string::npos);
    // A huge amount stays exact.
    CHECK(en->money(900719925474099199, "SYP") == "SYP\u00A09,007,199,254,740,991.99");
    CHECK(ar->digits("12 / 140") == "١٢ / ١٤٠");
    CHECK(en->digits("12 / 140") == "12 / 140");
}

TEST_CASE("Dates read day first with the Hijri date from the Umm al-Qura calendar")
{
    auto ar = make(Lang::Ar);
    auto en = make(Lang::En);
    locale::Date d{1990, 5, 17};
    CHECK(en->date(d) == "17/05/1990");
    CHECK(en->date_long(d) == "17 May 1990");
    std::string ad = ar->date(d);
    CHECK(ad.find("١٧") < ad.find("٠٥"));
    CHECK(ad.find("٠٥") < ad.find("١٩٩٠"));
    CHECK(ar->date_long(d) == "١٧ أيار ١٩٩٠");
    CHECK(ar->month_name(5) == "أيار");
    CHECK(ar->month_name(1) == "كانون الثاني");
    CHECK(en->month_name(2) == "February");
    CHECK(en->month_name(13).empty());
    CHECK(en->hijri(d) == "22 Shawwal 1410 AH");
    CHECK(ar->hijri(d) == "٢٢ شوال ١٤١٠ هـ");
    // 1 Ramadan 1445 was Monday 11 March 2024 in the Umm al-Qura calendar.
    CHECK(en->hijri({2024, 3, 11}) == "1 Ramadan 1445 AH");
    CHECK(locale::Date{2025, 2, 29}.valid() == false);
    CHECK(locale::Date{2024, 2, 29}.valid());
    CHECK(locale::days_in_month(1900, 2) == 28);
    CHECK(locale::days_in_month(2000, 2) == 29);
    CHECK(locale::parse_iso_date("1990-05-17").value() == d);
    CHECK_FALSE(locale::parse_iso_date("1990-02-31").ok());
    CHECK_FALSE(locale::parse_iso_date("17/05/1990").ok());
    CHECK(d.iso() == "1990-05-17");
}

TEST_CASE("Times are shown in the configured zone and parsed from UTC")
{
    auto en = make(Lang::En, "Asia/Damascus");
    auto ar = make(Lang::Ar, "Asia/Damascus");
    auto ms = locale::parse_iso8601_utc("2026-11-28T22:40:05.123Z");
    REQUIRE(ms.ok());
    CHECK(*ms == 1795905605123);
    CHECK(locale::parse_iso8601_utc("2026-11-28T22:40:05Z").value() == 1795905605000);
    CHECK(locale::parse_iso8601_utc("2026-11-28 22:40").value() == 1795905600000);
    CHECK_FALSE(locale::parse_iso8601_utc("2026-11-28T25:40:05Z").ok());
    CHECK_FALSE(locale::parse_iso8601_utc("yesterday").ok());
    // Damascus is UTC+3: 22:40 UTC is 01:40 the next day.
    CHECK(en->time(*ms) == "01:40");
    CHECK(en->date_time(*ms) == "29/11/2026, 01:40");
    CHECK(en->date_time(std::string_view("2026-11-28T22:40:05Z")) == "29/11/2026, 01:40");
    CHECK(en->local_date(*ms) == locale::Date{2026, 11, 29});
    CHECK(ar->time(*ms) == "٠١:٤٠");
    auto utc = make(Lang::En, "UTC");
    CHECK(utc->time(*ms) == "22:40");
    CHECK(utc->local_date(*ms) == locale::Date{2026, 11, 28});
    auto london = make(Lang::En, "Europe/London");
    CHECK(london->time(locale::parse_iso8601_utc("2026-07-01T12:00:00Z").value()) == "13:00"); // summer time
    // Not an ISO time: shown as it is.
    CHECK(en->date_time(std::string_view("soon")) == "soon");
}

TEST_CASE("An unknown time zone is refused with a clear error")
{
    auto r = locale::Locale::create(translations(), Lang::Ar, "Mars/Olympus");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "error.locale.time_zone");
    CHECK(translations().has(Lang::Ar, "error.locale.time_zone"));
    CHECK(translations().has(Lang::En, "error.locale.time_zone"));
    CHECK_FALSE(locale::Locale::create(translations(), Lang::Ar, "").ok());
}

TEST_CASE("A zone's days: the local day of a moment and when a local day starts, across DST")
{
    using locale::Date;
    using locale::Zone;
    auto damascus = Zone::create("Asia/Damascus").value();
    // 2026-11-28T22:30Z is 01:30 on the 29th in Damascus (UTC+3 all year).
    CHECK(damascus.date_of(1'795'905'000'000) == Date{2026, 11, 29});
    CHECK(damascus.date_of(1'795'905'000'000 - 90 * 60'000 - 1) == Date{2026, 11, 28}); // 23:59:59.999 local
    CHECK(damascus.start_of(Date{2026, 11, 29}) == 1'795'905'000'000 - 90 * 60'000);      // 2026-11-28T21:00Z
    CHECK(Zone::add_days(Date{2026, 12, 31}, 1) == Date{2027, 1, 1});
    CHECK(Zone::add_days(Date{2028, 3, 1}, -1) == Date{2028, 2, 29});
    // Berlin: the day the clocks go forward (2026-03-29, 02:00 -> 03:00) still starts at local midnight (UTC+1),
    // the next day at UTC+2; the day is 23 hours long.
    auto berlin = Zone::create("Europe/Berlin").value();
    int64_t spring = berlin.start_of(Date{2026, 3, 29}), after = berlin.start_of(Date{2026, 3, 30});
    CHECK(spring == 1'774'738'800'000); // 2026-03-28T23:00Z
    CHECK(after - spring == 23 * 3'600'000);
    CHECK(berlin.date_of(spring) == Date{2026, 3, 29});
    CHECK(berlin.date_of(spring - 1) == Date{2026, 3, 28});
    // Every day of a year starts where the day before ends, in zones with and without DST.
    for (const char* name : {"Asia/Damascus", "Europe/Berlin", "America/Santiago", "Asia/Tehran"}) {
        auto z = Zone::create(name).value();
        Date d{2026, 1, 1};
        for (int i = 0; i < 366; ++i) {
            Date next = Zone::add_days(d, 1);
            int64_t start = z.start_of(d), end = z.start_of(next);
            INFO(name << " " << d.iso());
            CHECK(end > start);
            CHECK(z.date_of(start) == d);
            CHECK(z.date_of(end - 1) == d);
            d = next;
        }
    }
    CHECK(Zone::create("Mars/Olympus").error().code == "error.locale.time_zone");
}
