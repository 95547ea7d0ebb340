#include "kiosk/documents/documents.h"

#include "base/clock.h"
#include "base/log.h"
#include "sync/protocol/receipt.h"

namespace nafitha::documents {

namespace {

std::string currency_of(const services::Catalogue* catalogue) { return catalogue ? catalogue->currency : "SYP"; }

// The centre's name in `lang`, or its code when the catalogue does not know it.
std::string centre_name(const services::Catalogue* catalogue, const std::string& code, Lang lang)
{
    const services::Centre* centre = catalogue ? catalogue->centre(code) : nullptr;
    return centre ? centre->name.in(lang) : code;
}

} // namespace

std::unique_ptr<locale::Locale> locale_for(const services::Terminal& terminal, const I18n& i18n, Lang lang)
{
    auto catalogue = terminal.catalogue();
    std::string zone = catalogue ? catalogue->time_zone_at(terminal.centre()) : std::string(locale::kDefaultTimeZone);
    auto loc = locale::Locale::create(i18n, lang, zone);
    if (loc.ok())
        return loc.release_value();
    log::warn("documents", "time zone '" + zone + "' not usable (" + loc.error().to_string() + "), printing in " +
                               std::string(locale::kDefaultTimeZone));
    return locale::Locale::create(i18n, lang, locale::kDefaultTimeZone).release_value();
}

Result<printing::ReceiptData> receipt_data(const services::Terminal& terminal, std::string_view reference, Lang lang)
{
    auto app = TRY(terminal.application(reference));
    auto payments = TRY(terminal.payments_of(app.reference));
    auto ticket = TRY(terminal.ticket_of(app.reference));
    auto catalogue = terminal.catalogue();
    const services::Catalogue* cat = catalogue.get();
    std::string currency = currency_of(cat);
    printing::ReceiptData r;
    r.reference = app.reference;
    const services::Service* service = cat ? cat->service(app.service_code) : nullptr;
    r.service_name = service ? service->name.in(lang) : app.service_code;
    r.centre = centre_name(cat, app.centre, lang);
    r.terminal_id = terminal.identity().terminal_id;
    r.time_utc = payments.empty() ? app.submitted_at : payments.back().time;
    r.expected_ready = app.expected_ready;
    if (!payments.empty()) {
        const auto& p = payments.back();
        int64_t paid = 0;
        for (const auto& x : payments)
            paid += x.amount_minor;
        r.amount = printing::Money{paid, currency};
        r.pay_method = std::string(services::pay_method_name(p.method));
        if (p.method == services::PayMethod::Cash && p.tendered_minor > 0) {
            r.tendered = printing::Money{p.tendered_minor, currency};
            r.change = printing::Money{p.change_minor, currency};
        }
        r.card_authorisation = p.card_authorisation;
    } else if (app.fee.total > 0) {
        r.amount = printing::Money{0, currency};
        r.pay_method = "unpaid";
    }
    if (ticket)
        r.ticket_number = ticket->number;
    r.qr_payload = TRY(protocol::sign_receipt(r.reference, r.terminal_id, terminal.identity().keys.secret_key));
    return r;
}

printing::TicketData ticket_data(const services::Terminal& terminal, const services::Ticket& ticket, Lang lang)
{
    auto catalogue = terminal.catalogue();
    printing::TicketData d;
    d.number = ticket.number;
    if (const services::Category* c = catalogue ? catalogue->category(ticket.category) : nullptr)
        d.category_name = c->name.in(lang);
    d.centre = centre_name(catalogue.get(), ticket.centre, lang);
    d.time_utc = ticket.issued_at;
    d.people_ahead = ticket.waiting_ahead;
    d.estimated_wait_min = (ticket.estimated_wait_s + 59) / 60;
    return d;
}

Result<printing::SummaryData> summary_data(const services::Terminal& terminal, std::string_view reference,
                                           const locale::Locale& loc)
{
    Lang lang = loc.lang();
    auto app = TRY(terminal.application(reference));
    auto catalogue = terminal.catalogue();
    const services::Catalogue* cat = catalogue.get();
    std::string currency = currency_of(cat);
    const services::Service* service = cat ? cat->service(app.service_code) : nullptr;
    printing::SummaryData s;
    s.reference = app.reference;
    s.service_name = service ? service->name.in(lang) : app.service_code;
    s.status_key = "printing.status." + std::string(services::app_status_name(app.status));
    s.centre = centre_name(cat, app.centre, lang);
    s.submitted_utc = app.submitted_at;
    s.expected_ready = app.expected_ready;
    if (app.fee.total > 0)
        s.fee = printing::Money{app.fee.total, currency};
    s.paid = printing::Money{app.paid_minor, currency};
    // Fields in the form's order, then any value the current form no longer has.
    auto add_field = [&](const std::string& name, const std::string& value) {
        const services::FormField* field = service ? service->field(name) : nullptr;
        std::string shown = value;
        if (field)
            for (const auto& o : field->options)
                if (o.value == value)
                    shown = o.label.in(lang);
        s.fields.emplace_back(field ? field->label.in(lang) : name, shown);
    };
    if (service)
        for (const auto& f : service->form)
            if (auto it = app.values.find(f.name); it != app.values.end() && !it->second.empty())
                add_field(f.name, it->second);
    for (const auto& [name, value] : app.values)
        if (!service || !service->field(name))
            add_field(name, value);
    for (const auto& h : app.history)
        s.history.emplace_back(h.time, loc.tr("printing.status." + std::string(services::app_status_name(h.status))));
    s.qr_payload = TRY(protocol::sign_receipt(s.reference, terminal.identity().terminal_id,
                                              terminal.identity().keys.secret_key));
    // Registered at a counter: the citizen signs it, and the clerk who registered it is named.
    if (app.channel == services::Channel::Counter) {
        s.citizen_signs = true;
        if (app.staff_id)
            for (const auto& a : TRY(terminal.staff()))
                if (a.id == *app.staff_id)
                    s.clerk = a.full_name;
    }
    return s;
}

Result<printing::ZReportData> z_report_data(const services::Terminal& terminal, std::string_view day, Lang lang,
                                            const std::string& generated_utc)
{
    auto totals = TRY(terminal.day_totals(day));
    auto journal = TRY(terminal.journal_status());
    auto catalogue = terminal.catalogue();
    std::string currency = currency_of(catalogue.get());
    printing::ZReportData z;
    z.day = totals.day;
    z.centre = centre_name(catalogue.get(), terminal.centre(), lang);
    z.terminal_id = terminal.identity().terminal_id;
    z.generated_utc = generated_utc;
    z.payments = totals.count;
    z.cash = {totals.cash_minor, currency};
    z.card = {totals.card_minor, currency};
    z.waived = {totals.waived_minor, currency};
    z.change = {totals.change_minor, currency};
    for (const auto& s : totals.by_staff)
        z.by_staff.push_back({s.staff_name, s.count, {s.cash_minor, currency}, {s.card_minor, currency}});
    z.applications = totals.applications;
    z.tickets = totals.tickets;
    z.journal_pending = journal.pending;
    z.drawer = totals.opening_float_minor || totals.cash_in_minor || totals.cash_out_minor || totals.refunds ||
               totals.declared_minor || totals.counter_applications || totals.decisions;
    z.opening_float = {totals.opening_float_minor, currency};
    z.cash_in = {totals.cash_in_minor, currency};
    z.cash_out = {totals.cash_out_minor, currency};
    z.refunded_cash = {totals.refunded_cash_minor, currency};
    z.refunded_card = {totals.refunded_card_minor, currency};
    z.expected_cash = {totals.expected_cash_minor, currency};
    if (totals.declared_minor)
        z.declared = printing::Money{*totals.declared_minor, currency};
    if (totals.difference_minor)
        z.difference = printing::Money{*totals.difference_minor, currency};
    z.decisions = totals.decisions;
    z.reversals = totals.reversals;
    return z;
}

printing::TestPageData test_page_data(const std::string& terminal_id, const std::string& printer, int width_dots,
                                      const std::string& time_utc)
{
    return printing::TestPageData{terminal_id, printer, width_dots, time_utc};
}

Result<Printable> receipt(const services::Terminal& terminal, std::string_view reference, const locale::Locale& loc,
                          Copy copy, int64_t now_ms)
{
    auto data = TRY(receipt_data(terminal, reference, loc.lang()));
    data.duplicate = copy == Copy::Duplicate;
    // A receipt printed after a staff decision says it, with the reason and what happened to the fee.
    auto app = TRY(terminal.application(data.reference));
    if (!app.history.empty()) {
        const auto& last = app.history.back();
        if (!last.reason.empty() && last.reason != "reversal") {
            std::string status = std::string(services::app_status_name(last.status));
            data.extra_rows.emplace_back(loc.tr("printing.receipt.decision"), loc.tr("printing.status." + status));
            data.extra_rows.emplace_back(loc.tr("printing.receipt.reason"), loc.tr("decision.reason." + last.reason));
            if (!last.note.empty())
                data.extra_rows.emplace_back(loc.tr("printing.receipt.note"), last.note);
            if (app.refunded_minor > 0)
                data.extra_rows.emplace_back(
                    loc.tr("printing.receipt.fee_outcome"),
                    loc.tr("printing.fee.refunded",
                           {{"amount", loc.money(app.refunded_minor, currency_of(terminal.catalogue().get()))}}));
            else if (last.status == services::AppStatus::Rejected && app.paid_minor > 0)
                data.extra_rows.emplace_back(loc.tr("printing.receipt.fee_outcome"), loc.tr("printing.fee.kept"));
        }
    }
    std::string job = "receipt:" + data.reference;
    if (copy == Copy::Duplicate)
        job += ":copy:" + std::to_string(now_ms);
    return Printable{printing::receipt_document(data, loc), std::move(job), data.qr_payload};
}

Printable ticket(const services::Terminal& terminal, const services::Ticket& ticket, const locale::Locale& loc)
{
    return Printable{printing::ticket_document(ticket_data(terminal, ticket, loc.lang()), loc),
                     "ticket:" + std::to_string(ticket.id), {}};
}

Result<Printable> summary(const services::Terminal& terminal, std::string_view reference, const locale::Locale& loc)
{
    auto data = TRY(summary_data(terminal, reference, loc));
    return Printable{printing::summary_document(data, loc), "summary:" + data.reference, data.qr_payload};
}

Printable z_report(const printing::ZReportData& data, const locale::Locale& loc)
{
    return Printable{printing::z_report_document(data, loc), "z-report:" + data.day + ":" + data.generated_utc, {}};
}

Printable test_page(const std::string& terminal_id, const std::string& printer, int width_dots,
                    const locale::Locale& loc, int64_t now_ms)
{
    auto data = test_page_data(terminal_id, printer, width_dots, clock::iso8601_utc(now_ms));
    return Printable{printing::test_page_document(data, loc), "test-page:" + std::to_string(now_ms), {}};
}

} // namespace nafitha::documents
