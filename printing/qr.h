#pragma once
// QR codes (libqrencode). The receipt's signed payload is made by sync/protocol/receipt.h; printing only
// draws whatever text it is given.

#include "base/result.h"
#include "printing/bitmap.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

} // namespace nafitha::printing
