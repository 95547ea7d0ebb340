// Validators: normalisation, and hostile input (overlong, wrong digits, mixed scripts, SQL fragments,
// control characters) giving a clear message and storing nothing.

#include "helpers.h"

#include "kiosk/services/forms.h"
#include "kiosk/services/text_normalize.h"
#include "base/utf8.h"
#include "base/clock.h"
#include "locale/locale.h"

#include <random>

using namespace nafitha;
using namespace nafitha::services;

TEST_CASE("Digits in any form become ASCII and spaces are trimmed")
{
    CHECK(digits_to_ascii("٠١٢٣٤٥٦٧٨٩") == "0123456789");
    CHECK(digits_to_ascii("۰۱۲۳۴۵۶۷۸۹") == "0123456789");
    CHECK(digits_to_ascii("１２３") == "123");
    CHECK(trim_collapse("  محمد \t  علي\u00A0 ") == "محمد علي");
    CHECK(validate_national_id(" ٠١٠ ٢٠٣٠-٤٠٥٠ ").value() == "01020304050");
    CHECK(validate_phone("٠٩٤٤ ١٢٣ ٤٥٦").value() == "0944123456");
    CHECK(validate_phone("00963944123456").value() == "0944123456");
    CHECK(validate_date("١٧/٠٥/١٩٩٠", true).value() == "1990-05-17");
    CHECK(validate_date("17/05/1990", true).value() == "1990-05-17");
    CHECK(validate_date("1/5/1990", true).value() == "1990-05-01");
    CHECK(validate_date("29/02/2024", false).value() == "2024-02-29");
    CHECK(validate_amount("١٢٬٥٠٠٫٥", 0, 0).value() == "1250050");
    CHECK(validate_amount("7", 0, 0).value() == "700");
    CHECK(validate_number("٠٠٤٢", 1, 100).value() == "42");
    CHECK(validate_arabic_name("  مُحَمَّـــد   الأحمد ").value() == "مُحَمَّد الأحمد");
    CHECK(validate_scan_reference("SCN-2026-00AF").value() == "SCN-2026-00AF");
}

