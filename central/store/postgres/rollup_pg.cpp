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
    auto rows = TRY(c.query("SELECT " + rollup::app_columns(true) + " FROM applications WHERE terminal = $1 AND reference = ANY($2::text[])",
                            pg::Params().add_int4(terminal_no).add(list)));
    for (int i = 0; i < rows.count(); ++i)
        out.push_back(rollup::read_app(PgRow{rows, i}));
    return out;
}

namespace {

// The key columns of a set of cells as arrays, for unnest.
struct KeyArrays {
    pg::Array grain{pg::kInt4}, period{pg::kInt8}, terminal{pg::kInt4}, centre{pg::kText}, entity{pg::kText}, service{pg::kText},
        category{pg::kText}, channel{pg::kText};
    void add(const rollup::Key& k)
    {
        add_common(k.grain, k.period, k.terminal, k.centre, k.entity, k.category);
        service.add(std::string_view(k.service_code));
        channel.add(std::string_view(k.channel));
    }
    void add(const rollup::TicketKey& k) { add_common(k.grain, k.period, k.terminal, k.centre, k.entity, k.category); }
    // grain, period, terminal, centre, entity[, service], category[, channel]: the order of kKeyColumns / kTicketKeyColumns.
    void to(pg::Params& p, bool app) const
    {
        p.add(grain).add(period).add(terminal).add(centre).add(entity);
        if (app)
            p.add(service);
        p.add(category);
        if (app)
            p.add(channel);
    }

private:
    void add_common(int32_t g, int64_t p, int64_t t, const std::string& c, const std::string& e, const std::string& cat)
    {
        grain.add(int64_t{g});
        period.add(p);
        terminal.add(t);
        centre.add(std::string_view(c));
        entity.add(std::string_view(e));
        category.add(std::string_view(cat));
    }
};

// The stored cells of the terminals and periods a delta involves (a few more than needed; matched by key).
template<typename K, typename C, typename Changes, typename ReadKey, typename ReadCell>
Result<std::map<K, C>> stored_cells(pg::Conn& c, const char* table, const char* key_columns, const char* cell_columns, int key_count,
                                    const Changes& changes, ReadKey read_key, ReadCell read_cell)
{
    std::map<K, C> cells;
    std::set<std::tuple<int64_t, int32_t, int64_t>> wanted; // terminal, grain, period
    for (const auto& [k, ch] : changes)
        wanted.insert({k.terminal, k.grain, k.period});
    pg::Array terminals(pg::kInt4), grains(pg::kInt4), periods(pg::kInt8);
    for (const auto& [t, g, p] : wanted) {
        terminals.add(t);
        grains.add(int64_t{g});
        periods.add(p);
    }
    auto rows = TRY(c.query(std::string("SELECT ") + key_columns + ", " + cell_columns + " FROM " + table
                                + " WHERE (terminal, grain, period) IN (SELECT * FROM unnest($1::int[], $2::int[], $3::bigint[]))",
                            pg::Params().add(terminals).add(grains).add(periods)));
    for (int i = 0; i < rows.count(); ++i) {
        auto k = read_key(PgRow{rows, i});
        if (changes.count(k))
            cells[k] = read_cell(OffsetRow{rows, i, key_count});
    }
    return cells;
}

} // namespace

