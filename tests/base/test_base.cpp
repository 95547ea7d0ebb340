#include "base/clock.h"
#include "base/fs.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "base/result.h"
#include "base/utf8.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

using namespace nafitha;

static Result<int> half(int x)
{
    if (x % 2)
        return Error::make("error.test.odd", "odd", "x");
    return x / 2;
}

static Result<int> quarter(int x)
{
    int h = TRY(half(x));
    return TRY(half(h));
}

TEST_CASE("Result and TRY carry values and errors")
{
    REQUIRE(quarter(8).value() == 2);
    auto r = quarter(6);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "error.test.odd");
    CHECK(r.error().field == "x");
    CHECK(r.error().to_string() == "error.test.odd: odd");
}

TEST_CASE("UTF-8 decode replaces invalid sequences and round-trips valid text")
{
    std::string arabic = "نافذة 123";
    std::vector<uint32_t> offsets;
    auto cps = utf8::decode(arabic, &offsets);
    REQUIRE(cps.size() == 9);
    CHECK(cps[0] == U'\u0646');
    CHECK(offsets[1] == 2);
    CHECK(utf8::encode(cps) == arabic);
    CHECK(utf8::is_valid(arabic));

    for (std::string bad : {std::string("\xC0\xAF"), std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80"),
                            std::string("abc\xE2\x82"), std::string("\xFF")}) {
        CHECK_FALSE(utf8::is_valid(bad));
        auto d = utf8::decode(bad);
        CHECK(d.find(utf8::kReplacement) != std::u32string::npos);
    }
    CHECK(utf8::is_valid("\xEF\xBF\xBD"));
    CHECK(utf8::length("نافذة") == 5);
}

TEST_CASE("Translations load from assets and every key exists in Arabic and English")
{
    auto i18n = I18n::load(paths::assets_dir());
    REQUIRE(i18n.ok());
    CHECK(i18n->tr(Lang::Ar, "app.name") == "نافذة");
    CHECK(i18n->tr(Lang::En, "app.name") == "Nafitha");
    for (auto& [key, _] : i18n->table(Lang::Ar))
        CHECK(i18n->has(Lang::En, key));
    for (auto& [key, _] : i18n->table(Lang::En))
        CHECK(i18n->has(Lang::Ar, key));
    CHECK(i18n->tr(Lang::En, "no.such.key") == "no.such.key");
    CHECK(format_placeholders("{a} and {b}, {c}", {{"a", "1"}, {"b", "٢"}}) == "1 and ٢, {c}");
    CHECK(i18n->message(Lang::Ar, Error::make("error.fs.write_failed")) == "تعذّرت الكتابة على القرص.");
}

TEST_CASE("A translation folder with a bad file is a clear error")
{
    auto dir = std::filesystem::temp_directory_path() / ("nafitha-i18n-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "i18n" / "ar");
    std::filesystem::create_directories(dir / "i18n" / "en");
    REQUIRE(fs::write_file_atomic(dir / "i18n" / "ar" / "x.json", "{\"a\": 1}").ok());
    auto r = I18n::load(dir);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "error.i18n.invalid");
    CHECK(r.error().detail.find("x.json") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("Atomic writes are durable, keep the mode, and bounded reads refuse large files")
{
    auto dir = std::filesystem::temp_directory_path() / ("nafitha-fs-" + std::to_string(::getpid()));
    REQUIRE(fs::ensure_dir(dir / "a" / "b", 0700).ok());
    auto file = dir / "a" / "b" / "secret.key";
    REQUIRE(fs::write_file_atomic(file, "first", 0600).ok());
    REQUIRE(fs::write_file_atomic(file, "second", 0600).ok());
    CHECK(fs::read_file(file, 100).value() == "second");
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto big = fs::read_file(file, 3);
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().code == "error.fs.too_large");
    CHECK(fs::read_file(dir / "missing", 10).error().code == "error.fs.read_failed");
    std::filesystem::remove_all(dir);
}

TEST_CASE("Create-once writes a file the first time only and leaves no temporary file")
{
    auto dir = std::filesystem::temp_directory_path() / ("nafitha-once-" + std::to_string(::getpid()));
    REQUIRE(fs::ensure_dir(dir, 0700).ok());
    auto file = dir / "pii.key";
    CHECK(fs::create_file_once(file, "first", 0600).value());
    CHECK_FALSE(fs::create_file_once(file, "second", 0600).value()); // the first writer wins
    CHECK(fs::read_file(file, 100).value() == "first");
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    size_t files = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir))
        ++files;
    CHECK(files == 1);
    auto missing = fs::create_file_once(dir / "no" / "such" / "folder", "x", 0600);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "error.fs.write_failed");
    std::filesystem::remove_all(dir);
}

TEST_CASE("UTC timestamps are ISO 8601 with milliseconds")
{
    CHECK(clock::iso8601_utc(0) == "1970-01-01T00:00:00.000Z");
    CHECK(clock::iso8601_utc(1795900805123) == "2026-11-28T21:20:05.123Z");
    CHECK(std::regex_match(clock::now_iso8601(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    auto a = clock::monotonic_ns();
    CHECK(clock::monotonic_ns() >= a);
}
