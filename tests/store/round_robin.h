#pragma once
// A round-robin TCP front for several central instances, as haproxy would be in production (balance
// roundrobin, option redispatch): each new connection goes to the next instance; an instance that refuses
// the connection (killed, restarting) is skipped for the next one.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nafitha::testing {

class RoundRobinFront {
public:
    explicit RoundRobinFront(std::vector<int> upstream_ports);
    ~RoundRobinFront();
    RoundRobinFront(const RoundRobinFront&) = delete;
    RoundRobinFront& operator=(const RoundRobinFront&) = delete;

    int port() const { return m_port; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    void set_upstream(size_t index, int port);
    // Connections handed to each upstream so far.
    std::vector<int> served() const;

private:
    void accept_loop();
    void pump(int client, int upstream);
    int connect_next(size_t& index);

    int m_listen = -1;
    int m_port = 0;
    mutable std::mutex m_mutex;
    std::vector<int> m_ports;
    std::vector<int> m_served;
    size_t m_next = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_acceptor;
    std::vector<std::thread> m_pumps;
    std::vector<int> m_open; // sockets to shut down when stopping
};

} // namespace nafitha::testing
