// The storage floor (db/sqlite.h): the one SQLite wrapper under the journal, services and central's store.

#include "db/sqlite.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <unistd.h>

using namespace nafitha;

namespace {
struct TempDb {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("nafitha-db-" + std::to_string(::getpid()));
    db::Db db;
    TempDb()
    {
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        db = db::Db::open(dir / "t.db").release_value();
    }
    ~TempDb()
    {
        db = db::Db();
        std::filesystem::remove_all(dir);
    }
};
} // namespace

TEST_CASE("A database opens in WAL with synchronous FULL and foreign keys on")
{
    TempDb t;
    auto mode = t.db.prepare("PRAGMA journal_mode").release_value();
    REQUIRE(mode.step().value());
    CHECK(mode.text(0) == "wal");
    CHECK(t.db.scalar_int64("PRAGMA synchronous").value() == 2);
    CHECK(t.db.scalar_int64("PRAGMA foreign_keys").value() == 1);
}

TEST_CASE("A kept statement runs again after run() without an explicit reset")
{
    TempDb t;
    REQUIRE(t.db.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT NOT NULL)").ok());
    auto insert = t.db.prepare("INSERT INTO t(k, v) VALUES(?, ?)").release_value();
    for (int64_t k = 1; k <= 3; ++k)
        REQUIRE(insert.bind(1, k).bind(2, "v" + std::to_string(k)).run().ok());
    CHECK(t.db.scalar_int64("SELECT COUNT(*) FROM t").value() == 3);
    CHECK(t.db.last_insert_rowid() == 3);
}

TEST_CASE("SQLite failures become errors by kind and a transaction rolls back unless committed")
{
    TempDb t;
    REQUIRE(t.db.exec("CREATE TABLE t(k INTEGER PRIMARY KEY)").ok());
    {
        auto tx = db::Transaction::begin(t.db).release_value();
        REQUIRE(t.db.exec("INSERT INTO t VALUES(1)").ok());
        CHECK(t.db.in_transaction());
    }
    CHECK_FALSE(t.db.in_transaction());
    CHECK(t.db.scalar_int64("SELECT COUNT(*) FROM t").value() == 0);
    {
        auto tx = db::Transaction::begin(t.db).release_value();
        REQUIRE(t.db.exec("INSERT INTO t VALUES(1)").ok());
        REQUIRE(tx.commit().ok());
    }
    auto dup = t.db.prepare("INSERT INTO t VALUES(1)").release_value().run();
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().code == "error.db.constraint");
    CHECK(t.db.prepare("SELECT nope FROM t").error().code == "error.db.failed");
    auto missing = db::Db::open(t.dir / "none.db", db::OpenMode::ReadOnly);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "error.db.open_failed");
}

TEST_CASE("The statement cache lends one statement and prepares another for nested use")
{
    TempDb t;
    REQUIRE(t.db.exec("CREATE TABLE t(k INTEGER); INSERT INTO t VALUES(1),(2)").ok());
    auto outer = t.db.cached("SELECT k FROM t ORDER BY k").release_value();
    REQUIRE(outer.step().value());
    auto inner = t.db.cached("SELECT k FROM t ORDER BY k").release_value(); // lent out: a fresh one
    REQUIRE(inner.step().value());
    CHECK(inner.int64(0) == 1);
    REQUIRE(outer.step().value());
    CHECK(outer.int64(0) == 2);
}
