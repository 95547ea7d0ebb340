#pragma once
// How numbers, money, counts, dates and times read in each language: ICU 72 (Debian's libicu) behind one
// small interface, used the same way by the screens (kiosk/ui), the paper (printing, kiosk/documents) and the
// tools (nafitha-ctl). See locale/README.md for the conventions (digits, calendars, time zone).
//
//   auto loc = TRY(locale::Locale::create(i18n, Lang::Ar, "Asia/Damascus"));
//   loc->tr("ui.service.days", {{"n", 3}});        // "٣ أيام عمل"   (ICU MessageFormat, CLDR plurals)
//   loc->money(250000, "SYP");                      // "‏٢٬٥٠٠ ل.س.‏"  (minor units; fraction only when not zero)
//   loc->date({1990, 5, 17});                       // "١٧‏/٠٥‏/١٩٩٠"  (day/month/year)
//   loc->hijri({1990, 5, 17});                      // "٢٢ شوال ١٤١٠ هـ" (Umm al-Qura)
//   loc->date_time(unix_ms);                        // local time in the configured zone
//
// A Locale is not thread-safe (its ICU formatters are used without locks): each thread makes its own. Making
// one costs little; each formatter is built the first time it is used and kept.

#include "base/i18n.h"
#include "base/result.h"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace nafitha::locale {

// The time zone a terminal uses when the catalogue names none (IANA name, from tzdata).
inline constexpr std::string_view kDefaultTimeZone = "Asia/Damascus";

// A calendar day (Gregorian), without a time zone.
struct Date {
    int year = 0;
    int month = 0; // 1-12
    int day = 0;   // 1-31
    bool valid() const; // a day that exists (31/02 does not), years 1..9999
    std::string iso() const; // "1990-05-17"
    friend bool operator==(const Date&, const Date&) = default;
};
// "YYYY-MM-DD" (the form services store dates in); error.locale.date otherwise.
Result<Date> parse_iso_date(std::string_view iso);
// Days in `month` of `year` (Gregorian; 0 for a month outside 1-12).
int days_in_month(int year, int month);

// A time zone's calendar: which local day a moment falls on, and when a local day starts. Services use it for
// their business days (payments, the drawer, the Z report, the queue's daily numbers) so that a day is the
// office's day, not UTC's; storage keeps moments in UTC. Copies share one ICU zone; const use is thread-safe.
class Zone {
public:
    // `name` is an IANA name ("Asia/Damascus"); error.locale.time_zone when neither ICU nor tzdata knows it.
    static Result<Zone> create(std::string_view name);
    const std::string& name() const { return m_name; }
    // The local day of a moment (milliseconds since 1970, UTC).
    Date date_of(int64_t unix_ms) const;
    // The moment (UTC milliseconds) the local day `d` starts (its first instant, even across a DST change).
    int64_t start_of(const Date& d) const;
    // `d` moved by `days` (calendar arithmetic, no zone involved).
    static Date add_days(const Date& d, int days);

private:
    struct Impl;
    std::string m_name;
    std::shared_ptr<const Impl> m_impl;
};

// CLDR plural categories. Arabic uses all six; English uses One and Other.
enum class Plural { Zero, One, Two, Few, Many, Other };
std::string_view plural_name(Plural p); // "zero", "one", ...

// One named argument of a message: a number (counts select plural forms and are formatted in the language's
// digits) or a text (already formatted: a name, money, a date).
struct Arg {
    std::string_view name;
    bool is_number = false;
    int64_t number = 0;
    std::string_view text;

    template<typename N, std::enable_if_t<std::is_integral_v<N> && !std::is_same_v<N, bool>, int> = 0>
    Arg(std::string_view n, N v) : name(n), is_number(true), number(static_cast<int64_t>(v))
    {
    }
    Arg(std::string_view n, std::string_view v) : name(n), text(v) {}
    Arg(std::string_view n, const char* v) : name(n), text(v) {}
    Arg(std::string_view n, const std::string& v) : name(n), text(v) {}
};
using Args = std::initializer_list<Arg>;

