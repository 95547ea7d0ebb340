#pragma once
// Looking at a terminal's data folder without opening the terminal: nothing is created, migrated or
// installed. For nafitha-ctl status and journal verify (a technician's tools may run next to a kiosk
// whose database is newer, damaged or half made).

#include "base/result.h"
#include "kiosk/services/policy.h"
#include "kiosk/services/projection.h"
#include "sync/journal/journal.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace nafitha::services {

struct TerminalFacts {
    int schema_version = 0;
    int64_t catalogue_version = 0;  // 0 when none is installed
    int64_t applications = 0;
    int64_t last_seq = 0;           // journal
    int64_t acked_seq = 0;          // journal watermark
};

struct TerminalCheck {
    journal::VerifyReport journal;  // every hash, signature and link
    ProjectionReport tables;        // the business tables against the journal's projection (when the chain verifies)
    int64_t acked_seq = 0;
    std::string integrity;          // PRAGMA quick_check: "ok" when the file is sound
};

// error.db.open_failed when DIR/terminal.db does not exist.
Result<TerminalFacts> read_facts(const std::filesystem::path& data_dir);
// With `central_key` (pinned at enrollment, sync.json), central's kept acknowledgement is checked too.
Result<TerminalCheck> check_terminal(const std::filesystem::path& data_dir, const protocol::PublicKey& public_key,
                                     const std::optional<protocol::PublicKey>& central_key = std::nullopt);
// Central's offline policy as the kiosk applies it at `now_ms` (the latest installed policy, days counted from
// central's last signed acknowledgement). has_policy is false before central sent one.
Result<PolicyState> read_policy(const std::filesystem::path& data_dir, int64_t now_ms);

} // namespace nafitha::services
