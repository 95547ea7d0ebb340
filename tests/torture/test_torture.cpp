// The torture run's short forms: the same program as `installer/dev torture`, for half a minute, with two
// terminals (one right, one days behind), central on SQLite, then on a PostgreSQL cluster of the run's own
// (stopped as after a crash again and again). Nothing acknowledged may be lost, nothing stored twice.

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

void short_run(const std::string& options)
{
    std::string bin = std::getenv("NAFITHA_BIN_DIR") ? std::getenv("NAFITHA_BIN_DIR") : NAFITHA_BINARY_DIR "/bin";
    std::string command = bin + "/nafitha-torture --terminals 2 --seed 42 --min-kills 20 --min-faults 200 " + options + " 2>&1";
    FILE* p = popen(command.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    int status = pclose(p);
    INFO(out);
    std::map<std::string, long long> counts;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string tag, name;
        long long value = -1;
        if (words >> tag >> name >> value && tag == "torture")
            counts[name] = value;
    }
    REQUIRE(counts.count("lost"));
    CHECK(counts["lost"] == 0);
    CHECK(counts["duplicated"] == 0);
    CHECK(counts["acknowledged"] > 0);
    CHECK(counts["attempted"] >= counts["acknowledged"]);
    CHECK(counts["kills"] >= 20);
    CHECK(counts["faults"] >= 200);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

} // namespace

TEST_CASE("A short torture run across both ends loses nothing and doubles nothing")
{
    short_run("--seconds 30");
}

TEST_CASE("A short torture run with central on PostgreSQL (killed as after a crash) loses nothing and doubles nothing")
{
    short_run("--seconds 30 --store postgresql");
}
