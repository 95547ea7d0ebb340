// nafitha-central's store commands (verify, archive export / verify / detach, backup, store info) on both
// stores, through the real binary.

#include "tests/store/store_env.h"

#include "base/clock.h"
#include "tests/support/pg_cluster.h"

#include <sys/wait.h>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

struct Run {
    int status = -1;
    std::string out; // standard output and error
};

Run central_cmd(const std::string& args)
{
    Run r;
    FILE* p = popen(((bin_dir() / "nafitha-central").string() + " " + args + " 2>&1").c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::string store_args(StoreEnv& env)
{
    auto loc = env.location();
    return loc.is_postgres() ? "--store '" + loc.url + "'" : "--data '" + loc.data_dir.string() + "'";
}

// Two terminals with entries received in January 2026 and in the current month.
void fill(StoreEnv& env)
{
    auto store = env.open();
    for (const char* centre : {"DAM-01", "ALP-01"}) {
        auto t = enroll_terminal(*store, centre);
        std::vector<std::pair<std::string, nlohmann::json>> items;
        for (int i = 0; i < 60; ++i)
            items.push_back({"payment.recorded", {{"reference", "R" + std::to_string(i)}, {"amount_minor", 100 + i}}});
        auto chain = seal_chain(t, 1, protocol::kGenesisHash, items, "2026-01-10T10:00:00.000Z");
        ingest_ok(*store, t.id, slice(chain, 0, 40), central::month_start_ms(202601) + 1000);
        ingest_ok(*store, t.id, slice(chain, 40, 20), clock::unix_ms());
    }
}

} // namespace

STORE_TEST("The command line verifies the store and exports a month to an archive that checks offline")
{
    TempDir dir("cli");
    fill(env);
    auto store = store_args(env);
    auto info = central_cmd("store info " + store);
    CHECK(info.status == 0);
    CHECK(info.out.find(env.kind() + " store") != std::string::npos);
    auto verified = central_cmd("verify " + store);
    INFO(verified.out);
    CHECK(verified.status == 0);
    CHECK(verified.out.find("verified: 2 terminals, 120 entries") != std::string::npos);

    std::string file = (dir / "2026-01.archive").string();
    auto exported = central_cmd("archive export " + store + " --month 2026-01 --out " + file);
    INFO(exported.out);
    REQUIRE(exported.status == 0);
    CHECK(exported.out.find("80 entries of 2 terminals") != std::string::npos);
    auto checked = central_cmd("archive verify " + file);
    CHECK(checked.status == 0);
    auto key_at = checked.out.find("signed by central key ");
    REQUIRE(key_at != std::string::npos);
    std::string key = checked.out.substr(key_at + 22, checked.out.find('\n', key_at) - key_at - 22);
    CHECK(central_cmd("archive verify " + file + " --central-key " + key).status == 0);
    auto wrong = central_cmd("archive verify " + file + " --central-key AAAA");
    CHECK(wrong.status == 1);
    CHECK(wrong.out.find("another central key") != std::string::npos);
    // The key is central's: the same one exports the next archive (in the store for PostgreSQL, in DIR otherwise).
    CHECK(central_cmd("archive export " + store + " --month 2026-01 --out " + file + ".2").out.find(key) != std::string::npos);
    // Refusals, each with its message in Arabic and English.
    auto open_month = central_cmd("archive export " + store + " --month " + clock::iso8601_utc(clock::unix_ms()).substr(0, 7) + " --out "
                                  + (dir / "now").string());
    CHECK(open_month.status == 1);
    CHECK(open_month.out.find("That month is not over yet") != std::string::npos);
    CHECK(open_month.out.find("ذلك الشهر لم ينتهِ بعد") != std::string::npos);
    CHECK(central_cmd("archive export " + store + " --month 2026-13 --out x").status == 2);
    CHECK(central_cmd("verify").status == 2);
    CHECK(central_cmd("verify --store mysql://nope").status == 2);
    CHECK(central_cmd("archive verify /nonexistent").status == 1);

    if (env.kind() == "postgresql") {
        auto detached = central_cmd("archive detach " + store + " --month 2026-01 --archive " + file);
        INFO(detached.out);
        CHECK(detached.status == 0);
        CHECK(detached.out.find("entries_202601") != std::string::npos);
        auto after = central_cmd("verify " + store);
        INFO(after.out);
        CHECK(after.status == 0);
        CHECK(after.out.find("40 entries checked") != std::string::npos);
        CHECK(after.out.find("80 in archived months") != std::string::npos);
        CHECK(central_cmd("archive detach " + store + " --month 2026-01 --archive " + file).status == 1);
        CHECK(central_cmd("backup " + store + " --out " + (dir / "b.db").string()).status == 2);
    } else {
        CHECK(central_cmd("archive detach " + store + " --month 2026-01 --archive " + file).status == 1);
        auto backup = central_cmd("backup " + store + " --out " + (dir / "copy.db").string());
        CHECK(backup.status == 0);
        std::filesystem::create_directories(dir / "restored");
        std::filesystem::copy_file(dir / "copy.db", dir / "restored" / "central.db");
        auto restored = central_cmd("verify --data " + (dir / "restored").string());
        CHECK(restored.status == 0);
        CHECK(restored.out.find("120 entries") != std::string::npos);
    }
    // An altered store no longer verifies.
    if (env.kind() == "sqlite")
        env.sql("DROP TRIGGER entries_no_update; UPDATE entries SET sig = zeroblob(64) WHERE seq = 45;");
    else
        env.sql("SET session_replication_role = replica; UPDATE entries SET sig = set_byte(sig, 3, get_byte(sig, 3) # 1) WHERE seq = 45;");
    auto broken = central_cmd("verify " + store);
    CHECK(broken.status == 1);
    CHECK(broken.out.find("NOT verified") != std::string::npos);
    CHECK(broken.out.find("seq 45: bad signature") != std::string::npos);
}
