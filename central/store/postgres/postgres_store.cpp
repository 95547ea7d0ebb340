// The PostgreSQL central store: a pool of libpq connections shared by the server's threads, any number of
// instances on one database. A batch is one transaction: the terminal's row is locked (FOR UPDATE) so that two
// instances never interleave one terminal's batches; the writes go as one pipeline of array statements (one row
// set per table, unnest on the server). Operations that may be repeated safely are retried once on a fresh
// connection when the server went away (failover); the others report error.central.storage_unavailable.

#include "central/store/codec.h"
#include "central/store/facts.h"
#include "central/store/measures.h"
#include "central/store/postgres/internal.h"

#include "base/clock.h"
#include "base/log.h"

#include <mutex>
#include <set>

namespace nafitha::central {

namespace {

using pg::Array;
using pg::Params;
using pg::Rows;
using pg::Statement;

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

Terminal read_terminal(const Rows& r, int row)
{
    Terminal t;
    t.no = r.integer(row, 0);
    auto& x = t.record;
    x.id = r.text(row, 1);
    x.centre = r.text(row, 2);
    x.name = r.text(row, 3);
    x.status = r.text(row, 4);
    x.public_key = r.text(row, 5);
    x.last_seq = r.integer(row, 6);
    x.last_hash = r.text(row, 7);
    x.entries = r.integer(row, 8);
    x.enrolled_ms = r.integer(row, 9);
    x.last_ingest_ms = r.integer(row, 10);
    return t;
}

bool retryable(const Error& e)
{
    return e.code == pg::kUnavailable || e.field == "40001" || e.field == "40P01";
}

enum class Retry { Safe, No };

class PostgresStore final : public Store {
public:
    PostgresStore(std::string url, int pool_size, int version) : m_pool(std::move(url), pool_size), m_version(version) {}

    std::string kind() const override { return "postgresql"; }
    int schema_version() const override { return m_version; }

    // A store opened at a version before 14 (the migration tests) has no decisions.reason.
    const char* decision_columns() const
    {
        return m_version >= 14 ? "SELECT cursor, reference, status, note, decided_at, reason"
                               : "SELECT cursor, reference, status, note, decided_at, ''";
    }

    Result<std::string> setting(const std::string& name, const std::string& value_if_absent) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::string> {
            TRY(c.query("INSERT INTO settings(name, value) VALUES($1, $2) ON CONFLICT (name) DO NOTHING",
                        Params().add(name).add(value_if_absent)));
            auto r = TRY(c.query("SELECT value FROM settings WHERE name = $1", Params().add(name)));
            return r.text(0, 0);
        });
    }

