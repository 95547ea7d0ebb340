#include "central/server.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "sync/protocol/gzip.h"
#include "sync/protocol/messages.h"

#include <httplib.h>
#include <sodium.h>

#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace nafitha::central {

using protocol::ErrorResponse;

// Nonces seen within the clock window, so that a captured request cannot be replayed.
struct CentralServer::Nonces {
    std::mutex mutex;
    std::unordered_map<std::string, int64_t> seen; // terminal + nonce -> expiry (unix ms)
    int64_t next_prune_ms = 0;

    // False when the nonce was already used.
    bool use(const std::string& key, int64_t now_ms)
    {
        std::lock_guard lock(mutex);
        if (now_ms >= next_prune_ms || seen.size() > 1'000'000) {
            for (auto it = seen.begin(); it != seen.end();)
                it = it->second < now_ms ? seen.erase(it) : std::next(it);
            next_prune_ms = now_ms + 60'000;
        }
        return seen.emplace(key, now_ms + 2 * protocol::kMaxClockSkewMs + 60'000).second;
    }
};

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

Result<std::unique_ptr<CentralServer>> CentralServer::create(ServerConfig config)
{
    protocol::init_crypto();
    std::unique_ptr<CentralServer> s(new CentralServer());
    s->m_config = std::move(config);
    s->m_store = TRY(open_sqlite_store(s->m_config.data_dir));
    s->m_keys = TRY(load_or_create_server_key(s->m_config.data_dir));
    s->m_nonces = std::make_unique<Nonces>();
    if (!s->m_config.tls_cert.empty() || !s->m_config.tls_key.empty()) {
        auto ssl = std::make_unique<httplib::SSLServer>(s->m_config.tls_cert.c_str(), s->m_config.tls_key.c_str());
        if (!ssl->is_valid())
            return Error::make("error.central.tls", "cannot load the TLS certificate or key");
        s->m_http = std::move(ssl);
    } else {
        s->m_http = std::make_unique<httplib::Server>();
    }
    s->install_routes();
    return s;
}

CentralServer::~CentralServer() = default;

Result<int> CentralServer::bind(const std::string& host, int port)
{
    int bound = port == 0 ? m_http->bind_to_any_port(host) : (m_http->bind_to_port(host, port) ? port : -1);
    if (bound < 0)
        return Error::make("error.central.listen", "cannot listen on " + host + ":" + std::to_string(port));
    return bound;
}

void CentralServer::run() { m_http->listen_after_bind(); }

void CentralServer::stop() { m_http->stop(); }

void CentralServer::wait_until_running() const
{
    for (int i = 0; i < 5000 && !m_http->is_running(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

namespace {

void reply_json(httplib::Response& res, int status, const nlohmann::json& body)
{
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

struct Refusal {
    int status;
    ErrorResponse body;
};

Refusal refusal(int status, const std::string& code, std::string detail)
{
    Refusal r{status, {}};
    r.body.error = code;
    r.body.detail = std::move(detail);
    return r;
}

std::string header(const httplib::Request& req, const char* name)
{
    return req.has_header(name) ? req.get_header_value(name) : std::string();
}

} // namespace

void CentralServer::install_routes()
{
    auto& http = *m_http;
    http.new_task_queue = [n = m_config.threads] { return new httplib::ThreadPool(static_cast<size_t>(n)); };
    http.set_payload_max_length(protocol::kMaxRequestBodyBytes);
    http.set_read_timeout(30, 0);
    http.set_write_timeout(30, 0);
    http.set_keep_alive_timeout(5);
    http.set_keep_alive_max_count(1000);
    http.set_tcp_nodelay(true);

    // Every response carries the server time; every request is counted.
    http.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
        res.set_header(protocol::kHeaderServerTime, std::to_string(clock::unix_ms()));
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
        // Only known paths become labels, so that random paths cannot grow the metrics without bound.
        static const char* known[] = {"/v1/health", "/metrics", "/v1/enroll", "/v1/terminal", "/v1/ingest", "/v1/status",
                                      "/v1/catalogue"};
        std::string label = "other";
        for (const char* k : known)
            if (req.path == k)
                label = k;
        m_metrics.count_request(label, res.status);
    });
    http.set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        m_metrics.count_refusal("error.central.internal");
        reply_json(res, 500, {{"error", "error.central.internal"}, {"detail", "internal error"}, {"server_time_ms", clock::unix_ms()}});
    });

    auto send_refusal = [this](httplib::Response& res, Refusal r) {
        r.body.server_time_ms = clock::unix_ms();
        m_metrics.count_refusal(r.body.error);
        log::info("central", "refused: " + r.body.error + " (" + r.body.detail + ")");
        reply_json(res, r.status, protocol::to_json(r.body));
    };

    // Checks the signed-request headers and returns the terminal, or a refusal.
    auto authenticate = [this](const httplib::Request& req, TerminalRecord& terminal) -> std::optional<Refusal> {
        protocol::RequestAuth auth;
        auth.terminal_id = header(req, protocol::kHeaderTerminal);
        auth.nonce = header(req, protocol::kHeaderNonce);
        auth.signature = header(req, protocol::kHeaderSignature);
        std::string time_text = header(req, protocol::kHeaderTime);
        if (auth.terminal_id.empty() || auth.terminal_id.size() > 64 || auth.nonce.size() < 16 || auth.nonce.size() > 64
            || auth.signature.empty() || auth.signature.size() > 128 || time_text.empty() || time_text.size() > 20)
            return refusal(401, "error.central.unauthenticated", "missing or malformed signature headers");
        try {
            auth.time_ms = std::stoll(time_text);
        } catch (...) {
            return refusal(401, "error.central.unauthenticated", "malformed time header");
        }
        int64_t now = clock::unix_ms();
        if (auth.time_ms < now - protocol::kMaxClockSkewMs || auth.time_ms > now + protocol::kMaxClockSkewMs)
            return refusal(401, "error.central.clock_skew",
                           "request time is " + std::to_string((auth.time_ms - now) / 1000) + " s off the server clock");
        auto found = m_store->find_terminal(auth.terminal_id);
        if (!found.ok())
            return refusal(500, "error.central.storage", found.error().detail);
        if (!found.value())
            return refusal(401, "error.central.unknown_terminal", "unknown terminal " + auth.terminal_id);
        terminal = *found.value();
        auto key = protocol::decode_public_key(terminal.public_key);
        if (!key.ok() || !protocol::verify_request(key.value(), auth, req.method, req.target, req.body))
            return refusal(401, "error.central.bad_signature", "the request signature does not verify");
        if (terminal.status != "active")
            return refusal(403, "error.central.revoked", "terminal " + terminal.id + " is revoked");
        if (!m_nonces->use(auth.terminal_id + ":" + auth.nonce, now))
            return refusal(401, "error.central.replay", "nonce already used");
        return std::nullopt;
    };

    http.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
        reply_json(res, 200, {{"status", "ok"}, {"version", NAFITHA_VERSION}, {"server_time_ms", clock::unix_ms()}});
    });

    http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        std::string text = m_metrics.render();
        auto terminals = m_store->terminals();
        if (terminals.ok()) {
            int64_t now = clock::unix_ms();
            text += "# HELP nafitha_central_terminal_last_seq Last stored sequence per terminal.\n"
                    "# TYPE nafitha_central_terminal_last_seq gauge\n";
            for (const auto& t : terminals.value())
                text += "nafitha_central_terminal_last_seq{terminal=\"" + t.id + "\",centre=\"" + t.centre + "\"} "
                    + std::to_string(t.last_seq) + "\n";
            text += "# HELP nafitha_central_terminal_lag_seconds Seconds since the terminal's last accepted batch.\n"
                    "# TYPE nafitha_central_terminal_lag_seconds gauge\n";
            for (const auto& t : terminals.value()) {
                int64_t since = t.last_ingest_ms ? t.last_ingest_ms : t.enrolled_ms;
                text += "nafitha_central_terminal_lag_seconds{terminal=\"" + t.id + "\",centre=\"" + t.centre + "\"} "
                    + std::to_string((now - since) / 1000) + "\n";
            }
        }
        res.status = 200;
        res.set_content(text, "text/plain; version=0.0.4");
    });

    http.Post("/v1/enroll", [this, send_refusal](const httplib::Request& req, httplib::Response& res) {
        auto json = protocol::parse_json(req.body, protocol::kMaxSmallBodyBytes);
        if (!json.ok())
            return send_refusal(res, refusal(400, json.error().code, json.error().detail));
        auto msg = protocol::enroll_request_from_json(json.value());
        if (!msg.ok())
            return send_refusal(res, refusal(400, msg.error().code, msg.error().detail));
        auto key = protocol::decode_public_key(msg->public_key);
        if (!key.ok())
            return send_refusal(res, refusal(400, "error.sync.message_malformed", "public_key is not a base64 Ed25519 key"));
        if (protocol::terminal_id_for(key.value()) != msg->terminal_id)
            return send_refusal(res, refusal(400, "error.central.terminal_id_mismatch", "terminal_id does not match the public key"));
        auto record = m_store->enroll(protocol::sha256_hex(normalise_code(msg->code)), msg->terminal_id, msg->public_key,
                                      clock::unix_ms());
        if (!record.ok()) {
            const auto& code = record.error().code;
            int status = code == "error.central.enroll_code" || code == "error.central.revoked" ? 403
                : code == "error.central.terminal_conflict" ? 409 : 500;
            return send_refusal(res, refusal(status, code, record.error().detail));
        }
        auto catalogue = m_store->latest_catalogue();
        protocol::EnrollResponse out;
        out.terminal_id = record->id;
        out.centre = record->centre;
        out.name = record->name;
        out.server_public_key = protocol::encode_public_key(m_keys.public_key);
        out.catalogue_version = catalogue.ok() && catalogue.value() ? catalogue.value()->version : 0;
        out.server_time_ms = clock::unix_ms();
        log::info("central", "enrolled terminal " + out.terminal_id + " for centre " + out.centre);
        reply_json(res, 200, protocol::to_json(out));
    });

    http.Get("/v1/terminal", [this, send_refusal, authenticate](const httplib::Request& req, httplib::Response& res) {
        TerminalRecord t;
        if (auto r = authenticate(req, t))
            return send_refusal(res, *r);
        protocol::TerminalState out{t.id, t.centre, t.status, t.last_seq, t.last_hash, clock::unix_ms()};
        reply_json(res, 200, protocol::to_json(out));
    });

    http.Post("/v1/ingest", [this, send_refusal, authenticate](const httplib::Request& req, httplib::Response& res) {
        TerminalRecord t;
        if (auto r = authenticate(req, t))
            return send_refusal(res, *r);
        if (header(req, "Content-Type") != protocol::kBatchContentType)
            return send_refusal(res, refusal(415, "error.central.content_type",
                                             std::string("the batch must be ") + protocol::kBatchContentType));
        auto text = protocol::gzip_decompress(req.body, protocol::kMaxBatchJsonBytes);
        if (!text.ok())
            return send_refusal(res, refusal(text.error().code == "error.sync.body_too_large" ? 413 : 400,
                                             text.error().code, text.error().detail));
        auto json = protocol::parse_json(text.value(), protocol::kMaxBatchJsonBytes);
        if (!json.ok())
            return send_refusal(res, refusal(400, json.error().code, json.error().detail));
        auto batch = protocol::ingest_request_from_json(json.value());
        if (!batch.ok())
            return send_refusal(res, refusal(batch.error().code == "error.sync.body_too_large" ? 413 : 400,
                                             batch.error().code, batch.error().detail));
        if (batch->terminal_id != t.id)
            return send_refusal(res, refusal(400, "error.central.batch_invalid", "the batch names another terminal"));
        const auto& entries = batch->entries;
        for (size_t i = 0; i < entries.size(); ++i) {
            if (entries[i].terminal_id != t.id)
                return send_refusal(res, refusal(400, "error.central.batch_invalid", "an entry names another terminal"));
            if (i > 0 && entries[i].seq != entries[i - 1].seq + 1)
                return send_refusal(res, refusal(400, "error.central.batch_invalid", "entries are not consecutive"));
        }
        auto key = protocol::decode_public_key(t.public_key).value();
        int64_t bad_seq = 0;
        if (auto v = verify_entries(entries, key, bad_seq); !v.ok()) {
            auto r = refusal(422, "error.central.entry_invalid", v.error().to_string());
            r.body.bad_seq = bad_seq;
            return send_refusal(res, r);
        }
        for (size_t i = 1; i < entries.size(); ++i) {
            if (entries[i].prev_hash != entries[i - 1].hash) {
                auto r = refusal(422, "error.central.entry_invalid",
                                 "entry " + std::to_string(entries[i].seq) + " does not chain to the one before it");
                r.body.bad_seq = entries[i].seq;
                return send_refusal(res, r);
            }
        }
        IngestRefusal why;
        int64_t now = clock::unix_ms();
        auto outcome = m_store->ingest(t.id, entries, now, why);
        if (!outcome.ok()) {
            const auto& code = outcome.error().code;
            auto r = refusal(500, code, outcome.error().detail);
            r.body.acked_seq = t.last_seq;
            if (code == "error.central.gap") {
                r.status = 409;
                r.body.expected_seq = why.seq;
            } else if (code == "error.central.fork" || code == "error.central.chain") {
                r.status = 409;
                r.body.bad_seq = why.seq;
                if (code == "error.central.fork") {
                    (void)m_store->record_fork_alarm(t.id, why.seq, why.stored_hash, why.offered_hash, now);
                    m_metrics.add_fork_alarm();
                    log::error("central", "FORK ALARM: terminal " + t.id + " offered a different entry under seq "
                                              + std::to_string(why.seq));
                }
            } else if (code == "error.central.revoked") {
                r.status = 403;
            } else if (code == "error.central.unknown_terminal") {
                r.status = 401;
            }
            return send_refusal(res, r);
        }
        m_metrics.add_batch();
        m_metrics.add_ingested(outcome->stored);
        reply_json(res, 200, protocol::to_json(protocol::IngestResponse{outcome->acked_seq, outcome->stored, clock::unix_ms()}));
    });

    http.Get("/v1/status", [this, send_refusal, authenticate](const httplib::Request& req, httplib::Response& res) {
        TerminalRecord t;
        if (auto r = authenticate(req, t))
            return send_refusal(res, *r);
        int64_t after = 0;
        try {
            after = req.has_param("after") ? std::stoll(req.get_param_value("after")) : 0;
        } catch (...) {
            return send_refusal(res, refusal(400, "error.sync.message_malformed", "'after' is not an integer"));
        }
        auto list = m_store->decisions_after(t.id, after, protocol::kMaxStatusDecisions);
        if (!list.ok())
            return send_refusal(res, refusal(500, list.error().code, list.error().detail));
        protocol::StatusResponse out;
        out.decisions = list.release_value();
        out.next_cursor = out.decisions.empty() ? after : out.decisions.back().cursor;
        out.server_time_ms = clock::unix_ms();
        reply_json(res, 200, protocol::to_json(out));
    });

    http.Get("/v1/catalogue", [this, send_refusal, authenticate](const httplib::Request& req, httplib::Response& res) {
        TerminalRecord t;
        if (auto r = authenticate(req, t))
            return send_refusal(res, *r);
        int64_t have = 0;
        try {
            have = req.has_param("have") ? std::stoll(req.get_param_value("have")) : 0;
        } catch (...) {
            return send_refusal(res, refusal(400, "error.sync.message_malformed", "'have' is not an integer"));
        }
        auto latest = m_store->latest_catalogue();
        if (!latest.ok())
            return send_refusal(res, refusal(500, latest.error().code, latest.error().detail));
        protocol::CatalogueResponse out;
        out.server_time_ms = clock::unix_ms();
        if (!latest.value() || latest.value()->version <= have) {
            out.version = latest.value() ? latest.value()->version : 0;
            out.up_to_date = true;
        } else {
            out.version = latest.value()->version;
            out.document = nlohmann::json::parse(latest.value()->document);
        }
        reply_json(res, 200, protocol::to_json(out));
    });
}

} // namespace nafitha::central
