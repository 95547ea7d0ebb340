// The module floors of docs/ARCHITECTURE.md and the "one home for each job" rules, checked on the sources:
// every module includes only the modules below it; only the storage floor's users touch SQLite and write SQL;
// printing makes bytes from text and base alone; the kiosk UI names screens by ScreenId and keeps no view
// state in function statics. A new dependency is a change to the table below and to ARCHITECTURE.md.

#include "base/fs.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = NAFITHA_SOURCE_DIR;

// The production modules, most specific first (central/store is matched before central).
const std::vector<std::string> kModules = {
    "base",          "db",           "text",        "locale",        "sync/protocol", "sync/journal",    "kiosk/services",
    "sync/client",   "devices",      "printing",    "kiosk/documents", "central/store", "central",
    "kiosk/ui",      "kiosk/app",    "installer/ctl",
};

// What each module may include (besides itself), as in docs/ARCHITECTURE.md.
const std::map<std::string, std::set<std::string>> kMayUse = {
    {"base", {}},
    {"db", {"base"}},
    {"text", {"base"}},
    {"locale", {"base"}},
    {"sync/protocol", {"base"}},
    {"sync/journal", {"base", "db", "sync/protocol"}},
    {"kiosk/services", {"base", "db", "locale", "sync/protocol", "sync/journal"}},
    {"sync/client", {"base", "sync/protocol", "sync/journal"}},
    {"devices", {"base"}},
    {"printing", {"base", "text", "locale"}},
    {"kiosk/documents", {"base", "text", "locale", "printing", "devices", "sync/protocol", "sync/journal", "kiosk/services"}},
    {"central/store", {"base", "db", "locale", "sync/protocol"}},
    {"central", {"base", "locale", "sync/protocol", "central/store"}},
    {"kiosk/ui", {"base", "text", "locale", "kiosk/services"}},
    {"kiosk/app",
     {"base", "text", "locale", "devices", "printing", "sync/protocol", "sync/journal", "sync/client", "kiosk/services",
      "kiosk/documents", "kiosk/ui"}},
    {"installer/ctl",
     {"base", "db", "text", "locale", "devices", "printing", "sync/protocol", "sync/journal", "sync/client", "kiosk/services",
      "kiosk/documents"}},
};

// The only homes of SQLite: the storage floor and its three users.
const std::set<std::string> kStorage = {"db", "sync/journal", "kiosk/services", "central/store"};

std::string module_of(const std::string& relative)
{
    for (const std::string& m : kModules)
        if (relative.rfind(m + "/", 0) == 0)
            return m;
    return {};
}

struct Source {
    std::string path;   // relative to the repository
    std::string module; // empty for tests, benchmarks, tools
    std::string text;
};

const std::vector<Source>& sources()
{
    static const std::vector<Source> all = [] {
        std::vector<Source> out;
        for (const std::string& m : kModules) {
            for (auto& e : fs::recursive_directory_iterator(kRoot / m)) {
                auto ext = e.path().extension();
                if (!e.is_regular_file() || (ext != ".cpp" && ext != ".h"))
                    continue;
                std::string rel = fs::relative(e.path(), kRoot).string();
                if (module_of(rel) != m)
                    continue; // a sub-module's file, read under its own name
                out.push_back({rel, m, nafitha::fs::read_file(e.path(), 1u << 20).value()});
            }
        }
        return out;
    }();
    return all;
}

// The module named by an #include "dir/..." line, or empty for a file of the same folder or a system header.
std::vector<std::string> included_modules(const std::string& text)
{
    std::vector<std::string> out;
    static const std::regex include(R"re(#include\s+"([^"]+)")re");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), include); it != std::sregex_iterator(); ++it) {
        std::string m = module_of((*it)[1].str());
        if (!m.empty())
            out.push_back(m);
    }
    return out;
}

} // namespace

TEST_CASE("Every module includes only the modules below it")
{
    REQUIRE(sources().size() > 100);
    for (const Source& s : sources()) {
        const auto& allowed = kMayUse.at(s.module);
        for (const std::string& used : included_modules(s.text)) {
            if (used == s.module)
                continue;
            INFO(s.path << " includes " << used);
            CHECK(allowed.count(used) == 1);
        }
    }
}

TEST_CASE("Only the storage floor and its users touch SQLite or write SQL")
{
    static const std::regex sql(R"re("\s*(SELECT|INSERT|UPDATE|DELETE|CREATE TABLE|PRAGMA|BEGIN IMMEDIATE)\b)re");
    for (const Source& s : sources()) {
        if (kStorage.count(s.module))
            continue;
        INFO(s.path);
        CHECK(s.text.find("db/sqlite.h") == std::string::npos);
        CHECK(s.text.find("<sqlite3.h>") == std::string::npos);
        CHECK(s.text.find("db::Db") == std::string::npos);
        CHECK_FALSE(std::regex_search(s.text, sql));
    }
}

TEST_CASE("Each shared rule has one home")
{
    // Receipt signing lives with the other signatures; printing only makes bytes.
    for (const Source& s : sources()) {
        INFO(s.path);
        if (s.module != "sync/protocol")
            CHECK(s.text.find("sign_receipt(std::string_view") == std::string::npos);
        if (s.module == "printing")
            CHECK(s.text.find("crypto.h") == std::string::npos);
        // One terminal-id rule, one create-once file helper, one SQLite wrapper.
        if (s.path.rfind("sync/protocol/messages.", 0) != 0)
            CHECK(s.text.find("std::string terminal_id_for(const") == std::string::npos);
        if (s.path != "base/fs.cpp" && s.path != "base/fs.h")
            CHECK(s.text.find("Result<bool> create_file_once(") == std::string::npos);
        if (s.module != "db")
            CHECK(s.text.find("sqlite3_prepare") == std::string::npos);
        // Documents are built in kiosk/documents and nowhere else.
        if (s.module != "kiosk/documents" && s.module != "printing")
            CHECK_FALSE(std::regex_search(s.text, std::regex(R"(printing::(ReceiptData|ZReportData|TicketData|SummaryData)\s+\w+;)")));
    }
}

TEST_CASE("The kiosk UI names screens by ScreenId and keeps no view state in function statics")
{
    static const std::regex screen_by_name(R"re(screen\s*[!=]=\s*")re");
    static const std::regex go_by_name(R"re(\.(go|reset)\(")re");
    // An indented `static` that is not a constant: a function-local variable living across frames.
    static const std::regex function_static(R"re(\n[ \t]+static\s+(?!const\b|constexpr\b)[A-Za-z_])re");
    for (const Source& s : sources()) {
        if (s.module != "kiosk/ui")
            continue;
        INFO(s.path);
        CHECK_FALSE(std::regex_search(s.text, screen_by_name));
        CHECK_FALSE(std::regex_search(s.text, go_by_name));
        if (s.path.ends_with(".cpp")) // (a header's indented static is a class's static member)
            CHECK_FALSE(std::regex_search(s.text, function_static));
        // Demo data stays in demo.cpp: no demo state is set up in a screen's file.
        if (s.path.rfind("kiosk/ui/screen_", 0) == 0) {
            CHECK(s.text.find("void demo_") == std::string::npos);
            CHECK(s.text.find("DemoState") == std::string::npos);
        }
    }
}
