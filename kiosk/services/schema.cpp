#include "kiosk/services/schema.h"

#include "sync/journal/journal.h"

#include <string>

namespace nafitha::services {

// Migration 1: catalogue, staff, applications and their history, payments; the journal tables.
static constexpr const char* kMigration1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE catalogue_versions (
    version      INTEGER PRIMARY KEY,
    document     TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    source       TEXT NOT NULL
);
CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    login           TEXT NOT NULL UNIQUE,
    full_name       TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor', 'technician')),
    pin_hash        TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);
CREATE TABLE applications (
    id                INTEGER PRIMARY KEY,
    reference         TEXT NOT NULL UNIQUE,
    service_code      TEXT NOT NULL,
    centre            TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('submitted', 'paid', 'in_review', 'approved', 'rejected', 'ready', 'delivered')),
    channel           TEXT NOT NULL CHECK (channel IN ('kiosk', 'counter')),
    fee_json          TEXT NOT NULL,
    fee_total         INTEGER NOT NULL CHECK (fee_total >= 0),
    paid_total        INTEGER NOT NULL DEFAULT 0 CHECK (paid_total >= 0),
    values_json       TEXT NOT NULL,
    pii               BLOB,
    nid_hash          TEXT,
    staff_id          INTEGER REFERENCES staff(id),
    submitted_at      TEXT NOT NULL,
    catalogue_version INTEGER NOT NULL
);
CREATE INDEX applications_nid ON applications(nid_hash);
CREATE TABLE application_history (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    status         TEXT NOT NULL,
    time           TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    actor          TEXT NOT NULL
);
CREATE INDEX application_history_app ON application_history(application_id);
CREATE TABLE payments (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    method         TEXT NOT NULL CHECK (method IN ('cash', 'card', 'exemption')),
    amount         INTEGER NOT NULL CHECK (amount >= 0),
    tendered       INTEGER NOT NULL CHECK (tendered >= 0),
    change         INTEGER NOT NULL CHECK (change >= 0),
    waived         INTEGER NOT NULL DEFAULT 0 CHECK (waived >= 0),
    card_auth      TEXT NOT NULL DEFAULT '',
    staff_id       INTEGER REFERENCES staff(id),
    time           TEXT NOT NULL,
    day            TEXT NOT NULL
);
CREATE INDEX payments_day ON payments(day);
CREATE INDEX payments_app ON payments(application_id);
)sql";

// Migration 2: queue tickets and surveys.
static constexpr const char* kMigration2 = R"sql(
CREATE TABLE tickets (
    id         INTEGER PRIMARY KEY,
    number     TEXT NOT NULL,
    category   TEXT NOT NULL,
    centre     TEXT NOT NULL,
    day        TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'served', 'no_show')),
    issued_ms  INTEGER NOT NULL,
    called_ms  INTEGER,
    served_ms  INTEGER,
    counter    INTEGER NOT NULL DEFAULT 0,
    recalls    INTEGER NOT NULL DEFAULT 0,
    staff_id   INTEGER REFERENCES staff(id),
    reference  TEXT,
    UNIQUE (centre, category, day, seq)
);
CREATE INDEX tickets_waiting ON tickets(status, category, id);
CREATE TABLE surveys (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER REFERENCES applications(id),
    ticket_id      INTEGER REFERENCES tickets(id),
    rating         INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    reason         TEXT NOT NULL DEFAULT '',
    time           TEXT NOT NULL,
    CHECK (application_id IS NOT NULL OR ticket_id IS NOT NULL)
);
)sql";

// Migration 3: the expected ready date of applications, and the central decisions already applied.
static constexpr const char* kMigration3 = R"sql(
ALTER TABLE applications ADD COLUMN expected_ready TEXT NOT NULL DEFAULT '';
CREATE TABLE central_decisions (
    cursor     INTEGER PRIMARY KEY,
    reference  TEXT NOT NULL,
    status     TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
)sql";

