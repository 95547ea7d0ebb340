#include "base/process.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace nafitha::process {

namespace {

// A file descriptor closed when it goes out of scope.
struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    void reset()
    {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
};

struct FileActions {
    posix_spawn_file_actions_t a;
    FileActions() { posix_spawn_file_actions_init(&a); }
    ~FileActions() { posix_spawn_file_actions_destroy(&a); }
};

bool make_pipe(Fd& r, Fd& w)
{
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0)
        return false;
    r.fd = p[0];
    w.fd = p[1];
    return true;
}

} // namespace

Result<Outcome> run(const std::vector<std::string>& argv, const Options& options)
{
    if (argv.empty())
        return Error::make("error.process.start", "no program given");
    Fd in_r, in_w, out_r, out_w, err_r, err_w;
    if (!make_pipe(in_r, in_w) || !make_pipe(out_r, out_w) || (!options.inherit_stderr && !make_pipe(err_r, err_w)))
        return Error::make("error.process.start", std::string("pipe: ") + std::strerror(errno));

    FileActions fa;
    posix_spawn_file_actions_adddup2(&fa.a, in_r.fd, 0);
    posix_spawn_file_actions_adddup2(&fa.a, out_w.fd, 1);
    if (!options.inherit_stderr)
        posix_spawn_file_actions_adddup2(&fa.a, err_w.fd, 2);
    if (!options.cwd.empty())
        posix_spawn_file_actions_addchdir_np(&fa.a, options.cwd.c_str());

    std::map<std::string, std::string> env_map;
    for (char** e = environ; e && *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos)
            env_map[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : options.env)
        env_map[k] = v;
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env_map)
        env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = argv;
    std::vector<char*> argp;
    for (auto& s : args)
        argp.push_back(s.data());
    argp.push_back(nullptr);

    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, argp[0], &fa.a, nullptr, argp.data(), envp.data());
    if (rc != 0)
        return Error::make("error.process.start", argv[0] + ": " + std::strerror(rc));
    in_r.reset();
    out_w.reset();
    err_w.reset();

    // Feed stdin and drain stdout/stderr together, so that neither side blocks on a full pipe.
    Outcome outcome;
    size_t written = 0;
    if (options.stdin_data.empty())
        in_w.reset();
    else
        ::fcntl(in_w.fd, F_SETFL, O_NONBLOCK);
    struct sigaction ignore {}, old {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old);
    char buf[65536];
    while (out_r.fd >= 0 || err_r.fd >= 0 || in_w.fd >= 0) {
        pollfd fds[3];
        int n = 0;
        int i_out = -1, i_err = -1, i_in = -1;
        if (out_r.fd >= 0) { i_out = n; fds[n++] = {out_r.fd, POLLIN, 0}; }
        if (err_r.fd >= 0) { i_err = n; fds[n++] = {err_r.fd, POLLIN, 0}; }
        if (in_w.fd >= 0) { i_in = n; fds[n++] = {in_w.fd, POLLOUT, 0}; }
        if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        auto drain = [&](int idx, Fd& fd, std::string& into) {
            if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR)))
                return;
            ssize_t got = ::read(fd.fd, buf, sizeof buf);
            if (got <= 0) {
                if (got < 0 && errno == EINTR)
                    return;
                fd.reset();
                return;
            }
            size_t room = options.max_output_bytes > into.size() ? options.max_output_bytes - into.size() : 0;
            into.append(buf, std::min(room, static_cast<size_t>(got)));
        };
        drain(i_out, out_r, outcome.out);
        drain(i_err, err_r, outcome.err);
        if (i_in >= 0 && (fds[i_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t put = ::write(in_w.fd, options.stdin_data.data() + written, options.stdin_data.size() - written);
            if (put < 0 && errno != EAGAIN && errno != EINTR)
                in_w.reset();
            else if (put > 0 && (written += static_cast<size_t>(put)) >= options.stdin_data.size())
                in_w.reset();
        }
    }
    ::sigaction(SIGPIPE, &old, nullptr);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return outcome;
}

} // namespace nafitha::process
