// Central store benchmarks, on a private PostgreSQL 15 cluster started for the run (installer/pg-cluster):
//   bench central.ingest_ratio_pg       the PostgreSQL store's ingest (signed bytes rebuilt and checked against
//                                       the hash, compressed, stored with projections, one transaction per batch
//                                       of 500) over a bare binary COPY of the same rows (every row the ingest
//                                       wrote, read back) into an empty store of the same schema in the same
//                                       cluster, in as many transactions: batch by batch, alternating, so that
//                                       both see the same load on a shared machine.
//   bench central.ingest_entries_per_s_pg  the store's ingest rate with two writers (central's ingest threads).
//   bench central.bytes_per_entry_pg    stored bytes per entry, tables and indexes of the whole store included,
//                                       after VACUUM, minus the empty store.
//   bench central.bytes_per_entry_sqlite  the same for the SQLite store.
//   bench central.reconcile_ms          fees due against paid for one centre and month (Store::fees_due_vs_paid)
//                                       with 1,000,000 transactions (applications and their payments) in the
//                                       store: median of 9 runs after one warm-up.
// The entries are real ones: citizen visits simulated through the kiosk services at six centres.

#include "central/store/codec.h"
#include "central/store/facts.h"
#include "central/store/postgres/pg.h"
#include "central/store/store.h"
#include "kiosk/services/simulator.h"
#include "kiosk/services/terminal.h"
#include "sync/journal/journal.h"
#include "tests/support/pg_cluster.h"

#include "base/clock.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <random>
#include <thread>
#include <sys/resource.h>
#include <unistd.h>

using namespace nafitha;

