// The web listener: static files of the web application, sessions and login (see web.h).

#include "central/front/web_internal.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/paths.h"
#include "sync/protocol/crypto.h"

#include <sodium.h>

#include <algorithm>
#include <map>

namespace nafitha::central::front {

Result<std::string> hash_password(const std::string& password)
{
    if (password.size() < 10)
        return Error::make("error.web.password_short", "a password needs at least 10 characters", "password");
    if (password.size() > 256)
        return Error::make("error.web.password_long", "a password has at most 256 bytes", "password");
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13)
        != 0)
        return Error::make("error.web.password_hash", "out of memory while hashing the password");
    return std::string(out);
}

bool verify_password(const std::string& hash, const std::string& password)
{
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES || password.size() > 256)
        return false;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

int64_t session_expiry(int64_t created_ms, int64_t now_ms, const WebConfig& config)
{
    return std::min(created_ms + config.session_ms, now_ms + config.idle_ms);
}

namespace web {

Response refuse(State& s, const Request& req, int status, const std::string& code, const std::string& detail,
                const std::string& log_detail)
{
    return no_store(s.ctx.refuse(req, refusal(status, code, detail, log_detail)));
}

Response no_store(Response r)
{
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

std::optional<std::string> url_decode(std::string_view raw)
{
    std::string out;
    out.reserve(raw.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '+') {
            out += ' ';
        } else if (raw[i] == '%') {
            if (i + 2 >= raw.size())
                return std::nullopt;
            int a = hex(raw[i + 1]), b = hex(raw[i + 2]);
            if (a < 0 || b < 0)
                return std::nullopt;
            out += static_cast<char>(a * 16 + b);
            i += 2;
        } else {
            out += raw[i];
        }
    }
    return out;
}

std::optional<std::string> param(const Request& req, std::string_view name)
{
    auto raw = req.param(name);
    if (!raw)
        return std::nullopt;
    return url_decode(*raw);
}

namespace {

constexpr const char* kCookie = "nafitha_session";

std::string random_hex(size_t bytes)
{
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : raw) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

bool same(const std::string& a, const std::string& b)
{
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string cookie_token(const Request& req)
{
    std::string_view all = req.header("cookie");
    while (!all.empty()) {
        auto semi = all.find(';');
        std::string_view part = all.substr(0, semi);
        while (!part.empty() && part.front() == ' ')
            part.remove_prefix(1);
        if (part.rfind(std::string(kCookie) + "=", 0) == 0)
            return std::string(part.substr(std::string_view(kCookie).size() + 1));
        if (semi == std::string_view::npos)
            break;
        all.remove_prefix(semi + 1);
    }
    return {};
}

std::string cookie(const State& s, const std::string& token, bool clear)
{
    std::string c = std::string(kCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict";
    if (clear)
        c += "; Max-Age=0";
    if (s.config.secure_cookies)
        c += "; Secure";
    return c;
}

nlohmann::json user_json(const WebUser& u, const std::string& csrf)
{
    return {{"name", u.name}, {"role", u.role}, {"entity", u.entity}, {"centre", u.centre}, {"csrf", csrf}};
}

// A hash to check passwords of unknown users against, so that an unknown name costs what a known one costs.
const std::string& dummy_hash()
{
    static const std::string h = hash_password("not-a-real-password-" + random_hex(8)).value();
    return h;
}

std::string content_type(const std::filesystem::path& p)
{
    static const std::map<std::string, std::string> types = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},         {".svg", "image/svg+xml"},                  {".png", "image/png"},
        {".ico", "image/x-icon"}};
    auto it = types.find(p.extension().string());
    return it == types.end() ? "application/octet-stream" : it->second;
}

// The security headers of every page.
void page_headers(Response& r)
{
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                           "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("X-Frame-Options", "DENY");
}

Route file_route(const std::string& path, const std::filesystem::path& file, bool immutable)
{
    Route r;
    r.method = "GET";
    r.path = path;
    r.run_on = RunOn::Pool;
    r.label = "/web/static";
    r.handler = [file, immutable](Request&) {
        // Read from disk at every request (small files; the page cache keeps them): an upgrade takes effect at once.
        auto body = fs::read_file(file, 16 << 20);
        if (!body.ok())
            return Response::json(503, {{"error", "error.web.files"}, {"detail", "the web application's files cannot be read"}});
        Response res = Response::text(200, std::move(body.value()), content_type(file));
        res.headers.emplace_back("Cache-Control", immutable ? "public, max-age=3600" : "no-cache");
        page_headers(res);
        return res;
    };
    return r;
}

} // namespace

std::variant<Caller, Response> caller(State& s, const Request& req, bool changes_state)
{
    std::string token = cookie_token(req);
    if (token.size() != 64)
        return refuse(s, req, 401, "error.web.signed_out", "sign in first");
    auto found = s.store.find_session(protocol::sha256_hex(token), clock::unix_ms());
    if (!found.ok())
        return refuse(s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", found.error().to_string());
    if (!found.value())
        return refuse(s, req, 401, "error.web.signed_out", "the session ended: sign in again");
    auto user = s.store.find_user(found.value()->user);
    if (!user.ok())
        return refuse(s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", user.error().to_string());
    if (!user.value() || user.value()->disabled)
        return refuse(s, req, 401, "error.web.signed_out", "the session ended: sign in again");
    if (changes_state) {
        std::string_view origin = req.header("origin");
        std::string_view host = req.header("host");
        if (!origin.empty()) {
            auto scheme = origin.find("://");
            if (scheme == std::string_view::npos || origin.substr(scheme + 3) != host)
                return refuse(s, req, 403, "error.web.csrf", "the request did not come from this site", "foreign Origin " + std::string(origin));
        }
        if (!same(std::string(req.header("x-csrf-token")), found.value()->csrf))
            return refuse(s, req, 403, "error.web.csrf", "the request did not come from this site", "missing or wrong CSRF token");
    }
    // The idle timeout slides with use, within the session's longest life. Written only when it moves by more than a
    // minute, so that a page's burst of requests costs one write.
    WebSession session = *found.value();
    int64_t slid = session_expiry(session.created_ms, clock::unix_ms(), s.config);
    if (slid > session.expires_ms + 60000) {
        if (auto ext = s.store.extend_session(session.token_hash, slid); !ext.ok())
            return refuse(s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", ext.error().to_string());
        session.expires_ms = slid;
    }
    return Caller{*user.value(), session};
}

Route signed_in_route(const std::shared_ptr<State>& s, const char* method, const char* path, bool changes_state,
                      std::function<Response(Request&, const Caller&)> handler)
{
    Route r;
    r.method = method;
    r.path = path;
    r.handler = [s, changes_state, handler = std::move(handler)](Request& req) {
        auto c = caller(*s, req, changes_state);
        if (auto* refused = std::get_if<Response>(&c))
            return *refused;
        return handler(req, std::get<Caller>(c));
    };
    return r;
}

std::optional<nlohmann::json> json_object(const Request& req)
{
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        return std::nullopt;
    return body;
}

std::string text_field(const nlohmann::json& object, const char* key)
{
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool audit(State& s, const Request& req, const std::string& user, const std::string& action, const std::string& subject)
{
    auto r = s.store.add_audit(AuditRow{0, clock::unix_ms(), user, action, subject, req.peer});
    if (!r.ok())
        s.ctx.log.write(log::Level::Error, "central", "web: the audit cannot be written: " + r.error().to_string());
    return r.ok();
}

namespace {

Route login_route(const std::shared_ptr<State>& s)
{
    Route r;
    r.method = "POST";
    r.path = "/api/login";
    r.max_body_bytes = 4096;
    r.handler = [s](Request& req) {
        int64_t now = clock::unix_ms();
        auto window = s->ctx.store.count_in_window("web-login:" + req.peer, s->config.login_window_ms, now);
        if (window.ok() && window.value().count > s->config.login_per_address) {
            auto res = refuse(*s, req, 429, "error.web.too_many", "too many sign-in attempts from this address: try later");
            res.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(1, (window.value().window_end_ms - now) / 1000)));
            return res;
        }
        auto body = json_object(req);
        if (!body || !(*body)["name"].is_string() || !(*body)["password"].is_string())
            return refuse(*s, req, 400, "error.web.bad_request", "name and password are required");
        std::string name = text_field(*body, "name"), password = text_field(*body, "password");
        if (name.empty() || name.size() > 64 || password.size() > 256)
            return refuse(*s, req, 401, "error.web.login_failed", "wrong name or password");
        auto user = s->store.find_user(name);
        if (!user.ok())
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", user.error().to_string());
        if (user.value() && user.value()->locked_until_ms > now) {
            audit(*s, req, name, "login.locked", "");
            return refuse(*s, req, 429, "error.web.locked", "too many failed attempts: this account is locked for a while",
                          "locked account " + name);
        }
        bool ok;
        {
            s->hashing.acquire();
            ok = verify_password(user.value() ? user.value()->password_hash : dummy_hash(), password) && user.value();
            s->hashing.release();
        }
        if (!ok) {
            if (user.value()) {
                auto after = s->store.login_failed(name, now, s->config.max_failures, s->config.lock_ms);
                audit(*s, req, name, "login.failed", "");
                if (after.ok() && after.value().locked_until_ms > now)
                    return refuse(*s, req, 429, "error.web.locked", "too many failed attempts: this account is locked for a while",
                                  "account locked now: " + name);
            }
            return refuse(*s, req, 401, "error.web.login_failed", "wrong name or password", "failed login for " + name);
        }
        if (user.value()->disabled) {
            audit(*s, req, name, "login.disabled", "");
            return refuse(*s, req, 403, "error.web.disabled", "this account is disabled: ask the ministry's administrator",
                          "disabled account " + name);
        }
        (void)s->store.login_succeeded(name);
        std::string token = random_hex(32);
        WebSession session{protocol::sha256_hex(token), name, random_hex(32), now, session_expiry(now, now, s->config)};
        if (auto added = s->store.add_session(session); !added.ok())
            return refuse(*s, req, 503, "error.central.storage_unavailable", "the store cannot answer now", added.error().to_string());
        audit(*s, req, name, "login", "");
        auto res = no_store(Response::json(200, user_json(*user.value(), session.csrf)));
        res.headers.emplace_back("Set-Cookie", cookie(*s, token, false));
        return res;
    };
    return r;
}

Route logout_route(const std::shared_ptr<State>& s)
{
    Route r = signed_in_route(s, "POST", "/api/logout", true, [s](Request& req, const Caller& who) {
        (void)s->store.delete_session(who.session.token_hash);
        audit(*s, req, who.user.name, "logout", "");
        auto res = no_store(Response::json(200, {{"ok", true}}));
        res.headers.emplace_back("Set-Cookie", cookie(*s, "", true));
        return res;
    });
    r.max_body_bytes = 1024;
    return r;
}

Route me_route(const std::shared_ptr<State>& s)
{
    Route r = signed_in_route(s, "GET", "/api/me", false, [](Request&, const Caller& who) {
        return no_store(Response::json(200, user_json(who.user, who.session.csrf)));
    });
    return r;
}

// The translations the pages use, in one language: web.*, indicator.*, decision.reason.*, the terminals' states,
// the survey reasons and the errors the API answers with.
Route i18n_route(const std::shared_ptr<State>& s)
{
    Route r;
    r.method = "GET";
    r.path = "/api/i18n";
    r.handler = [s](Request& req) {
        auto lang = parse_lang(param(req, "lang").value_or("ar"));
        if (!lang.ok())
            return refuse(*s, req, 400, lang.error().code, "lang must be ar or en");
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, v] : s->i18n->table(lang.value()))
            for (const char* prefix : {"web.", "indicator.", "decision.reason.", "error.web.", "error.indicators.", "error.central.", "error.decision.",
                                       "central.terminal.state.", "ui.survey.reason."})
                if (k.rfind(prefix, 0) == 0)
                    out[k] = v;
        Response res = Response::json(200, out);
        res.headers.emplace_back("Cache-Control", "no-cache");
        return res;
    };
    return r;
}

} // namespace

} // namespace web

