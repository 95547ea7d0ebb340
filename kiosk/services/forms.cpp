#include "kiosk/services/forms.h"

#include "base/clock.h"
#include "base/utf8.h"
#include "kiosk/services/text_normalize.h"
#include "locale/locale.h"

#include <cstdio>
#include <optional>

namespace nafitha::services {

static Error problem(const char* code, std::string detail) { return Error::make(code, std::move(detail)); }

const Error* Validation::problem(std::string_view field) const
{
    for (auto& p : problems)
        if (p.field == field)
            return &p;
    return nullptr;
}

// Characters no field accepts: C0/C1 controls, DEL, bidi embeddings/overrides/isolates, BOM, noncharacters.
static bool is_forbidden(char32_t c)
{
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
           c == 0xFEFF || c == 0xFFFD || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE || c == 0x200E ||
           c == 0x200F || c == 0x061C;
}

// Common first step: bounded, valid UTF-8, no control characters; then digits to ASCII, trimmed.
static Result<std::string> clean(std::string_view raw, size_t max_bytes = kMaxRawFieldBytes)
{
    if (raw.size() > max_bytes)
        return problem("error.form.too_long", "input of " + std::to_string(raw.size()) + " bytes");
    if (!utf8::is_valid(raw))
        return problem("error.form.invalid_text", "input is not valid UTF-8");
    size_t pos = 0;
    while (pos < raw.size())
        if (is_forbidden(utf8::decode_next(raw, pos)))
            return problem("error.form.control_chars", "input holds control or direction characters");
    return trim_collapse(digits_to_ascii(raw));
}

static bool all_ascii_digits(std::string_view s)
{
    if (s.empty())
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

static std::string strip(std::string_view s, std::string_view chars)
{
    std::string out;
    for (char c : s)
        if (chars.find(c) == std::string_view::npos)
            out.push_back(c);
    return out;
}

Result<std::string> validate_national_id(std::string_view raw)
{
    auto v = strip(TRY(clean(raw, 64)), " -");
    if (!all_ascii_digits(v))
        return problem("error.form.national_id_digits", "a national ID has digits only");
    if (v.size() != 11)
        return problem("error.form.national_id_length", "a national ID has 11 digits, got " + std::to_string(v.size()));
    return v;
}

Result<std::string> validate_phone(std::string_view raw)
{
    auto v = strip(TRY(clean(raw, 64)), " -()");
    if (v.rfind("+963", 0) == 0)
        v = "0" + v.substr(4);
    else if (v.rfind("00963", 0) == 0)
        v = "0" + v.substr(5);
    if (!all_ascii_digits(v) || v.size() != 10 || v.rfind("09", 0) != 0)
        return problem("error.form.phone_invalid", "a mobile number is 09 followed by 8 digits");
    return v;
}

static bool is_arabic_letter(char32_t c) { return (c >= 0x0621 && c <= 0x063A) || (c >= 0x0641 && c <= 0x064A); }
static bool is_haraka(char32_t c) { return (c >= 0x064B && c <= 0x0652) || c == 0x0670; }

Result<std::string> validate_arabic_name(std::string_view raw, size_t max_length)
{
    auto v = TRY(clean(raw, 4 * max_length + 16));
    std::string out;
    size_t letters = 0, pos = 0;
    while (pos < v.size()) {
        char32_t c = utf8::decode_next(v, pos);
        if (c == 0x0640)
            continue; // tatweel is decoration
        if (is_arabic_letter(c))
            ++letters;
        else if (!is_haraka(c) && c != U' ')
            return problem("error.form.arabic_letters_only", "a name in Arabic letters only");
        utf8::append(out, c);
    }
    if (letters < 2)
        return problem("error.form.name_too_short", "a name needs at least two letters");
    if (utf8::length(out) > max_length)
        return problem("error.form.too_long", "name longer than " + std::to_string(max_length));
    return out;
}

static bool leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::string local_today(std::string_view time_zone)
{
    // One zone per thread (ICU calendars are not shared between threads), made again when the name changes.
    thread_local std::string zone_for;
    thread_local std::optional<locale::Zone> zone;
    if (!zone || zone_for != time_zone) {
        auto z = locale::Zone::create(time_zone);
        if (!z.ok())
            z = locale::Zone::create(locale::kDefaultTimeZone);
        if (!z.ok()) // no time zone data at all: the UTC day (the least wrong answer left)
            return clock::iso8601_utc(clock::unix_ms()).substr(0, 10);
        zone = z.release_value();
        zone_for = std::string(time_zone);
    }
    return zone->date_of(clock::unix_ms()).iso();
}

Result<std::string> validate_date(std::string_view raw, bool past_only, std::string_view today)
{
    auto v = TRY(clean(raw, 64));
    // Day/month/year ("17/05/1990", "1/5/1990"), as the kiosk's date field writes it; or YYYY-MM-DD.
    int y = 0, m = 0, d = 0;
    auto number = [&](std::string_view part, size_t min_digits, size_t max_digits, int& out) {
        if (part.size() < min_digits || part.size() > max_digits)
            return false;
        out = 0;
        for (char c : part) {
            if (c < '0' || c > '9')
                return false;
            out = out * 10 + (c - '0');
        }
        return true;
    };
    const char* bad_format = "error.form.date_invalid";
    const char* format_detail = "a date is day/month/year (DD/MM/YYYY) or YYYY-MM-DD";
    if (v.size() == 10 && v[4] == '-' && v[7] == '-') {
        if (!number(std::string_view(v).substr(0, 4), 4, 4, y) || !number(std::string_view(v).substr(5, 2), 2, 2, m) ||
            !number(std::string_view(v).substr(8, 2), 2, 2, d))
            return problem(bad_format, format_detail);
    } else {
        std::string_view rest = v;
        std::string_view parts[3];
        size_t n = 0;
        while (n < 3) {
            size_t slash = rest.find('/');
            parts[n++] = rest.substr(0, slash);
            if (slash == std::string_view::npos)
                break;
            rest.remove_prefix(slash + 1);
            if (n == 3)
                return problem(bad_format, format_detail); // a fourth part
        }
        if (n < 3 || parts[2].empty()) {
            bool digits_so_far = true;
            for (size_t i = 0; i < n; ++i)
                for (char c : parts[i])
                    digits_so_far &= c >= '0' && c <= '9';
            return problem(digits_so_far ? "error.form.date_incomplete" : bad_format, "day/month/year not complete");
        }
        if (!number(parts[0], 1, 2, d) || !number(parts[1], 1, 2, m) || !number(parts[2], 4, 4, y))
            return problem(bad_format, format_detail);
    }
    // Every impossible part explained on its own.
    if (y < 1900 || y > 2100)
        return problem("error.form.date_year", "year " + std::to_string(y) + " outside 1900-2100");
    if (m < 1 || m > 12)
        return problem("error.form.date_month", "month " + std::to_string(m));
    if (d < 1 || d > 31)
        return problem("error.form.date_day", "day " + std::to_string(d));
    if (m == 2 && d > 28 + (leap_year(y) ? 1 : 0))
        return problem(leap_year(y) ? "error.form.date_feb_29" : "error.form.date_feb_28",
                       "February " + std::to_string(y) + " has no day " + std::to_string(d));
    if ((m == 4 || m == 6 || m == 9 || m == 11) && d > 30)
        return problem("error.form.date_day_30", "month " + std::to_string(m) + " has 30 days");
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    std::string out = buf;
    // "Today" is the office's local day: between local and UTC midnight the UTC date is still yesterday there, and
    // a child born today must be accepted.
    if (past_only && out > (today.empty() ? local_today(locale::kDefaultTimeZone) : std::string(today)))
        return problem("error.form.date_future", "the date is in the future");
    return out;
}

Result<std::string> validate_number(std::string_view raw, int64_t min, int64_t max)
{
    auto v = TRY(clean(raw, 64));
    if (!all_ascii_digits(v) || v.size() > 15)
        return problem("error.form.number_invalid", "a whole number is expected");
    int64_t n = std::stoll(v);
    if (n < min || (max > 0 && n > max))
        return problem("error.form.number_range", "number out of range");
    return std::to_string(n);
}

Result<std::string> validate_amount(std::string_view raw, int64_t min_minor, int64_t max_minor)
{
    auto v = TRY(clean(raw, 64));
    // Thousands separators (ASCII comma, Arabic ٬) are dropped; the Arabic decimal separator ٫ becomes '.'.
    std::string s;
    size_t pos = 0;
    while (pos < v.size()) {
        char32_t c = utf8::decode_next(v, pos);
        if (c == U',' || c == 0x066C || c == U' ')
            continue;
        if (c == 0x066B)
            c = U'.';
        if (c > 0x7F)
            return problem("error.form.amount_invalid", "an amount has digits only");
        s.push_back(static_cast<char>(c));
    }
    auto dot = s.find('.');
    std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot + 1);
    if (!all_ascii_digits(whole) || whole.size() > 13 || frac.size() > 2 ||
        (!frac.empty() && !all_ascii_digits(frac)) || (dot != std::string::npos && frac.empty()))
        return problem("error.form.amount_invalid", "an amount in pounds with at most two decimals");
    while (frac.size() < 2)
        frac.push_back('0');
    int64_t minor = std::stoll(whole) * 100 + std::stoll(frac);
    if (minor < min_minor || (max_minor > 0 && minor > max_minor))
        return problem("error.form.amount_range", "amount out of range");
    return std::to_string(minor);
}

Result<std::string> validate_scan_reference(std::string_view raw)
{
    auto v = TRY(clean(raw, 64));
    if (v.size() < 8 || v.size() > 40 || v.rfind("SCN-", 0) != 0)
        return problem("error.form.scan_reference_invalid", "a scan reference is SCN- and 4..36 characters");
    for (char c : v)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return problem("error.form.scan_reference_invalid", "a scan reference has A-Z, 0-9 and - only");
    return v;
}

Result<std::string> validate_text(std::string_view raw, size_t max_length)
{
    auto v = TRY(clean(raw));
    if (utf8::length(v) > max_length)
        return problem("error.form.too_long", "text longer than " + std::to_string(max_length));
    // Letters and digits of any script, marks, spaces and the punctuation of addresses and notes; no quotes,
    // operators or markup.
    size_t pos = 0;
    while (pos < v.size()) {
        char32_t c = utf8::decode_next(v, pos);
        bool ok = c >= 0x80 ? true
                            : ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                               std::string_view(" .,-/()#:").find(static_cast<char>(c)) != std::string_view::npos);
        // Outside ASCII, refuse symbols that look like ASCII operators (fullwidth forms).
        if (c >= 0xFF00 && c <= 0xFFEF)
            ok = false;
        if (!ok)
            return problem("error.form.text_characters", "text has characters that are not allowed");
    }
    return v;
}