Result<void> write_rollup(pg::Conn& c, const rollup::Delta& delta, bool fresh)
{
    if (delta.empty())
        return {};
    std::map<rollup::Key, rollup::Cell> cells;
    if (!fresh)
        cells = TRY((stored_cells<rollup::Key, rollup::Cell>(
            c, "app_rollup", rollup::kKeyColumns, rollup::kCellColumns, 8, delta.changes(),
            [](const PgRow& r) { return rollup::read_key(r); }, [](const OffsetRow& r) { return rollup::read_cell(r, 0); })));
    auto stored = [&](const rollup::Key& k) -> Result<std::optional<rollup::Cell>> {
        auto it = cells.find(k);
        return it == cells.end() ? std::optional<rollup::Cell>() : std::optional<rollup::Cell>(it->second);
    };
    auto oldest_open = [&](const rollup::Key& k) -> Result<std::optional<int64_t>> {
        auto [first, last] = rollup::day_bounds(k);
        auto m = TRY(c.query(rollup::kOldestOpenPostgres, pg::Params().add_int4(static_cast<int32_t>(k.terminal)).add(first).add(last)
                                                              .add(k.centre).add(k.entity).add(k.service_code).add(k.category).add(k.channel)));
        return m.count() > 0 && !m.null(0, 0) ? std::optional<int64_t>(m.integer(0, 0)) : std::nullopt;
    };
    auto settled = TRY(rollup::settle(delta, stored, oldest_open));
    KeyArrays drop, keep;
    for (const auto& k : settled.drop)
        drop.add(k);
    std::vector<pg::Array> ints(12, pg::Array(pg::kInt8));
    pg::Array oldest(pg::kInt8), dh(pg::kText), rh(pg::kText), sh(pg::kText), xh(pg::kText);
    for (const auto& [k, cell] : settled.keep) {
        keep.add(k);
        auto counts = rollup::counts_of(cell);
        for (size_t i = 0; i < 12; ++i)
            ints[i].add(counts[i]);
        oldest.add(cell.oldest_open_ms);
        std::string d = rollup::encode_hist(cell.decision), r = rollup::encode_hist(cell.ready_hist);
        dh.add(std::string_view(d));
        rh.add(std::string_view(r));
        std::string s = rollup::encode_hist(cell.rating_hist), x = rollup::encode_hist(cell.reason_hist);
        sh.add(std::string_view(s));
        xh.add(std::string_view(x));
    }
    std::vector<pg::Statement> writes;
    if (!settled.drop.empty()) {
        pg::Params params;
        drop.to(params, true);
        writes.push_back({"DELETE FROM app_rollup WHERE (grain, period, terminal, centre, entity, service_code, category, channel) IN "
                          "(SELECT * FROM unnest($1::int[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]))",
                          std::move(params)});
    }
    if (!settled.keep.empty()) {
        pg::Params params;
        keep.to(params, true);
        for (const auto& a : ints)
            params.add(a);
        params.add(oldest).add(dh).add(rh).add(sh).add(xh);
        writes.push_back({std::string("INSERT INTO app_rollup(") + rollup::kKeyColumns + ", " + rollup::kCellColumns
                              + ") SELECT * FROM unnest($1::int[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], "
                                "$8::text[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], "
                                "$15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], "
                                "$22::text[], $23::text[], $24::text[], $25::text[]) "
                                "ON CONFLICT (grain, period, terminal, centre, entity, service_code, category, channel) DO UPDATE SET "
                                "applications = excluded.applications, fees_due_minor = excluded.fees_due_minor, "
                                "paid_minor = excluded.paid_minor, waived_minor = excluded.waived_minor, exempted = excluded.exempted, "
                                "decided = excluded.decided, ready = excluded.ready, open = excluded.open, surveyed = excluded.surveyed, "
                                "rating_sum = excluded.rating_sum, ratings = excluded.ratings, flagged = excluded.flagged, "
                                "oldest_open_ms = excluded.oldest_open_ms, decision_hist = excluded.decision_hist, "
                                "ready_hist = excluded.ready_hist, rating_hist = excluded.rating_hist, reason_hist = excluded.reason_hist",
                          std::move(params)});
    }
    if (!writes.empty())
        TRY(c.pipeline(writes));
    return {};
}

Result<std::vector<rollup::Ticket>> read_tickets(pg::Conn& c, int32_t terminal_no, const std::set<std::string>& tickets)
{
    std::vector<rollup::Ticket> out;
    if (tickets.empty())
        return out;
    pg::Array list(pg::kText);
    for (const auto& t : tickets)
        list.add(std::string_view(t));
    auto rows = TRY(c.query(std::string("SELECT ") + rollup::kTicketColumns + " FROM tickets WHERE terminal = $1 AND ticket = ANY($2::text[])",
                            pg::Params().add_int4(terminal_no).add(list)));
    for (int i = 0; i < rows.count(); ++i)
        out.push_back(rollup::read_ticket(PgRow{rows, i}));
    return out;
}

