#include "tests/support/fault_proxy.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <random>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace nafitha::testing {

std::function<Fault(int)> random_plan(uint64_t seed, double probability)
{
    auto rng = std::make_shared<std::mt19937_64>(seed);
    return [rng, probability](int) {
        Fault f;
        if (std::uniform_real_distribution<double>(0, 1)(*rng) >= probability)
            return f;
        switch ((*rng)() % 5) {
        case 0: f.cut_request_after = 1 + (*rng)() % 400; break;   // mid-headers towards central
        case 1: f.cut_request_after = 1 + (*rng)() % 4000; break;  // mid-body (a batch) towards central
        case 2: f.cut_response_after = 1 + (*rng)() % 300; break;  // mid-answer: central did the work and the
        case 3: f.cut_response_after = 1 + (*rng)() % 1500; break; // terminal never hears (or hears half) of it
        default: f.kind = Fault::Kind::Http500; break;
        }
        return f;
    };
}

FaultProxy::FaultProxy(int upstream_port) : m_upstream(upstream_port)
{
    m_plan = [](int) { return Fault{}; };
    m_listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(m_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(m_listen_fd, 128) != 0)
        throw std::runtime_error("proxy bind");
    socklen_t len = sizeof addr;
    getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy()
{
    m_stop = true;
    shutdown(m_listen_fd, SHUT_RDWR);
    m_thread.join();
    close(m_listen_fd);
    cut_all();
    for (auto& w : m_workers)
        w.thread.join();
}

void FaultProxy::set_plan(std::function<Fault(int)> plan)
{
    std::lock_guard lock(m_mutex);
    m_plan = std::move(plan);
}

void FaultProxy::track(int fd, bool add)
{
    std::lock_guard lock(m_mutex);
    if (add)
        m_open.insert(fd);
    else
        m_open.erase(fd);
}

int FaultProxy::cut_all()
{
    std::lock_guard lock(m_mutex);
    int n = 0;
    for (int fd : m_open) {
        // An abortive close of both halves; the worker owning the socket sees it and closes the descriptor.
        linger lg{1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        shutdown(fd, SHUT_RDWR);
        ++n;
    }
    // Two sockets per forwarded connection.
    m_faults += (n + 1) / 2;
    return (n + 1) / 2;
}

void FaultProxy::accept_loop()
{
    while (!m_stop) {
        // Blocks until a connection arrives; the destructor's shutdown() wakes it.
        int fd = accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (m_stop)
                break;
            // Out of descriptors or similar: let the workers finish some connections, then accept again.
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
        }
        if (m_stop) {
            close(fd);
            break;
        }
        Fault fault;
        int n;
        {
            std::lock_guard lock(m_mutex);
            n = m_count++;
            fault = m_plan(n);
        }
        if (int every = m_cut_every; every > 0 && n % every == every - 1)
            cut_all();
        std::erase_if(m_workers, [](Worker& w) {
            if (!w.done->load())
                return false;
            w.thread.join();
            return true;
        });
        auto done = std::make_shared<std::atomic<bool>>(false);
        m_workers.push_back({std::thread([this, fd, fault, done] {
                                 serve(fd, fault);
                                 *done = true;
                             }),
                             done});
    }
}

namespace {

bool write_all(int fd, const char* data, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        data += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

} // namespace

void FaultProxy::serve(int cfd, Fault f)
{
    track(cfd, true);
    if (f.kind == Fault::Kind::Http500) {
        std::string head;
        char buf[4096];
        // Reads the request head (the client sends it at once; a client that goes away ends the wait).
        while (head.find("\r\n\r\n") == std::string::npos && head.size() < 1 << 20) {
            ssize_t n = recv(cfd, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            head.append(buf, static_cast<size_t>(n));
        }
        const char* answer = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops\n";
        if (write_all(cfd, answer, std::strlen(answer)))
            ++m_faults;
        track(cfd, false);
        close(cfd);
        return;
    }
    int ufd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(m_upstream.load()));
    if (connect(ufd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(ufd);
        track(cfd, false);
        close(cfd);
        return;
    }
    track(ufd, true);
    int one = 1;
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(ufd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    size_t up = 0, down = 0;
    char buf[16384];
    pollfd fds[2] = {{cfd, POLLIN, 0}, {ufd, POLLIN, 0}};
    bool open = true;
    bool cut = false;
    while (open && !m_stop) {
        // Blocks until one side has data or goes away (cut_all() shuts both down, which wakes it too).
        if (poll(fds, 2, -1) <= 0)
            continue;
        for (int side = 0; side < 2 && open; ++side) {
            if (!(fds[side].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            size_t cap = sizeof buf;
            if (f.bytes_per_s > 0)
                cap = 512;
            ssize_t n = recv(fds[side].fd, buf, cap, 0);
            if (n <= 0) {
                open = false;
                break;
            }
            size_t len = static_cast<size_t>(n);
            int to = side == 0 ? ufd : cfd;
            size_t& count = side == 0 ? up : down;
            size_t limit = side == 0 ? f.cut_request_after : f.cut_response_after;
            if (limit > 0 && count + len >= limit) {
                len = limit > count ? limit - count : 0;
                cut = true;
            }
            if (f.delay_ms > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(f.delay_ms));
            if (len > 0 && !write_all(to, buf, len))
                open = false;
            count += len;
            if (f.bytes_per_s > 0)
                std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(len) * 1'000'000
                                                                      / static_cast<int64_t>(f.bytes_per_s)));
            if (cut)
                open = false;
        }
    }
    // An abortive close (RST) for cuts, like a dropped link.
    if (cut) {
        ++m_faults;
        linger lg{1, 0};
        setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        setsockopt(ufd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    track(cfd, false);
    track(ufd, false);
    close(cfd);
    close(ufd);
}

} // namespace nafitha::testing
