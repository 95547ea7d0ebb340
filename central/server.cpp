#include "central/server.h"
#include "central/updates.h"

#include "central/front/web.h"

#include "central/identity.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "sync/protocol/gzip.h"
#include "sync/protocol/messages.h"

#include "central/front/routes.h"

#include <sodium.h>

#include <csignal>
#include <fstream>
#include <future>
#include <sstream>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace nafitha::central {

Result<protocol::KeyPair> load_or_create_server_key(const std::filesystem::path& data_dir)
{
    auto path = data_dir / "server.key";
    protocol::KeyPair keys;
    if (std::filesystem::exists(path)) {
        auto text = TRY(fs::read_file(path, 4096));
        while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
            text.pop_back();
        keys.secret_key = TRY(protocol::decode_secret_key(text));
        crypto_sign_ed25519_sk_to_pk(keys.public_key.data(), keys.secret_key.data());
        return keys;
    }
    keys = protocol::generate_keypair();
    TRY(fs::write_file_atomic(path, protocol::encode_secret_key(keys.secret_key) + "\n", 0600));
    return keys;
}

std::string normalise_code(std::string_view code)
{
    std::string out;
    for (char c : code) {
        if (c == '-' || c == ' ')
            continue;
        out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    }
    return out;
}

Result<std::string> create_enrollment_code(Store& store, const std::string& centre, const std::string& name, int64_t now_ms)
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no I, O, 0, 1
    protocol::init_crypto();
    std::string raw;
    for (int i = 0; i < 12; ++i)
        raw.push_back(alphabet[randombytes_uniform(sizeof alphabet - 1)]);
    EnrollmentCode code;
    code.code_hash = protocol::sha256_hex(raw);
    code.centre = centre;
    code.name = name;
    code.created_ms = now_ms;
    code.expires_ms = now_ms + kEnrollmentCodeLifetimeMs;
    TRY(store.add_enrollment_code(code));
    return raw.substr(0, 4) + "-" + raw.substr(4, 4) + "-" + raw.substr(8, 4);
}

Result<void> verify_entries(const std::vector<protocol::Entry>& entries, const protocol::PublicKey& key, int64_t& bad_seq)
{
    auto check_range = [&](size_t from, size_t to) -> std::pair<size_t, Error> {
        for (size_t i = from; i < to; ++i) {
            auto r = protocol::verify_entry(entries[i], key);
            if (!r.ok())
                return {i, r.error()};
        }
        return {to, Error{}};
    };
    size_t n = entries.size();
    unsigned workers = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
    if (n < 64 || workers == 1) {
        auto [i, err] = check_range(0, n);
        if (i != n) {
            bad_seq = entries[i].seq;
            return err;
        }
        return {};
    }
    std::vector<std::future<std::pair<size_t, Error>>> parts;
    size_t chunk = (n + workers - 1) / workers;
    for (size_t from = chunk; from < n; from += chunk)
        parts.push_back(std::async(std::launch::async, check_range, from, std::min(n, from + chunk)));
    std::vector<std::pair<size_t, Error>> results;
    results.push_back(check_range(0, std::min(n, chunk)));
    for (auto& p : parts)
        results.push_back(p.get());
    for (size_t k = 0; k < results.size(); ++k) {
        size_t end = std::min(n, (k + 1) * chunk);
        if (results[k].first != end) {
            bad_seq = entries[results[k].first].seq;
            return results[k].second;
        }
    }
    return {};
}

uint64_t raise_open_files_limit()
{
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return 0;
    rlim_t want = lim.rlim_max == RLIM_INFINITY ? rlim_t(1) << 20 : lim.rlim_max;
    if (lim.rlim_cur < want) {
        lim.rlim_cur = want;
        setrlimit(RLIMIT_NOFILE, &lim);
        getrlimit(RLIMIT_NOFILE, &lim);
    }
    return static_cast<uint64_t>(lim.rlim_cur);
}

