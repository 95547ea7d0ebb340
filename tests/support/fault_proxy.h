#pragma once
// A fault-injecting TCP proxy on 127.0.0.1 (tc netem is not available here, toxiproxy is not packaged):
// it forwards each connection to an upstream port and, as a plan decides per connection, cuts it after a
// number of bytes in either direction (an abortive close, like a dropped link), answers 500 without asking
// upstream, or slows it down. cut_all() drops every open connection at once, as a crashing middlebox would.
// Used by tests/sync and by the torture run (tests/torture); counts what it actually injected.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace nafitha::testing {

struct Fault {
    enum class Kind { Pass, Http500 };
    Kind kind = Kind::Pass;        // Http500: answer every request with 500 without asking upstream
    size_t cut_request_after = 0;  // cut the connection after this many bytes towards the server (0 = never)
    size_t cut_response_after = 0; // cut the connection after this many bytes towards the client (0 = never)
    int delay_ms = 0;              // added before each forwarded chunk
    size_t bytes_per_s = 0;        // a slow link in both directions (0 = full speed)
};

// A plan that, with probability `probability`, gives a connection one random fault (a cut mid-request, a cut
// mid-response, or a 500); the other connections pass. Deterministic for a seed.
std::function<Fault(int)> random_plan(uint64_t seed, double probability);

class FaultProxy {
public:
    explicit FaultProxy(int upstream_port);
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    int port() const { return m_port; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    void set_upstream(int port) { m_upstream = port; }
    // Decides the fault for connection number n (0, 1, 2, ...).
    void set_plan(std::function<Fault(int)> plan);
    // Drops every open connection now (RST both ways); returns how many it dropped.
    int cut_all();
    // Drops every open connection each time `n` more connections have arrived (0: never): a middlebox that
    // crashes now and then, at moments set by the traffic rather than by a timer.
    void set_cut_all_every(int n) { m_cut_every = n; }

    int connections() const { return m_count; }
    // Faults that took effect: cuts that happened (the connection reached the byte count), 500s answered,
    // connections dropped by cut_all().
    int64_t faults() const { return m_faults; }

private:
    void accept_loop();
    void serve(int client_fd, Fault fault);
    void track(int fd, bool add);

    int m_listen_fd = -1;
    int m_port = 0;
    std::atomic<int> m_upstream;
    std::atomic<int> m_count{0};
    std::atomic<int64_t> m_faults{0};
    std::atomic<int> m_cut_every{0};
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::function<Fault(int)> m_plan;
    std::set<int> m_open; // client and upstream sockets in use, under m_mutex
    std::thread m_thread;
    // One thread per connection; finished ones are joined at the next accept, so that a client retrying
    // thousands of times does not pile up threads.
    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::vector<Worker> m_workers;
};

} // namespace nafitha::testing
