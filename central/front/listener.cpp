#include "central/front/listener.h"

#include "base/clock.h"
#include "base/fatal_signal.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace nafitha::central::front {

// ---- Request / Response helpers ----

namespace {

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

int64_t now_ms() { return clock::monotonic_ns() / 1'000'000; }

} // namespace

std::string_view Request::header(std::string_view name) const
{
    for (const auto& [k, v] : headers)
        if (iequals(k, name))
            return v;
    return {};
}

bool Request::has_header(std::string_view name) const
{
    for (const auto& [k, v] : headers)
        if (iequals(k, name))
            return true;
    return false;
}

std::optional<std::string> Request::param(std::string_view name) const
{
    std::string_view q = query;
    while (!q.empty()) {
        auto amp = q.find('&');
        std::string_view pair = q.substr(0, amp);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == name)
            return std::string(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
        if (amp == std::string_view::npos)
            break;
        q.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

Response Response::json(int status, const nlohmann::json& body)
{
    Response r;
    r.status = status;
    r.body = body.dump();
    return r;
}

Response Response::text(int status, std::string body, std::string content_type)
{
    Response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
}

Result<std::pair<std::string, int>> split_host_port(const std::string& text)
{
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size())
        return Error::make("error.central.listen", "expected HOST:PORT, got '" + text + "'");
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    int port = 0;
    for (char c : text.substr(colon + 1)) {
        if (c < '0' || c > '9' || port > 65535)
            return Error::make("error.central.listen", "bad port in '" + text + "'");
        port = port * 10 + (c - '0');
    }
    if (port > 65535)
        return Error::make("error.central.listen", "bad port in '" + text + "'");
    return std::make_pair(host, port);
}

// ---- The listener ----

namespace {

// One TCP connection, known to the event thread only.
struct Conn {
    int fd = -1;
    std::string peer;
    std::string raw_uri;      // the request target of the request being read, as sent
    int64_t deadline_ms = 0;  // 0 = none (a handler is running)
    bool shut = false;
};

} // namespace

// One request on a connection, from its headers to its completion.
struct Exchange {
    Listener::Impl* owner = nullptr;
    MHD_Connection* mhd = nullptr;
    Conn* conn = nullptr;
    Request request;
    const Route* route = nullptr;
    std::string label;
    std::optional<Response> pending; // the answer, ready to be queued
    bool dispatched = false;
    bool discard = false;            // the body is over its cap: read and dropped
    int discard_status = 413;
    int64_t content_length = -1;
    size_t reserved = 0;             // body bytes taken from the listener's budget
    int64_t started_ns = 0;
};

struct Listener::Impl {
    std::string name;
    ListenerLimits limits;
    ListenerHooks hooks;
    WorkPool& pool;
    WorkPool& ingest_pool;
    std::vector<std::unique_ptr<Route>> routes;
    std::unordered_map<std::string, std::vector<const Route*>> by_path;

    MHD_Daemon* daemon = nullptr;
    int listen_fd = -1;
    int wake_fd = -1;
    int port = 0;
    std::string tls_cert, tls_key; // must outlive the daemon
    std::thread thread;
    std::atomic<bool> stopping{false};
    std::atomic<bool> running{false};
    std::atomic<size_t> open{0};
    std::atomic<size_t> body_bytes{0};
    std::unordered_set<Conn*> conns; // event thread only
    int64_t next_sweep_ms = 0;

    Impl(std::string n, ListenerLimits l, ListenerHooks h, WorkPool& p, WorkPool& ip)
        : name(std::move(n)), limits(l), hooks(std::move(h)), pool(p), ingest_pool(ip)
    {
    }

    void event(const char* what)
    {
        if (hooks.on_event)
            hooks.on_event(what);
    }

    Response refusal(int status, const std::string& code, const std::string& detail)
    {
        if (hooks.refusal)
            return hooks.refusal(status, code, detail);
        return Response::json(status, {{"error", code}, {"detail", detail}});
    }

    Response overloaded(const std::string& why)
    {
        auto r = refusal(503, "error.central.overloaded", "the server is busy; try again later");
        r.headers.emplace_back("Retry-After", std::to_string(limits.retry_after_s));
        if (hooks.log)
            hooks.log("503 overloaded (" + why + ")");
        return r;
    }

    bool reserve(size_t n)
    {
        size_t cur = body_bytes.load();
        do {
            if (cur + n > limits.bodies_in_flight_bytes)
                return false;
        } while (!body_bytes.compare_exchange_weak(cur, cur + n));
        return true;
    }

    void release(Exchange* ex)
    {
        if (ex->reserved) {
            body_bytes -= ex->reserved;
            ex->reserved = 0;
        }
    }

    MHD_Result queue(Exchange* ex)
    {
        Response& r = *ex->pending;
        int64_t elapsed = clock::monotonic_ns() - ex->started_ns;
        if (hooks.on_response)
            hooks.on_response(ex->request, r, ex->label, elapsed);
        release(ex);
        std::string().swap(ex->request.body);
        MHD_Response* m = MHD_create_response_from_buffer(r.body.size(), r.body.data(), MHD_RESPMEM_MUST_COPY);
        if (!m)
            return MHD_NO;
        MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
        for (const auto& [k, v] : r.headers)
            MHD_add_response_header(m, k.c_str(), v.c_str());
        MHD_Result ok = MHD_queue_response(ex->mhd, static_cast<unsigned>(r.status), m);
        MHD_destroy_response(m);
        if (ex->conn)
            ex->conn->deadline_ms = now_ms() + limits.write_timeout_ms
                + static_cast<int64_t>(r.body.size() * 1000 / std::max<size_t>(1, limits.min_rate_bytes_per_s));
        return ok;
    }

    static Response run_handler(Exchange* ex)
    {
        try {
            return ex->route->handler(ex->request);
        } catch (const std::exception& e) {
            if (ex->owner->hooks.log)
                ex->owner->hooks.log(std::string("handler threw: ") + e.what());
        } catch (...) {
        }
        return ex->owner->refusal(500, "error.central.internal", "internal error");
    }

    MHD_Result first_call(Exchange* ex, const char* url, const char* method)
    {
        ex->request.method = method;
        ex->request.target = ex->conn && !ex->conn->raw_uri.empty() ? ex->conn->raw_uri : std::string(url);
        auto q = ex->request.target.find('?');
        ex->request.path = ex->request.target.substr(0, q);
        if (q != std::string::npos)
            ex->request.query = ex->request.target.substr(q + 1);
        if (ex->conn)
            ex->request.peer = ex->conn->peer;
        MHD_get_connection_values(
            ex->mhd, MHD_HEADER_KIND,
            [](void* cls, MHD_ValueKind, const char* key, const char* value) -> MHD_Result {
                auto* req = static_cast<Request*>(cls);
                if (req->headers.size() >= 100)
                    return MHD_NO;
                std::string k = key ? key : "";
                for (auto& c : k)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                req->headers.emplace_back(std::move(k), value ? value : "");
                return MHD_YES;
            },
            &ex->request);

        auto found = by_path.find(ex->request.path);
        if (found == by_path.end()) {
            // A route whose path ends with '/' serves everything under it (the update repository's files).
            for (const auto& [prefix, list] : by_path)
                if (prefix.size() > 1 && prefix.back() == '/' && ex->request.path.size() > prefix.size()
                    && ex->request.path.compare(0, prefix.size(), prefix) == 0) {
                    found = by_path.find(prefix);
                    break;
                }
        }
        if (found == by_path.end()) {
            ex->label = "other";
            ex->pending = refusal(404, "error.central.not_found", "no such endpoint");
            return queue(ex);
        }
        for (const Route* r : found->second)
            if (r->method == ex->request.method)
                ex->route = r;
        if (!ex->route) {
            ex->label = found->second.front()->label;
            ex->pending = refusal(405, "error.central.method", "method not allowed here");
            std::string allow;
            for (const Route* r : found->second)
                allow += (allow.empty() ? "" : ", ") + r->method;
            ex->pending->headers.emplace_back("Allow", allow);
            return queue(ex);
        }
        ex->label = ex->route->label;
        auto cl = ex->request.header("content-length");
        if (!cl.empty()) {
            int64_t n = 0;
            for (char c : cl) {
                if (c < '0' || c > '9' || n > (INT64_MAX - 9) / 10) {
                    ex->pending = refusal(400, "error.central.bad_request", "malformed Content-Length");
                    return queue(ex);
                }
                n = n * 10 + (c - '0');
            }
            ex->content_length = n;
            if (static_cast<size_t>(n) > ex->route->max_body_bytes) {
                ex->pending = refusal(413, "error.sync.body_too_large",
                                      "body of " + std::to_string(n) + " bytes; at most "
                                          + std::to_string(ex->route->max_body_bytes) + " here");
                return queue(ex);
            }
            if (n > 0) {
                if (!reserve(static_cast<size_t>(n))) {
                    event("body_budget");
                    ex->pending = overloaded("body budget spent");
                    return queue(ex);
                }
                ex->reserved = static_cast<size_t>(n);
                ex->request.body.reserve(static_cast<size_t>(n));
            }
        }
        if (ex->conn) {
            int64_t announced = std::max<int64_t>(0, ex->content_length);
            ex->conn->deadline_ms = now_ms() + limits.body_timeout_ms
                + announced * 1000 / static_cast<int64_t>(std::max<size_t>(1, limits.min_rate_bytes_per_s));
        }
        return MHD_YES;
    }

    void body_data(Exchange* ex, const char* data, size_t size)
    {
        if (ex->discard)
            return;
        size_t need = ex->request.body.size() + size;
        if (need > ex->route->max_body_bytes) {
            ex->discard = true;
            ex->discard_status = 413;
        } else if (need > ex->reserved) {
            // Chunked or longer than announced: take more budget as it comes.
            if (!reserve(need - ex->reserved)) {
                event("body_budget");
                ex->discard = true;
                ex->discard_status = 503;
            } else {
                ex->reserved = need;
            }
        }
        if (ex->discard) {
            release(ex);
            std::string().swap(ex->request.body);
            return;
        }
        ex->request.body.append(data, size);
    }

    MHD_Result dispatch(Exchange* ex)
    {
        if (ex->discard) {
            ex->pending = ex->discard_status == 413
                ? refusal(413, "error.sync.body_too_large", "body over " + std::to_string(ex->route->max_body_bytes) + " bytes")
                : overloaded("body budget spent");
            return queue(ex);
        }
        if (ex->route->run_on == RunOn::Inline) {
            ex->pending = run_handler(ex);
            return queue(ex);
        }
        WorkPool& target = ex->route->run_on == RunOn::IngestPool ? ingest_pool : pool;
        MHD_suspend_connection(ex->mhd);
        ex->dispatched = true;
        if (ex->conn)
            ex->conn->deadline_ms = 0;
        bool queued = target.try_submit([ex] {
            ex->pending = run_handler(ex);
            int wake = ex->owner->wake_fd;
            MHD_resume_connection(ex->mhd);
            // Wake the event thread now (libmicrohttpd's own signal does not reach an external epoll loop).
            uint64_t one = 1;
            ssize_t n = ::write(wake, &one, sizeof one);
            (void)n;
        });
        if (!queued) {
            event("overloaded");
            ex->pending = overloaded("work queue full");
            MHD_resume_connection(ex->mhd);
        }
        return MHD_YES;
    }

    // ---- libmicrohttpd callbacks (all on the event thread) ----

    static Conn* conn_of(MHD_Connection* c)
    {
        const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        return info ? static_cast<Conn*>(info->socket_context) : nullptr;
    }

    static MHD_Result on_access(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                                const char* upload_data, size_t* upload_data_size, void** con_cls)
    {
        auto* self = static_cast<Impl*>(cls);
        auto* ex = static_cast<Exchange*>(*con_cls);
        if (!ex) {
            ex = new Exchange();
            *con_cls = ex;
            ex->owner = self;
            ex->mhd = c;
            ex->conn = conn_of(c);
            ex->started_ns = clock::monotonic_ns();
            return self->first_call(ex, url, method);
        }
        if (ex->pending && !ex->dispatched && *upload_data_size) {
            // Refused before the body: drop what still arrives.
            *upload_data_size = 0;
            return MHD_YES;
        }
        if (*upload_data_size) {
            self->body_data(ex, upload_data, *upload_data_size);
            *upload_data_size = 0;
            return MHD_YES;
        }
        if (ex->pending)
            return self->queue(ex);
        if (ex->dispatched)
            return MHD_YES; // resumed without an answer: cannot happen, wait
        return self->dispatch(ex);
    }

    static void on_completed(void* cls, MHD_Connection* c, void** con_cls, MHD_RequestTerminationCode)
    {
        auto* self = static_cast<Impl*>(cls);
        auto* ex = static_cast<Exchange*>(*con_cls);
        if (ex) {
            self->release(ex);
            delete ex;
            *con_cls = nullptr;
        }
        if (Conn* conn = conn_of(c)) {
            conn->raw_uri.clear();
            conn->deadline_ms = now_ms() + self->limits.header_timeout_ms;
        }
    }

    static void on_connection(void* cls, MHD_Connection* c, void** socket_context, MHD_ConnectionNotificationCode code)
    {
        auto* self = static_cast<Impl*>(cls);
        if (code == MHD_CONNECTION_NOTIFY_STARTED) {
            auto* conn = new Conn();
            if (const auto* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD))
                conn->fd = info->connect_fd;
            if (const auto* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS)) {
                char text[INET6_ADDRSTRLEN] = "?";
                const sockaddr* sa = info->client_addr;
                if (sa && sa->sa_family == AF_INET)
                    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
                else if (sa && sa->sa_family == AF_INET6)
                    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
                conn->peer = text;
            }
            conn->deadline_ms = now_ms() + self->limits.header_timeout_ms;
            self->conns.insert(conn);
            *socket_context = conn;
            ++self->open;
        } else {
            auto* conn = static_cast<Conn*>(*socket_context);
            if (conn) {
                self->conns.erase(conn);
                delete conn;
                *socket_context = nullptr;
                --self->open;
            }
        }
    }

    static void* on_uri(void* cls, const char* uri, MHD_Connection* c)
    {
        (void)cls;
        if (Conn* conn = conn_of(c))
            conn->raw_uri = uri ? uri : "";
        return nullptr;
    }

    static void on_mhd_log(void* cls, const char* fmt, va_list ap)
    {
        auto* self = static_cast<Impl*>(cls);
        char buf[512];
        vsnprintf(buf, sizeof buf, fmt, ap);
        std::string line = buf;
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
            line.pop_back();
        if (self->hooks.log)
            self->hooks.log("libmicrohttpd (" + self->name + "): " + line);
    }

    // Shuts down connections past their deadline. The event thread is the only one that closes sockets, so
    // every fd in `conns` is still open here.
    void sweep()
    {
        int64_t now = now_ms();
        if (now < next_sweep_ms)
            return;
        next_sweep_ms = now + 100;
        for (Conn* conn : conns) {
            if (conn->shut || conn->deadline_ms == 0 || now < conn->deadline_ms)
                continue;
            conn->shut = true;
            ::shutdown(conn->fd, SHUT_RDWR);
            event("deadline_shutdown");
        }
    }

    void loop()
    {
        fatal_signal::init_thread();
        pthread_setname_np(pthread_self(), ("http-" + name).substr(0, 15).c_str());
        const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
        int epfd = info ? info->epoll_fd : -1;
        pollfd fds[2] = {{epfd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
        running = true;
        while (!stopping) {
            int timeout = 100;
            MHD_UNSIGNED_LONG_LONG mhd_timeout = 0;
            if (MHD_get_timeout(daemon, &mhd_timeout) == MHD_YES)
                timeout = static_cast<int>(std::min<MHD_UNSIGNED_LONG_LONG>(mhd_timeout, 100));
            fds[0].revents = fds[1].revents = 0;
            ::poll(fds, 2, timeout);
            if (fds[1].revents) {
                uint64_t v;
                ssize_t n = ::read(wake_fd, &v, sizeof v);
                (void)n;
            }
            MHD_run(daemon);
            sweep();
        }
        running = false;
    }
};

Listener::Listener(std::string name, ListenerLimits limits, ListenerHooks hooks, WorkPool& pool, WorkPool& ingest_pool)
    : m_impl(std::make_unique<Impl>(std::move(name), limits, std::move(hooks), pool, ingest_pool))
{
}

Listener::~Listener()
{
    stop();
}

void Listener::add_route(Route route)
{
    if (route.label.empty())
        route.label = route.path;
    auto owned = std::make_unique<Route>(std::move(route));
    m_impl->by_path[owned->path].push_back(owned.get());
    m_impl->routes.push_back(std::move(owned));
}

Result<int> Listener::bind(const std::string& host, int port, const TlsFiles* tls)
{
    auto& d = *m_impl;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    std::string port_text = std::to_string(port);
    if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port_text.c_str(), &hints, &found); rc != 0)
        return Error::make("error.central.listen", "cannot resolve " + host + ": " + gai_strerror(rc));
    int fd = -1;
    std::string why;
    int family = AF_INET;
    for (addrinfo* a = found; a; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, d.limits.backlog) == 0) {
            family = a->ai_family;
            break;
        }
        why = std::strerror(errno);
        ::close(fd);
        fd = -1;
    }
    freeaddrinfo(found);
    if (fd < 0)
        return Error::make("error.central.listen", "cannot listen on " + host + ":" + port_text + (why.empty() ? "" : ": " + why));
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    d.port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    d.listen_fd = fd;

    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    std::vector<MHD_OptionItem> options = {
        {MHD_OPTION_LISTEN_SOCKET, fd, nullptr},
        {MHD_OPTION_CONNECTION_LIMIT, d.limits.max_connections, nullptr},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, d.limits.max_connections_per_address, nullptr},
        {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(std::max<int64_t>(1, d.limits.header_timeout_ms / 1000) + 1), nullptr},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(d.limits.connection_memory_bytes), nullptr},
        {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&Impl::on_completed), &d},
        {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&Impl::on_connection), &d},
        {MHD_OPTION_URI_LOG_CALLBACK, reinterpret_cast<intptr_t>(&Impl::on_uri), &d},
        {MHD_OPTION_STRICT_FOR_CLIENT, 1, nullptr},
    };
    if (tls) {
        flags |= MHD_USE_TLS;
        d.tls_cert = tls->cert_pem;
        d.tls_key = tls->key_pem;
        options.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, d.tls_cert.data()});
        options.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, d.tls_key.data()});
    }
    options.push_back({MHD_OPTION_END, 0, nullptr});
    // The logger must be the very first option.
    d.daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, &Impl::on_access, &d, MHD_OPTION_EXTERNAL_LOGGER,
                                &Impl::on_mhd_log, &d, MHD_OPTION_ARRAY, options.data(), MHD_OPTION_END);
    if (!d.daemon) {
        ::close(fd);
        d.listen_fd = -1;
        return Error::make(tls ? "error.central.tls" : "error.central.listen",
                           tls ? "cannot start HTTPS (certificate or key not usable)" : "cannot start the HTTP daemon");
    }
    d.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return d.port;
}

