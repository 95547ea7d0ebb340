// nafitha-ctl simulate, journal verify and status as a technician runs them, and the journal read by a
// second connection (the sync worker's) while the terminal writes.

#include "helpers.h"

#include "base/fs.h"
#include "kiosk/services/simulator.h"
#include "sync/journal/journal.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <random>
#include <thread>

using namespace nafitha;

namespace {

std::string ctl()
{
    const char* dir = std::getenv("NAFITHA_BIN_DIR");
    return ((dir ? std::filesystem::path(dir) : std::filesystem::path(NAFITHA_BINARY_DIR) / "bin") / "nafitha-ctl").string();
}

struct Run {
    int code = -1;
    std::string out;
};

Run run(const std::string& args)
{
    Run r;
    FILE* p = ::popen((ctl() + " " + args + " 2>&1").c_str(), "r");
    REQUIRE(p);
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        r.out.append(buf.data(), n);
    int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return r;
}

} // namespace

TEST_CASE("nafitha-ctl simulate then journal verify and status report the chain")
{
    test::TempDir dir("ctl");
    auto data = (dir.path / "data").string();
    auto sim = run("simulate --data " + data + " --transactions 12 --seed 5");
    INFO(sim.out);
    REQUIRE(sim.code == 0);
    CHECK(sim.out.find("simulated 12 visits") != std::string::npos);
    auto verify = run("journal verify --data " + data);
    INFO(verify.out);
    CHECK(verify.code == 0);
    CHECK(verify.out.find("journal ok") != std::string::npos);

    auto status = run("status --data " + data + " --json");
    REQUIRE(status.code == 0);
    auto j = nlohmann::json::parse(status.out.substr(status.out.find('{')));
    CHECK(j["journal_last_seq"].get<int64_t>() > 12);
    CHECK(j["acked_seq"] == 0);
    CHECK(j["pending"] == j["journal_last_seq"]);

    // The same seed gives the same visits (different references only in their terminal tag).
    auto again = run("simulate --data " + data + " --transactions 3 --seed 5");
    CHECK(again.code == 0);
    CHECK(run("status --data " + data).out.find("journal_last_seq") != std::string::npos);
    CHECK(run("simulate --data " + data).code == 2);
    CHECK(run("simulate --data " + data + " --transactions lots").code == 2);
    CHECK(run("journal verify --data " + (dir.path / "nowhere").string()).code == 1);
}

TEST_CASE("nafitha-ctl journal verify names the first bad entry and fails")
{
    test::TempDir dir("ctl-tamper");
    auto data = dir.path / "data";
    REQUIRE(run("simulate --data " + data.string() + " --transactions 5 --seed 9").code == 0);
    {
        auto db = db::Db::open(journal::database_file(data)).value();
        REQUIRE(db.exec("DROP TRIGGER journal_no_update").ok());
        REQUIRE(db.exec("UPDATE journal SET payload = replace(payload, '\"amount_minor\":', '\"amount_minor\":1') "
                        "WHERE seq = (SELECT MIN(seq) FROM journal WHERE type = 'payment.recorded')")
                    .ok());
    }
    auto db = db::Db::open(journal::database_file(data)).value();
    auto bad = db.scalar_int64("SELECT MIN(seq) FROM journal WHERE type = 'payment.recorded'").value();
    auto verify = run("journal verify --data " + data.string());
    INFO(verify.out);
    CHECK(verify.code == 1);
    CHECK(verify.out.find("BROKEN at entry " + std::to_string(bad) + ":") != std::string::npos);
}

TEST_CASE("A second connection reads the journal and moves the watermark while the terminal writes")
{
    test::TempDir dir("reader");
    auto t = test::open_terminal(dir.path);
    auto clerk = services::Simulator::ensure_clerk(*t).value();
    auto reader = journal::Reader::open(journal::database_file(dir.path)).value();
    std::atomic<bool> done{false};
    std::atomic<int64_t> acked{0};
    std::string reader_error;
    std::thread worker([&] {
        int64_t last = 0;
        while (!done.load() || last < reader.last_seq().value()) {
            auto batch = reader.entries_after(last, 50, 256 * 1024);
            if (!batch.ok()) {
                reader_error = batch.error().to_string();
                return;
            }
            for (auto& e : batch.value()) {
                if (e.seq != last + 1 || !protocol::verify_entry(e, t->identity().keys.public_key).ok()) {
                    reader_error = "bad entry " + std::to_string(e.seq);
                    return;
                }
                last = e.seq;
            }
            if (auto r = reader.set_acked_seq(last); !r.ok()) {
                reader_error = r.error().to_string();
                return;
            }
            acked = last;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    });
    services::Simulator sim(*t, 77, clerk);
    for (int i = 0; i < 25; ++i)
        REQUIRE(sim.visit().ok());
    done = true;
    worker.join();
    CHECK(reader_error.empty());
    auto status = t->journal_status().value();
    CHECK(acked.load() == status.last_seq);
    CHECK(status.pending == 0);
}

TEST_CASE("Mangled catalogue documents are refused without a crash")
{
    auto seed = nlohmann::json::parse(fs::read_file(test::seed_file(), 1 << 22).value());
    REQUIRE(services::parse_catalogue(seed).ok());
    std::mt19937_64 rng(11);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    const nlohmann::json replacements[] = {nullptr, 1.5, -1, "", std::string(3000, 'x'), nlohmann::json::array(),
                                           nlohmann::json::object(), true, "'; DROP TABLE x; --"};
    int refused = 0;
    for (int i = 0; i < 400; ++i) {
        auto doc = seed;
        // Walk down to a random node and replace or delete it.
        nlohmann::json* node = &doc;
        for (int depth = 0; depth < 6 && (node->is_object() || node->is_array()) && !node->empty(); ++depth) {
            if (pick(4) == 0 && depth > 0)
                break;
            if (node->is_array())
                node = &(*node)[pick(node->size())];
            else {
                auto it = node->begin();
                std::advance(it, static_cast<long>(pick(node->size())));
                node = &it.value();
            }
        }
        *node = replacements[pick(std::size(replacements))];
        auto r = services::parse_catalogue(doc);
        if (!r.ok()) {
            ++refused;
            CHECK(r.error().code == "error.catalogue.invalid");
            CHECK_FALSE(r.error().detail.empty());
        }
    }
    CHECK(refused > 200);
}
