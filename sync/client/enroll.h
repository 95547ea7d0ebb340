#pragma once
// Enrollment: the terminal makes (or loads) its key pair locally, sends only its public key with the one-time
// code, and writes DIR/sync.json from the answer.

#include "base/result.h"
#include "sync/client/config.h"
#include "sync/client/http.h"

#include <filesystem>
#include <string>

namespace nafitha::sync {

// The answer carries central's signed enrollment statement for this terminal and key; the central key it names is
// pinned in sync.json and checks every later answer. `central_key` (base64), when a technician has it from
// central's operator, must be that key (else error.sync.answer_forged): it protects the enrollment itself.
// `expected_centre`, when given, must be the centre central made the code for (else error.provision.centre_mismatch
// with that centre as its detail, and nothing is written). error.central.enroll_code (unknown, used or expired code), error.sync.network,
// error.sync.enroll_mismatch.
Result<SyncConfig> enroll(const std::filesystem::path& data_dir, const std::string& server_url, const std::string& code,
                          const HttpOptions& http, const std::string& central_key = {},
                          const std::string& expected_centre = {});

} // namespace nafitha::sync
