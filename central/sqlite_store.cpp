// The SQLite central store: one connection (db::Db, the storage floor shared with the terminal) guarded by a
// mutex, WAL, synchronous=FULL, one transaction per batch, prepared statements kept for the hot ingest path.

#include "central/sqlite_state.h"
#include "central/store.h"

#include "db/sqlite.h"

#include "base/clock.h"
#include "base/fs.h"

#include <mutex>

namespace nafitha::central {

namespace {

using db::Db;
using Stmt = db::Statement;

const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS enrollment_codes(
  code_hash TEXT PRIMARY KEY, centre TEXT NOT NULL, name TEXT NOT NULL,
  created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, used_by TEXT, used_ms INTEGER);
CREATE TABLE IF NOT EXISTS terminals(
  id TEXT PRIMARY KEY, centre TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, public_key TEXT NOT NULL,
  last_seq INTEGER NOT NULL DEFAULT 0, last_hash TEXT NOT NULL, entries INTEGER NOT NULL DEFAULT 0,
  enrolled_ms INTEGER NOT NULL, last_ingest_ms INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS entries(
  terminal_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, time TEXT NOT NULL,
  payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, signature TEXT NOT NULL,
  received_ms INTEGER NOT NULL, PRIMARY KEY(terminal_id, seq)) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
  BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
  BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TABLE IF NOT EXISTS fork_alarms(
  id INTEGER PRIMARY KEY, terminal_id TEXT NOT NULL, seq INTEGER NOT NULL, stored_hash TEXT NOT NULL,
  offered_hash TEXT NOT NULL, time_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS applications(
  terminal_id TEXT NOT NULL, reference TEXT NOT NULL, centre TEXT, service_code TEXT, status TEXT NOT NULL,
  fee_minor INTEGER, submitted_at TEXT, updated_at TEXT, PRIMARY KEY(terminal_id, reference));
CREATE INDEX IF NOT EXISTS applications_by_reference ON applications(reference);
CREATE TABLE IF NOT EXISTS payments(
  terminal_id TEXT NOT NULL, seq INTEGER NOT NULL, reference TEXT, amount_minor INTEGER, method TEXT, time TEXT,
  PRIMARY KEY(terminal_id, seq));
CREATE TABLE IF NOT EXISTS tickets(
  terminal_id TEXT NOT NULL, ticket TEXT NOT NULL, centre TEXT, category TEXT, status TEXT NOT NULL,
  issued_at TEXT, called_at TEXT, served_at TEXT, PRIMARY KEY(terminal_id, ticket));
CREATE TABLE IF NOT EXISTS surveys(
  terminal_id TEXT NOT NULL, seq INTEGER NOT NULL, reference TEXT, rating INTEGER, time TEXT,
  PRIMARY KEY(terminal_id, seq));
CREATE TABLE IF NOT EXISTS catalogues(version INTEGER PRIMARY KEY, document TEXT NOT NULL, imported_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS decisions(
  cursor INTEGER PRIMARY KEY AUTOINCREMENT, reference TEXT NOT NULL, terminal_id TEXT NOT NULL, status TEXT NOT NULL,
  note TEXT NOT NULL, decided_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_by_terminal ON decisions(terminal_id, cursor);
)SQL";

Error refuse(IngestRefusal& refusal, const char* code, std::string detail, int64_t seq)
{
    refusal.error = Error::make(code, std::move(detail));
    refusal.seq = seq;
    return refusal.error;
}

// The first string field among `keys` in the payload; empty when none.
std::string pick_string(const nlohmann::json& p, std::initializer_list<const char*> keys)
{
    for (auto k : keys) {
        auto it = p.find(k);
        if (it != p.end()) {
            if (it->is_string())
                return it->get<std::string>();
            if (it->is_number_integer())
                return std::to_string(it->get<int64_t>());
        }
    }
    return {};
}

std::optional<int64_t> pick_int(const nlohmann::json& p, std::initializer_list<const char*> keys)
{
    for (auto k : keys) {
        auto it = p.find(k);
        if (it != p.end() && it->is_number_integer())
            return it->get<int64_t>();
    }
    return std::nullopt;
}

class SqliteStore final : public Store {
public:
    explicit SqliteStore(Db db) : m_db(std::move(db)) {}

    Result<void> init()
    {
        TRY(m_db.exec(kSchema));
        m_select_terminal = TRY(m_db.prepare(
            "SELECT id, centre, name, status, public_key, last_seq, last_hash, entries, enrolled_ms, last_ingest_ms "
            "FROM terminals WHERE id = ?"));
        m_insert_entry = TRY(m_db.prepare(
            "INSERT INTO entries(terminal_id, seq, id, type, time, payload, prev_hash, hash, signature, received_ms) "
            "VALUES(?,?,?,?,?,?,?,?,?,?)"));
        m_select_hash = TRY(m_db.prepare("SELECT hash FROM entries WHERE terminal_id = ? AND seq = ?"));
        m_update_terminal = TRY(m_db.prepare(
            "UPDATE terminals SET last_seq = ?, last_hash = ?, entries = entries + ?, last_ingest_ms = ? WHERE id = ?"));
        m_touch_terminal = TRY(m_db.prepare("UPDATE terminals SET last_ingest_ms = ? WHERE id = ?"));
        m_insert_application = TRY(m_db.prepare(
            "INSERT OR IGNORE INTO applications(reference, terminal_id, centre, service_code, status, fee_minor, "
            "submitted_at, updated_at) VALUES(?,?,?,?,'submitted',?,?,?)"));
        m_update_application = TRY(m_db.prepare(
            "UPDATE applications SET status = ?, updated_at = ? WHERE terminal_id = ? AND reference = ?"));
        m_insert_payment = TRY(m_db.prepare(
            "INSERT OR IGNORE INTO payments(terminal_id, seq, reference, amount_minor, method, time) VALUES(?,?,?,?,?,?)"));
        m_insert_ticket = TRY(m_db.prepare(
            "INSERT OR IGNORE INTO tickets(terminal_id, ticket, centre, category, status, issued_at) "
            "VALUES(?,?,?,?,'issued',?)"));
        m_update_ticket_called = TRY(m_db.prepare(
            "UPDATE tickets SET status = 'called', called_at = COALESCE(called_at, ?) WHERE terminal_id = ? AND ticket = ?"));
        m_update_ticket_done = TRY(m_db.prepare(
            "UPDATE tickets SET status = ?, served_at = ? WHERE terminal_id = ? AND ticket = ?"));
        m_insert_survey = TRY(m_db.prepare(
            "INSERT OR IGNORE INTO surveys(terminal_id, seq, reference, rating, time) VALUES(?,?,?,?,?)"));
        return {};
    }

    Result<void> add_enrollment_code(const EnrollmentCode& c) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare(
            "INSERT INTO enrollment_codes(code_hash, centre, name, created_ms, expires_ms) VALUES(?,?,?,?,?)"));
        st.bind(1, c.code_hash).bind(2, c.centre).bind(3, c.name).bind(4, c.created_ms).bind(5, c.expires_ms);
        return st.run();
    }

    Result<TerminalRecord> enroll(const std::string& code_hash, const std::string& terminal_id,
                                  const std::string& public_key, int64_t now_ms) override
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto code = TRY(m_db.prepare(
            "SELECT centre, name, expires_ms, used_by FROM enrollment_codes WHERE code_hash = ?"));
        code.bind(1, code_hash);
        if (!TRY(code.step()))
            return Error::make("error.central.enroll_code", "unknown enrollment code");
        std::string centre = code.text(0), name = code.text(1);
        int64_t expires = code.int64(2);
        bool used = !code.is_null(3);
        if (used)
            return Error::make("error.central.enroll_code", "enrollment code already used");
        if (now_ms > expires)
            return Error::make("error.central.enroll_code", "enrollment code expired");
        auto existing = TRY(find_terminal_locked(terminal_id));
        if (existing) {
            if (existing->status == "revoked")
                return Error::make("error.central.revoked", "terminal " + terminal_id + " is revoked");
            if (existing->public_key != public_key)
                return Error::make("error.central.terminal_conflict", "terminal id is enrolled with another key");
        } else {
            auto ins = TRY(m_db.prepare(
                "INSERT INTO terminals(id, centre, name, status, public_key, last_hash, enrolled_ms) "
                "VALUES(?,?,?,'active',?,?,?)"));
            ins.bind(1, terminal_id).bind(2, centre).bind(3, name).bind(4, public_key).bind(5, protocol::kGenesisHash).bind(6, now_ms);
            TRY(ins.run());
        }
        auto use = TRY(m_db.prepare("UPDATE enrollment_codes SET used_by = ?, used_ms = ? WHERE code_hash = ?"));
        use.bind(1, terminal_id).bind(2, now_ms).bind(3, code_hash);
        TRY(use.run());
        TRY(tx.commit());
        return TRY(find_terminal_locked(terminal_id)).value();
    }

    Result<void> revoke(const std::string& terminal_id) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare("UPDATE terminals SET status = 'revoked' WHERE id = ?"));
        st.bind(1, terminal_id);
        TRY(st.run());
        if (m_db.changes() == 0)
            return Error::make("error.central.unknown_terminal", "no terminal " + terminal_id);
        return {};
    }