Result<void> add_web_routes(Listener& listener, Context& ctx, WebStore& store, const WebConfig& config)
{
    auto s = std::make_shared<web::State>(ctx, store, config);
    s->definitions = TRY(indicators::builtin_definitions());
    s->i18n = std::make_unique<I18n>(TRY(I18n::load(paths::assets_dir())));
    (void)web::dummy_hash();
    const auto app = config.root / "app";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(app / "index.html", ec))
        return Error::make("error.web.files", "the web application is not in " + app.string() + " (index.html)");
    // The charting library from npm: installed under vendor/ by the package, under node_modules/ in a source tree.
    std::filesystem::path chart;
    for (auto candidate : {config.root / "vendor" / "chart.umd.min.js", config.root / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"})
        if (std::filesystem::is_regular_file(candidate, ec)) {
            chart = candidate;
            break;
        }
    if (chart.empty())
        return Error::make("error.web.files", "chart.js is not in " + config.root.string()
                                                   + " (vendor/ or node_modules/: run installer/dev deps, which runs npm ci in web/)");
    listener.add_route(web::file_route("/", app / "index.html", false));
    listener.add_route(web::file_route("/public", app / "public.html", false));
    listener.add_route(web::file_route("/vendor/chart.js", chart, true));
    for (const auto& entry : std::filesystem::directory_iterator(app, ec)) {
        if (!entry.is_regular_file())
            continue;
        auto name = entry.path().filename().string();
        if (name.front() == '.')
            continue;
        listener.add_route(web::file_route("/static/" + name, entry.path(), false));
    }
    listener.add_route(web::login_route(s));
    listener.add_route(web::logout_route(s));
    listener.add_route(web::me_route(s));
    listener.add_route(web::i18n_route(s));
    web::add_api_routes(listener, s);
    return {};
}

} // namespace nafitha::central::front
