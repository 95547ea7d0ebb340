// The front door against the real server on 127.0.0.1, tried as an attacker and as a crowd would:
// hostile bodies and headers from an enrolled terminal (refused with 4xx, RSS bounded), 1,000 idle plus 200
// slowloris connections while health answers and a terminal drains, deadlines and caps, replays after a
// restart, uniform refusals, enrollment guessing limited, health that tells the truth, and one log line for
// a fatal signal. Nothing here waits for time: every wait is for an event (an answer, a close, a state).

#include "tests/support/progress.h"
#include "tests/sync/harness.h"

#include "base/clock.h"
#include "central/server.h"
#include "db/sqlite.h"
#include "sync/client/central_client.h"
#include "sync/client/enroll.h"
#include "sync/client/http.h"
#include "sync/client/worker.h"
#include "sync/protocol/gzip.h"
#include "sync/protocol/messages.h"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace nafitha;
using namespace nafitha::testing;

namespace {

// A raw TCP connection to 127.0.0.1:port, from a chosen loopback source address.
class RawConn {
public:
    RawConn(int port, const std::string& source = {})
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0)
            return;
        if (!source.empty()) {
            sockaddr_in local{};
            local.sin_family = AF_INET;
            inet_pton(AF_INET, source.c_str(), &local.sin_addr);
            if (::bind(m_fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
                close();
                return;
            }
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
        if (::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            close();
    }
    ~RawConn() { close(); }
    RawConn(RawConn&& o) noexcept : m_fd(o.m_fd) { o.m_fd = -1; }
    RawConn& operator=(RawConn&&) = delete;

    bool ok() const { return m_fd >= 0; }
    void close()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }
    bool send(std::string_view data)
    {
        while (!data.empty()) {
            ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            data.remove_prefix(static_cast<size_t>(n));
        }
        return true;
    }
    // Reads until the peer closes (or `limit_ms` passes without a byte: a guard, not a timing).
    std::string read_all(int limit_ms = 60'000)
    {
        std::string out;
        char buf[16384];
        for (;;) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, limit_ms) <= 0)
                break;
            ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            out.append(buf, static_cast<size_t>(n));
        }
        return out;
    }
    // Waits until the peer closes the connection; false if `limit_ms` passes first.
    bool wait_closed(int limit_ms = 60'000)
    {
        char buf[4096];
        int64_t end = clock::monotonic_ns() / 1'000'000 + limit_ms;
        for (;;) {
            int left = static_cast<int>(end - clock::monotonic_ns() / 1'000'000);
            if (left <= 0)
                return false;
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, left) <= 0)
                return false;
            ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
            if (n <= 0)
                return true;
        }
    }
    int fd() const { return m_fd; }

private:
    int m_fd = -1;
};

int status_of(const std::string& response)
{
    if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12)
        return 0;
    return std::atoi(response.c_str() + 9);
}

// One request on its own connection (Connection: close), the whole answer back.
std::string raw_request(int port, const std::string& request, const std::string& source = {})
{
    RawConn c(port, source);
    REQUIRE(c.ok());
    c.send(request);
    ::shutdown(c.fd(), SHUT_WR);
    return c.read_all();
}

journal::Identity fresh_identity()
{
    journal::Identity id;
    id.keys = protocol::generate_keypair();
    id.terminal_id = protocol::terminal_id_for(id.keys.public_key);
    return id;
}

// A signed POST /v1/ingest with any body.
sync::HttpResponse signed_ingest(const std::string& url, const journal::Identity& id, const std::string& body,
                                 std::vector<std::string>* sent_headers = nullptr)
{
    auto auth = protocol::sign_request(id.keys.secret_key, id.terminal_id, "POST", "/v1/ingest", body, clock::unix_ms());
    std::vector<std::string> headers = {
        std::string(protocol::kHeaderTerminal) + ": " + auth.terminal_id,
        std::string(protocol::kHeaderTime) + ": " + std::to_string(auth.time_ms),
        std::string(protocol::kHeaderNonce) + ": " + auth.nonce,
        std::string(protocol::kHeaderSignature) + ": " + auth.signature,
        std::string("Content-Type: ") + protocol::kBatchContentType,
    };
    if (sent_headers)
        *sent_headers = headers;
    sync::HttpClient http({});
    auto r = http.request("POST", url + "/v1/ingest", headers, body);
    REQUIRE(r.ok());
    return r.release_value();
}

