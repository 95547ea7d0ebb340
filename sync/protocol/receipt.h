#pragma once
// The receipt authenticity payload, signed like every other statement a terminal makes.
//
// A receipt's QR code carries, in plain text:   NFR1|<reference>|<terminal id>|<signature>
// where <signature> is the terminal's Ed25519 signature (base64url, no padding, 86 characters) over
// "nafitha-receipt-v1|<reference>|<terminal id>". Anyone with the terminal's public key (published by
// central, printed in identity.json) can check a receipt offline: `nafitha-ctl verify-receipt PAYLOAD`.
// printing/ only draws the payload as a QR code; it never sees a key.

#include "base/result.h"
#include "sync/protocol/crypto.h"

#include <string>
#include <string_view>

namespace nafitha::protocol {

struct ReceiptClaim {
    std::string reference;
    std::string terminal_id;
};

// Builds the signed payload. The reference and terminal id must be 1..64 characters without '|'.
Result<std::string> sign_receipt(std::string_view reference, std::string_view terminal_id, const SecretKey& secret_key);
// Checks a payload against the terminal's public key: error.receipt.malformed or error.receipt.bad_signature.
Result<ReceiptClaim> verify_receipt(std::string_view payload, const PublicKey& public_key);
// The terminal id a payload claims (to pick the right public key), without checking anything.
Result<ReceiptClaim> parse_receipt(std::string_view payload);

} // namespace nafitha::protocol
