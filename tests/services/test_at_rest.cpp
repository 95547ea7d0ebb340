// Files and fields at rest (issue 14): the data folder 0700 and its files 0600, checked at every start (narrowed with
// a warning, or refused with nothing changed); every form value and every survey reason sealed with the terminal's
// personal-data key, none of them readable in terminal.db.

#include "helpers.h"

#include "base/fs.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "kiosk/services/pii.h"
#include "kiosk/services/reference.h"
#include "kiosk/services/schema.h"
#include "sync/journal/journal.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace nafitha;
using namespace nafitha::services;

namespace {

unsigned mode_of(const std::filesystem::path& p)
{
    struct stat st{};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// Everything on disk: the database file and its write-ahead log.
std::string raw_database(const std::filesystem::path& dir)
{
    std::string raw = fs::read_file(dir / "terminal.db", 64 << 20).value();
    if (std::filesystem::exists(dir / "terminal.db-wal"))
        raw += fs::read_file(dir / "terminal.db-wal", 64 << 20).value();
    return raw;
}

} // namespace

TEST_CASE("The data folder and its files are narrowed to 0700 and 0600 at every start")
{
    test::TempDir dir("perm");
    test::open_terminal(dir.path).reset();
    CHECK(mode_of(dir.path) == 0700);
    for (auto name : {"terminal.key", "pii.key"})
        CHECK(mode_of(dir.path / name) == 0600);
    // Someone widened them (a copy with cp -r, a backup restored with another umask): the next start narrows them.
    std::filesystem::create_directories(dir.path / "printed");
    ::chmod(dir.path.c_str(), 0755);
    ::chmod((dir.path / "printed").c_str(), 0775);
    for (auto name : {"terminal.key", "pii.key", "terminal.db"})
        ::chmod((dir.path / name).c_str(), 0644);
    auto warnings = fs::secure_data_dir(dir.path).value();
    auto warned = [&](const std::string& what) {
        for (auto& w : warnings)
            if (w.find(what) != std::string::npos)
                return true;
        return false;
    };
    CHECK(warned(dir.path.string() + " had mode 0755: narrowed to 0700"));
    CHECK(warned("printed had mode 0775: narrowed to 0700"));
    for (auto name : {"terminal.key", "pii.key", "terminal.db"})
        CHECK(warned(std::string(name) + " had mode 0644: narrowed to 0600"));
    CHECK(mode_of(dir.path) == 0700);
    CHECK(mode_of(dir.path / "printed") == 0700);
    for (auto name : {"terminal.key", "pii.key", "terminal.db"})
        CHECK(mode_of(dir.path / name) == 0600);
    // A second check has nothing to do.
    CHECK(fs::secure_data_dir(dir.path).value().empty());
    // And the terminal's own start does it too.
    ::chmod(dir.path.c_str(), 0777);
    ::chmod((dir.path / "pii.key").c_str(), 0666);
    auto t = test::open_terminal(dir.path);
    CHECK(mode_of(dir.path) == 0700);
    CHECK(mode_of(dir.path / "pii.key") == 0600);
}

TEST_CASE("A linked key file or another user's data folder is refused with nothing changed and a message in both languages")
{
    test::TempDir dir("perm-bad");
    test::open_terminal(dir.path).reset();
    ::chmod(dir.path.c_str(), 0755);
    // The personal-data key replaced by a link to a key the attacker also holds.
    test::TempDir other("perm-other");
    std::filesystem::create_directories(other.path);
    std::filesystem::copy_file(dir.path / "pii.key", other.path / "pii.key");
    std::filesystem::remove(dir.path / "pii.key");
    std::filesystem::create_symlink(other.path / "pii.key", dir.path / "pii.key");
    auto opened = Terminal::open(test::options(dir.path));
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == "error.fs.unsafe_key_file");
    CHECK(opened.error().detail.find("pii.key") != std::string::npos);
    CHECK(mode_of(dir.path) == 0755); // refused before anything was changed
    auto i18n = I18n::load(std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets").value();
    for (auto code : {"error.fs.unsafe_key_file", "error.fs.unsafe_data_dir"}) {
        CHECK(i18n.has(Lang::Ar, code));
        CHECK(i18n.has(Lang::En, code));
        CHECK(i18n.message(Lang::Ar, Error::make(code)) != i18n.message(Lang::En, Error::make(code)));
    }
    // A data folder that is a link, or a file.
    std::filesystem::remove(dir.path / "pii.key");
    std::filesystem::create_directory_symlink(dir.path, other.path / "linked");
    CHECK(fs::secure_data_dir(other.path / "linked").error().code == "error.fs.unsafe_data_dir");
    CHECK(fs::secure_data_dir(other.path / "pii.key").error().code == "error.fs.unsafe_data_dir");

    // Another user's folder: as root, a child process that became `nobody` meets root's folder.
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0))
            ::_exit(3);
        auto r = fs::secure_data_dir(::getuid() == 0 ? dir.path : std::filesystem::path("/"));
        // Not root any more (or never was): the folder belongs to someone else.
        ::_exit(!r.ok() && r.error().code == "error.fs.unsafe_data_dir" ? 0 : 1);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("Every form value and every survey reason is sealed at rest")
{
    test::TempDir dir("sealed");
    struct Case {
        std::string service;
        FormValues values;
        std::string secret; // a value that must not appear in the file
    };
    std::vector<Case> cases = {
        {"civil.birth_extract", test::birth_extract_values(), "1990-05-17"},
        {"commerce.trade_name", {{"full_name", "سامر يوسف الحلبي"}, {"national_id", "03030303030"}, {"trade_name", "مطعم الياسمين الدمشقي"}, {"phone", "0933765432"}}, "الياسمين الدمشقي"},
        {"justice.case_status", {{"full_name", "سامر يوسف الحلبي"}, {"national_id", "03030303030"}, {"case_number", "QX-7781-2026"}, {"phone", "0933765432"}}, "QX-7781-2026"},
        {"electricity.bill", {{"subscriber_number", "98765432101"}, {"bill_amount", "15000"}, {"phone", "0933765432"}}, "98765432101"},
    };
    const std::string reason = "الموظف طلب رقم هاتفي 0944556677 مرتين";
    std::vector<std::string> references;
    {
        auto t = test::open_terminal(dir.path);
        for (auto& c : cases) {
            auto sub = t->submit({c.service, c.values}, PaymentRequest{PayMethod::Card, 0, "AUTH1234", {}, {}, {}});
            INFO(c.service << ": " << (sub.ok() ? std::string() : sub.error().to_string()));
            REQUIRE(sub.ok());
            references.push_back(sub->application.reference);
            // Read back whole through the key.
            auto app = t->application(sub->application.reference).value();
            for (auto& [k, v] : c.values)
                if (k != "national_id")
                    CHECK(app.values.count(k) == 1);
        }
        REQUIRE(t->record_survey({references[0], std::nullopt, 2, reason}).ok());
        CHECK(t->survey_reason(1).value() == reason);
        CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM applications WHERE values_json <> '{}'").value() == 0);
        CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM surveys WHERE typeof(reason) = 'blob'").value() == 1);
    }
    auto raw = raw_database(dir.path);
    for (auto& c : cases) {
        INFO(c.secret);
        CHECK(raw.find(c.secret) == std::string::npos);
    }
    CHECK(raw.find("0944556677") == std::string::npos);
    // A sealed reason moved to another survey row does not open (bound to its id).
    auto vault = PiiVault::load_or_create(dir.path).value();
    auto db = db::Db::open(journal::database_file(dir.path)).value();
    auto st = db.prepare("SELECT reason FROM surveys WHERE id = 1").value();
    REQUIRE(st.step().value());
    CHECK(vault.open(st.blob(0), survey_context(1)).value() == reason);
    CHECK_FALSE(vault.open(st.blob(0), survey_context(2)).ok());
}

