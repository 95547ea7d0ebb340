// bench central.indicators_p95_ms_sqlite / central.indicators_p95_ms_pg: the dashboard's indicator queries
// (central/indicators.h over Store::measures) with 1,000,000 transactions in the store: applications over 60
// terminals at six centres, six entities, twelve months, both channels, 5 % exempted, 70 % decided (40 % ready),
// 30 % surveyed. The same rows are loaded into each store at schema version 7 (PostgreSQL by COPY, SQLite by one
// prepared insert in one transaction), then the store is opened at the latest version, whose migration 8 builds
// the rollup from them (its time is printed: central.rollup_backfill_s_*); each round runs the dashboard's
// tables (six, with the Z reports and costs added after the open); the line is the 95th percentile of every query's time over the rounds. Target ≤ 100 ms (issue 15).

#include "central/indicators.h"
#include "central/store/postgres/pg.h"
#include "central/store/store.h"
#include "db/sqlite.h"
#include "tests/support/pg_cluster.h"

#include "base/clock.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>
#include <random>
#include <stdexcept>
#include <unistd.h>

using namespace nafitha;

namespace {

// A failed step throws: main's catch reports it after the PostgreSQL cluster's destructor has stopped the server and
// the bench's folder is removed (an exit here left a running postmaster behind).
template<typename T>
T must(Result<T> r, const char* what)
{
    if (!r.ok())
        throw std::runtime_error(std::string(what) + ": " + r.error().to_string());
    return r.release_value();
}

void must(Result<void> r, const char* what)
{
    if (!r.ok())
        throw std::runtime_error(std::string(what) + ": " + r.error().to_string());
}

constexpr int kTerminals = 60;
constexpr int64_t kTransactions = 1'000'000;
const char* kCentres[] = {"DAM-01", "DAM-02", "ALP-01", "HMS-01", "LAT-01", "RUR-01"};
const char* kServices[] = {"civil.birth_extract", "civil.id", "finance.property_extract", "telecom.landline_bill",
                           "health.card", "transport.licence"};
constexpr int32_t kFirstMonth = 202501;
constexpr int kBeforeRollup = 7; // the schema version the rows are loaded at (migration 8 builds the rollup)

struct Row {
    int terminal;
    std::string reference, centre, entity, service, channel, status, exemption;
    int64_t fee, paid, waived, submitted;
    std::optional<int64_t> decided, ready;
    int64_t surveys, rating_sum, ratings;
    // Counter visits come through the queue: their ticket (served), and for one in ten a ticket before it
    // whose holder did not answer (no-show). Waits from issue to call up to an hour.
    bool ticket = false, no_show_before = false;
    int64_t ticket_issued = 0, ticket_called = 0;
};

// Every transaction, in time order (as terminals sync them), the same for both stores.
void generate(const std::function<void(const Row&)>& sink)
{
    std::mt19937_64 rng(7);
    constexpr int64_t kPerMonth = kTransactions / 12;
    int32_t month = kFirstMonth;
    for (int64_t i = 0; i < kTransactions; ++i) {
        if (i > 0 && i % kPerMonth == 0 && i / kPerMonth < 12)
            month = central::next_month(month);
        Row r;
        r.terminal = 1 + static_cast<int>(rng() % kTerminals);
        r.centre = kCentres[(r.terminal - 1) % 6];
        r.submitted = central::month_start_ms(month) + (i % kPerMonth) * (27LL * 86400 * 1000 / kPerMonth);
        r.reference = "R" + std::to_string(r.terminal) + "-" + std::to_string(i);
        r.service = kServices[rng() % 6];
        r.entity = r.service.substr(0, r.service.find('.'));
        r.channel = rng() % 2 ? "kiosk" : "counter";
        if (r.channel == "counter") {
            r.ticket = true;
            int64_t wait = static_cast<int64_t>(rng() % 3'600'000);
            r.ticket_called = r.submitted - 60'000;
            r.ticket_issued = r.ticket_called - wait;
            r.no_show_before = rng() % 10 == 0;
        }
        r.fee = 1000 + static_cast<int64_t>(rng() % 100) * 500;
        bool exempt = rng() % 100 < 5;
        r.exemption = exempt ? "disability" : "";
        r.waived = exempt ? r.fee : 0;
        if (exempt)
            r.fee = 0;
        r.paid = rng() % 100 < 95 ? r.fee : 0;
        r.status = r.paid ? "paid" : "submitted";
        if (rng() % 100 < 70) {
            r.decided = r.submitted + static_cast<int64_t>(rng() % (5LL * 86400 * 1000));
            r.status = "approved";
            if (rng() % 100 < 57) {
                r.ready = *r.decided + static_cast<int64_t>(rng() % (2LL * 86400 * 1000));
                r.status = "ready";
            }
        }
        bool surveyed = rng() % 100 < 30;
        r.surveys = surveyed;
        r.rating_sum = surveyed ? 1 + static_cast<int64_t>(rng() % 5) : 0;
        r.ratings = surveyed;
        sink(r);
    }
}

void load_pg(const std::string& url)
{
    auto conn = must(central::pg::Conn::connect(url), "connect");
    for (int t = 1; t <= kTerminals; ++t)
        must(conn.query("INSERT INTO terminals(id, centre, name, status, public_key, last_hash, enrolled_ms) "
                        "VALUES($1, $2, 'bench', 'active', 'k', $3, 0)",
                        central::pg::Params().add("T" + std::to_string(100000 + t)).add(kCentres[(t - 1) % 6]).add(std::string(64, '0'))),
             "terminal");
    central::pg::CopyRows apps, ticks;
    auto flush = [&] {
        must(conn.copy_in("COPY applications(terminal, reference, centre, entity, service_code, channel, status, fee_minor, paid_minor, "
                          "submitted_ms, updated_ms, category, exemption, waived_minor, decided_ms, ready_ms, surveys, rating_sum, ratings) "
                          "FROM STDIN (FORMAT binary)",
                          apps.data()),
             "copy applications");
        apps.clear();
        must(conn.copy_in("COPY tickets(terminal, ticket, centre, category, status, issued_ms, called_ms, served_ms) FROM STDIN (FORMAT binary)",
                          ticks.data()),
             "copy tickets");
        ticks.clear();
    };
    generate([&](const Row& r) {
        apps.begin_row(19).int4(r.terminal).bytes(r.reference).bytes(r.centre).bytes(r.entity).bytes(r.service).bytes(r.channel)
            .bytes(r.status).int8(r.fee).int8(r.paid).int8(r.submitted).int8(r.decided.value_or(r.submitted)).bytes(r.entity)
            .bytes(r.exemption).int8(r.waived);
        r.decided ? apps.int8(*r.decided) : apps.null();
        r.ready ? apps.int8(*r.ready) : apps.null();
        apps.int8(r.surveys).int8(r.rating_sum).int8(r.ratings);
        auto ticket = [&](const std::string& name, const char* status, int64_t issued, int64_t called) {
            ticks.begin_row(8).int4(r.terminal).bytes(name).bytes(r.centre).bytes(r.entity).bytes(status).int8(issued).int8(called)
                .int8(called + 600'000);
        };
        if (r.no_show_before)
            ticket("N" + r.reference, "no_show", r.ticket_issued - 1000, r.ticket_issued + 1000);
        if (r.ticket)
            ticket("K" + r.reference, "served", r.ticket_issued, r.ticket_called);
        if (apps.rows() >= 50000)
            flush();
    });
    flush();
    must(conn.exec("VACUUM ANALYZE"), "vacuum");
}

void load_sqlite(const std::filesystem::path& dir)
{
    auto db = must(db::Db::open(dir / "central.db"), "open sqlite");
    auto tx = must(db::Transaction::begin(db), "begin");
    auto term = must(db.prepare("INSERT INTO terminals(id, centre, name, status, public_key, last_hash, enrolled_ms) "
                                "VALUES(?, ?, 'bench', 'active', 'k', ?, 0)"),
                     "prepare");
    for (int t = 1; t <= kTerminals; ++t) {
        term.bind(1, "T" + std::to_string(100000 + t)).bind(2, std::string(kCentres[(t - 1) % 6])).bind(3, std::string(64, '0'));
        must(term.run(), "terminal");
        term.reset();
    }
    auto ins = must(db.prepare("INSERT INTO applications(terminal, reference, centre, entity, service_code, channel, status, fee_minor, "
                               "paid_minor, submitted_ms, updated_ms, category, exemption, waived_minor, decided_ms, ready_ms, surveys, "
                               "rating_sum, ratings) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
                    "prepare");
    auto tick = must(db.prepare("INSERT INTO tickets(terminal, ticket, centre, category, status, issued_ms, called_ms, served_ms) "
                                "VALUES(?,?,?,?,?,?,?,?)"),
                     "prepare");
    generate([&](const Row& r) {
        ins.bind(1, int64_t{r.terminal}).bind(2, r.reference).bind(3, r.centre).bind(4, r.entity).bind(5, r.service).bind(6, r.channel)
            .bind(7, r.status).bind(8, r.fee).bind(9, r.paid).bind(10, r.submitted).bind(11, r.decided.value_or(r.submitted))
            .bind(12, r.entity).bind(13, r.exemption).bind(14, r.waived).bind(15, r.decided).bind(16, r.ready).bind(17, r.surveys)
            .bind(18, r.rating_sum).bind(19, r.ratings);
        must(ins.run(), "insert");
        ins.reset();
        auto ticket = [&](const std::string& name, const char* status, int64_t issued, int64_t called) {
            tick.bind(1, int64_t{r.terminal}).bind(2, name).bind(3, r.centre).bind(4, r.entity).bind(5, std::string(status)).bind(6, issued)
                .bind(7, called).bind(8, called + 600'000);
            must(tick.run(), "ticket");
            tick.reset();
        };
        if (r.no_show_before)
            ticket("N" + r.reference, "no_show", r.ticket_issued - 1000, r.ticket_issued + 1000);
        if (r.ticket)
            ticket("K" + r.reference, "served", r.ticket_issued, r.ticket_called);
    });
    must(tx.commit(), "commit");
    must(db.exec("ANALYZE"), "analyze");
}

// The dashboard's tables: the last month by centre (with its Z reports), by entity and service, by centre and
// channel, by entity (with the costs given); the year by month; one day by terminal. Returns every query's time (ms) over `rounds` rounds.
std::vector<double> dashboard(central::Store& store, int rounds)
{
    namespace ind = central::indicators;
    auto defs = must(ind::builtin_definitions(), "definitions");
    int64_t now = clock::unix_ms();
    int64_t month_from = central::month_start_ms(202512), month_to = central::month_start_ms(202601);
    int64_t year_from = central::month_start_ms(202501);
    int64_t day_from = month_from + 10 * 86400000LL;
    std::vector<ind::Query> queries = {
        {month_from, month_to, {"centre"}, now},
        {month_from, month_to, {"entity", "service"}, now},
        {month_from, month_to, {"centre", "channel"}, now},
        {year_from, month_to, {"month"}, now},
        {day_from, day_from + 86400000LL, {"terminal"}, now},
        {month_from, month_to, {"entity"}, now}, // with a cost per transaction
    };
    size_t rows = 0;
    for (const auto& q : queries) // warm-up
        rows += must(ind::compute(store, defs, q), "indicators").size();
    std::vector<double> ms;
    for (int r = 0; r < rounds; ++r)
        for (const auto& q : queries) {
            auto start = clock::monotonic_ns();
            auto out = must(ind::compute(store, defs, q), "indicators");
            ms.push_back(static_cast<double>(clock::monotonic_ns() - start) / 1e6);
            if (std::getenv("NAFITHA_BENCH_VERBOSE"))
                std::fprintf(stderr, "  %s: %zu rows in %.1f ms\n", q.by.front().c_str(), out.size(), ms.back());
        }
    std::fprintf(stderr, "dashboard: %zu rows over %zu tables\n", rows, queries.size());
    if (std::getenv("NAFITHA_BENCH_VERBOSE")) { // what the Z reports add to the year's table
        central::MeasureQuery year{year_from, month_to, {"day"}};
        for (int r = 0; r < 3; ++r) {
            auto start = clock::monotonic_ns();
            auto z = must(store.z_report_sums(year), "z reports");
            std::fprintf(stderr, "  the year's Z reports by day: %zu rows in %.1f ms\n", z.size(),
                         static_cast<double>(clock::monotonic_ns() - start) / 1e6);
        }
    }
    return ms;
}

// The drawers' Z reports (every terminal closes every day of 2025, with differences of up to 5 SYP either way) and
// a cost for every entity and month, so that the cash and cost indicators read as much as they would.
constexpr const char* kZReports =
    "INSERT INTO z_reports(terminal, seq, centre, local_day, declared_minor, computed_minor, difference_minor, time_ms) "
    "SELECT t.no, d.day, t.centre, d.day, 500000, 500000 + ((t.no * 7 + d.day) % 11 - 5) * 100, -((t.no * 7 + d.day) % 11 - 5) * 100, "
    "d.day * 86400000 + 61200000 FROM terminals t, ";
constexpr int64_t kFirstDay2025 = 20089, kLastDay2025 = 20453;

void add_cash_and_costs(central::Store& store)
{
    for (const char* e : {"civil", "finance", "telecom", "health", "transport"})
        for (int32_t m = 202501; m <= 202512; ++m)
            must(store.set_cost({"entity", e, m, 250'000'000, clock::unix_ms()}), "cost");
}

double p95(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, (v.size() * 95 + 99) / 100 - 1)];
}

} // namespace

int main()
{
    auto base = std::filesystem::temp_directory_path() / ("nafitha-bench-indicators-" + std::to_string(::getpid()));
    std::filesystem::remove_all(base);
    std::filesystem::create_directories(base / "sqlite");
    std::filesystem::permissions(base, std::filesystem::perms(0755));
    int rc = 0;
    try {
        {
            auto start = clock::monotonic_ns();
            must(central::open_sqlite_store(base / "sqlite", {kBeforeRollup}), "create sqlite"); // the schema, then closed
            load_sqlite(base / "sqlite");
            std::fprintf(stderr, "sqlite: %lld transactions loaded in %.1f s\n", static_cast<long long>(kTransactions),
                         static_cast<double>(clock::monotonic_ns() - start) / 1e9);
            start = clock::monotonic_ns();
            auto store = must(central::open_sqlite_store(base / "sqlite"), "open sqlite");
            std::printf("bench central.rollup_backfill_s_sqlite %.1f s\n", static_cast<double>(clock::monotonic_ns() - start) / 1e9);
            {
                auto db = must(db::Db::open(base / "sqlite" / "central.db"), "open sqlite");
                must(db.exec(std::string("WITH RECURSIVE d(day) AS (SELECT ") + std::to_string(kFirstDay2025) + " UNION ALL SELECT day + 1 FROM d WHERE day < "
                             + std::to_string(kLastDay2025) + ") " + kZReports + "d"),
                     "z reports");
            }
            add_cash_and_costs(*store);
            auto ms = dashboard(*store, 4);
            std::printf("bench central.indicators_p95_ms_sqlite %.1f ms\n", p95(ms));
            std::fflush(stdout);
        }
        std::filesystem::remove_all(base / "sqlite");
        testing::PgCluster cluster(base / "pg");
        std::string url = cluster.create_database("indicators");
        {
            auto start = clock::monotonic_ns();
            must(central::open_store({{}, url}, {kBeforeRollup}), "create pg");
            load_pg(url);
            std::fprintf(stderr, "postgresql: %lld transactions loaded in %.1f s\n", static_cast<long long>(kTransactions),
                         static_cast<double>(clock::monotonic_ns() - start) / 1e9);
            start = clock::monotonic_ns();
            auto store = must(central::open_store({{}, url}), "open pg");
            std::printf("bench central.rollup_backfill_s_pg %.1f s\n", static_cast<double>(clock::monotonic_ns() - start) / 1e9);
            {
                auto conn = must(central::pg::Conn::connect(url), "connect");
                must(conn.exec(std::string(kZReports) + "generate_series(" + std::to_string(kFirstDay2025) + "::bigint, " + std::to_string(kLastDay2025)
                               + "::bigint) AS d(day); ANALYZE z_reports"),
                     "z reports");
            }
            add_cash_and_costs(*store);
            auto ms = dashboard(*store, 4);
            std::printf("bench central.indicators_p95_ms_pg %.1f ms\n", p95(ms));
            if (std::getenv("NAFITHA_BENCH_VERBOSE")) { // how PostgreSQL reads the year's month cells
                auto conn = must(central::pg::Conn::connect(url), "connect");
                auto plan = must(conn.query("EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM app_rollup WHERE grain = 1 AND period >= 202501 "
                                            "AND period < 202601"),
                                 "explain");
                for (int i = 0; i < plan.count(); ++i)
                    std::fprintf(stderr, "  %s\n", plan.text(i, 0).c_str());
                // and the year's Z reports by day (the cash indicators of the same table)
                auto z = must(conn.query("EXPLAIN (ANALYZE, BUFFERS) " + must(central::z_reports_sql({"day"}, true), "sql"),
                                         central::pg::Params().add(kFirstDay2025).add(kLastDay2025 + 1)),
                              "explain");
                for (int i = 0; i < z.count(); ++i)
                    std::fprintf(stderr, "  %s\n", z.text(i, 0).c_str());
            }
            std::fflush(stdout);
        }
    } catch (const std::exception& e) {
        std::cerr << "bench_indicators: " << e.what() << "\n";
        rc = 1;
    }
    std::filesystem::remove_all(base);
    return rc;
}
