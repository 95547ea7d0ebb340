// nafitha-torture: the whole system under faults, counted the way Jepsen counts.
//
// Real binaries on both ends: terminals (`nafitha-ctl simulate` for citizen visits, `nafitha-ctl sync --once`
// for the sync worker) talk through the project's fault proxy to `nafitha-central serve`. While it runs:
//   - terminals and central are SIGKILLed at random crash points (base/crash_point.h) or after a random
//     number of acknowledged visits: kills land where the run wants them, whatever the machine's speed;
//   - the proxy cuts connections mid-request and mid-answer, answers 500, and drops every open connection
//     at once every so often (a crashing middlebox);
//   - libfiu fails storage calls (pread, pwrite, fsync, fdatasync, ftruncate) at random on both ends;
//   - terminal clocks are skewed with libfaketime: days behind, more than a year ahead, and one clock that
//     jumps back and forth while its visits run.
//   - with --store postgresql, central runs on a real PostgreSQL cluster of its own (installer/pg-cluster),
//     which is stopped as after a crash (immediate shutdown, no checkpoint) at random moments of the traffic
//     and started again (crash recovery), while central's instances are killed as above.
// Then the faults stop, every terminal drains to a clean central, and the run counts:
//   attempted     visits started
//   acknowledged  references shown to the citizen (the visit's application committed)
//   lost          acknowledged but missing at central after the final drain
//   duplicated    stored twice (an entry, a reference, or a projected application)
//   kills, faults injected kills and faults that took effect
// and checks each terminal's chain and database, and central's database.
//
// usage: nafitha-torture [--minutes M | --seconds S] [--terminals N] [--seed S] [--work DIR] [--keep]
//                        [--min-kills N] [--min-faults N] [--bin DIR] [--fiu-lib FILE] [--store sqlite|postgresql]
// Exit status 0 when nothing was lost or duplicated, every check passed and the minimums were reached.

#include "base/clock.h"
#include "central/store.h"
#include "central/store/verify.h"
#include "db/sqlite.h"
#include "sync/journal/identity.h"
#include "sync/journal/journal.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/pg_cluster.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <sys/mman.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

using namespace nafitha;
namespace fsys = std::filesystem;

namespace {

constexpr const char* kFiuPosix = "/usr/lib/fiu/fiu_posix_preload.so";
constexpr const char* kFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

struct Options {
    double seconds = 8 * 60;
    int terminals = 4;
    uint64_t seed = 1;
    fsys::path work;
    bool keep = false;
    int64_t min_kills = 0;
    int64_t min_faults = 0;
    fsys::path bin;
    fsys::path fiu_lib;
    double io_terminal = 0.02;  // chance that one storage call of a faulty terminal run fails
    double io_central = 0.01;   // the same for a faulty central run (it makes many more calls)
    double net = 0.4;           // chance that one proxied connection gets a fault
    bool postgresql = false;    // central on a PostgreSQL cluster of the run's own (else SQLite)
};

void say(const std::string& line)
{
    static std::mutex m;
    std::lock_guard lock(m);
    std::cerr << "torture: " << line << std::endl;
}

// --- child processes ---------------------------------------------------------------------------------------

using Env = std::map<std::string, std::string>;

struct Child {
    pid_t pid = -1;
    int out = -1; // the child's standard output
};

// Starts argv[0] with the environment of this process plus `env` (an empty value removes a variable),
// standard output into a pipe, standard error into `err_file`. Everything is prepared before fork(): the
// threads of this process may hold locks, so the child only calls what is safe after a fork.
Child spawn(const std::vector<std::string>& argv, const Env& env, const fsys::path& err_file)
{
    Env merged;
    for (char** e = environ; *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos)
            merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) {
        if (v.empty())
            merged.erase(k);
        else
            merged[k] = v;
    }
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : merged)
        env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::string err = err_file.string();
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return {};
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (e >= 0)
            dup2(e, 2);
        close_range(3, ~0U, 0);
        execve(args[0], args.data(), envp.data());
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return {};
    }
    return {pid, fds[0]};
}

// Reads one line (without the newline); false at the end of the output.
bool read_line(int fd, std::string& buffer, std::string& line)
{
    for (;;) {
        auto nl = buffer.find('\n');
        if (nl != std::string::npos) {
            line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            return true;
        }
        char chunk[4096];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (buffer.empty())
                return false;
            line = buffer;
            buffer.clear();
            return true;
        }
        buffer.append(chunk, static_cast<size_t>(n));
    }
}