TEST_CASE("Form values and survey reasons kept in plain text by older terminals are sealed at the next start")
{
    test::TempDir dir("seal-old");
    std::filesystem::create_directories(dir.path);
    auto id = journal::load_or_create_identity(dir.path).value();
    auto ref = make_reference(terminal_tag(id.terminal_id), 1);
    {
        // A version 7 database (before sealing) with a plain value and a plain reason, written as that version did.
        auto db = db::Db::open(journal::database_file(dir.path)).value();
        REQUIRE(db.define_capability(kServicesCapability).ok());
        REQUIRE(migrate(db, 7).value() == 7);
        auto vault = PiiVault::load_or_create(dir.path).value();
        auto st = db.prepare("INSERT INTO applications (id, reference, service_code, centre, status, channel, fee_json, fee_total, "
                             "paid_total, values_json, pii, nid_hash, submitted_at, catalogue_version) VALUES "
                             "(1, ?1, 'commerce.trade_name', 'DAM-01', 'submitted', 'kiosk', '{\"total\":0}', 0, 0, "
                             "'{\"trade_name\":\"حلويات الشام القديمة\"}', ?2, NULL, '2026-10-01T08:00:00.000Z', 1)").value();
        st.bind(1, ref).bind_blob(2, vault.seal(R"({"full_name":"نور الشامي"})", ref));
        REQUIRE(st.run().ok());
        REQUIRE(db.exec("INSERT INTO surveys (application_id, rating, reason, time) VALUES "
                        "(1, 3, 'اسمي ريم والانتظار طويل', '2026-10-01T08:05:00.000Z')").ok());
        // Sealing is the only change a survey row accepts; nothing else, not even on the services' connection.
        CHECK_FALSE(db.exec("UPDATE surveys SET rating = 5").ok());
    }
    {
        auto t = test::open_terminal(dir.path);
        CHECK(schema_version(t->database()).value() == kSchemaVersion);
        auto app = t->application(ref).value();
        CHECK(app.values.at("trade_name") == "حلويات الشام القديمة");
        CHECK(app.values.at("full_name") == "نور الشامي");
        CHECK(t->survey_reason(1).value() == "اسمي ريم والانتظار طويل");
        CHECK(t->database().scalar_int64("SELECT COUNT(*) FROM applications WHERE values_json <> '{}'").value() == 0);
        CHECK_FALSE(t->database().exec("UPDATE surveys SET reason = 'x'").ok());
    }
    auto raw = raw_database(dir.path);
    CHECK(raw.find("حلويات الشام") == std::string::npos);
    CHECK(raw.find("والانتظار طويل") == std::string::npos);
}
