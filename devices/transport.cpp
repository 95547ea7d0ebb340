#include "devices/transport.h"

#include "base/clock.h"

#include <arpa/inet.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

namespace nafitha::devices {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept
{
    if (this != &o)
        reset(o.release());
    return *this;
}

UniqueFd::~UniqueFd() { reset(); }

void UniqueFd::reset(int fd)
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = fd;
}

std::string DeviceAddress::to_string() const
{
    switch (kind) {
    case Kind::Tcp: return "tcp://" + host + ":" + std::to_string(port);
    case Kind::File: return "file://" + path;
    case Kind::Serial: return "serial://" + path + "?baud=" + std::to_string(baud);
    }
    return {};
}

Result<DeviceAddress> parse_address(std::string_view text)
{
    auto bad = [&](std::string why) {
        return Error::make("error.device.bad_address", std::string(text) + ": " + why, "address");
    };
    if (text.size() > 512)
        return bad("too long");
    DeviceAddress a;
    if (text.rfind("tcp://", 0) == 0) {
        auto rest = text.substr(6);
        auto colon = rest.rfind(':');
        a.kind = DeviceAddress::Kind::Tcp;
        a.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) {
            auto p = rest.substr(colon + 1);
            unsigned port = 0;
            auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
            if (ec != std::errc() || ptr != p.data() + p.size() || port == 0 || port > 65535)
                return bad("bad port");
            a.port = static_cast<uint16_t>(port);
        }
        if (a.host.empty())
            return bad("no host");
        return a;
    }
    if (text.rfind("serial://", 0) == 0) {
        auto rest = text.substr(9);
        a.kind = DeviceAddress::Kind::Serial;
        auto q = rest.find('?');
        a.path = std::string(rest.substr(0, q));
        if (q != std::string_view::npos) {
            auto opt = rest.substr(q + 1);
            if (opt.rfind("baud=", 0) != 0)
                return bad("unknown option");
            auto v = opt.substr(5);
            auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), a.baud);
            if (ec != std::errc() || ptr != v.data() + v.size())
                return bad("bad baud rate");
        }
        if (a.path.empty() || a.path[0] != '/')
            return bad("serial path must be absolute");
        return a;
    }
    a.kind = DeviceAddress::Kind::File;
    a.path = std::string(text.rfind("file://", 0) == 0 ? text.substr(7) : text);
    if (a.path.empty() || a.path[0] != '/')
        return bad("expected tcp://, serial:// or an absolute device path");
    return a;
}

namespace {

int remaining_ms(int64_t deadline_ns)
{
    int64_t left = deadline_ns - clock::monotonic_ns();
    if (left <= 0)
        return 0;
    return static_cast<int>((left + 999999) / 1000000);
}

Error sys_error(const char* code, const std::string& what)
{
    return Error::make(code, what + ": " + std::strerror(errno));
}

speed_t baud_constant(int baud)
{
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    default: return 0;
    }
}

} // namespace

Result<void> FdTransport::write_all(std::string_view bytes, Millis timeout)
{
    int64_t deadline = clock::monotonic_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(m_fd.get(), bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = ::write(m_fd.get(), bytes.data() + off, bytes.size() - off);
        if (n > 0) {
            off += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            if (errno == EPIPE || errno == ECONNRESET)
                return sys_error("error.device.closed", m_description);
            return sys_error("error.device.write_failed", m_description);
        }
        int wait = remaining_ms(deadline);
        if (wait == 0)
            return Error::make("error.device.timeout",
                               m_description + ": wrote " + std::to_string(off) + " of " + std::to_string(bytes.size()) + " bytes");
        pollfd p{m_fd.get(), POLLOUT, 0};
        int r = ::poll(&p, 1, wait);
        if (r < 0 && errno != EINTR)
            return sys_error("error.device.write_failed", m_description);
        if (r > 0 && (p.revents & (POLLERR | POLLHUP)) && !(p.revents & POLLOUT))
            return Error::make("error.device.closed", m_description + ": connection closed");
    }
    return {};
}

