#pragma once
// First-run provisioning (and re-enrollment) of a terminal: the one function under both the kiosk's technician
// screen and `nafitha-ctl provision`. It checks what was typed or scanned before anything goes on the wire,
// enrolls at central with the one-time code (sync::enroll: the terminal's key stays here, central's key is
// pinned), and writes DIR/provision.json: {"language","centre","server_url","terminal_id","provisioned_at"}.
// On any failure nothing is written (no sync.json, no provision.json; an earlier enrollment stays as it was).
// The printer test page that follows is the caller's (the kiosk's press, or nafitha-ctl's printer).

#include "base/i18n.h"
#include "base/result.h"
#include "sync/client/config.h"
#include "sync/client/http.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace nafitha::sync {

struct ProvisionRequest {
    Lang language = Lang::Ar;  // the language the kiosk starts in
    std::string centre;        // optional: must be the centre central made the code for
    std::string server_url;    // http(s)://HOST:PORT
    std::string code;          // the one-time enrollment code
    std::string central_key;   // optional (from the QR): central's public key, base64; the answer must be signed by it
};

// The request a scanned enrollment QR holds (protocol/enroll_qr.h), in `language`.
// error.provision.qr_invalid when the text is not an enrollment QR.
Result<ProvisionRequest> request_from_qr(std::string_view scanned, Lang language);

// Checks the fields alone: error.sync.bad_url, error.sync.bad_code, error.provision.centre_invalid,
// error.sync.bad_key. Nothing is touched.
Result<void> check_request(const ProvisionRequest& request);

struct Provisioned {
    SyncConfig config;
    bool moved = false;           // the terminal was enrolled before (another server or key): re-enrollment
    std::string previous_server;  // where it was enrolled before, when moved
};

// error.provision.unreachable (no answer at that address), error.sync.tls (the certificate does not verify),
// error.central.enroll_code (wrong, used or expired code), error.provision.key_mismatch (the answer is not
// signed by the key in the QR), error.provision.centre_mismatch (detail: the code's centre), and the
// check_request() errors.
Result<Provisioned> provision(const std::filesystem::path& data_dir, const ProvisionRequest& request, const HttpOptions& http);

struct ProvisionRecord {
    Lang language = Lang::Ar;
    std::string centre;
    std::string server_url;
    std::string terminal_id;
    std::string provisioned_at; // ISO 8601 UTC
};

inline std::filesystem::path provision_file(const std::filesystem::path& data_dir) { return data_dir / "provision.json"; }
// nullopt when the terminal was never provisioned (enrolled with `nafitha-ctl enroll` counts as enrolled, not
// provisioned); error.provision.record_invalid when the file is not readable.
Result<std::optional<ProvisionRecord>> load_provision(const std::filesystem::path& data_dir);

} // namespace nafitha::sync
