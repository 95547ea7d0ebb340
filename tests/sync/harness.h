#pragma once
// Test harness shared by tests/sync and tests/central: temp folders, an in-process central, a central child
// process that can be SIGKILLed and restarted, sealed entry chains, terminal journals, and a fault-injecting
// TCP proxy (tc netem is not available here).

#include "central/server.h"
#include "sync/journal/identity.h"
#include "sync/protocol/entry.h"
#include "tests/support/fault_proxy.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace nafitha::testing {

class TempDir {
public:
    explicit TempDir(const std::string& tag);
    ~TempDir();
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

std::filesystem::path bin_dir();

// nafitha-central served on 127.0.0.1 from a thread of this process.
class InProcessCentral {
public:
    explicit InProcessCentral(const std::filesystem::path& data_dir, std::string tls_cert = {}, std::string tls_key = {});
    // With a configuration of the test's own (limits, health thresholds); data_dir is set from `config`.
    explicit InProcessCentral(central::ServerConfig config);
    ~InProcessCentral();
    int port() const { return m_port; }
    std::string url() const;
    // The operators' listener (/metrics, detailed health), always plain HTTP on 127.0.0.1.
    std::string admin_url() const { return "http://127.0.0.1:" + std::to_string(m_admin_port); }
    central::CentralServer& server() { return *m_server; }
    central::Store& store() { return m_server->store(); }
    std::string add_code(const std::string& centre = "DAM-01");

private:
    std::unique_ptr<central::CentralServer> m_server;
    void start(central::ServerConfig config);
    std::thread m_thread;
    int m_port = 0;
    int m_admin_port = 0;
    bool m_tls = false;
};

// The real nafitha-central binary as a child process.
class CentralProcess {
public:
    // `extra_args` go after "serve --data DIR --listen ... --admin-listen ..."; `launcher` goes before the
    // program (e.g. {"fiu-run", "-x"}).
    explicit CentralProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args = {},
                            std::vector<std::string> launcher = {});
    ~CentralProcess();
    // Starts on `port` (0 = any free one) with `env` added to its environment and waits for "listening on".
    void start(int port = 0, const std::vector<std::pair<std::string, std::string>>& env = {});
    void kill_hard(); // SIGKILL and reap
    void stop();      // SIGTERM and reap
    int port() const { return m_port; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    std::string admin_url() const { return "http://127.0.0.1:" + std::to_string(m_admin_port); }
    bool running() const { return m_pid > 0; }
    pid_t pid() const { return m_pid; }
    // Waits for the child to exit on its own (after a signal sent by the test, or at NAFITHA_CRASH_AT);
    // returns its wait status.
    int wait_exit();
    std::filesystem::path log_file() const { return m_data / "central.log"; }

private:
    std::filesystem::path m_data;
    std::vector<std::string> m_extra;
    std::vector<std::string> m_launcher;
    pid_t m_pid = -1;
    int m_port = 0;
    int m_admin_port = 0;
};

// A consecutive chain of sealed entries from `first_seq`, chained to `prev`. With `sign_every` N > 1 the entries
// come in transactions of N: only the last of each (and the last of the chain) is signed, as terminals do.
std::vector<protocol::Entry> make_chain(const protocol::KeyPair& keys, const std::string& terminal_id, int64_t first_seq,
                                        int64_t count, std::string prev = protocol::kGenesisHash, int64_t sign_every = 1);
nlohmann::json sample_payload(int64_t seq, const std::string& terminal_id);
std::string sample_type(int64_t seq);

// A terminal data folder with identity and a journal of `count` entries (terminal.db).
journal::Identity make_terminal_journal(const std::filesystem::path& dir, int64_t count);
// Appends `count` more entries.
void append_entries(const std::filesystem::path& dir, const journal::Identity& id, int64_t count);
// Every (seq, hash) of the terminal journal, in order.
std::vector<std::pair<int64_t, std::string>> journal_hashes(const std::filesystem::path& dir);
// Every (seq, hash) central holds for the terminal (opens the store read-write; central must be stopped or
// be the in-process one, whose store is passed).
std::vector<std::pair<int64_t, std::string>> central_hashes(central::Store& store, const std::string& terminal_id);

} // namespace nafitha::testing