std::string error_of(const std::string& body)
{
    auto j = nlohmann::json::parse(body, nullptr, false);
    return j.is_object() ? j.value("error", "") : "";
}

std::string detail_of(const std::string& body)
{
    auto j = nlohmann::json::parse(body, nullptr, false);
    return j.is_object() ? j.value("detail", "") : "";
}

// An enrollment code made in the store of a central that is not running.
std::string code_for(const std::filesystem::path& dir, const std::string& centre = "DAM-01")
{
    auto store = central::open_sqlite_store(dir);
    REQUIRE(store.ok());
    return central::create_enrollment_code(*store.value(), centre, "front test", clock::unix_ms()).value();
}

journal::Identity enroll_at(const std::string& url, const std::string& code)
{
    auto id = fresh_identity();
    sync::CentralClient client(url, id, {});
    auto answer = client.enroll(code);
    REQUIRE(answer.ok());
    return id;
}

// The batch document as text around a payload given as raw JSON text.
std::string batch_text(const std::string& tid, const std::string& payload)
{
    return R"({"terminal_id":")" + tid + R"(","entries":[{"seq":1,"id":"x","terminal":")" + tid
        + R"(","type":"survey.recorded","time":"2026-12-01T00:00:00.000Z","payload":)" + payload + R"(,"prev":")"
        + std::string(64, '0') + R"(","hash":")" + std::string(64, 'a') + R"(","sig":"c2ln"}]})";
}

std::string repeat(const std::string& s, size_t n)
{
    std::string out;
    out.reserve(s.size() * n);
    for (size_t i = 0; i < n; ++i)
        out += s;
    return out;
}

// kB from /proc/PID/status ("VmHWM", "VmRSS").
int64_t proc_kb(pid_t pid, const std::string& field)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0)
            return std::atoll(line.c_str() + field.size() + 1);
    return -1;
}

sync::HttpResponse get(const std::string& url)
{
    sync::HttpClient http({});
    auto r = http.request("GET", url, {}, "");
    REQUIRE(r.ok());
    return r.release_value();
}

// Asks until `pred` holds for GET url (each answer is progress); false after `limit` answers.
bool answer_until(const std::string& url, const std::function<bool(const sync::HttpResponse&)>& pred, int limit = 6000)
{
    for (int i = 0; i < limit; ++i) {
        sync::HttpClient http({});
        auto r = http.request("GET", url, {}, "");
        if (r.ok() && pred(r.value()))
            return true;
        // The health monitor probes once a second: ask at a gentle pace (a poll with no fd is a pause).
        ::poll(nullptr, 0, 10);
    }
    return false;
}

int64_t open_connections(const std::string& admin_url, const std::string& listener)
{
    auto m = get(admin_url + "/metrics");
    std::string key = "nafitha_central_open_connections{listener=\"" + listener + "\"} ";
    auto at = m.body.find(key);
    return at == std::string::npos ? -1 : std::atoll(m.body.c_str() + at + key.size());
}

size_t count_lines(const std::filesystem::path& file, const std::string& needle)
{
    std::ifstream in(file);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line))
        if (line.find(needle) != std::string::npos)
            ++n;
    return n;
}

} // namespace

