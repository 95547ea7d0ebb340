// The SQLite central store: one connection guarded by a mutex, WAL, synchronous=FULL, one transaction per
// batch. The embedded default for one process (installer/dev run); PostgreSQL is the one for many.

#include "central/store/codec.h"
#include "central/store/measures.h"
#include "central/store/sqlite/internal.h"
#include "central/store/sqlite/shared_state.h"
#include "central/store/store.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"

#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace nafitha::central {

namespace sqlite_store {

namespace {

// Rows [0, n) written by one statement of `head` + `row` repeated + `tail`, kRowsPerStatement rows a statement and
// then the rest one by one: a statement step per row cost about as much as the row's own B-tree writes. `row` uses
// anonymous places only (`?`); `bind(st, at, k)` binds row k from place `at`. SQLite applies OR IGNORE and an
// upsert's ON CONFLICT to each row of a multi-row VALUES in order, as it would one statement per row.
constexpr size_t kRowsPerStatement = 64;

template <typename Bind>
Result<void> write_rows(db::Db& db, std::string_view head, std::string_view row, std::string_view tail, size_t n, Bind&& bind)
{
    const int places = static_cast<int>(std::count(row.begin(), row.end(), '?'));
    auto sql = [&](size_t rows) {
        std::string out(head);
        for (size_t r = 0; r < rows; ++r)
            out.append(r ? "," : "").append(row);
        out.append(tail);
        return out;
    };
    size_t k = 0;
    if (n >= kRowsPerStatement) {
        auto many = TRY(db.cached(sql(kRowsPerStatement)));
        for (; n - k >= kRowsPerStatement; k += kRowsPerStatement) {
            for (size_t r = 0; r < kRowsPerStatement; ++r)
                bind(many, static_cast<int>(r) * places + 1, k + r);
            TRY(many.run());
        }
    }
    if (k < n) {
        auto one = TRY(db.cached(sql(1)));
        for (; k < n; ++k) {
            bind(one, 1, k);
            TRY(one.run());
        }
    }
    return {};
}

} // namespace

Result<void> apply_facts(db::Db& db, int64_t t, const BatchFacts& f, int64_t received_ms, int version)
{
    const bool local_days = version >= 8, ticket_days = version >= rollup::kQueueVersion,
               survey_reasons = version >= rollup::kCellsVersion;
    // Each statement is taken from the cache once for all its rows (run() resets it; every row binds every value).
    // A reference submitted again (an earlier batch has it) keeps its row; what this batch did to it still counts.
    if (!f.applications.empty()) {
        // (`local_days`: the store is at version 8 or later; a store opened at an older version has no such column.)
        TRY(write_rows(db, std::string(
            "INSERT INTO applications(terminal, reference, centre, entity, service_code, channel, status, fee_minor, "
            "paid_minor, submitted_ms, updated_ms, category, exemption, waived_minor, staff_id, claimed_centre, decided_ms, ready_ms, "
            "surveys, rating_sum, ratings") + (local_days ? ", local_day" : "") + ") VALUES",
            local_days ? "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            " ON CONFLICT(terminal, reference) DO UPDATE SET "
            "surveys = surveys + excluded.surveys, rating_sum = rating_sum + excluded.rating_sum, ratings = ratings + excluded.ratings, "
            "status = CASE WHEN excluded.status <> 'submitted' THEN excluded.status ELSE status END, "
            "updated_ms = CASE WHEN excluded.status <> 'submitted' THEN excluded.updated_ms ELSE updated_ms END, "
            "paid_minor = paid_minor + excluded.paid_minor, decided_ms = COALESCE(decided_ms, excluded.decided_ms), "
            "ready_ms = COALESCE(ready_ms, excluded.ready_ms)",
            f.applications.size(), [&](db::Statement& st, int at, size_t k) {
                const auto& a = f.applications[k];
                st.bind(at, t).bind(at + 1, a.reference).bind(at + 2, a.centre).bind(at + 3, a.entity).bind(at + 4, a.service_code)
                    .bind(at + 5, a.channel).bind(at + 6, a.status).bind(at + 7, a.fee_minor).bind(at + 8, a.paid_minor)
                    .bind(at + 9, a.submitted_ms).bind(at + 10, a.updated_ms).bind(at + 11, a.category).bind(at + 12, a.exemption)
                    .bind(at + 13, a.waived_minor).bind(at + 14, a.staff_id).bind(at + 15, a.claimed_centre).bind(at + 16, a.decided_ms)
                    .bind(at + 17, a.ready_ms).bind(at + 18, a.surveys).bind(at + 19, a.rating_sum).bind(at + 20, a.ratings);
                if (local_days)
                    st.bind(at + 21, a.local_day);
            }));
    }
    if (!f.statuses.empty()) {
        auto st = TRY(db.cached("UPDATE applications SET status = ?, updated_ms = ?, decided_ms = COALESCE(decided_ms, ?), "
                                "ready_ms = COALESCE(ready_ms, ?) WHERE terminal = ? AND reference = ?"));
        for (const auto& [ref, s] : f.statuses) {
            st.bind(1, s.status).bind(2, s.time_ms).bind(3, s.decided_ms).bind(4, s.ready_ms).bind(5, t).bind(6, ref);
            TRY(st.run());
        }
    }
    if (!f.history.empty()) {
        TRY(write_rows(db, "INSERT OR IGNORE INTO application_history(terminal, reference, seq, status, actor, time_ms, received_ms) VALUES",
                       "(?,?,?,?,?,?,?)", "", f.history.size(), [&](db::Statement& st, int at, size_t k) {
                           const auto& h = f.history[k];
                           st.bind(at, t).bind(at + 1, h.reference).bind(at + 2, h.seq).bind(at + 3, h.status).bind(at + 4, h.actor)
                               .bind(at + 5, h.time_ms).bind(at + 6, received_ms);
                       }));
    }
    if (!f.payments.empty()) {
        // (The 8th place: the application is submitted in this batch, so known without looking it up.)
        TRY(write_rows(db, "INSERT OR IGNORE INTO payments(terminal, seq, reference, centre, method, amount_minor, time_ms, application_known, "
                           "service_code, waived_minor) VALUES",
                       "(?,?,?,?,?,?,?,CASE WHEN ? THEN 1 ELSE EXISTS (SELECT 1 FROM applications WHERE terminal = ? AND reference = ?) END,?,?)", "",
                       f.payments.size(), [&](db::Statement& st, int at, size_t k) {
                           const auto& p = f.payments[k];
                           st.bind(at, t).bind(at + 1, p.seq).bind(at + 2, p.reference).bind(at + 3, p.centre).bind(at + 4, p.method)
                               .bind(at + 5, p.amount_minor).bind(at + 6, p.time_ms).bind(at + 7, int64_t{p.application_in_batch ? 1 : 0})
                               .bind(at + 8, t).bind(at + 9, p.reference).bind(at + 10, p.service_code).bind(at + 11, p.waived_minor);
                       }));
    }
    if (!f.paid.empty()) {
        auto st = TRY(db.cached("UPDATE applications SET paid_minor = paid_minor + ? WHERE terminal = ? AND reference = ?"));
        for (const auto& [ref, amount] : f.paid) {
            st.bind(1, amount).bind(2, t).bind(3, ref);
            TRY(st.run());
        }
    }
    if (!f.tickets.empty()) {
        TRY(write_rows(db, std::string("INSERT INTO tickets(terminal, ticket, centre, category, status, issued_ms, called_ms, served_ms")
                               + (ticket_days ? ", entity, local_day" : "") + ") VALUES",
                       ticket_days ? "(?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?)",
                       " ON CONFLICT(terminal, ticket) DO UPDATE SET status = CASE WHEN excluded.status <> 'issued' THEN excluded.status ELSE status END, "
                       "called_ms = COALESCE(called_ms, excluded.called_ms), served_ms = COALESCE(excluded.served_ms, served_ms)",
                       f.tickets.size(), [&](db::Statement& st, int at, size_t i) {
                           const auto& k = f.tickets[i];
                           st.bind(at, t).bind(at + 1, k.ticket).bind(at + 2, k.centre).bind(at + 3, k.category).bind(at + 4, k.status)
                               .bind(at + 5, k.issued_ms).bind(at + 6, k.called_ms).bind(at + 7, k.served_ms);
                           if (ticket_days)
                               st.bind(at + 8, k.entity).bind(at + 9, k.local_day);
                       }));
    }
    if (!f.ticket_changes.empty()) {
        auto st = TRY(db.cached("UPDATE tickets SET status = ?, called_ms = COALESCE(called_ms, ?), served_ms = COALESCE(?, served_ms) "
                                "WHERE terminal = ? AND ticket = ?"));
        for (const auto& [ticket, c] : f.ticket_changes) {
            st.bind(1, c.status).bind(2, c.called_ms).bind(3, c.done_ms).bind(4, t).bind(5, ticket);
            TRY(st.run());
        }
    }
    if (!f.surveyed.empty()) {
        auto st = TRY(db.cached("UPDATE applications SET surveys = surveys + ?, rating_sum = rating_sum + ?, ratings = ratings + ? "
                                "WHERE terminal = ? AND reference = ?"));
        for (const auto& [ref, n] : f.surveyed) {
            st.bind(1, n.surveys).bind(2, n.rating_sum).bind(3, n.ratings).bind(4, t).bind(5, ref);
            TRY(st.run());
        }
    }
    if (!f.surveys.empty()) {
        TRY(write_rows(db, std::string("INSERT OR IGNORE INTO surveys(terminal, seq, reference, rating, time_ms, centre, service_code")
                               + (survey_reasons ? ", reasons" : "") + ") VALUES",
                       survey_reasons ? "(?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?)", "", f.surveys.size(), [&](db::Statement& st, int at, size_t k) {
                           const auto& v = f.surveys[k];
                           st.bind(at, t).bind(at + 1, v.seq).bind(at + 2, v.reference).bind(at + 3, v.rating).bind(at + 4, v.time_ms)
                               .bind(at + 5, v.centre).bind(at + 6, v.service_code);
                           if (survey_reasons)
                               st.bind(at + 7, v.reasons);
                       }));
    }
    if (!f.day_counts.empty()) {
        auto st = TRY(db.cached("INSERT INTO entry_days(day, type, terminal, n) VALUES(?,?,?,?) "
                                "ON CONFLICT(day, type, terminal) DO UPDATE SET n = n + excluded.n"));
        for (const auto& [key, n] : f.day_counts) {
            st.bind(1, static_cast<int64_t>(key.first)).bind(2, key.second).bind(3, t).bind(4, n);
            TRY(st.run());
        }
    }
    return {};
}


struct SqliteRowView {
    const db::Statement& st;
    int64_t i64(int c) const { return st.int64(c); }
    std::string str(int c) const { return st.text(c); }
    bool null(int c) const { return st.is_null(c); }
};

using SqliteRow = SqliteRowView;

namespace {

// Reads the rows of `keys` (one terminal's) with `select` ("SELECT … FROM t WHERE terminal = ?1 AND key IN "): up to
// kKeysPerRead keys a statement instead of one statement per key (a batch touches hundreds of applications and
// tickets, read before and after it is applied; a statement step per key cost about as much as the lookup).
constexpr size_t kKeysPerRead = 64;

template <typename Read>
Result<void> read_keyed(db::Db& db, std::string_view select, int64_t t, const std::set<std::string>& keys, Read&& read)
{
    if (keys.empty())
        return {};
    // One statement text whatever the count (the connection's statement cache is small): the places of a last,
    // partial group are bound to NULL, which matches nothing.
    std::string sql(select);
    sql += "(";
    for (size_t k = 0; k < kKeysPerRead; ++k)
        sql += k ? ",?" : "?";
    sql += ")";
    auto st = TRY(db.cached(sql));
    auto it = keys.begin();
    while (it != keys.end()) {
        st.bind(1, t);
        for (size_t k = 0; k < kKeysPerRead; ++k) {
            if (it != keys.end())
                st.bind(static_cast<int>(k) + 2, *it++);
            else
                st.bind(static_cast<int>(k) + 2, std::optional<int64_t>());
        }
        while (TRY(st.step()))
            read(st);
        st.reset();
    }
    return {};
}

} // namespace

Result<std::vector<rollup::App>> read_apps(db::Db& db, int64_t t, const std::set<std::string>& refs)
{
    std::vector<rollup::App> out;
    TRY(read_keyed(db, "SELECT " + rollup::app_columns(false) + " FROM applications WHERE terminal = ?1 AND reference IN ", t, refs,
                   [&](const db::Statement& st) { out.push_back(rollup::read_app(SqliteRow{st})); }));
    return out;
}

Result<void> write_rollup(db::Db& db, const rollup::Delta& delta)
{
    auto bind_key = [](db::Statement& st, const rollup::Key& k) {
        st.bind(1, int64_t{k.grain}).bind(2, k.period).bind(3, k.terminal).bind(4, k.centre).bind(5, k.entity).bind(6, k.service_code)
            .bind(7, k.category).bind(8, k.channel);
    };
    auto stored = [&](const rollup::Key& k) -> Result<std::optional<rollup::Cell>> {
        auto st = TRY(db.cached(std::string("SELECT ") + rollup::kCellColumns + " FROM app_rollup WHERE grain = ?1 AND period = ?2 "
                                "AND terminal = ?3 AND centre = ?4 AND entity = ?5 AND service_code = ?6 AND category = ?7 AND channel = ?8"));
        bind_key(st, k);
        std::optional<rollup::Cell> cell;
        if (TRY(st.step()))
            cell = rollup::read_cell(SqliteRow{st}, 0);
        st.reset();
        return cell;
    };
    auto oldest_open = [&](const rollup::Key& k) -> Result<std::optional<int64_t>> {
        auto [first, last] = rollup::day_bounds(k);
        auto st = TRY(db.cached(rollup::kOldestOpenSqlite));
        st.bind(1, k.terminal).bind(2, first).bind(3, last).bind(4, k.centre).bind(5, k.entity).bind(6, k.service_code)
            .bind(7, k.category).bind(8, k.channel);
        std::optional<int64_t> oldest;
        if (TRY(st.step()) && !st.is_null(0))
            oldest = st.int64(0);
        st.reset();
        return oldest;
    };
    auto settled = TRY(rollup::settle(delta, stored, oldest_open));
    for (const auto& k : settled.drop) {
        auto st = TRY(db.cached("DELETE FROM app_rollup WHERE grain = ?1 AND period = ?2 AND terminal = ?3 AND centre = ?4 "
                                "AND entity = ?5 AND service_code = ?6 AND category = ?7 AND channel = ?8"));
        bind_key(st, k);
        TRY(st.run());
    }
    for (const auto& [k, cell] : settled.keep) {
        auto st = TRY(db.cached(std::string("INSERT OR REPLACE INTO app_rollup(") + rollup::kKeyColumns + ", " + rollup::kCellColumns
                                + ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25)"));
        bind_key(st, k);
        auto counts = rollup::counts_of(cell);
        for (int i = 0; i < 12; ++i)
            st.bind(9 + i, counts[static_cast<size_t>(i)]);
        st.bind(21, cell.oldest_open_ms).bind(22, rollup::encode_hist(cell.decision)).bind(23, rollup::encode_hist(cell.ready_hist))
            .bind(24, rollup::encode_hist(cell.rating_hist)).bind(25, rollup::encode_hist(cell.reason_hist));
        TRY(st.run());
    }
    return {};
}

Result<std::vector<rollup::Ticket>> read_tickets(db::Db& db, int64_t t, const std::set<std::string>& tickets)
{
    std::vector<rollup::Ticket> out;
    TRY(read_keyed(db, std::string("SELECT ") + rollup::kTicketColumns + " FROM tickets WHERE terminal = ?1 AND ticket IN ", t, tickets,
                   [&](const db::Statement& st) { out.push_back(rollup::read_ticket(SqliteRow{st})); }));
    return out;
}

Result<void> write_ticket_rollup(db::Db& db, const rollup::TicketDelta& delta)
{
    auto bind_key = [](db::Statement& st, const rollup::TicketKey& k) {
        st.bind(1, int64_t{k.grain}).bind(2, k.period).bind(3, k.terminal).bind(4, k.centre).bind(5, k.entity).bind(6, k.category);
    };
    const std::string where = " WHERE grain = ?1 AND period = ?2 AND terminal = ?3 AND centre = ?4 AND entity = ?5 AND category = ?6";
    auto stored = [&](const rollup::TicketKey& k) -> Result<std::optional<rollup::TicketCell>> {
        auto st = TRY(db.cached(std::string("SELECT ") + rollup::kTicketCellColumns + " FROM ticket_rollup" + where));
        bind_key(st, k);
        std::optional<rollup::TicketCell> cell;
        if (TRY(st.step()))
            cell = rollup::read_ticket_cell(SqliteRow{st}, 0);
        st.reset();
        return cell;
    };
    auto settled = TRY(rollup::settle(delta, stored));
    for (const auto& k : settled.drop) {
        auto st = TRY(db.cached("DELETE FROM ticket_rollup" + where));
        bind_key(st, k);
        TRY(st.run());
    }
    for (const auto& [k, cell] : settled.keep) {
        auto st = TRY(db.cached(std::string("INSERT OR REPLACE INTO ticket_rollup(") + rollup::kTicketKeyColumns + ", "
                                + rollup::kTicketCellColumns + ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"));
        bind_key(st, k);
        st.bind(7, cell.issued).bind(8, cell.called).bind(9, cell.no_show).bind(10, cell.served).bind(11, rollup::encode_hist(cell.wait));
        TRY(st.run());
    }
    return {};
}

Result<rollup::ZoneBook> zones(db::Db& db)
{
    auto st = TRY(db.cached("SELECT document FROM catalogues ORDER BY version DESC LIMIT 1"));
    rollup::ZoneBook book;
    if (TRY(st.step()))
        book = rollup::ZoneBook::from_catalogue(st.text(0));
    st.reset();
    return book;
}

namespace {

// Runs `sql` with nafitha_local_day(centre, ms) and nafitha_category_entity(category) (the latest catalogue's
// zones and categories) registered, and drops them again.
Result<void> exec_with_catalogue(db::Db& db, const std::string& sql)
{
    auto book = TRY(zones(db));
    std::map<std::string, std::string> entities;
    {
        auto st = TRY(db.cached("SELECT document FROM catalogues ORDER BY version DESC LIMIT 1"));
        if (TRY(st.step()))
            entities = rollup::category_entities(st.text(0));
        st.reset();
    }
    auto day = [](sqlite3_context* ctx, int, sqlite3_value** argv) {
        const auto* zones = static_cast<const rollup::ZoneBook*>(sqlite3_user_data(ctx));
        const auto* centre = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
        sqlite3_result_int64(ctx, zones->local_day(centre ? centre : "", sqlite3_value_int64(argv[1])));
    };
    auto entity = [](sqlite3_context* ctx, int, sqlite3_value** argv) {
        const auto* map = static_cast<const std::map<std::string, std::string>*>(sqlite3_user_data(ctx));
        const auto* category = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
        auto it = map->find(category ? category : "");
        const std::string& e = it == map->end() ? std::string() : it->second;
        sqlite3_result_text(ctx, e.c_str(), static_cast<int>(e.size()), SQLITE_TRANSIENT);
    };
    if (sqlite3_create_function(db.handle(), "nafitha_local_day", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, &book, day, nullptr, nullptr)
            != SQLITE_OK
        || sqlite3_create_function(db.handle(), "nafitha_category_entity", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, &entities, entity,
                                   nullptr, nullptr)
               != SQLITE_OK)
        return Error::make("error.central.storage", "cannot register the catalogue's functions");
    auto done = db.exec(sql);
    sqlite3_create_function(db.handle(), "nafitha_local_day", 2, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr);
    sqlite3_create_function(db.handle(), "nafitha_category_entity", 1, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr);
    return done;
}

} // namespace

Result<void> rebuild_rollup(db::Db& db)
{
    TRY(exec_with_catalogue(db, "UPDATE applications SET local_day = nafitha_local_day(centre, submitted_ms)"));
    TRY(db.exec("CREATE INDEX IF NOT EXISTS applications_by_day ON applications(terminal, local_day)"));
    // The cells as they are now (with the surveys' histograms) need version 12's columns: migration 8 fills the
    // local days only, and migration 12 builds the cells (rebuild_rollup_cells).
    if (TRY(db.scalar_int64("SELECT COUNT(*) FROM pragma_table_info('app_rollup') WHERE name = 'reason_hist'")) == 0)
        return {};
    return rebuild_rollup_cells(db);
}

Result<void> rebuild_rollup_cells(db::Db& db)
{
    TRY(db.exec("DELETE FROM app_rollup"));
    rollup::Delta delta;
    auto st = TRY(db.prepare("SELECT " + rollup::app_columns(false) + " FROM applications"));
    while (TRY(st.step()))
        delta.add(rollup::read_app(SqliteRow{st}), +1);
    return write_rollup(db, delta);
}

Result<void> rebuild_ticket_rollup(db::Db& db)
{
    TRY(exec_with_catalogue(db, "UPDATE tickets SET local_day = nafitha_local_day(centre, issued_ms), "
                                "entity = CASE WHEN entity = '' THEN nafitha_category_entity(category) ELSE entity END"));
    TRY(db.exec("CREATE INDEX IF NOT EXISTS tickets_by_day ON tickets(local_day)"));
    TRY(db.exec("DELETE FROM ticket_rollup"));
    rollup::TicketDelta delta;
    auto st = TRY(db.prepare(std::string("SELECT ") + rollup::kTicketColumns + " FROM tickets"));
    while (TRY(st.step()))
        delta.add(rollup::read_ticket(SqliteRow{st}), +1);
    return write_ticket_rollup(db, delta);
}

} // namespace sqlite_store

namespace {

using db::Statement;

Error refuse(IngestRefusal& refusal, const char* code, std::string detail, int64_t seq)
{
    refusal.error = Error::make(code, std::move(detail));
    refusal.seq = seq;
    return refusal.error;
}

const char* kTerminalColumns =
    "no, id, centre, name, status, public_key, last_seq, last_hash, entries, enrolled_ms, last_ingest_ms";

struct Terminal {
    int64_t no = 0;
    TerminalRecord record;
};

Terminal read_terminal(const Statement& st)
{
    Terminal t;
    t.no = st.int64(0);
    auto& r = t.record;
    r.id = st.text(1);
    r.centre = st.text(2);
    r.name = st.text(3);
    r.status = st.text(4);
    r.public_key = st.text(5);
    r.last_seq = st.int64(6);
    r.last_hash = st.text(7);
    r.entries = st.int64(8);
    r.enrolled_ms = st.int64(9);
    r.last_ingest_ms = st.int64(10);
    return t;
}

class SqliteStore final : public Store {
public:
    SqliteStore(db::Db db, db::Db read, int version) : m_db(std::move(db)), m_read(std::move(read)), m_version(version) {}

    std::string kind() const override { return "sqlite"; }
    int schema_version() const override { return m_version; }

    // A store opened at a version before 14 (the migration tests) has no decisions.reason.
    const char* decision_columns() const
    {
        return m_version >= 14 ? "SELECT cursor, reference, status, note, decided_at, reason"
                               : "SELECT cursor, reference, status, note, decided_at, ''";
    }

    Result<std::string> setting(const std::string& name, const std::string& value_if_absent) override
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto ins = TRY(m_db.prepare("INSERT OR IGNORE INTO settings(name, value) VALUES(?,?)"));
        ins.bind(1, name).bind(2, value_if_absent);
        TRY(ins.run());
        auto sel = TRY(m_db.prepare("SELECT value FROM settings WHERE name = ?"));
        sel.bind(1, name);
        TRY(sel.step());
        std::string value = sel.text(0);
        TRY(tx.commit());
        return value;
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
        auto code = TRY(m_db.prepare("SELECT centre, name, expires_ms, used_by FROM enrollment_codes WHERE code_hash = ?"));
        code.bind(1, code_hash);
        if (!TRY(code.step()))
            return Error::make("error.central.enroll_code", "unknown enrollment code");
        std::string centre = code.text(0), name = code.text(1), used_by = code.text(3);
        int64_t expires = code.int64(2);
        bool used = !code.is_null(3);
        auto existing = TRY(find_locked(terminal_id));
        if (used) {
            // The same terminal asking again (its answer was lost) gets its record; anyone else is refused.
            if (used_by == terminal_id && existing && existing->record.public_key == public_key && existing->record.status == "active")
                return existing->record;
            return Error::make("error.central.enroll_code", "enrollment code already used");
        }
        if (now_ms > expires)
            return Error::make("error.central.enroll_code", "enrollment code expired");
        if (existing) {
            if (existing->record.status == "revoked")
                return Error::make("error.central.revoked", "terminal " + terminal_id + " is revoked");
            if (existing->record.public_key != public_key)
                return Error::make("error.central.terminal_conflict", "terminal id is enrolled with another key");
        } else {
            auto ins = TRY(m_db.prepare(
                "INSERT INTO terminals(id, centre, name, status, public_key, last_hash, enrolled_ms) VALUES(?,?,?,'active',?,?,?)"));
            ins.bind(1, terminal_id).bind(2, centre).bind(3, name).bind(4, public_key).bind(5, protocol::kGenesisHash).bind(6, now_ms);
            TRY(ins.run());
        }
        auto use = TRY(m_db.prepare("UPDATE enrollment_codes SET used_by = ?, used_ms = ? WHERE code_hash = ?"));
        use.bind(1, terminal_id).bind(2, now_ms).bind(3, code_hash);
        TRY(use.run());
        TRY(tx.commit());
        return TRY(find_locked(terminal_id)).value().record;
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

    // Asked on every signed request: answered from the read connection, so that a poll never waits for a batch
    // being committed (WAL readers see the last commit).
    Result<std::optional<TerminalRecord>> find_terminal(const std::string& terminal_id) override
    {
        std::lock_guard lock(m_read_mutex);
        auto st = TRY(m_read.cached(std::string("SELECT ") + kTerminalColumns + " FROM terminals WHERE id = ?"));
        st.bind(1, terminal_id);
        if (!TRY(st.step()))
            return std::optional<TerminalRecord>();
        return std::optional<TerminalRecord>(read_terminal(st).record);
    }

    Result<std::vector<TerminalRecord>> terminals() override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare(std::string("SELECT ") + kTerminalColumns + " FROM terminals ORDER BY id"));
        std::vector<TerminalRecord> out;
        while (TRY(st.step()))
            out.push_back(read_terminal(st).record);
        return out;
    }

    using Store::ingest;
    Result<IngestOutcome> ingest(const std::string& terminal_id, const std::vector<protocol::Entry>& entries,
                                 int64_t now_ms, IngestRefusal& refusal, SignatureCheck signatures) override
    {
        // Each entry's signed bytes are rebuilt, checked against its hash and compressed (encode_entries) on other
        // threads while this one checks the chain against the store and writes the projections: the entries'
        // rows are written, and the transaction commits, only once every entry has been checked, and an entry
        // that fails rolls the whole transaction back, its error first (as if encoding had run before), so
        // nothing of a batch with a bad entry is stored or acknowledged. Entries central already has are encoded
        // for nothing, which only retries pay.
        const IngestRefusal given = refusal;
        int64_t bad_seq = refusal.seq;
        auto encoding = std::async(std::launch::async, [&entries, &bad_seq] {
            return encode_entries(entries, EntryCodec::Chained, &bad_seq);
        });
        std::optional<Result<std::vector<EncodedEntry>>> encoded;
        auto wait_encoded = [&]() -> Result<void> {
            if (!encoded)
                encoded.emplace(encoding.get());
            if (!encoded->ok())
                return encoded->error();
            return {};
        };
        auto outcome = ingest_locked(terminal_id, entries, now_ms, refusal, wait_encoded, encoded, signatures);
        if (auto checked = wait_encoded(); !checked.ok()) {
            refusal = given;
            refusal.seq = bad_seq;
            return checked.error();
        }
        return outcome;
    }

    Result<IngestOutcome> ingest_locked(const std::string& terminal_id, const std::vector<protocol::Entry>& entries,
                                        int64_t now_ms, IngestRefusal& refusal, const std::function<Result<void>()>& wait_encoded,
                                        const std::optional<Result<std::vector<EncodedEntry>>>& encoded_result,
                                        SignatureCheck signatures)
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto found = TRY(find_locked(terminal_id));
        if (!found)
            return Error::make("error.central.unknown_terminal", "no terminal " + terminal_id);
        const Terminal& t = *found;
        if (t.record.status != "active")
            return Error::make("error.central.revoked", "terminal " + terminal_id + " is revoked");
        if (entries.empty())
            return IngestOutcome{t.record.last_seq, 0};
        if (entries.front().seq > t.record.last_seq + 1)
            return refuse(refusal, "error.central.gap",
                          "batch starts at " + std::to_string(entries.front().seq) + ", expected " + std::to_string(t.record.last_seq + 1),
                          t.record.last_seq + 1);
        // Entries central already holds must be exactly the stored ones.
        size_t i = 0;
        std::map<int64_t, std::string> held;
        if (entries.front().seq <= t.record.last_seq)
            held = TRY(stored_hashes_locked(t.no, t.record.id, entries.front().seq, std::min(entries.back().seq, t.record.last_seq)));
        for (; i < entries.size() && entries[i].seq <= t.record.last_seq; ++i) {
            std::string stored = held[entries[i].seq];
            if (stored != entries[i].hash) {
                refusal.stored_hash = stored;
                refusal.offered_hash = entries[i].hash;
                return refuse(refusal, "error.central.fork",
                              "a different entry is stored under seq " + std::to_string(entries[i].seq), entries[i].seq);
            }
        }
        if (i == entries.size()) {
            auto touch = TRY(m_db.cached("UPDATE terminals SET last_ingest_ms = MAX(last_ingest_ms, ?) WHERE no = ?"));
            touch.bind(1, now_ms).bind(2, t.no);
            TRY(touch.run());
            TRY(wait_encoded());
            TRY(tx.commit());
            return IngestOutcome{t.record.last_seq, 0};
        }
        if (entries[i].prev_hash != t.record.last_hash)
            return refuse(refusal, "error.central.chain",
                          "entry " + std::to_string(entries[i].seq) + " does not chain to the stored entry", entries[i].seq);
        size_t first = i;
        // The projections first (central/store/rollup.h): their rows before and after give the rollup.
        TRY(project_locked(t, entries, first, now_ms));
        // Then the entries and their leaves, once every entry is checked, kRowsPerStatement rows a statement.
        TRY(wait_encoded());
        const auto& encoded = encoded_result->value();
        TRY(sqlite_store::write_rows(m_db, "INSERT INTO entries(terminal, seq, body, sig) VALUES", "(?,?,?,?)", "",
                                     entries.size() - first, [&](db::Statement& st, int at, size_t r) {
                                         const auto& e = encoded[first + r];
                                         st.bind(at, t.no).bind(at + 1, e.seq).bind_blob(at + 2, e.body).bind_blob(at + 3, e.signature);
                                     }));
        // The transparency log: the new entries' leaves, numbered from the head in this transaction (one writer
        // at a time here, so the numbering is the commit order). A store opened at an older version by the
        // migration tests has no log.
        if (m_version >= 7) {
            auto head = TRY(m_db.cached("SELECT size FROM log_head WHERE id = 1"));
            if (!TRY(head.step()))
                return Error::make("error.central.storage", "the transparency log has no head");
            const int64_t base = head.int64(0) - static_cast<int64_t>(first);
            head.reset();
            TRY(sqlite_store::write_rows(
                m_db, "INSERT INTO log_leaves(idx, terminal, seq, leaf) VALUES", "(?,?,?,?)", "", entries.size() - first,
                [&](db::Statement& st, int at, size_t r) {
                    size_t k = first + r;
                    st.bind(at, base + static_cast<int64_t>(k)).bind(at + 1, t.no).bind(at + 2, encoded[k].seq)
                        .bind_blob(at + 3, std::string_view(reinterpret_cast<const char*>(encoded[k].leaf.data()), encoded[k].leaf.size()));
                }));
            const int64_t index = base + static_cast<int64_t>(entries.size());
            auto grow = TRY(m_db.cached("UPDATE log_head SET size = ? WHERE id = 1"));
            grow.bind(1, index);
            TRY(grow.run());
        }
        const auto& last = entries.back();
        int64_t stored = static_cast<int64_t>(entries.size() - first);
        auto batch = TRY(m_db.cached("INSERT INTO batches(terminal, first_seq, last_seq, received_ms, first_prev) VALUES(?,?,?,?,?)"));
        // Received never before the terminal's previous batch (the clock may step back), so that a month's
        // entries of one terminal are consecutive.
        batch.bind(1, t.no).bind(2, entries[first].seq).bind(3, last.seq).bind(4, std::max(now_ms, t.record.last_ingest_ms))
            .bind(5, entries[first].prev_hash);
        TRY(batch.run());
        auto upd = TRY(m_db.cached(
            "UPDATE terminals SET last_seq = ?, last_hash = ?, entries = entries + ?, last_ingest_ms = MAX(last_ingest_ms, ?) WHERE no = ?"));
        upd.bind(1, last.seq).bind(2, last.hash).bind(3, stored).bind(4, now_ms).bind(5, t.no);
        TRY(upd.run());
        if (signatures == SignatureCheck::done && m_version >= 17) {
            // Every signature of the batch was checked before storing: the watermark follows if it was contiguous.
            auto mark = TRY(m_db.cached("UPDATE terminals SET signatures_checked_seq = ? WHERE no = ? AND signatures_checked_seq >= ?"));
            mark.bind(1, last.seq).bind(2, t.no).bind(3, t.record.last_seq);
            TRY(mark.run());
        }
        TRY(tx.commit());
        return IngestOutcome{last.seq, stored};
    }

    // The batch's projections and rollup, in the caller's transaction (m_mutex held).
    Result<void> project_locked(const Terminal& t, const std::vector<protocol::Entry>& entries, size_t first, int64_t now_ms)
    {
        if (m_version < 8) { // a store opened at an older version (migration tests): no local days, no rollup
            TRY(sqlite_store::apply_facts(m_db, t.no, project_batch(entries, first, t.record.centre, now_ms), now_ms, m_version));
        } else {
            // The projections and, from their rows before and after, the rollup (central/store/rollup.h).
            auto facts = project_batch(entries, first, t.record.centre, now_ms);
            auto book = TRY(zones_locked());
            auto [touched, tickets] = rollup::touch(facts, book);
            const bool queue = m_version >= rollup::kQueueVersion;
            const bool cells = m_version >= rollup::kCellsVersion;
            auto before = cells ? TRY(sqlite_store::read_apps(m_db, t.no, touched)) : std::vector<rollup::App>();
            auto tickets_before = queue ? TRY(sqlite_store::read_tickets(m_db, t.no, tickets)) : std::vector<rollup::Ticket>();
            TRY(sqlite_store::apply_facts(m_db, t.no, facts, now_ms, m_version));
            if (cells) {
                rollup::Delta delta;
                delta.diff(before, TRY(sqlite_store::read_apps(m_db, t.no, touched)));
                TRY(sqlite_store::write_rollup(m_db, delta));
            }
            if (queue) {
                rollup::TicketDelta queue_delta;
                queue_delta.diff(tickets_before, TRY(sqlite_store::read_tickets(m_db, t.no, tickets)));
                TRY(sqlite_store::write_ticket_rollup(m_db, queue_delta));
            }
            if (m_version >= 13) {
                auto ins = TRY(m_db.cached("INSERT OR IGNORE INTO visits_abandoned(terminal, seq, centre, entity, service_code, category, "
                                           "channel, last_step, reason, time_ms, local_day) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
                for (const auto& v : abandoned_visits(entries, first, t.record.centre, now_ms)) {
                    ins.bind(1, t.no).bind(2, v.seq).bind(3, v.centre).bind(4, v.entity).bind(5, v.service_code).bind(6, v.category)
                        .bind(7, v.channel).bind(8, v.last_step).bind(9, v.reason).bind(10, v.time_ms)
                        .bind(11, book.local_day(v.centre, v.time_ms));
                    TRY(ins.run());
                }
            }
            if (m_version >= 15)
                TRY(insert_z_reports(t.no, z_reports(entries, first, t.record.centre, now_ms), book));
        }
        return {};
    }

    // Z reports into their projection (version 15), on the day each closes (else the local day of its time).
    Result<void> insert_z_reports(int64_t terminal_no, const std::vector<ZReportFact>& reports, const rollup::ZoneBook& book)
    {
        auto ins = TRY(m_db.cached("INSERT OR IGNORE INTO z_reports(terminal, seq, centre, local_day, declared_minor, computed_minor, "
                                   "difference_minor, time_ms) VALUES(?,?,?,?,?,?,?,?)"));
        for (const auto& z : reports) {
            ins.bind(1, terminal_no).bind(2, z.seq).bind(3, z.centre).bind(4, z.day >= 0 ? z.day : book.local_day(z.centre, z.time_ms))
                .bind(5, z.declared_minor).bind(6, z.computed_minor).bind(7, z.difference_minor).bind(8, z.time_ms);
            TRY(ins.run());
        }
        return {};
    }

    Result<std::vector<ZReportSum>> z_report_sums(const MeasureQuery& q) override
    {
        return grouped_by_day<ZReportSum>(TRY(z_reports_sql(q.group_by, false)), q, 15, [](const db::Statement& st, int n, ZReportSum& z) {
            z.reports = st.int64(n);
            z.with_difference = st.int64(n + 1);
            z.difference_minor = st.int64(n + 2);
            z.abs_difference_minor = st.int64(n + 3);
        });
    }

    // The rows of a query over a range of local days (?1, ?2) whose first columns are the caller's group keys: empty
    // on a store older than `since_version` (the table is not there yet).
    template<typename Row, typename Fill>
    Result<std::vector<Row>> grouped_by_day(const std::string& sql, const MeasureQuery& q, int since_version, Fill fill)
    {
        std::vector<Row> out;
        if (m_version < since_version)
            return out;
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare(sql));
        auto [from_day, to_day] = rollup::query_days(q);
        st.bind(1, from_day).bind(2, to_day);
        const int n = static_cast<int>(q.group_by.size());
        while (TRY(st.step())) {
            Row r;
            for (int i = 0; i < n; ++i)
                r.keys.push_back(st.text(i));
            fill(st, n, r);
            out.push_back(std::move(r));
        }
        return out;
    }

    Result<bool> z_reports_need_backfill() override
    {
        if (m_version < 15)
            return false;
        std::lock_guard lock(m_mutex);
        return TRY(m_db.scalar_int64("SELECT done FROM z_reports_backfill WHERE id = 1")) == 0;
    }

    Result<void> z_reports_backfill(const std::map<std::string, std::vector<ZReportFact>>& reports) override
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        if (TRY(m_db.scalar_int64("SELECT done FROM z_reports_backfill WHERE id = 1")) != 0)
            return {}; // another process did it
        auto book = TRY(zones_locked());
        for (const auto& [id, list] : reports) {
            auto t = TRY(find_locked(id));
            if (t)
                TRY(insert_z_reports(t->no, list, book));
        }
        TRY(m_db.exec("UPDATE z_reports_backfill SET done = 1 WHERE id = 1"));
        return tx.commit();
    }

    Result<void> set_cost(const CostRecord& c) override
    {
        if (m_version < 15)
            return Error::make("error.central.storage", "the store is older than version 15 (no costs)");
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto st = TRY(m_db.cached("INSERT INTO costs(scope, code, month, amount_minor, set_ms) VALUES(?,?,?,?,?) ON CONFLICT(scope, code, month) "
                                  "DO UPDATE SET amount_minor = excluded.amount_minor, set_ms = excluded.set_ms"));
        st.bind(1, c.scope).bind(2, c.code).bind(3, int64_t(c.month)).bind(4, c.amount_minor).bind(5, c.set_ms);
        TRY(st.run());
        return tx.commit();
    }

    Result<std::vector<CostRecord>> costs() override
    {
        std::vector<CostRecord> out;
        if (m_version < 15)
            return out;
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached("SELECT scope, code, month, amount_minor, set_ms FROM costs ORDER BY scope, code, month"));
        while (TRY(st.step()))
            out.push_back({st.text(0), st.text(1), static_cast<int32_t>(st.int64(2)), st.int64(3), st.int64(4)});
        return out;
    }

