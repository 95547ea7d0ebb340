#include "central/updates.h"

#include "base/fs.h"
#include "base/process.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace nafitha::central::updates {

namespace sfs = std::filesystem;
namespace nfs = nafitha::fs;

namespace {

constexpr size_t kMaxPackageBytes = 512u << 20;

// The gpg of Debian, in the key's home, without a passphrase prompt. Its agent is stopped when done so that no
// process is left behind (one is started on demand by every signing gpg).
struct Gpg {
    sfs::path home;
    ~Gpg() { (void)process::run({"gpgconf", "--homedir", home.string(), "--kill", "gpg-agent"}); }
    Result<process::Outcome> run(std::vector<std::string> args) const
    {
        std::vector<std::string> argv = {"gpg", "--batch", "--quiet", "--no-tty", "--homedir", home.string(),
                                         "--pinentry-mode", "loopback", "--passphrase", ""};
        argv.insert(argv.end(), args.begin(), args.end());
        return process::run(argv);
    }
};

Error tool_failed(const std::string& code, const std::string& what, const process::Outcome& o)
{
    std::string err = o.err.size() > 600 ? o.err.substr(0, 600) : o.err;
    while (!err.empty() && (err.back() == '\n' || err.back() == ' '))
        err.pop_back();
    return Error::make(code, what + " exited with " + std::to_string(o.exit_code) + (err.empty() ? "" : ": " + err));
}

// The secret key's fingerprint, empty when the home holds none.
Result<std::string> fingerprint(const Gpg& gpg)
{
    if (!sfs::exists(gpg.home / "pubring.kbx"))
        return std::string();
    auto o = TRY(gpg.run({"--with-colons", "--list-secret-keys"}));
    if (!o.ok())
        return tool_failed("error.updates.key", "gpg --list-secret-keys", o);
    // "fpr:::::::::FINGERPRINT:" after the "sec" line.
    size_t sec = o.out.find("\nsec:");
    if (o.out.rfind("sec:", 0) == 0)
        sec = 0;
    if (sec == std::string::npos)
        return std::string();
    size_t fpr = o.out.find("fpr:", sec);
    if (fpr == std::string::npos)
        return std::string();
    size_t end = o.out.find('\n', fpr);
    std::string line = o.out.substr(fpr, end - fpr);
    while (!line.empty() && line.back() == ':')
        line.pop_back();
    return line.substr(line.rfind(':') + 1);
}

// An flock held for the life of the object (one publisher at a time).
class FileLock {
public:
    static Result<FileLock> take(const sfs::path& path)
    {
        int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            return Error::make("error.updates.io", "open " + path.string() + ": " + std::strerror(errno));
        FileLock l(fd);
        while (::flock(fd, LOCK_EX) != 0)
            if (errno != EINTR)
                return Error::make("error.updates.io", "flock " + path.string() + ": " + std::strerror(errno));
        return l;
    }
    FileLock(FileLock&& o) noexcept : m_fd(o.m_fd) { o.m_fd = -1; }
    FileLock(const FileLock&) = delete;
    ~FileLock()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

private:
    explicit FileLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
        || c == '+' || c == '~' || c == '-';
}

Result<void> write_out(const sfs::path& path, const process::Outcome& o, const std::string& what)
{
    if (!o.ok())
        return tool_failed("error.updates.index", what, o);
    return nfs::write_file_atomic(path, o.out, 0644);
}

} // namespace

sfs::path repo_dir(const sfs::path& data_dir) { return data_dir / "updates"; }
sfs::path key_dir(const sfs::path& data_dir) { return data_dir / "update-key"; }

bool servable(std::string_view relative)
{
    if (relative.empty() || relative.size() > 200)
        return false;
    int parts = 0;
    size_t start = 0;
    while (start <= relative.size()) {
        size_t slash = relative.find('/', start);
        std::string_view part = relative.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (part.empty() || part.front() == '.' || ++parts > 2)
            return false;
        for (char c : part)
            if (!name_char(c))
                return false;
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }
    // Two components only under pool/.
    return parts == 1 || relative.substr(0, 5) == "pool/";
}