TEST_CASE("Every validator refuses hostile input with a clear code")
{
    struct Case {
        const char* what;
        Result<std::string> result;
        const char* code;
    };
    std::string overlong(5000, '1');
    std::string nul_inside = std::string("0102030") + '\0' + "4050";
    Case cases[] = {
        {"nid overlong", validate_national_id(overlong), "error.form.too_long"},
        {"nid letters", validate_national_id("0102030405O"), "error.form.national_id_digits"},
        {"nid sql", validate_national_id("1 OR 1=1"), "error.form.national_id_digits"},
        {"nid short", validate_national_id("٠١٢٣"), "error.form.national_id_length"},
        {"nid twelve", validate_national_id("010203040506"), "error.form.national_id_length"},
        {"nid nul", validate_national_id(nul_inside), "error.form.control_chars"},
        {"phone landline", validate_phone("0112345678"), "error.form.phone_invalid"},
        {"phone sql", validate_phone("0944'--"), "error.form.phone_invalid"},
        {"name latin", validate_arabic_name("Mohammad"), "error.form.arabic_letters_only"},
        {"name mixed", validate_arabic_name("محمد Smith"), "error.form.arabic_letters_only"},
        {"name digits", validate_arabic_name("محمد ٣"), "error.form.arabic_letters_only"},
        {"name sql", validate_arabic_name("محمد'; DROP TABLE applications; --"), "error.form.arabic_letters_only"},
        {"name rlo", validate_arabic_name("محمد\u202Eعلي"), "error.form.control_chars"},
        {"name one letter", validate_arabic_name("م"), "error.form.name_too_short"},
        {"name overlong", validate_arabic_name([] { std::string s; for (int i = 0; i < 90; ++i) s += "م"; return s; }(), 80), "error.form.too_long"},
        {"name bad utf8", validate_arabic_name("\xD9\x85\xFF"), "error.form.invalid_text"},
        {"date feb 30", validate_date("2020-02-30", false), "error.form.date_feb_29"},
        {"date 31/02 in a common year", validate_date("31/02/1990", false), "error.form.date_feb_28"},
        {"date 29/02 in a common year", validate_date("29/02/2023", false), "error.form.date_feb_28"},
        {"date 31/04", validate_date("31/04/1990", false), "error.form.date_day_30"},
        {"date month 13", validate_date("17/13/1990", false), "error.form.date_month"},
        {"date day 32", validate_date("32/01/1990", false), "error.form.date_day"},
        {"date year 1800", validate_date("17/05/1800", false), "error.form.date_year"},
        {"date day and month only", validate_date("17/05", false), "error.form.date_incomplete"},
        {"date short year", validate_date("17/05/90", false), "error.form.date_invalid"},
        {"date year first with slashes", validate_date("1990/05/17", false), "error.form.date_invalid"},
        {"date words", validate_date("yesterday", false), "error.form.date_invalid"},
        {"date sql", validate_date("2020-01-01' OR '1", false), "error.form.date_invalid"},
        {"number neg", validate_number("-5", 0, 10), "error.form.number_invalid"},
        {"number huge", validate_number("99999999999999999999", 0, 0), "error.form.number_invalid"},
        {"amount three decimals", validate_amount("1.234", 0, 0), "error.form.amount_invalid"},
        {"amount letters", validate_amount("12e3", 0, 0), "error.form.amount_invalid"},
        {"amount range", validate_amount("0.5", 100, 0), "error.form.amount_range"},
        {"scan lower", validate_scan_reference("scn-abc-def"), "error.form.scan_reference_invalid"},
        {"scan sql", validate_scan_reference("SCN-1;DROP"), "error.form.scan_reference_invalid"},
        {"text sql", validate_text("x'); DELETE FROM journal; --", 100), "error.form.text_characters"},
        {"text html", validate_text("<script>alert(1)</script>", 100), "error.form.text_characters"},
        {"text bell", validate_text("abc\x07", 100), "error.form.control_chars"},
        {"text newline", validate_text("line one\nline two", 100), "error.form.control_chars"},
        {"text fullwidth", validate_text("ａ＝ｂ", 100), "error.form.text_characters"},
        {"text long", validate_text(std::string(101, 'a'), 100), "error.form.too_long"},
    };
    for (auto& c : cases) {
        INFO(c.what);
        REQUIRE_FALSE(c.result.ok());
        CHECK(c.result.error().code == c.code);
        CHECK_FALSE(c.result.error().detail.empty());
    }
}

