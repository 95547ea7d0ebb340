#include "kiosk/services/inspect.h"

#include "kiosk/services/schema.h"
#include "sync/protocol/messages.h"

namespace nafitha::services {

static Result<db::Db> open_existing(const std::filesystem::path& data_dir)
{
    auto file = journal::database_file(data_dir);
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        return Error::make("error.db.open_failed", file.string() + " does not exist");
    return db::Db::open(file, db::OpenMode::ReadWrite);
}

Result<TerminalFacts> read_facts(const std::filesystem::path& data_dir)
{
    auto db = TRY(open_existing(data_dir));
    TerminalFacts f;
    f.last_seq = TRY(journal::last_seq(db));
    f.acked_seq = TRY(journal::acked_seq(db));
    f.schema_version = TRY(schema_version(db));
    // A database made before these tables existed answers with the defaults.
    if (auto v = db.scalar_int64("SELECT MAX(version) FROM catalogue_versions", 0); v.ok())
        f.catalogue_version = *v;
    if (auto v = db.scalar_int64("SELECT COUNT(*) FROM applications", 0); v.ok())
        f.applications = *v;
    return f;
}

Result<TerminalCheck> check_terminal(const std::filesystem::path& data_dir, const protocol::PublicKey& public_key,
                                     const std::optional<protocol::PublicKey>& central_key)
{
    auto db = TRY(open_existing(data_dir));
    TerminalCheck c;
    c.journal = TRY(journal::verify(db, public_key, 1, central_key));
    if (c.journal.ok())
        c.tables = TRY(check_projection(db, protocol::terminal_id_for(public_key), central_key));
    c.integrity = "not run";
    if (auto st = db.prepare("PRAGMA quick_check"); st.ok() && st->step().ok())
        c.integrity = st->text(0);
    if (auto acked = journal::acked_seq(db); acked.ok())
        c.acked_seq = *acked;
    return c;
}

Result<PolicyState> read_policy(const std::filesystem::path& data_dir, int64_t now_ms)
{
    auto db = TRY(open_existing(data_dir));
    PolicyState s;
    // A database made before the policies table existed has no policy.
    if (auto st = db.prepare("SELECT version, warn_after_days, stop_payments_after_days FROM policies ORDER BY version DESC LIMIT 1");
        st.ok() && TRY(st->step())) {
        s.has_policy = true;
        s.version = st->int64(0);
        s.warn_after_days = st->int64(1);
        s.stop_payments_after_days = st->int64(2);
    }
    if (auto kept = TRY(journal::kept_ack(db)))
        s.last_sync_ms = kept->ack.time_ms;
    evaluate_policy(s, now_ms);
    return s;
}

} // namespace nafitha::services
