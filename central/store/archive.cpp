#include "central/store/archive.h"

#include "central/store/codec.h"
#include "central/store/verify.h"

#include "base/clock.h"
#include "base/fs.h"

#include <sodium.h>
#include <zlib.h>

#include <fcntl.h>
#include <map>
#include <sstream>
#include <unistd.h>

namespace nafitha::central {

namespace {

constexpr const char* kMagic = "NAFITHA-ARCHIVE 1";
constexpr size_t kMaxLine = 64 * 1024;

Error invalid(const std::string& what) { return Error::make("error.central.archive_invalid", what); }

std::string signed_message(int32_t month, int64_t entries, const std::string& digest_hex)
{
    return "NAFITHA-ARCHIVE-1\n" + std::to_string(month) + "\n" + std::to_string(entries) + "\n" + digest_hex;
}

struct GzFile {
    gzFile f = nullptr;
    ~GzFile()
    {
        if (f)
            gzclose(f);
    }
};

// Writes through gzip and hashes what it writes.
class Writer {
public:
    explicit Writer(gzFile f) : m_f(f) { crypto_hash_sha256_init(&m_hash); }
    Result<void> write(std::string_view s)
    {
        crypto_hash_sha256_update(&m_hash, reinterpret_cast<const unsigned char*>(s.data()), s.size());
        if (!s.empty() && gzwrite(m_f, s.data(), static_cast<unsigned>(s.size())) != static_cast<int>(s.size()))
            return Error::make("error.central.archive_write", "cannot write the archive");
        return {};
    }
    std::string digest_hex()
    {
        unsigned char out[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_final(&m_hash, out);
        return protocol::to_hex(out, sizeof out);
    }

private:
    gzFile m_f;
    crypto_hash_sha256_state m_hash;
};

// Reads lines and counted byte runs from gzip, hashing everything it reads.
class Reader {
public:
    explicit Reader(gzFile f) : m_f(f) { crypto_hash_sha256_init(&m_hash); }
    // A line without its newline (not hashed: see hash()); false at the end of the file.
    Result<bool> line(std::string& out)
    {
        out.clear();
        for (;;) {
            int c = gzgetc(m_f);
            if (c == -1) {
                int err = 0;
                gzerror(m_f, &err);
                if (err != Z_OK && err != Z_STREAM_END)
                    return invalid("the file is not a readable gzip stream");
                if (!out.empty())
                    return invalid("the file ends in the middle of a line");
                return false;
            }
            if (c == '\n')
                return true;
            if (out.size() >= kMaxLine)
                return invalid("a line is longer than " + std::to_string(kMaxLine) + " bytes");
            out.push_back(static_cast<char>(c));
        }
    }
    // Adds a line that was read (and its newline) to the digest.
    void hash_line(std::string_view s)
    {
        crypto_hash_sha256_update(&m_hash, reinterpret_cast<const unsigned char*>(s.data()), s.size());
        unsigned char nl = '\n';
        crypto_hash_sha256_update(&m_hash, &nl, 1);
    }
    Result<std::string> bytes(size_t n)
    {
        std::string out(n + 1, '\0');
        int got = gzread(m_f, out.data(), static_cast<unsigned>(n + 1));
        if (got != static_cast<int>(n + 1) || out.back() != '\n')
            return invalid("an entry is cut short");
        crypto_hash_sha256_update(&m_hash, reinterpret_cast<const unsigned char*>(out.data()), out.size());
        out.pop_back();
        return out;
    }
    std::string digest_hex()
    {
        unsigned char out[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_final(&m_hash, out);
        return protocol::to_hex(out, sizeof out);
    }

private:
    gzFile m_f;
    crypto_hash_sha256_state m_hash;
};

std::vector<std::string> split(const std::string& s)
{
    std::vector<std::string> out;
    std::istringstream in(s);
    std::string w;
    while (in >> w)
        out.push_back(w);
    return out;
}

std::optional<int64_t> to_int(const std::string& s)
{
    if (s.empty() || s.size() > 18)
        return std::nullopt;
    int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

Result<std::string> file_sha256(const std::filesystem::path& file)
{
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Error::make("error.central.archive_read", "cannot open " + file.string());
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    std::string buf(1 << 16, '\0');
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            ::close(fd);
            return Error::make("error.central.archive_read", "cannot read " + file.string());
        }
        if (n == 0)
            break;
        crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(buf.data()), static_cast<size_t>(n));
    }
    ::close(fd);
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, out);
    return protocol::to_hex(out, sizeof out);
}

} // namespace

std::optional<int32_t> parse_month(std::string_view text)
{
    std::string digits;
    for (char c : text)
        if (c != '-')
            digits.push_back(c);
    if (digits.size() != 6 || (text.size() == 7 && text[4] != '-') || (text.size() != 6 && text.size() != 7))
        return std::nullopt;
    auto v = to_int(digits);
    if (!v || *v / 100 < 2000 || *v / 100 > 9999 || *v % 100 < 1 || *v % 100 > 12)
        return std::nullopt;
    return static_cast<int32_t>(*v);
}

