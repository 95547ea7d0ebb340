// Numbered migrations of the SQLite central store. PRAGMA user_version holds the version; a database from
// before versioning (tables but user_version 0) is version 1. Each migration runs in its own transaction and
// is tested from the previous version holding data (tests/store/test_migrations.cpp). Never edit a migration
// that has shipped: add the next one.

#include "central/store/codec.h"
#include "central/store/sqlite/internal.h"
#include "central/store/store.h"

#include "base/log.h"
#include "sync/protocol/canonical.h"

#include <sqlite3.h>

#include <map>

namespace nafitha::central::sqlite_store {

namespace {

// Version 1: the first schema (payloads re-serialised, one text row per entry). Kept verbatim so that a fresh
// store walks the same path as an old one.
const char* kV1 = R"SQL(
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

Result<void> migrate_v1(db::Db& db) { return db.exec(kV1); }

// Version 2: each entry's signed bytes as received (compressed, codec.h) and its raw signature, keyed by a small
// terminal number; a log of batches (receipt time, for monthly archives); projections with times in ms, the
// fields the indicators need, their indexes, and paid amounts on the application; entries counted per day and
// type; shared settings.
const char* kV2Tables = R"SQL(
DROP TRIGGER entries_no_update;
DROP TRIGGER entries_no_delete;
DROP INDEX applications_by_reference;
ALTER TABLE terminals RENAME TO terminals_v1;
ALTER TABLE entries RENAME TO entries_v1;
ALTER TABLE applications RENAME TO applications_v1;
ALTER TABLE payments RENAME TO payments_v1;
ALTER TABLE tickets RENAME TO tickets_v1;
ALTER TABLE surveys RENAME TO surveys_v1;
CREATE TABLE settings(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE terminals(
  no INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, centre TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
  public_key TEXT NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0, last_hash TEXT NOT NULL,
  entries INTEGER NOT NULL DEFAULT 0, enrolled_ms INTEGER NOT NULL, last_ingest_ms INTEGER NOT NULL DEFAULT 0);
CREATE TABLE entries(
  terminal INTEGER NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, sig BLOB NOT NULL,
  PRIMARY KEY(terminal, seq)) WITHOUT ROWID;
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TABLE batches(
  terminal INTEGER NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, received_ms INTEGER NOT NULL,
  PRIMARY KEY(terminal, first_seq)) WITHOUT ROWID;
CREATE INDEX batches_by_time ON batches(received_ms);
CREATE TABLE applications(
  terminal INTEGER NOT NULL, reference TEXT NOT NULL, centre TEXT NOT NULL, entity TEXT NOT NULL,
  service_code TEXT NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL, fee_minor INTEGER,
  paid_minor INTEGER NOT NULL DEFAULT 0, submitted_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,
  PRIMARY KEY(terminal, reference)) WITHOUT ROWID;
CREATE INDEX applications_by_reference ON applications(reference);
CREATE INDEX applications_by_centre ON applications(centre, submitted_ms);
CREATE INDEX applications_by_service ON applications(entity, service_code, status);
CREATE TABLE payments(
  terminal INTEGER NOT NULL, seq INTEGER NOT NULL, reference TEXT NOT NULL, centre TEXT NOT NULL, method TEXT NOT NULL,
  amount_minor INTEGER, time_ms INTEGER NOT NULL, PRIMARY KEY(terminal, seq)) WITHOUT ROWID;
CREATE INDEX payments_by_centre ON payments(centre, time_ms);
CREATE TABLE tickets(
  terminal INTEGER NOT NULL, ticket TEXT NOT NULL, centre TEXT NOT NULL, category TEXT NOT NULL, status TEXT NOT NULL,
  issued_ms INTEGER NOT NULL, called_ms INTEGER, served_ms INTEGER, PRIMARY KEY(terminal, ticket)) WITHOUT ROWID;
CREATE TABLE surveys(
  terminal INTEGER NOT NULL, seq INTEGER NOT NULL, reference TEXT NOT NULL, rating INTEGER, time_ms INTEGER NOT NULL,
  PRIMARY KEY(terminal, seq)) WITHOUT ROWID;
CREATE TABLE entry_days(
  day INTEGER NOT NULL, type TEXT NOT NULL, terminal INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY(day, type, terminal)) WITHOUT ROWID;
INSERT INTO terminals(id, centre, name, status, public_key, last_seq, last_hash, entries, enrolled_ms, last_ingest_ms)
  SELECT id, centre, name, status, public_key, last_seq, last_hash, entries, enrolled_ms, last_ingest_ms
  FROM terminals_v1 ORDER BY enrolled_ms, id;
)SQL";

// iso_ms(text): the ISO 8601 time as unix ms, NULL when it does not parse.
void iso_ms(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    const unsigned char* text = sqlite3_value_text(argv[0]);
    auto ms = text ? parse_time_ms(reinterpret_cast<const char*>(text)) : std::nullopt;
    if (ms)
        sqlite3_result_int64(ctx, *ms);
    else
        sqlite3_result_null(ctx);
}

// The projection writes as version 2 made them (a frozen copy: later versions change the live one).
Result<void> apply_facts_v2(db::Db& db, int64_t t, const BatchFacts& f)
{
    // A reference submitted again (an earlier batch has it) keeps its row; what this batch did to it still counts.
    for (const auto& a : f.applications) {
        auto st = TRY(db.cached(
            "INSERT INTO applications(terminal, reference, centre, entity, service_code, channel, status, fee_minor, "
            "paid_minor, submitted_ms, updated_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(terminal, reference) DO UPDATE SET "
            "status = CASE WHEN excluded.status <> 'submitted' THEN excluded.status ELSE status END, "
            "updated_ms = CASE WHEN excluded.status <> 'submitted' THEN excluded.updated_ms ELSE updated_ms END, "
            "paid_minor = paid_minor + excluded.paid_minor"));
        st.bind(1, t).bind(2, a.reference).bind(3, a.centre).bind(4, a.entity).bind(5, a.service_code).bind(6, a.channel)
            .bind(7, a.status).bind(8, a.fee_minor).bind(9, a.paid_minor).bind(10, a.submitted_ms).bind(11, a.updated_ms);
        TRY(st.run());
    }
    for (const auto& [ref, s] : f.statuses) {
        auto st = TRY(db.cached("UPDATE applications SET status = ?, updated_ms = ? WHERE terminal = ? AND reference = ?"));
        st.bind(1, s.status).bind(2, s.time_ms).bind(3, t).bind(4, ref);
        TRY(st.run());
    }
    for (const auto& p : f.payments) {
        auto st = TRY(db.cached(
            "INSERT OR IGNORE INTO payments(terminal, seq, reference, centre, method, amount_minor, time_ms) VALUES(?1,?2,?3,?4,?5,?6,?7)"));
        st.bind(1, t).bind(2, p.seq).bind(3, p.reference).bind(4, p.centre).bind(5, p.method).bind(6, p.amount_minor).bind(7, p.time_ms);
        TRY(st.run());
    }
    for (const auto& [ref, amount] : f.paid) {
        auto st = TRY(db.cached("UPDATE applications SET paid_minor = paid_minor + ? WHERE terminal = ? AND reference = ?"));
        st.bind(1, amount).bind(2, t).bind(3, ref);
        TRY(st.run());
    }
    for (const auto& k : f.tickets) {
        auto st = TRY(db.cached(
            "INSERT INTO tickets(terminal, ticket, centre, category, status, issued_ms, called_ms, served_ms) VALUES(?,?,?,?,?,?,?,?) "
            "ON CONFLICT(terminal, ticket) DO UPDATE SET status = CASE WHEN excluded.status <> 'issued' THEN excluded.status ELSE status END, "
            "called_ms = COALESCE(called_ms, excluded.called_ms), served_ms = COALESCE(excluded.served_ms, served_ms)"));
        st.bind(1, t).bind(2, k.ticket).bind(3, k.centre).bind(4, k.category).bind(5, k.status).bind(6, k.issued_ms)
            .bind(7, k.called_ms).bind(8, k.served_ms);
        TRY(st.run());
    }
    for (const auto& [ticket, c] : f.ticket_changes) {
        auto st = TRY(db.cached("UPDATE tickets SET status = ?, called_ms = COALESCE(called_ms, ?), served_ms = COALESCE(?, served_ms) "
                                "WHERE terminal = ? AND ticket = ?"));
        st.bind(1, c.status).bind(2, c.called_ms).bind(3, c.done_ms).bind(4, t).bind(5, ticket);
        TRY(st.run());
    }
    for (const auto& s : f.surveys) {
        auto st = TRY(db.cached("INSERT OR IGNORE INTO surveys(terminal, seq, reference, rating, time_ms) VALUES(?,?,?,?,?)"));
        st.bind(1, t).bind(2, s.seq).bind(3, s.reference).bind(4, s.rating).bind(5, s.time_ms);
        TRY(st.run());
    }
    for (const auto& [key, n] : f.day_counts) {
        auto st = TRY(db.cached("INSERT INTO entry_days(day, type, terminal, n) VALUES(?,?,?,?) "
                                "ON CONFLICT(day, type, terminal) DO UPDATE SET n = n + excluded.n"));
        st.bind(1, static_cast<int64_t>(key.first)).bind(2, key.second).bind(3, t).bind(4, n);
        TRY(st.run());
    }
    return {};
}

Result<void> migrate_v2(db::Db& db)
{
    TRY(db.exec(kV2Tables));
    // Entries: the signed bytes are rebuilt from the stored fields (the payload was kept as compact sorted JSON);
    // each must hash to the stored hash. One that does not is kept as rebuilt, and `verify` will name it.
    auto rows = TRY(db.prepare(
        "SELECT t.no, t.centre, e.seq, e.id, e.terminal_id, e.type, e.time, e.payload, e.prev_hash, e.hash, e.signature, "
        "e.received_ms FROM entries_v1 e JOIN terminals t ON t.id = e.terminal_id ORDER BY t.no, e.seq"));
    auto ins = TRY(db.prepare("INSERT INTO entries(terminal, seq, body, sig) VALUES(?,?,?,?)"));
    auto batch = TRY(db.prepare("INSERT INTO batches(terminal, first_seq, last_seq, received_ms) VALUES(?,?,?,?)"));
    int64_t converted = 0, mismatched = 0;
    int64_t cur_terminal = -1, first = 0, last = 0, received = 0;
    std::string cur_centre;
    std::vector<protocol::Entry> chain;
    auto flush_batch = [&]() -> Result<void> {
        if (cur_terminal < 0 || first == 0)
            return {};
        batch.bind(1, cur_terminal).bind(2, first).bind(3, last).bind(4, received);
        TRY(batch.run());
        batch.reset();
        first = 0;
        return {};
    };
    auto flush_terminal = [&]() -> Result<void> {
        TRY(flush_batch());
        if (cur_terminal >= 0 && !chain.empty())
            TRY(apply_facts_v2(db, cur_terminal, project_batch(chain, 0, cur_centre)));
        chain.clear();
        return {};
    };
    while (TRY(rows.step())) {
        int64_t no = rows.int64(0);
        if (no != cur_terminal) {
            TRY(flush_terminal());
            cur_terminal = no;
            cur_centre = rows.text(1);
        }
        protocol::Entry e;
        e.seq = rows.int64(2);
        e.id = rows.text(3);
        e.terminal_id = rows.text(4);
        e.type = rows.text(5);
        e.time = rows.text(6);
        e.payload = nlohmann::json::parse(rows.text(7), nullptr, false);
        e.prev_hash = rows.text(8);
        e.hash = rows.text(9);
        e.signature = rows.text(10);
        int64_t received_ms = rows.int64(11);
        if (e.payload.is_discarded())
            e.payload = nlohmann::json::object();
        auto bytes = protocol::signing_bytes(e);
        std::string signed_bytes = bytes.ok() ? bytes.value() : std::string();
        if (protocol::sha256_hex(signed_bytes) != e.hash)
            ++mismatched;
        auto sig = protocol::from_base64(e.signature);
        ins.bind(1, no).bind(2, e.seq).bind_blob(3, encode_signed_bytes(signed_bytes)).bind_blob(4, sig.ok() ? sig.value() : std::string());
        TRY(ins.run());
        ins.reset();
        // Consecutive entries received in the same millisecond came in one batch.
        if (first != 0 && received_ms != received)
            TRY(flush_batch());
        if (first == 0) {
            first = e.seq;
            received = received_ms;
        }
        last = e.seq;
        chain.push_back(std::move(e));
        ++converted;
        if (chain.size() >= 5000) { // bounded memory: project in slices
            TRY(apply_facts_v2(db, cur_terminal, project_batch(chain, 0, cur_centre)));
            chain.clear();
        }
    }
    TRY(flush_terminal());
    // The projections were rebuilt from the journal; the current status of each application (which central
    // decisions also set) is carried over as it was.
    TRY(db.exec(R"SQL(
UPDATE applications SET status = v1.status, updated_ms = COALESCE(iso_ms(v1.updated_at), applications.updated_ms)
  FROM applications_v1 v1 JOIN terminals t ON t.id = v1.terminal_id
  WHERE applications.terminal = t.no AND applications.reference = v1.reference;
DROP TABLE entries_v1;
DROP TABLE terminals_v1;
DROP TABLE applications_v1;
DROP TABLE payments_v1;
DROP TABLE tickets_v1;
DROP TABLE surveys_v1;
)SQL"));
    if (converted > 0)
        log::info("central", "store migration 2: " + std::to_string(converted) + " entries converted to signed bytes"
                                 + (mismatched ? ", " + std::to_string(mismatched) + " do not match their hash (run verify)" : ""));
    return {};
}

// Version 3: the health probe's heartbeat rows (central/front writes one per instance; the state of central/front
// itself lives in DIR/central-state.db, see shared_state.h).
Result<void> migrate_v3(db::Db& db)
{
    return db.exec("CREATE TABLE IF NOT EXISTS central_heartbeat(instance TEXT PRIMARY KEY, time_ms INTEGER NOT NULL)");
}

// Version 4: new entries are stored with codec 2 (codec.h: the prev and terminal values left out, 40 bytes less
// each); the batch log keeps the prev of each batch's first entry, from which any entry is rebuilt. Batches
// stored before have none: their entries are codec 1 and need nothing.
Result<void> migrate_v4(db::Db& db) { return db.exec("ALTER TABLE batches ADD COLUMN first_prev TEXT"); }

// Version 5: each payment records whether its application was known when it arrived; the reconciliation finds
// the unmatched ones through a partial index.
Result<void> migrate_v5(db::Db& db)
{
    return db.exec(R"SQL(
ALTER TABLE payments ADD COLUMN application_known INTEGER NOT NULL DEFAULT 1;
UPDATE payments SET application_known = EXISTS (
  SELECT 1 FROM applications a WHERE a.terminal = payments.terminal AND a.reference = payments.reference);
CREATE INDEX payments_unmatched ON payments(centre, time_ms) WHERE NOT application_known;
)SQL");
}

// Version 6: the facts the indicators stand on (issue 15). The enrolled centre is authoritative: rows projected
// before with the payload's centre move to the terminal's enrolled centre, the payload's kept as a flagged claim
// (claimed_centre). Applications gain category, exemption, waived amount, staff, and the first decision and
// "ready" times; payments their service and waived amount; surveys their centre and service; every status change
// is kept in application_history (the terminal's time and central's receipt time; seq < 0: central's own
// decision, the cursor negated). Rows projected before this version have no category, exemption, waived amount
// or staff (empty/0/NULL); their history is rebuilt from what the projection kept (the submission and the last
// status).
Result<void> migrate_v6(db::Db& db)
{
    return db.exec(R"SQL(
ALTER TABLE applications ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN exemption TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN waived_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN staff_id INTEGER;
ALTER TABLE applications ADD COLUMN claimed_centre TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN decided_ms INTEGER;
ALTER TABLE applications ADD COLUMN ready_ms INTEGER;
ALTER TABLE applications ADD COLUMN surveys INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN rating_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN ratings INTEGER NOT NULL DEFAULT 0;
CREATE INDEX applications_by_time ON applications(submitted_ms);
UPDATE applications SET claimed_centre = centre,
  centre = (SELECT t.centre FROM terminals t WHERE t.no = applications.terminal)
  WHERE centre <> (SELECT t.centre FROM terminals t WHERE t.no = applications.terminal);
UPDATE applications SET decided_ms = updated_ms WHERE status IN ('approved', 'rejected', 'ready', 'delivered');
UPDATE applications SET ready_ms = updated_ms WHERE status = 'ready';
UPDATE payments SET centre = (SELECT t.centre FROM terminals t WHERE t.no = payments.terminal);
UPDATE tickets SET centre = (SELECT t.centre FROM terminals t WHERE t.no = tickets.terminal);
ALTER TABLE payments ADD COLUMN service_code TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN waived_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE surveys ADD COLUMN centre TEXT NOT NULL DEFAULT '';
ALTER TABLE surveys ADD COLUMN service_code TEXT NOT NULL DEFAULT '';
UPDATE surveys SET centre = (SELECT t.centre FROM terminals t WHERE t.no = surveys.terminal);
UPDATE surveys SET service_code = COALESCE((SELECT a.service_code FROM applications a
  WHERE a.terminal = surveys.terminal AND a.reference = surveys.reference), '');
CREATE INDEX surveys_by_reference ON surveys(terminal, reference);
UPDATE applications SET
  surveys = (SELECT COUNT(*) FROM surveys s WHERE s.terminal = applications.terminal AND s.reference = applications.reference),
  rating_sum = (SELECT COALESCE(SUM(rating), 0) FROM surveys s WHERE s.terminal = applications.terminal
    AND s.reference = applications.reference AND rating BETWEEN 1 AND 5),
  ratings = (SELECT COUNT(*) FROM surveys s WHERE s.terminal = applications.terminal AND s.reference = applications.reference
    AND rating BETWEEN 1 AND 5);
CREATE TABLE application_history(
  terminal INTEGER NOT NULL, reference TEXT NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL, actor TEXT NOT NULL,
  time_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL, PRIMARY KEY(terminal, reference, seq)) WITHOUT ROWID;
INSERT INTO application_history(terminal, reference, seq, status, actor, time_ms, received_ms)
  SELECT terminal, reference, 0, 'submitted', '', submitted_ms, submitted_ms FROM applications;
INSERT INTO application_history(terminal, reference, seq, status, actor, time_ms, received_ms)
  SELECT terminal, reference, 1, status, '', updated_ms, updated_ms FROM applications WHERE status <> 'submitted';
)SQL");
}

// Version 7: the national transparency log (issue 14). Every accepted entry is a leaf (its RFC 9162 leaf hash,
// over the entry's signed bytes), numbered in the order the ingest transactions commit: log_head holds the size,
// read and advanced inside the ingest transaction. Signed checkpoints are kept, one per size. Entries stored
// before this version get their leaves when the store is next opened (backfilled = 0 until then): decoding
// them needs the entry codec, which SQL does not have.
Result<void> migrate_v7(db::Db& db)
{
    return db.exec(R"SQL(
CREATE TABLE log_leaves(idx INTEGER PRIMARY KEY, terminal INTEGER NOT NULL, seq INTEGER NOT NULL, leaf BLOB NOT NULL);
CREATE UNIQUE INDEX log_leaves_by_entry ON log_leaves(terminal, seq);
CREATE TABLE log_head(id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, backfilled INTEGER NOT NULL);
INSERT INTO log_head(id, size, backfilled) SELECT 1, 0, NOT EXISTS (SELECT 1 FROM entries);
CREATE TABLE log_checkpoints(size INTEGER PRIMARY KEY, root TEXT NOT NULL, time_ms INTEGER NOT NULL, statement TEXT NOT NULL);
)SQL");
}

// Version 8: the indicators' rollup (central/store/rollup.h): each application's local day (its centre's zone in
// the latest catalogue), and the day and month cells with their duration histograms, built here from the
// applications already stored and kept by every ingest and decision after.
Result<void> migrate_v8(db::Db& db)
{
    TRY(db.exec(R"SQL(
ALTER TABLE applications ADD COLUMN local_day INTEGER NOT NULL DEFAULT 0;
CREATE TABLE app_rollup(
  grain INTEGER NOT NULL, period INTEGER NOT NULL, terminal INTEGER NOT NULL, centre TEXT NOT NULL, entity TEXT NOT NULL,
  service_code TEXT NOT NULL, category TEXT NOT NULL, channel TEXT NOT NULL,
  applications INTEGER NOT NULL, fees_due_minor INTEGER NOT NULL, paid_minor INTEGER NOT NULL, waived_minor INTEGER NOT NULL,
  exempted INTEGER NOT NULL, decided INTEGER NOT NULL, ready INTEGER NOT NULL, open INTEGER NOT NULL, surveyed INTEGER NOT NULL,
  rating_sum INTEGER NOT NULL, ratings INTEGER NOT NULL, flagged INTEGER NOT NULL, oldest_open_ms INTEGER,
  decision_hist TEXT NOT NULL, ready_hist TEXT NOT NULL,
  PRIMARY KEY(grain, period, terminal, centre, entity, service_code, category, channel)) WITHOUT ROWID;
)SQL"));
    return rebuild_rollup(db);
}

// Version 9: the web application's users, sessions and audit (central/store/web_store.h). The audit is
// append-only: its triggers refuse UPDATE and DELETE.
Result<void> migrate_v9(db::Db& db)
{
    return db.exec(R"SQL(
CREATE TABLE web_users(
  name TEXT PRIMARY KEY, role TEXT NOT NULL, entity TEXT NOT NULL DEFAULT '', centre TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL, failed INTEGER NOT NULL DEFAULT 0, locked_until_ms INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE web_sessions(
  token_hash TEXT PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL, created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX web_sessions_by_expiry ON web_sessions(expires_ms);
CREATE TABLE web_audit(
  id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
  peer TEXT NOT NULL);
CREATE TRIGGER web_audit_no_update BEFORE UPDATE ON web_audit BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
CREATE TRIGGER web_audit_no_delete BEFORE DELETE ON web_audit BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
CREATE INDEX applications_by_entity_time ON applications(entity, submitted_ms);
)SQL");
}

// Version 10: terminal health (store.h HealthSample): the latest signed report of each terminal and the spans of
// consecutive reports of one state.
Result<void> migrate_v10(db::Db& db)
{
    return db.exec(R"SQL(
CREATE TABLE terminal_health(
  terminal_id TEXT PRIMARY KEY, received_ms INTEGER NOT NULL, out_of_service INTEGER NOT NULL, document TEXT NOT NULL,
  signature TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE health_spans(
  id INTEGER PRIMARY KEY, terminal_id TEXT NOT NULL, out_of_service INTEGER NOT NULL, start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL, reports INTEGER NOT NULL, document TEXT NOT NULL, signature TEXT NOT NULL);
CREATE INDEX health_spans_by_terminal ON health_spans(terminal_id, start_ms);
CREATE INDEX health_spans_by_end ON health_spans(end_ms);
)SQL");
}

// Version 11: the queue's rollup (central/store/rollup.h, issue 15: waits and no-shows): each ticket's entity
// (old tickets: their category's entity in the latest catalogue) and local day, and ticket_rollup's day and month
// cells with the histogram of waits from issue to first call, built here and kept by every ingest after.
Result<void> migrate_v11(db::Db& db)
{
    TRY(db.exec(R"SQL(
ALTER TABLE tickets ADD COLUMN entity TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN local_day INTEGER NOT NULL DEFAULT 0;
CREATE TABLE ticket_rollup(
  grain INTEGER NOT NULL, period INTEGER NOT NULL, terminal INTEGER NOT NULL, centre TEXT NOT NULL, entity TEXT NOT NULL,
  category TEXT NOT NULL, issued INTEGER NOT NULL, called INTEGER NOT NULL, no_show INTEGER NOT NULL, served INTEGER NOT NULL,
  wait_hist TEXT NOT NULL,
  PRIMARY KEY(grain, period, terminal, centre, entity, category)) WITHOUT ROWID;
)SQL"));
    return rebuild_ticket_rollup(db);
}

// Version 12: survey reasons (issue 15): each survey's reason codes (`surveys.reasons`, from survey.recorded
// "reasons"; none for older surveys), and two more histograms in app_rollup: the ratings (1..5) and the reasons
// (index in rollup::survey_reason_codes()) of the applications' surveys; the cells are built again.
Result<void> migrate_v12(db::Db& db)
{
    TRY(db.exec(R"SQL(
ALTER TABLE surveys ADD COLUMN reasons TEXT NOT NULL DEFAULT '';
ALTER TABLE app_rollup ADD COLUMN rating_hist TEXT NOT NULL DEFAULT '';
ALTER TABLE app_rollup ADD COLUMN reason_hist TEXT NOT NULL DEFAULT '';
)SQL"));
    return rebuild_rollup_cells(db);
}

// Version 13: visits abandoned before submission (entry visit.abandoned), for the completion rate.
Result<void> migrate_v13(db::Db& db)
{
    return db.exec(R"SQL(
CREATE TABLE visits_abandoned(
  terminal INTEGER NOT NULL, seq INTEGER NOT NULL, centre TEXT NOT NULL, entity TEXT NOT NULL, service_code TEXT NOT NULL,
  category TEXT NOT NULL, channel TEXT NOT NULL, last_step TEXT NOT NULL, reason TEXT NOT NULL, time_ms INTEGER NOT NULL,
  local_day INTEGER NOT NULL, PRIMARY KEY(terminal, seq)) WITHOUT ROWID;
CREATE INDEX visits_abandoned_by_day ON visits_abandoned(local_day);
)SQL");
}

// Version 14: a central decision carries its reason code to the terminal (the web back office's reasons); a web
// user can be disabled (`nafitha-central user disable`).
Result<void> migrate_v14(db::Db& db)
{
    return db.exec("ALTER TABLE decisions ADD COLUMN reason TEXT NOT NULL DEFAULT '';"
                   "ALTER TABLE web_users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;");
}

// Version 15 (issue 15): Z reports (entry drawer.z_report: declared against computed cash) per enrolled centre and
// the business day each closes, for the cash differences; entries stored before are projected once when the store
// is next opened (z_reports_backfill.done = 0 until then: decoding them needs the entry codec, as for version 7).
// Costs given per entity or centre and month, for the cost per transaction.
Result<void> migrate_v15(db::Db& db)
{
    return db.exec(R"SQL(
CREATE TABLE z_reports(
  terminal INTEGER NOT NULL, seq INTEGER NOT NULL, centre TEXT NOT NULL, local_day INTEGER NOT NULL,
  declared_minor INTEGER NOT NULL, computed_minor INTEGER NOT NULL, difference_minor INTEGER NOT NULL, time_ms INTEGER NOT NULL,
  PRIMARY KEY(terminal, seq)) WITHOUT ROWID;
CREATE INDEX z_reports_by_day ON z_reports(local_day);
CREATE TABLE z_reports_backfill(id INTEGER PRIMARY KEY CHECK (id = 1), done INTEGER NOT NULL);
INSERT INTO z_reports_backfill(id, done) SELECT 1, NOT EXISTS (SELECT 1 FROM entry_days WHERE type = 'drawer.z_report');
CREATE TABLE costs(
  scope TEXT NOT NULL, code TEXT NOT NULL, month INTEGER NOT NULL, amount_minor INTEGER NOT NULL, set_ms INTEGER NOT NULL,
  PRIMARY KEY(scope, code, month)) WITHOUT ROWID;
)SQL");
}

// Version 16: the Z reports' index by day covers what the cash indicators read (centre, terminal, difference), so
// that a year of them is read from the index alone (migration 15's index made a primary-key lookup per report).
Result<void> migrate_v16(db::Db& db)
{
    return db.exec("DROP INDEX z_reports_by_day;"
                   "CREATE INDEX z_reports_by_day_covering ON z_reports(local_day, centre, terminal, difference_minor);");
}

// Version 17 (issue 14): each terminal's signature watermark, the seq through which every stored entry's
// per-transaction signature has been checked (central/signatures.h). Existing terminals start at 0: an entry an
// earlier version stored may never have been checked (it acknowledged a batch and kept the deferred checks in
// memory only, lost if the process died), so the first start checks them all, in the background
// (docs/PROTOCOL.md "Authenticating a batch at ingest").
Result<void> migrate_v17(db::Db& db)
{
    return db.exec("ALTER TABLE terminals ADD COLUMN signatures_checked_seq INTEGER NOT NULL DEFAULT 0;");
}

// Version 18 (issue 14): indexes that no query uses, dropped, since every batch paid for them at ingest (about a
// fifth of a microsecond an entry each). Every query on these tables was checked with EXPLAIN QUERY PLAN
// (docs/PERFORMANCE.md): `applications_by_service` (entity, service_code, status) and `applications_by_entity_time`
// (entity, submitted_ms) serve none (the back office's list, whose filters are all optional, walks
// `applications_by_time`; decisions look a reference up through `applications_by_reference`); `payments_by_centre`
// (centre, time_ms) none either (the reconciliation reads the unmatched payments through the partial index
// `payments_unmatched`); `tickets_by_day` only the indicators' raw query, which the tests alone run (indicators read
// the queue's rollup; a raw read scans the tickets).
Result<void> migrate_v18(db::Db& db)
{
    return db.exec("DROP INDEX IF EXISTS applications_by_service;"
                   "DROP INDEX IF EXISTS applications_by_entity_time;"
                   "DROP INDEX IF EXISTS payments_by_centre;"
                   "DROP INDEX IF EXISTS tickets_by_day;");
}

struct Migration {
    int version;
    Result<void> (*apply)(db::Db&);
};

const Migration kMigrations[] = {
    {1, migrate_v1},
    {2, migrate_v2},
    {3, migrate_v3},
    {4, migrate_v4},
    {5, migrate_v5},
    {6, migrate_v6},
    {7, migrate_v7},
    {8, migrate_v8},
    {9, migrate_v9},
    {10, migrate_v10},
    {11, migrate_v11},
    {12, migrate_v12},
    {13, migrate_v13},
    {14, migrate_v14},
    {15, migrate_v15},
    {16, migrate_v16},
    {17, migrate_v17},
    {18, migrate_v18},
};

} // namespace

int latest_version() { return static_cast<int>(std::size(kMigrations)); }

Result<int> migrate(db::Db& db, int target)
{
    if (target <= 0 || target > latest_version())
        target = latest_version();
    int version = static_cast<int>(TRY(db.scalar_int64("PRAGMA user_version")));
    if (version == 0 && TRY(db.scalar_int64("SELECT COUNT(*) FROM sqlite_master WHERE name = 'entries'")) > 0)
        version = 1; // created before versions were numbered
    if (version > latest_version())
        return Error::make("error.central.store_newer",
                           "the store is at schema version " + std::to_string(version) + " but this nafitha-central knows only up to "
                               + std::to_string(latest_version()) + ": run a newer nafitha-central");
    if (sqlite3_create_function(db.handle(), "iso_ms", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, iso_ms, nullptr, nullptr)
        != SQLITE_OK)
        return Error::make("error.central.storage", "cannot register iso_ms()");
    for (const auto& m : kMigrations) {
        if (m.version <= version || m.version > target)
            continue;
        auto tx = TRY(db::Transaction::begin(db));
        TRY(m.apply(db));
        TRY(db.exec("PRAGMA user_version = " + std::to_string(m.version)));
        TRY(tx.commit());
        version = m.version;
    }
    return version;
}

} // namespace nafitha::central::sqlite_store