    Result<void> add_enrollment_code(const EnrollmentCode& code) override
    {
        return run(Retry::No, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("INSERT INTO enrollment_codes(code_hash, centre, name, created_ms, expires_ms) VALUES($1,$2,$3,$4,$5)",
                        Params().add(code.code_hash).add(code.centre).add(code.name).add(code.created_ms).add(code.expires_ms)));
            return {};
        });
    }

    Result<TerminalRecord> enroll(const std::string& code_hash, const std::string& terminal_id,
                                  const std::string& public_key, int64_t now_ms) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<TerminalRecord> {
            TRY(c.exec("BEGIN"));
            auto code = TRY(c.query("SELECT centre, name, expires_ms, used_by FROM enrollment_codes WHERE code_hash = $1 FOR UPDATE",
                                    Params().add(code_hash)));
            if (code.count() == 0)
                return Error::make("error.central.enroll_code", "unknown enrollment code");
            std::string centre = code.text(0, 0), name = code.text(0, 1);
            int64_t expires = code.integer(0, 2);
            bool used = !code.null(0, 3);
            std::string used_by = used ? code.text(0, 3) : std::string();
            auto existing = TRY(find(c, terminal_id, false));
            if (used) {
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
                TRY(c.query("INSERT INTO terminals(id, centre, name, status, public_key, last_hash, enrolled_ms) "
                            "VALUES($1,$2,$3,'active',$4,$5,$6)",
                            Params().add(terminal_id).add(centre).add(name).add(public_key).add(protocol::kGenesisHash).add(now_ms)));
            }
            TRY(c.query("UPDATE enrollment_codes SET used_by = $1, used_ms = $2 WHERE code_hash = $3",
                        Params().add(terminal_id).add(now_ms).add(code_hash)));
            auto t = TRY(find(c, terminal_id, false));
            TRY(c.exec("COMMIT"));
            return t->record;
        });
    }

    Result<void> revoke(const std::string& terminal_id) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<void> {
            auto r = TRY(c.query("UPDATE terminals SET status = 'revoked' WHERE id = $1", Params().add(terminal_id)));
            if (r.affected() == 0)
                return Error::make("error.central.unknown_terminal", "no terminal " + terminal_id);
            return {};
        });
    }

    Result<std::optional<TerminalRecord>> find_terminal(const std::string& terminal_id) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::optional<TerminalRecord>> {
            auto t = TRY(find(c, terminal_id, false));
            if (!t)
                return std::optional<TerminalRecord>();
            return std::optional<TerminalRecord>(t->record);
        });
    }

    Result<std::vector<TerminalRecord>> terminals() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<TerminalRecord>> {
            auto r = TRY(c.query(std::string("SELECT ") + kTerminalColumns + " FROM terminals ORDER BY id"));
            std::vector<TerminalRecord> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back(read_terminal(r, i).record);
            return out;
        });
    }

    using Store::ingest;
    Result<IngestOutcome> ingest(const std::string& terminal_id, const std::vector<protocol::Entry>& entries,
                                 int64_t now_ms, IngestRefusal& refusal, SignatureCheck signatures) override
    {
        auto encoded = TRY(encode_entries(entries, EntryCodec::Chained, &refusal.seq));
        // Entries go to the month of their receipt, never to a month before the terminal's previous batch (two
        // instances' clocks may differ by a little across midnight), so a terminal's entries of one month are
        // consecutive. That is this month or, at worst, the next, which is made ready in advance.
        int32_t month_now = month_of_ms(now_ms);
        TRY(ensure_month(month_now));
        TRY(ensure_month(next_month(month_now)));
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<IngestOutcome> {
            refusal = IngestRefusal{};
            auto head = TRY(c.pipeline({
                {"BEGIN", {}},
                {std::string("SELECT ") + kTerminalColumns + " FROM terminals WHERE id = $1 FOR UPDATE", Params().add(terminal_id)},
                {"SELECT COALESCE(MAX(version), 0) FROM catalogues", {}},
            }));
            if (head[1].count() == 0)
                return Error::make("error.central.unknown_terminal", "no terminal " + terminal_id);
            Terminal t = read_terminal(head[1], 0);
            if (t.record.status != "active")
                return Error::make("error.central.revoked", "terminal " + terminal_id + " is revoked");
            if (entries.empty())
                return IngestOutcome{t.record.last_seq, 0};
            if (entries.front().seq > t.record.last_seq + 1)
                return refuse(refusal, "error.central.gap",
                              "batch starts at " + std::to_string(entries.front().seq) + ", expected " + std::to_string(t.record.last_seq + 1),
                              t.record.last_seq + 1);
            size_t first = 0;
            while (first < entries.size() && entries[first].seq <= t.record.last_seq)
                ++first;
            if (first > 0) {
                // Entries central already holds must be exactly the stored ones. One that is no longer in the
                // store was archived and detached with its month: it was acknowledged long ago.
                auto hashes = TRY(stored_hashes(c, static_cast<int32_t>(t.no), t.record.id, entries.front().seq, entries[first - 1].seq));
                for (size_t i = 0; i < first; ++i) {
                    auto it = hashes.find(entries[i].seq);
                    if (it != hashes.end() && it->second != entries[i].hash) {
                        refusal.stored_hash = it->second;
                        refusal.offered_hash = entries[i].hash;
                        return refuse(refusal, "error.central.fork",
                                      "a different entry is stored under seq " + std::to_string(entries[i].seq), entries[i].seq);
                    }
                }
            }
            std::vector<Statement> writes;
            if (first == entries.size()) {
                writes.push_back({"UPDATE terminals SET last_ingest_ms = GREATEST(last_ingest_ms, $1) WHERE no = $2",
                                  Params().add(now_ms).add_int4(static_cast<int32_t>(t.no))});
                writes.push_back({"COMMIT", {}});
                TRY(c.pipeline(writes));
                return IngestOutcome{t.record.last_seq, 0};
            }
            if (entries[first].prev_hash != t.record.last_hash)
                return refuse(refusal, "error.central.chain",
                              "entry " + std::to_string(entries[first].seq) + " does not chain to the stored entry", entries[first].seq);
            int32_t no = static_cast<int32_t>(t.no);
            int32_t month = std::min(next_month(month_now), std::max(month_now, month_of_ms(t.record.last_ingest_ms)));
            Array seqs(pg::kInt8), bodies(pg::kBytea), sigs(pg::kBytea);
            for (size_t i = first; i < entries.size(); ++i) {
                seqs.add(encoded[i].seq);
                bodies.add(std::string_view(encoded[i].body));
                sigs.add(std::string_view(encoded[i].signature));
            }
            writes.push_back({"INSERT INTO entries(terminal, month, seq, body, sig) SELECT $1, $2, s, b, g "
                              "FROM unnest($3::bigint[], $4::bytea[], $5::bytea[]) AS u(s, b, g)",
                              Params().add_int4(no).add_int4(month).add(seqs).add(bodies).add(sigs)});
            // The projections and, from their rows before and after, the rollup (central/store/rollup.h).
            auto facts = project_batch(entries, first, t.record.centre, now_ms);
            auto book = TRY(zones(c, head[2].integer(0, 0)));
            auto [touched, tickets] = rollup::touch(facts, book);
            const bool queue = m_version >= rollup::kQueueVersion;
            // (A store opened at an older version by the migration tests has no local days and no rollup.)
            bool rollup = m_version >= rollup::kCellsVersion;
            auto before = rollup ? TRY(pg_store::read_apps(c, no, touched)) : std::vector<rollup::App>();
            auto tickets_before = queue ? TRY(pg_store::read_tickets(c, no, tickets)) : std::vector<rollup::Ticket>();
            add_projection_writes(writes, no, facts, now_ms, m_version);
            if (m_version >= 13)
                for (const auto& v : abandoned_visits(entries, first, t.record.centre, now_ms))
                    writes.push_back({"INSERT INTO visits_abandoned(terminal, seq, centre, entity, service_code, category, channel, last_step, "
                                      "reason, time_ms, local_day) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT DO NOTHING",
                                      Params().add_int4(no).add(v.seq).add(v.centre).add(v.entity).add(v.service_code).add(v.category)
                                          .add(v.channel).add(v.last_step).add(v.reason).add(v.time_ms)
                                          .add(book.local_day(v.centre, v.time_ms))});
            if (m_version >= 15)
                add_z_report_writes(writes, no, z_reports(entries, first, t.record.centre, now_ms), book);
            const auto& last = entries.back();
            int64_t stored = static_cast<int64_t>(entries.size() - first);
            writes.push_back({"INSERT INTO batches(terminal, first_seq, last_seq, received_ms, first_prev) VALUES($1,$2,$3,$4,$5)",
                              Params().add_int4(no).add(entries[first].seq).add(last.seq).add(std::max(now_ms, t.record.last_ingest_ms))
                                  .add(entries[first].prev_hash)});
            writes.push_back({"UPDATE terminals SET last_seq = $1, last_hash = $2, entries = entries + $3, last_ingest_ms = GREATEST(last_ingest_ms, $4) WHERE no = $5",
                              Params().add(last.seq).add(last.hash).add(stored).add(now_ms).add_int4(no)});
            if (signatures == SignatureCheck::done && m_version >= 17) // every signature checked: the watermark follows if contiguous
                writes.push_back({"UPDATE terminals SET signatures_checked_seq = $1 WHERE no = $2 AND signatures_checked_seq >= $3",
                                  Params().add(last.seq).add_int4(no).add(t.record.last_seq)});
            // The transparency log, last before COMMIT: the head row's lock, held until the commit, numbers the
            // leaves of every instance's transactions in commit order (migration 7).
            Array leaves(pg::kBytea);
            for (size_t i = first; i < entries.size(); ++i)
                leaves.add(std::string_view(reinterpret_cast<const char*>(encoded[i].leaf.data()), encoded[i].leaf.size()));
            std::vector<Statement> tail; // after the rollup, which needs the projection's rows first
            if (m_version >= 7) // (a store opened at an older version by the migration tests has no log)
                tail.push_back({"WITH h AS (UPDATE log_head SET size = size + $2 WHERE id = 1 RETURNING size - $2 AS base) "
                                  "INSERT INTO log_leaves(idx, terminal, seq, leaf) SELECT h.base + u.o - 1, $1, u.s, u.l "
                                  "FROM h, unnest($3::bigint[], $4::bytea[]) WITH ORDINALITY AS u(s, l, o)",
                                  Params().add_int4(no).add(stored).add(seqs).add(leaves)});
            TRY(c.pipeline(writes));
            if (rollup) {
                rollup::Delta delta;
                delta.diff(before, TRY(pg_store::read_apps(c, no, touched)));
                TRY(pg_store::write_rollup(c, delta));
            }
            if (queue) {
                rollup::TicketDelta queue_delta;
                queue_delta.diff(tickets_before, TRY(pg_store::read_tickets(c, no, tickets)));
                TRY(pg_store::write_ticket_rollup(c, queue_delta));
            }
            tail.push_back({"COMMIT", {}});
            TRY(c.pipeline(tail));
            return IngestOutcome{last.seq, stored};
        });
    }

    Result<std::vector<AbandonedCount>> abandoned_visit_counts(const MeasureQuery& q) override
    {
        return grouped_by_day<AbandonedCount>(TRY(abandoned_visits_sql(q.group_by, true)), q, 13,
                                               [](const pg::Rows& r, int i, int n, AbandonedCount& c) { c.count = r.integer(i, n); });
    }

    // The rows of a query over a range of local days ($1, $2) whose first columns are the caller's group keys: empty
    // on a store older than `since_version` (the table is not there yet).
    template<typename Row, typename Fill>
    Result<std::vector<Row>> grouped_by_day(const std::string& sql, const MeasureQuery& q, int since_version, Fill fill)
    {
        if (m_version < since_version)
            return std::vector<Row>();
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<Row>> {
            auto [from_day, to_day] = rollup::query_days(q);
            auto r = TRY(c.query(sql, Params().add(from_day).add(to_day)));
            std::vector<Row> out;
            const int n = static_cast<int>(q.group_by.size());
            for (int i = 0; i < r.count(); ++i) {
                Row row;
                for (int k = 0; k < n; ++k)
                    row.keys.push_back(r.text(i, k));
                fill(r, i, n, row);
                out.push_back(std::move(row));
            }
            return out;
        });
    }

    // Z reports into their projection (version 15), on the day each closes (else the local day of its time).
    static void add_z_report_writes(std::vector<Statement>& w, int32_t no, const std::vector<ZReportFact>& reports,
                                    const rollup::ZoneBook& book)
    {
        for (const auto& z : reports)
            w.push_back({"INSERT INTO z_reports(terminal, seq, centre, local_day, declared_minor, computed_minor, difference_minor, time_ms) "
                         "VALUES($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING",
                         Params().add_int4(no).add(z.seq).add(z.centre).add(z.day >= 0 ? z.day : book.local_day(z.centre, z.time_ms))
                             .add(z.declared_minor).add(z.computed_minor).add(z.difference_minor).add(z.time_ms)});
    }

    Result<std::vector<ZReportSum>> z_report_sums(const MeasureQuery& q) override
    {
        return grouped_by_day<ZReportSum>(TRY(z_reports_sql(q.group_by, true)), q, 15, [](const pg::Rows& r, int i, int n, ZReportSum& z) {
            z.reports = r.integer(i, n);
            z.with_difference = r.integer(i, n + 1);
            z.difference_minor = r.integer(i, n + 2);
            z.abs_difference_minor = r.integer(i, n + 3);
        });
    }

    Result<bool> z_reports_need_backfill() override
    {
        if (m_version < 15)
            return false;
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<bool> {
            auto r = TRY(c.query("SELECT 1 FROM z_reports_backfill WHERE id = 1 AND NOT done"));
            return r.count() > 0;
        });
    }

    Result<void> z_reports_backfill(const std::map<std::string, std::vector<ZReportFact>>& reports) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<void> {
            TRY(c.exec("BEGIN"));
            auto pending = TRY(c.query("SELECT 1 FROM z_reports_backfill WHERE id = 1 AND NOT done FOR UPDATE"));
            if (pending.count() == 0) { // another instance did it
                TRY(c.exec("ROLLBACK"));
                return {};
            }
            auto version = TRY(c.query("SELECT COALESCE(MAX(version), 0) FROM catalogues"));
            auto book = TRY(zones(c, version.integer(0, 0)));
            std::vector<Statement> writes;
            for (const auto& [id, list] : reports) {
                auto t = TRY(c.query("SELECT no FROM terminals WHERE id = $1", Params().add(id)));
                if (t.count() > 0)
                    add_z_report_writes(writes, static_cast<int32_t>(t.integer(0, 0)), list, book);
            }
            writes.push_back({"UPDATE z_reports_backfill SET done = true WHERE id = 1", {}});
            writes.push_back({"COMMIT", {}});
            TRY(c.pipeline(writes));
            return {};
        });
    }

    Result<void> set_cost(const CostRecord& cost) override
    {
        if (m_version < 15)
            return Error::make("error.central.storage", "the store is older than version 15 (no costs)");
        return run(Retry::No, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("INSERT INTO costs(scope, code, month, amount_minor, set_ms) VALUES($1,$2,$3,$4,$5) ON CONFLICT (scope, code, month) "
                        "DO UPDATE SET amount_minor = excluded.amount_minor, set_ms = excluded.set_ms",
                        Params().add(cost.scope).add(cost.code).add_int4(cost.month).add(cost.amount_minor).add(cost.set_ms)));
            return {};
        });
    }

    Result<std::vector<CostRecord>> costs() override
    {
        if (m_version < 15)
            return std::vector<CostRecord>();
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<CostRecord>> {
            auto r = TRY(c.query("SELECT scope, code, month, amount_minor, set_ms FROM costs ORDER BY scope, code, month"));
            std::vector<CostRecord> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back({r.text(i, 0), r.text(i, 1), static_cast<int32_t>(r.integer(i, 2)), r.integer(i, 3), r.integer(i, 4)});
            return out;
        });
    }

    Result<void> record_health(const HealthSample& h) override
    {
        return run(Retry::No, [&](pg::Conn& c) -> Result<void> {
            TRY(c.exec("BEGIN"));
            // One report of a terminal at a time across instances (its spans are read, then extended or added).
            TRY(c.query("SELECT pg_advisory_xact_lock(10, hashtext($1))", Params().add(h.terminal_id)));
            TRY(c.query("INSERT INTO terminal_health(terminal_id, received_ms, out_of_service, document, signature) VALUES($1,$2,$3,$4,$5) "
                        "ON CONFLICT(terminal_id) DO UPDATE SET received_ms = excluded.received_ms, out_of_service = excluded.out_of_service, "
                        "document = excluded.document, signature = excluded.signature "
                        "WHERE excluded.received_ms >= terminal_health.received_ms",
                        Params().add(h.terminal_id).add(h.received_ms).add_int4(h.out_of_service ? 1 : 0).add(h.document).add(h.signature)));
            auto last = TRY(c.query("SELECT id, out_of_service, end_ms FROM health_spans WHERE terminal_id = $1 ORDER BY start_ms DESC LIMIT 1",
                                    Params().add(h.terminal_id)));
            bool have = last.count() > 0;
            int64_t id = have ? last.integer(0, 0) : 0;
            bool oos = have && last.integer(0, 1) != 0;
            int64_t end = have ? last.integer(0, 2) : 0;
            if (have && h.received_ms < end) {
                // Older than what the spans already hold: the spans do not move.
            } else if (have && oos == h.out_of_service && h.received_ms - end <= kHealthGapMs) {
                TRY(c.query("UPDATE health_spans SET end_ms = $1, reports = reports + 1 WHERE id = $2", Params().add(h.received_ms).add(id)));
            } else {
                TRY(c.query("INSERT INTO health_spans(terminal_id, out_of_service, start_ms, end_ms, reports, document, signature) "
                            "VALUES($1,$2,$3,$3,1,$4,$5)",
                            Params().add(h.terminal_id).add_int4(h.out_of_service ? 1 : 0).add(h.received_ms).add(h.document).add(h.signature)));
            }
            TRY(c.exec("COMMIT"));
            return {};
        });
    }

    Result<std::vector<HealthSample>> latest_health() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<HealthSample>> {
            auto r = TRY(c.query("SELECT terminal_id, received_ms, out_of_service, document, signature FROM terminal_health ORDER BY terminal_id"));
            std::vector<HealthSample> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back({r.text(i, 0), r.integer(i, 1), r.integer(i, 2) != 0, r.text(i, 3), r.text(i, 4)});
            return out;
        });
    }

    Result<std::vector<HealthSpan>> health_spans(int64_t from_ms, int64_t to_ms) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<HealthSpan>> {
            auto r = TRY(c.query("SELECT terminal_id, out_of_service, start_ms, end_ms, reports, document, signature FROM health_spans "
                                 "WHERE end_ms >= $1 AND start_ms < $2 ORDER BY terminal_id, start_ms",
                                 Params().add(from_ms).add(to_ms)));
            std::vector<HealthSpan> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back({r.text(i, 0), r.integer(i, 1) != 0, r.integer(i, 2), r.integer(i, 3), r.integer(i, 4), r.text(i, 5), r.text(i, 6)});
            return out;
        });
    }

    Result<std::vector<SignatureBacklog>> signature_backlog() override
    {
        std::vector<SignatureBacklog> out;
        if (m_version < 17)
            return out;
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<SignatureBacklog>> {
            auto r = TRY(c.query("SELECT id, public_key, signatures_checked_seq, last_seq FROM terminals "
                                 "WHERE signatures_checked_seq < last_seq ORDER BY id"));
            std::vector<SignatureBacklog> rows;
            for (int i = 0; i < r.count(); ++i)
                rows.push_back({r.text(i, 0), r.text(i, 1), r.integer(i, 2), r.integer(i, 3)});
            return rows;
        });
    }

    using Store::advance_signatures_checked;
    Result<std::vector<int64_t>> advance_signatures_checked(const std::vector<SignatureMark>& marks) override
    {
        if (m_version < 17)
            return Error::make("error.central.storage", "the store has no signature watermark (schema " + std::to_string(m_version) + ")");
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<int64_t>> {
            // One statement for every terminal: never down (another instance may have moved one further), never
            // past what is stored.
            Array ids(pg::kText), throughs(pg::kInt8);
            for (const auto& m : marks) {
                ids.add(std::string_view(m.terminal_id));
                throughs.add(m.through);
            }
            // The rows locked in id order first: two instances' checkers moving the same terminals never deadlock.
            TRY(c.exec("BEGIN"));
            TRY(c.query("SELECT 1 FROM terminals WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE", Params().add(ids)));
            auto r = TRY(c.query("WITH m AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS u(id, through)), "
                                 "u AS (UPDATE terminals t SET signatures_checked_seq = LEAST(m.through, t.last_seq) FROM m "
                                 "WHERE t.id = m.id AND t.signatures_checked_seq < LEAST(m.through, t.last_seq) "
                                 "RETURNING t.id, t.signatures_checked_seq) "
                                 "SELECT COALESCE(u.signatures_checked_seq, t.signatures_checked_seq, 0) "
                                 "FROM unnest($1::text[]) WITH ORDINALITY AS k(id, o) "
                                 "LEFT JOIN u ON u.id = k.id LEFT JOIN terminals t ON t.id = k.id ORDER BY k.o",
                                 Params().add(ids).add(throughs)));
            TRY(c.exec("COMMIT"));
            std::vector<int64_t> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back(r.integer(i, 0));
            return out;
        });
    }

    Result<void> record_fork_alarm(const std::string& terminal_id, int64_t seq, const std::string& stored_hash,
                                   const std::string& offered_hash, int64_t now_ms) override
    {
        return run(Retry::No, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("INSERT INTO fork_alarms(terminal_id, seq, stored_hash, offered_hash, time_ms) VALUES($1,$2,$3,$4,$5)",
                        Params().add(terminal_id).add(seq).add(stored_hash).add(offered_hash).add(now_ms)));
            return {};
        });
    }

    Result<std::vector<ForkAlarm>> fork_alarms() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<ForkAlarm>> {
            auto r = TRY(c.query("SELECT terminal_id, seq, stored_hash, offered_hash, time_ms FROM fork_alarms ORDER BY id"));
            std::vector<ForkAlarm> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back({r.text(i, 0), r.integer(i, 1), r.text(i, 2), r.text(i, 3), r.integer(i, 4)});
            return out;
        });
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
        auto t = TRY(run(Retry::Safe, [&](pg::Conn& c) { return find(c, terminal_id, false); }));
        if (!t)
            return {};
        return scan_range(static_cast<int32_t>(t->no), terminal_id, after_seq, INT64_MAX, fn);
    }

    Result<std::vector<int32_t>> months() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<int32_t>> {
            // The partitions attached to entries that hold rows.
            auto parts = TRY(c.query(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'entries'::regclass "
                "ORDER BY c.relname"));
            std::vector<int32_t> out;
            for (int i = 0; i < parts.count(); ++i) {
                std::string name = parts.text(i, 0);
                auto any = TRY(c.query("SELECT 1 FROM " + name + " LIMIT 1"));
                if (any.count() > 0 && name.size() == 14)
                    out.push_back(std::stoi(name.substr(8)));
            }
            return out;
        });
    }

    Result<void> scan_month(int32_t month,
                            const std::function<Result<void>(const std::string&, const SignedEntry&)>& fn) override
    {
        // Terminal by terminal, a page at a time, so that memory stays bounded whatever the month holds.
        auto list = TRY(run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<std::pair<int32_t, std::string>>> {
            auto r = TRY(c.query("SELECT DISTINCT e.terminal, t.id FROM entries e JOIN terminals t ON t.no = e.terminal "
                                 "WHERE e.month = $1 ORDER BY e.terminal",
                                 Params().add_int4(month)));
            std::vector<std::pair<int32_t, std::string>> out;
            for (int i = 0; i < r.count(); ++i)
                out.emplace_back(static_cast<int32_t>(r.integer(i, 0)), r.text(i, 1));
            return out;
        }));
        for (const auto& [no, id] : list)
            TRY(scan_range(no, id, 0, INT64_MAX, [&, id = id](const SignedEntry& e) { return fn(id, e); }, month));
        return {};
    }

    Result<std::vector<MonthSummary>> archived_months() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<MonthSummary>> {
            auto r = TRY(c.query("SELECT month, entries, archive_sha256 FROM archived_months ORDER BY month"));
            std::vector<MonthSummary> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back({static_cast<int32_t>(r.integer(i, 0)), r.integer(i, 1), r.text(i, 2), {}});
            auto ranges = TRY(c.query("SELECT a.month, t.id, a.first_seq, a.last_seq, a.first_prev, a.last_hash FROM archived_ranges a "
                                      "JOIN terminals t ON t.no = a.terminal ORDER BY a.month, t.id, a.first_seq"));
            for (int i = 0; i < ranges.count(); ++i)
                for (auto& m : out)
                    if (m.month == ranges.integer(i, 0))
                        m.ranges.push_back({ranges.text(i, 1), ranges.integer(i, 2), ranges.integer(i, 3), ranges.text(i, 4), ranges.text(i, 5)});
            return out;
        });
    }

    Result<std::string> detach_month(const MonthSummary& summary, int64_t now_ms) override
    {
        if (summary.month >= month_of_ms(now_ms))
            return Error::make("error.central.month_open", "month " + std::to_string(summary.month) + " is not closed yet");
        std::string name = "entries_" + std::to_string(summary.month);
        return run(Retry::No, [&](pg::Conn& c) -> Result<std::string> {
            TRY(c.exec("BEGIN"));
            auto count = TRY(c.query("SELECT COUNT(*) FROM entries WHERE month = $1", Params().add_int4(summary.month)));
            if (count.integer(0, 0) != summary.entries)
                return Error::make("error.central.archive_mismatch",
                                   "the archive holds " + std::to_string(summary.entries) + " entries but the month holds "
                                       + std::to_string(count.integer(0, 0)));
            TRY(c.query("INSERT INTO archived_months(month, entries, archive_sha256, detached_ms) VALUES($1,$2,$3,$4)",
                        Params().add_int4(summary.month).add(summary.entries).add(summary.archive_sha256).add(now_ms)));
            for (const auto& r : summary.ranges) {
                // Each range must be exactly what the month holds for that terminal.
                auto held = TRY(c.query("SELECT MIN(e.seq), MAX(e.seq), COUNT(*) FROM entries e JOIN terminals t ON t.no = e.terminal "
                                        "WHERE e.month = $1 AND t.id = $2",
                                        Params().add_int4(summary.month).add(r.terminal_id)));
                if (held.null(0, 0) || held.integer(0, 0) != r.first_seq || held.integer(0, 1) != r.last_seq
                    || held.integer(0, 2) != r.last_seq - r.first_seq + 1)
                    return Error::make("error.central.archive_mismatch",
                                       "the archive's entries of terminal " + r.terminal_id + " are not the month's");
                TRY(c.query("INSERT INTO archived_ranges(month, terminal, first_seq, last_seq, first_prev, last_hash) "
                            "SELECT $1, no, $3, $4, $5, $6 FROM terminals WHERE id = $2",
                            Params().add_int4(summary.month).add(r.terminal_id).add(r.first_seq).add(r.last_seq).add(r.first_prev).add(r.last_hash)));
            }
            TRY(c.exec("ALTER TABLE entries DETACH PARTITION " + name));
            TRY(c.exec("COMMIT"));
            return name;
        });
    }

    Result<int64_t> import_catalogue(const nlohmann::json& document, int64_t now_ms) override
    {
        if (!document.is_object())
            return Error::make("error.central.catalogue_invalid", "the catalogue is not a JSON object");
        auto v = document.find("version");
        if (v == document.end() || !v->is_number_integer() || v->get<int64_t>() < 1)
            return Error::make("error.central.catalogue_invalid", "the catalogue has no positive integer 'version'");
        int64_t version = v->get<int64_t>();
        return run(Retry::No, [&](pg::Conn& c) -> Result<int64_t> {
            TRY(c.exec("BEGIN"));
            TRY(c.exec("LOCK TABLE catalogues IN EXCLUSIVE MODE"));
            auto cur = TRY(c.query("SELECT COALESCE(MAX(version), 0)::bigint FROM catalogues"));
            if (version <= cur.integer(0, 0))
                return Error::make("error.central.catalogue_old",
                                   "version " + std::to_string(version) + " is not newer than " + std::to_string(cur.integer(0, 0)));
            TRY(c.query("INSERT INTO catalogues(version, document, imported_ms) VALUES($1,$2,$3)",
                        Params().add(version).add(document.dump()).add(now_ms)));
            TRY(c.exec("COMMIT"));
            return version;
        });
    }

    Result<std::optional<CatalogueRecord>> latest_catalogue() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::optional<CatalogueRecord>> {
            auto r = TRY(c.query("SELECT version, document, imported_ms FROM catalogues ORDER BY version DESC LIMIT 1"));
            if (r.count() == 0)
                return std::optional<CatalogueRecord>();
            return std::optional<CatalogueRecord>(CatalogueRecord{r.integer(0, 0), r.text(0, 1), r.integer(0, 2)});
        });
    }

    Result<int64_t> add_decision(const std::string& reference, const std::string& status, const std::string& note,
                                 int64_t now_ms, const std::string& terminal_id, const std::string& reason) override
    {
        return run(Retry::No, [&](pg::Conn& c) -> Result<int64_t> {
            TRY(c.exec("BEGIN"));
            // Decisions are numbered and committed one at a time, so that a terminal reading "after cursor N"
            // can never miss a smaller cursor committed later by another instance.
            TRY(c.exec("LOCK TABLE decisions IN EXCLUSIVE MODE"));
            auto app = TRY(c.query("SELECT t.id, t.no FROM applications a JOIN terminals t ON t.no = a.terminal "
                                   "WHERE a.reference = $1 AND ($2 = '' OR t.id = $2) LIMIT 2",
                                   Params().add(reference).add(terminal_id)));
            if (app.count() == 0)
                return Error::make("error.central.unknown_application", "no application " + reference);
            if (app.count() > 1)
                return Error::make("error.central.ambiguous_application",
                                   "several terminals have an application " + reference + ": name the terminal");
            std::string terminal = app.text(0, 0);
            int64_t no = app.integer(0, 1);
            // The terminal's row is locked as an ingest locks it: the rollup's cells are the terminal's.
            TRY(c.query("SELECT 1 FROM terminals WHERE no = $1 FOR UPDATE", Params().add_int4(static_cast<int32_t>(no))));
            bool rollup = m_version >= rollup::kCellsVersion;
            auto before = rollup ? TRY(pg_store::read_apps(c, static_cast<int32_t>(no), {reference})) : std::vector<rollup::App>();
            Params ip;
            ip.add(reference).add(terminal).add(status).add(note).add(clock::iso8601_utc(now_ms));
            if (m_version >= 14)
                ip.add(reason);
            auto ins = TRY(c.query(m_version >= 14 ? "INSERT INTO decisions(reference, terminal_id, status, note, decided_at, reason) "
                                                     "VALUES($1,$2,$3,$4,$5,$6) RETURNING cursor"
                                                   : "INSERT INTO decisions(reference, terminal_id, status, note, decided_at) "
                                                     "VALUES($1,$2,$3,$4,$5) RETURNING cursor",
                                   ip));
            // Central's clock decides the decision time; the terminal's later echo of it does not move it.
            TRY(c.query("UPDATE applications SET status = $1, updated_ms = $2, "
                        "decided_ms = COALESCE(decided_ms, $5), ready_ms = COALESCE(ready_ms, $6) "
                        "WHERE terminal = $3 AND reference = $4",
                        Params().add(status).add(now_ms).add_int4(static_cast<int32_t>(no)).add(reference)
                            .add(is_decision_status(status) ? std::optional<int64_t>(now_ms) : std::nullopt)
                            .add(is_ready_status(status) ? std::optional<int64_t>(now_ms) : std::nullopt)));
            TRY(c.query("INSERT INTO application_history(terminal, reference, seq, status, actor, time_ms, received_ms) "
                        "VALUES($1, $2, $3, $4, 'central', $5, $5) ON CONFLICT DO NOTHING",
                        Params().add_int4(static_cast<int32_t>(no)).add(reference).add(-ins.integer(0, 0)).add(status).add(now_ms)));
            if (rollup) {
                rollup::Delta delta;
                delta.diff(before, TRY(pg_store::read_apps(c, static_cast<int32_t>(no), {reference})));
                TRY(pg_store::write_rollup(c, delta));
            }
            TRY(c.exec("COMMIT"));
            return ins.integer(0, 0);
        });
    }

    Result<std::vector<protocol::Decision>> decisions_after(const std::string& terminal_id, int64_t cursor,
                                                            size_t max_count) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<protocol::Decision>> {
            auto r = TRY(c.query(std::string(decision_columns()) + " FROM decisions WHERE terminal_id = $1 AND cursor > $2 "
                                 "ORDER BY cursor LIMIT $3",
                                 Params().add(terminal_id).add(cursor).add(static_cast<int64_t>(max_count))));
            std::vector<protocol::Decision> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back({r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5)});
            return out;
        });
    }

    Result<std::optional<protocol::Decision>> find_decision(const std::string& terminal_id, int64_t cursor) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::optional<protocol::Decision>> {
            auto r = TRY(c.query(std::string(decision_columns()) + " FROM decisions WHERE terminal_id = $1 AND cursor = $2",
                                 Params().add(terminal_id).add(cursor)));
            if (r.count() == 0)
                return std::optional<protocol::Decision>();
            return std::optional<protocol::Decision>(
                protocol::Decision{r.integer(0, 0), r.text(0, 1), r.text(0, 2), r.text(0, 3), r.text(0, 4), r.text(0, 5)});
        });
    }

    Result<Counts> counts() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<Counts> {
            auto r = TRY(c.query("SELECT (SELECT COALESCE(SUM(entries), 0)::bigint FROM terminals), (SELECT COUNT(*) FROM fork_alarms), "
                                 "(SELECT COUNT(*) FROM applications), (SELECT COUNT(*) FROM payments), "
                                 "(SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM surveys)"));
            return Counts{r.integer(0, 0), r.integer(0, 1), r.integer(0, 2), r.integer(0, 3), r.integer(0, 4), r.integer(0, 5)};
        });
    }

    Result<std::vector<ReconcileRow>> fees_due_vs_paid(const std::string& centre, int32_t month) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<ReconcileRow>> {
            auto r = TRY(c.query(R"SQL(
SELECT t.id, a.reference, COALESCE(a.fee_minor, 0), a.paid_minor
  FROM applications a JOIN terminals t ON t.no = a.terminal
  WHERE a.centre = $1 AND a.submitted_ms >= $2 AND a.submitted_ms < $3
UNION ALL
SELECT t.id, p.reference, 0::bigint, SUM(COALESCE(p.amount_minor, 0))::bigint
  FROM payments p JOIN terminals t ON t.no = p.terminal
  WHERE p.centre = $1 AND p.time_ms >= $2 AND p.time_ms < $3 AND NOT p.application_known
  GROUP BY t.id, p.reference
ORDER BY 1, 2)SQL",
                                 Params().add(centre).add(month_start_ms(month)).add(month_start_ms(next_month(month)))));
            std::vector<ReconcileRow> out;
            out.reserve(static_cast<size_t>(r.count()));
            for (int i = 0; i < r.count(); ++i)
                out.push_back({r.text(i, 0), r.text(i, 1), r.integer(i, 2), r.integer(i, 3)});
            return out;
        });
    }

    Result<std::vector<EntryCount>> entries_by_type(int32_t from_day, int32_t to_day) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<EntryCount>> {
            auto r = TRY(c.query("SELECT day, type, SUM(n)::bigint FROM entry_days WHERE day >= $1 AND day <= $2 GROUP BY day, type "
                                 "ORDER BY day, type",
                                 Params().add_int4(from_day).add_int4(to_day)));
            std::vector<EntryCount> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back({static_cast<int32_t>(r.integer(i, 0)), r.text(i, 1), r.integer(i, 2)});
            return out;
        });
    }

    Result<std::vector<MeasureRow>> measures(const MeasureQuery& query) override
    {
        if (!query.raw)
            return rollup_measures(query);
        auto [from_day, to_day] = rollup::query_days(query);
        auto sql = TRY(measure_sql(query, true));
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<MeasureRow>> {
            size_t dims = query.group_by.size();
            int d = static_cast<int>(dims);
            MeasureCollector rows(query);
            // One snapshot for the three reads.
            TRY(c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
            auto agg = c.query(sql.aggregate, Params().add(from_day).add(to_day));
            auto dur = agg.ok() ? c.query(sql.durations, Params().add(from_day).add(to_day)) : Result<pg::Rows>(agg.error());
            bool with_surveys = m_version >= rollup::kCellsVersion;
            auto sv = dur.ok() && with_surveys ? c.query(sql.surveys, Params().add(from_day).add(to_day)) : Result<pg::Rows>(pg::Rows());
            if (!dur.ok())
                sv = Result<pg::Rows>(dur.error());
            bool queue = !sql.tickets.empty() && m_version >= rollup::kQueueVersion;
            auto tk = sv.ok() && queue ? c.query(sql.tickets, Params().add(from_day).add(to_day)) : Result<pg::Rows>(pg::Rows());
            if (!sv.ok())
                tk = Result<pg::Rows>(sv.error());
            auto ids = tk.ok() ? c.query("SELECT no::text, id FROM terminals") : Result<pg::Rows>(tk.error());
            (void)c.exec(ids.ok() ? "COMMIT" : "ROLLBACK");
            if (!ids.ok())
                return ids.error();
            auto keys_of = [&](const pg::Rows& r, int row) {
                std::vector<std::string> keys;
                keys.reserve(dims);
                for (int i = 0; i < d; ++i)
                    keys.push_back(r.text(row, i));
                return keys;
            };
            std::vector<std::optional<int64_t>> values(kMeasureColumns);
            for (int i = 0; i < agg->count(); ++i) {
                for (int k = 0; k < kMeasureColumns; ++k)
                    values[static_cast<size_t>(k)] = agg->optional_integer(i, d + k);
                rows.aggregate(keys_of(agg.value(), i), values);
            }
            for (int i = 0; i < dur->count(); ++i)
                rows.duration(keys_of(dur.value(), i), dur->integer(i, d), dur->optional_integer(i, d + 1), dur->text(i, d + 2));
            for (int i = 0; with_surveys && i < sv->count(); ++i)
                rows.survey(keys_of(sv.value(), i), sv->optional_integer(i, d), sv->text(i, d + 1));
            for (int i = 0; queue && i < tk->count(); ++i)
                rows.ticket(keys_of(tk.value(), i), tk->text(i, d), tk->integer(i, d + 1), tk->optional_integer(i, d + 2));
            std::map<std::string, std::string> names;
            for (int i = 0; i < ids->count(); ++i)
                names[ids->text(i, 0)] = ids->text(i, 1);
            return rows.finish(query, names);
        });
    }

    // The indicators' measures from the rollup: whole months from the month cells, other days from the day cells.
    Result<std::vector<MeasureRow>> rollup_measures(const MeasureQuery& query)
    {
        rollup::CellCollector probe(query);
        TRY(probe.check());
        auto [from_day, to_day] = rollup::query_days(query);
        auto ranges = rollup::plan(from_day, to_day, query.months_suffice);
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<MeasureRow>> {
            rollup::CellCollector cells(query);
            std::vector<Statement> reads = {{"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", {}}};
            for (const auto& r : ranges)
                reads.push_back({std::string("SELECT ") + rollup::kKeyColumns + ", " + rollup::kCellColumns
                                     + " FROM app_rollup WHERE grain = $1 AND period >= $2 AND period < $3",
                                 Params().add_int4(r.grain).add(r.from).add(r.to)});
            const bool queue = rollup::tickets_apply(query.group_by) && m_version >= rollup::kQueueVersion;
            if (queue)
                for (const auto& r : ranges)
                    reads.push_back({std::string("SELECT ") + rollup::kTicketKeyColumns + ", " + rollup::kTicketCellColumns
                                         + " FROM ticket_rollup WHERE grain = $1 AND period >= $2 AND period < $3",
                                     Params().add_int4(r.grain).add(r.from).add(r.to)});
            reads.push_back({"SELECT no, id FROM terminals", {}});
            reads.push_back({"COMMIT", {}});
            auto results = TRY(c.pipeline(reads));
            struct Row {
                const pg::Rows& r;
                int row, offset;
                int64_t i64(int col) const { return r.integer(row, col + offset); }
                std::string str(int col) const { return r.text(row, col + offset); }
                bool null(int col) const { return r.null(row, col + offset); }
            };
            for (size_t k = 1; k <= ranges.size(); ++k) {
                const auto& rows = results[k];
                for (int i = 0; i < rows.count(); ++i)
                    cells.add(rollup::read_key(Row{rows, i, 0}), rollup::read_cell(Row{rows, i, 8}, 0, false),
                              {rows.text(i, 8 + rollup::kCellIntColumns), rows.text(i, 9 + rollup::kCellIntColumns),
                               rows.text(i, 10 + rollup::kCellIntColumns), rows.text(i, 11 + rollup::kCellIntColumns)});
            }
            size_t next = ranges.size() + 1;
            for (size_t k = 0; queue && k < ranges.size(); ++k, ++next) {
                const auto& rows = results[next];
                for (int i = 0; i < rows.count(); ++i)
                    cells.add_tickets(rollup::read_ticket_key(Row{rows, i, 0}), rollup::read_ticket_cell(Row{rows, i, 6}, 0, false),
                                      rows.text(i, 10));
            }
            std::map<int64_t, std::string> ids;
            const auto& t = results[next];
            for (int i = 0; i < t.count(); ++i)
                ids[t.integer(i, 0)] = t.text(i, 1);
            return cells.finish(ids);
        });
    }

    Result<std::vector<HistoryRow>> application_history(const std::string& terminal_id, const std::string& reference) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<HistoryRow>> {
            auto r = TRY(c.query("SELECT h.status, h.actor, h.time_ms, h.received_ms FROM application_history h "
                                 "JOIN terminals t ON t.no = h.terminal WHERE t.id = $1 AND h.reference = $2 "
                                 "ORDER BY h.received_ms, h.seq",
                                 Params().add(terminal_id).add(reference)));
            std::vector<HistoryRow> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back({r.text(i, 0), r.text(i, 1), r.integer(i, 2), r.integer(i, 3)});
            return out;
        });
    }

    Result<std::vector<ApplicationCount>> applications_by_status(int64_t from_ms, int64_t to_ms) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<ApplicationCount>> {
            auto r = TRY(c.query("SELECT centre, entity, service_code, status, COUNT(*) FROM applications "
                                 "WHERE submitted_ms >= $1 AND submitted_ms < $2 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
                                 Params().add(from_ms).add(to_ms)));
            std::vector<ApplicationCount> out;
            for (int i = 0; i < r.count(); ++i)
                out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.integer(i, 4)});
            return out;
        });
    }

    // ---- The transparency log ----

    Result<int64_t> log_size() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<int64_t> {
            auto r = TRY(c.query("SELECT size FROM log_head WHERE id = 1"));
            return r.count() ? r.integer(0, 0) : 0;
        });
    }

    Result<std::vector<protocol::MerkleHash>> log_leaf_hashes(int64_t from, int64_t to) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<protocol::MerkleHash>> {
            auto head = TRY(c.query("SELECT size FROM log_head WHERE id = 1"));
            int64_t end = std::min(to, head.count() ? head.integer(0, 0) : 0);
            std::vector<protocol::MerkleHash> out;
            if (from >= end)
                return out;
            auto r = TRY(c.query("SELECT idx, leaf FROM log_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx",
                                 Params().add(from).add(end)));
            out.reserve(static_cast<size_t>(r.count()));
            for (int i = 0; i < r.count(); ++i) {
                auto blob = r.text(i, 1);
                if (r.integer(i, 0) != from + i || blob.size() != 32)
                    return Error::make("error.central.log_corrupt", "the log has no leaf " + std::to_string(from + i));
                protocol::MerkleHash h;
                std::copy(blob.begin(), blob.end(), h.begin());
                out.push_back(h);
            }
            if (static_cast<int64_t>(out.size()) != end - from)
                return Error::make("error.central.log_corrupt", "the log has no leaf " + std::to_string(from + out.size()));
            return out;
        });
    }

    static LogLeaf leaf_row(int64_t index, std::string terminal_id, int64_t seq, const std::string& blob)
    {
        LogLeaf l;
        l.index = index;
        l.terminal_id = std::move(terminal_id);
        l.seq = seq;
        if (blob.size() == l.hash.size())
            std::copy(blob.begin(), blob.end(), l.hash.begin());
        return l;
    }

    Result<std::optional<LogLeaf>> log_leaf_of(const std::string& terminal_id, int64_t seq) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::optional<LogLeaf>> {
            auto r = TRY(c.query("SELECT l.idx, l.leaf FROM log_leaves l JOIN terminals t ON t.no = l.terminal "
                                 "WHERE t.id = $1 AND l.seq = $2", Params().add(terminal_id).add(seq)));
            if (r.count() == 0)
                return std::optional<LogLeaf>();
            return std::optional<LogLeaf>(leaf_row(r.integer(0, 0), terminal_id, seq, r.text(0, 1)));
        });
    }

    Result<std::optional<LogLeaf>> log_leaf_at(int64_t index) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::optional<LogLeaf>> {
            auto r = TRY(c.query("SELECT t.id, l.seq, l.leaf FROM log_leaves l JOIN terminals t ON t.no = l.terminal "
                                 "WHERE l.idx = $1", Params().add(index)));
            if (r.count() == 0)
                return std::optional<LogLeaf>();
            return std::optional<LogLeaf>(leaf_row(index, r.text(0, 0), r.integer(0, 1), r.text(0, 2)));
        });
    }

    Result<std::optional<int64_t>> submission_seq(const std::string& terminal_id, const std::string& reference) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::optional<int64_t>> {
            auto r = TRY(c.query("SELECT MIN(h.seq) FROM application_history h JOIN terminals t ON t.no = h.terminal "
                                 "WHERE t.id = $1 AND h.reference = $2 AND h.status = 'submitted' AND h.seq > 0",
                                 Params().add(terminal_id).add(reference)));
            return r.optional_integer(0, 0);
        });
    }

    Result<std::optional<SignedEntry>> entry_at(const std::string& terminal_id, int64_t seq) override
    {
        auto t = TRY(run(Retry::Safe, [&](pg::Conn& c) { return find(c, terminal_id, false); }));
        std::optional<SignedEntry> out;
        if (!t)
            return out;
        TRY(scan_range(static_cast<int32_t>(t->no), terminal_id, seq - 1, seq, [&](const SignedEntry& e) -> Result<void> {
            out = e;
            return {};
        }));
        return out;
    }

    Result<void> add_checkpoint(const StoredCheckpoint& cp) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("INSERT INTO log_checkpoints(size, root, time_ms, statement) VALUES($1,$2,$3,$4) ON CONFLICT (size) DO NOTHING",
                        Params().add(cp.size).add(cp.root).add(cp.time_ms).add(cp.statement)));
            return {};
        });
    }

    Result<std::optional<StoredCheckpoint>> latest_checkpoint() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::optional<StoredCheckpoint>> {
            auto r = TRY(c.query("SELECT size, root, time_ms, statement FROM log_checkpoints ORDER BY size DESC LIMIT 1"));
            if (r.count() == 0)
                return std::optional<StoredCheckpoint>();
            return std::optional<StoredCheckpoint>(StoredCheckpoint{r.integer(0, 0), r.text(0, 1), r.integer(0, 2), r.text(0, 3)});
        });
    }

    Result<bool> log_needs_backfill() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<bool> {
            auto r = TRY(c.query("SELECT 1 FROM log_head WHERE id = 1 AND NOT backfilled"));
            return r.count() > 0;
        });
    }

    Result<int64_t> log_backfill(const std::vector<LogLeaf>& leaves) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<int64_t> {
            TRY(c.exec("BEGIN"));
            auto head = TRY(c.query("SELECT size FROM log_head WHERE id = 1 AND NOT backfilled FOR UPDATE"));
            if (head.count() == 0) {
                TRY(c.exec("ROLLBACK"));
                return int64_t(0);
            }
            int64_t index = head.integer(0, 0);
            int64_t added = 0;
            Array ids(pg::kText), seqs(pg::kInt8), hashes(pg::kBytea), idxs(pg::kInt8);
            // Leaves the log already holds (ingested since the migration) keep their place.
            auto present = TRY(c.query("SELECT t.id, l.seq FROM log_leaves l JOIN terminals t ON t.no = l.terminal"));
            std::set<std::pair<std::string, int64_t>> have;
            for (int i = 0; i < present.count(); ++i)
                have.emplace(present.text(i, 0), present.integer(i, 1));
            for (const auto& l : leaves) {
                if (have.count({l.terminal_id, l.seq}))
                    continue;
                ids.add(l.terminal_id);
                seqs.add(l.seq);
                hashes.add(std::string_view(reinterpret_cast<const char*>(l.hash.data()), l.hash.size()));
                idxs.add(index++);
                ++added;
            }
            if (added > 0)
                TRY(c.query("INSERT INTO log_leaves(idx, terminal, seq, leaf) SELECT u.i, t.no, u.s, u.l "
                            "FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bytea[]) AS u(i, id, s, l) JOIN terminals t ON t.id = u.id",
                            Params().add(idxs).add(ids).add(seqs).add(hashes)));
            TRY(c.query("UPDATE log_head SET size = $1, backfilled = true WHERE id = 1", Params().add(index)));
            TRY(c.exec("COMMIT"));
            return added;
        });
    }

    Result<int64_t> stored_bytes() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<int64_t> {
            // Tables of this store (partitions included) with their indexes and TOAST.
            auto r = TRY(c.query(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c "
                "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"));
            return r.integer(0, 0);
        });
    }

    // ---- State shared by every instance (central/front) ----

    Result<bool> use_nonce(const std::string& terminal_id, const std::string& nonce, int64_t expires_ms,
                           int64_t now_ms) override
    {
        // Not retried: had a lost answer's commit happened, the retry would call a fresh nonce a replay. Committed
        // without waiting for the disk or a synchronous standby (every signed request writes one): a nonce survives
        // any crash of central; only a crash of the database server itself, or a failover, may forget the last
        // few, and a replay of what those admitted finds nothing new (ingest is idempotent, reads change nothing).
        return run(Retry::No, [&](pg::Conn& c) -> Result<bool> {
            auto r = TRY(c.pipeline({
                {"BEGIN", {}},
                {"SET LOCAL synchronous_commit = off", {}},
                {"INSERT INTO nonces(terminal_id, nonce, expires_ms) VALUES($1, $2, $3) "
                 "ON CONFLICT (terminal_id, nonce) DO UPDATE SET expires_ms = excluded.expires_ms WHERE nonces.expires_ms <= $4",
                 Params().add(terminal_id).add(nonce).add(expires_ms).add(now_ms)},
                {"COMMIT", {}},
            }));
            return r[2].affected() == 1;
        });
    }

    Result<RateWindow> count_in_window(const std::string& key, int64_t window_ms, int64_t now_ms) override
    {
        int64_t start = now_ms - now_ms % window_ms;
        return run(Retry::No, [&](pg::Conn& c) -> Result<RateWindow> {
            auto r = TRY(c.query("INSERT INTO rate_windows(key, window_start, window_end, count) VALUES($1, $2, $3, 1) "
                                 "ON CONFLICT (key) DO UPDATE SET count = CASE WHEN rate_windows.window_start = excluded.window_start "
                                 "THEN rate_windows.count + 1 ELSE 1 END, window_start = excluded.window_start, "
                                 "window_end = excluded.window_end RETURNING count",
                                 Params().add(key).add(start).add(start + window_ms)));
            return RateWindow{r.integer(0, 0), start + window_ms};
        });
    }

    Result<void> add_counters(const std::vector<std::pair<std::string, int64_t>>& deltas) override
    {
        if (deltas.empty())
            return {};
        // Summed per name first: one row may appear once per statement in ON CONFLICT DO UPDATE.
        std::map<std::string, int64_t> sums;
        for (const auto& [name, v] : deltas)
            sums[name] += v;
        Array names(pg::kText), values(pg::kInt8);
        for (const auto& [name, v] : sums) {
            names.add(std::string_view(name));
            values.add(v);
        }
        return run(Retry::No, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("INSERT INTO counters(name, value) SELECT n, v FROM unnest($1::text[], $2::bigint[]) AS u(n, v) "
                        "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value",
                        Params().add(names).add(values)));
            return {};
        });
    }

    Result<std::vector<std::pair<std::string, int64_t>>> counters() override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<std::pair<std::string, int64_t>>> {
            auto r = TRY(c.query("SELECT name, value FROM counters ORDER BY name"));
            std::vector<std::pair<std::string, int64_t>> out;
            for (int i = 0; i < r.count(); ++i)
                out.emplace_back(r.text(i, 0), r.integer(i, 1));
            return out;
        });
    }

    Result<void> probe_write(const std::string& instance, int64_t now_ms) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("INSERT INTO central_heartbeat(instance, time_ms) VALUES($1, $2) "
                        "ON CONFLICT (instance) DO UPDATE SET time_ms = excluded.time_ms",
                        Params().add(instance).add(now_ms)));
            return {};
        });
    }

    Result<void> expire_state(int64_t now_ms) override
    {
        return run(Retry::Safe, [&](pg::Conn& c) -> Result<void> {
            TRY(c.query("DELETE FROM nonces WHERE expires_ms < $1", Params().add(now_ms)));
            TRY(c.query("DELETE FROM rate_windows WHERE window_end < $1", Params().add(now_ms)));
            return {};
        });
    }