Result<ArchiveInfo> export_month(Store& store, int32_t month, const protocol::KeyPair& central_key,
                                 const std::filesystem::path& file, int64_t now_ms)
{
    protocol::init_crypto();
    if (month >= month_of_ms(now_ms))
        return Error::make("error.central.month_open", "month " + std::to_string(month) + " is not over yet");
    if (std::filesystem::exists(file))
        return Error::make("error.central.archive_exists", file.string() + " already exists");
    auto terminals = TRY(store.terminals());
    std::map<std::string, TerminalRecord> by_id;
    for (auto& t : terminals)
        by_id[t.id] = t;
    auto partial = file;
    partial += ".partial";
    std::filesystem::remove(partial);
    int64_t count = 0;
    {
        GzFile gz;
        gz.f = gzopen(partial.c_str(), "wb6");
        if (!gz.f)
            return Error::make("error.central.archive_write", "cannot create " + partial.string());
        Writer w(gz.f);
        nlohmann::json header = {{"month", month},
                                 {"created", clock::iso8601_utc(now_ms)},
                                 {"store", store.kind()},
                                 {"server_public_key", protocol::encode_public_key(central_key.public_key)}};
        TRY(w.write(std::string(kMagic) + "\n" + header.dump() + "\n"));
        std::string current;
        ArchivedRange range;
        int64_t in_range = 0;
        auto close_range = [&]() -> Result<void> {
            if (current.empty())
                return {};
            return w.write("R " + current + " " + std::to_string(range.first_seq) + " " + std::to_string(range.last_seq) + " "
                           + range.first_prev + " " + range.last_hash + " " + std::to_string(in_range) + "\n");
        };
        TRY(store.scan_month(month, [&](const std::string& terminal_id, const SignedEntry& e) -> Result<void> {
            if (terminal_id != current) {
                TRY(close_range());
                const auto& t = by_id[terminal_id];
                current = terminal_id;
                range = {};
                in_range = 0;
                TRY(w.write("T " + terminal_id + " " + t.public_key + " " + (t.centre.empty() ? "-" : t.centre) + "\n"));
                auto j = nlohmann::json::parse(e.bytes, nullptr, false);
                range.first_seq = e.seq;
                range.first_prev = j.is_object() && j.contains("prev") && j["prev"].is_string() ? j["prev"].get<std::string>() : "-";
            }
            TRY(w.write("E " + std::to_string(e.seq) + " " + (e.signature.empty() ? std::string("-") : protocol::to_base64(e.signature))
                        + " " + std::to_string(e.bytes.size()) + "\n"));
            TRY(w.write(e.bytes));
            TRY(w.write("\n"));
            range.last_seq = e.seq;
            range.last_hash = protocol::sha256_hex(e.bytes);
            ++in_range;
            ++count;
            return {};
        }));
        TRY(close_range());
        std::string digest = w.digest_hex();
        std::string sig = protocol::sign(central_key.secret_key, signed_message(month, count, digest));
        std::string end = "END " + std::to_string(count) + " " + digest + " " + sig + "\n";
        if (gzwrite(gz.f, end.data(), static_cast<unsigned>(end.size())) != static_cast<int>(end.size()))
            return Error::make("error.central.archive_write", "cannot write the archive");
        int rc = gzclose(gz.f);
        gz.f = nullptr;
        if (rc != Z_OK)
            return Error::make("error.central.archive_write", "cannot finish " + partial.string());
    }
    {
        int fd = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ::fsync(fd);
            ::close(fd);
        }
    }
    std::filesystem::rename(partial, file);
    TRY(fs::fsync_dir(file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path()));
    auto info = TRY(verify_archive(file));
    if (info.entries != count)
        return Error::make("error.central.archive_write", "the archive does not read back as written");
    return info;
}