    Result<std::vector<AbandonedCount>> abandoned_visit_counts(const MeasureQuery& q) override
    {
        return grouped_by_day<AbandonedCount>(TRY(abandoned_visits_sql(q.group_by, false)), q, 13,
                                               [](const db::Statement& st, int n, AbandonedCount& c) { c.count = st.int64(n); });
    }

    Result<void> record_health(const HealthSample& h) override
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto latest = TRY(m_db.cached(
            "INSERT INTO terminal_health(terminal_id, received_ms, out_of_service, document, signature) VALUES(?,?,?,?,?) "
            "ON CONFLICT(terminal_id) DO UPDATE SET received_ms = excluded.received_ms, out_of_service = excluded.out_of_service, "
            "document = excluded.document, signature = excluded.signature WHERE excluded.received_ms >= terminal_health.received_ms"));
        latest.bind(1, h.terminal_id).bind(2, h.received_ms).bind(3, int64_t(h.out_of_service)).bind(4, h.document).bind(5, h.signature);
        TRY(latest.run());
        auto last = TRY(m_db.cached("SELECT id, out_of_service, end_ms FROM health_spans WHERE terminal_id = ? ORDER BY start_ms DESC LIMIT 1"));
        last.bind(1, h.terminal_id);
        bool have = TRY(last.step());
        int64_t id = have ? last.int64(0) : 0;
        bool oos = have && last.int64(1) != 0;
        int64_t end = have ? last.int64(2) : 0;
        last.reset();
        if (have && h.received_ms < end) {
            // Older than what the spans already hold (two instances, a late answer): the spans do not move.
        } else if (have && oos == h.out_of_service && h.received_ms - end <= kHealthGapMs) {
            auto upd = TRY(m_db.cached("UPDATE health_spans SET end_ms = ?, reports = reports + 1 WHERE id = ?"));
            upd.bind(1, h.received_ms).bind(2, id);
            TRY(upd.run());
        } else {
            auto ins = TRY(m_db.cached("INSERT INTO health_spans(terminal_id, out_of_service, start_ms, end_ms, reports, document, signature) "
                                       "VALUES(?,?,?,?,1,?,?)"));
            ins.bind(1, h.terminal_id).bind(2, int64_t(h.out_of_service)).bind(3, h.received_ms).bind(4, h.received_ms)
                .bind(5, h.document).bind(6, h.signature);
            TRY(ins.run());
        }
        return tx.commit();
    }

    Result<std::vector<HealthSample>> latest_health() override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare("SELECT terminal_id, received_ms, out_of_service, document, signature FROM terminal_health ORDER BY terminal_id"));
        std::vector<HealthSample> out;
        while (TRY(st.step()))
            out.push_back({st.text(0), st.int64(1), st.int64(2) != 0, st.text(3), st.text(4)});
        return out;
    }

    Result<std::vector<HealthSpan>> health_spans(int64_t from_ms, int64_t to_ms) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare("SELECT terminal_id, out_of_service, start_ms, end_ms, reports, document, signature FROM health_spans "
                                   "WHERE end_ms >= ? AND start_ms < ? ORDER BY terminal_id, start_ms"));
        st.bind(1, from_ms).bind(2, to_ms);
        std::vector<HealthSpan> out;
        while (TRY(st.step()))
            out.push_back({st.text(0), st.int64(1) != 0, st.int64(2), st.int64(3), st.int64(4), st.text(5), st.text(6)});
        return out;
    }

    Result<std::vector<SignatureBacklog>> signature_backlog() override
    {
        std::vector<SignatureBacklog> out;
        if (m_version < 17)
            return out;
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare("SELECT id, public_key, signatures_checked_seq, last_seq FROM terminals "
                                   "WHERE signatures_checked_seq < last_seq ORDER BY id"));
        while (TRY(st.step()))
            out.push_back({st.text(0), st.text(1), st.int64(2), st.int64(3)});
        return out;
    }

    using Store::advance_signatures_checked;
    Result<std::vector<int64_t>> advance_signatures_checked(const std::vector<SignatureMark>& marks) override
    {
        if (m_version < 17)
            return Error::make("error.central.storage", "the store has no signature watermark (schema " + std::to_string(m_version) + ")");
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto up = TRY(m_db.cached("UPDATE terminals SET signatures_checked_seq = MIN(?, last_seq) WHERE id = ? AND signatures_checked_seq < MIN(?, last_seq)"));
        auto get = TRY(m_db.cached("SELECT signatures_checked_seq FROM terminals WHERE id = ?"));
        std::vector<int64_t> out;
        for (const auto& m : marks) {
            up.bind(1, m.through).bind(2, m.terminal_id).bind(3, m.through);
            TRY(up.run());
            get.bind(1, m.terminal_id);
            out.push_back(TRY(get.step()) ? get.int64(0) : 0);
            get.reset();
        }
        TRY(tx.commit());
        return out;
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

    Result<std::vector<ForkAlarm>> fork_alarms() override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare("SELECT terminal_id, seq, stored_hash, offered_hash, time_ms FROM fork_alarms ORDER BY id"));
        std::vector<ForkAlarm> out;
        while (TRY(st.step()))
            out.push_back({st.text(0), st.int64(1), st.text(2), st.text(3), st.int64(4)});
        return out;
    }

    Result<std::vector<StoredEntry>> entries(const std::string& terminal_id) override
    {
        std::vector<StoredEntry> out;
        TRY(scan_entries(terminal_id, 0, [&](const SignedEntry& e) -> Result<void> {
            out.push_back({e.seq, protocol::sha256_hex(e.bytes)});
            return {};
        }));
        return out;
    }

    Result<void> scan_entries(const std::string& terminal_id, int64_t after_seq,
                              const std::function<Result<void>(const SignedEntry&)>& fn) override
    {
        int64_t no = 0;
        {
            std::lock_guard lock(m_mutex);
            auto t = TRY(find_locked(terminal_id));
            if (!t)
                return {};
            no = t->no;
        }
        return scan_range(no, terminal_id, after_seq, INT64_MAX, 0, fn);
    }

    Result<std::vector<int32_t>> months() override
    {
        std::lock_guard lock(m_mutex);
        auto range = TRY(m_db.prepare("SELECT MIN(received_ms), MAX(received_ms) FROM batches"));
        TRY(range.step());
        std::vector<int32_t> out;
        if (range.is_null(0))
            return out;
        int32_t last = month_of_ms(range.int64(1));
        auto any = TRY(m_db.prepare("SELECT 1 FROM batches WHERE received_ms >= ? AND received_ms < ? LIMIT 1"));
        for (int32_t m = month_of_ms(range.int64(0)); m <= last; m = next_month(m)) {
            any.bind(1, month_start_ms(m)).bind(2, month_start_ms(next_month(m)));
            if (TRY(any.step()))
                out.push_back(m);
            any.reset();
        }
        return out;
    }

    Result<void> scan_month(int32_t month,
                            const std::function<Result<void>(const std::string&, const SignedEntry&)>& fn) override
    {
        // The batches received in the month, by terminal and seq, read first (they are small) so that no lock is
        // held while the caller works.
        struct Range {
            int64_t no;
            std::string id;
            int64_t first, last;
        };
        std::vector<Range> ranges;
        {
            std::lock_guard lock(m_mutex);
            auto st = TRY(m_db.prepare(
                "SELECT b.terminal, t.id, b.first_seq, b.last_seq FROM batches b JOIN terminals t ON t.no = b.terminal "
                "WHERE b.received_ms >= ? AND b.received_ms < ? ORDER BY b.terminal, b.first_seq"));
            st.bind(1, month_start_ms(month)).bind(2, month_start_ms(next_month(month)));
            while (TRY(st.step())) {
                Range r{st.int64(0), st.text(1), st.int64(2), st.int64(3)};
                if (!ranges.empty() && ranges.back().no == r.no && ranges.back().last + 1 == r.first)
                    ranges.back().last = r.last;
                else
                    ranges.push_back(std::move(r));
            }
        }
        for (const auto& r : ranges)
            TRY(scan_range(r.no, r.id, r.first - 1, r.last, month, [&](const SignedEntry& e) { return fn(r.id, e); }));
        return {};
    }

    Result<std::vector<MonthSummary>> archived_months() override { return std::vector<MonthSummary>(); }

    Result<std::string> detach_month(const MonthSummary&, int64_t) override
    {
        return Error::make("error.central.unsupported",
                           "the SQLite store keeps every month in one file; archive it with 'archive export' and back it up");
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
        int64_t current = TRY(m_db.scalar_int64("SELECT COALESCE(MAX(version), 0) FROM catalogues"));
        if (version <= current)
            return Error::make("error.central.catalogue_old",
                               "version " + std::to_string(version) + " is not newer than " + std::to_string(current));
        auto ins = TRY(m_db.prepare("INSERT INTO catalogues(version, document, imported_ms) VALUES(?,?,?)"));
        ins.bind(1, version).bind(2, document.dump()).bind(3, now_ms);
        TRY(ins.run());
        TRY(tx.commit());
        return version;
    }

    Result<std::optional<CatalogueRecord>> latest_catalogue() override
    {
        std::lock_guard lock(m_read_mutex);
        auto st = TRY(m_read.cached("SELECT version, document, imported_ms FROM catalogues ORDER BY version DESC LIMIT 1"));
        if (!TRY(st.step()))
            return std::optional<CatalogueRecord>();
        return std::optional<CatalogueRecord>(CatalogueRecord{st.int64(0), st.text(1), st.int64(2)});
    }

    Result<int64_t> add_decision(const std::string& reference, const std::string& status, const std::string& note,
                                 int64_t now_ms, const std::string& terminal_id, const std::string& reason) override
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        auto app = TRY(m_db.prepare(
            "SELECT t.id, t.no FROM applications a JOIN terminals t ON t.no = a.terminal "
            "WHERE a.reference = ? AND (? = '' OR t.id = ?) LIMIT 2"));
        app.bind(1, reference).bind(2, terminal_id).bind(3, terminal_id);
        if (!TRY(app.step()))
            return Error::make("error.central.unknown_application", "no application " + reference);
        std::string terminal = app.text(0);
        int64_t no = app.int64(1);
        if (TRY(app.step()))
            return Error::make("error.central.ambiguous_application",
                               "several terminals have an application " + reference + ": name the terminal");
        auto ins = TRY(m_db.prepare(m_version >= 14 ? "INSERT INTO decisions(reference, terminal_id, status, note, decided_at, reason) VALUES(?,?,?,?,?,?)"
                                                    : "INSERT INTO decisions(reference, terminal_id, status, note, decided_at) VALUES(?,?,?,?,?)"));
        ins.bind(1, reference).bind(2, terminal).bind(3, status).bind(4, note).bind(5, clock::iso8601_utc(now_ms));
        if (m_version >= 14)
            ins.bind(6, reason);
        TRY(ins.run());
        int64_t cursor = m_db.last_insert_rowid();
        bool rollup = m_version >= rollup::kCellsVersion;
        auto before = rollup ? TRY(sqlite_store::read_apps(m_db, no, {reference})) : std::vector<rollup::App>();
        // Central's clock decides the decision time; the terminal's later echo of it does not move it.
        auto upd = TRY(m_db.prepare("UPDATE applications SET status = ?1, updated_ms = ?2, "
                                    "decided_ms = COALESCE(decided_ms, ?5), ready_ms = COALESCE(ready_ms, ?6) "
                                    "WHERE terminal = ?3 AND reference = ?4"));
        upd.bind(1, status).bind(2, now_ms).bind(3, no).bind(4, reference)
            .bind(5, is_decision_status(status) ? std::optional<int64_t>(now_ms) : std::nullopt)
            .bind(6, is_ready_status(status) ? std::optional<int64_t>(now_ms) : std::nullopt);
        TRY(upd.run());
        auto hist = TRY(m_db.prepare("INSERT OR IGNORE INTO application_history(terminal, reference, seq, status, actor, time_ms, "
                                     "received_ms) VALUES(?,?,?,?,'central',?,?)"));
        hist.bind(1, no).bind(2, reference).bind(3, -cursor).bind(4, status).bind(5, now_ms).bind(6, now_ms);
        TRY(hist.run());
        if (rollup) {
            rollup::Delta delta;
            delta.diff(before, TRY(sqlite_store::read_apps(m_db, no, {reference})));
            TRY(sqlite_store::write_rollup(m_db, delta));
        }
        TRY(tx.commit());
        return cursor;
    }

    Result<std::vector<protocol::Decision>> decisions_after(const std::string& terminal_id, int64_t cursor,
                                                            size_t max_count) override
    {
        std::lock_guard lock(m_read_mutex);
        auto st = TRY(m_read.cached(
            std::string(decision_columns()) + " FROM decisions WHERE terminal_id = ? AND cursor > ? "
            "ORDER BY cursor LIMIT ?"));
        st.bind(1, terminal_id).bind(2, cursor).bind(3, static_cast<int64_t>(max_count));
        std::vector<protocol::Decision> out;
        while (TRY(st.step()))
            out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5)});
        return out;
    }

    Result<std::optional<protocol::Decision>> find_decision(const std::string& terminal_id, int64_t cursor) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached(std::string(decision_columns()) + " FROM decisions WHERE terminal_id = ? AND cursor = ?"));
        st.bind(1, terminal_id).bind(2, cursor);
        if (!TRY(st.step()))
            return std::optional<protocol::Decision>();
        return std::optional<protocol::Decision>(protocol::Decision{st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5)});
    }

    Result<Counts> counts() override
    {
        std::lock_guard lock(m_mutex);
        Counts c;
        c.entries = TRY(m_db.scalar_int64("SELECT COALESCE(SUM(entries), 0) FROM terminals"));
        c.fork_alarms = TRY(m_db.scalar_int64("SELECT COUNT(*) FROM fork_alarms"));
        c.applications = TRY(m_db.scalar_int64("SELECT COUNT(*) FROM applications"));
        c.payments = TRY(m_db.scalar_int64("SELECT COUNT(*) FROM payments"));
        c.tickets = TRY(m_db.scalar_int64("SELECT COUNT(*) FROM tickets"));
        c.surveys = TRY(m_db.scalar_int64("SELECT COUNT(*) FROM surveys"));
        return c;
    }

    Result<std::vector<ReconcileRow>> fees_due_vs_paid(const std::string& centre, int32_t month) override
    {
        std::lock_guard lock(m_mutex);
        // Applications submitted in the month at the centre, and payments there for no known application.
        auto st = TRY(m_db.prepare(R"SQL(
SELECT t.id, a.reference, COALESCE(a.fee_minor, 0), a.paid_minor
  FROM applications a JOIN terminals t ON t.no = a.terminal
  WHERE a.centre = ?1 AND a.submitted_ms >= ?2 AND a.submitted_ms < ?3
UNION ALL
SELECT t.id, p.reference, 0, SUM(COALESCE(p.amount_minor, 0))
  FROM payments p JOIN terminals t ON t.no = p.terminal
  WHERE p.centre = ?1 AND p.time_ms >= ?2 AND p.time_ms < ?3 AND NOT p.application_known
  GROUP BY p.terminal, p.reference
ORDER BY 1, 2)SQL"));
        st.bind(1, centre).bind(2, month_start_ms(month)).bind(3, month_start_ms(next_month(month)));
        std::vector<ReconcileRow> out;
        while (TRY(st.step()))
            out.push_back({st.text(0), st.text(1), st.int64(2), st.int64(3)});
        return out;
    }

    Result<std::vector<EntryCount>> entries_by_type(int32_t from_day, int32_t to_day) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare("SELECT day, type, SUM(n) FROM entry_days WHERE day >= ? AND day <= ? GROUP BY day, type ORDER BY day, type"));
        st.bind(1, static_cast<int64_t>(from_day)).bind(2, static_cast<int64_t>(to_day));
        std::vector<EntryCount> out;
        while (TRY(st.step()))
            out.push_back({static_cast<int32_t>(st.int64(0)), st.text(1), st.int64(2)});
        return out;
    }

    Result<std::vector<MeasureRow>> measures(const MeasureQuery& query) override
    {
        if (!query.raw)
            return rollup_measures(query);
        auto [from_day, to_day] = rollup::query_days(query);
        auto sql = TRY(measure_sql(query, false));
        size_t dims = query.group_by.size();
        MeasureCollector rows(query);
        std::map<std::string, std::string> ids;
        // The read connection: ingest goes on meanwhile (WAL), and all three reads see one snapshot (a deferred
        // read transaction; db::Transaction would take the write lock).
        std::lock_guard lock(m_read_mutex);
        TRY(m_read.exec("BEGIN"));
        auto read = [&]() -> Result<void> {
        auto keys_of = [&](db::Statement& st) {
            std::vector<std::string> keys;
            keys.reserve(dims);
            for (size_t i = 0; i < dims; ++i)
                keys.push_back(st.text(static_cast<int>(i)));
            return keys;
        };
        auto agg = TRY(m_read.prepare(sql.aggregate));
        agg.bind(1, from_day).bind(2, to_day);
        std::vector<std::optional<int64_t>> values(kMeasureColumns);
        while (TRY(agg.step())) {
            for (int i = 0; i < kMeasureColumns; ++i) {
                int col = static_cast<int>(dims) + i;
                values[static_cast<size_t>(i)] = agg.is_null(col) ? std::nullopt : std::optional<int64_t>(agg.int64(col));
            }
            rows.aggregate(keys_of(agg), values);
        }
        auto dur = TRY(m_read.prepare(sql.durations));
        dur.bind(1, from_day).bind(2, to_day);
        int d = static_cast<int>(dims);
        while (TRY(dur.step()))
            rows.duration(keys_of(dur), dur.int64(d), dur.is_null(d + 1) ? std::nullopt : std::optional<int64_t>(dur.int64(d + 1)),
                          dur.text(d + 2));
        if (m_version >= rollup::kCellsVersion) {
            auto sv = TRY(m_read.prepare(sql.surveys));
            sv.bind(1, from_day).bind(2, to_day);
            while (TRY(sv.step()))
                rows.survey(keys_of(sv), sv.is_null(d) ? std::nullopt : std::optional<int64_t>(sv.int64(d)), sv.text(d + 1));
        }
        if (!sql.tickets.empty() && m_version >= rollup::kQueueVersion) {
            auto tk = TRY(m_read.prepare(sql.tickets));
            tk.bind(1, from_day).bind(2, to_day);
            while (TRY(tk.step()))
                rows.ticket(keys_of(tk), tk.text(d), tk.int64(d + 1), tk.is_null(d + 2) ? std::nullopt : std::optional<int64_t>(tk.int64(d + 2)));
        }
        auto t = TRY(m_read.prepare("SELECT no, id FROM terminals"));
        while (TRY(t.step()))
            ids[std::to_string(t.int64(0))] = t.text(1);
        return {};
        };
        auto done = read();
        (void)m_read.exec(done.ok() ? "COMMIT" : "ROLLBACK");
        if (!done.ok())
            return done.error();
        return rows.finish(query, ids);
    }

    // The indicators' measures from the rollup: whole months from the month cells, other days from the day cells.
    Result<std::vector<MeasureRow>> rollup_measures(const MeasureQuery& query)
    {
        rollup::CellCollector cells(query);
        TRY(cells.check());
        auto [from_day, to_day] = rollup::query_days(query);
        std::map<int64_t, std::string> ids;
        std::lock_guard lock(m_read_mutex);
        TRY(m_read.exec("BEGIN"));
        auto read = [&]() -> Result<void> {
            auto st = TRY(m_read.cached(std::string("SELECT ") + rollup::kKeyColumns + ", " + rollup::kCellColumns
                                        + " FROM app_rollup WHERE grain = ? AND period >= ? AND period < ?"));
            for (const auto& r : rollup::plan(from_day, to_day, query.months_suffice)) {
                st.bind(1, int64_t{r.grain}).bind(2, r.from).bind(3, r.to);
                while (TRY(st.step())) {
                    sqlite_store::SqliteRowView row{st};
                    const int h = 8 + rollup::kCellIntColumns;
                    cells.add(rollup::read_key(row), rollup::read_cell(row, 8, false),
                              {row.str(h), row.str(h + 1), row.str(h + 2), row.str(h + 3)});
                }
                st.reset();
            }
            if (rollup::tickets_apply(query.group_by) && m_version >= rollup::kQueueVersion) {
                auto tk = TRY(m_read.cached(std::string("SELECT ") + rollup::kTicketKeyColumns + ", " + rollup::kTicketCellColumns
                                            + " FROM ticket_rollup WHERE grain = ? AND period >= ? AND period < ?"));
                for (const auto& r : rollup::plan(from_day, to_day, query.months_suffice)) {
                    tk.bind(1, int64_t{r.grain}).bind(2, r.from).bind(3, r.to);
                    while (TRY(tk.step())) {
                        sqlite_store::SqliteRowView row{tk};
                        cells.add_tickets(rollup::read_ticket_key(row), rollup::read_ticket_cell(row, 6, false), row.str(10));
                    }
                    tk.reset();
                }
            }
            auto t = TRY(m_read.cached("SELECT no, id FROM terminals"));
            while (TRY(t.step()))
                ids[t.int64(0)] = t.text(1);
            t.reset();
            return {};
        };
        auto done = read();
        (void)m_read.exec(done.ok() ? "COMMIT" : "ROLLBACK");
        if (!done.ok())
            return done.error();
        return cells.finish(ids);
    }

    Result<std::vector<HistoryRow>> application_history(const std::string& terminal_id, const std::string& reference) override
    {
        std::lock_guard lock(m_read_mutex);
        auto st = TRY(m_read.prepare(
            "SELECT h.status, h.actor, h.time_ms, h.received_ms FROM application_history h JOIN terminals t ON t.no = h.terminal "
            "WHERE t.id = ? AND h.reference = ? ORDER BY h.received_ms, h.seq"));
        st.bind(1, terminal_id).bind(2, reference);
        std::vector<HistoryRow> out;
        while (TRY(st.step()))
            out.push_back({st.text(0), st.text(1), st.int64(2), st.int64(3)});
        return out;
    }

    Result<std::vector<ApplicationCount>> applications_by_status(int64_t from_ms, int64_t to_ms) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.prepare(
            "SELECT centre, entity, service_code, status, COUNT(*) FROM applications WHERE submitted_ms >= ? AND submitted_ms < ? "
            "GROUP BY centre, entity, service_code, status ORDER BY 1, 2, 3, 4"));
        st.bind(1, from_ms).bind(2, to_ms);
        std::vector<ApplicationCount> out;
        while (TRY(st.step()))
            out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.int64(4)});
        return out;
    }

    Result<int64_t> stored_bytes() override
    {
        std::lock_guard lock(m_mutex);
        int64_t pages = TRY(m_db.scalar_int64("PRAGMA page_count"));
        int64_t free_pages = TRY(m_db.scalar_int64("PRAGMA freelist_count"));
        int64_t size = TRY(m_db.scalar_int64("PRAGMA page_size"));
        return (pages - free_pages) * size;
    }

    // State shared with other instances (central/front): DIR/central-state.db, see shared_state.h.
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

    // ---- The transparency log (reads from the read connection: a WAL snapshot of the last commit) ----

    Result<int64_t> log_size() override
    {
        std::lock_guard lock(m_read_mutex);
        auto st = TRY(m_read.cached("SELECT size FROM log_head WHERE id = 1"));
        if (!TRY(st.step()))
            return int64_t(0);
        return st.int64(0);
    }

    Result<std::vector<protocol::MerkleHash>> log_leaf_hashes(int64_t from, int64_t to) override
    {
        std::lock_guard lock(m_read_mutex);
        auto head = TRY(m_read.cached("SELECT size FROM log_head WHERE id = 1"));
        int64_t size = TRY(head.step()) ? head.int64(0) : 0;
        to = std::min(to, size);
        std::vector<protocol::MerkleHash> out;
        if (from >= to)
            return out;
        out.reserve(static_cast<size_t>(to - from));
        auto st = TRY(m_read.cached("SELECT idx, leaf FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx"));
        st.bind(1, from).bind(2, to);
        while (TRY(st.step())) {
            if (st.int64(0) != from + static_cast<int64_t>(out.size()))
                return Error::make("error.central.log_corrupt", "the log has no leaf " + std::to_string(from + out.size()));
            auto blob = st.blob(1);
            if (blob.size() != 32)
                return Error::make("error.central.log_corrupt", "leaf " + std::to_string(st.int64(0)) + " is not a hash");
            protocol::MerkleHash h;
            std::copy(blob.begin(), blob.end(), h.begin());
            out.push_back(h);
        }
        if (static_cast<int64_t>(out.size()) != to - from)
            return Error::make("error.central.log_corrupt", "the log has no leaf " + std::to_string(from + out.size()));
        return out;
    }

    Result<std::optional<LogLeaf>> log_leaf_of(const std::string& terminal_id, int64_t seq) override
    {
        std::lock_guard lock(m_read_mutex);
        auto st = TRY(m_read.cached("SELECT l.idx, l.leaf FROM log_leaves l JOIN terminals t ON t.no = l.terminal "
                                    "WHERE t.id = ? AND l.seq = ?"));
        st.bind(1, terminal_id).bind(2, seq);
        if (!TRY(st.step()))
            return std::optional<LogLeaf>();
        return std::optional<LogLeaf>(leaf_row(st.int64(0), terminal_id, seq, st.blob(1)));
    }

    Result<std::optional<LogLeaf>> log_leaf_at(int64_t index) override
    {
        std::lock_guard lock(m_read_mutex);
        auto st = TRY(m_read.cached("SELECT t.id, l.seq, l.leaf FROM log_leaves l JOIN terminals t ON t.no = l.terminal "
                                    "WHERE l.idx = ?"));
        st.bind(1, index);
        if (!TRY(st.step()))
            return std::optional<LogLeaf>();
        return std::optional<LogLeaf>(leaf_row(index, st.text(0), st.int64(1), st.blob(2)));
    }

    Result<std::optional<int64_t>> submission_seq(const std::string& terminal_id, const std::string& reference) override
    {
        std::lock_guard lock(m_read_mutex);
        auto st = TRY(m_read.cached("SELECT MIN(h.seq) FROM application_history h JOIN terminals t ON t.no = h.terminal "
                                    "WHERE t.id = ? AND h.reference = ? AND h.status = 'submitted' AND h.seq > 0"));
        st.bind(1, terminal_id).bind(2, reference);
        if (!TRY(st.step()) || st.is_null(0))
            return std::optional<int64_t>();
        return std::optional<int64_t>(st.int64(0));
    }

    Result<std::optional<SignedEntry>> entry_at(const std::string& terminal_id, int64_t seq) override
    {
        int64_t no = 0;
        {
            std::lock_guard lock(m_mutex);
            auto t = TRY(find_locked(terminal_id));
            if (!t)
                return std::optional<SignedEntry>();
            no = t->no;
        }
        std::optional<SignedEntry> out;
        TRY(scan_range(no, terminal_id, seq - 1, seq, 0, [&](const SignedEntry& e) -> Result<void> {
            out = e;
            return {};
        }));
        return out;
    }

    Result<void> add_checkpoint(const StoredCheckpoint& c) override
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached("INSERT OR IGNORE INTO log_checkpoints(size, root, time_ms, statement) VALUES(?,?,?,?)"));
        st.bind(1, c.size).bind(2, c.root).bind(3, c.time_ms).bind(4, c.statement);
        TRY(st.run());
        return {};
    }

    Result<std::optional<StoredCheckpoint>> latest_checkpoint() override
    {
        std::lock_guard lock(m_read_mutex);
        auto st = TRY(m_read.cached("SELECT size, root, time_ms, statement FROM log_checkpoints ORDER BY size DESC LIMIT 1"));
        if (!TRY(st.step()))
            return std::optional<StoredCheckpoint>();
        return std::optional<StoredCheckpoint>(StoredCheckpoint{st.int64(0), st.text(1), st.int64(2), st.text(3)});
    }

    Result<bool> log_needs_backfill() override
    {
        std::lock_guard lock(m_mutex);
        return TRY(m_db.scalar_int64("SELECT backfilled FROM log_head WHERE id = 1")) == 0;
    }

    Result<int64_t> log_backfill(const std::vector<LogLeaf>& leaves) override
    {
        std::lock_guard lock(m_mutex);
        auto tx = TRY(db::Transaction::begin(m_db));
        if (TRY(m_db.scalar_int64("SELECT backfilled FROM log_head WHERE id = 1")) != 0)
            return int64_t(0);
        int64_t index = TRY(m_db.scalar_int64("SELECT size FROM log_head WHERE id = 1"));
        int64_t added = 0;
        for (const auto& l : leaves) {
            auto t = TRY(find_locked(l.terminal_id));
            if (!t)
                continue;
            auto ins = TRY(m_db.cached("INSERT OR IGNORE INTO log_leaves(idx, terminal, seq, leaf) VALUES(?,?,?,?)"));
            ins.bind(1, index).bind(2, t->no).bind(3, l.seq)
                .bind_blob(4, std::string_view(reinterpret_cast<const char*>(l.hash.data()), l.hash.size()));
            TRY(ins.run());
            if (m_db.changes() > 0) {
                ++index;
                ++added;
            }
        }
        auto upd = TRY(m_db.cached("UPDATE log_head SET size = ?, backfilled = 1 WHERE id = 1"));
        upd.bind(1, index);
        TRY(upd.run());
        TRY(tx.commit());
        return added;
    }

    std::unique_ptr<SqliteSharedState> m_state;

