#include "tests/trust/fake_central.h"

#include "sync/client/http.h"
#include "sync/protocol/messages.h"
#include "sync/protocol/signed.h"

#include <stdexcept>

namespace nafitha::testing {

using central::front::Request;
using central::front::Response;

namespace {

const char* kRoutes[][2] = {{"GET", "/v1/terminal"}, {"POST", "/v1/ingest"}, {"GET", "/v1/status"}, {"GET", "/v1/catalogue"},
                            {"GET", "/v1/policy"},   {"POST", "/v1/alarm"},  {"POST", "/v1/enroll"}};

} // namespace

FakeCentral::FakeCentral()
{
    m_pool = std::make_unique<central::front::WorkPool>("fake-pool", 4, 256);
    m_ingest_pool = std::make_unique<central::front::WorkPool>("fake-ingest", 2, 64);
    central::front::ListenerHooks hooks;
    m_listener = std::make_unique<central::front::Listener>("fake", central::front::ListenerLimits{}, hooks, *m_pool, *m_ingest_pool);
    for (auto& r : kRoutes)
        add(r[0], r[1]);
    auto port = m_listener->bind("127.0.0.1", 0);
    if (!port.ok())
        throw std::runtime_error(port.error().to_string());
    m_port = port.value();
    m_listener->start();
}

FakeCentral::~FakeCentral()
{
    m_listener->quiesce();
    m_pool->stop();
    m_ingest_pool->stop();
    m_listener->stop();
}

void FakeCentral::add(const std::string& method, const std::string& path)
{
    central::front::Route route;
    route.method = method;
    route.path = path;
    route.run_on = central::front::RunOn::Pool;
    route.max_body_bytes = protocol::kMaxRequestBodyBytes;
    std::string key = method + " " + path;
    route.handler = [this, key, path](Request& req) {
        Handler h;
        {
            std::lock_guard lock(m_mutex);
            ++m_hits[path];
            auto it = m_handlers.find(key);
            if (it != m_handlers.end())
                h = it->second;
        }
        if (!h)
            return Response::json(404, {{"error", "error.central.not_found"}, {"detail", "no such route in the fake"}});
        return h(req);
    };
    m_listener->add_route(std::move(route));
}

void FakeCentral::on(const std::string& method, const std::string& path, Handler handler)
{
    std::lock_guard lock(m_mutex);
    m_handlers[method + " " + path] = std::move(handler);
}

void FakeCentral::forward(const std::string& method, const std::string& path, const std::string& real_url)
{
    on(method, path, [this, path, real_url](Request& req) {
        sync::HttpOptions o;
        sync::HttpClient http(o);
        std::vector<std::string> headers;
        for (const auto& [k, v] : req.headers)
            if (k.rfind("x-nafitha-", 0) == 0 || k == "content-type")
                headers.push_back(k + ": " + v);
        auto r = http.request(req.method, real_url + req.target, headers, req.body);
        if (!r.ok())
            return Response::json(502, {{"error", "error.sync.network"}, {"detail", r.error().to_string()}});
        Recorded rec{req.target, static_cast<int>(r->status), r->body, r->answer_signature};
        {
            std::lock_guard lock(m_mutex);
            m_recorded[path].push_back(rec);
        }
        Response res;
        res.status = rec.status;
        res.body = rec.body;
        if (!rec.answer_signature.empty())
            res.headers.emplace_back(protocol::kHeaderAnswerSignature, rec.answer_signature);
        return res;
    });
}

std::vector<FakeCentral::Recorded> FakeCentral::recorded(const std::string& path) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_recorded.find(path);
    return it == m_recorded.end() ? std::vector<Recorded>{} : it->second;
}

void FakeCentral::replay(const std::string& method, const std::string& path, const Recorded& answer)
{
    on(method, path, [answer](Request&) {
        Response res;
        res.status = answer.status;
        res.body = answer.body;
        if (!answer.answer_signature.empty())
            res.headers.emplace_back(protocol::kHeaderAnswerSignature, answer.answer_signature);
        return res;
    });
}

int FakeCentral::hits(const std::string& path) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_hits.find(path);
    return it == m_hits.end() ? 0 : it->second;
}

void FakeCentral::sign_answer(const protocol::SecretKey& key, const Request& req, Response& res)
{
    res.headers.emplace_back(protocol::kHeaderAnswerSignature,
                             protocol::sign_answer(key, req.header(protocol::kHeaderTerminal), req.header(protocol::kHeaderNonce),
                                                   req.header(protocol::kHeaderSignature), req.method, req.target, res.status,
                                                   res.body));
}

} // namespace nafitha::testing