Result<std::string> validate_field(const FormField& f, std::string_view raw, std::string_view today)
{
    switch (f.type) {
    case FieldType::Text: return validate_text(raw, f.max_length);
    case FieldType::ArabicName: return validate_arabic_name(raw, std::min<size_t>(f.max_length, 80));
    case FieldType::NationalId: return validate_national_id(raw);
    case FieldType::Phone: return validate_phone(raw);
    case FieldType::Date: return validate_date(raw, f.past_only, today);
    case FieldType::Number: return validate_number(raw, f.min, f.max);
    case FieldType::Amount: return validate_amount(raw, f.min, f.max);
    case FieldType::ScanReference: return validate_scan_reference(raw);
    case FieldType::Choice: {
        auto v = TRY(clean(raw, 128));
        for (auto& o : f.options)
            if (o.value == v)
                return v;
        return problem("error.form.choice_invalid", "not one of the offered choices");
    }
    }
    return problem("error.form.invalid_text", "unknown field type");
}

Validation validate_form(const Service& service, const FormValues& raw, std::string_view today)
{
    Validation out;
    if (raw.size() > kMaxFormFields) {
        out.problems.push_back(Error::make("error.form.too_many_fields", "too many fields"));
        return out;
    }
    for (auto& [name, value] : raw)
        if (!service.field(name)) {
            out.problems.push_back(Error::make("error.form.unknown_field", "the form has no such field",
                                               name.size() > 64 ? name.substr(0, 64) : name));
        }
    for (auto& f : service.form) {
        auto it = raw.find(f.name);
        bool empty = it == raw.end() || trim_collapse(it->second.size() > kMaxRawFieldBytes ? std::string_view("x")
                                                                                           : std::string_view(it->second))
                                            .empty();
        if (empty) {
            if (f.required)
                out.problems.push_back(Error::make("error.form.required", "required field is empty", f.name));
            continue;
        }
        auto r = validate_field(f, it->second, today);
        if (!r.ok()) {
            auto e = r.release_error();
            e.field = f.name;
            out.problems.push_back(std::move(e));
            continue;
        }
        out.values[f.name] = r.release_value();
    }
    return out;
}