    Result<std::optional<TerminalRecord>> find_terminal(const std::string& terminal_id) override
    {
        std::lock_guard lock(m_mutex);
        return find_terminal_locked(terminal_id);
    }

    Result<std::vector<TerminalRecord>> terminals() override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare(
            "SELECT id, centre, name, status, public_key, last_seq, last_hash, entries, enrolled_ms, last_ingest_ms "
            "FROM terminals ORDER BY id"));
        std::vector<TerminalRecord> out;
        while (TRY(st.step()))
            out.push_back(read_terminal(st));
        return out;
    }

    Result<IngestOutcome> ingest(const std::string& terminal_id, const std::vector<protocol::Entry>& entries,
                                 int64_t now_ms, IngestRefusal& refusal) override
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto found = TRY(find_terminal_locked(terminal_id));
        if (!found)
            return Error::make("error.central.unknown_terminal", "no terminal " + terminal_id);
        TerminalRecord t = *found;
        if (t.status != "active")
            return Error::make("error.central.revoked", "terminal " + terminal_id + " is revoked");
        if (entries.empty())
            return IngestOutcome{t.last_seq, 0};
        if (entries.front().seq > t.last_seq + 1)
            return refuse(refusal, "error.central.gap",
                          "batch starts at " + std::to_string(entries.front().seq) + ", expected " + std::to_string(t.last_seq + 1),
                          t.last_seq + 1);
        // Entries central already holds must be exactly the stored ones.
        size_t i = 0;
        for (; i < entries.size() && entries[i].seq <= t.last_seq; ++i) {
            m_select_hash.bind(1, terminal_id).bind(2, entries[i].seq);
            bool row = TRY(m_select_hash.step());
            std::string stored = row ? m_select_hash.text(0) : std::string();
            m_select_hash.reset();
            if (stored != entries[i].hash) {
                refusal.stored_hash = stored;
                refusal.offered_hash = entries[i].hash;
                return refuse(refusal, "error.central.fork",
                              "a different entry is stored under seq " + std::to_string(entries[i].seq), entries[i].seq);
            }
        }
        if (i == entries.size()) {
            m_touch_terminal.bind(1, now_ms).bind(2, terminal_id);
            TRY(m_touch_terminal.run());
            TRY(tx.commit());
            return IngestOutcome{t.last_seq, 0};
        }
        if (entries[i].prev_hash != t.last_hash)
            return refuse(refusal, "error.central.chain",
                          "entry " + std::to_string(entries[i].seq) + " does not chain to the stored entry", entries[i].seq);
        int64_t stored = 0;
        for (; i < entries.size(); ++i) {
            const auto& e = entries[i];
            std::string payload = e.payload.dump();
            m_insert_entry.bind(1, terminal_id).bind(2, e.seq).bind(3, e.id).bind(4, e.type).bind(5, e.time)
                .bind(6, payload).bind(7, e.prev_hash).bind(8, e.hash).bind(9, e.signature).bind(10, now_ms);
            TRY(m_insert_entry.run());
            TRY(project(t, e));
            ++stored;
        }
        const auto& last = entries.back();
        m_update_terminal.bind(1, last.seq).bind(2, last.hash).bind(3, stored).bind(4, now_ms).bind(5, terminal_id);
        TRY(m_update_terminal.run());
        TRY(tx.commit());
        return IngestOutcome{last.seq, stored};
    }

    Result<void> record_fork_alarm(const std::string& terminal_id, int64_t seq, const std::string& stored_hash,
                                   const std::string& offered_hash, int64_t now_ms) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare(
            "INSERT INTO fork_alarms(terminal_id, seq, stored_hash, offered_hash, time_ms) VALUES(?,?,?,?,?)"));
        st.bind(1, terminal_id).bind(2, seq).bind(3, stored_hash).bind(4, offered_hash).bind(5, now_ms);
        return st.run();
    }

    Result<std::vector<StoredEntry>> entries(const std::string& terminal_id) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare("SELECT seq, hash FROM entries WHERE terminal_id = ? ORDER BY seq"));
        st.bind(1, terminal_id);
        std::vector<StoredEntry> out;
        while (TRY(st.step()))
            out.push_back({st.int64(0), st.text(1)});
        return out;
    }

    Result<int64_t> import_catalogue(const nlohmann::json& document, int64_t now_ms) override
    {
        if (!document.is_object())
            return Error::make("error.central.catalogue_invalid", "the catalogue is not a JSON object");
        auto v = document.find("version");
        if (v == document.end() || !v->is_number_integer() || v->get<int64_t>() < 1)
            return Error::make("error.central.catalogue_invalid", "the catalogue has no positive integer 'version'");
        int64_t version = v->get<int64_t>();
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto cur = TRY(m_db.prepare("SELECT COALESCE(MAX(version), 0) FROM catalogues"));
        TRY(cur.step());
        if (version <= cur.int64(0))
            return Error::make("error.central.catalogue_old",
                               "version " + std::to_string(version) + " is not newer than " + std::to_string(cur.int64(0)));
        auto ins = TRY(m_db.prepare("INSERT INTO catalogues(version, document, imported_ms) VALUES(?,?,?)"));
        ins.bind(1, version).bind(2, document.dump()).bind(3, now_ms);
        TRY(ins.run());
        TRY(tx.commit());
        return version;
    }

    Result<std::optional<CatalogueRecord>> latest_catalogue() override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare("SELECT version, document FROM catalogues ORDER BY version DESC LIMIT 1"));
        if (!TRY(st.step()))
            return std::optional<CatalogueRecord>();
        return std::optional<CatalogueRecord>(CatalogueRecord{st.int64(0), st.text(1)});
    }

    Result<int64_t> add_decision(const std::string& reference, const std::string& status, const std::string& note,
                                 int64_t now_ms, const std::string& terminal_id) override
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto app = TRY(m_db.prepare(
            "SELECT terminal_id FROM applications WHERE reference = ? AND (? = '' OR terminal_id = ?) LIMIT 2"));
        app.bind(1, reference).bind(2, terminal_id).bind(3, terminal_id);
        if (!TRY(app.step()))
            return Error::make("error.central.unknown_application", "no application " + reference);
        std::string terminal = app.text(0);
        if (TRY(app.step()))
            return Error::make("error.central.ambiguous_application",
                               "several terminals have an application " + reference + ": name the terminal");
        std::string at = clock::iso8601_utc(now_ms);
        auto ins = TRY(m_db.prepare(
            "INSERT INTO decisions(reference, terminal_id, status, note, decided_at) VALUES(?,?,?,?,?)"));
        ins.bind(1, reference).bind(2, terminal).bind(3, status).bind(4, note).bind(5, at);
        TRY(ins.run());
        int64_t cursor = m_db.last_insert_rowid();
        m_update_application.bind(1, status).bind(2, at).bind(3, terminal).bind(4, reference);
        TRY(m_update_application.run());
        TRY(tx.commit());
        return cursor;
    }

    Result<std::vector<protocol::Decision>> decisions_after(const std::string& terminal_id, int64_t cursor,
                                                            size_t max_count) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare(
            "SELECT cursor, reference, status, note, decided_at FROM decisions WHERE terminal_id = ? AND cursor > ? "
            "ORDER BY cursor LIMIT ?"));
        st.bind(1, terminal_id).bind(2, cursor).bind(3, static_cast<int64_t>(max_count));
        std::vector<protocol::Decision> out;
        while (TRY(st.step()))
            out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4)});
        return out;
    }

    Result<Counts> counts() override
    {
        std::lock_guard lock(m_mutex);
        Counts c;
        auto one = [&](const char* sql, int64_t& out) -> Result<void> {
            auto st = TRY(m_db.prepare(sql));
            TRY(st.step());
            out = st.int64(0);
            return {};
        };
        TRY(one("SELECT COALESCE(SUM(entries), 0) FROM terminals", c.entries));
        TRY(one("SELECT COUNT(*) FROM fork_alarms", c.fork_alarms));
        TRY(one("SELECT COUNT(*) FROM applications", c.applications));
        TRY(one("SELECT COUNT(*) FROM payments", c.payments));
        TRY(one("SELECT COUNT(*) FROM tickets", c.tickets));
        TRY(one("SELECT COUNT(*) FROM surveys", c.surveys));
        return c;
    }

