#pragma once
// nafitha-central's server: the front door (central/front: listeners, limits, deadlines, one handler per
// route) wired to the store. The terminals' listener serves the protocol (docs/PROTOCOL.md); the operators'
// listener (loopback by default) serves /metrics and a detailed /v1/health.

#include "base/result.h"
#include "central/front/context.h"
#include "central/log.h"
#include "central/signatures.h"
#include "central/metrics.h"
#include "central/store.h"
#include "central/store/web_store.h"
#include "sync/protocol/crypto.h"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nafitha::central {

struct ServerConfig {
    std::filesystem::path data_dir; // the SQLite store and server.key (when store_url is empty)
    std::string store_url;          // postgresql://… : the shared store (central/store/store.h)
    std::filesystem::path key_file; // central's key (central/identity.h)
    // The signed apt repository served under /updates/ (central/updates.h); empty: DATA/updates when data_dir
    // is set, otherwise not served.
    std::filesystem::path updates_dir;
    std::string tls_cert; // both set: HTTPS on the terminals' listener
    std::string tls_key;
    // The request pool (signed reads, enrollment). Its threads mostly wait for the nonce commit (one fsync shared by
    // every request queued meanwhile), so there are more of them than cores. Ingest has its own (front.ingest_threads).
    int threads = 16;
    front::FrontConfig front;
    std::filesystem::path web_root; // the web application's files (paths::web_dir()), for bind_web
    int64_t web_idle_ms = 30LL * 60 * 1000; // a web session ends after this long without a request
};

// The server key pair in DIR/server.key (made on first use, mode 0600).
Result<protocol::KeyPair> load_or_create_server_key(const std::filesystem::path& data_dir);

// One-time enrollment codes: 12 characters from an unambiguous alphabet, shown as XXXX-XXXX-XXXX.
inline constexpr int64_t kEnrollmentCodeLifetimeMs = 24LL * 3600 * 1000;
std::string normalise_code(std::string_view code); // upper case, no dashes or spaces
Result<std::string> create_enrollment_code(Store& store, const std::string& centre, const std::string& name, int64_t now_ms);

// Verifies every entry's hash and signature (in parallel for large batches). Returns the first bad seq.
Result<void> verify_entries(const std::vector<protocol::Entry>& entries, const protocol::PublicKey& key, int64_t& bad_seq);

// Raises the soft limit of open files to the hard limit (each connection is a file). Returns the new limit.
uint64_t raise_open_files_limit();

class CentralServer {
public:
    static Result<std::unique_ptr<CentralServer>> create(ServerConfig config);
    ~CentralServer();

    // The terminals' listener on HOST:PORT (port 0 picks a free one); returns the port.
    Result<int> bind(const std::string& host, int port);
    // The operators' listener (/metrics, detailed health); returns the port.
    Result<int> bind_admin(const std::string& host, int port);
    // The web application's listener (central/front/web.h): pages, dashboard, back office, public page; HTTPS with
    // the terminals' certificate when one is configured. Returns the port.
    Result<int> bind_web(const std::string& host, int port);
    // Serves until stop() is called from another thread, then shuts down in order: stop accepting, finish the
    // requests in flight, close connections, flush metrics.
    void run();
    void stop();
    // Runs `job` every `every_ms` on the health monitor's thread, from run() on (call before run()). The systemd
    // watchdog ping goes there: a central whose monitor thread stalls stops pinging and is restarted.
    void add_periodic(std::function<void()> job, int64_t every_ms);
    // Waits until run() serves.
    void wait_until_running() const;

    Store& store() { return *m_store; }
    Metrics& metrics() { return m_metrics; }
    front::Context& context() { return *m_context; }
    TransparencyLog& log() { return *m_tlog; }
    DeferredSignatures& signatures() { return *m_signatures; }

private:
    CentralServer() = default;
    front::ListenerHooks hooks(const std::string& listener);
    void flush_metrics();

    ServerConfig m_config;
    std::unique_ptr<Store> m_store;
    protocol::KeyPair m_keys;
    Metrics m_metrics;
    front::LogLimiter m_log;
    std::unique_ptr<front::HealthMonitor> m_health;
    std::unique_ptr<front::Context> m_context;
    std::unique_ptr<TransparencyLog> m_tlog;
    std::unique_ptr<DeferredSignatures> m_signatures;
    std::unique_ptr<front::WorkPool> m_pool, m_ingest_pool;
    std::unique_ptr<front::Listener> m_terminals, m_admin, m_web;
    std::unique_ptr<WebStore> m_web_store;

    mutable std::mutex m_mutex;
    mutable std::condition_variable m_cv;
    bool m_stop_requested = false;
    bool m_running = false;
    bool m_finished = false;
};

} // namespace nafitha::central