private:
    template<typename F>
    auto run(Retry retry, F&& f) -> decltype(f(std::declval<pg::Conn&>()))
    {
        for (int attempt = 0;; ++attempt) {
            auto lease = m_pool.acquire();
            if (!lease.ok()) {
                if (retry == Retry::Safe && attempt == 0)
                    continue;
                return lease.release_error();
            }
            auto r = f(*lease.value());
            if (!r.ok() && retry == Retry::Safe && attempt < 2 && retryable(r.error()))
                continue;
            return r;
        }
    }

    Result<std::optional<Terminal>> find(pg::Conn& c, const std::string& terminal_id, bool for_update)
    {
        auto r = TRY(c.query(std::string("SELECT ") + kTerminalColumns + " FROM terminals WHERE id = $1" + (for_update ? " FOR UPDATE" : ""),
                             Params().add(terminal_id)));
        if (r.count() == 0)
            return std::optional<Terminal>();
        return std::optional<Terminal>(read_terminal(r, 0));
    }

    Result<void> ensure_month(int32_t month)
    {
        {
            std::lock_guard lock(m_months_mutex);
            if (m_months.count(month))
                return {};
        }
        TRY(run(Retry::Safe, [&](pg::Conn& c) { return pg_store::ensure_partition(c, month); }));
        std::lock_guard lock(m_months_mutex);
        m_months.insert(month);
        return {};
    }

    // The hash of the entry before `seq` (kGenesisHash for seq 1): the prev recorded for the batch that holds seq,
    // then the entries from the batch's start rebuilt one after another.
    static Result<std::string> hash_before(pg::Conn& c, int32_t no, const std::string& tid, int64_t seq)
    {
        if (seq <= 1)
            return protocol::kGenesisHash;
        auto b = TRY(c.query("SELECT first_seq, first_prev FROM batches WHERE terminal = $1 AND first_seq <= $2 ORDER BY first_seq DESC LIMIT 1",
                             Params().add_int4(no).add(seq)));
        int64_t start = 1;
        std::string prev = protocol::kGenesisHash;
        if (b.count() > 0) {
            start = b.integer(0, 0);
            prev = b.null(0, 1) ? std::string() : b.text(0, 1); // null: a batch stored before codec 2
        }
        if (start == seq && !prev.empty())
            return prev;
        if (start == seq)
            start = seq - 1; // the entry before is self-contained (codec 1)
        auto r = TRY(c.query("SELECT body FROM entries WHERE terminal = $1 AND seq >= $2 AND seq < $3 ORDER BY seq",
                             Params().add_int4(no).add(start).add(seq)));
        for (int i = 0; i < r.count(); ++i)
            prev = protocol::sha256_hex(TRY(decode_signed_bytes(r.text(i, 0), prev, tid)));
        return prev;
    }

    // seq -> hash of the entries from..to that the store holds (a detached month's are not there).
    static Result<std::map<int64_t, std::string>> stored_hashes(pg::Conn& c, int32_t no, const std::string& tid, int64_t from, int64_t to)
    {
        std::map<int64_t, std::string> out;
        auto r = TRY(c.query("SELECT seq, body FROM entries WHERE terminal = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq",
                             Params().add_int4(no).add(from).add(to)));
        std::string prev;
        int64_t expect = -1;
        for (int i = 0; i < r.count(); ++i) {
            int64_t seq = r.integer(i, 0);
            auto body = r.text(i, 1);
            if (seq != expect && needs_prev(body))
                prev = TRY(hash_before(c, no, tid, seq));
            prev = protocol::sha256_hex(TRY(decode_signed_bytes(body, prev, tid)));
            out[seq] = prev;
            expect = seq + 1;
        }
        return out;
    }

    // Entries of terminal `no` after `after` up to `last`, a page at a time; `month` 0 = every month.
    Result<void> scan_range(int32_t no, const std::string& tid, int64_t after, int64_t last,
                            const std::function<Result<void>(const SignedEntry&)>& fn, int32_t month = 0)
    {
        constexpr int64_t kPage = 2000;
        std::string prev;
        int64_t expect = -1;
        for (;;) {
            auto page = TRY(run(Retry::Safe, [&](pg::Conn& c) -> Result<std::vector<SignedEntry>> {
                auto r = TRY(c.query("SELECT seq, month, body, sig FROM entries WHERE terminal = $1 AND seq > $2 AND seq <= $3 "
                                     "AND ($4 = 0 OR month = $4) ORDER BY seq LIMIT $5",
                                     Params().add_int4(no).add(after).add(last).add_int4(month).add(kPage)));
                std::vector<SignedEntry> out;
                out.reserve(static_cast<size_t>(r.count()));
                std::string p = prev;
                int64_t x = expect;
                for (int i = 0; i < r.count(); ++i) {
                    SignedEntry e;
                    e.seq = r.integer(i, 0);
                    e.month = static_cast<int32_t>(r.integer(i, 1));
                    auto body = r.text(i, 2);
                    if (e.seq != x && needs_prev(body))
                        p = TRY(hash_before(c, no, tid, e.seq));
                    e.bytes = TRY(decode_signed_bytes(body, p, tid));
                    e.signature = r.text(i, 3);
                    p = protocol::sha256_hex(e.bytes);
                    x = e.seq + 1;
                    out.push_back(std::move(e));
                }
                prev = p;
                expect = x;
                return out;
            }));
            for (const auto& e : page)
                TRY(fn(e));
            if (static_cast<int64_t>(page.size()) < kPage)
                return {};
            after = page.back().seq;
        }
    }

    static void add_projection_writes(std::vector<Statement>& w, int32_t no, const BatchFacts& f, int64_t received_ms, int version)
    {
        const bool local_days = version >= 8, ticket_days = version >= rollup::kQueueVersion;
        if (!f.applications.empty()) {
            Array ref(pg::kText), centre(pg::kText), entity(pg::kText), service(pg::kText), channel(pg::kText), status(pg::kText),
                fee(pg::kInt8), paid(pg::kInt8), at(pg::kInt8), updated(pg::kInt8), category(pg::kText), exemption(pg::kText),
                waived(pg::kInt8), staff(pg::kInt8), claimed(pg::kText), decided(pg::kInt8), ready(pg::kInt8), surveys(pg::kInt8),
                rsum(pg::kInt8), rn(pg::kInt8), local_day(pg::kInt4);
            for (const auto& a : f.applications) {
                local_day.add(a.local_day);
                surveys.add(a.surveys);
                rsum.add(a.rating_sum);
                rn.add(a.ratings);
                category.add(std::string_view(a.category));
                exemption.add(std::string_view(a.exemption));
                waived.add(a.waived_minor);
                staff.add(a.staff_id);
                claimed.add(std::string_view(a.claimed_centre));
                decided.add(a.decided_ms);
                ready.add(a.ready_ms);
                ref.add(std::string_view(a.reference));
                centre.add(std::string_view(a.centre));
                entity.add(std::string_view(a.entity));
                service.add(std::string_view(a.service_code));
                channel.add(std::string_view(a.channel));
                status.add(std::string_view(a.status));
                fee.add(a.fee_minor);
                paid.add(a.paid_minor);
                at.add(a.submitted_ms);
                updated.add(a.updated_ms);
            }
            // A reference submitted again (an earlier batch has it) keeps its row; what this batch did to it counts.
            w.push_back({"INSERT INTO applications(terminal, reference, centre, entity, service_code, channel, status, fee_minor, "
                         "paid_minor, submitted_ms, updated_ms, category, exemption, waived_minor, staff_id, claimed_centre, decided_ms, "
                         "ready_ms, surveys, rating_sum, ratings" + std::string(local_days ? ", local_day" : "") + ") SELECT $1, r, c, e, s, ch, st, f, p, t, u, cg, ex, wv, sf, cl, dd, rd, sn, rs, rn" + (local_days ? ", ld " : " ") +
                         "FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], "
                         "$9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::bigint[], $15::bigint[], "
                         "$16::text[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::int[]) "
                         "AS x(r, c, e, s, ch, st, f, p, t, u, cg, ex, wv, sf, cl, dd, rd, sn, rs, rn, ld) "
                         "ON CONFLICT (terminal, reference) DO UPDATE SET "
                         "surveys = applications.surveys + excluded.surveys, rating_sum = applications.rating_sum + excluded.rating_sum, "
                         "ratings = applications.ratings + excluded.ratings, "
                         "status = CASE WHEN excluded.status <> 'submitted' THEN excluded.status ELSE applications.status END, "
                         "updated_ms = CASE WHEN excluded.status <> 'submitted' THEN excluded.updated_ms ELSE applications.updated_ms END, "
                         "paid_minor = applications.paid_minor + excluded.paid_minor, "
                         "decided_ms = COALESCE(applications.decided_ms, excluded.decided_ms), "
                         "ready_ms = COALESCE(applications.ready_ms, excluded.ready_ms)",
                         Params().add_int4(no).add(ref).add(centre).add(entity).add(service).add(channel).add(status).add(fee).add(paid)
                             .add(at).add(updated).add(category).add(exemption).add(waived).add(staff).add(claimed).add(decided).add(ready)
                             .add(surveys).add(rsum).add(rn).add(local_day)});
        }
        if (!f.statuses.empty()) {
            Array ref(pg::kText), status(pg::kText), at(pg::kInt8), decided(pg::kInt8), ready(pg::kInt8);
            for (const auto& [r, s] : f.statuses) {
                ref.add(std::string_view(r));
                status.add(std::string_view(s.status));
                at.add(s.time_ms);
                decided.add(s.decided_ms);
                ready.add(s.ready_ms);
            }
            w.push_back({"UPDATE applications a SET status = u.s, updated_ms = u.t, decided_ms = COALESCE(a.decided_ms, u.d), "
                         "ready_ms = COALESCE(a.ready_ms, u.y) "
                         "FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[]) AS u(r, s, t, d, y) "
                         "WHERE a.terminal = $1 AND a.reference = u.r",
                         Params().add_int4(no).add(ref).add(status).add(at).add(decided).add(ready)});
        }
        if (!f.history.empty()) {
            Array seq(pg::kInt8), ref(pg::kText), status(pg::kText), actor(pg::kText), at(pg::kInt8);
            for (const auto& h : f.history) {
                seq.add(h.seq);
                ref.add(std::string_view(h.reference));
                status.add(std::string_view(h.status));
                actor.add(std::string_view(h.actor));
                at.add(h.time_ms);
            }
            w.push_back({"INSERT INTO application_history(terminal, reference, seq, status, actor, time_ms, received_ms) "
                         "SELECT $1, r, q, s, a, t, $7 FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[]) "
                         "AS u(q, r, s, a, t) ON CONFLICT DO NOTHING",
                         Params().add_int4(no).add(seq).add(ref).add(status).add(actor).add(at).add(received_ms)});
        }
        if (!f.payments.empty()) {
            Array seq(pg::kInt8), ref(pg::kText), centre(pg::kText), method(pg::kText), amount(pg::kInt8), at(pg::kInt8), known(pg::kInt8),
                service(pg::kText), waived(pg::kInt8);
            for (const auto& p : f.payments) {
                service.add(std::string_view(p.service_code));
                waived.add(p.waived_minor);
                seq.add(p.seq);
                ref.add(std::string_view(p.reference));
                centre.add(std::string_view(p.centre));
                method.add(std::string_view(p.method));
                amount.add(p.amount_minor);
                at.add(p.time_ms);
                known.add(p.application_in_batch ? std::optional<int64_t>(1) : std::nullopt);
            }
            // Whether the application is known is settled here, once: from the batch itself, or else by looking (the
            // reconciliation then finds unmatched payments through a small partial index). Payments, like surveys,
            // are keyed by the entry's seq, which the entries insert has just proved new: no conflict is possible.
            w.push_back({"INSERT INTO payments(terminal, seq, reference, centre, method, amount_minor, time_ms, application_known, "
                         "service_code, waived_minor) "
                         "SELECT $1, s, r, c, m, a, t, k IS NOT NULL OR EXISTS (SELECT 1 FROM applications x WHERE x.reference = r AND x.terminal = $1), "
                         "sv, wv FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], "
                         "$9::text[], $10::bigint[]) AS u(s, r, c, m, a, t, k, sv, wv)",
                         Params().add_int4(no).add(seq).add(ref).add(centre).add(method).add(amount).add(at).add(known).add(service)
                             .add(waived)});
        }
        if (!f.paid.empty()) {
            Array ref(pg::kText), amount(pg::kInt8);
            for (const auto& [r, a] : f.paid) {
                ref.add(std::string_view(r));
                amount.add(a);
            }
            w.push_back({"UPDATE applications a SET paid_minor = a.paid_minor + u.p "
                         "FROM unnest($2::text[], $3::bigint[]) AS u(r, p) WHERE a.terminal = $1 AND a.reference = u.r",
                         Params().add_int4(no).add(ref).add(amount)});
        }
        if (!f.tickets.empty()) {
            Array ticket(pg::kText), centre(pg::kText), category(pg::kText), status(pg::kText), at(pg::kInt8), called(pg::kInt8),
                served(pg::kInt8), entity(pg::kText), day(pg::kInt4);
            for (const auto& k : f.tickets) {
                ticket.add(std::string_view(k.ticket));
                centre.add(std::string_view(k.centre));
                category.add(std::string_view(k.category));
                status.add(std::string_view(k.status));
                at.add(k.issued_ms);
                called.add(k.called_ms);
                served.add(k.served_ms);
                entity.add(std::string_view(k.entity));
                day.add(k.local_day);
            }
            // (A store opened below version 11 by the migration tests has no entity and no local day for tickets.)
            Params params;
            params.add_int4(no).add(ticket).add(centre).add(category).add(status).add(at).add(called).add(served);
            if (ticket_days)
                params.add(entity).add(day);
            w.push_back({std::string("INSERT INTO tickets(terminal, ticket, centre, category, status, issued_ms, called_ms, served_ms")
                             + (ticket_days ? ", entity, local_day) SELECT $1, k, c, g, s, t, cl, sv, e, d " : ") SELECT $1, k, c, g, s, t, cl, sv ")
                             + "FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[]"
                             + (ticket_days ? ", $9::text[], $10::int[]) AS u(k, c, g, s, t, cl, sv, e, d)" : ") AS u(k, c, g, s, t, cl, sv)")
                             + " ON CONFLICT (terminal, ticket) DO UPDATE SET "
                               "status = CASE WHEN excluded.status <> 'issued' THEN excluded.status ELSE tickets.status END, "
                               "called_ms = COALESCE(tickets.called_ms, excluded.called_ms), "
                               "served_ms = COALESCE(excluded.served_ms, tickets.served_ms)",
                         std::move(params)});
        }
        if (!f.ticket_changes.empty()) {
            Array ticket(pg::kText), status(pg::kText), called(pg::kInt8), done(pg::kInt8);
            for (const auto& [k, ch] : f.ticket_changes) {
                ticket.add(std::string_view(k));
                status.add(std::string_view(ch.status));
                called.add(ch.called_ms);
                done.add(ch.done_ms);
            }
            w.push_back({"UPDATE tickets k SET status = u.s, called_ms = COALESCE(k.called_ms, u.c), served_ms = COALESCE(u.d, k.served_ms) "
                         "FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS u(t, s, c, d) "
                         "WHERE k.terminal = $1 AND k.ticket = u.t",
                         Params().add_int4(no).add(ticket).add(status).add(called).add(done)});
        }
        if (!f.surveyed.empty()) {
            Array ref(pg::kText), n(pg::kInt8), rsum(pg::kInt8), rn(pg::kInt8);
            for (const auto& [r, t] : f.surveyed) {
                ref.add(std::string_view(r));
                n.add(t.surveys);
                rsum.add(t.rating_sum);
                rn.add(t.ratings);
            }
            w.push_back({"UPDATE applications a SET surveys = a.surveys + u.n, rating_sum = a.rating_sum + u.s, ratings = a.ratings + u.k "
                         "FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[]) AS u(r, n, s, k) "
                         "WHERE a.terminal = $1 AND a.reference = u.r",
                         Params().add_int4(no).add(ref).add(n).add(rsum).add(rn)});
        }
        if (!f.surveys.empty()) {
            Array seq(pg::kInt8), ref(pg::kText), rating(pg::kInt8), at(pg::kInt8), centre(pg::kText), service(pg::kText);
            Array reasons(pg::kText);
            for (const auto& s : f.surveys) {
                reasons.add(std::string_view(s.reasons));
                centre.add(std::string_view(s.centre));
                service.add(std::string_view(s.service_code));
                seq.add(s.seq);
                ref.add(std::string_view(s.reference));
                rating.add(s.rating);
                at.add(s.time_ms);
            }
            // (Reasons from version 12; a store opened at an older version by the migration tests has no column.)
            Params params;
            params.add_int4(no).add(seq).add(ref).add(rating).add(at).add(centre).add(service);
            if (version >= rollup::kCellsVersion)
                params.add(reasons);
            w.push_back({version >= rollup::kCellsVersion ? "INSERT INTO surveys(terminal, seq, reference, rating, time_ms, centre, service_code, reasons) "
                                         "SELECT $1, s, r, g, t, c, v, x FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::bigint[], "
                                         "$6::text[], $7::text[], $8::text[]) AS u(s, r, g, t, c, v, x)"
                                       : "INSERT INTO surveys(terminal, seq, reference, rating, time_ms, centre, service_code) "
                                         "SELECT $1, s, r, g, t, c, v FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::bigint[], "
                                         "$6::text[], $7::text[]) AS u(s, r, g, t, c, v)",
                         std::move(params)});
        }
        if (!f.day_counts.empty()) {
            Array day(pg::kInt4), type(pg::kText), n(pg::kInt8);
            for (const auto& [key, count] : f.day_counts) {
                day.add(static_cast<int64_t>(key.first));
                type.add(std::string_view(key.second));
                n.add(count);
            }
            w.push_back({"INSERT INTO entry_days(day, type, terminal, n) SELECT d, y, $1, n FROM unnest($2::int[], $3::text[], $4::bigint[]) "
                         "AS u(d, y, n) ON CONFLICT (day, type, terminal) DO UPDATE SET n = entry_days.n + excluded.n",
                         Params().add_int4(no).add(day).add(type).add(n)});
        }
    }

    // The zones of the latest catalogue, by its version (reloaded when any instance imported a newer one).
    Result<rollup::ZoneBook> zones(pg::Conn& c, int64_t version)
    {
        {
            std::lock_guard lock(m_zones_mutex);
            if (version == m_zones_version)
                return m_zones;
        }
        auto book = TRY(pg_store::zones(c));
        std::lock_guard lock(m_zones_mutex);
        m_zones = book;
        m_zones_version = version;
        return book;
    }
    std::mutex m_zones_mutex;
    rollup::ZoneBook m_zones;
    int64_t m_zones_version = -1;

    pg::Pool m_pool;
    int m_version = 0;
    std::mutex m_months_mutex;
    std::set<int32_t> m_months;
};

} // namespace

int postgres_schema_latest() { return pg_store::latest_version(); }

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url, const OpenOptions& options)
{
    int version = 0;
    {
        auto conn = TRY(pg::Conn::connect(url));
        version = TRY(pg_store::migrate(conn, options.target_version));
    }
    auto store = std::make_unique<PostgresStore>(url, std::max(1, options.pool_size), version);
    if (version == pg_store::latest_version())
        TRY(backfill_log(*store));
    if (version == pg_store::latest_version())
        TRY(backfill_z_reports(*store));
    return std::unique_ptr<Store>(std::move(store));
}

} // namespace nafitha::central
