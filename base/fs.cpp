#include "base/fs.h"

#include "base/crash_point.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nafitha::fs {

namespace {
struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};
std::string errno_text(const std::filesystem::path& path) { return path.string() + ": " + std::strerror(errno); }
} // namespace

Result<std::string> read_file(const std::filesystem::path& path, size_t max_bytes)
{
    Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (f.fd < 0)
        return Error::make("error.fs.read_failed", errno_text(path));
    struct stat st {};
    if (::fstat(f.fd, &st) != 0)
        return Error::make("error.fs.read_failed", errno_text(path));
    if (static_cast<size_t>(st.st_size) > max_bytes)
        return Error::make("error.fs.too_large", path.string() + ": larger than " + std::to_string(max_bytes) + " bytes");
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(f.fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Error::make("error.fs.read_failed", errno_text(path));
        }
        if (n == 0)
            break;
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > max_bytes)
            return Error::make("error.fs.too_large", path.string() + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
    return out;
}

Result<void> fsync_dir(const std::filesystem::path& path)
{
    Fd f(::open(path.empty() ? "." : path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (f.fd < 0 || ::fsync(f.fd) != 0)
        return Error::make("error.fs.write_failed", errno_text(path));
    return {};
}

// Writes `data` into a new file `tmp` with `mode` and fsyncs it; the file is removed again on failure.
static Result<void> write_new_file(const std::filesystem::path& tmp, std::string_view data, unsigned mode)
{
    Fd f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (f.fd < 0)
        return Error::make("error.fs.write_failed", errno_text(tmp));
    ::fchmod(f.fd, mode);
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(f.fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            auto err = Error::make("error.fs.write_failed", errno_text(tmp));
            ::unlink(tmp.c_str());
            return err;
        }
        off += static_cast<size_t>(n);
    }
    if (::fsync(f.fd) != 0) {
        auto err = Error::make("error.fs.write_failed", errno_text(tmp));
        ::unlink(tmp.c_str());
        return err;
    }
    return {};
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data, unsigned mode)
{
    auto tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    TRY(write_new_file(tmp, data, mode));
    crash_point();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        auto err = Error::make("error.fs.write_failed", errno_text(path));
        ::unlink(tmp.c_str());
        return err;
    }
    crash_point();
    return fsync_dir(path.parent_path());
}

Result<bool> create_file_once(const std::filesystem::path& path, std::string_view data, unsigned mode)
{
    auto tmp = path;
    tmp += ".new." + std::to_string(::getpid());
    TRY(write_new_file(tmp, data, mode));
    crash_point();
    // link() fails with EEXIST when another process made the file first: theirs stays.
    int rc = ::link(tmp.c_str(), path.c_str());
    int link_errno = errno;
    ::unlink(tmp.c_str());
    if (rc != 0) {
        if (link_errno == EEXIST)
            return false;
        errno = link_errno;
        return Error::make("error.fs.write_failed", "link " + errno_text(path));
    }
    crash_point();
    TRY(fsync_dir(path.parent_path()));
    return true;
}

Result<void> ensure_dir(const std::filesystem::path& path, unsigned mode)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return {};
    std::filesystem::create_directories(path, ec);
    if (ec)
        return Error::make("error.fs.write_failed", path.string() + ": " + ec.message());
    ::chmod(path.c_str(), mode);
    return {};
}

} // namespace nafitha::fs
