#pragma once
// The journal: the terminal's append-only, hash-chained, signed outbox in the terminal database.
//
// Table `journal` (seq INTEGER PRIMARY KEY, id, terminal, type, time, payload (canonical JSON text),
// prev_hash, hash, signature); triggers refuse UPDATE and DELETE. Table `journal_watermark` holds the
// acknowledged sequence (acked_seq): entries up to it have reached central.
//
// append() must be called inside the caller's open write transaction (db::Transaction), so that the entry
// and the domain rows commit, or vanish, together.

#include "base/result.h"
#include "sync/journal/identity.h"
#include "db/sqlite.h"
#include "sync/protocol/entry.h"
#include "sync/protocol/signed.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::journal {

// Creates the journal tables and triggers when missing (idempotent; called by the services migrations).
Result<void> create_schema(db::Db& db);

// Appends one entry (next seq, prev hash, SHA-256) in the caller's open transaction. It is signed when the
// transaction commits through commit(): one Ed25519 signature per transaction, on its last entry; the earlier
// entries are covered by the chain (docs/PROTOCOL.md, "One signature per transaction").
// error.journal.no_transaction when no transaction is open; error.journal.payload_too_large past
// protocol::kMaxEntryPayloadBytes.
Result<protocol::Entry> append(db::Db& db, const Identity& identity, std::string type, nlohmann::json payload);
// Signs the last entry of the journal if it is not signed yet (the end of the transaction), then commits. Every
// transaction that appends must end with it; one that appended nothing commits as usual.
Result<void> commit(db::Db& db, const Identity& identity, db::Transaction& tx);
// The signing part of commit(), for a caller that commits itself.
Result<void> sign_pending(db::Db& db, const Identity& identity);
// Journals made before one signature per commit: their update trigger is replaced by one that lets a commit sign
// its last entry once (services' migration 6).
Result<void> upgrade_to_one_signature_per_commit(db::Db& db);

Result<int64_t> last_seq(db::Db& db);
Result<int64_t> acked_seq(db::Db& db);
// Moves the watermark forward; a smaller value is ignored, a value past last_seq is
// error.journal.ack_beyond_end.
Result<void> set_acked_seq(db::Db& db, int64_t seq);
Result<int64_t> pending(db::Db& db); // last_seq - acked_seq

// The hash of the entry at `seq`, if there is one (kGenesisHash for seq 0).
Result<std::optional<std::string>> hash_at(db::Db& db, int64_t seq);

// The last acknowledgement central signed (table central_ack): central holds this terminal's entries 1..seq, the
// one at seq with `hash`. Kept so that `verify` and the next sync can tell when the journal was rewritten or cut
// below what central acknowledged, and when central no longer holds what it said it held.
struct KeptAck {
    protocol::Ack ack;
    protocol::Signed signed_ack;
};
Result<std::optional<KeptAck>> kept_ack(db::Db& db);
// Keeps `ack` when it is newer than the kept one, and moves the watermark to its seq (never backwards); one
// transaction. The caller checked the signature and that the journal holds `ack.hash` at `ack.seq`.
Result<void> record_ack(db::Db& db, const protocol::Ack& ack, const protocol::Signed& signed_ack);
// Forgets the kept acknowledgement: enrollment at another central (another key) starts afresh.
Result<void> forget_kept_ack(db::Db& db);

// Entries with seq > `seq`, in order, at most `max_count` and at most about `max_bytes` of canonical
// payload, ending with a signed entry: past the limits the batch goes on to the end of its transaction, and
// unsigned entries at the end of the journal (a transaction not committed yet) are left out.
Result<std::vector<protocol::Entry>> entries_after(db::Db& db, int64_t seq, size_t max_count, size_t max_bytes);

struct VerifyReport {
    int64_t entries = 0;        // entries checked
    int64_t last_seq = 0;
    int64_t first_bad_seq = 0;  // 0 when the whole chain verifies
    std::string problem;        // English, for the log and the CLI
    bool ack_checked = false;   // central's kept acknowledgement was checked (signature and hash)
    bool ok() const { return first_bad_seq == 0; }
};

// Recomputes every hash and checks every signature with `public_key` (every unsigned entry must be covered by a
// later signed one), the gapless sequence from 1, every prev link and the watermark. Stops at the first bad entry. With `from_seq` > 1 only entries from there on
// are checked, linked to the stored hash of entry from_seq - 1 (trusted: verified earlier).
// With `central_key` (pinned at enrollment), central's kept acknowledgement must be signed by it, name this
// terminal, and match the journal: the entry at its seq has its hash (nothing acknowledged was rewritten or cut).
Result<VerifyReport> verify(db::Db& db, const protocol::PublicKey& public_key, int64_t from_seq = 1,
                            const std::optional<protocol::PublicKey>& central_key = std::nullopt);

// A reader with its own connection on the terminal database, for another thread (the sync worker).
class Reader {
public:
    static Result<Reader> open(const std::filesystem::path& db_file);

    Result<std::vector<protocol::Entry>> entries_after(int64_t seq, size_t max_count, size_t max_bytes)
    {
        return journal::entries_after(m_db, seq, max_count, max_bytes);
    }
    Result<int64_t> last_seq() { return journal::last_seq(m_db); }
    Result<int64_t> acked_seq() { return journal::acked_seq(m_db); }
    Result<void> set_acked_seq(int64_t seq) { return journal::set_acked_seq(m_db, seq); }
    Result<std::optional<std::string>> hash_at(int64_t seq) { return journal::hash_at(m_db, seq); }
    Result<std::optional<KeptAck>> kept_ack() { return journal::kept_ack(m_db); }
    Result<void> record_ack(const protocol::Ack& ack, const protocol::Signed& s) { return journal::record_ack(m_db, ack, s); }
    Result<int64_t> pending() { return journal::pending(m_db); }
    db::Db& db() { return m_db; }

private:
    explicit Reader(db::Db db) : m_db(std::move(db)) {}
    db::Db m_db;
};

// The terminal database file in a data folder: DIR/terminal.db.
inline std::filesystem::path database_file(const std::filesystem::path& data_dir) { return data_dir / "terminal.db"; }

} // namespace nafitha::journal
