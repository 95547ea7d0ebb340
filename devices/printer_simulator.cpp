#include "devices/printer_simulator.h"

#include "base/clock.h"
#include "base/log.h"
#include "devices/printer_status.h"
#include "devices/transport.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nafitha::devices {

Result<std::unique_ptr<PrinterSimulator>> PrinterSimulator::start(uint16_t port, JobCallback on_job,
                                                                  std::string bind_address)
{
    std::unique_ptr<PrinterSimulator> sim(new PrinterSimulator());
    sim->m_on_job = std::move(on_job);
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd)
        return Error::make("error.device.listen_failed", std::strerror(errno));
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::inet_pton(AF_INET, bind_address.c_str(), &addr.sin_addr) != 1)
        return Error::make("error.device.listen_failed", "bad bind address " + bind_address);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd.get(), 4) != 0)
        return Error::make("error.device.listen_failed", "port " + std::to_string(port) + ": " + std::strerror(errno));
    socklen_t len = sizeof addr;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    sim->m_port = ntohs(addr.sin_port);
    if (::pipe2(sim->m_wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return Error::make("error.device.listen_failed", std::strerror(errno));
    sim->m_listen_fd = fd.release();
    sim->m_thread = std::thread([s = sim.get()] { s->run(); });
    return sim;
}

PrinterSimulator::~PrinterSimulator()
{
    stop();
    for (int fd : {m_listen_fd, m_wake_pipe[0], m_wake_pipe[1]})
        if (fd >= 0)
            ::close(fd);
}

void PrinterSimulator::stop()
{
    if (m_stop.exchange(true))
        return;
    char c = 1;
    (void)!::write(m_wake_pipe[1], &c, 1);
    if (m_thread.joinable())
        m_thread.join();
}

void PrinterSimulator::set_paper(Paper paper)
{
    m_paper_out = paper == Paper::Out;
    if (paper == Paper::Loaded)
        m_paper_rows_left = 0;
}

void PrinterSimulator::paper_out_after_rows(uint32_t rows) { m_paper_rows_left = rows; }
void PrinterSimulator::set_cover(Cover cover) { m_cover_open = cover == Cover::Open; }
void PrinterSimulator::set_bytes_per_second(uint32_t rate) { m_rate = rate; }
void PrinterSimulator::drop_connection() { m_drop = true; }
void PrinterSimulator::drop_connection_after_bytes(uint64_t bytes) { m_drop_countdown = bytes; }

void PrinterSimulator::run()
{
    while (!m_stop) {
        pollfd p[2] = {{m_listen_fd, POLLIN, 0}, {m_wake_pipe[0], POLLIN, 0}};
        int r = ::poll(p, 2, 200);
        if (r <= 0)
            continue;
        if (p[1].revents)
            break;
        int fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            continue;
        m_drop = false;
        serve(fd);
        ::close(fd);
    }
}

namespace {

bool send_all(int fd, const std::string& bytes)
{
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        return false;
    }
    return true;
}

} // namespace

void PrinterSimulator::serve(int fd)
{
    escpos::StreamParser parser;
    std::deque<escpos::Command> queue;   // received, not yet processed
    std::vector<escpos::Command> job;    // processed commands of the job in progress
    bool in_job = false;
    bool peer_closed = false;
    int64_t window_start = clock::monotonic_ns();
    uint64_t window_bytes = 0;

    auto status_now = [&] {
        PrinterStatus s;
        s.paper_out = m_paper_out;
        s.cover_open = m_cover_open;
        s.online = true;
        return s;
    };

    while (!m_stop && !m_drop) {
        // Read, within the rate limit.
        size_t budget = 65536;
        uint32_t rate = m_rate;
        if (rate > 0) {
            int64_t now = clock::monotonic_ns();
            if (now - window_start >= 100000000) {
                window_start = now;
                window_bytes = 0;
            }
            uint64_t allowed = rate / 10 + 1;
            budget = window_bytes >= allowed ? 0 : static_cast<size_t>(allowed - window_bytes);
        }
        uint64_t countdown = m_drop_countdown;
        if (countdown > 0)
            budget = static_cast<size_t>(std::min<uint64_t>(budget, countdown));
        if (!peer_closed) {
            pollfd p[2] = {{fd, static_cast<short>(budget > 0 ? POLLIN : 0), 0}, {m_wake_pipe[0], POLLIN, 0}};
            int r = ::poll(p, 2, budget > 0 ? 20 : 10);
            if (r > 0 && p[1].revents)
                break;
            if (r > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) && budget > 0) {
                char buf[65536];
                ssize_t n = ::read(fd, buf, budget);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                    peer_closed = true;
                } else if (n > 0) {
                    window_bytes += static_cast<uint64_t>(n);
                    m_bytes_received += static_cast<uint64_t>(n);
                    if (countdown > 0) {
                        m_drop_countdown = countdown - static_cast<uint64_t>(n);
                        if (countdown == static_cast<uint64_t>(n))
                            m_drop = true; // the power goes once these bytes are in
                    }
                    std::vector<escpos::Command> cmds;
                    if (!parser.feed(std::string_view(buf, static_cast<size_t>(n)), cmds).ok()) {
                        log::warn("printer-sim", "malformed ESC/POS; dropping the connection");
                        break;
                    }
                    for (auto& c : cmds) {
                        if (c.kind == escpos::CommandKind::StatusQuery) {
                            // Real-time: answered even while the job is paused.
                            std::string reply(1, static_cast<char>(status_reply_byte(c.arg, status_now())));
                            if (!send_all(fd, reply))
                                peer_closed = true;
                            ++m_status_queries;
                        } else {
                            queue.push_back(std::move(c));
                        }
                    }
                }
            }
        } else {
            ::usleep(10000);
        }

        // Process what was received, unless paused.
        while (!queue.empty() && !m_paper_out && !m_cover_open) {
            auto& c = queue.front();
            if (c.kind == escpos::CommandKind::Init) {
                job.clear();
                in_job = true;
            }
            if (c.kind == escpos::CommandKind::Raster) {
                uint32_t left = m_paper_rows_left;
                if (left > 0) {
                    if (c.rows >= left) {
                        // Print the rows that fit, then stop with the paper out.
                        escpos::Command part = c;
                        part.rows = left;
                        part.data.resize(size_t(left) * c.width_bytes);
                        c.data.erase(0, size_t(left) * c.width_bytes);
                        c.rows -= left;
                        job.push_back(std::move(part));
                        m_paper_rows_left = 0;
                        m_paper_out = true;
                        if (c.rows == 0)
                            queue.pop_front();
                        break;
                    }
                    m_paper_rows_left = left - c.rows;
                }
            }
            if (c.kind == escpos::CommandKind::ProcessId) {
                if (!send_all(fd, process_id_reply({c.data[0], c.data[1], c.data[2], c.data[3]})))
                    peer_closed = true;
                queue.pop_front();
                continue;
            }
            bool cut = c.kind == escpos::CommandKind::Cut;
            job.push_back(std::move(c));
            queue.pop_front();
            if (cut) {
                SimulatedJob done{m_jobs_printed + 1, std::move(job)};
                job.clear();
                in_job = false;
                if (m_on_job)
                    m_on_job(done);
                ++m_jobs_printed;
            }
        }
        if (peer_closed && (queue.empty() || m_paper_out || m_cover_open))
            break;
    }
    if (in_job || !queue.empty())
        ++m_jobs_aborted;
}

} // namespace nafitha::devices