int wait_child(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

std::string read_text(const fsys::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// "crash points: N" that a process given NAFITHA_CRASH_COUNT writes at a normal exit; 0 when absent.
long long crash_points_in(const fsys::path& err_file)
{
    auto text = read_text(err_file);
    auto at = text.rfind("crash points: ");
    return at == std::string::npos ? 0 : std::atoll(text.c_str() + at + 14);
}

std::string last_lines(const fsys::path& file, size_t n = 3)
{
    auto text = read_text(file);
    std::vector<std::string> lines;
    std::stringstream s(text);
    for (std::string l; std::getline(s, l);)
        lines.push_back(l);
    std::string out;
    for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
        out += (out.empty() ? "" : " | ") + lines[i];
    return out;
}

// Runs a command to its end; returns its wait status and standard output.
std::pair<int, std::string> run_to_end(const std::vector<std::string>& argv, const Env& env, const fsys::path& err_file)
{
    auto c = spawn(argv, env, err_file);
    if (c.pid < 0)
        return {-1, ""};
    std::string out, buf, line;
    while (read_line(c.out, buf, line))
        out += line + "\n";
    close(c.out);
    return {wait_child(c.pid), out};
}

bool exited_ok(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
std::string describe(int status)
{
    if (WIFEXITED(status))
        return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return std::string("signal ") + strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}
bool killed(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }

// A counter that processes of one kind share through a file (see tests/torture/fiu_faults.c).
class SharedCounter {
public:
    explicit SharedCounter(fsys::path file) : m_file(std::move(file))
    {
        int fd = open(m_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0 && ftruncate(fd, 8) == 0) {
            void* m = mmap(nullptr, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (m != MAP_FAILED)
                m_value = static_cast<uint64_t*>(m);
        }
        if (fd >= 0)
            close(fd);
    }
    ~SharedCounter()
    {
        if (m_value)
            munmap(m_value, 8);
    }
    int64_t value() const { return m_value ? static_cast<int64_t>(__atomic_load_n(m_value, __ATOMIC_RELAXED)) : 0; }
    const fsys::path& file() const { return m_file; }

private:
    fsys::path m_file;
    uint64_t* m_value = nullptr;
};

// --- the run -----------------------------------------------------------------------------------------------

struct Terminal {
    int index = 0;
    fsys::path dir;
    std::string clock;    // libfaketime's FAKETIME ("-3d"), or empty
    fsys::path clock_file; // for the clock that jumps: FAKETIME_TIMESTAMP_FILE, re-read at every call
    std::string code;     // enrollment code
    std::string id;
    std::mutex mutex;
    std::set<std::string> acknowledged;
    std::atomic<long long> points_per_visit{0};
    std::atomic<long long> sync_points{0};
};

struct Counts {
    std::atomic<int64_t> attempted{0};
    std::atomic<int64_t> visit_failures{0};
    std::atomic<int64_t> kills_visits{0};
    std::atomic<int64_t> kills_sync{0};
    std::atomic<int64_t> kills_central{0};
    std::atomic<int64_t> kills_postgres{0}; // the PostgreSQL server stopped as after a crash
    std::atomic<int64_t> visit_runs{0};
    std::atomic<int64_t> sync_runs{0};
    std::atomic<int64_t> central_runs{0};
    std::atomic<int64_t> central_failed_starts{0};
    std::atomic<int64_t> clock_jumps{0};
    std::atomic<int64_t> crashes{0}; // a process that died of anything but the run's own SIGKILL
};

class Torture {
public:
    // The work folder must exist (and be empty): the fault counters live there.
    explicit Torture(Options o)
        : m_o(std::move(o)), m_io_terminal(m_o.work / "faults-terminal"), m_io_central(m_o.work / "faults-central")
    {
    }

    int run();

private:
    fsys::path ctl() const { return m_o.bin / "nafitha-ctl"; }
    fsys::path central_exe() const { return m_o.bin / "nafitha-central"; }
    fsys::path central_dir() const { return m_o.work / "central"; }
    // How central's commands name the store: its folder (SQLite, and its log) and, on PostgreSQL, the URL.
    std::vector<std::string> store_args() const
    {
        std::vector<std::string> a = {"--data", central_dir().string()};
        if (m_o.postgresql) {
            a.push_back("--store");
            a.push_back(m_url);
        }
        return a;
    }

    Env clock_env(const Terminal& t) const
    {
        Env e;
        if (!t.clock.empty()) {
            e["FAKETIME"] = t.clock;
        } else if (!t.clock_file.empty()) {
            e["FAKETIME_TIMESTAMP_FILE"] = t.clock_file.string();
            e["FAKETIME_NO_CACHE"] = "1";
        } else {
            return e;
        }
        // Durations stay on a sane monotonic clock (the code measures them there); the wall clock is off.
        e["FAKETIME_DONT_FAKE_MONOTONIC"] = "1";
        e["LD_PRELOAD"] = kFaketime;
        return e;
    }

    void add_fiu(Env& e, double probability, const SharedCounter& counter) const
    {
        std::string preload = e.count("LD_PRELOAD") ? e["LD_PRELOAD"] + " " : "";
        e["LD_PRELOAD"] = preload + kFiuPosix + " " + m_o.fiu_lib.string();
        e["NAFITHA_FIU_PROBABILITY"] = std::to_string(probability);
        e["NAFITHA_FIU_COUNTER"] = counter.file().string();
    }

    bool setup();
    // A process must end by exiting (0, or 1 with a clean error) or by the run's SIGKILL; anything else
    // (a crash, an abort, a sanitizer report) is counted and fails the run.
    void check_end(int status, const std::string& what, const fsys::path& err)
    {
        bool clean = (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1)) || killed(status);
        if (!clean) {
            ++m_counts.crashes;
            m_checks_ok = false;
            say("CRASH: " + what + " ended with " + describe(status) + ": " + last_lines(err));
            fsys::copy_file(err, m_o.work / ("crash-" + std::to_string(m_counts.crashes.load()) + ".err"),
                            fsys::copy_options::overwrite_existing);
        }
    }
    std::optional<pid_t> start_central(const Env& env, const fsys::path& err, int& port);
    void central_loop(uint64_t seed);
    void visits_loop(Terminal& t, uint64_t seed);
    void sync_loop(Terminal& t, uint64_t seed);
    void postgres_loop(uint64_t seed);
    bool drain();
    bool verify();

    Options m_o;
    std::unique_ptr<testing::PgCluster> m_pg; // with --store postgresql
    std::string m_url;
    std::vector<std::unique_ptr<Terminal>> m_terminals;
    std::unique_ptr<testing::FaultProxy> m_proxy;
    int m_port = 0;
    std::atomic<bool> m_chaos{false};
    std::mutex m_central_mutex;
    pid_t m_central_pid = -1;
    Counts m_counts;
    SharedCounter m_io_terminal;
    SharedCounter m_io_central;
    // Results of verify().
    int64_t m_lost = 0, m_duplicated = 0, m_acknowledged = 0, m_entries = 0, m_unacknowledged_stored = 0;
    std::atomic<bool> m_checks_ok{true};
};

std::optional<pid_t> Torture::start_central(const Env& env, const fsys::path& err, int& port)
{
    std::string listen = "127.0.0.1:" + std::to_string(port);
    std::vector<std::string> argv = {central_exe().string(), "serve"};
    for (auto& a : store_args())
        argv.push_back(a);
    for (const char* a : {"--listen", listen.c_str(), "--admin-listen", "none"})
        argv.emplace_back(a);
    auto c = spawn(argv, env, err);
    if (c.pid < 0)
        return std::nullopt;
    // Blocks until central says where it listens, or closes its output (it could not start).
    std::string buf, line;
    bool listening = false;
    while (read_line(c.out, buf, line)) {
        auto at = line.find("listening on 127.0.0.1:");
        if (at != std::string::npos) {
            port = std::atoi(line.c_str() + at + 23);
            listening = true;
            break;
        }
    }
    // Central writes nothing more on standard output; a reader would only keep it from getting SIGPIPE.
    close(c.out);
    if (!listening) {
        check_end(wait_child(c.pid), "central (starting)", err);
        return std::nullopt;
    }
    return c.pid;
}

bool Torture::setup()
{
    fsys::create_directories(central_dir());
    auto err = m_o.work / "setup.err";
    if (m_o.postgresql) {
        try {
            m_pg = std::make_unique<testing::PgCluster>(m_o.work / "pg");
            m_url = m_pg->create_database("torture");
        } catch (const std::exception& e) {
            say(std::string("PostgreSQL cluster: ") + e.what());
            return false;
        }
        say("central on PostgreSQL: " + m_url);
    }
    // Clocks: right, three days behind, more than a year ahead, then one that jumps while it runs.
    const char* clocks[] = {"", "-3d", "+400d", "jump"};
    for (int i = 0; i < m_o.terminals; ++i) {
        auto t = std::make_unique<Terminal>();
        t->index = i;
        t->dir = m_o.work / ("terminal-" + std::to_string(i));
        std::string clock = clocks[i % 4];
        if (clock == "jump") {
            t->clock_file = m_o.work / ("clock-" + std::to_string(i));
            std::ofstream(t->clock_file) << "+0\n";
        } else {
            t->clock = clock;
        }
        std::vector<std::string> add = {central_exe().string(), "terminal", "add"};
        for (auto& a : store_args())
            add.push_back(a);
        for (std::string a : {"--centre", "DAM-01", "--name"})
            add.push_back(a);
        add.push_back("torture-" + std::to_string(i));
        auto [status, out] = run_to_end(add, {}, err);
        if (!exited_ok(status)) {
            say("central terminal add failed: " + last_lines(err));
            return false;
        }
        std::stringstream s(out);
        for (std::string l; std::getline(s, l);)
            if (!l.empty())
                t->code = l;
        m_terminals.push_back(std::move(t));
    }
    auto central = start_central({}, m_o.work / "central-setup.err", m_port);
    if (!central) {
        say("central did not start: " + last_lines(m_o.work / "central-setup.err"));
        return false;
    }
    m_proxy = std::make_unique<testing::FaultProxy>(m_port);
    bool ok = true;
    for (auto& t : m_terminals) {
        // A first clean day: identity, database, clerk, two visits (counted), enrollment, a first sync.
        Env env = clock_env(*t);
        env["NAFITHA_CRASH_COUNT"] = "1";
        auto c = spawn({ctl().string(), "simulate", "--data", t->dir.string(), "--transactions", "4", "--seed",
                        std::to_string(m_o.seed * 100 + static_cast<uint64_t>(t->index)), "--verbose"},
                       env, err);
        std::string buf, line;
        while (read_line(c.out, buf, line)) {
            if (line.rfind("attempt ", 0) == 0)
                ++m_counts.attempted;
            else if (line.rfind("committed ", 0) == 0)
                t->acknowledged.insert(line.substr(10, line.find(' ', 10) - 10));
        }
        close(c.out);
        int status = wait_child(c.pid);
        // The first run also creates the terminal (keys, clerk, catalogue): count a later, ordinary one.
        auto again = run_to_end({ctl().string(), "simulate", "--data", t->dir.string(), "--transactions", "4", "--seed",
                          std::to_string(m_o.seed * 100 + 50 + static_cast<uint64_t>(t->index)), "--verbose"},
                         env, err);
        for (std::stringstream s(again.second); std::getline(s, line);) {
            if (line.rfind("attempt ", 0) == 0)
                ++m_counts.attempted;
            else if (line.rfind("committed ", 0) == 0)
                t->acknowledged.insert(line.substr(10, line.find(' ', 10) - 10));
        }
        t->points_per_visit = std::max(1LL, crash_points_in(err) / 4);
        if (!exited_ok(status) || !exited_ok(again.first)) {
            say("terminal " + std::to_string(t->index) + " setup failed: " + last_lines(err));
            ok = false;
            break;
        }
        auto enroll = run_to_end({ctl().string(), "enroll", "--data", t->dir.string(), "--server", m_proxy->url(), "--code", t->code},
                          clock_env(*t), err);
        if (!exited_ok(enroll.first)) {
            say("terminal " + std::to_string(t->index) + " enroll failed: " + last_lines(err));
            ok = false;
            break;
        }
        auto sync = run_to_end({ctl().string(), "sync", "--data", t->dir.string(), "--once"}, env, err);
        if (!exited_ok(sync.first)) {
            say("terminal " + std::to_string(t->index) + " first sync failed: " + last_lines(err));
            ok = false;
            break;
        }
        t->id = journal::load_identity(t->dir).value().terminal_id;
        // A sync pass with nothing to send is the shortest; crash points are chosen below it.
        auto idle = run_to_end({ctl().string(), "sync", "--data", t->dir.string(), "--once"}, env, err);
        t->sync_points = std::max(2LL, crash_points_in(err));
        (void)idle;
        say("terminal " + std::to_string(t->index) + " " + t->id + " clock '"
            + (t->clock_file.empty() ? t->clock : std::string("jumps")) + "': " + std::to_string(t->points_per_visit.load())
            + " crash points a visit, " + std::to_string(t->sync_points.load()) + " an idle sync pass");
    }
    ::kill(*central, SIGTERM);
    wait_child(*central);
    return ok;
}

void Torture::central_loop(uint64_t seed)
{
    std::mt19937_64 rng(seed);
    auto uniform = [&](long long lo, long long hi) { return std::uniform_int_distribution<long long>(lo, hi)(rng); };
    auto err = m_o.work / "central.err";
    while (m_chaos) {
        Env env;
        bool at_point = uniform(0, 99) < 85;
        if (at_point) {
            env["NAFITHA_CRASH_AT"] = std::to_string(uniform(1, 600));
            env["NAFITHA_CRASH_AFTER_READY"] = "1";
        }
        if (uniform(0, 99) < 60)
            add_fiu(env, m_o.io_central, m_io_central);
        int port = m_port;
        std::optional<pid_t> pid;
        {
            std::lock_guard lock(m_central_mutex);
            if (!m_chaos)
                break;
        }
        pid = start_central(env, err, port);
        ++m_counts.central_runs;
        if (!pid) {
            // An injected I/O error during start-up: start again.
            if (++m_counts.central_failed_starts <= 3)
                say("central did not start (" + last_lines(err, 1) + ")");
            continue;
        }
        {
            std::lock_guard lock(m_central_mutex);
            m_central_pid = *pid;
            if (!m_chaos)
                ::kill(*pid, SIGKILL);
        }
        if (!at_point) {
            // Killed from outside once it has taken a number of connections: progress, not time.
            int until = m_proxy->connections() + static_cast<int>(uniform(1, 40));
            while (m_chaos && m_proxy->connections() < until && waitpid(*pid, nullptr, WNOHANG) == 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            std::lock_guard lock(m_central_mutex);
            if (m_chaos)
                ::kill(*pid, SIGKILL);
        }
        int status = wait_child(*pid);
        check_end(status, "central", err);
        {
            std::lock_guard lock(m_central_mutex);
            m_central_pid = -1;
            if (m_chaos && killed(status))
                ++m_counts.kills_central;
        }
    }
}

void Torture::visits_loop(Terminal& t, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    auto uniform = [&](long long lo, long long hi) { return std::uniform_int_distribution<long long>(lo, hi)(rng); };
    auto err = m_o.work / ("visits-" + std::to_string(t.index) + ".err");
    const char* jumps[] = {"+0", "-2h", "-3d", "+1d", "-400d", "+0"};
    while (m_chaos) {
        long long visits = uniform(1, 6);
        enum { None, AtPoint, AfterVisits } mode = None;
        auto r = uniform(0, 99);
        mode = r < 45 ? AtPoint : r < 65 ? AfterVisits : None;
        long long kill_after = mode == AfterVisits ? uniform(0, visits - 1) : -1;
        Env env = clock_env(t);
        env["NAFITHA_CRASH_COUNT"] = "1";
        if (mode == AtPoint)
            env["NAFITHA_CRASH_AT"] = std::to_string(uniform(1, std::max(2LL, t.points_per_visit * visits * 9 / 10)));
        bool io = uniform(0, 99) < 70;
        if (io)
            add_fiu(env, m_o.io_terminal, m_io_terminal);
        auto c = spawn({ctl().string(), "simulate", "--data", t.dir.string(), "--transactions", std::to_string(visits),
                        "--seed", std::to_string(rng() >> 1), "--verbose", "--keep-going"},
                       env, err);
        if (c.pid < 0)
            continue;
        ++m_counts.visit_runs;
        std::string buf, line;
        long long committed = 0;
        bool sent_kill = false;
        if (kill_after == 0) {
            ::kill(c.pid, SIGKILL);
            sent_kill = true;
        }
        while (read_line(c.out, buf, line)) {
            if (line.rfind("attempt ", 0) == 0) {
                ++m_counts.attempted;
            } else if (line.rfind("committed ", 0) == 0) {
                std::string ref = line.substr(10, line.find(' ', 10) - 10);
                {
                    std::lock_guard lock(t.mutex);
                    t.acknowledged.insert(ref);
                }
                ++committed;
                if (!t.clock_file.empty()) {
                    // The clock jumps (mostly back) while the process runs: its next visit sees it.
                    std::ofstream(t.clock_file) << jumps[uniform(0, 5)] << "\n";
                    ++m_counts.clock_jumps;
                }
                if (!sent_kill && committed == kill_after) {
                    ::kill(c.pid, SIGKILL);
                    sent_kill = true;
                }
            } else if (line.rfind("failed ", 0) == 0) {
                ++m_counts.visit_failures;
            }
        }
        close(c.out);
        int status = wait_child(c.pid);
        check_end(status, "nafitha-ctl simulate (terminal " + std::to_string(t.index) + ")", err);
        if (killed(status)) {
            ++m_counts.kills_visits;
        } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !io) {
            long long points = crash_points_in(err);
            if (points > 0)
                t.points_per_visit = std::max(1LL, points / visits);
        }
    }
}

// PostgreSQL stopped as after a crash (immediate shutdown: no checkpoint, crash recovery at the next start)
// once the proxy has passed a random number of connections more: in the middle of central's batches.
void Torture::postgres_loop(uint64_t seed)
{
    std::mt19937_64 rng(seed);
    auto uniform = [&](long long lo, long long hi) { return std::uniform_int_distribution<long long>(lo, hi)(rng); };
    while (m_chaos) {
        int until = m_proxy->connections() + static_cast<int>(uniform(10, 60));
        while (m_chaos && m_proxy->connections() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (!m_chaos)
            break;
        try {
            m_pg->kill();
            ++m_counts.kills_postgres;
        } catch (const std::exception& e) {
            say(std::string("PostgreSQL immediate stop: ") + e.what());
        }
        bool started = false;
        for (int attempt = 0; attempt < 5 && !started; ++attempt) {
            try {
                m_pg->start_again();
                started = true;
            } catch (const std::exception& e) {
                say(std::string("PostgreSQL start: ") + e.what());
            }
        }
        if (!started) {
            say("PostgreSQL did not start again");
            m_checks_ok = false;
            return;
        }
    }
}

void Torture::sync_loop(Terminal& t, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    auto uniform = [&](long long lo, long long hi) { return std::uniform_int_distribution<long long>(lo, hi)(rng); };
    auto err = m_o.work / ("sync-" + std::to_string(t.index) + ".err");
    while (m_chaos) {
        Env env = clock_env(t);
        env["NAFITHA_CRASH_COUNT"] = "1";
        bool at_point = uniform(0, 99) < 50;
        if (at_point)
            env["NAFITHA_CRASH_AT"] = std::to_string(uniform(1, std::max(2LL, t.sync_points.load() * 9 / 10)));
        if (uniform(0, 99) < 70)
            add_fiu(env, m_o.io_terminal, m_io_terminal);
        auto [status, out] = run_to_end({ctl().string(), "sync", "--data", t.dir.string(), "--once"}, env, err);
        ++m_counts.sync_runs;
        check_end(status, "nafitha-ctl sync (terminal " + std::to_string(t.index) + ")", err);
        if (killed(status) && at_point)
            ++m_counts.kills_sync;
        auto alarm = t.dir / "sync_alarm.json";
        if (fsys::exists(alarm)) {
            // A refusal for good: never expected here. Keep it for the report and clear it, so that the run
            // goes on and the final checks show whether anything was lost.
            say("terminal " + std::to_string(t.index) + " raised a sync alarm: " + read_text(alarm));
            fsys::copy_file(alarm, m_o.work / ("alarm-" + std::to_string(t.index) + "-" + std::to_string(m_counts.sync_runs.load())));
            m_checks_ok = false;
            fsys::remove(alarm);
        }
    }
}

bool Torture::drain()
{
    auto err = m_o.work / "drain.err";
    auto central = start_central({}, m_o.work / "central-final.err", m_port);
    if (!central) {
        say("central did not start for the final drain: " + last_lines(m_o.work / "central-final.err"));
        return false;
    }
    m_proxy->set_plan([](int) { return testing::Fault{}; });
    bool ok = true;
    for (auto& t : m_terminals) {
        bool drained = false;
        // Each pass either finishes or moves the watermark; a handful is plenty on a clean link.
        for (int pass = 0; pass < 20 && !drained; ++pass) {
            auto [status, out] = run_to_end({ctl().string(), "sync", "--data", t->dir.string(), "--once"}, clock_env(*t), err);
            drained = exited_ok(status);
            if (!drained && pass >= 2)
                say("terminal " + std::to_string(t->index) + " final sync pass " + std::to_string(pass) + ": " + last_lines(err, 1));
        }
        if (!drained) {
            say("terminal " + std::to_string(t->index) + " did not drain");
            ok = false;
        }
        auto verify = run_to_end({ctl().string(), "journal", "verify", "--data", t->dir.string()}, {}, err);
        if (!exited_ok(verify.first)) {
            say("terminal " + std::to_string(t->index) + " journal verify: " + verify.second + last_lines(err));
            ok = false;
        }
    }
    ::kill(*central, SIGTERM);
    wait_child(*central);
    return ok;
}

bool Torture::verify()
{
    auto store = m_o.postgresql ? central::open_store({{}, m_url}) : central::open_sqlite_store(central_dir());
    if (!store.ok()) {
        say("cannot open central's store: " + store.error().to_string());
        return false;
    }
    bool ok = true;
    int64_t journal_applications = 0;
    std::set<std::string> all_acknowledged;
    for (auto& t : m_terminals) {
        auto reader = journal::Reader::open(journal::database_file(t->dir));
        if (!reader.ok()) {
            say("cannot read terminal " + std::to_string(t->index) + ": " + reader.error().to_string());
            return false;
        }
        // The terminal's journal: seq -> hash, and where each application's reference sits.
        std::map<int64_t, std::string> local;
        std::map<std::string, std::vector<int64_t>> reference_seqs;
        int64_t after = 0;
        for (;;) {
            auto batch = reader->entries_after(after, 5000, 64 << 20);
            if (!batch.ok()) {
                say("reading terminal " + std::to_string(t->index) + ": " + batch.error().to_string());
                return false;
            }
            if (batch->empty())
                break;
            for (const auto& e : *batch) {
                local[e.seq] = e.hash;
                if (e.type == "application.submitted" && e.payload.contains("reference"))
                    reference_seqs[e.payload["reference"].get<std::string>()].push_back(e.seq);
                after = e.seq;
            }
        }
        auto stored = store.value()->entries(t->id);
        if (!stored.ok()) {
            say("central entries: " + stored.error().to_string());
            return false;
        }
        std::map<int64_t, std::string> remote;
        for (const auto& e : *stored) {
            if (remote.count(e.seq))
                ++m_duplicated; // the same seq stored twice
            remote[e.seq] = e.hash;
        }
        m_entries += static_cast<int64_t>(stored->size());
        int64_t mismatched = 0;
        for (const auto& [seq, hash] : local) {
            auto it = remote.find(seq);
            if (it == remote.end() || it->second != hash)
                ++mismatched;
        }
        for (const auto& [seq, hash] : remote)
            if (!local.count(seq))
                ++mismatched;
        if (mismatched) {
            say("terminal " + std::to_string(t->index) + ": " + std::to_string(mismatched) + " entries differ between the terminal and central");
            ok = false;
        }
        for (const auto& [ref, seqs] : reference_seqs) {
            journal_applications += static_cast<int64_t>(seqs.size());
            if (seqs.size() > 1) {
                say("reference " + ref + " is in " + std::to_string(seqs.size()) + " entries");
                m_duplicated += static_cast<int64_t>(seqs.size()) - 1;
            }
        }
        std::lock_guard lock(t->mutex);
        for (const auto& ref : t->acknowledged) {
            all_acknowledged.insert(ref);
            auto it = reference_seqs.find(ref);
            bool at_central = it != reference_seqs.end()
                && std::any_of(it->second.begin(), it->second.end(), [&](int64_t seq) {
                       auto r = remote.find(seq);
                       return r != remote.end() && r->second == local[seq];
                   });
            if (!at_central) {
                say("LOST: " + ref + " (terminal " + std::to_string(t->index) + ")");
                ++m_lost;
            }
        }
        for (const auto& [ref, seqs] : reference_seqs)
            if (!t->acknowledged.count(ref))
                ++m_unacknowledged_stored;
    }
    m_acknowledged = static_cast<int64_t>(all_acknowledged.size());
    // Central's projection holds each application once.
    auto counts = store.value()->counts();
    if (!counts.ok()) {
        say("central counts: " + counts.error().to_string());
        return false;
    }
    if (counts->applications > journal_applications) {
        say("central projects " + std::to_string(counts->applications) + " applications for " + std::to_string(journal_applications) + " submitted");
        m_duplicated += counts->applications - journal_applications;
    } else if (counts->applications < journal_applications) {
        say("central projects only " + std::to_string(counts->applications) + " applications of " + std::to_string(journal_applications));
        ok = false;
    }
    if (counts->fork_alarms != 0) {
        say("central raised " + std::to_string(counts->fork_alarms) + " fork alarms");
        ok = false;
    }
    // Every stored entry's signature and chain check out again.
    auto checked = central::verify_store(*store.value());
    if (!checked.ok() || !checked->ok()) {
        say("central verify: " + (checked.ok() ? std::string("entries do not verify") : checked.error().to_string()));
        ok = false;
    }
    store.value().reset();
    if (m_o.postgresql)
        return ok;
    // Central's database passes SQLite's own check.
    auto db = db::Db::open(central_dir() / "central.db", db::OpenMode::ReadOnly);
    if (!db.ok()) {
        say("cannot open central.db: " + db.error().to_string());
        return false;
    }
    auto st = db->prepare("PRAGMA integrity_check");
    std::string check = "failed";
    if (st.ok()) {
        auto row = st->step();
        if (row.ok() && row.value())
            check = st->text(0);
    }
    if (check != "ok") {
        say("central.db integrity_check: " + check);
        ok = false;
    }
    return ok;
}

int Torture::run()
{
    auto started = std::chrono::steady_clock::now();
    say("work folder " + m_o.work.string() + ", " + std::to_string(m_o.terminals) + " terminals, seed " + std::to_string(m_o.seed));
    if (!setup())
        return 2;
    // The chaos.
    m_proxy->set_plan(testing::random_plan(m_o.seed, m_o.net));
    m_proxy->set_cut_all_every(97);
    m_chaos = true;
    std::vector<std::thread> threads;
    threads.emplace_back([this] { central_loop(m_o.seed * 7 + 1); });
    for (auto& t : m_terminals) {
        threads.emplace_back([this, &t] { visits_loop(*t, m_o.seed * 7 + 2 + static_cast<uint64_t>(t->index) * 2); });
        threads.emplace_back([this, &t] { sync_loop(*t, m_o.seed * 7 + 3 + static_cast<uint64_t>(t->index) * 2); });
    }
    if (m_pg)
        threads.emplace_back([this] { postgres_loop(m_o.seed * 7 + 5); });
    // The run's budget is wall time; nothing in it waits for time to make something happen.
    auto chaos_end = std::chrono::steady_clock::now()
        + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(m_o.seconds));
    while (std::chrono::steady_clock::now() < chaos_end) {
        auto next = std::min(chaos_end, std::chrono::steady_clock::now() + std::chrono::seconds(30));
        std::this_thread::sleep_until(next);
        say("kills " + std::to_string(m_counts.kills_visits + m_counts.kills_sync + m_counts.kills_central + m_counts.kills_postgres)
            + ", faults "
            + std::to_string(m_io_terminal.value() + m_io_central.value() + m_proxy->faults()) + ", visits attempted "
            + std::to_string(m_counts.attempted.load()));
    }
    {
        std::lock_guard lock(m_central_mutex);
        m_chaos = false;
        if (m_central_pid > 0)
            ::kill(m_central_pid, SIGKILL);
    }
    for (auto& th : threads)
        th.join();
    // Faults stop: drain to a clean central, then count.
    bool drained = drain();
    bool verified = drained && verify();
    int64_t kills = m_counts.kills_visits + m_counts.kills_sync + m_counts.kills_central + m_counts.kills_postgres;
    int64_t io_t = m_io_terminal.value(), io_c = m_io_central.value(), net = m_proxy->faults();
    int64_t faults = io_t + io_c + net;
    double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60;
    std::printf("torture attempted %lld\n", static_cast<long long>(m_counts.attempted.load()));
    std::printf("torture acknowledged %lld\n", static_cast<long long>(m_acknowledged));
    std::printf("torture lost %lld\n", static_cast<long long>(m_lost));
    std::printf("torture duplicated %lld\n", static_cast<long long>(m_duplicated));
    std::printf("torture kills %lld\n", static_cast<long long>(kills));
    std::printf("torture faults %lld\n", static_cast<long long>(faults));
    std::printf("torture crashes %lld\n", static_cast<long long>(m_counts.crashes.load()));
    std::printf("torture detail store %s; kills: %lld visit runs, %lld sync runs, %lld central, %lld PostgreSQL; faults: %lld terminal I/O, "
                "%lld central I/O, %lld network; runs: %lld visit, %lld sync, %lld central (%lld failed to start); "
                "%lld visits failed cleanly; %lld clock jumps; %lld entries at central; %lld stored but not "
                "acknowledged (killed or failed between commit and the reference on screen); %.1f minutes\n",
                m_o.postgresql ? "postgresql" : "sqlite", static_cast<long long>(m_counts.kills_visits),
                static_cast<long long>(m_counts.kills_sync), static_cast<long long>(m_counts.kills_central),
                static_cast<long long>(m_counts.kills_postgres), static_cast<long long>(io_t), static_cast<long long>(io_c),
                static_cast<long long>(net), static_cast<long long>(m_counts.visit_runs), static_cast<long long>(m_counts.sync_runs),
                static_cast<long long>(m_counts.central_runs), static_cast<long long>(m_counts.central_failed_starts),
                static_cast<long long>(m_counts.visit_failures), static_cast<long long>(m_counts.clock_jumps),
                static_cast<long long>(m_entries), static_cast<long long>(m_unacknowledged_stored), minutes);
    std::fflush(stdout);
    bool ok = drained && verified && m_checks_ok && m_lost == 0 && m_duplicated == 0 && kills >= m_o.min_kills
        && faults >= m_o.min_faults;
    if (!drained || !verified || !m_checks_ok)
        say("checks FAILED (see above); work folder kept: " + m_o.work.string());
    if (kills < m_o.min_kills || faults < m_o.min_faults)
        say("below the minimum kills or faults");
    m_pg.reset(); // the cluster is stopped and its folder removed, whatever the outcome: never left running
    if (ok && !m_o.keep)
        fsys::remove_all(m_o.work);
    return ok ? 0 : 1;
}

int usage()
{
    std::cerr << "usage: nafitha-torture [--minutes M | --seconds S] [--terminals N] [--seed S] [--work DIR] [--keep]\n"
                 "                       [--min-kills N] [--min-faults N] [--bin DIR] [--fiu-lib FILE]\n"
                 "                       [--store sqlite|postgresql]\n";
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    Options o;
    fsys::path self = fsys::canonical("/proc/self/exe");
    o.bin = self.parent_path();
    o.fiu_lib = self.parent_path().parent_path() / "lib" / "libnafitha_fiu_faults.so";
    o.seed = static_cast<uint64_t>(clock::unix_ms());
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--minutes")
            o.seconds = std::atof(value().c_str()) * 60;
        else if (a == "--seconds")
            o.seconds = std::atof(value().c_str());
        else if (a == "--terminals")
            o.terminals = std::max(1, std::atoi(value().c_str()));
        else if (a == "--seed")
            o.seed = std::strtoull(value().c_str(), nullptr, 10);
        else if (a == "--work")
            o.work = value();
        else if (a == "--keep")
            o.keep = true;
        else if (a == "--min-kills")
            o.min_kills = std::atoll(value().c_str());
        else if (a == "--min-faults")
            o.min_faults = std::atoll(value().c_str());
        else if (a == "--bin")
            o.bin = value();
        else if (a == "--fiu-lib")
            o.fiu_lib = value();
        else if (a == "--store") {
            std::string kind = value();
            if (kind != "sqlite" && kind != "postgresql")
                return usage();
            o.postgresql = kind == "postgresql";
        }
        else
            return usage();
    }
    if (o.seconds <= 0)
        return usage();
    if (o.work.empty())
        o.work = fsys::temp_directory_path() / ("nafitha-torture-" + std::to_string(getpid()));
    for (const auto& need : {o.bin / "nafitha-ctl", o.bin / "nafitha-central", o.fiu_lib, fsys::path(kFiuPosix), fsys::path(kFaketime)})
        if (!fsys::exists(need)) {
            std::cerr << "nafitha-torture: missing " << need << " (installer/dev deps installs libfiu and libfaketime)\n";
            return 2;
        }
    std::signal(SIGPIPE, SIG_IGN);
    fsys::remove_all(o.work);
    fsys::create_directories(o.work);
    return Torture(std::move(o)).run();
}
