# Every dependency comes from a Debian package; see ../shared/FACTS.md and docs/OPERATIONS.md.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(SDL2 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(Freetype REQUIRED)
find_package(ZLIB REQUIRED)
if(NAFITHA_TESTS)
  find_package(Catch2 2 REQUIRED)
  find_package(benchmark REQUIRED)
  include(Catch)
endif()

# pkg-config only: these packages ship no (or broken) CMake configs. IMPORTED_TARGET makes their include
# directories SYSTEM, so -Werror applies to project code only.
pkg_check_modules(HARFBUZZ REQUIRED IMPORTED_TARGET harfbuzz)
pkg_check_modules(FRIBIDI REQUIRED IMPORTED_TARGET fribidi)
pkg_check_modules(UNIBREAK REQUIRED IMPORTED_TARGET libunibreak)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
pkg_check_modules(MICROHTTPD REQUIRED IMPORTED_TARGET libmicrohttpd)
pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
pkg_check_modules(ESPEAK REQUIRED IMPORTED_TARGET espeak-ng) # spoken guidance (kiosk/ui/voice)
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo)
# Locale formatting (plurals, numbers, money, dates, the Umm al-Qura calendar, time zones): ICU 72.
pkg_check_modules(ICU_I18N REQUIRED IMPORTED_TARGET icu-i18n)
pkg_check_modules(ICU_UC REQUIRED IMPORTED_TARGET icu-uc)
# Spoken guidance: espeak-ng 1.51.
pkg_check_modules(ESPEAK REQUIRED IMPORTED_TARGET espeak-ng)
# Central's stores: PostgreSQL's client library and zstd (entries are kept compressed with a fixed dictionary).
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
# sd_notify for nafitha-central under systemd (READY, WATCHDOG): libsystemd-dev.
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
