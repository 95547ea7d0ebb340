#pragma once
// The documents a terminal prints, built from plain data (no dependency on kiosk/services: the caller maps
// its records into these structs). Every label comes from assets/i18n/<lang>/printing.json; the document's
// language decides the direction (Arabic: right to left). Numbers, money, counts, dates and times go through
// locale/ exactly as on screen (one digit style per language); times are stored in UTC and printed in the
// locale's zone.

#include "base/i18n.h"
#include "locale/locale.h"
#include "printing/document.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nafitha::printing {

// An amount in minor units (1/100) of a currency (ISO 4217), printed by locale::Locale::money.
struct Money {
    int64_t minor = 0;
    std::string currency = "SYP";
};

struct ReceiptData {
    std::string reference;          // printed as the last line, and inside the QR code
    std::string service_name;       // in the document's language
    std::string centre;
    std::string terminal_id;
    std::string time_utc;           // ISO 8601 UTC of the payment or submission (printed in local time)
    std::optional<Money> amount;    // the fee paid (nothing for a free service)
    std::string pay_method;         // "cash", "card", "exemption" or empty
    std::optional<Money> tendered;  // cash
    std::optional<Money> change;    // cash
    std::string card_authorisation;
    std::string expected_ready;     // YYYY-MM-DD or empty (printed day first, with the Hijri date)
    std::string ticket_number;      // the queue ticket of the visit, if any
    std::string qr_payload;         // sign_receipt(); empty = no QR
    std::vector<std::pair<std::string, std::string>> extra_rows;  // already translated label/value pairs
    bool duplicate = false;         // a reprint: marked "copy"
};

struct TicketData {
    std::string number;             // "A-042"
    std::string category_name;
    std::string centre;
    std::string time_utc;
    int64_t people_ahead = 0;
    int64_t estimated_wait_min = 0;
    std::string qr_payload;         // optional
};

struct SummaryData {
    std::string reference;
    std::string service_name;
    std::string status_key;         // translation key of the status ("printing.status.submitted")
    std::string centre;
    std::string submitted_utc;
    std::string expected_ready;
    std::optional<Money> fee;
    Money paid;
    std::vector<std::pair<std::string, std::string>> fields;   // translated label/value pairs
    std::vector<std::pair<std::string, std::string>> history;  // time / translated status
    std::string qr_payload;
    // Registered at a counter: the citizen signs the summary (a line for the signature and the clerk's name).
    bool citizen_signs = false;
    std::string clerk;
};

struct ZReportData {
    std::string day;                // YYYY-MM-DD
    std::string centre;
    std::string terminal_id;
    std::string generated_utc;
    int64_t payments = 0;
    Money cash;
    Money card;
    Money waived;
    Money change;
    int64_t applications = 0;
    int64_t tickets = 0;
    struct StaffLine {
        std::string name;           // empty = the kiosk itself
        int64_t count = 0;
        Money cash;
        Money card;
    };
    std::vector<StaffLine> by_staff;
    int64_t journal_pending = 0;    // entries not yet acknowledged by central
    // The cash drawer (a counter): printed when `drawer` is set.
    bool drawer = false;
    Money opening_float;
    Money cash_in;
    Money cash_out;
    Money refunded_cash;
    Money refunded_card;
    Money expected_cash;            // float + cash + in - out - cash refunds
    std::optional<Money> declared;  // the day's latest close
    std::optional<Money> difference;
    int64_t decisions = 0;
    int64_t reversals = 0;
};

struct TestPageData {
    std::string terminal_id;
    std::string printer;            // address or model
    int width_dots = 576;
    std::string time_utc;
};

// Each document in `loc`'s language and time zone.
Document receipt_document(const ReceiptData& data, const locale::Locale& loc);
Document ticket_document(const TicketData& data, const locale::Locale& loc);
Document summary_document(const SummaryData& data, const locale::Locale& loc);
Document z_report_document(const ZReportData& data, const locale::Locale& loc);
Document test_page_document(const TestPageData& data, const locale::Locale& loc);

// The emblem printed at the top of every document: drawn here (a window with an eight-pointed star), no
// copied artwork. `size` is its width and height in dots.
GrayImage emblem(int size);

} // namespace nafitha::printing