Result<std::string> FdTransport::read_some(size_t max_bytes, Millis timeout)
{
    pollfd p{m_fd.get(), POLLIN, 0};
    int r;
    do {
        r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return sys_error("error.device.read_failed", m_description);
    if (r == 0)
        return std::string();
    std::string out(max_bytes, '\0');
    ssize_t n;
    do {
        n = ::read(m_fd.get(), out.data(), max_bytes);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return std::string();
        if (errno == ECONNRESET)
            return sys_error("error.device.closed", m_description);
        return sys_error("error.device.read_failed", m_description);
    }
    if (n == 0) {
        if (p.revents & (POLLHUP | POLLIN))
            return Error::make("error.device.closed", m_description + ": connection closed");
    }
    out.resize(static_cast<size_t>(n));
    return out;
}

namespace {

Result<std::unique_ptr<Transport>> open_tcp(const DeviceAddress& a, Millis timeout)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(a.port);
    int gai = ::getaddrinfo(a.host.c_str(), port.c_str(), &hints, &res);
    if (gai != 0)
        return Error::make("error.device.connect_failed", a.to_string() + ": " + ::gai_strerror(gai));
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(res, ::freeaddrinfo);
    std::string last = "no address";
    int64_t deadline = clock::monotonic_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
        if (!fd)
            continue;
        int one = 1;
        ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                last = std::strerror(errno);
                continue;
            }
            pollfd p{fd.get(), POLLOUT, 0};
            int r;
            do {
                r = ::poll(&p, 1, remaining_ms(deadline));
            } while (r < 0 && errno == EINTR);
            if (r == 0) {
                last = "timed out";
                continue;
            }
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) {
                last = std::strerror(err);
                continue;
            }
        }
        return std::unique_ptr<Transport>(new FdTransport(std::move(fd), a.to_string()));
    }
    return Error::make("error.device.connect_failed", a.to_string() + ": " + last);
}

Result<std::unique_ptr<Transport>> open_file(const DeviceAddress& a)
{
    UniqueFd fd(::open(a.path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    if (!fd)
        return sys_error("error.device.connect_failed", a.path);
    return std::unique_ptr<Transport>(new FdTransport(std::move(fd), a.to_string()));
}

Result<std::unique_ptr<Transport>> open_serial(const DeviceAddress& a)
{
    speed_t speed = baud_constant(a.baud);
    if (speed == 0)
        return Error::make("error.device.bad_address", "unsupported baud rate " + std::to_string(a.baud), "address");
    UniqueFd fd(::open(a.path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    if (!fd)
        return sys_error("error.device.connect_failed", a.path);
    termios tio{};
    if (::tcgetattr(fd.get(), &tio) != 0)
        return sys_error("error.device.connect_failed", a.path + " is not a serial line");
    ::cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB);
    tio.c_cflag = (tio.c_cflag & ~static_cast<tcflag_t>(CSIZE)) | CS8;
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    ::cfsetispeed(&tio, speed);
    ::cfsetospeed(&tio, speed);
    if (::tcsetattr(fd.get(), TCSANOW, &tio) != 0)
        return sys_error("error.device.connect_failed", a.path);
    ::tcflush(fd.get(), TCIOFLUSH);
    return std::unique_ptr<Transport>(new FdTransport(std::move(fd), a.to_string()));
}

} // namespace

Result<std::unique_ptr<Transport>> open_transport(const DeviceAddress& address, Millis timeout)
{
    switch (address.kind) {
    case DeviceAddress::Kind::Tcp: return open_tcp(address, timeout);
    case DeviceAddress::Kind::File: return open_file(address);
    case DeviceAddress::Kind::Serial: return open_serial(address);
    }
    return Error::make("error.device.bad_address", "unknown kind");
}

} // namespace nafitha::devices