namespace {

template<typename T>
T must(Result<T> r, const char* what)
{
    if (!r.ok()) {
        std::cerr << what << ": " << r.error().to_string() << "\n";
        std::exit(1);
    }
    return r.release_value();
}

void must(Result<void> r, const char* what)
{
    if (!r.ok()) {
        std::cerr << what << ": " << r.error().to_string() << "\n";
        std::exit(1);
    }
}

double seconds_since(int64_t start_ns) { return static_cast<double>(clock::monotonic_ns() - start_ns) / 1e9; }

struct SimTerminal {
    std::string id;
    std::string public_key;
    std::vector<protocol::Entry> entries;
};

// Visits simulated through the kiosk services (journals on tmpfs: the benchmark is not about the terminal's
// fsyncs).
std::vector<SimTerminal> simulate(const std::filesystem::path& dir, int terminals, int visits)
{
    static const char* centres[] = {"DAM-01", "DAM-02", "ALP-01", "HMS-01", "LAT-01", "RUR-01"};
    std::vector<SimTerminal> out;
    for (int i = 0; i < terminals; ++i) {
        services::TerminalOptions o;
        o.data_dir = dir / ("t" + std::to_string(i));
        o.centre = centres[i % 6];
        o.seed_catalogue = std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets/catalogue/seed.json";
        o.pin_cost = services::PinCost::test();
        auto t = must(services::Terminal::open(o), "terminal");
        auto clerk = must(services::Simulator::ensure_clerk(*t), "clerk");
        services::Simulator sim(*t, 1000 + static_cast<uint64_t>(i), clerk);
        for (int v = 0; v < visits; ++v)
            must(sim.visit(), "visit");
        SimTerminal s;
        s.id = t->identity().terminal_id;
        s.public_key = protocol::encode_public_key(t->identity().keys.public_key);
        auto reader = must(journal::Reader::open(journal::database_file(o.data_dir)), "journal");
        s.entries = must(reader.entries_after(0, 1'000'000, 1'000'000'000), "entries");
        out.push_back(std::move(s));
    }
    return out;
}

// Batches of up to `size` entries, terminal after terminal in turn, as many terminals syncing would arrive.
std::vector<std::pair<size_t, std::vector<protocol::Entry>>> batches(const std::vector<SimTerminal>& terminals, size_t size)
{
    std::vector<std::pair<size_t, std::vector<protocol::Entry>>> out;
    for (size_t from = 0;; from += size) {
        bool any = false;
        for (size_t t = 0; t < terminals.size(); ++t) {
            const auto& e = terminals[t].entries;
            if (from >= e.size())
                continue;
            any = true;
            out.emplace_back(t, std::vector<protocol::Entry>(e.begin() + static_cast<std::ptrdiff_t>(from),
                                                             e.begin() + static_cast<std::ptrdiff_t>(std::min(e.size(), from + size))));
        }
        if (!any)
            return out;
    }
}

void enroll(central::Store& store, const std::vector<SimTerminal>& terminals)
{
    for (size_t i = 0; i < terminals.size(); ++i) {
        std::string code = protocol::sha256_hex("bench-" + std::to_string(i) + terminals[i].id);
        must(store.add_enrollment_code({code, "DAM-01", "bench", 0, INT64_MAX}), "code");
        must(store.enroll(code, terminals[i].id, terminals[i].public_key, clock::unix_ms()), "enroll");
    }
}

double cpu_seconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The ingest rate is measured with as many writers as central has ingest threads by default (two).
constexpr size_t kWriters = 2;

void ingest_one(central::Store& store, const std::string& terminal_id, const std::vector<protocol::Entry>& entries)
{
    central::IngestRefusal why;
    auto r = store.ingest(terminal_id, entries, clock::unix_ms(), why);
    if (!r.ok() || r->stored != static_cast<int64_t>(entries.size())) {
        std::cerr << "ingest: " << (r.ok() ? "not stored" : r.error().to_string()) << "\n";
        std::exit(1);
    }
}

// Ingests every batch, `kWriters` threads at once (terminal i's batches on thread i % kWriters, in order, as
// central's ingest pool would take them); returns entries per second.
double ingest(central::Store& store, const std::vector<SimTerminal>& terminals,
              const std::vector<std::pair<size_t, std::vector<protocol::Entry>>>& work)
{
    size_t count = 0;
    for (const auto& w : work)
        count += w.second.size();
    double cpu0 = cpu_seconds();
    auto start = clock::monotonic_ns();
    std::vector<std::thread> writers;
    for (size_t k = 0; k < kWriters; ++k)
        writers.emplace_back([&, k] {
            for (const auto& [t, entries] : work) {
                if (t % kWriters != k)
                    continue;
                central::IngestRefusal why;
                auto r = store.ingest(terminals[t].id, entries, clock::unix_ms(), why);
                if (!r.ok() || r->stored != static_cast<int64_t>(entries.size())) {
                    std::cerr << "ingest: " << (r.ok() ? "not stored" : r.error().to_string()) << "\n";
                    std::exit(1);
                }
            }
        });
    for (auto& w : writers)
        w.join();
    double wall = seconds_since(start);
    std::fprintf(stderr, "ingest: %.2f s wall, %.2f s of this process's processor time\n", wall, cpu_seconds() - cpu0);
    return static_cast<double>(count) / wall;
}

// The bare COPY: every row the store's ingest wrote (entries, projections, batch log, terminals), read back from
// a finished ingest's database, cut into as many slices as the ingest had batches (each table's rows in equal
// parts), each slice written with binary COPY in one transaction into an empty store of the same schema.
struct BareCopy {
    central::pg::Conn to;
    std::vector<std::vector<std::pair<std::string, std::string>>> slices; // per transaction: table -> tuples
    size_t rows = 0;

    BareCopy(const std::string& ingest_url, const std::string& bare_url, size_t transactions)
    {
        auto from = must(central::pg::Conn::connect(ingest_url), "connect");
        must(central::open_store({{}, bare_url}), "bare schema");
        to = must(central::pg::Conn::connect(bare_url), "connect");
        int32_t month = central::month_of_ms(clock::unix_ms());
        must(to.exec("CREATE TABLE entries_" + std::to_string(month) + " PARTITION OF entries FOR VALUES FROM (" + std::to_string(month)
                     + ") TO (" + std::to_string(central::next_month(month)) + ")"),
             "partition");
        slices.resize(transactions);
        for (const char* table : {"terminals", "enrollment_codes", "entries", "batches", "applications", "payments", "tickets", "surveys",
                                  "entry_days"}) {
            auto tuples = must(from.copy_out(std::string("COPY (SELECT * FROM ") + table + ") TO STDOUT (FORMAT binary)"), "copy out");
            rows += tuples.size();
            for (size_t k = 0; k < transactions; ++k) {
                size_t a = tuples.size() * k / transactions, b = tuples.size() * (k + 1) / transactions;
                std::string chunk;
                for (size_t i = a; i < b; ++i)
                    chunk += tuples[i];
                if (!chunk.empty())
                    slices[k].emplace_back(table, std::move(chunk));
            }
        }
    }

    void write(size_t k)
    {
        must(to.exec("BEGIN"), "begin");
        for (const auto& [table, chunk] : slices[k])
            must(to.copy_in("COPY " + table + " FROM STDIN (FORMAT binary)", chunk), "copy in");
        must(to.exec("COMMIT"), "commit");
    }
};

void exec(const std::string& url, const std::string& sql)
{
    auto conn = must(central::pg::Conn::connect(url), "connect");
    must(conn.exec(sql), "exec");
}

int64_t bytes_pg(central::Store& store, const std::string& url)
{
    exec(url, "VACUUM ANALYZE");
    exec(url, "CHECKPOINT");
    return must(store.stored_bytes(), "size");
}

// Where the bytes are, largest first (stderr).
void size_breakdown(const std::string& url, size_t entries)
{
    auto conn = must(central::pg::Conn::connect(url), "connect");
    auto r = must(conn.query("SELECT c.relname, pg_relation_size(c.oid)::bigint FROM pg_class c "
                             "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i') "
                             "AND pg_relation_size(c.oid) > 65536 ORDER BY 2 DESC"),
                  "sizes");
    for (int i = 0; i < r.count(); ++i)
        std::fprintf(stderr, "  %-36s %7.1f bytes/entry\n", r.text(i, 0).c_str(),
                     static_cast<double>(r.integer(i, 1)) / static_cast<double>(entries));
}

// 1,000,000 transactions: applications with their fee, 95 % of them paid (some in two parts), over 60
// terminals at six centres and twelve months, loaded with COPY; then the indicator query for one centre-month.
double reconcile_ms(const std::string& url)
{
    auto store = must(central::open_store({{}, url}), "open");
    auto conn = must(central::pg::Conn::connect(url), "connect");
    static const char* centres[] = {"DAM-01", "DAM-02", "ALP-01", "HMS-01", "LAT-01", "RUR-01"};
    static const char* services[] = {"civil.birth_extract", "civil.id", "finance.property_extract", "telecom.landline_bill",
                                     "health.card", "transport.licence"};
    constexpr int kTerminals = 60;
    constexpr int64_t kTransactions = 1'000'000;
    for (int t = 1; t <= kTerminals; ++t)
        must(conn.query("INSERT INTO terminals(id, centre, name, status, public_key, last_hash, enrolled_ms) "
                        "VALUES($1, $2, 'bench', 'active', 'k', $3, 0)",
                        central::pg::Params().add("T" + std::to_string(100000 + t)).add(centres[(t - 1) % 6]).add(protocol::kGenesisHash)),
             "terminal");
    int32_t first_month = 202501;
    std::mt19937_64 rng(7);
    central::pg::CopyRows apps, pays;
    std::vector<int64_t> seq(kTerminals + 1, 0);
    auto flush = [&] {
        must(conn.copy_in("COPY applications(terminal, reference, centre, entity, service_code, channel, status, fee_minor, paid_minor, "
                          "submitted_ms, updated_ms) FROM STDIN (FORMAT binary)",
                          apps.data()),
             "copy applications");
        must(conn.copy_in("COPY payments(terminal, seq, reference, centre, method, amount_minor, time_ms) FROM STDIN (FORMAT binary)",
                          pays.data()),
             "copy payments");
        apps.clear();
        pays.clear();
    };
    // Transactions arrive in time order (as terminals sync them), spread over twelve months.
    constexpr int64_t kPerMonth = kTransactions / 12;
    int32_t month = first_month;
    for (int64_t i = 0; i < kTransactions; ++i) {
        if (i > 0 && i % kPerMonth == 0 && i / kPerMonth < 12)
            month = central::next_month(month);
        int t = 1 + static_cast<int>(rng() % kTerminals);
        const char* centre = centres[(t - 1) % 6];
        int64_t at = central::month_start_ms(month) + (i % kPerMonth) * (27LL * 86400 * 1000 / kPerMonth);
        std::string ref = "R" + std::to_string(t) + "-" + std::to_string(i);
        const char* service = services[rng() % 6];
        int64_t fee = 1000 + static_cast<int64_t>(rng() % 100) * 500;
        bool paid = rng() % 100 < 95;
        bool split = paid && rng() % 10 == 0;
        apps.begin_row(11).int4(t).bytes(ref).bytes(centre).bytes(std::string(service).substr(0, std::string(service).find('.')))
            .bytes(service).bytes(rng() % 2 ? "kiosk" : "counter").bytes(paid ? "paid" : "submitted").int8(fee).int8(paid ? fee : 0)
            .int8(at).int8(at);
        if (paid) {
            int64_t first = split ? fee / 2 : fee;
            pays.begin_row(7).int4(t).int8(++seq[static_cast<size_t>(t)]).bytes(ref).bytes(centre).bytes("cash").int8(first).int8(at + 60000);
            if (split)
                pays.begin_row(7).int4(t).int8(++seq[static_cast<size_t>(t)]).bytes(ref).bytes(centre).bytes("card").int8(fee - first)
                    .int8(at + 120000);
        }
        if (apps.rows() >= 50000)
            flush();
    }
    flush();
    exec(url, "VACUUM ANALYZE");
    month = 202506;
    size_t rows = must(store->fees_due_vs_paid("DAM-01", month), "reconcile").size(); // warm-up
    std::vector<double> ms;
    for (int i = 0; i < 9; ++i) {
        auto start = clock::monotonic_ns();
        auto r = must(store->fees_due_vs_paid("DAM-01", month), "reconcile");
        ms.push_back(seconds_since(start) * 1000);
        rows = r.size();
    }
    std::sort(ms.begin(), ms.end());
    if (std::getenv("NAFITHA_BENCH_EXPLAIN")) {
        auto plan = must(conn.query("EXPLAIN (ANALYZE, BUFFERS) SELECT t.id, a.reference, COALESCE(a.fee_minor, 0), a.paid_minor "
                                    "FROM applications a JOIN terminals t ON t.no = a.terminal "
                                    "WHERE a.centre = $1 AND a.submitted_ms >= $2 AND a.submitted_ms < $3",
                                    central::pg::Params().add("DAM-01").add(central::month_start_ms(month))
                                        .add(central::month_start_ms(central::next_month(month)))),
                         "explain");
        for (int i = 0; i < plan.count(); ++i)
            std::fprintf(stderr, "  %s\n", plan.text(i, 0).c_str());
    }
    std::fprintf(stderr, "reconcile: %zu applications of one centre-month out of %lld transactions\n", rows,
                 static_cast<long long>(kTransactions));
    {
        auto start = clock::monotonic_ns();
        auto groups = must(store->applications_by_status(central::month_start_ms(month), central::month_start_ms(central::next_month(month))),
                           "by status");
        std::fprintf(stderr, "applications by centre, entity, service and status for one month: %zu groups in %.1f ms\n",
                     groups.size(), seconds_since(start) * 1000);
    }
    return ms[ms.size() / 2];
}

} // namespace

int main()
{
    protocol::init_crypto();
    std::signal(SIGPIPE, SIG_IGN); // a reader that goes away must not leave the cluster running

    auto base = std::filesystem::temp_directory_path() / ("nafitha-bench-store-" + std::to_string(::getpid()));
    auto shm = std::filesystem::path("/dev/shm") / ("nafitha-bench-store-" + std::to_string(::getpid()));
    std::filesystem::remove_all(base);
    std::filesystem::create_directories(base);
    std::filesystem::permissions(base, std::filesystem::perms(0755));
    auto sim_dir = std::filesystem::exists("/dev/shm") ? shm : base / "sim";
    int rc = 0;
    try {
        auto start = clock::monotonic_ns();
        auto terminals = simulate(sim_dir, 12, 700);
        size_t total = 0;
        for (const auto& t : terminals)
            total += t.entries.size();
        std::fprintf(stderr, "simulated %zu entries at 12 terminals in %.1f s\n", total, seconds_since(start));
        auto work = batches(terminals, 500);
        {
            // Where the ingest's own processor time goes (stderr).
            auto t0 = clock::monotonic_ns();
            size_t body_bytes = 0;
            for (const auto& [t, entries] : work)
                for (const auto& e : entries)
                    body_bytes += must(central::encode_entry(e), "encode").body.size();
            auto t1 = clock::monotonic_ns();
            size_t facts = 0;
            for (const auto& [t, entries] : work)
                facts += central::project_batch(entries, 0, "DAM-01").applications.size();
            auto t2 = clock::monotonic_ns();
            std::vector<std::string> signed_bytes;
            for (const auto& [t, entries] : work)
                for (const auto& e : entries)
                    signed_bytes.push_back(must(protocol::signing_bytes(e), "bytes"));
            auto t3 = clock::monotonic_ns();
            for (const auto& b : signed_bytes)
                (void)protocol::sha256_hex(b);
            auto t4 = clock::monotonic_ns();
            for (const auto& b : signed_bytes)
                (void)central::encode_signed_bytes(b);
            auto t5 = clock::monotonic_ns();
            std::fprintf(stderr, "  of which canonical JSON %.1f us, SHA-256 %.1f us, zstd %.1f us\n",
                         static_cast<double>(t3 - t2) / 1e3 / static_cast<double>(total),
                         static_cast<double>(t4 - t3) / 1e3 / static_cast<double>(total),
                         static_cast<double>(t5 - t4) / 1e3 / static_cast<double>(total));
            std::fprintf(stderr, "encode %.1f us/entry (%.0f stored bytes/entry), project %.1f us/entry (%zu applications)\n",
                         static_cast<double>(t1 - t0) / 1e3 / static_cast<double>(total),
                         static_cast<double>(body_bytes) / static_cast<double>(total),
                         static_cast<double>(t2 - t1) / 1e3 / static_cast<double>(total), facts);
        }

        testing::PgCluster::Options pg_options;
        if (std::getenv("NAFITHA_BENCH_PG_LOG")) // every statement's duration in the cluster's log, copied out at the end
            pg_options.conf = {"log_min_duration_statement = 0"};
        testing::PgCluster cluster(base / "pg", pg_options);
        // The ingest rate with central's two writers, and the bytes it stored.
        std::string first_url = cluster.create_database("ingest0");
        int64_t pg_bytes = 0;
        double rate = 0;
        {
            auto store = must(central::open_store({{}, first_url}), "open");
            enroll(*store, terminals);
            int64_t pg_empty = bytes_pg(*store, first_url);
            rate = ingest(*store, terminals, work);
            pg_bytes = bytes_pg(*store, first_url) - pg_empty;
            size_breakdown(first_url, total);
        }
        // The ratio, side by side: batch k through the store, then slice k of the same rows by bare COPY, one
        // writer each, alternating, so that both see the same load on this shared machine; three passes.
        double ingest_s = 0, bare_s = 0;
        for (int pass = 1; pass <= 3; ++pass) {
            std::string url = cluster.create_database("ingest" + std::to_string(pass));
            auto store = must(central::open_store({{}, url}), "open");
            enroll(*store, terminals);
            BareCopy bare(first_url, cluster.create_database("bare" + std::to_string(pass)), work.size());
            for (size_t k = 0; k < work.size(); ++k) {
                auto t0 = clock::monotonic_ns();
                ingest_one(*store, terminals[work[k].first].id, work[k].second);
                auto t1 = clock::monotonic_ns();
                bare.write(k);
                auto t2 = clock::monotonic_ns();
                ingest_s += static_cast<double>(t1 - t0) / 1e9;
                bare_s += static_cast<double>(t2 - t1) / 1e9;
            }
            std::fprintf(stderr, "pass %d: store ingest %.2f s, bare COPY of the same %zu rows %.2f s (so far)\n", pass, ingest_s,
                         bare.rows, bare_s);
        }
        std::printf("bench central.ingest_ratio_pg %.2f ratio\n", bare_s / ingest_s);
        std::printf("bench central.ingest_entries_per_s_pg %.0f entries/s\n", rate);
        std::printf("bench central.bytes_per_entry_pg %.0f bytes\n", static_cast<double>(pg_bytes) / static_cast<double>(total));

        {
            auto dir = base / "sqlite";
            auto store = must(central::open_sqlite_store(dir), "open sqlite");
            enroll(*store, terminals);
            int64_t empty = must(store->stored_bytes(), "size");
            double rate = ingest(*store, terminals, work);
            int64_t bytes = must(store->stored_bytes(), "size") - empty;
            std::fprintf(stderr, "sqlite store ingest %.0f entries/s\n", rate);
            std::printf("bench central.bytes_per_entry_sqlite %.0f bytes\n", static_cast<double>(bytes) / static_cast<double>(total));
        }
        std::fflush(stdout);
        if (const char* log = std::getenv("NAFITHA_BENCH_PG_LOG"))
            std::filesystem::copy_file(base / "pg" / "log", log, std::filesystem::copy_options::overwrite_existing);
        std::printf("bench central.reconcile_ms %.1f ms\n", reconcile_ms(cluster.create_database("reconcile")));
    } catch (const std::exception& e) {
        std::cerr << "bench_store: " << e.what() << "\n";
        rc = 1;
    }
    std::filesystem::remove_all(shm);
    std::filesystem::remove_all(base);
    return rc;
}
