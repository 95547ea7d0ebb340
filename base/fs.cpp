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

static std::string mode_text(unsigned mode)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
    return buf;
}

Result<std::vector<std::string>> secure_data_dir(const std::filesystem::path& dir)
{
    auto unsafe_dir = [](const std::filesystem::path& p, const std::string& why) {
        return Error::make("error.fs.unsafe_data_dir", p.string() + ": " + why);
    };
    auto unsafe_key = [](const std::filesystem::path& p, const std::string& why) {
        return Error::make("error.fs.unsafe_key_file", p.string() + ": " + why);
    };
    const uid_t me = ::geteuid();
    // Root may open any user's data folder (a technician's tool): it can read everything anyway.
    auto foreign = [me](uid_t owner) { return me != 0 && owner != me; };
    struct stat st{};
    if (::lstat(dir.c_str(), &st) != 0)
        return unsafe_dir(dir, "cannot be read (" + std::string(std::strerror(errno)) + ")");
    if (S_ISLNK(st.st_mode))
        return unsafe_dir(dir, "is a symbolic link");
    if (!S_ISDIR(st.st_mode))
        return unsafe_dir(dir, "is not a folder");
    if (foreign(st.st_uid))
        return unsafe_dir(dir, "belongs to user " + std::to_string(st.st_uid) + ", not to " + std::to_string(me));

    // First check everything, then narrow: a refusal changes nothing.
    struct Narrow {
        std::filesystem::path path;
        unsigned was, now;
    };
    std::vector<Narrow> narrow;
    if ((st.st_mode & 077) != 0)
        narrow.push_back({dir, st.st_mode & 07777, (st.st_mode & 07700)});
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const auto& p = it->path();
        struct stat fst{};
        if (::lstat(p.c_str(), &fst) != 0)
            continue; // gone meanwhile
        bool key = p.extension() == ".key";
        if (S_ISLNK(fst.st_mode)) {
            if (key)
                return unsafe_key(p, "is a symbolic link");
            continue; // not followed; the folder's own mode protects what it names here
        }
        if (key && !S_ISREG(fst.st_mode))
            return unsafe_key(p, "is not a regular file");
        if (foreign(fst.st_uid)) {
            if (key)
                return unsafe_key(p, "belongs to user " + std::to_string(fst.st_uid) + ", not to " + std::to_string(me));
            return unsafe_dir(p, "belongs to user " + std::to_string(fst.st_uid) + ", not to " + std::to_string(me));
        }
        if (S_ISDIR(fst.st_mode) && (fst.st_mode & 077) != 0)
            narrow.push_back({p, fst.st_mode & 07777, fst.st_mode & 07700});
        else if (S_ISREG(fst.st_mode) && (fst.st_mode & 0177) != 0)
            narrow.push_back({p, fst.st_mode & 07777, fst.st_mode & 0600});
    }
    if (ec)
        return unsafe_dir(dir, "cannot be listed (" + ec.message() + ")");
    std::vector<std::string> warnings;
    for (auto& n : narrow) {
        if (::chmod(n.path.c_str(), n.now) != 0)
            return Error::make("error.fs.write_failed", "chmod " + errno_text(n.path));
        warnings.push_back(n.path.string() + " had mode " + mode_text(n.was) + ": narrowed to " + mode_text(n.now));
    }
    return warnings;
}

Result<std::vector<std::string>> secure_key_file(const std::filesystem::path& path)
{
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0)
        return std::vector<std::string>{}; // not made yet: it is made with 0600
    auto unsafe = [&](const std::string& why) { return Error::make("error.fs.unsafe_key_file", path.string() + ": " + why); };
    if (S_ISLNK(st.st_mode))
        return unsafe("is a symbolic link");
    if (!S_ISREG(st.st_mode))
        return unsafe("is not a regular file");
    const uid_t me = ::geteuid();
    if (me != 0 && st.st_uid != me)
        return unsafe("belongs to user " + std::to_string(st.st_uid) + ", not to " + std::to_string(me));
    std::vector<std::string> warnings;
    if ((st.st_mode & 0177) != 0) {
        if (::chmod(path.c_str(), st.st_mode & 0600) != 0)
            return Error::make("error.fs.write_failed", "chmod " + errno_text(path));
        warnings.push_back(path.string() + " had mode " + mode_text(st.st_mode) + ": narrowed to " + mode_text(st.st_mode & 0600));
    }
    return warnings;
}

} // namespace nafitha::fs
