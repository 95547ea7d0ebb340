#include "printing/qr.h"

#include <memory>
#include <qrencode.h>

namespace nafitha::printing {

namespace {

struct QrOwner {
    void operator()(QRcode* q) const { QRcode_free(q); }
};

} // namespace

Result<QrCode> make_qr(std::string_view payload)
{
    if (payload.empty() || payload.size() > kMaxQrPayload)
        return Error::make("error.printing.qr_too_long", std::to_string(payload.size()) + " bytes");
    std::unique_ptr<QRcode, QrOwner> q(
        QRcode_encodeData(int(payload.size()), reinterpret_cast<const unsigned char*>(payload.data()), 0, QR_ECLEVEL_M));
    if (!q)
        return Error::make("error.printing.qr_failed", "libqrencode refused the payload");
    QrCode out;
    out.size = q->width;
    out.modules.resize(size_t(q->width) * size_t(q->width));
    for (size_t i = 0; i < out.modules.size(); ++i)
        out.modules[i] = q->data[i] & 1;
    return out;
}

GrayImage qr_image(const QrCode& qr, int module_px)
{
    const int quiet = 4;
    GrayImage g;
    g.width = g.height = (qr.size + 2 * quiet) * module_px;
    g.pixels.assign(size_t(g.width) * size_t(g.height), 0);
    for (int y = 0; y < qr.size; ++y)
        for (int x = 0; x < qr.size; ++x)
            if (qr.dark(x, y))
                g.fill_rect((x + quiet) * module_px, (y + quiet) * module_px, module_px, module_px, 255);
    return g;
}

} // namespace nafitha::printing