TEST_CASE("Hostile bodies and headers from an enrolled terminal are refused with 4xx and RSS stays bounded")
{
    TempDir dir("front-hostile");
    std::string code = code_for(dir.path());
    CentralProcess central(dir.path());
    central.start();
    auto id = enroll_at(central.url(), code);
    const auto& tid = id.terminal_id;

    // Warm up with real work so that the baseline includes what normal service costs.
    auto chain = make_chain(id.keys, tid, 1, 300);
    auto ok_batch = signed_ingest(central.url(), id,
                                  protocol::gzip_compress(protocol::to_json(protocol::IngestRequest{tid, chain}).dump()));
    REQUIRE(ok_batch.status == 200);
    int64_t baseline_kb = proc_kb(central.pid(), "VmHWM");
    REQUIRE(baseline_kb > 0);

    struct Hostile {
        std::string name;
        std::string json;
        bool gzip = true;
    };
    std::vector<Hostile> bodies;
    bodies.push_back({"depth 10^5", batch_text(tid, "{\"a\":" + std::string(100'000, '[') + std::string(100'000, ']') + "}")});
    bodies.push_back({"depth 10^6", batch_text(tid, "{\"a\":" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}")});
    bodies.push_back({"10^6 empty arrays", batch_text(tid, "{\"a\":[" + repeat("[],", 999'999) + "[]]}")});
    bodies.push_back({"10^6 empty arrays at the top", "{\"x\":[" + repeat("[],", 999'999) + "[]],\"terminal_id\":\"" + tid + "\"}"});
    bodies.push_back({"10^6 numbers", "{\"x\":[" + repeat("1,", 999'999) + "1]}"});
    bodies.push_back({"a 20 MB string", batch_text(tid, "{\"a\":\"" + std::string(20'000'000, 'x') + "\"}")});
    bodies.push_back({"a 20 MB key", batch_text(tid, "{\"" + std::string(20'000'000, 'k') + "\":1}")});
    bodies.push_back({"a number of 10^6 digits", batch_text(tid, "{\"a\":" + std::string(1'000'000, '7') + "}")});
    bodies.push_back({"a number out of range", batch_text(tid, "{\"a\":1e999999}")});
    bodies.push_back({"100,000 keys in a payload", batch_text(tid, "{" + [] {
                          std::string s;
                          for (int i = 0; i < 100'000; ++i)
                              s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
                          return s;
                      }() + "}")});
    bodies.push_back({"inflates past 32 MiB", std::string(40 * 1024 * 1024, ' ')});
    bodies.push_back({"entries past the cap", [&] {
                          std::string s = "{\"terminal_id\":\"" + tid + "\",\"entries\":[";
                          std::string one = batch_text(tid, "{}");
                          one = one.substr(one.find("[{") + 1);
                          one.resize(one.size() - 2); // the entry object
                          for (int i = 0; i < 6000; ++i)
                              s += (i ? "," : "") + one;
                          return s + "]}";
                      }()});
    bodies.push_back({"invalid UTF-8", batch_text(tid, "{\"a\":\"\xc0\xaf\"}")});
    bodies.push_back({"not gzip", "{\"terminal_id\":\"" + tid + "\"}", false});
    bodies.push_back({"truncated gzip", "", true});

    for (auto& b : bodies) {
        std::string body = b.gzip ? protocol::gzip_compress(b.json, 9) : b.json;
        if (b.name == "truncated gzip") {
            body = protocol::gzip_compress(batch_text(tid, "{}"));
            body.resize(body.size() / 2);
        }
        INFO(b.name << " (" << body.size() << " bytes on the wire)");
        CHECK(body.size() < protocol::kMaxRequestBodyBytes);
        auto r = signed_ingest(central.url(), id, body);
        CHECK(r.status >= 400);
        CHECK(r.status < 500);
        CHECK_FALSE(error_of(r.body).empty());
    }

    // Four bombs at once.
    std::string bomb = protocol::gzip_compress(batch_text(tid, "{\"a\":[" + repeat("[],", 999'999) + "[]]}"), 9);
    std::string deep = protocol::gzip_compress(batch_text(tid, "{\"a\":" + std::string(1'000'000, '[') + "}"), 9);
    std::vector<std::thread> crowd;
    std::atomic<int> refused{0};
    for (int i = 0; i < 4; ++i)
        crowd.emplace_back([&, i] {
            auto r = signed_ingest(central.url(), id, i % 2 ? bomb : deep);
            if (r.status >= 400 && r.status < 500)
                ++refused;
        });
    for (auto& t : crowd)
        t.join();
    CHECK(refused == 4);

    // Every malformed request head is refused: with its 4xx (505 for a version it does not speak), or, when it
    // is not an HTTP request at all (no request line, a NUL byte), by closing the connection without an answer
    // (libmicrohttpd's choice; status 0 here). An obs-fold line is joined, as RFC 9112 allows.
    std::string p = std::to_string(central.port());
    struct Head {
        const char* name;
        std::string text;
        int lo, hi;
    };
    std::vector<Head> heads = {
        {"garbage request line", "GARBAGE\r\n\r\n", 0, 499},
        {"header without a colon", "GET /v1/health HTTP/1.1\r\nHost localhost\r\n\r\n", 400, 499},
        {"no Host in HTTP/1.1", "GET /v1/health HTTP/1.1\r\n\r\n", 400, 499},
        {"64 KiB header", "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(65536, 'a') + "\r\n\r\n", 400, 499},
        {"20 KiB target", "GET /v1/health?" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 400, 499},
        {"Content-Length not a number", "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, 499},
        {"negative Content-Length", "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400, 499},
        {"two Content-Lengths", "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello", 400, 499},
        {"Content-Length over the cap", "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n", 400, 499},
        {"bad chunk size", "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400, 499},
        {"NUL in a header", std::string("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-A: b\0c\r\n\r\n", 44), 0, 499},
        {"unknown method", "BREW /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 400, 499},
        {"unknown path", "GET /etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 400, 499},
        {"malformed signature headers",
         "GET /v1/terminal HTTP/1.1\r\nHost: x\r\nX-Nafitha-Terminal: " + tid
             + "\r\nX-Nafitha-Time: 12abc\r\nX-Nafitha-Nonce: zz\r\nX-Nafitha-Signature: !!\r\n\r\n",
         400, 499},
        {"HTTP/2.0", "GET /v1/health HTTP/2.0\r\nHost: x\r\n\r\n", 400, 505},
    };
    for (const auto& h : heads) {
        INFO(h.name);
        auto answer = raw_request(central.port(), h.text);
        int status = status_of(answer);
        CHECK((status == 0 ? h.lo == 0 : status >= 400));
        CHECK(status <= h.hi);
    }

    // Still answering, still storing, and the memory it took stayed bounded.
    CHECK(get(central.url() + "/v1/health").status == 200);
    auto more = make_chain(id.keys, tid, 301, 100, chain.back().hash);
    CHECK(signed_ingest(central.url(), id, protocol::gzip_compress(protocol::to_json(protocol::IngestRequest{tid, more}).dump()))
              .status
          == 200);
    int64_t peak_kb = proc_kb(central.pid(), "VmHWM");
    INFO("RSS high-water mark " << baseline_kb << " kB before, " << peak_kb << " kB after");
    CHECK(peak_kb - baseline_kb < 64 * 1024);
    central.stop();
}

TEST_CASE("1000 idle and 200 slowloris connections do not stop health or a terminal draining")
{
    central::raise_open_files_limit();
    TempDir c("front-crowd-c"), t("front-crowd-t");
    std::string code = code_for(c.path());
    CentralProcess central(c.path());
    central.start();
    make_terminal_journal(t.path(), 3000);
    REQUIRE(sync::enroll(t.path(), central.url(), code, {}).ok());

    // 1,000 idle connections from five addresses (200 each, under the per-address cap), 200 slowloris from a
    // sixth: each sends the start of a request and never finishes it.
    std::vector<RawConn> idle, slow;
    for (int a = 1; a <= 5; ++a)
        for (int i = 0; i < 200; ++i) {
            idle.emplace_back(central.port(), "127.0.1." + std::to_string(a));
            REQUIRE(idle.back().ok());
        }
    for (int i = 0; i < 200; ++i) {
        slow.emplace_back(central.port(), "127.0.2.1");
        REQUIRE(slow.back().ok());
        REQUIRE(slow.back().send("POST /v1/ingest HTTP/1.1\r\nHost: central\r\n"));
    }
    // The server holds all 1,200 (it says so on the operators' listener).
    bool all_open = false;
    for (int i = 0; i < 3000 && !all_open; ++i)
        all_open = open_connections(central.admin_url(), "terminals") >= 1200;
    CHECK(all_open);

    // Health answers all along, while the terminal drains 3,000 entries through the crowd.
    std::atomic<bool> draining{true};
    std::atomic<int> health_ok{0}, health_bad{0};
    std::thread prober([&] {
        while (draining) {
            sync::HttpClient http({});
            auto r = http.request("GET", central.url() + "/v1/health", {}, "");
            (r.ok() && r->status == 200 ? health_ok : health_bad)++;
        }
    });
    for (auto& s : slow)
        s.send("X-Slow: 1\r\n");
    sync::SyncOptions options;
    options.data_dir = t.path();
    auto worker = sync::SyncWorker::create(options, {}).release_value();
    auto drained = worker->run_once();
    draining = false;
    prober.join();
    REQUIRE(drained.ok());
    CHECK(worker->progress().pending == 0);
    CHECK(worker->progress().acked_seq == 3000);
    CHECK(health_ok > 0);
    CHECK(health_bad == 0);
    for (int i = 0; i < 20; ++i)
        CHECK(get(central.url() + "/v1/health").status == 200);
    central.stop();
}

TEST_CASE("Headers that trickle in are cut at the header deadline and addresses are capped")
{
    TempDir c("front-deadline");
    CentralProcess central(c.path(), {"--header-timeout-s", "1", "--max-connections-per-address", "8"});
    central.start();

    // A slowloris that keeps sending a header line: activity never stops, the deadline still cuts it.
    RawConn loris(central.port(), "127.0.5.1");
    REQUIRE(loris.ok());
    REQUIRE(loris.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n"));
    bool cut = false;
    for (int i = 0; i < 600 && !cut; ++i) {
        if (!loris.send("X-Slow: 1\r\n"))
            break;
        cut = loris.wait_closed(100);
    }
    CHECK(cut);
    // An idle connection is closed too.
    RawConn idle(central.port(), "127.0.5.2");
    REQUIRE(idle.ok());
    CHECK(idle.wait_closed());
    auto metrics = get(central.admin_url() + "/metrics").body;
    CHECK(metrics.find("nafitha_central_front_events_total{event=\"deadline_shutdown\"}") != std::string::npos);

    // Eight connections from one address are allowed, the ninth is closed at once; others still get in.
    std::vector<RawConn> eight;
    for (int i = 0; i < 8; ++i)
        eight.emplace_back(central.port(), "127.0.6.1");
    RawConn ninth(central.port(), "127.0.6.1");
    REQUIRE(ninth.ok());
    CHECK(ninth.wait_closed());
    CHECK(status_of(raw_request(central.port(), "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "127.0.6.2"))
          == 200);
    central.stop();
}

TEST_CASE("A request replayed after a restart or a SIGKILL is refused and /metrics is not on the terminals' listener")
{
    TempDir c("front-replay");
    std::string code = code_for(c.path());
    CentralProcess central(c.path());
    central.start();
    auto id = enroll_at(central.url(), code);
    auto chain = make_chain(id.keys, id.terminal_id, 1, 10);
    std::string body = protocol::gzip_compress(protocol::to_json(protocol::IngestRequest{id.terminal_id, chain}).dump());
    std::vector<std::string> headers;
    REQUIRE(signed_ingest(central.url(), id, body, &headers).status == 200);
    auto replay = [&] {
        sync::HttpClient http({});
        return http.request("POST", central.url() + "/v1/ingest", headers, body).value();
    };
    CHECK(error_of(replay().body) == "error.central.replay");

    central.stop();
    central.start(central.port());
    auto after_restart = replay();
    CHECK(after_restart.status == 401);
    CHECK(error_of(after_restart.body) == "error.central.replay");

    // A request answered just before a SIGKILL: its nonce was durable before the answer went out.
    std::vector<std::string> headers2;
    auto more = make_chain(id.keys, id.terminal_id, 11, 5, chain.back().hash);
    body = protocol::gzip_compress(protocol::to_json(protocol::IngestRequest{id.terminal_id, more}).dump());
    REQUIRE(signed_ingest(central.url(), id, body, &headers2).status == 200);
    headers = headers2;
    central.kill_hard();
    central.start(central.port());
    auto after_kill = replay();
    CHECK(after_kill.status == 401);
    CHECK(error_of(after_kill.body) == "error.central.replay");

    // /metrics: 404 where terminals come, served to operators, with the counts from before the restarts.
    CHECK(get(central.url() + "/metrics").status == 404);
    auto metrics = get(central.admin_url() + "/metrics");
    CHECK(metrics.status == 200);
    // Counted across restarts (what a SIGKILL interrupts before the 5 s flush is lost: at least 2 of the 3).
    std::string key = "nafitha_central_refusals_total{reason=\"error.central.replay\"} ";
    auto at = metrics.body.find(key);
    REQUIRE(at != std::string::npos);
    CHECK(std::atoll(metrics.body.c_str() + at + key.size()) >= 2);
    central.stop();
}

TEST_CASE("Refusals do not tell an outsider which terminals and codes exist")
{
    TempDir c("front-uniform");
    InProcessCentral central(c.path());
    auto code = central.add_code();
    auto used_code = central.add_code();
    enroll_at(central.url(), used_code);
    // An expired code.
    std::string expired = "ABCDEFGHJKLM";
    REQUIRE(central.store()
                .add_enrollment_code({protocol::sha256_hex(expired), "DAM-01", "old", clock::unix_ms() - 2 * 86'400'000LL,
                                      clock::unix_ms() - 86'400'000LL})
                .ok());
    auto try_code = [&](const std::string& c) {
        auto id = fresh_identity();
        nlohmann::json body = {{"code", c}, {"terminal_id", id.terminal_id}, {"public_key", protocol::encode_public_key(id.keys.public_key)}};
        sync::HttpClient http({});
        return http.request("POST", central.url() + "/v1/enroll", {"Content-Type: application/json"}, body.dump()).value();
    };
    auto unknown = try_code("ZZZZ-ZZZZ-ZZZZ"), used = try_code(used_code), old = try_code(expired);
    CHECK(unknown.status == 403);
    CHECK(used.status == unknown.status);
    CHECK(old.status == unknown.status);
    CHECK(error_of(used.body) == error_of(unknown.body));
    CHECK(error_of(old.body) == error_of(unknown.body));
    CHECK(detail_of(used.body) == detail_of(unknown.body));
    CHECK(detail_of(old.body) == detail_of(unknown.body));
    CHECK(try_code(code).status == 200);

    // A known terminal with a bad signature and an unknown terminal: one answer.
    auto known = enroll_at(central.url(), central.add_code());
    auto impostor = known;
    impostor.keys = protocol::generate_keypair();
    auto stranger = fresh_identity();
    auto a = signed_ingest(central.url(), impostor, "x"), b = signed_ingest(central.url(), stranger, "x");
    CHECK(a.status == 401);
    CHECK(b.status == 401);
    CHECK(error_of(a.body) == error_of(b.body));
    CHECK(detail_of(a.body) == detail_of(b.body));
}

TEST_CASE("Enrollment guesses are limited per address and overall with 429 and Retry-After")
{
    TempDir c("front-guess");
    central::ServerConfig config;
    config.data_dir = c.path();
    config.front.enroll.per_address = 5;
    config.front.enroll.overall = 12;
    InProcessCentral central(config);
    auto guess = [&](const std::string& source, const std::string& code) {
        auto id = fresh_identity();
        std::string json = nlohmann::json{{"code", code}, {"terminal_id", id.terminal_id},
                                          {"public_key", protocol::encode_public_key(id.keys.public_key)}}
                               .dump();
        return raw_request(central.port(),
                           "POST /v1/enroll HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                           "Content-Length: "
                               + std::to_string(json.size()) + "\r\n\r\n" + json,
                           source);
    };
    for (int i = 0; i < 5; ++i)
        CHECK(status_of(guess("127.0.7.1", "AAAA-BBBB-CCCC")) == 403);
    auto limited = guess("127.0.7.1", "AAAA-BBBB-CCCC");
    CHECK(status_of(limited) == 429);
    CHECK(limited.find("Retry-After: ") != std::string::npos);
    CHECK(error_of(limited.substr(limited.find("\r\n\r\n") + 4)) == "error.central.rate_limited");
    // Another address still gets through, until the overall window is spent too.
    CHECK(status_of(guess("127.0.7.2", "AAAA-BBBB-CCCC")) == 403);
    int overall_limited = 0;
    for (int a = 3; a < 20 && !overall_limited; ++a)
        if (status_of(guess("127.0.7." + std::to_string(a), "AAAA-BBBB-CCCC")) == 429)
            overall_limited = a;
    CHECK(overall_limited > 0);
    // While the overall window lasts even a good code waits (the price of a national limit).
    auto good = guess("127.0.7.99", central.add_code());
    CHECK(status_of(good) == 429);
    CHECK(good.find("Retry-After: ") != std::string::npos);
}

TEST_CASE("Refusal log lines are rate-limited and name the client address")
{
    TempDir c("front-logflood");
    CentralProcess central(c.path());
    central.start();
    int64_t t0 = clock::monotonic_ns();
    for (int i = 0; i < 400; ++i) {
        auto r = raw_request(central.port(), "GET /v1/terminal HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "127.0.8.1");
        REQUIRE(status_of(r) == 401);
    }
    double elapsed = static_cast<double>(clock::monotonic_ns() - t0) / 1e9;
    central.stop();
    size_t lines = count_lines(central.log_file(), "refused 401");
    INFO(lines << " refusal lines for 400 refusals in " << elapsed << " s");
    CHECK(lines >= 1);
    // A burst of 100, then 20 a second.
    CHECK(static_cast<double>(lines) <= 100 + 20 * elapsed + 2);
    CHECK(count_lines(central.log_file(), "from 127.0.8.1") == lines);
}

TEST_CASE("A full work queue is answered 503 with Retry-After while health still answers")
{
    TempDir c("front-overload");
    central::ServerConfig config;
    config.data_dir = c.path();
    config.front.pool_queue = 0;
    InProcessCentral central(config);
    auto r = raw_request(central.port(), "GET /v1/terminal HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(status_of(r) == 503);
    CHECK(r.find("Retry-After: ") != std::string::npos);
    CHECK(get(central.url() + "/v1/health").status == 200);
}

TEST_CASE("Health is not ok when the disk is nearly full")
{
    TempDir c("front-disk");
    struct statvfs fs {};
    REQUIRE(::statvfs(c.path().c_str(), &fs) == 0);
    uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    central::ServerConfig config;
    config.data_dir = c.path();
    config.front.health.min_free_bytes = free_bytes + (1ull << 30); // more than this disk has free
    InProcessCentral central(config);
    auto h = get(central.url() + "/v1/health");
    CHECK(h.status == 503);
    CHECK(h.body.find("unavailable") != std::string::npos);
    auto detailed = get(central.admin_url() + "/v1/health");
    CHECK(detailed.body.find("disk_low") != std::string::npos);

    // On a real small disk (tmpfs, as root): ok, then filled to under the threshold, then freed again.
    TempDir mnt("front-tmpfs");
    if (::mount("tmpfs", mnt.path().c_str(), "tmpfs", 0, "size=32m") != 0) {
        WARN("tmpfs part skipped: mount needs root (" << std::strerror(errno) << ")");
        return;
    }
    struct Unmount {
        std::string path;
        ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
    } unmount{mnt.path().string()};
    CentralProcess small(mnt.path() / "central", {"--min-free-mb", "8"});
    small.start();
    CHECK(answer_until(small.url() + "/v1/health", [](const auto& r) { return r.status == 200; }));
    {
        struct statvfs now {};
        REQUIRE(::statvfs(mnt.path().c_str(), &now) == 0);
        uint64_t avail = static_cast<uint64_t>(now.f_bavail) * now.f_frsize;
        std::ofstream filler(mnt.path() / "filler", std::ios::binary);
        std::string mb(1 << 20, 'f');
        for (uint64_t written = 0; written + (4u << 20) < avail; written += mb.size())
            filler.write(mb.data(), static_cast<std::streamsize>(mb.size()));
    }
    CHECK(answer_until(small.url() + "/v1/health", [](const auto& r) { return r.status == 503; }));
    CHECK(get(small.admin_url() + "/v1/health").body.find("disk_low") != std::string::npos);
    std::filesystem::remove(mnt.path() / "filler");
    CHECK(answer_until(small.url() + "/v1/health", [](const auto& r) { return r.status == 200; }));
    small.stop();
}

TEST_CASE("Health is not ok while the store cannot be written")
{
#if defined(__SANITIZE_ADDRESS__)
    WARN("skipped in a sanitizer build: fiu-run cannot preload into an ASan binary");
    return;
#endif
    if (std::system("command -v fiu-run >/dev/null 2>&1 && command -v fiu-ctrl >/dev/null 2>&1") != 0)
        FAIL("fiu-run and fiu-ctrl are not installed (Debian package fiu-utils)");
    TempDir c("front-unwritable");
    CentralProcess central(c.path(), {}, {"fiu-run", "-x"});
    central.start();
    CHECK(answer_until(central.url() + "/v1/health", [](const auto& r) { return r.status == 200; }));
    std::string pid = std::to_string(central.pid());
    REQUIRE(std::system(("fiu-ctrl -c 'enable name=posix/io/rw/pwrite' -c 'enable name=posix/io/rw/pwrite64' -c "
                         "'enable name=posix/io/rw/write' " + pid).c_str())
            == 0);
    CHECK(answer_until(central.url() + "/v1/health", [](const auto& r) { return r.status == 503; }));
    CHECK(get(central.admin_url() + "/v1/health").body.find("store_unwritable") != std::string::npos);
    REQUIRE(std::system(("fiu-ctrl -c 'disable name=posix/io/rw/pwrite' -c 'disable name=posix/io/rw/pwrite64' -c "
                         "'disable name=posix/io/rw/write' " + pid).c_str())
            == 0);
    CHECK(answer_until(central.url() + "/v1/health", [](const auto& r) { return r.status == 200; }));
    central.stop();
}

TEST_CASE("A fatal signal leaves one line in central's log")
{
    TempDir c("front-fatal");
    CentralProcess central(c.path());
    central.start();
    CHECK(get(central.url() + "/v1/health").status == 200);
    REQUIRE(::kill(central.pid(), SIGSEGV) == 0);
    int status = central.wait_exit();
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGSEGV);
    CHECK(count_lines(central.log_file(), "nafitha-central: FATAL: SIGSEGV (signal 11)") == 1);

    central.start();
    REQUIRE(::kill(central.pid(), SIGABRT) == 0);
    status = central.wait_exit();
    CHECK(WIFSIGNALED(status));
    CHECK(count_lines(central.log_file(), "nafitha-central: FATAL: SIGABRT") == 1);
}

TEST_CASE("The sync worker holds no connection open between passes")
{
    TempDir c("front-idle-c"), t("front-idle-t");
    InProcessCentral central(c.path());
    make_terminal_journal(t.path(), 500);
    REQUIRE(sync::enroll(t.path(), central.url(), central.add_code(), {}).ok());
    sync::SyncOptions options;
    options.data_dir = t.path();
    auto worker = sync::SyncWorker::create(options, {}).release_value();
    REQUIRE(worker->run_once().ok());
    CHECK(worker->progress().pending == 0);
    // The pass is over: the terminal closed its connection, central holds none from it.
    CHECK(test::eventually([&] { return open_connections(central.admin_url(), "terminals") == 0; }));
}

TEST_CASE("The sync worker waits at least as long as central's Retry-After")
{
    TempDir c("front-retry-c"), t("front-retry-t");
    make_terminal_journal(t.path(), 10);
    {
        InProcessCentral enrolling(c.path());
        REQUIRE(sync::enroll(t.path(), enrolling.url(), enrolling.add_code(), {}).ok());
    }
    central::ServerConfig config;
    config.data_dir = c.path();
    config.front.pool_queue = 0; // every request that needs the pool: 503 with Retry-After: 30
    config.front.terminals.retry_after_s = 30;
    InProcessCentral central(config);
    sync::SyncOptions options;
    options.data_dir = t.path();
    options.server_url = central.url();
    options.backoff_initial_ms = 100;
    auto worker = sync::SyncWorker::create(options, {}).release_value();
    int64_t before = clock::unix_ms();
    worker->start();
    REQUIRE(test::eventually([&] { return worker->progress().state == sync::SyncState::Waiting; }));
    auto p = worker->progress();
    REQUIRE(p.last_error);
    CHECK(p.last_error->code == "error.central.overloaded");
    CHECK_FALSE(p.alarm);
    // Without Retry-After the first retry would come within 100 ms; central asked for 30 s.
    CHECK(p.next_attempt_ms - before >= 30'000);
    worker->stop();
}

TEST_CASE("A store that is locked by someone else slows ingest but not health")
{
    TempDir c("front-slowstore");
    InProcessCentral central(c.path());
    auto id = enroll_at(central.url(), central.add_code());
    auto chain = make_chain(id.keys, id.terminal_id, 1, 50);
    std::string body = protocol::gzip_compress(protocol::to_json(protocol::IngestRequest{id.terminal_id, chain}).dump());
    // Another process-like holder of central.db's write lock (a backup, an operator's sqlite3 shell).
    auto holder = db::Db::open(c.path() / "central.db").release_value();
    REQUIRE(holder.exec("BEGIN IMMEDIATE").ok());
    std::atomic<int> ingest_status{0};
    std::thread ingest([&] { ingest_status = signed_ingest(central.url(), id, body).status; });
    // The batch waits for the lock on a pool thread; health is answered meanwhile, by the event thread.
    int answered = 0;
    for (int i = 0; i < 20; ++i) {
        auto h = get(central.url() + "/v1/health");
        answered += h.status == 200 || h.status == 503;
    }
    bool ingest_was_waiting = ingest_status == 0;
    REQUIRE(holder.exec("COMMIT").ok());
    ingest.join();
    CHECK(answered == 20);
    CHECK(ingest_was_waiting);
    CHECK((ingest_status == 200 || ingest_status == 503));
}
