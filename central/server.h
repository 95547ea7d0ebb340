#pragma once
// The HTTP(S) face of nafitha-central: enrollment, signed ingest, status and catalogue pulls, health, metrics.
// docs/PROTOCOL.md is the reference for every endpoint.

#include "base/result.h"
#include "central/metrics.h"
#include "central/store.h"
#include "sync/protocol/crypto.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace httplib {
class Server;
}

namespace nafitha::central {

struct ServerConfig {
    std::filesystem::path data_dir;
    std::string tls_cert; // both set: HTTPS
    std::string tls_key;
    int threads = 8;
};

// The server key pair in DIR/server.key (made on first use, mode 0600).
Result<protocol::KeyPair> load_or_create_server_key(const std::filesystem::path& data_dir);

// One-time enrollment codes: 12 characters from an unambiguous alphabet, shown as XXXX-XXXX-XXXX.
inline constexpr int64_t kEnrollmentCodeLifetimeMs = 24LL * 3600 * 1000;
std::string normalise_code(std::string_view code); // upper case, no dashes or spaces
Result<std::string> create_enrollment_code(Store& store, const std::string& centre, const std::string& name, int64_t now_ms);

// Verifies every entry's hash and signature (in parallel for large batches). Returns the first bad seq.
Result<void> verify_entries(const std::vector<protocol::Entry>& entries, const protocol::PublicKey& key, int64_t& bad_seq);

class CentralServer {
public:
    static Result<std::unique_ptr<CentralServer>> create(ServerConfig config);
    ~CentralServer();

    // Binds HOST:PORT (port 0 picks a free one) and returns the port.
    Result<int> bind(const std::string& host, int port);
    // Serves until stop() is called from another thread.
    void run();
    void stop();
    // Polls until the server accepts connections (after run() started on another thread).
    void wait_until_running() const;

    Store& store() { return *m_store; }
    Metrics& metrics() { return m_metrics; }

private:
    CentralServer() = default;
    void install_routes();

    ServerConfig m_config;
    std::unique_ptr<Store> m_store;
    protocol::KeyPair m_keys;
    Metrics m_metrics;
    std::unique_ptr<httplib::Server> m_http;
    struct Nonces;
    std::unique_ptr<Nonces> m_nonces;
};

} // namespace nafitha::central
