// nafitha-central under systemd (installer/systemd/nafitha-central.service, Type=notify + WatchdogSec): the real
// binary, with NOTIFY_SOCKET pointing at a datagram socket of the test (what systemd gives a service), says
// READY=1 once it serves, WATCHDOG=1 repeatedly at half WATCHDOG_USEC, and STOPPING=1 at SIGTERM.

#include "tests/support/progress.h"
#include "tests/sync/harness.h"

#include <catch2/catch.hpp>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

// The notification socket systemd would listen on.
class NotifySocket {
public:
    explicit NotifySocket(const std::filesystem::path& path) : m_path(path)
    {
        m_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(m_fd >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        REQUIRE(path.string().size() < sizeof(addr.sun_path));
        std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
        REQUIRE(bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    }
    ~NotifySocket() { close(m_fd); }

    // The next datagram; empty when none came before the hang guard.
    std::string next()
    {
        pollfd p{m_fd, POLLIN, 0};
        auto guard = std::chrono::duration_cast<std::chrono::milliseconds>(test::kHangGuard).count();
        if (poll(&p, 1, static_cast<int>(guard)) != 1)
            return {};
        char buf[4096];
        ssize_t n = recv(m_fd, buf, sizeof(buf), 0);
        return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
    }

    // Reads datagrams until one contains `what`; every datagram read is appended to `seen`.
    bool wait_for(const std::string& what, std::vector<std::string>& seen)
    {
        for (;;) {
            std::string d = next();
            if (d.empty())
                return false;
            seen.push_back(d);
            if (d.find(what) != std::string::npos)
                return true;
        }
    }

private:
    std::filesystem::path m_path;
    int m_fd = -1;
};

} // namespace

TEST_CASE("central tells systemd it is ready and pings the watchdog until it stops", "[central][systemd]")
{
    TempDir dir("sdnotify");
    NotifySocket sock(dir / "notify");
    CentralProcess central(dir / "central");
    central.start(0, {{"NOTIFY_SOCKET", (dir / "notify").string()}, {"WATCHDOG_USEC", "200000"}});
    std::vector<std::string> seen;
    REQUIRE(sock.wait_for("READY=1", seen));
    CHECK(seen.back().find("STATUS=listening on 127.0.0.1:" + std::to_string(central.port())) != std::string::npos);
    // Several pings in a row: the health monitor's thread keeps sending them.
    for (int i = 0; i < 3; ++i) {
        seen.clear();
        REQUIRE(sock.wait_for("WATCHDOG=1", seen));
    }
    central.stop();
    seen.clear();
    // STOPPING=1 was sent before the process exited; pings sent before it may still be queued.
    CHECK(sock.wait_for("STOPPING=1", seen));
}

TEST_CASE("central without WATCHDOG_USEC says ready and sends no watchdog pings", "[central][systemd]")
{
    TempDir dir("sdnotify-nowd");
    NotifySocket sock(dir / "notify");
    CentralProcess central(dir / "central");
    central.start(0, {{"NOTIFY_SOCKET", (dir / "notify").string()}});
    std::vector<std::string> seen;
    REQUIRE(sock.wait_for("READY=1", seen));
    central.stop();
    seen.clear();
    REQUIRE(sock.wait_for("STOPPING=1", seen));
    for (const auto& d : seen)
        CHECK(d.find("WATCHDOG=1") == std::string::npos);
}
