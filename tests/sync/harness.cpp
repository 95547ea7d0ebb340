#include "tests/sync/harness.h"

#include "base/clock.h"
#include "sync/journal/journal.h"
#include "db/sqlite.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace nafitha::testing {

TempDir::TempDir(const std::string& tag)
{
    static std::atomic<int> counter{0};
    m_path = std::filesystem::temp_directory_path()
        / ("nafitha-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(m_path);
    std::filesystem::create_directories(m_path);
}

TempDir::~TempDir()
{
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::filesystem::path bin_dir()
{
    if (const char* env = std::getenv("NAFITHA_BIN_DIR"))
        return env;
    return std::filesystem::path(NAFITHA_BINARY_DIR) / "bin";
}

InProcessCentral::InProcessCentral(const std::filesystem::path& data_dir, std::string tls_cert, std::string tls_key)
{
    central::ServerConfig config;
    config.data_dir = data_dir;
    config.tls_cert = std::move(tls_cert);
    config.tls_key = std::move(tls_key);
    start(std::move(config));
}

InProcessCentral::InProcessCentral(central::ServerConfig config) { start(std::move(config)); }

void InProcessCentral::start(central::ServerConfig config)
{
    m_tls = !config.tls_cert.empty();
    auto server = central::CentralServer::create(config);
    if (!server.ok())
        throw std::runtime_error(server.error().to_string());
    m_server = server.release_value();
    auto port = m_server->bind("127.0.0.1", 0);
    if (!port.ok())
        throw std::runtime_error(port.error().to_string());
    m_port = port.value();
    auto admin = m_server->bind_admin("127.0.0.1", 0);
    if (!admin.ok())
        throw std::runtime_error(admin.error().to_string());
    m_admin_port = admin.value();
    m_thread = std::thread([this] { m_server->run(); });
    m_server->wait_until_running();
}

InProcessCentral::~InProcessCentral()
{
    m_server->stop();
    m_thread.join();
}

std::string InProcessCentral::url() const
{
    return std::string(m_tls ? "https" : "http") + "://" + (m_tls ? "localhost" : "127.0.0.1") + ":" + std::to_string(m_port);
}

std::string InProcessCentral::add_code(const std::string& centre)
{
    return central::create_enrollment_code(store(), centre, "test kiosk", clock::unix_ms()).value();
}

CentralProcess::CentralProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args,
                               std::vector<std::string> launcher)
    : m_data(std::move(data_dir)), m_extra(std::move(extra_args)), m_launcher(std::move(launcher))
{
}

CentralProcess::~CentralProcess()
{
    if (m_pid > 0)
        kill_hard();
}

void CentralProcess::start(int port, const std::vector<std::pair<std::string, std::string>>& env)
{
    int fds[2];
    if (pipe(fds) != 0)
        throw std::runtime_error("pipe");
    std::string exe = (bin_dir() / "nafitha-central").string();
    std::string data = m_data.string();
    std::string listen = "127.0.0.1:" + std::to_string(port);
    std::string log = (m_data / "central.log").string();
    std::filesystem::create_directories(m_data);
    std::vector<std::string> args = {exe, "serve", "--data", data, "--listen", listen, "--admin-listen", "127.0.0.1:0"};
    args.insert(args.end(), m_extra.begin(), m_extra.end());
    args.insert(args.begin(), m_launcher.begin(), m_launcher.end());
    std::vector<const char*> argv;
    for (const auto& a : args)
        argv.push_back(a.c_str());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        int logfd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (logfd >= 0)
            dup2(logfd, 2);
        close(fds[0]);
        close(fds[1]);
        for (const auto& [name, value] : env)
            setenv(name.c_str(), value.c_str(), 1);
        // Nothing of the test's (the proxy's sockets above all) may stay open in central: a connection the
        // proxy closed would otherwise stay open in the child and hang its client.
        close_range(3, ~0U, 0);
        execvp(argv[0], const_cast<char* const*>(argv.data()));
        _exit(127);
    }
    close(fds[1]);
    m_pid = pid;
    // Two lines: the terminals' listener, then the operators' one. Blocks until central prints them or closes
    // its output (it exited).
    std::string text;
    while (std::count(text.begin(), text.end(), '\n') < 2) {
        char buf[256];
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0)
            break;
        text.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    auto at = text.find("listening on 127.0.0.1:");
    auto admin_at = text.find("admin listening on 127.0.0.1:");
    if (at == std::string::npos || admin_at == std::string::npos)
        throw std::runtime_error("nafitha-central did not start: '" + text + "'");
    m_port = std::stoi(text.substr(at + 23));
    m_admin_port = std::stoi(text.substr(admin_at + 29));
}

int CentralProcess::wait_exit()
{
    int status = 0;
    if (m_pid > 0)
        waitpid(m_pid, &status, 0);
    m_pid = -1;
    return status;
}

