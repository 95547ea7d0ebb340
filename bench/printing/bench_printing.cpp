// bench printing.receipt_ms: an 80 mm Arabic receipt with a signed QR code, from data to ESC/POS bytes
// (document, layout, rendering, QR, dots, raster bands), with a warm text engine as on a running kiosk.
// The median of 40 runs.

#include "base/clock.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "locale/locale.h"
#include "printing/documents.h"
#include "printing/escpos.h"
#include "printing/qr.h"
#include "sync/protocol/receipt.h"
#include "printing/render.h"
#include "sync/protocol/crypto.h"

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace nafitha;
using namespace nafitha::printing;

int main()
{
    auto i18n = I18n::load(paths::assets_dir());
    auto engine = text::TextEngine::create();
    if (!i18n.ok() || !engine.ok()) {
        std::fprintf(stderr, "bench_printing: %s\n", (!i18n.ok() ? i18n.error() : engine.error()).to_string().c_str());
        return 1;
    }
    auto loc = locale::Locale::create(*i18n, Lang::Ar);
    if (!loc.ok()) {
        std::fprintf(stderr, "bench_printing: %s\n", loc.error().to_string().c_str());
        return 1;
    }
    protocol::init_crypto();
    auto keys = protocol::generate_keypair();
    size_t bytes = 0;
    auto once = [&](int i) -> bool {
        ReceiptData r;
        r.reference = "DAM1-" + std::to_string(100000 + i) + "-7";
        r.service_name = "إخراج قيد مدني فردي";
        r.centre = "DAM-01";
        r.terminal_id = "T0123456789ab";
        r.time_utc = clock::now_iso8601();
        r.amount = Money{250000};
        r.pay_method = "cash";
        r.tendered = Money{300000};
        r.change = Money{50000};
        r.expected_ready = "2026-12-01";
        auto payload = protocol::sign_receipt(r.reference, r.terminal_id, keys.secret_key);
        if (!payload.ok())
            return false;
        r.qr_payload = *payload;
        auto bitmap = render(receipt_document(r, **loc), kWidth80mm, **engine);
        if (!bitmap.ok())
            return false;
        auto out = encode_escpos(*bitmap);
        if (!out.ok())
            return false;
        bytes = out->size();
        return true;
    };
    if (!once(0)) {
        std::fprintf(stderr, "bench_printing: receipt failed\n");
        return 1;
    }
    std::vector<double> ms;
    for (int i = 1; i <= 40; ++i) {
        int64_t t0 = clock::monotonic_ns();
        if (!once(i))
            return 1;
        ms.push_back(double(clock::monotonic_ns() - t0) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    std::printf("bench printing.receipt_ms %.2f ms\n", ms[ms.size() / 2]);
    std::printf("bench printing.receipt_bytes %zu bytes\n", bytes);
    return 0;
}
