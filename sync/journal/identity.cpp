#include "sync/journal/identity.h"

#include "base/fs.h"

#include <nlohmann/json.hpp>
#include <sodium.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nafitha::journal {

std::string terminal_id_for(const protocol::PublicKey& public_key)
{
    auto digest = protocol::sha256(std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
    return "T" + protocol::to_hex(digest).substr(0, 12);
}

Result<bool> create_file_once(const std::filesystem::path& path, std::string_view data, unsigned mode)
{
    auto fail = [&](const std::string& what) {
        return Error::make("error.fs.write_failed", what + " " + path.string() + ": " + std::strerror(errno));
    };
    auto tmp = path;
    tmp += ".new." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return fail("create");
    ::fchmod(fd, mode);
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            auto err = fail("write");
            ::close(fd);
            ::unlink(tmp.c_str());
            return err;
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
        auto err = fail("fsync");
        ::close(fd);
        ::unlink(tmp.c_str());
        return err;
    }
    ::close(fd);
    // link() fails with EEXIST when another process made the file first: theirs stays.
    int rc = ::link(tmp.c_str(), path.c_str());
    int link_errno = errno;
    ::unlink(tmp.c_str());
    if (rc != 0) {
        if (link_errno == EEXIST)
            return false;
        errno = link_errno;
        return fail("link");
    }
    TRY(fs::fsync_dir(path.parent_path()));
    return true;
}

static Result<Identity> read_identity(const std::filesystem::path& dir)
{
    auto key_text = TRY(fs::read_file(dir / "terminal.key", 1024));
    while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == '\r' || key_text.back() == ' '))
        key_text.pop_back();
    auto secret = protocol::decode_secret_key(key_text);
    if (!secret.ok())
        return Error::make("error.journal.bad_key", "terminal.key is not a valid Ed25519 secret key");
    Identity id;
    id.keys.secret_key = secret.value();
    protocol::init_crypto();
    crypto_sign_ed25519_sk_to_pk(id.keys.public_key.data(), id.keys.secret_key.data());
    id.terminal_id = terminal_id_for(id.keys.public_key);

    std::error_code ec;
    if (std::filesystem::exists(dir / "identity.json", ec)) {
        auto text = TRY(fs::read_file(dir / "identity.json", 4096));
        auto j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("terminal_id") || !j["terminal_id"].is_string())
            return Error::make("error.journal.bad_key", "identity.json is malformed");
        if (j["terminal_id"].get<std::string>() != id.terminal_id ||
            j.value("public_key", std::string()) != protocol::encode_public_key(id.keys.public_key))
            return Error::make("error.journal.identity_mismatch", "identity.json does not match terminal.key");
    } else {
        nlohmann::json j = {{"terminal_id", id.terminal_id}, {"public_key", protocol::encode_public_key(id.keys.public_key)}};
        TRY(create_file_once(dir / "identity.json", j.dump(2) + "\n", 0644));
    }
    return id;
}

Result<Identity> load_identity(const std::filesystem::path& data_dir)
{
    std::error_code ec;
    if (!std::filesystem::exists(data_dir / "terminal.key", ec))
        return Error::make("error.journal.no_identity", data_dir.string() + " holds no terminal.key");
    return read_identity(data_dir);
}

Result<Identity> load_or_create_identity(const std::filesystem::path& data_dir)
{
    TRY(fs::ensure_dir(data_dir, 0700));
    std::error_code ec;
    if (!std::filesystem::exists(data_dir / "terminal.key", ec)) {
        auto kp = protocol::generate_keypair();
        TRY(create_file_once(data_dir / "terminal.key", protocol::encode_secret_key(kp.secret_key) + "\n", 0600));
        sodium_memzero(kp.secret_key.data(), kp.secret_key.size());
    }
    return read_identity(data_dir);
}

} // namespace nafitha::journal