private:
    static TerminalRecord read_terminal(const Stmt& st)
    {
        TerminalRecord t;
        t.id = st.text(0);
        t.centre = st.text(1);
        t.name = st.text(2);
        t.status = st.text(3);
        t.public_key = st.text(4);
        t.last_seq = st.int64(5);
        t.last_hash = st.text(6);
        t.entries = st.int64(7);
        t.enrolled_ms = st.int64(8);
        t.last_ingest_ms = st.int64(9);
        return t;
    }

    Result<std::optional<TerminalRecord>> find_terminal_locked(const std::string& terminal_id)
    {
        m_select_terminal.bind(1, terminal_id);
        bool row = TRY(m_select_terminal.step());
        std::optional<TerminalRecord> out;
        if (row)
            out = read_terminal(m_select_terminal);
        m_select_terminal.reset();
        return out;
    }

    // Projects one entry into the indicator tables. Unknown types are stored only; missing fields stay NULL.
    Result<void> project(const TerminalRecord& t, const protocol::Entry& e)
    {
        const auto& p = e.payload;
        const std::string& type = e.type;
        std::string centre = pick_string(p, {"centre", "center"});
        if (centre.empty())
            centre = t.centre;
        if (type == "application.submitted") {
            std::string ref = pick_string(p, {"reference"});
            if (ref.empty())
                return {};
            auto fee = pick_int(p, {"fee_minor", "fee", "amount_minor"});
            m_insert_application.bind(1, ref).bind(2, t.id).bind(3, centre).bind(4, pick_string(p, {"service_code", "service"}));
            if (fee)
                m_insert_application.bind(5, *fee);
            else
                m_insert_application.bind_null(5);
            m_insert_application.bind(6, e.time).bind(7, e.time);
            return m_insert_application.run();
        }
        if (type == "application.status_changed") {
            std::string ref = pick_string(p, {"reference"});
            std::string status = pick_string(p, {"status", "new_status", "to"});
            if (ref.empty() || status.empty())
                return {};
            m_update_application.bind(1, status).bind(2, e.time).bind(3, t.id).bind(4, ref);
            return m_update_application.run();
        }
        if (type == "payment.recorded") {
            m_insert_payment.bind(1, t.id).bind(2, e.seq).bind(3, pick_string(p, {"reference"}));
            if (auto amount = pick_int(p, {"amount_minor", "amount", "paid_minor"}))
                m_insert_payment.bind(4, *amount);
            else
                m_insert_payment.bind_null(4);
            m_insert_payment.bind(5, pick_string(p, {"method"})).bind(6, e.time);
            return m_insert_payment.run();
        }
        if (type.rfind("ticket.", 0) == 0) {
            std::string ticket = pick_string(p, {"ticket", "ticket_id", "number", "reference"});
            if (ticket.empty())
                return {};
            if (type == "ticket.issued") {
                m_insert_ticket.bind(1, t.id).bind(2, ticket).bind(3, centre).bind(4, pick_string(p, {"category", "service_code"}))
                    .bind(5, e.time);
                return m_insert_ticket.run();
            }
            if (type == "ticket.called" || type == "ticket.recalled") {
                m_update_ticket_called.bind(1, e.time).bind(2, t.id).bind(3, ticket);
                return m_update_ticket_called.run();
            }
            std::string status = type.substr(7);
            m_update_ticket_done.bind(1, status).bind(2, e.time).bind(3, t.id).bind(4, ticket);
            return m_update_ticket_done.run();
        }
        if (type == "survey.recorded") {
            m_insert_survey.bind(1, t.id).bind(2, e.seq).bind(3, pick_string(p, {"reference"}));
            if (auto rating = pick_int(p, {"rating"}))
                m_insert_survey.bind(4, *rating);
            else
                m_insert_survey.bind_null(4);
            m_insert_survey.bind(5, e.time);
            return m_insert_survey.run();
        }
        return {};
    }

    // State shared with other instances (central/front): DIR/central-state.db, see sqlite_state.h.
