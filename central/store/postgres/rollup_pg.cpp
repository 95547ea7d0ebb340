// The rollup on PostgreSQL (central/store/rollup.h): the applications a batch touches are read before and after
// the batch's writes (inside its transaction, the terminal's row locked), and their cells rewritten.

#include "central/store/postgres/internal.h"
#include "central/store/rollup.h"

#include <set>

namespace nafitha::central::pg_store {

namespace {

struct PgRow {
    const pg::Rows& r;
    int row;
    int64_t i64(int c) const { return r.integer(row, c); }
    std::string str(int c) const { return r.text(row, c); }
    bool null(int c) const { return r.null(row, c); }
};

struct OffsetRow {
    const pg::Rows& r;
    int row, offset;
    int64_t i64(int c) const { return r.integer(row, c + offset); }
    std::string str(int c) const { return r.text(row, c + offset); }
    bool null(int c) const { return r.null(row, c + offset); }
};

} // namespace

Result<std::vector<rollup::App>> read_apps(pg::Conn& c, int32_t terminal_no, const std::set<std::string>& refs)
{
    std::vector<rollup::App> out;
    if (refs.empty())
        return out;
    pg::Array list(pg::kText);
    for (const auto& r : refs)
        list.add(std::string_view(r));
    auto rows = TRY(c.query(std::string("SELECT ") + rollup::kAppColumns + " FROM applications WHERE terminal = $1 AND reference = ANY($2::text[])",
                            pg::Params().add_int4(terminal_no).add(list)));
    for (int i = 0; i < rows.count(); ++i)
        out.push_back(rollup::read_app(PgRow{rows, i}));
    return out;
}

Result<void> write_rollup(pg::Conn& c, const rollup::Delta& delta, bool fresh)
{
    if (delta.empty())
        return {};
    // The stored cells of the terminals and periods involved (a few more than needed; matched by key here).
    std::map<rollup::Key, rollup::Cell> cells;
    if (!fresh) {
        std::set<std::tuple<int64_t, int32_t, int64_t>> wanted; // terminal, grain, period
        for (const auto& [k, ch] : delta.changes())
            wanted.insert({k.terminal, k.grain, k.period});
        pg::Array terminals(pg::kInt4), grains(pg::kInt4), periods(pg::kInt8);
        for (const auto& [t, g, p] : wanted) {
            terminals.add(t);
            grains.add(int64_t{g});
            periods.add(p);
        }
        auto rows = TRY(c.query(std::string("SELECT ") + rollup::kKeyColumns + ", " + rollup::kCellColumns
                                    + " FROM app_rollup WHERE (terminal, grain, period) IN "
                                      "(SELECT * FROM unnest($1::int[], $2::int[], $3::bigint[]))",
                                pg::Params().add(terminals).add(grains).add(periods)));
        for (int i = 0; i < rows.count(); ++i) {
            auto k = rollup::read_key(PgRow{rows, i});
            if (delta.changes().count(k))
                cells[k] = rollup::read_cell(OffsetRow{rows, i, 8}, 0);
        }
    }
    pg::Array g(pg::kInt4), p(pg::kInt8), t(pg::kInt4), ce(pg::kText), en(pg::kText), sv(pg::kText), cg(pg::kText), chn(pg::kText);
    std::vector<pg::Array> ints(12, pg::Array(pg::kInt8));
    pg::Array oldest(pg::kInt8), dh(pg::kText), rh(pg::kText);
    pg::Array dg(pg::kInt4), dp(pg::kInt8), dt(pg::kInt4), dce(pg::kText), den(pg::kText), dsv(pg::kText), dcg(pg::kText), dch(pg::kText);
    for (const auto& [k, change] : delta.changes()) {
        auto& cell = cells[k];
        if (rollup::merge(cell, change)) {
            auto [first, last] = rollup::day_bounds(k);
            auto m = TRY(c.query(rollup::kOldestOpenPostgres, pg::Params().add_int4(static_cast<int32_t>(k.terminal)).add(first).add(last)
                                                                  .add(k.centre).add(k.entity).add(k.service_code).add(k.category).add(k.channel)));
            if (m.count() > 0 && !m.null(0, 0))
                cell.oldest_open_ms = m.integer(0, 0);
        }
        if (cell.applications <= 0) {
            dg.add(int64_t{k.grain});
            dp.add(k.period);
            dt.add(k.terminal);
            dce.add(std::string_view(k.centre));
            den.add(std::string_view(k.entity));
            dsv.add(std::string_view(k.service_code));
            dcg.add(std::string_view(k.category));
            dch.add(std::string_view(k.channel));
            continue;
        }
        g.add(int64_t{k.grain});
        p.add(k.period);
        t.add(k.terminal);
        ce.add(std::string_view(k.centre));
        en.add(std::string_view(k.entity));
        sv.add(std::string_view(k.service_code));
        cg.add(std::string_view(k.category));
        chn.add(std::string_view(k.channel));
        const int64_t v[] = {cell.applications, cell.fees_due_minor, cell.paid_minor, cell.waived_minor, cell.exempted, cell.decided,
                             cell.ready, cell.open, cell.surveyed, cell.rating_sum, cell.ratings, cell.flagged};
        for (size_t i = 0; i < 12; ++i)
            ints[i].add(v[i]);
        oldest.add(cell.oldest_open_ms);
        std::string d = rollup::encode_hist(cell.decision), r = rollup::encode_hist(cell.ready_hist);
        dh.add(std::string_view(d));
        rh.add(std::string_view(r));
    }
    std::vector<pg::Statement> writes;
    if (dg.size() > 0)
        writes.push_back({"DELETE FROM app_rollup WHERE (grain, period, terminal, centre, entity, service_code, category, channel) IN "
                          "(SELECT * FROM unnest($1::int[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]))",
                          pg::Params().add(dg).add(dp).add(dt).add(dce).add(den).add(dsv).add(dcg).add(dch)});
    if (g.size() > 0) {
        pg::Params params;
        params.add(g).add(p).add(t).add(ce).add(en).add(sv).add(cg).add(chn);
        for (const auto& a : ints)
            params.add(a);
        params.add(oldest).add(dh).add(rh);
        writes.push_back({std::string("INSERT INTO app_rollup(") + rollup::kKeyColumns + ", " + rollup::kCellColumns
                              + ") SELECT * FROM unnest($1::int[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], "
                                "$8::text[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], "
                                "$15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], "
                                "$22::text[], $23::text[]) "
                                "ON CONFLICT (grain, period, terminal, centre, entity, service_code, category, channel) DO UPDATE SET "
                                "applications = excluded.applications, fees_due_minor = excluded.fees_due_minor, "
                                "paid_minor = excluded.paid_minor, waived_minor = excluded.waived_minor, exempted = excluded.exempted, "
                                "decided = excluded.decided, ready = excluded.ready, open = excluded.open, surveyed = excluded.surveyed, "
                                "rating_sum = excluded.rating_sum, ratings = excluded.ratings, flagged = excluded.flagged, "
                                "oldest_open_ms = excluded.oldest_open_ms, decision_hist = excluded.decision_hist, "
                                "ready_hist = excluded.ready_hist",
                          std::move(params)});
    }
    if (!writes.empty())
        TRY(c.pipeline(writes));
    return {};
}

Result<rollup::ZoneBook> zones(pg::Conn& c)
{
    auto r = TRY(c.query("SELECT document FROM catalogues ORDER BY version DESC LIMIT 1"));
    if (r.count() == 0)
        return rollup::ZoneBook();
    return rollup::ZoneBook::from_catalogue(r.text(0, 0));
}

Result<void> rebuild_rollup(pg::Conn& c)
{
    auto book = TRY(zones(c));
    // Local days: computed here (the same zones as at ingest), written through a temporary table.
    {
        TRY(c.exec("CREATE TEMPORARY TABLE rollup_days(terminal integer, reference text, local_day integer) ON COMMIT DROP"));
        TRY(c.exec("DECLARE rollup_scan NO SCROLL CURSOR FOR SELECT terminal, reference, centre, submitted_ms FROM applications"));
        for (;;) {
            auto rows = TRY(c.query("FETCH 50000 FROM rollup_scan"));
            if (rows.count() == 0)
                break;
            pg::CopyRows copy;
            for (int i = 0; i < rows.count(); ++i)
                copy.begin_row(3).int4(static_cast<int32_t>(rows.integer(i, 0))).bytes(rows.text(i, 1))
                    .int4(static_cast<int32_t>(book.local_day(rows.text(i, 2), rows.integer(i, 3))));
            TRY(c.copy_in("COPY rollup_days FROM STDIN (FORMAT binary)", copy.data()));
        }
        TRY(c.exec("CLOSE rollup_scan"));
        TRY(c.exec("UPDATE applications a SET local_day = d.local_day FROM rollup_days d "
                   "WHERE a.terminal = d.terminal AND a.reference = d.reference AND a.local_day <> d.local_day"));
        TRY(c.exec("CREATE INDEX IF NOT EXISTS applications_by_day ON applications(terminal, local_day)"));
    }
    TRY(c.exec("DELETE FROM app_rollup"));
    rollup::Delta delta;
    TRY(c.exec(std::string("DECLARE rollup_apps NO SCROLL CURSOR FOR SELECT ") + rollup::kAppColumns + " FROM applications"));
    for (;;) {
        auto rows = TRY(c.query("FETCH 50000 FROM rollup_apps"));
        if (rows.count() == 0)
            break;
        for (int i = 0; i < rows.count(); ++i)
            delta.add(rollup::read_app(PgRow{rows, i}), +1);
    }
    TRY(c.exec("CLOSE rollup_apps"));
    TRY(write_rollup(c, delta, true));
    return c.exec("ANALYZE app_rollup");
}

} // namespace nafitha::central::pg_store