// Migration 4: central's signatures kept with what they cover: the signed statement of each catalogue installed from
// central (with its expiry), central's policies, and (journal) central's last signed acknowledgement.
static constexpr const char* kMigration4 = R"sql(
ALTER TABLE catalogue_versions ADD COLUMN statement TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_versions ADD COLUMN signature TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_versions ADD COLUMN expires_ms INTEGER NOT NULL DEFAULT 0;
CREATE TABLE policies (
    version                  INTEGER PRIMARY KEY,
    issued_ms                INTEGER NOT NULL,
    warn_after_days          INTEGER NOT NULL CHECK (warn_after_days >= 0),
    stop_payments_after_days INTEGER NOT NULL CHECK (stop_payments_after_days >= 0),
    statement                TEXT NOT NULL,
    signature                TEXT NOT NULL,
    installed_at             TEXT NOT NULL
);
)sql";

// Migration 5: the counter. Decision reasons and their grouping in the history, refunds, the cash drawer
// (opening float, cash in and out, declared Z reports), the blind search index, and the
// exemption's supporting document (sealed).
static constexpr const char* kMigration5 = R"sql(
ALTER TABLE application_history ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE application_history ADD COLUMN decision INTEGER;
ALTER TABLE payments ADD COLUMN document BLOB;
CREATE TABLE refunds (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    method         TEXT NOT NULL CHECK (method IN ('cash', 'card')),
    amount         INTEGER NOT NULL CHECK (amount > 0),
    reason         TEXT NOT NULL,
    staff_id       INTEGER NOT NULL REFERENCES staff(id),
    time           TEXT NOT NULL,
    day            TEXT NOT NULL
);
CREATE INDEX refunds_day ON refunds(day);
CREATE INDEX refunds_app ON refunds(application_id);
CREATE TABLE cash_movements (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('float', 'cash_in', 'cash_out')),
    amount   INTEGER NOT NULL CHECK (amount >= 0),
    note     TEXT NOT NULL DEFAULT '',
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    time     TEXT NOT NULL,
    day      TEXT NOT NULL
);
CREATE INDEX cash_movements_day ON cash_movements(day);
CREATE TABLE z_reports (
    id         INTEGER PRIMARY KEY,
    day        TEXT NOT NULL,
    declared   INTEGER NOT NULL CHECK (declared >= 0),
    computed   INTEGER NOT NULL,
    difference INTEGER NOT NULL,
    staff_id   INTEGER NOT NULL REFERENCES staff(id),
    time       TEXT NOT NULL
);
CREATE INDEX z_reports_day ON z_reports(day);
CREATE TABLE search_index (
    kind           TEXT NOT NULL,
    hash           TEXT NOT NULL,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    PRIMARY KEY (kind, hash, application_id)
) WITHOUT ROWID;
)sql";

// Migration 6: one signature per committed transaction (sync/journal): the journal's update trigger lets a commit
// sign its last entry once. Entries written before stay signed one by one and still verify.
static constexpr const char* kMigration6 = "";