TEST_CASE("Hostile form submissions store nothing and every message exists in both languages")
{
    test::TempDir dir("hostile");
    auto t = test::open_terminal(dir.path);
    auto i18n = I18n::load(std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets").value();
    std::vector<FormValues> hostile = {
        {{"full_name", "Robert'); DROP TABLE applications;--"}, {"national_id", "1' OR '1'='1"}},
        {{"full_name", std::string(100000, 'x')}, {"national_id", std::string(100000, '9')}},
        {{"full_name", "محمد\x01\x02"}, {"national_id", "٠١٢٣٤٥٦٧٨٩a"}, {"copies", "1e9"}},
        {{"full_name", "محمد\u202Eعلي"}, {"national_id", "01234567890"}, {"father_name", "Ahmad"},
         {"mother_name", "فاطمة"}, {"birth_date", "31/02/1990"}, {"copies", "1"}, {"injected", "x"}},
    };
    for (auto& values : hostile) {
        auto v = t->assess("civil.birth_extract", values).validation;
        REQUIRE_FALSE(v.ok());
        for (auto& p : v.problems) {
            CHECK(i18n.has(Lang::Ar, p.code));
            CHECK(i18n.has(Lang::En, p.code));
            CHECK(i18n.message(Lang::Ar, p) != p.code);
        }
        auto sub = t->submit({"civil.birth_extract", values});
        REQUIRE_FALSE(sub.ok());
        CHECK(sub.error().code == "error.form.invalid");
    }
    CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM applications").value() == 0);
    CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM payments").value() == 0);
    CHECK(t->journal_status().value().last_seq == 1);
    CHECK(test::integrity(t->database()) == "ok");
}

TEST_CASE("Every service form in the seed catalogue accepts a well-formed visit")
{
    test::TempDir dir("forms");
    auto t = test::open_terminal(dir.path);
    auto cat = t->catalogue();
    for (auto& s : cat->services) {
        INFO(s.code);
        FormValues values;
        for (auto& f : s.form) {
            switch (f.type) {
            case FieldType::Text: values[f.name] = f.max_length < 20 ? "123456" : "دمشق - المزة 12"; break;
            case FieldType::ArabicName: values[f.name] = "سامر الحلبي"; break;
            case FieldType::NationalId: values[f.name] = "01234567890"; break;
            case FieldType::Phone: values[f.name] = "0955123456"; break;
            case FieldType::Date: values[f.name] = "2001-09-10"; break;
            case FieldType::Choice: values[f.name] = f.options.front().value; break;
            case FieldType::Number: values[f.name] = std::to_string(std::max<int64_t>(f.min, 1)); break;
            case FieldType::Amount: values[f.name] = "15000"; break;
            case FieldType::ScanReference: values[f.name] = "SCN-0001-AB12"; break;
            }
        }
        auto v = t->assess(s.code, values).validation;
        for (auto& p : v.problems)
            FAIL_CHECK(p.field << ": " << p.code);
        CHECK(t->assess(s.code, values).fee.value().total > 0);
    }
}

TEST_CASE("Validators survive random bytes and every refusal has a translated code")
{
    auto i18n = I18n::load(std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets").value();
    std::mt19937_64 rng(99);
    const std::string alphabet[] = {"0", "9", "٣", "۷", "a", "Z", " ", "-", "'", ";", "\x01", "\x7F", "\xFF", "\xD9", "م",
                                    "ـ", "\u202E", "\u00A0", "SCN-", "/", ".", "٫", "٬", ",", "+963", "09"};
    FormField choice;
    choice.type = FieldType::Choice;
    choice.options = {{"a", {"أ", "A"}}};
    for (int i = 0; i < 3000; ++i) {
        std::string s;
        int n = std::uniform_int_distribution<int>(0, 30)(rng);
        for (int k = 0; k < n; ++k)
            s += alphabet[std::uniform_int_distribution<size_t>(0, std::size(alphabet) - 1)(rng)];
        Result<std::string> results[] = {validate_national_id(s), validate_phone(s),     validate_arabic_name(s),
                                         validate_date(s, true),  validate_number(s, 0, 1000), validate_amount(s, 0, 0),
                                         validate_scan_reference(s), validate_text(s, 50), validate_field(choice, s)};
        for (auto& r : results) {
            if (r.ok()) {
                CHECK(utf8::is_valid(r.value()));
                CHECK(r.value().find('\x01') == std::string::npos);
            } else {
                INFO(r.error().code);
                CHECK(i18n.has(Lang::Ar, r.error().code));
            }
        }
    }
}

TEST_CASE("A past-only date is bounded by the office's local day, not the UTC date")
{
    // Between local midnight and UTC midnight (21:00-24:00 UTC in Damascus) the UTC date is still yesterday at
    // the office: a child born today must be accepted then, and tomorrow refused.
    CHECK(validate_date("2026-12-02", true, "2026-12-02").value() == "2026-12-02");
    CHECK(validate_date("02/12/2026", true, "2026-12-02").value() == "2026-12-02");
    CHECK(validate_date("2026-12-03", true, "2026-12-02").error().code == "error.form.date_future");
    CHECK(validate_date("2026-12-03", false, "2026-12-02").value() == "2026-12-03");
    // local_today follows the zone asked for: the same moment gives the zone's own day.
    auto damascus = locale::Zone::create("Asia/Damascus").value();
    auto before = clock::unix_ms();
    auto today = local_today("Asia/Damascus");
    auto after = clock::unix_ms();
    CHECK((today == damascus.date_of(before).iso() || today == damascus.date_of(after).iso()));
    // A zone tzdata does not know falls back to the default zone.
    CHECK((local_today("Mars/Olympus") == damascus.date_of(before).iso()
           || local_today("Mars/Olympus") == damascus.date_of(clock::unix_ms()).iso()));
    // And today itself is never "in the future", whatever the hour.
    CHECK(validate_date(local_today("Asia/Damascus"), true).ok());
}