public:
    Result<bool> use_nonce(const std::string& terminal_id, const std::string& nonce, int64_t expires_ms,
                           int64_t now_ms) override
    {
        return m_state->use_nonce(terminal_id, nonce, expires_ms, now_ms);
    }
    Result<RateWindow> count_in_window(const std::string& key, int64_t window_ms, int64_t now_ms) override
    {
        return m_state->count_in_window(key, window_ms, now_ms);
    }
    Result<void> add_counters(const std::vector<std::pair<std::string, int64_t>>& deltas) override
    {
        return m_state->add_counters(deltas);
    }
    Result<std::vector<std::pair<std::string, int64_t>>> counters() override { return m_state->counters(); }
    Result<void> probe_write(const std::string& instance, int64_t now_ms) override
    {
        return m_state->probe_write(instance, now_ms);
    }
    Result<void> expire_state(int64_t now_ms) override { return m_state->expire_state(now_ms); }
    std::unique_ptr<SqliteSharedState> m_state;

private:
    std::mutex m_mutex;
    Db m_db;
    Stmt m_select_terminal, m_insert_entry, m_select_hash, m_update_terminal, m_touch_terminal;
    Stmt m_insert_application, m_update_application, m_insert_payment, m_insert_ticket, m_update_ticket_called,
        m_update_ticket_done, m_insert_survey;
};

} // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir)
{
    TRY(fs::ensure_dir(data_dir, 0700));
    auto db = TRY(Db::open(data_dir / "central.db", db::OpenMode::ReadWriteCreate, 10000));
    auto store = std::make_unique<SqliteStore>(std::move(db));
    TRY(store->init());
    store->m_state = TRY(SqliteSharedState::open(data_dir));
    return std::unique_ptr<Store>(std::move(store));
}

} // namespace nafitha::central