// Migration 7: the business tables cannot drift from the journal. Rows that record a fact once (payments, history,
// surveys, decisions applied, catalogues and policies installed) never change; applications and tickets change
// only on the services' own connection, which defines nafitha_services() (any other connection, e.g. the sqlite3
// shell, does not know the function and its write fails). Nothing is deleted. The Z report is computed from the
// journal, with indexes on the days of payments, submissions and tickets.
static constexpr const char* kMigration7 = R"sql(
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments BEGIN SELECT RAISE(ABORT, 'payments are facts: they never change'); END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments BEGIN SELECT RAISE(ABORT, 'payments are facts: they are never deleted'); END;
CREATE TRIGGER payments_only_services BEFORE INSERT ON payments WHEN nafitha_services() IS NOT 1
BEGIN SELECT RAISE(ABORT, 'payments are written by the services only'); END;
CREATE TRIGGER applications_only_services_update BEFORE UPDATE ON applications WHEN nafitha_services() IS NOT 1
BEGIN SELECT RAISE(ABORT, 'applications change through the services only'); END;
CREATE TRIGGER applications_only_services_insert BEFORE INSERT ON applications WHEN nafitha_services() IS NOT 1
BEGIN SELECT RAISE(ABORT, 'applications are written by the services only'); END;
CREATE TRIGGER applications_no_delete BEFORE DELETE ON applications BEGIN SELECT RAISE(ABORT, 'applications are never deleted'); END;
CREATE TRIGGER history_no_update BEFORE UPDATE ON application_history BEGIN SELECT RAISE(ABORT, 'history never changes'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON application_history BEGIN SELECT RAISE(ABORT, 'history is never deleted'); END;
CREATE TRIGGER history_only_services BEFORE INSERT ON application_history WHEN nafitha_services() IS NOT 1
BEGIN SELECT RAISE(ABORT, 'history is written by the services only'); END;
CREATE TRIGGER tickets_only_services_update BEFORE UPDATE ON tickets WHEN nafitha_services() IS NOT 1
BEGIN SELECT RAISE(ABORT, 'tickets change through the services only'); END;
CREATE TRIGGER tickets_only_services_insert BEFORE INSERT ON tickets WHEN nafitha_services() IS NOT 1
BEGIN SELECT RAISE(ABORT, 'tickets are written by the services only'); END;
CREATE TRIGGER tickets_no_delete BEFORE DELETE ON tickets BEGIN SELECT RAISE(ABORT, 'tickets are never deleted'); END;
CREATE TRIGGER surveys_no_update BEFORE UPDATE ON surveys BEGIN SELECT RAISE(ABORT, 'surveys never change'); END;
CREATE TRIGGER surveys_no_delete BEFORE DELETE ON surveys BEGIN SELECT RAISE(ABORT, 'surveys are never deleted'); END;
CREATE TRIGGER surveys_only_services BEFORE INSERT ON surveys WHEN nafitha_services() IS NOT 1
BEGIN SELECT RAISE(ABORT, 'surveys are written by the services only'); END;
CREATE TRIGGER central_decisions_no_change BEFORE UPDATE ON central_decisions BEGIN SELECT RAISE(ABORT, 'applied decisions never change'); END;
CREATE TRIGGER central_decisions_no_delete BEFORE DELETE ON central_decisions BEGIN SELECT RAISE(ABORT, 'applied decisions are never deleted'); END;
CREATE TRIGGER catalogue_versions_no_change BEFORE UPDATE ON catalogue_versions BEGIN SELECT RAISE(ABORT, 'installed catalogues never change'); END;
CREATE TRIGGER catalogue_versions_no_delete BEFORE DELETE ON catalogue_versions BEGIN SELECT RAISE(ABORT, 'installed catalogues are never deleted'); END;
CREATE TRIGGER policies_no_change BEFORE UPDATE ON policies BEGIN SELECT RAISE(ABORT, 'installed policies never change'); END;
CREATE TRIGGER policies_no_delete BEFORE DELETE ON policies BEGIN SELECT RAISE(ABORT, 'installed policies are never deleted'); END;
CREATE TRIGGER refunds_no_update BEFORE UPDATE ON refunds BEGIN SELECT RAISE(ABORT, 'refunds are facts: they never change'); END;
CREATE TRIGGER refunds_no_delete BEFORE DELETE ON refunds BEGIN SELECT RAISE(ABORT, 'refunds are never deleted'); END;
CREATE TRIGGER refunds_only_services BEFORE INSERT ON refunds WHEN nafitha_services() IS NOT 1
BEGIN SELECT RAISE(ABORT, 'refunds are written by the services only'); END;
CREATE TRIGGER cash_movements_no_update BEFORE UPDATE ON cash_movements BEGIN SELECT RAISE(ABORT, 'cash movements are facts: they never change'); END;
CREATE TRIGGER cash_movements_no_delete BEFORE DELETE ON cash_movements BEGIN SELECT RAISE(ABORT, 'cash movements are never deleted'); END;
CREATE TRIGGER cash_movements_only_services BEFORE INSERT ON cash_movements WHEN nafitha_services() IS NOT 1
BEGIN SELECT RAISE(ABORT, 'cash movements are written by the services only'); END;
CREATE TRIGGER z_reports_no_update BEFORE UPDATE ON z_reports BEGIN SELECT RAISE(ABORT, 'Z reports never change'); END;
CREATE TRIGGER z_reports_no_delete BEFORE DELETE ON z_reports BEGIN SELECT RAISE(ABORT, 'Z reports are never deleted'); END;
CREATE TRIGGER z_reports_only_services BEFORE INSERT ON z_reports WHEN nafitha_services() IS NOT 1
BEGIN SELECT RAISE(ABORT, 'Z reports are written by the services only'); END;
CREATE TRIGGER search_index_no_update BEFORE UPDATE ON search_index BEGIN SELECT RAISE(ABORT, 'the search index never changes'); END;
CREATE TRIGGER search_index_no_delete BEFORE DELETE ON search_index BEGIN SELECT RAISE(ABORT, 'the search index is never deleted from'); END;
CREATE TRIGGER search_index_only_services BEFORE INSERT ON search_index WHEN nafitha_services() IS NOT 1
BEGIN SELECT RAISE(ABORT, 'the search index is written by the services only'); END;
CREATE INDEX journal_payment_day ON journal(json_extract(payload, '$.day')) WHERE type = 'payment.recorded';
CREATE INDEX journal_submitted_at ON journal(json_extract(payload, '$.submitted_at')) WHERE type = 'application.submitted';
CREATE INDEX journal_ticket_day ON journal(json_extract(payload, '$.day')) WHERE type = 'ticket.issued';
)sql";