Result<ArchiveInfo> verify_archive(const std::filesystem::path& file)
{
    protocol::init_crypto();
    GzFile gz;
    gz.f = gzopen(file.c_str(), "rb");
    if (!gz.f)
        return Error::make("error.central.archive_read", "cannot open " + file.string());
    Reader r(gz.f);
    ArchiveInfo info;
    std::string line;
    if (!TRY(r.line(line)) || line != kMagic)
        return invalid("not a Nafitha archive (first line)");
    r.hash_line(line);
    if (!TRY(r.line(line)))
        return invalid("no header");
    r.hash_line(line);
    auto header = nlohmann::json::parse(line, nullptr, false);
    if (!header.is_object() || !header.contains("month") || !header["month"].is_number_integer()
        || !header.contains("server_public_key") || !header["server_public_key"].is_string())
        return invalid("the header is not valid");
    info.month = header["month"].get<int32_t>();
    info.store_kind = header.value("store", "");
    info.server_public_key = header["server_public_key"].get<std::string>();
    auto central_key = protocol::decode_public_key(info.server_public_key);
    if (!central_key.ok())
        return invalid("the header's central key does not decode");

    std::string terminal;
    protocol::PublicKey key{};
    ArchivedRange range;
    int64_t in_range = 0, expect = 0;
    std::string prev;
    bool last_signed = false;
    std::map<std::string, bool> seen;
    for (;;) {
        if (!TRY(r.line(line)))
            return invalid("the file ends before its END line");
        if (line.rfind("END ", 0) == 0) {
            // The END line is the one line outside the digest.
            std::string digest = r.digest_hex();
            auto parts = split(line.substr(4));
            if (!terminal.empty())
                return invalid("terminal " + terminal + " has no closing R line");
            if (parts.size() != 3)
                return invalid("the END line is malformed");
            auto n = to_int(parts[0]);
            if (!n || *n != info.entries)
                return invalid("the END line counts " + parts[0] + " entries, the file holds " + std::to_string(info.entries));
            if (parts[1] != digest)
                return invalid("the file's digest does not match (it was altered)");
            if (!protocol::verify(central_key.value(), signed_message(info.month, info.entries, digest), parts[2]))
                return invalid("central's signature over the archive does not verify");
            if (TRY(r.line(line)))
                return invalid("bytes after the END line");
            break;
        }
        r.hash_line(line);
        auto parts = split(line);
        if (parts.empty())
            return invalid("an empty line");
        if (parts[0] == "T") {
            if (parts.size() != 4 || !terminal.empty())
                return invalid("a T line is malformed or comes before the previous terminal's R line");
            terminal = parts[1];
            if (seen[terminal])
                return invalid("terminal " + terminal + " appears twice");
            seen[terminal] = true;
            auto k = protocol::decode_public_key(parts[2]);
            if (!k.ok())
                return invalid("terminal " + terminal + ": the public key does not decode");
            if (protocol::terminal_id_for(k.value()) != terminal)
                return invalid("terminal " + terminal + ": the id does not belong to the key");
            key = k.value();
            range = {};
            range.terminal_id = terminal;
            in_range = 0;
            expect = 0;
            ++info.terminals;
        } else if (parts[0] == "E") {
            if (terminal.empty() || parts.size() != 4)
                return invalid("an E line is malformed or outside a terminal");
            auto seq = to_int(parts[1]);
            auto n = to_int(parts[3]);
            if (!seq || !n || *n > static_cast<int64_t>(kMaxSignedBytes))
                return invalid("an E line is malformed");
            auto sig = parts[2] == "-" ? Result<std::string>(std::string()) : protocol::from_base64(parts[2]);
            if (!sig.ok() || (parts[2] != "-" && sig->empty()))
                return invalid("terminal " + terminal + " seq " + parts[1] + ": the signature does not decode");
            last_signed = !sig->empty();
            auto bytes = TRY(r.bytes(static_cast<size_t>(*n)));
            if (in_range == 0) {
                auto j = nlohmann::json::parse(bytes, nullptr, false);
                if (!j.is_object() || !j.contains("prev") || !j["prev"].is_string())
                    return invalid("terminal " + terminal + " seq " + parts[1] + ": the signed bytes name no prev");
                prev = j["prev"].get<std::string>();
                range.first_seq = *seq;
                range.first_prev = prev;
                expect = *seq;
            }
            if (*seq != expect)
                return invalid("terminal " + terminal + ": expected seq " + std::to_string(expect) + ", found " + parts[1]);
            auto hash = check_signed_entry(terminal, key, *seq, prev, bytes, sig.value());
            if (!hash.ok())
                return invalid(hash.error().detail);
            prev = hash.value();
            range.last_seq = *seq;
            range.last_hash = prev;
            ++expect;
            ++in_range;
            ++info.entries;
        } else if (parts[0] == "R") {
            if (terminal.empty() || parts.size() != 7 || parts[1] != terminal)
                return invalid("an R line is malformed or names another terminal");
            if (to_int(parts[2]) != range.first_seq || to_int(parts[3]) != range.last_seq || parts[4] != range.first_prev
                || parts[5] != range.last_hash || to_int(parts[6]) != in_range || in_range == 0)
                return invalid("terminal " + terminal + ": the R line does not match its entries");
            if (!last_signed)
                return invalid("terminal " + terminal + ": the month ends with an unsigned entry");
            info.ranges.push_back(range);
            terminal.clear();
        } else {
            return invalid("an unknown line '" + parts[0] + "'");
        }
    }
    info.file_sha256 = TRY(file_sha256(file));
    return info;
}

} // namespace nafitha::central
