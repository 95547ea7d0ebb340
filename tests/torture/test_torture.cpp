// The torture run's short form: the same program as `installer/dev torture`, for half a minute, with two
// terminals (one right, one days behind). Nothing acknowledged may be lost, nothing stored twice.

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <sys/wait.h>

TEST_CASE("A short torture run across both ends loses nothing and doubles nothing")
{
    std::string bin = std::getenv("NAFITHA_BIN_DIR") ? std::getenv("NAFITHA_BIN_DIR") : NAFITHA_BINARY_DIR "/bin";
    std::string command = bin + "/nafitha-torture --seconds 30 --terminals 2 --seed 42 --min-kills 20 --min-faults 200 2>&1";
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