// Migration 8: personal data sealed at rest (issue 14). Every form value joins the sealed `pii` of its application and
// survey reasons are sealed (Terminal::seal_plain_personal_data_locked, which needs the key, does it at open). The
// only change a survey row may ever see is that one: its plain reason replaced by the sealed one.
static constexpr const char* kMigration8 = R"sql(
DROP TRIGGER surveys_no_update;
CREATE TRIGGER surveys_no_update BEFORE UPDATE ON surveys
WHEN NOT (nafitha_services() IS 1 AND typeof(OLD.reason) = 'text' AND OLD.reason <> '' AND typeof(NEW.reason) = 'blob'
          AND NEW.id = OLD.id AND NEW.rating = OLD.rating AND NEW.application_id IS OLD.application_id
          AND NEW.ticket_id IS OLD.ticket_id AND NEW.time = OLD.time)
BEGIN SELECT RAISE(ABORT, 'surveys never change (a plain reason is only ever sealed)'); END;
)sql";

// Migration 9: the queue reads only what it needs. Issuing a ticket counted the waiting tickets of the day through
// the table, and its wait estimate scanned every ticket the category ever had at the centre (the recent service times
// and the counters open in the last hour): a cost that grew with every day of the terminal's life. The waiting index
// now holds only waiting tickets, in the order they are called; served and called tickets have their own partial
// indexes, written when a ticket is called or served, never when it is issued.
static constexpr const char* kMigration9 = R"sql(
DROP INDEX tickets_waiting;
CREATE INDEX tickets_waiting ON tickets(centre, day, issued_ms, id, category) WHERE status = 'waiting';
CREATE INDEX tickets_served ON tickets(centre, category, served_ms, called_ms) WHERE status = 'served';
CREATE INDEX tickets_called ON tickets(centre, category, called_ms, counter) WHERE counter > 0;
)sql";

Result<int> schema_version(db::Db& db) { return static_cast<int>(TRY(db.scalar_int64("PRAGMA user_version", 0))); }

Result<int> migrate(db::Db& db, int target)
{
    int version = TRY(schema_version(db));
    if (version > kSchemaVersion)
        return Error::make("error.db.too_new", "database schema " + std::to_string(version) + " is newer than " +
                                                   std::to_string(kSchemaVersion));
    static const char* migrations[] = {kMigration1, kMigration2, kMigration3, kMigration4, kMigration5, kMigration6,
                                       kMigration7, kMigration8, kMigration9};
    while (version < target && version < kSchemaVersion) {
        auto tx = TRY(db::Transaction::begin(db));
        // Re-read inside the write lock: another process may have migrated meanwhile.
        int now = TRY(schema_version(db));
        if (now != version) {
            version = now;
            continue;
        }
        TRY(db.exec(migrations[version]));
        if (version + 1 == 6)
            TRY(journal::upgrade_to_one_signature_per_commit(db));
        // The journal's own tables (sync/journal) come with the first migration and grow with later ones; its
        // schema is idempotent.
        TRY(journal::create_schema(db));
        TRY(db.exec("PRAGMA user_version = " + std::to_string(version + 1)));
        TRY(tx.commit());
        ++version;
    }
    return version;
}

} // namespace nafitha::services