void Listener::start()
{
    auto& d = *m_impl;
    if (!d.daemon || d.thread.joinable())
        return;
    d.stopping = false;
    d.thread = std::thread([&d] { d.loop(); });
    while (!d.running)
        std::this_thread::yield();
}

void Listener::quiesce()
{
    auto& d = *m_impl;
    if (d.daemon && d.listen_fd >= 0) {
        MHD_socket s = MHD_quiesce_daemon(d.daemon);
        if (s != MHD_INVALID_SOCKET)
            ::close(s);
        d.listen_fd = -1;
    }
}

void Listener::stop()
{
    auto& d = *m_impl;
    if (d.thread.joinable()) {
        d.stopping = true;
        uint64_t one = 1;
        ssize_t n = ::write(d.wake_fd, &one, sizeof one);
        (void)n;
        d.thread.join();
    }
    if (d.daemon) {
        MHD_stop_daemon(d.daemon);
        d.daemon = nullptr;
        for (Conn* conn : d.conns)
            delete conn;
        d.conns.clear();
        if (d.listen_fd >= 0)
            ::close(d.listen_fd);
        d.listen_fd = -1;
    }
    if (d.wake_fd >= 0) {
        ::close(d.wake_fd);
        d.wake_fd = -1;
    }
}

int Listener::port() const { return m_impl->port; }
const std::string& Listener::name() const { return m_impl->name; }
size_t Listener::open_connections() const { return m_impl->open.load(); }
bool Listener::running() const { return m_impl->running.load(); }

} // namespace nafitha::central::front
