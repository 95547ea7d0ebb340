#pragma once
// Central's policy for terminals that stay offline (sync/protocol/signed.h, Policy): warn staff after N days without
// a successful sync, stop taking payments after M days. The terminal keeps every policy central signed (table
// policies, journalled as policy.installed) and counts days from the time in central's last signed
// acknowledgement (journal::kept_ack): a terminal's own clock or files cannot make a sync look recent.

#include <cstdint>
#include <optional>

namespace nafitha::services {

struct PolicyState {
    bool has_policy = false;
    int64_t version = 0;
    int64_t warn_after_days = 0;          // 0: no such rule
    int64_t stop_payments_after_days = 0; // 0: no such rule
    std::optional<int64_t> last_sync_ms;  // central's time in its last signed acknowledgement; none before the first
    int64_t days_without_sync = 0;        // whole days from last_sync_ms to now (0 before the first sync)
    bool warn = false;                    // days_without_sync >= warn_after_days (rule set)
    bool stop_payments = false;           // days_without_sync >= stop_payments_after_days (rule set)
    int64_t days_until_stop = 0;          // when stop_payments is set: 0; else days left (rule set), -1 without the rule
};

// Fills the derived fields (days without sync, warn, stop, days left) of `s` from its rules and last_sync_ms at
// `now_ms`. The kiosk (Terminal::policy_state) and nafitha-ctl doctor (services::read_policy) share it.
inline void evaluate_policy(PolicyState& s, int64_t now_ms)
{
    constexpr int64_t kDay = 86'400'000;
    s.days_without_sync = s.last_sync_ms && now_ms > *s.last_sync_ms ? (now_ms - *s.last_sync_ms) / kDay : 0;
    s.warn = s.warn_after_days > 0 && s.days_without_sync >= s.warn_after_days;
    s.stop_payments = s.stop_payments_after_days > 0 && s.days_without_sync >= s.stop_payments_after_days;
    s.days_until_stop = s.stop_payments_after_days == 0 ? -1
                        : s.stop_payments                ? 0
                                                         : s.stop_payments_after_days - s.days_without_sync;
}

} // namespace nafitha::services