Result<std::string> export_public(const sfs::path& data_dir, const sfs::path& public_out)
{
    Gpg gpg{key_dir(data_dir)};
    std::string fpr = TRY(fingerprint(gpg));
    if (fpr.empty())
        return Error::make("error.updates.no_key", "no update-signing key in " + gpg.home.string());
    auto o = TRY(gpg.run({"--export", fpr}));
    if (!o.ok() || o.out.empty())
        return tool_failed("error.updates.key", "gpg --export", o);
    TRY(nfs::write_file_atomic(public_out, o.out, 0644));
    return fpr;
}

Result<std::string> generate_key(const sfs::path& data_dir, const sfs::path& public_out)
{
    Gpg gpg{key_dir(data_dir)};
    TRY(nfs::ensure_dir(gpg.home, 0700));
    if (!TRY(fingerprint(gpg)).empty())
        return Error::make("error.updates.key_exists", "an update-signing key is already in " + gpg.home.string());
    auto o = TRY(gpg.run({"--quick-gen-key", "Nafitha updates <updates@nafitha.invalid>", "ed25519", "sign", "never"}));
    if (!o.ok())
        return tool_failed("error.updates.key", "gpg --quick-gen-key", o);
    return export_public(data_dir, public_out);
}

Result<std::string> import_key(const sfs::path& data_dir, const sfs::path& secret_key)
{
    Gpg gpg{key_dir(data_dir)};
    TRY(nfs::ensure_dir(gpg.home, 0700));
    if (!TRY(fingerprint(gpg)).empty())
        return Error::make("error.updates.key_exists", "an update-signing key is already in " + gpg.home.string());
    auto o = TRY(gpg.run({"--import", secret_key.string()}));
    if (!o.ok())
        return tool_failed("error.updates.key", "gpg --import", o);
    std::string fpr = TRY(fingerprint(gpg));
    if (fpr.empty())
        return Error::make("error.updates.no_key", secret_key.string() + " holds no secret key");
    return fpr;
}

