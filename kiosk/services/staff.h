#pragma once
// Staff accounts and roles. PINs are hashed with Argon2id (libsodium crypto_pwhash); after
// kMaxPinFailures wrong PINs in a row the account is locked for kLockoutSeconds. Works offline.

#include <cstdint>
#include <string>

namespace nafitha::services {

enum class Role { Clerk, Supervisor, Technician };
std::string_view role_name(Role role);

inline constexpr int kMaxPinFailures = 5;
inline constexpr int64_t kLockoutSeconds = 15 * 60;
inline constexpr size_t kMinPinDigits = 4;
inline constexpr size_t kMaxPinDigits = 12;

// Argon2id cost. Interactive is tuned for a login of roughly 0.1-0.3 s here; Test is the cheapest
// libsodium allows, for fast tests.
struct PinCost {
    unsigned long long ops_limit = 2;
    size_t mem_limit = 64u * 1024 * 1024;
    static PinCost interactive() { return {}; }
    static PinCost test() { return {1, 8192}; }
};

struct NewStaff {
    std::string login;      // 3..20 of [a-z0-9._-]
    std::string full_name;  // any script, <= 80 chars
    Role role = Role::Clerk;
    std::string pin;        // kMinPinDigits..kMaxPinDigits digits (any digit form)
};

struct StaffAccount {
    int64_t id = 0;
    std::string login;
    std::string full_name;
    Role role = Role::Clerk;
    bool active = true;
    int failed_attempts = 0;
    int64_t locked_until_ms = 0;
};

struct Session {
    int64_t staff_id = 0;
    std::string login;
    std::string full_name;
    Role role = Role::Clerk;
    std::string started_at;
};

} // namespace nafitha::services
