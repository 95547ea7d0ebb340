// Journal and services benchmarks, measured side by side in one run:
//   bench journal.commit_ratio          one whole citizen transaction (application + history + payment + ticket +
//                                       4 journal entries, hashed, one signature, one commit) over a bare one-row
//                                       INSERT + COMMIT on the same file system with the same pragmas
//   bench journal.commit_floor_ratio    the smallest signed journal commit (one entry, hashed and signed, one commit)
//                                       over the same bare commit: what the journal and its signature cost by
//                                       themselves; the rest of commit_ratio is the citizen transaction's own rows
//   bench journal.tx_per_s              citizen transactions per second, committed one by one
//   bench journal.verify_entries_per_s  full chain verification (hash per entry, Ed25519 per transaction of 3)
//   bench services.login_ms             one staff login with the production Argon2id cost

#include "base/clock.h"
#include "kiosk/services/simulator.h"
#include "kiosk/services/terminal.h"
#include "sync/journal/journal.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <unistd.h>
#include <vector>

using namespace nafitha;

static double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

static void die(const Error& e)
{
    std::fprintf(stderr, "bench_journal: %s\n", e.to_string().c_str());
    std::exit(1);
}

template<typename T>
static T must(Result<T> r)
{
    if (!r.ok())
        die(r.error());
    return r.release_value();
}

static void must(Result<void> r)
{
    if (!r.ok())
        die(r.error());
}

int main()
{
    auto dir = std::filesystem::temp_directory_path() / ("nafitha-bench-journal-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);

    services::TerminalOptions o;
    o.data_dir = dir / "terminal";
    o.seed_catalogue = std::filesystem::path(NAFITHA_SOURCE_DIR) / "assets/catalogue/seed.json";
    o.pin_cost = services::PinCost::test();
    auto terminal = must(services::Terminal::open(o));
    auto cat = terminal->catalogue();
    auto* service = cat->service("civil.birth_extract");
    std::mt19937_64 rng(42);

    auto bare = must(db::Db::open(dir / "bare.db"));
    must(bare.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    auto bare_commit = [&] {
        auto tx = must(db::Transaction::begin(bare));
        auto st = must(bare.prepare("INSERT INTO t (v) VALUES (?1)"));
        st.bind(1, "x");
        must(st.run());
        must(tx.commit());
    };
    // The smallest signed journal commit: one entry, hashed and signed, in its own transaction.
    int64_t floor_i = 0;
    auto signed_entry = [&] {
        auto& db = terminal->database();
        auto tx = must(db::Transaction::begin(db));
        must(journal::append(db, terminal->identity(), "bench.entry", {{"i", floor_i++}}));
        must(journal::commit(db, terminal->identity(), tx));
    };
    auto citizen_tx = [&] {
        services::SubmitRequest req(service->code, services::simulated_form(*service, rng));
        must(terminal->submit(req, services::PaymentRequest::cash(1000000)));
    };

    // Warm up both paths, then alternate them so that both see the same disk and the same noise.
    for (int i = 0; i < 5; ++i) {
        bare_commit();
        citizen_tx();
    }
    constexpr int kRounds = 120;
    std::vector<double> bare_ms, floor_ms, tx_ms;
    int64_t tx_total_ns = 0;
    for (int i = 0; i < kRounds; ++i) {
        // The order rotates: an fsync can pay for the previous commit's file system journal.
        int64_t ns[3] = {0, 0, 0};
        for (int k = 0; k < 3; ++k) {
            int which = (k + i) % 3;
            auto t0 = clock::monotonic_ns();
            if (which == 0)
                bare_commit();
            else if (which == 1)
                signed_entry();
            else
                citizen_tx();
            ns[which] = clock::monotonic_ns() - t0;
        }
        bare_ms.push_back(double(ns[0]) / 1e6);
        floor_ms.push_back(double(ns[1]) / 1e6);
        tx_ms.push_back(double(ns[2]) / 1e6);
        tx_total_ns += ns[2];
    }
    std::printf("bench journal.commit_ratio %.3f ratio\n", median(tx_ms) / median(bare_ms));
    std::printf("bench journal.tx_per_s %.1f tx/s\n", double(kRounds) / (double(tx_total_ns) / 1e9));
    std::printf("bench journal.commit_floor_ratio %.3f ratio\n", median(floor_ms) / median(bare_ms));
    std::fprintf(stderr, "median bare commit %.3f ms, one signed entry %.3f ms, citizen transaction %.3f ms\n", median(bare_ms),
                 median(floor_ms), median(tx_ms));

    // A longer chain for verification, signed as citizen transactions are (one signature for three entries), written
    // in large commits (setup only).
    for (int batch = 0; batch < 10; ++batch) {
        auto& db = terminal->database();
        auto tx = must(db::Transaction::begin(db));
        for (int i = 0; i < 498; ++i) {
            must(journal::append(db, terminal->identity(), "bench.entry",
                                 {{"reference", "1234-000001-0"}, {"amount_minor", 200000}, {"centre", "DAM-01"}, {"i", i}}));
            if (i % 3 == 2)
                must(journal::sign_pending(db, terminal->identity()));
        }
        must(journal::commit(db, terminal->identity(), tx));
    }
    auto t0 = clock::monotonic_ns();
    auto report = must(journal::verify(terminal->database(), terminal->identity().keys.public_key));
    auto t1 = clock::monotonic_ns();
    if (!report.ok())
        die(Error::make("bench", report.problem));
    std::printf("bench journal.verify_entries_per_s %.0f entries/s\n", double(report.entries) / (double(t1 - t0) / 1e9));

    // The production PIN cost, for the record (target 100-300 ms per login).
    terminal.reset();
    o.pin_cost = services::PinCost::interactive();
    auto t = must(services::Terminal::open(o));
    must(t->create_staff({"bench", "Bench", services::Role::Clerk, "1234"}));
    std::vector<double> login_ms;
    for (int i = 0; i < 3; ++i) {
        auto a = clock::monotonic_ns();
        must(t->login("bench", "1234"));
        login_ms.push_back(double(clock::monotonic_ns() - a) / 1e6);
    }
    std::printf("bench services.login_ms %.0f ms\n", median(login_ms));
    t.reset();
    std::filesystem::remove_all(dir);
    return 0;
}
