#pragma once
// Rendering and queueing the documents of documents.h: a document becomes 1-bit dots (printing/render.h),
// ESC/POS bytes (printing/escpos.h), and a durable job at devices::PrinterStation, whose worker prints it.
// One Press per thread: it owns the text engine it lays documents out with.
//
//   auto press = TRY(documents::Press::create(printing::kWidth80mm));
//   auto station = TRY(devices::PrinterStation::open(data_dir / "print-queue", address));
//   TRY(press.print(*station, TRY(documents::receipt(terminal, reference, i18n, lang))));

#include "base/result.h"
#include "devices/printer_station.h"
#include "kiosk/documents/documents.h"
#include "printing/bitmap.h"
#include "text/engine.h"

#include <memory>
#include <string>

namespace nafitha::documents {

class Press {
public:
    // error.printing.bad_width unless 58 mm (384 dots) or 80 mm (576 dots).
    static Result<Press> create(int width_dots);

    int width() const { return m_width; }
    // The dots of `doc` at this press's width.
    Result<printing::Bitmap> render(const printing::Document& doc);
    // The ESC/POS bytes of already rendered dots, and of a document.
    static Result<std::string> escpos(const printing::Bitmap& dots);
    Result<std::string> escpos(const printing::Document& doc);
    // Renders and queues `p` at the station under its job id: on disk (fsync) when this returns; the
    // station's worker prints it. A job id printed before is not printed again (EnqueueOutcome says so).
    Result<devices::EnqueueOutcome> print(devices::PrinterStation& station, const Printable& p);

    text::TextEngine& engine() { return *m_engine; }

private:
    Press(int width, std::unique_ptr<text::TextEngine> engine) : m_width(width), m_engine(std::move(engine)) {}
    int m_width;
    std::unique_ptr<text::TextEngine> m_engine;
};

} // namespace nafitha::documents
