#pragma once
// A fake nafitha-central for the trust tests: plain HTTP on 127.0.0.1, the same front door code as the real one,
// and handlers the test writes to play an attacker between a terminal and central (acknowledging without storing,
// forging decisions and catalogues, replaying what the real central once answered). It can also forward to the
// real central and record the answers, so that a later request can be answered with a recorded one.

#include "central/front/listener.h"
#include "central/front/pool.h"
#include "sync/protocol/crypto.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nafitha::testing {

class FakeCentral {
public:
    using Handler = std::function<central::front::Response(central::front::Request&)>;

    FakeCentral();
    ~FakeCentral();

    // The handler for METHOD PATH (replaces any earlier one). Unknown routes answer 404.
    void on(const std::string& method, const std::string& path, Handler handler);
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

    // Forwards METHOD PATH to `real_url` with the request's headers and body, records the answer (status, body,
    // answer signature) and answers with it.
    void forward(const std::string& method, const std::string& path, const std::string& real_url);
    // The answers recorded for PATH, oldest first.
    struct Recorded {
        std::string target;
        int status = 0;
        std::string body;
        std::string answer_signature;
    };
    std::vector<Recorded> recorded(const std::string& path) const;
    // Answers METHOD PATH with a recorded answer (status, body and central's genuine answer signature).
    void replay(const std::string& method, const std::string& path, const Recorded& answer);

    // Requests that reached the fake, by path.
    int hits(const std::string& path) const;

    // An answer signed with `key` the way central signs answers (sync/protocol/signed.h), for the request `req`.
    static void sign_answer(const protocol::SecretKey& key, const central::front::Request& req, central::front::Response& res);

private:
    void add(const std::string& method, const std::string& path);

    std::unique_ptr<central::front::WorkPool> m_pool, m_ingest_pool;
    std::unique_ptr<central::front::Listener> m_listener;
    mutable std::mutex m_mutex;
    std::map<std::string, Handler> m_handlers;
    std::map<std::string, std::vector<Recorded>> m_recorded;
    std::map<std::string, int> m_hits;
    int m_port = 0;
};

} // namespace nafitha::testing
