#pragma once
// The documents a terminal prints, built from kiosk/services' records. This is the one place that maps a
// stored application, payment, ticket or day into printing's data: nafitha-kiosk and nafitha-ctl both call
// these, so the same data gives the same document (and, through Press, the same bytes).
//
//   auto loc = documents::locale_for(terminal, i18n, Lang::Ar);              // language + the centre's zone
//   auto p = TRY(documents::receipt(terminal, reference, *loc));             // document + job id
//   TRY(press.print(station, p));                                            // rendered, queued durably
//
// Every builder reads through the services facade (no SQL here) and signs nothing itself: the receipt's
// QR payload comes from sync/protocol/receipt.h with the terminal's key.

#include "base/i18n.h"
#include "base/result.h"
#include "kiosk/services/terminal.h"
#include "locale/locale.h"
#include "printing/document.h"
#include "printing/documents.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace nafitha::documents {

// A document ready to render, with the print queue's idempotency key.
struct Printable {
    printing::Document document;
    std::string job_id;     // "receipt:REF", "ticket:ID", "z-report:DAY:GENERATED", "test-page:MS"
    std::string qr_payload; // the receipt's signed payload (empty for other documents)
};

// A reprint is marked "copy" and queued under its own job id (the original stays printed once).
enum class Copy { Original, Duplicate };

// The formatting of `lang` in the time zone of the terminal's centre (the catalogue's `time_zone`). A zone
// that ICU does not know is logged and the default zone (Asia/Damascus) is used: paper still prints.
std::unique_ptr<locale::Locale> locale_for(const services::Terminal& terminal, const I18n& i18n, Lang lang);

// --- The data of each document ---
// The receipt of a stored application: its service and centre names in `lang`, the catalogue's currency,
// what was paid and how, the queue ticket that came with it, and the signed QR payload.
Result<printing::ReceiptData> receipt_data(const services::Terminal& terminal, std::string_view reference, Lang lang);
printing::TicketData ticket_data(const services::Terminal& terminal, const services::Ticket& ticket, Lang lang);
// The application summary (A4): fields in the form's order with choice labels, the history translated.
Result<printing::SummaryData> summary_data(const services::Terminal& terminal, std::string_view reference,
                                           const locale::Locale& loc);
// The end-of-day report of `day` (YYYY-MM-DD; today when empty), stamped `generated_utc`.
Result<printing::ZReportData> z_report_data(const services::Terminal& terminal, std::string_view day, Lang lang,
                                            const std::string& generated_utc);
printing::TestPageData test_page_data(const std::string& terminal_id, const std::string& printer, int width_dots,
                                      const std::string& time_utc);

// --- The documents, with their job ids, in `loc`'s language and zone ---
// `now_ms` stamps what has no time of its own (a Z report, a test page, a copy's job id).
Result<Printable> receipt(const services::Terminal& terminal, std::string_view reference, const locale::Locale& loc,
                          Copy copy = Copy::Original, int64_t now_ms = 0);
Printable ticket(const services::Terminal& terminal, const services::Ticket& ticket, const locale::Locale& loc);
// The application summary the citizen signs at the counter (job id "summary:REF").
Result<Printable> summary(const services::Terminal& terminal, std::string_view reference, const locale::Locale& loc);
Printable z_report(const printing::ZReportData& data, const locale::Locale& loc);
Printable test_page(const std::string& terminal_id, const std::string& printer, int width_dots,
                    const locale::Locale& loc, int64_t now_ms);

} // namespace nafitha::documents