private:
    static LogLeaf leaf_row(int64_t index, const std::string& terminal_id, int64_t seq, const std::string& blob)
    {
        LogLeaf l;
        l.index = index;
        l.terminal_id = terminal_id;
        l.seq = seq;
        if (blob.size() == l.hash.size())
            std::copy(blob.begin(), blob.end(), l.hash.begin());
        return l;
    }

    // The zones of the latest catalogue (reloaded when a newer one is imported, by any instance).
    Result<rollup::ZoneBook> zones_locked()
    {
        int64_t version = TRY(m_db.scalar_int64("SELECT COALESCE(MAX(version), 0) FROM catalogues"));
        if (version != m_zones_version) {
            m_zones = TRY(sqlite_store::zones(m_db));
            m_zones_version = version;
        }
        return m_zones;
    }
    rollup::ZoneBook m_zones;
    int64_t m_zones_version = -1;

    Result<std::optional<Terminal>> find_locked(const std::string& terminal_id)
    {
        auto st = TRY(m_db.cached(std::string("SELECT ") + kTerminalColumns + " FROM terminals WHERE id = ?"));
        st.bind(1, terminal_id);
        if (!TRY(st.step()))
            return std::optional<Terminal>();
        return std::optional<Terminal>(read_terminal(st));
    }

    // The hash of the entry before `seq` (kGenesisHash for seq 1): the prev recorded for the batch that holds seq,
    // then the entries from the batch's start rebuilt one after another.
    Result<std::string> hash_before_locked(int64_t no, const std::string& tid, int64_t seq)
    {
        if (seq <= 1)
            return protocol::kGenesisHash;
        int64_t start = 1;
        std::string prev = protocol::kGenesisHash;
        {
            auto b = TRY(m_db.cached("SELECT first_seq, first_prev FROM batches WHERE terminal = ? AND first_seq <= ? "
                                     "ORDER BY first_seq DESC LIMIT 1"));
            b.bind(1, no).bind(2, seq);
            if (TRY(b.step())) {
                start = b.int64(0);
                prev = b.is_null(1) ? std::string() : b.text(1); // null: a batch stored before codec 2
            }
        }
        if (start == seq && !prev.empty())
            return prev;
        if (start == seq)
            start = seq - 1; // the entry before is self-contained (codec 1)
        auto st = TRY(m_db.cached("SELECT seq, body FROM entries WHERE terminal = ? AND seq >= ? AND seq < ? ORDER BY seq"));
        st.bind(1, no).bind(2, start).bind(3, seq);
        while (TRY(st.step()))
            prev = protocol::sha256_hex(TRY(decode_signed_bytes(st.blob(1), prev, tid)));
        return prev;
    }

    // seq -> hash of the stored entries from..to.
    Result<std::map<int64_t, std::string>> stored_hashes_locked(int64_t no, const std::string& tid, int64_t from, int64_t to)
    {
        std::map<int64_t, std::string> out;
        std::string prev = TRY(hash_before_locked(no, tid, from));
        auto st = TRY(m_db.cached("SELECT seq, body FROM entries WHERE terminal = ? AND seq >= ? AND seq <= ? ORDER BY seq"));
        st.bind(1, no).bind(2, from).bind(3, to);
        while (TRY(st.step())) {
            prev = protocol::sha256_hex(TRY(decode_signed_bytes(st.blob(1), prev, tid)));
            out[st.int64(0)] = prev;
        }
        return out;
    }

    // Entries of terminal `no` with after < seq <= last, a page at a time (the lock is not held while `fn` runs).
    Result<void> scan_range(int64_t no, const std::string& tid, int64_t after, int64_t last, int32_t month,
                            const std::function<Result<void>(const SignedEntry&)>& fn)
    {
        constexpr int64_t kPage = 2000;
        std::string prev;
        int64_t expect = -1;
        for (;;) {
            std::vector<SignedEntry> page;
            {
                std::lock_guard lock(m_mutex);
                auto st = TRY(m_db.cached("SELECT seq, body, sig FROM entries WHERE terminal = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?"));
                st.bind(1, no).bind(2, after).bind(3, last).bind(4, kPage);
                while (TRY(st.step())) {
                    SignedEntry e;
                    e.seq = st.int64(0);
                    e.month = month;
                    auto body = st.blob(1);
                    if (e.seq != expect && needs_prev(body))
                        prev = TRY(hash_before_locked(no, tid, e.seq));
                    e.bytes = TRY(decode_signed_bytes(body, prev, tid));
                    e.signature = st.blob(2);
                    prev = protocol::sha256_hex(e.bytes);
                    expect = e.seq + 1;
                    page.push_back(std::move(e));
                }
            }
            for (const auto& e : page)
                TRY(fn(e));
            if (static_cast<int64_t>(page.size()) < kPage)
                return {};
            after = page.back().seq;
        }
    }

    std::mutex m_mutex;
    db::Db m_db;
    std::mutex m_read_mutex;
    db::Db m_read; // a second connection for the reads every poll makes
    int m_version = 0;
};

} // namespace

