// Staff accounts: Argon2id PIN hashes, offline login with lockout after repeated failures.

#include "kiosk/services/staff.h"

#include "base/log.h"
#include "base/utf8.h"
#include "kiosk/services/text_normalize.h"
#include "kiosk/services/terminal.h"
#include "sync/journal/journal.h"
#include "sync/protocol/crypto.h"

#include <sodium.h>

namespace nafitha::services {

std::string_view role_name(Role role)
{
    switch (role) {
    case Role::Clerk: return "clerk";
    case Role::Supervisor: return "supervisor";
    case Role::Technician: return "technician";
    }
    return "clerk";
}

static Role parse_role(const std::string& s)
{
    return s == "supervisor" ? Role::Supervisor : s == "technician" ? Role::Technician : Role::Clerk;
}

static Result<std::string> normalise_pin(std::string_view raw)
{
    if (raw.size() > 64)
        return Error::make("error.staff.bad_pin", "PIN too long", "pin");
    auto pin = digits_to_ascii(raw);
    if (pin.size() < kMinPinDigits || pin.size() > kMaxPinDigits)
        return Error::make("error.staff.bad_pin", "a PIN has 4 to 12 digits", "pin");
    for (char c : pin)
        if (c < '0' || c > '9')
            return Error::make("error.staff.bad_pin", "a PIN has digits only", "pin");
    return pin;
}

static Result<std::string> hash_pin(const std::string& pin, const PinCost& cost)
{
    protocol::init_crypto();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, pin.data(), pin.size(), cost.ops_limit, cost.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return Error::make("error.staff.hash_failed", "Argon2id ran out of memory");
    return std::string(out);
}

static bool check_pin(const std::string& hash, const std::string& pin)
{
    if (hash.size() >= crypto_pwhash_STRBYTES)
        return false;
    return crypto_pwhash_str_verify(hash.c_str(), pin.data(), pin.size()) == 0;
}

static StaffAccount row_staff(const db::Statement& st)
{
    StaffAccount a;
    a.id = st.int64(0);
    a.login = st.text(1);
    a.full_name = st.text(2);
    a.role = parse_role(st.text(3));
    a.active = st.int64(4) != 0;
    a.failed_attempts = static_cast<int>(st.int64(5));
    a.locked_until_ms = st.int64(6);
    return a;
}

static constexpr const char* kStaffColumns =
    "SELECT id, login, full_name, role, active, failed_attempts, locked_until_ms, pin_hash FROM staff ";

Result<StaffAccount> Terminal::create_staff(const NewStaff& staff)
{
    auto login = trim_collapse(staff.login);
    bool ok = login.size() >= 3 && login.size() <= 20;
    for (char c : login)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
    if (!ok)
        return Error::make("error.staff.bad_login", "a login is 3..20 of a-z 0-9 . _ -", "login");
    auto name = trim_collapse(staff.full_name);
    bool name_ok = !name.empty() && staff.full_name.size() <= 400 && utf8::is_valid(name) && utf8::length(name) <= 80;
    for (unsigned char c : name)
        name_ok = name_ok && c >= 0x20 && c != 0x7F;
    if (!name_ok)
        return Error::make("error.staff.bad_name", "a name of 1..80 characters", "full_name");
    auto pin = TRY(normalise_pin(staff.pin));
    auto hash = TRY(hash_pin(pin, m_options.pin_cost));
    sodium_memzero(pin.data(), pin.size());

    std::lock_guard lock(m_mutex);
    auto tx = TRY(db::Transaction::begin(m_db));
    auto exists = TRY(m_db.cached("SELECT 1 FROM staff WHERE login = ?1"));
    exists.bind(1, login);
    if (TRY(exists.step()))
        return Error::make("error.staff.login_taken", "login already used", "login");
    exists = db::Statement();
    auto st = TRY(m_db.cached("INSERT INTO staff (login, full_name, role, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
    st.bind(1, login).bind(2, name).bind(3, role_name(staff.role)).bind(4, hash).bind(5, now_iso());
    TRY(st.run());
    int64_t id = m_db.last_insert_rowid();
    TRY(journal::append(m_db, m_identity, "staff.created",
                        {{"staff_id", id}, {"login", login}, {"role", role_name(staff.role)}, {"centre", m_options.centre},
                         {"time", now_iso()}}));
    TRY(journal::commit(m_db, m_identity, tx));
    StaffAccount a;
    a.id = id;
    a.login = login;
    a.full_name = name;
    a.role = staff.role;
    return a;
}

Result<Session> Terminal::login(std::string_view login_name, std::string_view pin_raw)
{
    auto bad = Error::make("error.staff.bad_credentials", "unknown login or wrong PIN", "pin");
    if (login_name.size() > 64)
        return bad;
    auto pin = normalise_pin(pin_raw);
    std::lock_guard lock(m_mutex);
    auto st = TRY(m_db.cached(std::string(kStaffColumns) + "WHERE login = ?1"));
    st.bind(1, trim_collapse(login_name));
    if (!TRY(st.step())) {
        // Spend the same time as a real check, so that logins cannot be probed by timing.
        (void)hash_pin("0000", m_options.pin_cost);
        return bad;
    }
    auto account = row_staff(st);
    auto hash = st.text(7);
    st = db::Statement();
    if (!account.active)
        return Error::make("error.staff.inactive", "account disabled", "login");
    auto now = now_ms();
    if (account.locked_until_ms > now)
        return Error::make("error.staff.locked",
                           "locked for " + std::to_string((account.locked_until_ms - now + 999) / 1000) + " s", "login");
    bool ok = pin.ok() && check_pin(hash, pin.value());
    if (pin.ok())
        sodium_memzero(pin->data(), pin->size());
    auto tx = TRY(db::Transaction::begin(m_db));
    if (ok) {
        auto upd = TRY(m_db.cached("UPDATE staff SET failed_attempts = 0, locked_until_ms = 0 WHERE id = ?1"));
        upd.bind(1, account.id);
        TRY(upd.run());
        TRY(journal::append(m_db, m_identity, "staff.login",
                            {{"staff_id", account.id}, {"centre", m_options.centre}, {"time", now_iso()}}));
        TRY(journal::commit(m_db, m_identity, tx));
        return Session{account.id, account.login, account.full_name, account.role, now_iso()};
    }
    int failures = account.failed_attempts + 1;
    bool lock_now = failures >= kMaxPinFailures;
    auto upd = TRY(m_db.cached("UPDATE staff SET failed_attempts = ?1, locked_until_ms = ?2 WHERE id = ?3"));
    upd.bind(1, int64_t{lock_now ? 0 : failures}).bind(2, lock_now ? now + kLockoutSeconds * 1000 : int64_t{0}).bind(3, account.id);
    TRY(upd.run());
    if (lock_now) {
        TRY(journal::append(m_db, m_identity, "staff.locked",
                            {{"staff_id", account.id}, {"centre", m_options.centre}, {"time", now_iso()},
                             {"locked_s", kLockoutSeconds}}));
        log::warn("services", "staff account " + std::to_string(account.id) + " locked after repeated wrong PINs");
    }
    TRY(journal::commit(m_db, m_identity, tx));
    if (lock_now)
        return Error::make("error.staff.locked", "locked after " + std::to_string(kMaxPinFailures) + " failures", "login");
    return bad;
}

Result<void> Terminal::change_pin(int64_t staff_id, std::string_view old_pin, std::string_view new_pin)
{
    auto fresh = TRY(normalise_pin(new_pin));
    std::string account_login;
    {
        std::lock_guard lock(m_mutex);
        auto st = TRY(m_db.cached("SELECT login FROM staff WHERE id = ?1"));
        st.bind(1, staff_id);
        if (!TRY(st.step()))
            return Error::make("error.staff.unknown", "no such staff", "staff");
        account_login = st.text(0);
    }
    TRY(login(account_login, old_pin));
    auto hash = TRY(hash_pin(fresh, m_options.pin_cost));
    sodium_memzero(fresh.data(), fresh.size());
    std::lock_guard lock(m_mutex);
    auto tx = TRY(db::Transaction::begin(m_db));
    auto upd = TRY(m_db.cached("UPDATE staff SET pin_hash = ?1 WHERE id = ?2"));
    upd.bind(1, hash).bind(2, staff_id);
    TRY(upd.run());
    TRY(journal::append(m_db, m_identity, "staff.pin_changed", {{"staff_id", staff_id}, {"time", now_iso()}}));
    return journal::commit(m_db, m_identity, tx);
}

Result<std::vector<StaffAccount>> Terminal::staff() const
{
    std::lock_guard lock(m_mutex);
    auto st = TRY(m_db.cached(std::string(kStaffColumns) + "ORDER BY id"));
    std::vector<StaffAccount> out;
    while (TRY(st.step()))
        out.push_back(row_staff(st));
    return out;
}

} // namespace nafitha::services