Result<Published> publish(const sfs::path& data_dir, const sfs::path& deb)
{
    Gpg gpg{key_dir(data_dir)};
    std::string fpr = TRY(fingerprint(gpg));
    if (fpr.empty())
        return Error::make("error.updates.no_key", "no update-signing key in " + gpg.home.string()
                                                       + " (nafitha-central updates key generate or import)");
    // The package's own fields, as dpkg reads them.
    auto fields = TRY(process::run({"dpkg-deb", "--field", deb.string(), "Package", "Version", "Architecture"}));
    if (!fields.ok())
        return tool_failed("error.updates.not_a_package", deb.string() + ": dpkg-deb", fields);
    Published p;
    size_t at = 0;
    while (at < fields.out.size()) {
        size_t end = fields.out.find('\n', at);
        std::string line = fields.out.substr(at, end == std::string::npos ? std::string::npos : end - at);
        at = end == std::string::npos ? fields.out.size() : end + 1;
        auto colon = line.find(": ");
        if (colon == std::string::npos)
            continue;
        std::string k = line.substr(0, colon), v = line.substr(colon + 2);
        if (k == "Package") p.package = v;
        else if (k == "Version") p.version = v;
        else if (k == "Architecture") p.architecture = v;
    }
    if (p.package.rfind("nafitha-", 0) != 0)
        return Error::make("error.updates.foreign_package", deb.string() + " is '" + p.package + "', not a Nafitha package");
    std::string file_version = p.version.substr(p.version.find(':') == std::string::npos ? 0 : p.version.find(':') + 1);
    std::string name = p.package + "_" + file_version + "_" + p.architecture + ".deb";
    if (!servable("pool/" + name))
        return Error::make("error.updates.not_a_package", "unusable package name or version: " + name);
    std::string bytes = TRY(nfs::read_file(deb, kMaxPackageBytes));

    sfs::path repo = repo_dir(data_dir);
    TRY(nfs::ensure_dir(repo / "pool", 0755));
    auto lock = TRY(FileLock::take(repo / ".lock"));
    p.pool_file = repo / "pool" / name;
    if (sfs::exists(p.pool_file)) {
        std::string there = TRY(nfs::read_file(p.pool_file, kMaxPackageBytes));
        if (there != bytes)
            return Error::make("error.updates.exists", name + " is already published with different contents");
    } else {
        TRY(nfs::write_file_atomic(p.pool_file, bytes, 0644));
    }

    // The new index in a staging folder, signed there, then moved in (InRelease last).
    sfs::path next = repo / ".next";
    std::error_code ec;
    sfs::remove_all(next, ec);
    TRY(nfs::ensure_dir(next, 0755));
    auto packages = TRY(process::run({"apt-ftparchive", "packages", "pool"}, process::in(repo)));
    TRY(write_out(next / "Packages", packages, "apt-ftparchive packages"));
    for (size_t i = 0; (i = packages.out.find("Package: ", i)) != std::string::npos; ++i)
        if (i == 0 || packages.out[i - 1] == '\n')
            ++p.packages_in_repo;
    TRY(write_out(next / "Packages.gz", TRY(process::run({"gzip", "-9n", "-c", "Packages"}, process::in(next))), "gzip"));
    const std::string R = "APT::FTPArchive::Release::";
    auto release = TRY(process::run({"apt-ftparchive", "-o", R + "Origin=Nafitha", "-o", R + "Label=Nafitha updates",
                                     "-o", R + "Suite=nafitha", "-o", R + "Codename=nafitha",
                                     "-o", R + "Description=Nafitha packages published by nafitha-central", "release", "."},
                                    process::in(next)));
    TRY(write_out(next / "Release", release, "apt-ftparchive release"));
    auto clear = TRY(gpg.run({"--local-user", fpr, "--digest-algo", "SHA512", "--yes", "--clearsign", "--output",
                              (next / "InRelease").string(), (next / "Release").string()}));
    if (!clear.ok())
        return tool_failed("error.updates.sign", "gpg --clearsign", clear);
    auto detached = TRY(gpg.run({"--local-user", fpr, "--digest-algo", "SHA512", "--yes", "--armor", "--detach-sign",
                                 "--output", (next / "Release.gpg").string(), (next / "Release").string()}));
    if (!detached.ok())
        return tool_failed("error.updates.sign", "gpg --detach-sign", detached);
    for (const char* f : {"Packages", "Packages.gz", "Release", "Release.gpg", "InRelease"}) {
        sfs::rename(next / f, repo / f, ec);
        if (ec)
            return Error::make("error.updates.io", std::string("rename ") + f + ": " + ec.message());
    }
    TRY(nfs::fsync_dir(repo));
    sfs::remove_all(next, ec);
    return p;
}

Result<void> bundle(const sfs::path& data_dir, const sfs::path& out)
{
    sfs::path repo = repo_dir(data_dir);
    if (!sfs::exists(repo / "InRelease"))
        return Error::make("error.updates.empty", "nothing is published yet (" + repo.string() + ")");
    auto lock = TRY(FileLock::take(repo / ".lock"));
    sfs::path tmp = out;
    tmp += ".tmp";
    auto o = TRY(process::run({"tar", "--create", "--file", tmp.string(), "--owner=0", "--group=0", "--numeric-owner",
                               "--directory", repo.string(), "InRelease", "Release", "Release.gpg", "Packages",
                               "Packages.gz", "pool"}));
    if (!o.ok())
        return tool_failed("error.updates.io", "tar", o);
    std::error_code ec;
    sfs::rename(tmp, out, ec);
    if (ec)
        return Error::make("error.updates.io", "rename " + out.string() + ": " + ec.message());
    return {};
}

} // namespace nafitha::central::updates
