#include "locale/locale.h"

#include "base/log.h"

#include <unicode/calendar.h>
#include <unicode/dtptngen.h>
#include <unicode/gregocal.h>
#include <unicode/msgfmt.h>
#include <unicode/numberformatter.h>
#include <unicode/plurrule.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

namespace nafitha::locale {

namespace {

icu::UnicodeString u16(std::string_view s)
{
    return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

void append_utf8(std::string& out, const icu::UnicodeString& s) { s.toUTF8String(out); }

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Days since 1970-01-01 of a Gregorian date (proleptic), Howard Hinnant's algorithm.
int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// A pattern ICU refused is logged once per pattern, not every frame.
void warn_once(const std::string& what)
{
    static std::mutex mutex;
    static std::set<std::string> said;
    std::lock_guard lock(mutex);
    if (said.insert(what).second)
        log::warn("locale", what);
}

} // namespace

bool Date::valid() const
{
    return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

std::string Date::iso() const
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return buf;
}

int days_in_month(int year, int month)
{
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
}

Result<Date> parse_iso_date(std::string_view s)
{
    auto num = [&](size_t at, size_t n, int& out) {
        out = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    };
    Date d;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !num(0, 4, d.year) || !num(5, 2, d.month) || !num(8, 2, d.day) ||
        !d.valid())
        return Error::make("error.locale.date", "not a YYYY-MM-DD date: " + std::string(s.substr(0, 32)));
    return d;
}

Result<int64_t> parse_iso8601_utc(std::string_view s)
{
    // YYYY-MM-DDTHH:MM[:SS[.fff]][Z]
    auto bad = [&] { return Error::make("error.locale.time", "not an ISO 8601 UTC time: " + std::string(s.substr(0, 40))); };
    if (s.size() < 16)
        return bad();
    auto date = parse_iso_date(s.substr(0, 10));
    if (!date.ok() || (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
        return bad();
    auto two = [&](size_t at, int& out) {
        if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9')
            return false;
        out = (s[at] - '0') * 10 + (s[at + 1] - '0');
        return true;
    };
    int hh = 0, mm = 0, ss = 0, ms = 0;
    if (!two(11, hh) || !two(14, mm) || hh > 23 || mm > 59)
        return bad();
    size_t pos = 16;
    if (pos < s.size() && s[pos] == ':') {
        if (!two(pos + 1, ss) || ss > 60)
            return bad();
        pos += 3;
        if (pos < s.size() && s[pos] == '.') {
            ++pos;
            int digits = 0;
            while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                if (digits < 3)
                    ms = ms * 10 + (s[pos] - '0');
                ++digits;
                ++pos;
            }
            if (digits == 0)
                return bad();
            for (int i = digits; i < 3; ++i)
                ms *= 10;
        }
    }
    if (pos < s.size() && s[pos] == 'Z')
        ++pos;
    if (pos != s.size())
        return bad();
    int64_t days = days_from_civil(date->year, date->month, date->day);
    return ((days * 24 + hh) * 60 + mm) * 60000 + static_cast<int64_t>(ss) * 1000 + ms;
}

std::string_view plural_name(Plural p)
{
    switch (p) {
    case Plural::Zero: return "zero";
    case Plural::One: return "one";
    case Plural::Two: return "two";
    case Plural::Few: return "few";
    case Plural::Many: return "many";
    case Plural::Other: return "other";
    }
    return "other";
}

const char* icu_locale_name(Lang lang) { return lang == Lang::Ar ? "ar-SY" : "en-GB"; }

struct Locale::Impl {
    icu::Locale locale;
    icu::Locale hijri_locale;
    std::unique_ptr<icu::TimeZone> zone;
    std::unique_ptr<icu::TimeZone> utc;

    // Built the first time each is needed.
    std::unique_ptr<icu::PluralRules> plurals;
    std::optional<icu::number::LocalizedNumberFormatter> numbers;
    std::map<std::string, std::array<std::optional<icu::number::LocalizedNumberFormatter>, 2>, std::less<>> money; // whole, cents
    std::unordered_map<std::string, std::unique_ptr<icu::MessageFormat>> messages; // by pattern
    std::unique_ptr<icu::DateFormat> date, date_long, hijri, time, date_time, month;
    icu::UnicodeString scratch;

    icu::DateFormat& pattern_format(std::unique_ptr<icu::DateFormat>& slot, const char* skeleton, const icu::Locale& loc,
                                    const icu::TimeZone& tz)
    {
        if (!slot) {
            UErrorCode st = U_ZERO_ERROR;
            std::unique_ptr<icu::DateTimePatternGenerator> gen(icu::DateTimePatternGenerator::createInstance(loc, st));
            icu::UnicodeString pattern = U_SUCCESS(st) ? gen->getBestPattern(icu::UnicodeString(skeleton), st)
                                                       : icu::UnicodeString(skeleton);
            st = U_ZERO_ERROR;
            auto f = std::make_unique<icu::SimpleDateFormat>(pattern, loc, st);
            if (U_FAILURE(st))
                f = std::make_unique<icu::SimpleDateFormat>(icu::UnicodeString("yyyy-MM-dd HH:mm"), icu::Locale::getRoot(), st);
            f->setTimeZone(tz);
            slot = std::move(f);
        }
        return *slot;
    }

    const icu::number::LocalizedNumberFormatter& number_formatter()
    {
        if (!numbers)
            numbers = icu::number::NumberFormatter::withLocale(locale);
        return *numbers;
    }

    icu::MessageFormat* message(std::string_view pattern)
    {
        auto it = messages.find(std::string(pattern));
        if (it != messages.end())
            return it->second.get();
        UErrorCode st = U_ZERO_ERROR;
        auto mf = std::make_unique<icu::MessageFormat>(u16(pattern), locale, st);
        if (U_FAILURE(st)) {
            warn_once("a message pattern ICU cannot parse (" + std::string(u_errorName(st)) + "): " + std::string(pattern.substr(0, 120)));
            mf.reset();
        }
        icu::MessageFormat* raw = mf.get();
        messages.emplace(std::string(pattern), std::move(mf));
        return raw;
    }
};

Locale::Locale(const I18n& i18n, Lang lang, std::string zone) : m_i18n(i18n), m_lang(lang), m_zone(std::move(zone)) {}
Locale::~Locale() = default;

Result<std::unique_ptr<Locale>> Locale::create(const I18n& i18n, Lang lang, std::string_view time_zone)
{
    if (time_zone.empty() || time_zone.size() > 64)
        return Error::make("error.locale.time_zone", "a time zone is an IANA name such as Asia/Damascus");
    std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(u16(time_zone)));
    if (!tz || *tz == icu::TimeZone::getUnknown())
        return Error::make("error.locale.time_zone", "unknown time zone '" + std::string(time_zone) + "' (see tzdata)");
    std::unique_ptr<Locale> loc(new Locale(i18n, lang, std::string(time_zone)));
    loc->m_impl = std::make_unique<Impl>();
    Impl& im = *loc->m_impl;
    UErrorCode st = U_ZERO_ERROR;
    im.locale = icu::Locale::forLanguageTag(icu_locale_name(lang), st);
    im.hijri_locale = im.locale;
    st = U_ZERO_ERROR;
    im.hijri_locale.setKeywordValue("calendar", "islamic-umalqura", st);
    im.zone = std::move(tz);
    im.utc.reset(icu::TimeZone::createTimeZone("UTC"));
    return loc;
}

std::string Locale::tr(std::string_view key, Args args) const
{
    std::string out;
    tr_into(out, key, args);
    return out;
}

void Locale::tr_into(std::string& out, std::string_view key, Args args) const
{
    std::string_view pattern = m_i18n.text(m_lang, key);
    out.clear();
    icu::MessageFormat* mf = m_impl->message(pattern);
    if (!mf) {
        out.append(pattern);
        return;
    }
    constexpr size_t kMax = 8;
    std::array<icu::UnicodeString, kMax> names;
    std::array<icu::Formattable, kMax> values;
    size_t n = 0;
    for (const Arg& a : args) {
        if (n == kMax)
            break;
        names[n] = u16(a.name);
        if (a.is_number)
            values[n] = icu::Formattable(static_cast<int64_t>(a.number));
        else
            values[n] = icu::Formattable(u16(a.text));
        ++n;
    }
    UErrorCode st = U_ZERO_ERROR;
    icu::UnicodeString& result = m_impl->scratch;
    result.remove();
    mf->format(names.data(), values.data(), static_cast<int32_t>(n), result, st);
    if (U_FAILURE(st)) {
        warn_once("message '" + std::string(key.substr(0, 80)) + "' not formatted: " + u_errorName(st));
        out.append(pattern);
        return;
    }
    append_utf8(out, result);
}

std::string Locale::format(std::string_view pattern, Args args) const
{
    // A pattern as a key that no table has: I18n::text returns the key itself.
    return tr(pattern, args);
}

Plural Locale::plural(int64_t n) const
{
    Impl& im = *m_impl;
    if (!im.plurals) {
        UErrorCode st = U_ZERO_ERROR;
        im.plurals.reset(icu::PluralRules::forLocale(im.locale, st));
        if (U_FAILURE(st))
            return Plural::Other;
    }
    icu::UnicodeString k = im.plurals->select(static_cast<double>(n));
    if (k == u"zero")
        return Plural::Zero;
    if (k == u"one")
        return Plural::One;
    if (k == u"two")
        return Plural::Two;
    if (k == u"few")
        return Plural::Few;
    if (k == u"many")
        return Plural::Many;
    return Plural::Other;
}

std::string Locale::number(int64_t n) const
{
    std::string out;
    number_into(out, n);
    return out;
}

void Locale::number_into(std::string& out, int64_t n) const
{
    out.clear();
    UErrorCode st = U_ZERO_ERROR;
    icu::UnicodeString s = m_impl->number_formatter().formatInt(n, st).toString(st);
    if (U_FAILURE(st)) {
        out = std::to_string(n);
        return;
    }
    append_utf8(out, s);
}

std::string Locale::money(int64_t minor, std::string_view currency) const
{
    std::string out;
    money_into(out, minor, currency);
    return out;
}

void Locale::money_into(std::string& out, int64_t minor, std::string_view currency) const
{
    out.clear();
    Impl& im = *m_impl;
    std::string code = currency.size() == 3 ? std::string(currency) : std::string("SYP");
    auto it = im.money.find(code);
    if (it == im.money.end())
        it = im.money.emplace(code, std::array<std::optional<icu::number::LocalizedNumberFormatter>, 2>{}).first;
    bool cents = minor % 100 != 0;
    auto& slot = it->second[cents ? 1 : 0];
    UErrorCode st = U_ZERO_ERROR;
    if (!slot) {
        icu::UnicodeString iso = u16(code);
        icu::CurrencyUnit unit(iso.getTerminatedBuffer(), st);
        if (U_FAILURE(st)) {
            st = U_ZERO_ERROR;
            unit = icu::CurrencyUnit(u"SYP", st);
        }
        slot = icu::number::NumberFormatter::withLocale(im.locale)
                   .unit(unit)
                   .precision(cents ? icu::number::Precision::fixedFraction(2) : icu::number::Precision::integer());
    }
    // The amount as a decimal string ("-2500.05"): exact, whatever its size.
    uint64_t abs = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
    char text[32];
    int len = cents ? std::snprintf(text, sizeof text, "%s%llu.%02llu", minor < 0 ? "-" : "",
                                    static_cast<unsigned long long>(abs / 100), static_cast<unsigned long long>(abs % 100))
                    : std::snprintf(text, sizeof text, "%s%llu", minor < 0 ? "-" : "", static_cast<unsigned long long>(abs / 100));
    icu::UnicodeString s = slot->formatDecimal(icu::StringPiece(text, len), st).toString(st);
    if (U_FAILURE(st)) {
        out = std::to_string(minor / 100) + " " + code;
        return;
    }
    append_utf8(out, s);
}

std::string Locale::digits(std::string_view ascii) const
{
    if (m_lang != Lang::Ar)
        return std::string(ascii);
    std::string out;
    out.reserve(ascii.size() * 2);
    for (char c : ascii) {
        if (c >= '0' && c <= '9') {
            char32_t cp = 0x0660 + static_cast<char32_t>(c - '0');
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += c;
        }
    }
    return out;
}

namespace {

// Noon UTC of a civil date, in ICU's milliseconds (noon keeps the day the same in every zone used for dates).
UDate noon_utc(const Date& d) { return static_cast<UDate>((days_from_civil(d.year, d.month, d.day) * 24 + 12) * 3600000.0); }

} // namespace

std::string Locale::date(const Date& d) const
{
    std::string out;
    if (!d.valid())
        return d.iso();
    icu::UnicodeString s;
    m_impl->pattern_format(m_impl->date, "ddMMyyyy", m_impl->locale, *m_impl->utc).format(noon_utc(d), s);
    append_utf8(out, s);
    return out;
}

std::string Locale::date_long(const Date& d) const
{
    std::string out;
    if (!d.valid())
        return d.iso();
    icu::UnicodeString s;
    m_impl->pattern_format(m_impl->date_long, "dMMMMy", m_impl->locale, *m_impl->utc).format(noon_utc(d), s);
    append_utf8(out, s);
    return out;
}

std::string Locale::month_name(int month) const
{
    std::string out;
    if (month < 1 || month > 12)
        return out;
    icu::UnicodeString s;
    m_impl->pattern_format(m_impl->month, "MMMM", m_impl->locale, *m_impl->utc).format(noon_utc(Date{2001, month, 15}), s);
    append_utf8(out, s);
    return out;
}

std::string Locale::hijri(const Date& d) const
{
    std::string out;
    if (!d.valid())
        return out;
    icu::UnicodeString s;
    m_impl->pattern_format(m_impl->hijri, "dMMMMyG", m_impl->hijri_locale, *m_impl->utc).format(noon_utc(d), s);
    append_utf8(out, s);
    return out;
}

std::string Locale::time(int64_t unix_ms) const
{
    std::string out;
    icu::UnicodeString s;
    m_impl->pattern_format(m_impl->time, "HHmm", m_impl->locale, *m_impl->zone).format(static_cast<UDate>(unix_ms), s);
    append_utf8(out, s);
    return out;
}

std::string Locale::date_time(int64_t unix_ms) const
{
    std::string out;
    icu::UnicodeString s;
    m_impl->pattern_format(m_impl->date_time, "ddMMyyyyHHmm", m_impl->locale, *m_impl->zone).format(static_cast<UDate>(unix_ms), s);
    append_utf8(out, s);
    return out;
}

std::string Locale::date_time(std::string_view iso) const
{
    auto ms = parse_iso8601_utc(iso);
    if (!ms.ok())
        return std::string(iso);
    return date_time(*ms);
}

Date Locale::local_date(int64_t unix_ms) const
{
    int32_t raw = 0, dst = 0;
    UErrorCode st = U_ZERO_ERROR;
    m_impl->zone->getOffset(static_cast<UDate>(unix_ms), false, raw, dst, st);
    int64_t local = unix_ms + (U_SUCCESS(st) ? static_cast<int64_t>(raw) + dst : 0);
    int64_t days = local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
    // civil_from_days (Howard Hinnant).
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t doe = days - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    Date d;
    d.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    d.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    d.year = static_cast<int>(yoe + era * 400 + (d.month <= 2 ? 1 : 0));
    return d;
}

namespace {

Date civil_from_days(int64_t days)
{
    // civil_from_days (Howard Hinnant).
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t doe = days - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    Date d;
    d.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    d.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    d.year = static_cast<int>(yoe + era * 400 + (d.month <= 2 ? 1 : 0));
    return d;
}

constexpr int64_t kDayMs = 86'400'000;

} // namespace

struct Zone::Impl {
    std::unique_ptr<icu::TimeZone> zone;
    // The zone's offset (raw + daylight) at a UTC moment.
    int64_t offset_at(int64_t unix_ms) const
    {
        int32_t raw = 0, dst = 0;
        UErrorCode st = U_ZERO_ERROR;
        zone->getOffset(static_cast<UDate>(unix_ms), false, raw, dst, st);
        return U_SUCCESS(st) ? static_cast<int64_t>(raw) + dst : 0;
    }
};

Result<Zone> Zone::create(std::string_view name)
{
    if (name.empty() || name.size() > 64)
        return Error::make("error.locale.time_zone", "a time zone is an IANA name such as Asia/Damascus");
    auto impl = std::make_shared<Impl>();
    impl->zone.reset(icu::TimeZone::createTimeZone(u16(name)));
    if (!impl->zone || *impl->zone == icu::TimeZone::getUnknown())
        return Error::make("error.locale.time_zone", "unknown time zone '" + std::string(name) + "' (see tzdata)");
    Zone z;
    z.m_name = std::string(name);
    z.m_impl = std::move(impl);
    return z;
}

Date Zone::date_of(int64_t unix_ms) const
{
    int64_t local = unix_ms + m_impl->offset_at(unix_ms);
    return civil_from_days(local >= 0 ? local / kDayMs : (local - (kDayMs - 1)) / kDayMs);
}

int64_t Zone::start_of(const Date& d) const
{
    int64_t midnight = days_from_civil(d.year, d.month, d.day) * kDayMs; // local midnight, read as UTC
    // The offset in force then: try the offset at the guess, and at the guess corrected by it (a DST change
    // near midnight); the earliest moment that still falls on `d` is the day's start.
    int64_t guess = midnight - m_impl->offset_at(midnight);
    int64_t second = midnight - m_impl->offset_at(guess);
    int64_t start = std::min(guess, second);
    if (!(date_of(start) == d))
        start = std::max(guess, second);
    // A day that starts with a skipped hour (midnight does not exist) starts when the clocks jump.
    while (date_of(start - 1) == d)
        start -= 60'000;
    return start;
}

Date Zone::add_days(const Date& d, int days) { return civil_from_days(days_from_civil(d.year, d.month, d.day) + days); }

} // namespace nafitha::locale
