#include "kiosk/documents/press.h"

#include "printing/escpos.h"
#include "printing/render.h"

namespace nafitha::documents {

Result<Press> Press::create(int width_dots)
{
    if (width_dots != printing::kWidth58mm && width_dots != printing::kWidth80mm)
        return Error::make("error.printing.bad_width", std::to_string(width_dots) + " dots (384 or 576)");
    auto engine = TRY(text::TextEngine::create());
    return Press(width_dots, std::move(engine));
}

Result<printing::Bitmap> Press::render(const printing::Document& doc) { return printing::render(doc, m_width, *m_engine); }

Result<std::string> Press::escpos(const printing::Bitmap& dots) { return printing::encode_escpos(dots); }

Result<std::string> Press::escpos(const printing::Document& doc)
{
    auto dots = TRY(render(doc));
    return escpos(dots);
}

Result<devices::EnqueueOutcome> Press::print(devices::PrinterStation& station, const Printable& p)
{
    auto bytes = TRY(escpos(p.document));
    return station.submit(p.job_id, bytes);
}

} // namespace nafitha::documents
