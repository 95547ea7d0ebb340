#include "tests/store/round_robin.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace nafitha::testing {

namespace {

int connect_to(int port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

RoundRobinFront::RoundRobinFront(std::vector<int> upstream_ports) : m_ports(std::move(upstream_ports)), m_served(m_ports.size(), 0)
{
    m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(m_listen, 128) != 0)
        throw std::runtime_error("round-robin front: cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_acceptor = std::thread([this] { accept_loop(); });
}

RoundRobinFront::~RoundRobinFront()
{
    m_stop = true;
    ::shutdown(m_listen, SHUT_RDWR);
    m_acceptor.join();
    ::close(m_listen);
    {
        std::lock_guard lock(m_mutex);
        for (int fd : m_open)
            ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : m_pumps)
        t.join();
}

void RoundRobinFront::set_upstream(size_t index, int port)
{
    std::lock_guard lock(m_mutex);
    m_ports.at(index) = port;
}

std::vector<int> RoundRobinFront::served() const
{
    std::lock_guard lock(m_mutex);
    return m_served;
}

int RoundRobinFront::connect_next(size_t& index)
{
    for (size_t tries = 0;; ++tries) {
        int port;
        {
            std::lock_guard lock(m_mutex);
            if (tries >= m_ports.size())
                return -1;
            index = m_next++ % m_ports.size();
            port = m_ports[index];
        }
        int fd = connect_to(port);
        if (fd >= 0)
            return fd;
    }
}

void RoundRobinFront::accept_loop()
{
    while (!m_stop) {
        int client = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) {
            if (m_stop)
                return;
            continue;
        }
        size_t index = 0;
        int upstream = connect_next(index);
        if (upstream < 0) { // every instance is down: the client sees a refused request and retries
            ::close(client);
            continue;
        }
        std::lock_guard lock(m_mutex);
        ++m_served[index];
        m_open.push_back(client);
        m_open.push_back(upstream);
        m_pumps.emplace_back([this, client, upstream] { pump(client, upstream); });
    }
}

void RoundRobinFront::pump(int client, int upstream)
{
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    char buf[65536];
    bool open[2] = {true, true};
    while (open[0] || open[1]) {
        if (::poll(fds, 2, -1) < 0)
            break;
        bool done = false;
        for (int i = 0; i < 2; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            int to = fds[1 - i].fd;
            if (n <= 0) {
                // One side closed or failed (an instance killed mid-request): close both, as a proxy does.
                done = true;
                break;
            }
            for (ssize_t off = 0; off < n;) {
                ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
                if (w <= 0) {
                    done = true;
                    break;
                }
                off += w;
            }
        }
        if (done)
            break;
    }
    std::lock_guard lock(m_mutex);
    for (auto it = m_open.begin(); it != m_open.end();)
        it = (*it == client || *it == upstream) ? m_open.erase(it) : it + 1;
    ::close(client);
    ::close(upstream);
}

} // namespace nafitha::testing
