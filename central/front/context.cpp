#include "central/front/context.h"

#include "base/clock.h"
#include "sync/protocol/canonical.h"
#include "sync/protocol/messages.h"

namespace nafitha::central::front {

namespace {

// Text from the client, fit for one log line: printable ASCII only, at most `max` bytes.
std::string printable(std::string_view s, size_t max = 96)
{
    std::string out;
    for (char c : s.substr(0, max))
        out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    if (s.size() > max)
        out += "...";
    return out;
}

} // namespace

Refusal refusal(int status, std::string code, std::string detail, std::string log_detail)
{
    Refusal r;
    r.status = status;
    r.code = std::move(code);
    r.detail = std::move(detail);
    r.log_detail = std::move(log_detail);
    return r;
}

Response Context::refuse(const Request& req, Refusal r)
{
    metrics.count_refusal(r.code);
    const std::string& why = r.log_detail.empty() ? r.detail : r.log_detail;
    std::string who = req.header(protocol::kHeaderTerminal).empty() ? "" : " terminal " + printable(req.header(protocol::kHeaderTerminal), 32);
    log.write(r.status >= 500 ? log::Level::Warn : log::Level::Info, "central",
              "refused " + std::to_string(r.status) + " " + r.code + " " + printable(req.method, 16) + " " + printable(req.path)
                  + " from " + req.peer + who + ": " + printable(why, 300));
    protocol::ErrorResponse body;
    body.error = r.code;
    body.detail = r.detail;
    body.expected_seq = r.expected_seq;
    body.bad_seq = r.bad_seq;
    body.acked_seq = r.acked_seq;
    body.server_time_ms = clock::unix_ms();
    auto out = Response::json(r.status, protocol::to_json(body));
    if (r.retry_after_s > 0)
        out.headers.emplace_back("Retry-After", std::to_string(r.retry_after_s));
    return out;
}

void Context::sign_answer(const Request& req, Response& res) const
{
    auto nonce = req.header(protocol::kHeaderNonce);
    if (nonce.size() < 16 || nonce.size() > 64)
        return;
    for (char c : nonce)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return;
    auto terminal = req.header(protocol::kHeaderTerminal);
    auto request_sig = req.header(protocol::kHeaderSignature);
    if (terminal.size() > 64 || request_sig.size() > 128)
        return;
    res.headers.emplace_back(protocol::kHeaderAnswerSignature,
                             protocol::sign_answer(keys.secret_key, terminal, nonce, request_sig, req.method, req.target,
                                                   res.status, res.body));
}

protocol::Signed Context::sign(nlohmann::json statement) const
{
    // Statements are built here from well-formed values: canonical JSON cannot fail on them.
    auto s = protocol::sign_statement(std::move(statement), keys.secret_key);
    if (!s.ok())
        return protocol::Signed{};
    return s.release_value();
}

Result<protocol::Signed> Context::catalogue_statement(const CatalogueRecord& record)
{
    {
        std::lock_guard lock(m_catalogue_mutex);
        if (m_catalogue_version == record.version && record.version > 0)
            return m_catalogue_statement;
    }
    auto doc = nlohmann::json::parse(record.document, nullptr, false);
    if (doc.is_discarded())
        return Error::make("error.central.catalogue_invalid", "stored catalogue " + std::to_string(record.version) + " is not JSON");
    auto text = TRY(protocol::canonical_json(doc));
    protocol::CatalogueStatement st;
    st.version = record.version;
    st.sha256 = protocol::sha256_hex(text);
    st.issued_ms = record.imported_ms;
    st.expires_ms = record.imported_ms + kCatalogueValidityMs;
    if (auto e = doc.find("expires"); e != doc.end() && e->is_string()) {
        if (auto ms = parse_time_ms(e->get<std::string>() + "T00:00:00.000Z"))
            st.expires_ms = *ms;
    }
    auto signed_ = sign(protocol::statement_of(st));
    std::lock_guard lock(m_catalogue_mutex);
    m_catalogue_version = record.version;
    m_catalogue_statement = signed_;
    return signed_;
}

std::optional<Refusal> Context::limit_enrollment(const Request& req, int64_t now_ms)
{
    const auto& lim = config.enroll;
    struct Window {
        std::string key;
        int64_t max;
        int64_t window_ms;
    };
    Window windows[] = {{"enroll:addr:" + req.peer, lim.per_address, lim.per_address_window_ms},
                        {"enroll:all", lim.overall, lim.overall_window_ms}};
    auto limited = [&](int64_t window_end, const std::string& what) {
        int retry = static_cast<int>(std::max<int64_t>(1, (window_end - now_ms + 999) / 1000));
        metrics.count_event("enroll_rate_limited");
        Refusal r = refusal(429, "error.central.rate_limited", "too many enrollment attempts; try again later",
                            "enrollment attempts over the " + what + " limit");
        r.retry_after_s = retry;
        return r;
    };
    // Windows already spent: refuse without touching the store.
    {
        std::lock_guard lock(m_spent_mutex);
        for (const auto& w : windows) {
            auto it = m_spent.find(w.key);
            if (it != m_spent.end()) {
                if (it->second > now_ms)
                    return limited(it->second, w.key == "enroll:all" ? "overall" : "per-address");
                m_spent.erase(it);
            }
        }
    }
    for (const auto& w : windows) {
        auto counted = store.count_in_window(w.key, w.window_ms, now_ms);
        if (!counted.ok()) {
            Refusal r = refusal(503, "error.central.storage", "try again later", counted.error().to_string());
            r.retry_after_s = 5;
            return r;
        }
        if (counted->count > w.max) {
            std::lock_guard lock(m_spent_mutex);
            if (m_spent.size() > 100'000) {
                for (auto it = m_spent.begin(); it != m_spent.end();)
                    it = it->second <= now_ms ? m_spent.erase(it) : std::next(it);
                if (m_spent.size() > 100'000)
                    m_spent.clear();
            }
            m_spent[w.key] = counted->window_end_ms;
            return limited(counted->window_end_ms, w.key == "enroll:all" ? "overall" : "per-address");
        }
    }
    return std::nullopt;
}

} // namespace nafitha::central::front
