// Terminal: opening a data folder, the catalogue, and the journal status. The other services live in
// applications.cpp, payments.cpp, queue.cpp, surveys.cpp and staff.cpp.

#include "kiosk/services/terminal.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/paths.h"
#include "kiosk/services/pii.h"
#include "kiosk/services/reference.h"
#include "kiosk/services/schema.h"
#include "sync/journal/journal.h"
#include "sync/protocol/canonical.h"

#include <sys/statvfs.h>
#include <unistd.h>

namespace nafitha::services {

inline constexpr size_t kMaxCatalogueBytes = 4 * 1024 * 1024;

Terminal::Terminal(TerminalOptions options, journal::Identity identity, db::Db db, std::unique_ptr<PiiVault> vault)
    : m_options(std::move(options)), m_identity(std::move(identity)), m_db(std::move(db)), m_vault(std::move(vault)),
      m_tag(terminal_tag(m_identity.terminal_id))
{
}

Terminal::~Terminal() = default;

Result<std::unique_ptr<Terminal>> Terminal::open(TerminalOptions options)
{
    if (options.data_dir.empty())
        return Error::make("error.terminal.no_data_dir", "no data folder given");
    if (options.centre.empty() || options.centre.size() > 32)
        return Error::make("error.terminal.bad_centre", "centre code missing or too long");
    auto identity = TRY(journal::load_or_create_identity(options.data_dir));
    auto vault = std::make_unique<PiiVault>(TRY(PiiVault::load_or_create(options.data_dir)));
    // Made 0600 before SQLite opens it (SQLite gives its -wal and -shm files the database file's mode).
    TRY(fs::create_file_once(journal::database_file(options.data_dir), "", 0600));
    auto db = TRY(db::Db::open(journal::database_file(options.data_dir)));
    // This connection is the services' own: the business tables take writes from it only (schema.cpp, migration 7).
    TRY(db.define_capability(kServicesCapability));
    if (options.max_db_pages > 0)
        TRY(db.exec("PRAGMA max_page_count = " + std::to_string(options.max_db_pages)));
    TRY(migrate(db));
    std::unique_ptr<Terminal> t(new Terminal(std::move(options), std::move(identity), std::move(db), std::move(vault)));
    std::lock_guard lock(t->m_mutex);
    TRY(t->load_catalogue_locked());

    auto seed_file = t->m_options.seed_catalogue.empty() ? paths::assets_dir() / "catalogue" / "seed.json"
                                                         : t->m_options.seed_catalogue;
    std::error_code ec;
    if (std::filesystem::exists(seed_file, ec)) {
        auto text = TRY(fs::read_file(seed_file, kMaxCatalogueBytes));
        auto doc = nlohmann::json::parse(text, nullptr, false);
        if (doc.is_discarded())
            return Error::make("error.catalogue.invalid", seed_file.string() + " is not JSON");
        TRY(t->install_catalogue_locked(doc, "seed"));
    } else if (!t->m_catalogue) {
        return Error::make("error.catalogue.missing", "no catalogue installed and no seed at " + seed_file.string());
    }
    TRY(t->seal_plain_personal_data_locked());
    TRY(t->build_search_index_locked());
    return t;
}

Result<void> Terminal::seal_plain_personal_data_locked()
{
    if (TRY(m_db.scalar_int64("SELECT EXISTS (SELECT 1 FROM applications WHERE values_json <> '{}') "
                              "OR EXISTS (SELECT 1 FROM surveys WHERE typeof(reason) = 'text' AND reason <> '')")) == 0)
        return {};
    // The plain bytes replaced are zeroed in the file, not left in the pages' free space.
    TRY(m_db.exec("PRAGMA secure_delete = ON"));
    auto tx = TRY(db::Transaction::begin(m_db));
    {
        auto st = TRY(m_db.prepare("SELECT id, reference, values_json, pii FROM applications WHERE values_json <> '{}'"));
        auto upd = TRY(m_db.prepare("UPDATE applications SET values_json = '{}', pii = ?1 WHERE id = ?2"));
        while (TRY(st.step())) {
            auto reference = st.text(1);
            auto all = nlohmann::json::parse(st.text(2), nullptr, false);
            if (!all.is_object())
                all = nlohmann::json::object();
            if (!st.is_null(3)) {
                auto personal = nlohmann::json::parse(TRY(m_vault->open(st.blob(3), reference)), nullptr, false);
                if (personal.is_object())
                    all.update(personal);
            }
            upd.bind_blob(1, m_vault->seal(all.dump(), reference)).bind(2, st.int64(0));
            TRY(upd.run());
            upd.reset();
        }
    }
    {
        auto st = TRY(m_db.prepare("SELECT id, reason FROM surveys WHERE typeof(reason) = 'text' AND reason <> ''"));
        auto upd = TRY(m_db.prepare("UPDATE surveys SET reason = ?1 WHERE id = ?2"));
        while (TRY(st.step())) {
            int64_t id = st.int64(0);
            upd.bind_blob(1, m_vault->seal(st.text(1), survey_context(id))).bind(2, id);
            TRY(upd.run());
            upd.reset();
        }
    }
    TRY(tx.commit());
    return m_db.exec("PRAGMA secure_delete = OFF");
}

void Terminal::set_centre(std::string centre)
{
    std::lock_guard lock(m_mutex);
    if (centre.empty() || centre == m_options.centre)
        return;
    log::info("services", "this terminal now stands in centre " + centre + " (was " + m_options.centre + ")");
    m_options.centre = std::move(centre);
}

int64_t Terminal::now_ms() const { return m_options.now_ms ? m_options.now_ms() : clock::record_ms(); }
std::string Terminal::now_iso() const { return clock::iso8601_utc(now_ms()); }
const locale::Zone& Terminal::zone() const
{
    std::lock_guard lock(m_mutex);
    std::string_view name = m_catalogue ? std::string_view(m_catalogue->time_zone_at(m_options.centre)) : locale::kDefaultTimeZone;
    if (!m_zone || m_zone_for != name) {
        auto z = locale::Zone::create(name);
        if (!z.ok()) {
            // A catalogue naming a zone tzdata does not know: the default zone, said once in the log.
            log::warn("services", "time zone '" + std::string(name) + "' unknown; days follow " + std::string(locale::kDefaultTimeZone));
            z = locale::Zone::create(locale::kDefaultTimeZone);
        }
        m_zone = z.release_value();
        m_zone_for = std::string(name);
    }
    return *m_zone;
}

std::string Terminal::day_of(int64_t unix_ms) const
{
    std::lock_guard lock(m_mutex);
    return zone().date_of(unix_ms).iso();
}
std::string Terminal::today() const { return day_of(now_ms()); }

std::pair<std::string, std::string> Terminal::day_span(std::string_view day) const
{
    auto d = locale::parse_iso_date(day);
    if (!d.ok())
        return {std::string(day), std::string(day)}; // an empty span
    std::lock_guard lock(m_mutex);
    const auto& z = zone();
    return {clock::iso8601_utc(z.start_of(*d)), clock::iso8601_utc(z.start_of(locale::Zone::add_days(*d, 1)))};
}

std::shared_ptr<const Catalogue> Terminal::catalogue() const
{
    std::lock_guard lock(m_mutex);
    return m_catalogue;
}

Result<void> Terminal::load_catalogue_locked()
{
    auto st = TRY(m_db.prepare("SELECT document, expires_ms FROM catalogue_versions ORDER BY version DESC LIMIT 1"));
    if (!TRY(st.step()))
        return {};
    auto doc = nlohmann::json::parse(st.text(0), nullptr, false);
    if (doc.is_discarded())
        return Error::make("error.catalogue.invalid", "the installed catalogue is not JSON");
    m_catalogue = std::make_shared<const Catalogue>(TRY(parse_catalogue(doc)));
    m_catalogue_expires_ms = st.int64(1);
    return {};
}

Result<void> Terminal::install_catalogue(const nlohmann::json& document)
{
    std::lock_guard lock(m_mutex);
    return install_catalogue_locked(document, "central");
}

Result<void> Terminal::install_central_catalogue(const nlohmann::json& document, const protocol::Signed& statement)
{
    std::lock_guard lock(m_mutex);
    return install_catalogue_locked(document, "central", &statement);
}

int64_t Terminal::catalogue_expires_ms() const
{
    std::lock_guard lock(m_mutex);
    return m_catalogue_expires_ms;
}

Result<void> Terminal::install_catalogue_locked(const nlohmann::json& document, std::string_view source,
                                                const protocol::Signed* statement)
{
    auto parsed = TRY(parse_catalogue(document));
    protocol::CatalogueStatement signed_facts;
    if (statement) {
        signed_facts = TRY(protocol::catalogue_statement(statement->statement));
        if (signed_facts.version != parsed.version)
            return Error::make("error.catalogue.invalid", "the signed version is not the document's");
        // The seed shipped with the terminal may carry the very version central publishes first (a fresh terminal
        // whose central imported the same seed): the same document under the same version is already installed.
        if (m_catalogue && parsed.version == m_catalogue->version) {
            auto text = protocol::canonical_json(document);
            auto row = TRY(m_db.prepare("SELECT document FROM catalogue_versions WHERE version = ?1 AND source = 'seed'"));
            row.bind(1, parsed.version);
            if (text.ok() && TRY(row.step()) && row.text(0) == *text)
                return {};
        }
        // No rollback from central: an older or equal version is refused, not ignored.
        if (m_catalogue && parsed.version <= m_catalogue->version)
            return Error::make("error.catalogue.rollback", "catalogue version " + std::to_string(parsed.version) + " is not newer than "
                                                               + std::to_string(m_catalogue->version));
    }
    if (m_catalogue && parsed.version <= m_catalogue->version)
        return {};
    auto text = protocol::canonical_json(document);
    if (!text.ok())
        return Error::make("error.catalogue.invalid", text.error().detail);
    if (text->size() > kMaxCatalogueBytes)
        return Error::make("error.catalogue.invalid", "catalogue larger than 4 MiB");
    auto tx = TRY(db::Transaction::begin(m_db));
    // Another process on the same database may have installed it meanwhile: check again under the write lock.
    if (TRY(m_db.scalar_int64("SELECT COALESCE(MAX(version), 0) FROM catalogue_versions", 0)) >= parsed.version) {
        TRY(journal::commit(m_db, m_identity, tx));
        return load_catalogue_locked();
    }
    std::string statement_text = statement ? TRY(protocol::canonical_json(statement->statement)) : std::string();
    auto st = TRY(m_db.prepare("INSERT OR IGNORE INTO catalogue_versions (version, document, installed_at, source, statement, "
                               "signature, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    st.bind(1, parsed.version).bind(2, *text).bind(3, now_iso()).bind(4, source).bind(5, statement_text)
        .bind(6, statement ? statement->signature : std::string()).bind(7, signed_facts.expires_ms);
    TRY(st.run());
    nlohmann::json entry = {{"version", parsed.version},
                            {"services", static_cast<int64_t>(parsed.services.size())},
                            {"source", std::string(source)},
                            {"centre", m_options.centre}};
    if (statement) {
        entry["sha256"] = signed_facts.sha256;
        entry["expires_ms"] = signed_facts.expires_ms;
    }
    TRY(journal::append(m_db, m_identity, "catalogue.installed", std::move(entry)));
    TRY(journal::commit(m_db, m_identity, tx));
    log::info("services", "catalogue version " + std::to_string(parsed.version) + " installed from " + std::string(source));
    m_catalogue = std::make_shared<const Catalogue>(std::move(parsed));
    m_catalogue_expires_ms = signed_facts.expires_ms;
    return {};
}

Result<void> Terminal::install_policy(const protocol::Signed& policy)
{
    auto p = TRY(protocol::policy_statement(policy.statement));
    auto statement = TRY(protocol::canonical_json(policy.statement));
    std::lock_guard lock(m_mutex);
    auto tx = TRY(db::Transaction::begin(m_db));
    int64_t installed = TRY(m_db.scalar_int64("SELECT COALESCE(MAX(version), 0) FROM policies", 0));
    if (p.version <= installed)
        return Error::make("error.policy.rollback",
                           "policy version " + std::to_string(p.version) + " is not newer than " + std::to_string(installed));
    auto st = TRY(m_db.prepare("INSERT INTO policies (version, issued_ms, warn_after_days, stop_payments_after_days, statement, "
                               "signature, installed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    st.bind(1, p.version).bind(2, p.issued_ms).bind(3, p.warn_after_days).bind(4, p.stop_payments_after_days).bind(5, statement)
        .bind(6, policy.signature).bind(7, now_iso());
    TRY(st.run());
    TRY(journal::append(m_db, m_identity, "policy.installed",
                        {{"version", p.version},
                         {"warn_after_days", p.warn_after_days},
                         {"stop_payments_after_days", p.stop_payments_after_days},
                         {"centre", m_options.centre}}));
    TRY(journal::commit(m_db, m_identity, tx));
    log::info("services", "policy version " + std::to_string(p.version) + " installed");
    return {};
}

Result<PolicyState> Terminal::policy_state(std::optional<int64_t> now) const
{
    std::lock_guard lock(m_mutex);
    PolicyState s;
    auto st = TRY(m_db.cached("SELECT version, warn_after_days, stop_payments_after_days FROM policies ORDER BY version DESC LIMIT 1"));
    if (TRY(st.step())) {
        s.has_policy = true;
        s.version = st.int64(0);
        s.warn_after_days = st.int64(1);
        s.stop_payments_after_days = st.int64(2);
    }
    if (auto kept = TRY(journal::kept_ack(m_db)))
        s.last_sync_ms = kept->ack.time_ms;
    evaluate_policy(s, now.value_or(now_ms()));
    return s;
}

Assessment Terminal::assess(std::string_view service_code, const FormValues& values, std::string_view exemption) const
{
    auto cat = catalogue();
    auto a = services::assess(*cat, m_options.centre, service_code, values, exemption);
    a.service = nullptr; // the snapshot is not kept alive past this call
    return a;
}

Result<JournalStatus> Terminal::journal_status() const
{
    std::lock_guard lock(m_mutex);
    JournalStatus s;
    s.last_seq = TRY(journal::last_seq(m_db));
    s.acked_seq = TRY(journal::acked_seq(m_db));
    s.pending = s.last_seq - s.acked_seq;
    return s;
}

bool Terminal::storage_writable() const
{
    auto file = journal::database_file(m_options.data_dir);
    if (::access(file.c_str(), W_OK) != 0 || ::access(m_options.data_dir.c_str(), W_OK) != 0)
        return false;
    // Taking the write lock proves the database can be written (a read-only or failing file system refuses
    // it), without changing anything.
    {
        std::lock_guard lock(m_mutex);
        if (!m_db.exec("BEGIN IMMEDIATE").ok())
            return false;
        if (!m_db.exec("ROLLBACK").ok())
            return false;
    }
    struct statvfs vfs {};
    if (::statvfs(m_options.data_dir.c_str(), &vfs) == 0) {
        uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
        if (free_bytes < 16u * 1024 * 1024)
            return false;
    }
    return true;
}

} // namespace nafitha::services