Assessment assess(const Catalogue& catalogue, std::string_view centre, std::string_view service_code,
                  const FormValues& raw, std::string_view exemption)
{
    Assessment a;
    a.service = catalogue.service(service_code);
    if (!a.service) {
        a.validation.problems.push_back(Error::make("error.service.unknown", "no such service", "service"));
        a.fee = a.fee_without_exemption = a.validation.problems.front();
        return a;
    }
    if (!a.service->available_at(centre)) {
        a.validation.problems.push_back(
            Error::make("error.service.unavailable", "service not offered at " + std::string(centre), "service"));
        a.fee = a.fee_without_exemption = a.validation.problems.front();
        return a;
    }
    a.validation = validate_form(*a.service, raw, local_today(catalogue.time_zone_at(centre)));
    if (!a.validation.ok()) {
        std::string fields;
        for (const auto& p : a.validation.problems)
            fields += (fields.empty() ? "" : ", ") + p.field;
        a.fee = a.fee_without_exemption =
            Error::make("error.form.invalid", "invalid fields: " + fields, a.validation.problems.front().field);
        return a;
    }
    a.fee = quote_fee(*a.service, a.validation.values, exemption);
    a.fee_without_exemption = exemption.empty() ? a.fee : quote_fee(*a.service, a.validation.values, {});
    return a;
}

} // namespace nafitha::services
