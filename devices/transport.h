#pragma once
// Byte transports to a printer (or a serial scanner): a device file such as /dev/usb/lp0, raw TCP (port
// 9100) and a serial line (termios). Every operation has a timeout; nothing blocks forever.

#include "base/result.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace nafitha::devices {

using Millis = std::chrono::milliseconds;

// Where a device is: "tcp://HOST:PORT", "file:///dev/usb/lp0" (or a bare absolute path),
// "serial:///dev/ttyS0?baud=19200".
struct DeviceAddress {
    enum class Kind { Tcp, File, Serial };
    Kind kind = Kind::Tcp;
    std::string host;   // Tcp
    uint16_t port = 9100;
    std::string path;   // File, Serial
    int baud = 19200;   // Serial

    std::string to_string() const;
};

// error.device.bad_address for anything else.
Result<DeviceAddress> parse_address(std::string_view text);

class Transport {
public:
    virtual ~Transport() = default;
    // Writes every byte or fails (error.device.write_failed, error.device.timeout, error.device.closed).
    virtual Result<void> write_all(std::string_view bytes, Millis timeout) = 0;
    // Reads what is available, waiting up to `timeout` for the first byte. An empty result is a timeout.
    // error.device.closed when the peer has gone.
    virtual Result<std::string> read_some(size_t max_bytes, Millis timeout) = 0;
    virtual std::string describe() const = 0;
};

// Opens (connects) a transport. TCP connects within `timeout`: error.device.connect_failed with the reason.
Result<std::unique_ptr<Transport>> open_transport(const DeviceAddress& address, Millis timeout);

// An owned file descriptor.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : m_fd(o.release()) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();
    int get() const { return m_fd; }
    int release()
    {
        int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    void reset(int fd = -1);
    explicit operator bool() const { return m_fd >= 0; }

private:
    int m_fd = -1;
};

// A transport over any non-blocking file descriptor (socket, tty, device file).
class FdTransport final : public Transport {
public:
    FdTransport(UniqueFd fd, std::string description) : m_fd(std::move(fd)), m_description(std::move(description)) {}
    Result<void> write_all(std::string_view bytes, Millis timeout) override;
    Result<std::string> read_some(size_t max_bytes, Millis timeout) override;
    std::string describe() const override { return m_description; }

private:
    UniqueFd m_fd;
    std::string m_description;
};

} // namespace nafitha::devices