int sqlite_schema_latest() { return sqlite_store::latest_version(); }

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir, const OpenOptions& options)
{
    TRY(fs::ensure_dir(data_dir, 0700));
    // Checked at every start: the folder 0700, its files 0600 (narrowed with a warning), never another user's.
    for (auto& warning : TRY(fs::secure_data_dir(data_dir)))
        log::warn("data", warning);
    TRY(fs::create_file_once(data_dir / "central.db", "", 0600)); // its -wal and -shm get the same mode
    auto db = TRY(db::Db::open(data_dir / "central.db", db::OpenMode::ReadWriteCreate, 10000));
    int version = TRY(sqlite_store::migrate(db, options.target_version));
    auto read = TRY(db::Db::open(data_dir / "central.db", db::OpenMode::ReadOnly, 10000));
    auto store = std::make_unique<SqliteStore>(std::move(db), std::move(read), version);
    store->m_state = TRY(SqliteSharedState::open(data_dir));
    if (version == sqlite_store::latest_version())
        TRY(backfill_log(*store));
    if (version == sqlite_store::latest_version())
        TRY(backfill_z_reports(*store));
    return std::unique_ptr<Store>(std::move(store));
}

Result<int64_t> backup_sqlite_store(const std::filesystem::path& data_dir, const std::filesystem::path& target)
{
    auto source_file = data_dir / "central.db";
    if (!std::filesystem::exists(source_file))
        return Error::make("error.central.storage", "no store at " + source_file.string());
    if (std::filesystem::exists(target))
        return Error::make("error.central.backup_exists", target.string() + " already exists");
    auto source = TRY(db::Db::open(source_file, db::OpenMode::ReadOnly, 10000));
    auto partial = target;
    partial += ".partial";
    std::filesystem::remove(partial);
    {
        auto dest = TRY(db::Db::open(partial, db::OpenMode::ReadWriteCreate, 10000));
        // One step copies every page inside one read transaction: a consistent copy, and in WAL mode writers
        // carry on meanwhile.
        sqlite3_backup* b = sqlite3_backup_init(dest.handle(), "main", source.handle(), "main");
        if (!b)
            return Error::make("error.central.storage", std::string("backup: ") + sqlite3_errmsg(dest.handle()));
        int rc = sqlite3_backup_step(b, -1);
        sqlite3_backup_finish(b);
        if (rc != SQLITE_DONE)
            return Error::make("error.central.storage", std::string("backup: ") + sqlite3_errstr(rc));
        {
            auto check = TRY(dest.prepare("PRAGMA integrity_check"));
            if (!TRY(check.step()) || check.text(0) != "ok")
                return Error::make("error.central.storage", "the backup copy fails integrity_check");
        }
        TRY(dest.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    }
    std::filesystem::rename(partial, target);
    std::filesystem::remove(std::filesystem::path(partial.string() + "-wal"));
    std::filesystem::remove(std::filesystem::path(partial.string() + "-shm"));
    TRY(fs::fsync_dir(target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path()));
    auto copy = TRY(db::Db::open(target, db::OpenMode::ReadOnly, 10000));
    return TRY(copy.scalar_int64("SELECT COALESCE(SUM(entries), 0) FROM terminals"));
}

} // namespace nafitha::central