void CentralProcess::kill_hard()
{
    if (m_pid <= 0)
        return;
    ::kill(m_pid, SIGKILL);
    int status = 0;
    waitpid(m_pid, &status, 0);
    m_pid = -1;
}

void CentralProcess::stop()
{
    if (m_pid <= 0)
        return;
    ::kill(m_pid, SIGTERM);
    int status = 0;
    waitpid(m_pid, &status, 0);
    m_pid = -1;
}

std::string sample_type(int64_t seq)
{
    switch (seq % 4) {
    case 0: return "application.submitted";
    case 1: return "payment.recorded";
    case 2: return "ticket.issued";
    default: return "survey.recorded";
    }
}

nlohmann::json sample_payload(int64_t seq, const std::string& terminal_id)
{
    char ref[64];
    std::snprintf(ref, sizeof ref, "DAM01-%s-%07lld", terminal_id.c_str(), static_cast<long long>(seq - seq % 4));
    switch (seq % 4) {
    case 0:
        return {{"reference", ref}, {"service_code", "civil.birth_extract"}, {"centre", "DAM-01"}, {"fee_minor", 5000},
                {"channel", "kiosk"}};
    case 1:
        return {{"reference", ref}, {"amount_minor", 5000}, {"method", "cash"}, {"centre", "DAM-01"}};
    case 2:
        return {{"ticket", "C" + std::to_string(seq)}, {"category", "civil"}, {"centre", "DAM-01"}};
    default:
        return {{"reference", ref}, {"rating", 1 + seq % 5}};
    }
}

std::vector<protocol::Entry> make_chain(const protocol::KeyPair& keys, const std::string& terminal_id, int64_t first_seq,
                                        int64_t count, std::string prev, int64_t sign_every)
{
    std::vector<protocol::Entry> out;
    for (int64_t seq = first_seq; seq < first_seq + count; ++seq) {
        protocol::Entry e;
        e.seq = seq;
        e.id = terminal_id + "-" + std::to_string(seq);
        e.terminal_id = terminal_id;
        e.type = sample_type(seq);
        e.time = clock::now_iso8601();
        e.payload = sample_payload(seq, terminal_id);
        e.prev_hash = prev;
        bool last_of_transaction = (seq - first_seq + 1) % std::max<int64_t>(1, sign_every) == 0 || seq == first_seq + count - 1;
        if (last_of_transaction)
            (void)protocol::seal(e, keys.secret_key);
        else
            (void)protocol::seal_hash(e);
        prev = e.hash;
        out.push_back(std::move(e));
    }
    return out;
}

journal::Identity make_terminal_journal(const std::filesystem::path& dir, int64_t count)
{
    auto id = journal::load_or_create_identity(dir);
    if (!id.ok())
        throw std::runtime_error(id.error().to_string());
    {
        auto db = db::Db::open(journal::database_file(dir));
        if (!db.ok())
            throw std::runtime_error(db.error().to_string());
        auto schema = journal::create_schema(db.value());
        if (!schema.ok())
            throw std::runtime_error(schema.error().to_string());
    }
    append_entries(dir, id.value(), count);
    return id.release_value();
}

void append_entries(const std::filesystem::path& dir, const journal::Identity& id, int64_t count)
{
    auto db = db::Db::open(journal::database_file(dir)).release_value();
    int64_t next = journal::last_seq(db).value() + 1;
    for (int64_t done = 0; done < count;) {
        auto tx = db::Transaction::begin(db).release_value();
        for (int k = 0; k < 1000 && done < count; ++k, ++done, ++next) {
            auto r = journal::append(db, id, sample_type(next), sample_payload(next, id.terminal_id));
            if (!r.ok())
                throw std::runtime_error(r.error().to_string());
            // Terminal transactions are a few entries each: one signature every three.
            if (next % 3 == 0 && !journal::sign_pending(db, id).ok())
                throw std::runtime_error("signing failed");
        }
        if (!journal::commit(db, id, tx).ok())
            throw std::runtime_error("commit failed");
    }
}

std::vector<std::pair<int64_t, std::string>> journal_hashes(const std::filesystem::path& dir)
{
    auto reader = journal::Reader::open(journal::database_file(dir)).release_value();
    std::vector<std::pair<int64_t, std::string>> out;
    int64_t after = 0;
    for (;;) {
        auto batch = reader.entries_after(after, 5000, 64 * 1024 * 1024).release_value();
        if (batch.empty())
            break;
        for (const auto& e : batch)
            out.emplace_back(e.seq, e.hash);
        after = batch.back().seq;
    }
    return out;
}

std::vector<std::pair<int64_t, std::string>> central_hashes(central::Store& store, const std::string& terminal_id)
{
    std::vector<std::pair<int64_t, std::string>> out;
    auto entries = store.entries(terminal_id).release_value();
    for (const auto& e : entries)
        out.emplace_back(e.seq, e.hash);
    return out;
}

} // namespace nafitha::testing
