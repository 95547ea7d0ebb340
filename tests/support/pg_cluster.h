#pragma once
// Private PostgreSQL clusters for tests (installer/pg-cluster does the work): initdb + pg_ctl in a folder, Unix
// socket only, as user postgres when the tests run as root, stopped and removed by the destructor.
//
// Most tests need only a fresh database: test_database() gives one on the cluster the CTest fixture
// `postgresql` started for the whole run (tests/support/CMakeLists.txt), or, when that one is not running (a
// test binary run by hand), on a cluster of this process's own, started on first use and removed at exit.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace nafitha::testing {

class PgCluster {
public:
    struct Options {
        int port = 5432;
        std::vector<std::string> conf;  // extra postgresql.conf lines
        std::filesystem::path standby_of; // a primary's folder: make a streaming standby of it
        std::string name;                 // the standby's application_name
        bool remove = true;               // remove the folder in the destructor
    };
    // Starts a cluster in `dir` (created). Throws std::runtime_error with the reason when it cannot.
    PgCluster(std::filesystem::path dir, Options options);
    explicit PgCluster(std::filesystem::path dir) : PgCluster(std::move(dir), Options{}) {}
    ~PgCluster();
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    std::string url(const std::string& db = "postgres") const;
    const std::filesystem::path& dir() const { return m_dir; }
    std::string socket_dir() const { return (m_dir / "sock").string(); }
    int port() const { return m_options.port; }

    void stop();          // fast shutdown
    void kill();          // immediate shutdown: no checkpoint, as after a crash
    void start_again();   // pg_ctl start on the existing data
    void promote();       // standby -> primary
    bool running() const { return m_running; }

    // CREATE DATABASE name (dropped by nobody: the cluster goes away with its folder).
    std::string create_database(const std::string& name) const;

private:
    std::filesystem::path m_dir;
    Options m_options;
    bool m_running = false;
};

// A new, empty database for one test, on the shared test cluster (see above); returns its URL.
std::string test_database(const std::string& tag);

// Runs a command with /bin/sh, throws with its output when it fails; returns its standard output.
std::string run_or_throw(const std::string& command);

} // namespace nafitha::testing
