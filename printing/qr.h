#pragma once
// QR codes (libqrencode) and the receipt authenticity payload.
//
// A receipt's QR code carries, in plain text:   NFR1|<reference>|<terminal id>|<signature>
// where <signature> is the terminal's Ed25519 signature (base64url, no padding, 86 characters) over
// "nafitha-receipt-v1|<reference>|<terminal id>". Anyone with the terminal's public key (published by
// central, printed in identity.json) can check a receipt offline: `nafitha-ctl verify-receipt PAYLOAD`.

#include "base/result.h"
#include "printing/bitmap.h"
#include "sync/protocol/crypto.h"

#include <string>
#include <string_view>

namespace nafitha::printing {

inline constexpr size_t kMaxQrPayload = 1024;

// The QR symbol as a square of modules (1 = dark), quiet zone excluded.
struct QrCode {
    int size = 0;
    std::vector<uint8_t> modules;
    bool dark(int x, int y) const { return modules[size_t(y) * size_t(size) + size_t(x)] != 0; }
};

// Encodes `payload` as 8-bit data with error correction level M. error.printing.qr_too_long past
// kMaxQrPayload, error.printing.qr_failed if libqrencode refuses.
Result<QrCode> make_qr(std::string_view payload);
// Draws the code with `module_px` pixels a module and a 4-module quiet zone.
GrayImage qr_image(const QrCode& qr, int module_px);

struct ReceiptClaim {
    std::string reference;
    std::string terminal_id;
};

// Builds the signed payload. The reference and terminal id must be 1..64 characters without '|'.
Result<std::string> sign_receipt(std::string_view reference, std::string_view terminal_id,
                                 const protocol::SecretKey& secret_key);
// Checks a payload against the terminal's public key: error.receipt.malformed or error.receipt.bad_signature.
Result<ReceiptClaim> verify_receipt(std::string_view payload, const protocol::PublicKey& public_key);
// The terminal id a payload claims (to pick the right public key), without checking anything.
Result<ReceiptClaim> parse_receipt(std::string_view payload);

} // namespace nafitha::printing