class Locale {
public:
    // `time_zone` is an IANA name ("Asia/Damascus"); error.locale.time_zone when neither ICU nor tzdata knows
    // it. `i18n` must outlive the Locale.
    static Result<std::unique_ptr<Locale>> create(const I18n& i18n, Lang lang, std::string_view time_zone = kDefaultTimeZone);
    ~Locale();
    Locale(const Locale&) = delete;
    Locale& operator=(const Locale&) = delete;

    Lang lang() const { return m_lang; }
    const I18n& i18n() const { return m_i18n; }
    const std::string& time_zone() const { return m_zone; }

    // The translation of `key` as an ICU MessageFormat pattern with `args`: {name} for a text or a number,
    // {n, plural, zero {...} one {...} two {...} few {...} many {...} other {...}} for a count (# is the count
    // in the language's digits). A pattern ICU cannot parse is returned as it stands (and logged once).
    std::string tr(std::string_view key, Args args = {}) const;
    // The same into `out` (cleared first; its capacity is reused).
    void tr_into(std::string& out, std::string_view key, Args args = {}) const;
    // A pattern given as text instead of a key (tests, and the checks over every translation).
    std::string format(std::string_view pattern, Args args = {}) const;

    // Which plural form `n` takes in this language.
    Plural plural(int64_t n) const;

    // A whole number with grouping in the language's digits: "١٬٢٣٤" / "1,234".
    std::string number(int64_t n) const;
    void number_into(std::string& out, int64_t n) const;
    // An amount in minor units (1/100) of `currency` (ISO 4217), with the currency as the language writes it:
    // "‏٢٬٥٠٠ ل.س.‏" / "SYP 2,500"; two decimals only when the amount has a fraction ("SYP 2,500.50").
    std::string money(int64_t minor, std::string_view currency) const;
    void money_into(std::string& out, int64_t minor, std::string_view currency) const;
    // Digits 0-9 of `ascii` in the language's digits, everything else unchanged (for a value that is already
    // laid out, such as "12 / 140"). Codes (references, ticket numbers, identifiers) are never converted.
    std::string digits(std::string_view ascii) const;

    // A day as numbers, day first: "١٧‏/٠٥‏/١٩٩٠" / "17/05/1990".
    std::string date(const Date& d) const;
    // A day with the month's name: "١٧ أيار ١٩٩٠" / "17 May 1990".
    std::string date_long(const Date& d) const;
    // The name of month 1-12 as dates write it ("أيار" / "May").
    std::string month_name(int month) const;
    // The same day in the Hijri calendar (Umm al-Qura): "٢٢ شوال ١٤١٠ هـ" / "22 Shawwal 1410 AH".
    std::string hijri(const Date& d) const;
    // A moment (milliseconds since 1970, UTC) in the configured zone: the time "١٤:٠٥", the date and time
    // "٢٨‏/١١‏/٢٠٢٦ ١٤:٠٥", and the local calendar day.
    std::string time(int64_t unix_ms) const;
    std::string date_time(int64_t unix_ms) const;
    Date local_date(int64_t unix_ms) const;
    // The same from an ISO 8601 UTC text ("2026-11-28T09:10:00Z", with or without milliseconds); the text
    // itself when it is not one.
    std::string date_time(std::string_view iso8601_utc) const;

private:
    struct Impl;

    Locale(const I18n& i18n, Lang lang, std::string zone);
    const I18n& m_i18n;
    Lang m_lang;
    std::string m_zone;
    std::unique_ptr<Impl> m_impl;
};

// Milliseconds since 1970 of an ISO 8601 UTC time ("2026-11-28T09:10:00Z", "...:00.123Z", "2026-11-28 09:10:00");
// error.locale.time otherwise.
Result<int64_t> parse_iso8601_utc(std::string_view iso);

// The ICU locale used for `lang`: "ar-SY" (Levantine month names, Arabic-Indic digits) and "en-GB" (day
// first).
const char* icu_locale_name(Lang lang);

} // namespace nafitha::locale
