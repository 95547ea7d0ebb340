#pragma once
// The enrollment QR: what `nafitha-central terminal add --qr` prints and a kiosk's code reader scans at first
// run (or re-enrollment). One line of text:
//
//   NAFITHA-ENROLL:1?server=<url>&code=<code>&centre=<centre>&key=<central key, base64>
//
// Values are percent-encoded (RFC 3986 unreserved characters stay as they are). `server` and `code` are
// required; `centre` (the centre the code was made for) and `key` (central's Ed25519 public key, pinned by
// the enrollment so that a man in the middle cannot answer for central) are optional. The whole text is at
// most kMaxEnrollmentQr bytes; the parser refuses anything else (unknown fields, repeated fields, other
// versions) with error.provision.qr_invalid.

#include "base/result.h"

#include <string>
#include <string_view>

namespace nafitha::protocol {

inline constexpr size_t kMaxEnrollmentQr = 512;
inline constexpr std::string_view kEnrollmentQrPrefix = "NAFITHA-ENROLL:1?";

struct EnrollmentTicket {
    std::string server_url;
    std::string code;
    std::string centre;
    std::string central_key; // base64 of the 32-byte public key; empty when not given
};

std::string enrollment_qr_text(const EnrollmentTicket& ticket);
Result<EnrollmentTicket> parse_enrollment_qr(std::string_view text);

// The fingerprint technicians compare (screen, doctor, central's operator): the first 16 bytes of SHA-256 over
// the decoded key, as 8 groups of 4 hex digits ("3f2a 9c01 ..."). Empty when the key is not valid base64 of
// 32 bytes.
std::string key_fingerprint(std::string_view central_key_b64);

} // namespace nafitha::protocol
