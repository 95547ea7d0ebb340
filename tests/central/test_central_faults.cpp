// Central under storage faults found by the torture run (tests/torture), kept as regression tests.

#include "central/server.h"
#include "tests/sync/harness.h"

#include <catch2/catch.hpp>

using namespace nafitha;
using namespace nafitha::testing;

TEST_CASE("A central that cannot open its store fails with an error instead of crashing")
{
    // Found by the torture run: an I/O error while opening the store made CentralServer::create() return
    // early and the half-built server's destructor stopped listeners that did not exist yet (SIGSEGV).
    TempDir dir("central-nostore");
    std::filesystem::create_directories(dir / "central.db"); // a folder where the database should be
    central::ServerConfig config;
    config.data_dir = dir.path();
    auto server = central::CentralServer::create(config);
    REQUIRE_FALSE(server.ok());
    CHECK(server.error().code.rfind("error.", 0) == 0);
}
