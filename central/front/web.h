#pragma once
// The web application's listener (serve --web-listen HOST:PORT): the pages, scripts and styles of web/app and the
// charting library installed from npm, read from disk (paths::web_dir(); no CDN), and the JSON API behind them:
//   POST /api/login, /api/logout          Argon2id passwords, a session cookie (HttpOnly, SameSite=Strict, Secure
//                                         under TLS), lockout after repeated failures; a session ends after
//                                         WebConfig::idle_ms without a request, and after session_ms in any case
//   GET  /api/me, /api/i18n, /api/names   the signed-in user and their CSRF token; translations; catalogue names
//   GET  /api/indicators                  the indicators table (JSON or CSV), always within the user's scope
//   GET  /api/applications, /api/application, POST /api/decide   the back office (entity officers)
//   GET  /api/public, /public.csv         the transparency figures (no login)
// Every state-changing request needs the session's CSRF token in X-CSRF-Token (and a same-origin Origin when
// the browser sends one); an entity's users see only their entity, a centre's only their centre, on the server;
// every read of personal data and every decision is written to the append-only audit (central/store/web_store.h).

#include "base/result.h"
#include "central/front/context.h"
#include "central/front/listener.h"
#include "central/store/web_store.h"

#include <filesystem>
#include <memory>
#include <string>

namespace nafitha::central::front {

struct WebConfig {
    std::filesystem::path root;          // paths::web_dir()
    bool secure_cookies = false;         // the listener speaks TLS
    int64_t session_ms = 8LL * 3600 * 1000; // a session's longest life, however busy
    int64_t idle_ms = 30LL * 60 * 1000;     // a session ends this long after its last request (serve --web-idle-minutes)
    int64_t max_failures = 5;            // consecutive failed logins before the lock
    int64_t lock_ms = 15LL * 60 * 1000;
    int64_t login_per_address = 30;      // login attempts per address per window
    int64_t login_window_ms = 10LL * 60 * 1000;
};

// Argon2id (libsodium crypto_pwhash_str, interactive limits). error.web.password when the password is too short
// (fewer than 10 characters) or too long (over 256 bytes).
Result<std::string> hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);

// When a session used at `now_ms` ends: `idle_ms` after its last use, never later than `session_ms` after it began.
int64_t session_expiry(int64_t created_ms, int64_t now_ms, const WebConfig& config);

// The routes of the web listener. Fails (error.web.files) when the application's files are not where `root` says.
Result<void> add_web_routes(Listener& listener, Context& ctx, WebStore& store, const WebConfig& config);

} // namespace nafitha::central::front
