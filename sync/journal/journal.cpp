#include "sync/journal/journal.h"

#include "base/clock.h"
#include "sync/protocol/canonical.h"
#include "sync/protocol/messages.h"

#include <sodium.h>

#include <algorithm>

namespace nafitha::journal {

static constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS journal (
    seq        INTEGER PRIMARY KEY CHECK (seq >= 1),
    id         TEXT NOT NULL UNIQUE,
    terminal   TEXT NOT NULL,
    type       TEXT NOT NULL,
    time       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    signature  TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
WHEN NOT (OLD.signature = '' AND NEW.signature <> '' AND NEW.seq = OLD.seq AND NEW.id = OLD.id
          AND NEW.terminal = OLD.terminal AND NEW.type = OLD.type AND NEW.time = OLD.time
          AND NEW.payload = OLD.payload AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash)
BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;
CREATE TABLE IF NOT EXISTS journal_watermark (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    acked_seq  INTEGER NOT NULL CHECK (acked_seq >= 0)
);
INSERT OR IGNORE INTO journal_watermark (id, acked_seq) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS journal_watermark_forward BEFORE UPDATE ON journal_watermark
WHEN NEW.acked_seq < OLD.acked_seq
BEGIN SELECT RAISE(ABORT, 'the acknowledged watermark only moves forward'); END;
CREATE TABLE IF NOT EXISTS central_ack (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    seq        INTEGER NOT NULL CHECK (seq >= 0),
    hash       TEXT NOT NULL,
    time_ms    INTEGER NOT NULL,
    statement  TEXT NOT NULL,
    signature  TEXT NOT NULL
);
)sql";

Result<void> create_schema(db::Db& db) { return db.exec(kSchema); }

Result<void> upgrade_to_one_signature_per_commit(db::Db& db)
{
    // The trigger of journals made before one signature per commit refuses every UPDATE; the new one lets a commit
    // fill in the signature of its last entry, once, and nothing else.
    TRY(db.exec("DROP TRIGGER IF EXISTS journal_no_update"));
    return db.exec(kSchema);
}

namespace {

// The signing bytes of the last entry appended on a connection, so that commit() signs them without rebuilding
// them. Keyed by the connection and the seq; anything else is rebuilt from the row.
struct LastAppended {
    const void* db = nullptr;
    int64_t seq = 0;
    std::string bytes;
};
thread_local LastAppended t_last;

} // namespace

static std::string random_id()
{
    protocol::init_crypto();
    uint8_t bytes[16];
    randombytes_buf(bytes, sizeof bytes);
    return protocol::to_hex(bytes, sizeof bytes);
}

static Result<protocol::Entry> row_entry(const db::Statement& st);
static constexpr const char* kSelect =
    "SELECT seq, id, terminal, type, time, payload, prev_hash, hash, signature FROM journal ";

Result<protocol::Entry> append(db::Db& db, const Identity& identity, std::string type, nlohmann::json payload)
{
    if (!db.in_transaction())
        return Error::make("error.journal.no_transaction", "journal::append called outside a transaction");
    if (type.empty() || type.size() > protocol::kMaxEntryTypeBytes)
        return Error::make("error.journal.bad_entry", "entry type is empty or too long");
    if (!payload.is_object())
        return Error::make("error.journal.bad_entry", "entry payload is not an object");
    auto canonical = protocol::canonical_json(payload);
    if (!canonical.ok())
        return Error::make("error.journal.bad_entry", canonical.error().detail);
    if (canonical->size() > protocol::kMaxEntryPayloadBytes)
        return Error::make("error.journal.payload_too_large", "payload of " + std::to_string(canonical->size()) + " bytes");

    protocol::Entry e;
    e.seq = 1;
    e.prev_hash = protocol::kGenesisHash;
    // Time never goes backwards along the chain: a wall clock set back (or a terminal restarted with a wrong
    // clock) writes the previous entry's time until its own catches up (clock::record_ms() is already held
    // steady against jumps within a run and corrected by central's offset).
    int64_t time_ms = clock::record_ms();
    {
        auto last = TRY(db.cached("SELECT seq, hash, time FROM journal ORDER BY seq DESC LIMIT 1"));
        if (TRY(last.step())) {
            e.seq = last.int64(0) + 1;
            e.prev_hash = last.text(1);
            if (auto previous = clock::parse_iso8601_ms(last.text(2)))
                time_ms = std::max(time_ms, *previous);
        }
    }
    e.id = random_id();
    e.terminal_id = identity.terminal_id;
    e.type = std::move(type);
    e.time = clock::iso8601_utc(time_ms);
    e.payload = std::move(payload);
    // Hashed now, signed at commit (commit()): one signature covers the whole transaction through the chain.
    auto bytes = TRY(protocol::seal_hash(e));
    (void)identity;

    auto ins = TRY(db.cached("INSERT INTO journal (seq, id, terminal, type, time, payload, prev_hash, hash, signature) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    ins.bind(1, e.seq).bind(2, e.id).bind(3, e.terminal_id).bind(4, e.type).bind(5, e.time).bind(6, *canonical)
        .bind(7, e.prev_hash).bind(8, e.hash).bind(9, e.signature);
    TRY(ins.run());
    t_last = LastAppended{db.handle(), e.seq, std::move(bytes)};
    return e;
}

Result<void> sign_pending(db::Db& db, const Identity& identity)
{
    if (!db.in_transaction())
        return Error::make("error.journal.no_transaction", "journal::sign_pending called outside a transaction");
    auto last = TRY(db.cached(std::string(kSelect) + "ORDER BY seq DESC LIMIT 1"));
    if (!TRY(last.step()) || !last.text(8).empty())
        return {}; // nothing appended, or already signed
    int64_t seq = last.int64(0);
    std::string bytes;
    if (t_last.db == db.handle() && t_last.seq == seq) {
        bytes = std::move(t_last.bytes);
    } else {
        auto e = TRY(row_entry(last));
        bytes = TRY(protocol::signing_bytes(e));
    }
    t_last = {};
    last.reset();
    auto sig = protocol::sign(identity.keys.secret_key, bytes);
    auto upd = TRY(db.cached("UPDATE journal SET signature = ?1 WHERE seq = ?2 AND signature = ''"));
    upd.bind(1, sig).bind(2, seq);
    return upd.run();
}

Result<void> commit(db::Db& db, const Identity& identity, db::Transaction& tx)
{
    TRY(sign_pending(db, identity));
    return tx.commit();
}

Result<int64_t> last_seq(db::Db& db) { return db.scalar_int64("SELECT MAX(seq) FROM journal", 0); }

Result<int64_t> acked_seq(db::Db& db) { return db.scalar_int64("SELECT acked_seq FROM journal_watermark WHERE id = 1", 0); }

Result<void> set_acked_seq(db::Db& db, int64_t seq)
{
    auto last = TRY(last_seq(db));
    if (seq > last)
        return Error::make("error.journal.ack_beyond_end",
                           "ack " + std::to_string(seq) + " is past the last entry " + std::to_string(last));
    auto st = TRY(db.prepare("UPDATE journal_watermark SET acked_seq = ?1 WHERE id = 1 AND acked_seq < ?1"));
    st.bind(1, seq);
    return st.run();
}

Result<int64_t> pending(db::Db& db)
{
    return db.scalar_int64("SELECT COALESCE((SELECT MAX(seq) FROM journal), 0) - "
                           "COALESCE((SELECT acked_seq FROM journal_watermark WHERE id = 1), 0)",
                           0);
}

Result<std::optional<std::string>> hash_at(db::Db& db, int64_t seq)
{
    if (seq == 0)
        return std::optional<std::string>(protocol::kGenesisHash);
    auto st = TRY(db.cached("SELECT hash FROM journal WHERE seq = ?1"));
    st.bind(1, seq);
    if (!TRY(st.step()))
        return std::optional<std::string>();
    return std::optional<std::string>(st.text(0));
}

Result<std::optional<KeptAck>> kept_ack(db::Db& db)
{
    auto st = TRY(db.cached("SELECT statement, signature FROM central_ack WHERE id = 1"));
    if (!TRY(st.step()))
        return std::optional<KeptAck>();
    auto statement = nlohmann::json::parse(st.text(0), nullptr, false);
    protocol::Signed s{statement.is_discarded() ? nlohmann::json::object() : statement, st.text(1)};
    auto ack = protocol::ack_statement(s.statement);
    if (!ack.ok())
        return Error::make("error.journal.corrupt", "the kept acknowledgement is not an ack statement");
    return std::optional<KeptAck>(KeptAck{ack.release_value(), std::move(s)});
}

Result<void> record_ack(db::Db& db, const protocol::Ack& ack, const protocol::Signed& signed_ack)
{
    auto statement = TRY(protocol::canonical_json(signed_ack.statement));
    auto tx = TRY(db::Transaction::begin(db));
    auto kept = TRY(db.scalar_int64("SELECT COALESCE((SELECT seq FROM central_ack WHERE id = 1), -1)", -1));
    // The newest ack is kept; one for the same seq refreshes the time (the last successful exchange).
    if (ack.seq >= kept) {
        auto st = TRY(db.cached("INSERT INTO central_ack (id, seq, hash, time_ms, statement, signature) VALUES (1, ?1, ?2, ?3, ?4, ?5) "
                                "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, time_ms = excluded.time_ms, "
                                "statement = excluded.statement, signature = excluded.signature"));
        st.bind(1, ack.seq).bind(2, ack.hash).bind(3, ack.time_ms).bind(4, statement).bind(5, signed_ack.signature);
        TRY(st.run());
    }
    TRY(set_acked_seq(db, ack.seq));
    return tx.commit();
}

Result<void> forget_kept_ack(db::Db& db)
{
    if (TRY(db.scalar_int64("SELECT COUNT(*) FROM sqlite_master WHERE name = 'central_ack'", 0)) == 0)
        return {}; // a database from before the table: nothing kept
    return db.exec("DELETE FROM central_ack");
}

static Result<protocol::Entry> row_entry(const db::Statement& st)
{
    protocol::Entry e;
    e.seq = st.int64(0);
    e.id = st.text(1);
    e.terminal_id = st.text(2);
    e.type = st.text(3);
    e.time = st.text(4);
    auto payload = nlohmann::json::parse(st.text(5), nullptr, false);
    if (payload.is_discarded())
        return Error::make("error.journal.corrupt", "entry " + std::to_string(e.seq) + ": payload is not JSON");
    e.payload = std::move(payload);
    e.prev_hash = st.text(6);
    e.hash = st.text(7);
    e.signature = st.text(8);
    return e;
}

Result<std::vector<protocol::Entry>> entries_after(db::Db& db, int64_t seq, size_t max_count, size_t max_bytes)
{
    std::vector<protocol::Entry> out;
    if (max_count == 0)
        return out;
    // A batch ends with a signed entry (the last of a transaction), so that whoever receives it can authenticate every
    // entry of it: past the limits, the batch goes on to the end of the transaction it is in (a few entries).
    auto st = TRY(db.prepare(std::string(kSelect) + "WHERE seq > ?1 ORDER BY seq"));
    st.bind(1, seq);
    size_t bytes = 0;
    size_t signed_end = 0; // entries up to the last signed one
    while (TRY(st.step())) {
        size_t size = st.bytes(5) + 400;
        bool full = !out.empty() && (bytes + size > max_bytes || out.size() >= max_count);
        if (full && signed_end == out.size() && signed_end > 0)
            break;
        bytes += size;
        out.push_back(TRY(row_entry(st)));
        if (protocol::is_signed(out.back()))
            signed_end = out.size();
    }
    // Entries after the last signed one belong to a transaction still open elsewhere, or to a journal cut there.
    out.resize(signed_end);
    return out;
}

Result<VerifyReport> verify(db::Db& db, const protocol::PublicKey& public_key, int64_t from_seq,
                            const std::optional<protocol::PublicKey>& central_key)
{
    VerifyReport report;
    std::string prev = protocol::kGenesisHash;
    int64_t expected = std::max<int64_t>(1, from_seq);
    if (expected > 1) {
        auto before = TRY(db.prepare("SELECT hash FROM journal WHERE seq = ?1"));
        before.bind(1, expected - 1);
        if (!TRY(before.step())) {
            report.first_bad_seq = expected - 1;
            report.problem = "entry " + std::to_string(expected - 1) + ": missing";
            return report;
        }
        prev = before.text(0);
        report.last_seq = expected - 1;
    }
    const auto terminal = protocol::terminal_id_for(public_key);
    auto st = TRY(db.prepare(std::string(kSelect) + "WHERE seq >= ?1 ORDER BY seq"));
    st.bind(1, expected);
    int64_t uncovered_from = 0; // the first unsigned entry not yet covered by a signed one
    auto fail = [&](int64_t seq, std::string problem) {
        report.first_bad_seq = seq;
        report.problem = "entry " + std::to_string(seq) + ": " + std::move(problem);
    };
    while (TRY(st.step())) {
        int64_t seq = st.int64(0);
        auto entry = row_entry(st);
        if (!entry.ok()) {
            fail(seq, entry.error().detail);
            break;
        }
        auto& e = entry.value();
        if (e.seq != expected) {
            fail(expected, "missing (next stored entry is " + std::to_string(e.seq) + ")");
            break;
        }
        if (e.terminal_id != terminal) {
            fail(e.seq, "written for terminal " + e.terminal_id + ", not " + terminal);
            break;
        }
        if (e.prev_hash != prev) {
            fail(e.seq, "previous hash does not match entry " + std::to_string(e.seq - 1));
            break;
        }
        auto check = protocol::verify_entry(e, public_key);
        if (!check.ok()) {
            fail(e.seq, check.error().code == "error.protocol.entry_hash" ? "hash does not match its content"
                                                                          : "signature does not verify");
            break;
        }
        if (protocol::is_signed(e))
            uncovered_from = 0;
        else if (uncovered_from == 0)
            uncovered_from = e.seq;
        prev = e.hash;
        report.last_seq = e.seq;
        ++report.entries;
        ++expected;
    }
    // One signature per transaction: every unsigned entry is covered by a later signed one.
    if (report.ok() && uncovered_from > 0)
        fail(uncovered_from, "not signed, and no signed entry after it covers it");
    if (report.ok()) {
        auto acked = TRY(acked_seq(db));
        if (acked > report.last_seq) {
            report.first_bad_seq = report.last_seq + 1;
            report.problem = "acknowledged watermark " + std::to_string(acked) + " is past the last entry";
        }
    }
    if (report.ok()) {
        // Central's own word on what it holds: the journal must still hold exactly that.
        auto kept = kept_ack(db);
        if (!kept.ok()) {
            report.first_bad_seq = report.last_seq + 1;
            report.problem = "central's kept acknowledgement is unreadable";
            return report;
        }
        if (kept.value()) {
            const auto& k = *kept.value();
            if (central_key) {
                if (!protocol::verify_statement(k.signed_ack, *central_key, "ack").ok() || k.ack.terminal_id != terminal) {
                    report.first_bad_seq = std::max<int64_t>(1, k.ack.seq);
                    report.problem = "central's kept acknowledgement (seq " + std::to_string(k.ack.seq)
                        + ") is not signed by the central key pinned at enrollment";
                    return report;
                }
                report.ack_checked = true;
            }
            auto own = TRY(hash_at(db, k.ack.seq));
            if (!own) {
                report.first_bad_seq = report.last_seq + 1;
                report.problem = "central acknowledged entries up to " + std::to_string(k.ack.seq) + " but the journal ends at "
                    + std::to_string(report.last_seq) + ": entries were removed";
            } else if (*own != k.ack.hash) {
                report.first_bad_seq = k.ack.seq;
                report.problem = "entry " + std::to_string(k.ack.seq) + " is not the one central acknowledged (hash "
                    + k.ack.hash.substr(0, 16) + "…): the journal was rewritten after central received it";
            }
        }
    }
    return report;
}

Result<Reader> Reader::open(const std::filesystem::path& db_file)
{
    auto db = TRY(db::Db::open(db_file, db::OpenMode::ReadWrite));
    return Reader(std::move(db));
}

} // namespace nafitha::journal