namespace {

Result<std::string> read_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Error::make("error.central.tls", "cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string instance_name()
{
    char host[256] = "central";
    gethostname(host, sizeof host - 1);
    return std::string(host) + ":" + std::to_string(getpid());
}

} // namespace

Result<std::unique_ptr<CentralServer>> CentralServer::create(ServerConfig config)
{
    protocol::init_crypto();
    // A client that goes away mid-answer must not kill the server.
    std::signal(SIGPIPE, SIG_IGN);
    raise_open_files_limit();
    std::unique_ptr<CentralServer> s(new CentralServer());
    s->m_config = std::move(config);
    auto& front = s->m_config.front;
    front.pool_threads = static_cast<size_t>(std::max(1, s->m_config.threads));
    // One PostgreSQL connection per worker that may use the store at once (request and ingest pools, the health
    // monitor), so that no request waits for a connection.
    OpenOptions store_options;
    store_options.pool_size = static_cast<int>(front.pool_threads + front.ingest_threads + 2);
    s->m_store = TRY(open_store(StoreLocation{s->m_config.data_dir, s->m_config.store_url}, store_options));
    s->m_keys = TRY(load_central_key(*s->m_store, s->m_config.data_dir, s->m_config.key_file));
    // Free disk is watched where the data folder is (for PostgreSQL without one: where the instance runs).
    auto disk = s->m_config.data_dir.empty() ? std::filesystem::current_path() : s->m_config.data_dir;
    s->m_health = std::make_unique<front::HealthMonitor>(*s->m_store, disk, front.health, instance_name());
    s->m_context = std::make_unique<front::Context>(*s->m_store, s->m_keys, s->m_metrics, s->m_log, *s->m_health, front,
                                                    instance_name());
    s->m_signatures = std::make_unique<DeferredSignatures>(*s->m_store, &s->m_metrics);
    s->m_context->signatures = s->m_signatures.get();
    s->m_pool = std::make_unique<front::WorkPool>("central-pool", front.pool_threads, front.pool_queue);
    s->m_ingest_pool = std::make_unique<front::WorkPool>("central-ingest", front.ingest_threads, front.ingest_queue);

    auto& ctx = *s->m_context;
    s->m_terminals = std::make_unique<front::Listener>("terminals", front.terminals, s->hooks("terminals"), *s->m_pool,
                                                       *s->m_ingest_pool);
    // Every answer on the terminals' listener is signed by central, bound to the request it answers
    // (sync/protocol/signed.h); the listener's own refusals (404, 413, 503) are not, and terminals treat an
    // unsigned refusal as a passing failure.
    auto signed_route = [&ctx](front::Route r) {
        r.handler = [&ctx, inner = std::move(r.handler)](front::Request& req) {
            auto res = inner(req);
            ctx.sign_answer(req, res);
            return res;
        };
        return r;
    };
    s->m_terminals->add_route(front::health_route(ctx, false));
    s->m_terminals->add_route(signed_route(front::enroll_route(ctx)));
    s->m_terminals->add_route(signed_route(front::terminal_route(ctx)));
    s->m_terminals->add_route(signed_route(front::ingest_route(ctx)));
    s->m_terminals->add_route(signed_route(front::status_route(ctx)));
    s->m_terminals->add_route(signed_route(front::catalogue_route(ctx)));
    s->m_terminals->add_route(signed_route(front::alarm_route(ctx)));
    s->m_terminals->add_route(signed_route(front::terminal_health_route(ctx)));
    std::filesystem::path updates = !s->m_config.updates_dir.empty() ? s->m_config.updates_dir
        : !s->m_config.data_dir.empty() ? updates::repo_dir(s->m_config.data_dir) : std::filesystem::path();
    if (!updates.empty())
        s->m_terminals->add_route(front::updates_route(ctx, updates));

    // The transparency log: loaded from the store (it survives restarts), served read-only to anyone.
    s->m_tlog = std::make_unique<TransparencyLog>(*s->m_store, s->m_keys);
    TRY(s->m_tlog->catch_up());
    for (auto& route : front::log_routes(ctx, *s->m_tlog))
        s->m_terminals->add_route(std::move(route));
    s->m_admin = std::make_unique<front::Listener>("admin", front.admin, s->hooks("admin"), *s->m_pool, *s->m_ingest_pool);
    s->m_admin->add_route(front::health_route(ctx, true));
    s->m_admin->add_route(front::metrics_route(ctx, {s->m_terminals.get(), s->m_admin.get()}));
    s->m_admin->add_route(front::indicators_route(ctx));
    s->m_admin->add_route(front::log_checkpoint_now_route(ctx, *s->m_tlog));
    if (front.checkpoint_every_ms > 0)
        s->m_health->add_periodic(
            [raw = s.get()] {
                if (auto cp = raw->m_tlog->make_checkpoint(clock::unix_ms()); !cp.ok())
                    raw->m_log.write(log::Level::Warn, "central", "checkpoint: " + cp.error().to_string());
            },
            front.checkpoint_every_ms);

    s->m_health->add_periodic([raw = s.get()] { raw->flush_metrics(); }, 5000);
    s->m_health->add_periodic([raw = s.get()] { (void)raw->m_store->expire_state(clock::unix_ms()); }, 60'000);
    return s;
}

front::ListenerHooks CentralServer::hooks(const std::string& listener)
{
    front::ListenerHooks h;
    h.on_response = [this](const front::Request&, front::Response& res, const std::string& label, int64_t) {
        res.headers.emplace_back(protocol::kHeaderServerTime, std::to_string(clock::unix_ms()));
        m_metrics.count_request(label, res.status);
    };
    h.refusal = [this](int status, const std::string& code, const std::string& detail) {
        m_metrics.count_refusal(code);
        protocol::ErrorResponse body;
        body.error = code;
        body.detail = detail;
        body.server_time_ms = clock::unix_ms();
        return front::Response::json(status, protocol::to_json(body));
    };
    h.on_event = [this](const char* event) { m_metrics.count_event(event); };
    h.log = [this, listener](const std::string& line) { m_log.write(log::Level::Warn, "central", listener + ": " + line); };
    return h;
}

void CentralServer::flush_metrics()
{
    auto deltas = m_metrics.take_unflushed();
    if (deltas.empty())
        return;
    if (!m_store->add_counters(deltas).ok())
        m_metrics.restore_unflushed(deltas);
}

CentralServer::~CentralServer()
{
    stop();
    std::unique_lock lock(m_mutex);
    bool ran = m_running || m_finished;
    lock.unlock();
    if (!ran) {
        // Never served: just release what was prepared (create() may have failed half-way, on an I/O error
        // opening the store for example, before the listeners and pools existed).
        if (m_terminals)
            m_terminals->stop();
        if (m_admin)
            m_admin->stop();
        if (m_web)
            m_web->stop();
        if (m_pool)
            m_pool->stop();
        if (m_ingest_pool)
            m_ingest_pool->stop();
    }
}

Result<int> CentralServer::bind(const std::string& host, int port)
{
    if (m_config.tls_cert.empty() != m_config.tls_key.empty())
        return Error::make("error.central.tls", "the TLS certificate and key go together");
    if (!m_config.tls_cert.empty()) {
        front::TlsFiles tls{TRY(read_text(m_config.tls_cert)), TRY(read_text(m_config.tls_key))};
        return m_terminals->bind(host, port, &tls);
    }
    return m_terminals->bind(host, port);
}

Result<int> CentralServer::bind_web(const std::string& host, int port)
{
    if (m_config.tls_cert.empty() != m_config.tls_key.empty())
        return Error::make("error.central.tls", "the TLS certificate and key go together");
    m_web_store = TRY(open_web_store(StoreLocation{m_config.data_dir, m_config.store_url}));
    // The same limits as the operators' listener: deadlines, connection caps, body caps per route.
    m_web = std::make_unique<front::Listener>("web", m_config.front.admin, hooks("web"), *m_pool, *m_ingest_pool);
    front::WebConfig web;
    web.root = m_config.web_root;
    web.secure_cookies = !m_config.tls_cert.empty();
    web.idle_ms = m_config.web_idle_ms;
    TRY(front::add_web_routes(*m_web, *m_context, *m_web_store, web));
    m_web->add_route(front::health_route(*m_context, false));
    m_health->add_periodic([raw = m_web_store.get()] { (void)raw->expire_sessions(clock::unix_ms()); }, 60'000);
    if (!m_config.tls_cert.empty()) {
        front::TlsFiles tls{TRY(read_text(m_config.tls_cert)), TRY(read_text(m_config.tls_key))};
        return m_web->bind(host, port, &tls);
    }
    return m_web->bind(host, port);
}

Result<int> CentralServer::bind_admin(const std::string& host, int port)
{
    if (host != "127.0.0.1" && host != "::1" && host != "localhost")
        log::warn("central", "the operators' listener (/metrics) is on " + host + ", not on loopback: keep it behind a firewall");
    return m_admin->bind(host, port);
}

void CentralServer::add_periodic(std::function<void()> job, int64_t every_ms)
{
    m_health->add_periodic(std::move(job), every_ms);
}

void CentralServer::run()
{
    m_health->start();
    m_terminals->start();
    m_admin->start();
    if (m_web)
        m_web->start();
    {
        std::unique_lock lock(m_mutex);
        m_running = true;
        m_cv.notify_all();
        m_cv.wait(lock, [&] { return m_stop_requested; });
    }
    // Stop accepting; let the pools finish what they hold (their answers still go out); then close.
    m_terminals->quiesce();
    m_admin->quiesce();
    if (m_web)
        m_web->quiesce();
    m_pool->stop();
    m_ingest_pool->stop();
    m_terminals->stop();
    m_admin->stop();
    if (m_web)
        m_web->stop();
    m_signatures->wait_idle();
    m_health->stop();
    flush_metrics();
    std::lock_guard lock(m_mutex);
    m_running = false;
    m_finished = true;
    m_cv.notify_all();
}

void CentralServer::stop()
{
    std::lock_guard lock(m_mutex);
    m_stop_requested = true;
    m_cv.notify_all();
}

void CentralServer::wait_until_running() const
{
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_running || m_finished; });
}

} // namespace nafitha::central