Result<void> write_ticket_rollup(pg::Conn& c, const rollup::TicketDelta& delta, bool fresh)
{
    if (delta.empty())
        return {};
    std::map<rollup::TicketKey, rollup::TicketCell> cells;
    if (!fresh)
        cells = TRY((stored_cells<rollup::TicketKey, rollup::TicketCell>(
            c, "ticket_rollup", rollup::kTicketKeyColumns, rollup::kTicketCellColumns, 6, delta.changes(),
            [](const PgRow& r) { return rollup::read_ticket_key(r); }, [](const OffsetRow& r) { return rollup::read_ticket_cell(r, 0); })));
    auto stored = [&](const rollup::TicketKey& k) -> Result<std::optional<rollup::TicketCell>> {
        auto it = cells.find(k);
        return it == cells.end() ? std::optional<rollup::TicketCell>() : std::optional<rollup::TicketCell>(it->second);
    };
    auto settled = TRY(rollup::settle(delta, stored));
    KeyArrays drop, keep;
    for (const auto& k : settled.drop)
        drop.add(k);
    pg::Array issued(pg::kInt8), called(pg::kInt8), no_show(pg::kInt8), served(pg::kInt8), wait(pg::kText);
    for (const auto& [k, cell] : settled.keep) {
        keep.add(k);
        issued.add(cell.issued);
        called.add(cell.called);
        no_show.add(cell.no_show);
        served.add(cell.served);
        std::string w = rollup::encode_hist(cell.wait);
        wait.add(std::string_view(w));
    }
    std::vector<pg::Statement> writes;
    if (!settled.drop.empty()) {
        pg::Params params;
        drop.to(params, false);
        writes.push_back({"DELETE FROM ticket_rollup WHERE (grain, period, terminal, centre, entity, category) IN "
                          "(SELECT * FROM unnest($1::int[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[]))",
                          std::move(params)});
    }
    if (!settled.keep.empty()) {
        pg::Params params;
        keep.to(params, false);
        params.add(issued).add(called).add(no_show).add(served).add(wait);
        writes.push_back({std::string("INSERT INTO ticket_rollup(") + rollup::kTicketKeyColumns + ", " + rollup::kTicketCellColumns
                              + ") SELECT * FROM unnest($1::int[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], "
                                "$7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::text[]) "
                                "ON CONFLICT (grain, period, terminal, centre, entity, category) DO UPDATE SET "
                                "issued = excluded.issued, called = excluded.called, no_show = excluded.no_show, "
                                "served = excluded.served, wait_hist = excluded.wait_hist",
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
    // The cells as they are now (with the surveys' histograms) need version 12's columns: migration 8 fills the
    // local days only, and migration 12 builds the cells (rebuild_rollup_cells).
    auto has = TRY(c.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'app_rollup' AND column_name = 'reason_hist' "
                           "AND table_schema = current_schema()"));
    if (has.count() == 0)
        return {};
    return rebuild_rollup_cells(c);
}

Result<void> rebuild_rollup_cells(pg::Conn& c)
{
    TRY(c.exec("DELETE FROM app_rollup"));
    rollup::Delta delta;
    TRY(c.exec("DECLARE rollup_apps NO SCROLL CURSOR FOR SELECT " + rollup::app_columns(true) + " FROM applications"));
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

Result<void> rebuild_ticket_rollup(pg::Conn& c)
{
    auto book = TRY(zones(c));
    std::map<std::string, std::string> entities;
    {
        auto r = TRY(c.query("SELECT document FROM catalogues ORDER BY version DESC LIMIT 1"));
        if (r.count() > 0)
            entities = rollup::category_entities(r.text(0, 0));
    }
    // Local days (and the entity of tickets stored without one) computed here, written through a temporary table.
    TRY(c.exec("CREATE TEMPORARY TABLE ticket_days(terminal integer, ticket text, local_day integer, entity text) ON COMMIT DROP"));
    TRY(c.exec("DECLARE ticket_scan NO SCROLL CURSOR FOR SELECT terminal, ticket, centre, issued_ms, entity, category FROM tickets"));
    for (;;) {
        auto rows = TRY(c.query("FETCH 50000 FROM ticket_scan"));
        if (rows.count() == 0)
            break;
        pg::CopyRows copy;
        for (int i = 0; i < rows.count(); ++i) {
            std::string entity = rows.text(i, 4);
            if (entity.empty())
                if (auto it = entities.find(rows.text(i, 5)); it != entities.end())
                    entity = it->second;
            copy.begin_row(4).int4(static_cast<int32_t>(rows.integer(i, 0))).bytes(rows.text(i, 1))
                .int4(static_cast<int32_t>(book.local_day(rows.text(i, 2), rows.integer(i, 3)))).bytes(entity);
        }
        TRY(c.copy_in("COPY ticket_days FROM STDIN (FORMAT binary)", copy.data()));
    }
    TRY(c.exec("CLOSE ticket_scan"));
    TRY(c.exec("UPDATE tickets k SET local_day = d.local_day, entity = d.entity FROM ticket_days d "
               "WHERE k.terminal = d.terminal AND k.ticket = d.ticket"));
    TRY(c.exec("CREATE INDEX IF NOT EXISTS tickets_by_day ON tickets(local_day)"));
    TRY(c.exec("DELETE FROM ticket_rollup"));
    rollup::TicketDelta delta;
    auto rows = TRY(c.query(std::string("SELECT ") + rollup::kTicketColumns + " FROM tickets"));
    for (int i = 0; i < rows.count(); ++i)
        delta.add(rollup::read_ticket(PgRow{rows, i}), +1);
    TRY(write_ticket_rollup(c, delta, true));
    return c.exec("ANALYZE ticket_rollup");
}

} // namespace nafitha::central::pg_store
