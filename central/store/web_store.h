#pragma once
// What the web application (central/web) keeps in the central store, apart from the terminals' data: its users
// (Argon2id password hashes, failed attempts and lockout), their sessions (the SHA-256 of the cookie's token and
// the CSRF token), the audit of every read of personal data and every decision taken on the web, and the
// applications an officer reads and decides. Tables of central store migrations 9 and 14 (SQLite and PostgreSQL).
//
// Its own connection to the same store (the SQLite file DIR/central.db or the PostgreSQL database), opened after
// the main store has migrated it: web traffic is small and never waits behind ingest's connection.

#include "base/result.h"
#include "central/store/store.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nafitha::central {

struct WebUser {
    std::string name;
    std::string role;          // ministry | entity | centre
    std::string entity;        // role entity: the entity code it may see (and decide for)
    std::string centre;        // role centre: the centre code it may see
    std::string password_hash; // crypto_pwhash_str (Argon2id)
    int64_t failed = 0;        // consecutive failed logins
    int64_t locked_until_ms = 0;
    int64_t created_ms = 0;
    bool disabled = false;     // `user disable`: cannot sign in, its sessions are gone
};

struct WebSession {
    std::string token_hash; // SHA-256 hex of the cookie's token (the token itself is never stored)
    std::string user;
    std::string csrf;       // sent back by the page in X-CSRF-Token with every state-changing request
    int64_t created_ms = 0;
    int64_t expires_ms = 0; // slides with use: min(created + session length, last request + idle timeout)
};

struct AuditRow {
    int64_t id = 0;
    int64_t time_ms = 0;
    std::string user, action, subject, peer;
};

struct ApplicationFilter {
    std::string entity;    // empty: any
    std::string centre;    // empty: any
    std::string status;    // empty: any; "open": submitted or in_review
    std::string reference; // empty: any
    int64_t limit = 200;
};

struct ApplicationRow {
    std::string terminal_id, reference, centre, entity, service_code, category, channel, status, exemption,
        claimed_centre;
    std::optional<int64_t> fee_minor, staff_id, decided_ms, ready_ms;
    int64_t paid_minor = 0, waived_minor = 0, submitted_ms = 0, updated_ms = 0;
};

class WebStore {
public:
    virtual ~WebStore() = default;

    // error.web.user_exists when the name is taken.
    virtual Result<void> add_user(const WebUser& user) = 0;
    virtual Result<std::optional<WebUser>> find_user(const std::string& name) = 0;
    virtual Result<std::vector<WebUser>> users() = 0;
    // One more failed login (atomically): from `max_failures` consecutive failures on, the user is locked until
    // now + lock_ms. Returns the user's state after it.
    virtual Result<WebUser> login_failed(const std::string& name, int64_t now_ms, int64_t max_failures, int64_t lock_ms) = 0;
    virtual Result<void> login_succeeded(const std::string& name) = 0;
    // `user disable` / `user enable`: a disabled user cannot sign in and loses every session at once.
    // error.web.unknown_user when there is no such user.
    virtual Result<void> set_disabled(const std::string& name, bool disabled) = 0;
    // `user reset-password`: a new Argon2id hash, the failure count and lock cleared, every session ended.
    // error.web.unknown_user when there is no such user.
    virtual Result<void> set_password(const std::string& name, const std::string& password_hash) = 0;

    virtual Result<void> add_session(const WebSession& session) = 0;
    // A session that has not expired, or nothing.
    virtual Result<std::optional<WebSession>> find_session(const std::string& token_hash, int64_t now_ms) = 0;
    virtual Result<void> delete_session(const std::string& token_hash) = 0;
    // The idle timeout: a session in use gets a later expiry (never earlier than it had).
    virtual Result<void> extend_session(const std::string& token_hash, int64_t expires_ms) = 0;
    virtual Result<void> expire_sessions(int64_t now_ms) = 0;

    // Append-only (the SQLite table refuses UPDATE and DELETE by trigger; PostgreSQL by rule).
    virtual Result<void> add_audit(const AuditRow& row) = 0;
    virtual Result<std::vector<AuditRow>> audit(int64_t max_rows) = 0; // newest first

    // Applications, newest first, projected as central knows them (no form values: those stay sealed on the
    // terminal that took them).
    virtual Result<std::vector<ApplicationRow>> applications(const ApplicationFilter& filter) = 0;
    virtual Result<std::optional<ApplicationRow>> application(const std::string& terminal_id, const std::string& reference) = 0;
};

// Opens the web tables of the store at `location` (migrated already by open_store).
Result<std::unique_ptr<WebStore>> open_web_store(const StoreLocation& location);

} // namespace nafitha::central
