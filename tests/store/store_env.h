#pragma once
// One store test suite, run against both stores: STORE_TEST(name) defines "SQLite: name" and
// "PostgreSQL: name" with the same body, which gets a StoreEnv to open (and reopen) its store.

#include "central/store/store.h"
#include "sync/protocol/crypto.h"
#include "tests/sync/harness.h"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

namespace nafitha::testing {

class StoreEnv {
public:
    virtual ~StoreEnv() = default;
    virtual std::string kind() const = 0;
    virtual central::StoreLocation location() const = 0;
    // Raw SQL, for tests that tamper with the store or build an old schema by hand.
    virtual void sql(const std::string& statements) = 0;
    // Raw SQL that returns one integer.
    virtual int64_t sql_int(const std::string& query) = 0;

    std::unique_ptr<central::Store> open(const central::OpenOptions& options = {})
    {
        auto s = central::open_store(location(), options);
        if (!s.ok())
            FAIL("cannot open the " << kind() << " store: " << s.error().to_string());
        return s.release_value();
    }
};

std::unique_ptr<StoreEnv> sqlite_env();
std::unique_ptr<StoreEnv> postgres_env();

// A terminal enrolled in the store, with its keys.
struct TestTerminal {
    protocol::KeyPair keys;
    std::string id;
    std::string centre;
};
TestTerminal enroll_terminal(central::Store& store, const std::string& centre = "DAM-01");

// A chain of sealed entries with the given (type, payload) pairs, from `first_seq`, chained to `prev`,
// each with time `time` (ISO 8601).
std::vector<protocol::Entry> seal_chain(const TestTerminal& t, int64_t first_seq, const std::string& prev,
                                        const std::vector<std::pair<std::string, nlohmann::json>>& items,
                                        const std::string& time);

// Ingests and requires success; returns the outcome.
central::IngestOutcome ingest_ok(central::Store& store, const std::string& terminal_id, const std::vector<protocol::Entry>& entries,
                                 int64_t now_ms);

std::vector<protocol::Entry> slice(const std::vector<protocol::Entry>& v, size_t from, size_t count);

} // namespace nafitha::testing

#define STORE_TEST_NAME2(a, b) a##b
#define STORE_TEST_NAME(a, b) STORE_TEST_NAME2(a, b)
#define STORE_TEST(name) STORE_TEST_IMPL(name, STORE_TEST_NAME(store_test_body_, __LINE__))
#define STORE_TEST_IMPL(name, fn)                                                                                   \
    static void fn(nafitha::testing::StoreEnv& env);                                                                \
    TEST_CASE("SQLite: " name)                                                                                      \
    {                                                                                                               \
        auto env = nafitha::testing::sqlite_env();                                                                  \
        fn(*env);                                                                                                   \
    }                                                                                                               \
    TEST_CASE("PostgreSQL: " name)                                                                                  \
    {                                                                                                               \
        auto env = nafitha::testing::postgres_env();                                                                \
        fn(*env);                                                                                                   \
    }                                                                                                               \
    static void fn([[maybe_unused]] nafitha::testing::StoreEnv& env)
