// nafitha-ctl receipt: renders the receipt of a stored transaction (ESC/POS, PNG, or to a printer through
// the terminal's durable print queue). nafitha-ctl verify-receipt: checks a receipt's QR payload against a
// terminal's public key, offline.

#include "base/clock.h"
#include "base/fs.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "devices/print_queue.h"
#include "installer/ctl/command.h"
#include "kiosk/services/terminal.h"
#include "printing/documents.h"
#include "printing/escpos.h"
#include "printing/pdf.h"
#include "printing/png.h"
#include "printing/render.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/receipt.h"

#include <filesystem>
#include <memory>
#include <iostream>
#include <nlohmann/json.hpp>

using namespace nafitha;

namespace {

Result<protocol::PublicKey> key_from_data_dir(const std::filesystem::path& dir)
{
    auto text = TRY(fs::read_file(dir / "identity.json", 64 * 1024));
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object() || !j.contains("public_key") || !j["public_key"].is_string())
        return Error::make("error.receipt.malformed", (dir / "identity.json").string() + " has no public_key");
    return protocol::decode_public_key(j["public_key"].get<std::string>());
}

int run_verify_receipt(ctl::Args& args)
{
    auto data = args.option("data");
    auto key_b64 = args.option("public-key");
    auto words = args.positionals();
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (words.size() != 1 || (!data && !key_b64) || (data && key_b64))
        return ctl::usage_error("usage: verify-receipt PAYLOAD (--data DIR | --public-key BASE64)");
    auto key = data ? key_from_data_dir(*data) : protocol::decode_public_key(*key_b64);
    if (!key.ok()) {
        std::cerr << "nafitha-ctl: " << key.error().to_string() << "\n";
        return 2;
    }
    protocol::init_crypto();
    auto claim = protocol::verify_receipt(words[0], *key);
    if (!claim.ok()) {
        std::cout << "INVALID " << claim.error().code << "\n";
        std::cerr << "nafitha-ctl: " << claim.error().to_string() << "\n";
        return 1;
    }
    std::cout << "VALID reference=" << claim->reference << " terminal=" << claim->terminal_id << "\n";
    return 0;
}

int fail(const Error& e, int code = 1)
{
    std::cerr << "nafitha-ctl: " << e.to_string() << "\n";
    return code;
}

// The terminal and translations a print command works on; the data folder must already hold a terminal.
struct OpenedTerminal {
    I18n i18n;
    std::unique_ptr<services::Terminal> terminal;
};

Result<OpenedTerminal> open_existing_terminal(const std::filesystem::path& dir)
{
    if (!std::filesystem::exists(dir / "terminal.db"))
        return Error::make("error.receipt.not_found", (dir / "terminal.db").string() + " does not exist");
    auto i18n = TRY(I18n::load(paths::assets_dir()));
    services::TerminalOptions options;
    options.data_dir = dir;
    auto terminal = TRY(services::Terminal::open(options));
    return OpenedTerminal{std::move(i18n), std::move(terminal)};
}

// Maps a stored application and its payments to the receipt's data (the kiosk UI does the same).
Result<printing::ReceiptData> receipt_data(services::Terminal& terminal, std::string_view reference, Lang lang)
{
    auto app = TRY(terminal.application(reference));
    auto payments = TRY(terminal.payments_of(reference));
    auto catalogue = terminal.catalogue();
    printing::ReceiptData r;
    r.reference = app.reference;
    const services::Service* service = catalogue ? catalogue->service(app.service_code) : nullptr;
    r.service_name = service ? service->name.in(lang) : app.service_code;
    const services::Centre* centre = catalogue ? catalogue->centre(app.centre) : nullptr;
    r.centre = centre ? centre->name.in(lang) : app.centre;
    r.terminal_id = terminal.identity().terminal_id;
    r.time_utc = payments.empty() ? app.submitted_at : payments.back().time;
    r.expected_ready = app.expected_ready;
    std::string currency = catalogue ? catalogue->currency : "SYP";
    if (!payments.empty()) {
        const auto& p = payments.back();
        int64_t paid = 0;
        for (auto& x : payments)
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
    r.qr_payload = TRY(protocol::sign_receipt(r.reference, r.terminal_id, terminal.identity().keys.secret_key));
    return r;
}

// The newest application, read through a connection of our own (read-only).
Result<std::string> last_reference(const std::filesystem::path& dir)
{
    auto db = TRY(db::Db::open(dir / "terminal.db", db::OpenMode::ReadOnly));
    auto stmt = TRY(db.prepare("SELECT reference FROM applications ORDER BY id DESC LIMIT 1"));
    if (!TRY(stmt.step()))
        return Error::make("error.receipt.not_found", "no application in this terminal yet");
    return stmt.text(0);
}

int emit(const printing::Document& doc, int width, const std::optional<std::string>& escpos_out,
         const std::optional<std::string>& png_out, const std::optional<std::string>& printer,
         const std::filesystem::path& data_dir, const std::string& job_id);

int run_receipt(ctl::Args& args)
{
    auto data = args.option("data");
    auto ref = args.option("ref");
    bool last = args.flag("last");
    auto width_text = args.option("width").value_or("576");
    auto lang_text = args.option("lang").value_or("ar");
    auto escpos_out = args.option("escpos");
    auto png_out = args.option("png");
    auto printer = args.option("printer");
    bool copy = args.flag("copy");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!data || (!ref && !last) || (ref && last))
        return ctl::usage_error("usage: receipt --data DIR (--ref REF | --last) --width 384|576 [--escpos OUT.bin] "
                                "[--png OUT.png] [--printer ADDRESS] [--lang ar|en] [--copy]");
    if (width_text != "384" && width_text != "576")
        return ctl::usage_error("--width must be 384 (58 mm) or 576 (80 mm)");
    auto lang = parse_lang(lang_text);
    if (!lang.ok())
        return ctl::usage_error("--lang must be ar or en");
    int width = std::stoi(width_text);
    std::filesystem::path dir(*data);
    auto opened = open_existing_terminal(dir);
    if (!opened.ok())
        return fail(opened.error());
    auto& i18n = opened->i18n;
    auto& terminal = opened->terminal;
    std::string reference;
    if (last) {
        auto r = last_reference(dir);
        if (!r.ok())
            return fail(r.error());
        reference = *r;
    } else {
        reference = *ref;
    }
    auto receipt = receipt_data(*terminal, reference, *lang);
    if (!receipt.ok())
        return fail(receipt.error());
    receipt->duplicate = copy;
    std::string job_id = "receipt:" + reference + (copy ? ":copy:" + std::to_string(clock::unix_ms()) : "");
    int rc = emit(printing::receipt_document(*receipt, i18n, *lang), width, escpos_out, png_out, printer, dir, job_id);
    if (rc != 0 && rc != 3)
        return rc;
    // The reference is the last line even when the receipt stays queued for the printer (exit 3).
    std::cout << reference << "\n";
    return rc;
}

// Writes the outputs a print command asked for: ESC/POS bytes, a PNG, or a job on a printer (through the
// terminal's durable queue under `job_id`).
int emit(const printing::Document& doc, int width, const std::optional<std::string>& escpos_out,
         const std::optional<std::string>& png_out, const std::optional<std::string>& printer,
         const std::filesystem::path& data_dir, const std::string& job_id)
{
    auto engine = text::TextEngine::create();
    if (!engine.ok())
        return fail(engine.error());
    auto bitmap = printing::render(doc, width, **engine);
    if (!bitmap.ok())
        return fail(bitmap.error());
    auto bytes = printing::encode_escpos(*bitmap);
    if (!bytes.ok())
        return fail(bytes.error());
    if (escpos_out)
        if (auto w = fs::write_file_atomic(*escpos_out, *bytes); !w.ok())
            return fail(w.error());
    if (png_out)
        if (auto w = printing::write_png(*bitmap, *png_out); !w.ok())
            return fail(w.error());
    if (printer) {
        auto address = devices::parse_address(*printer);
        if (!address.ok())
            return fail(address.error(), 2);
        auto queue = devices::PrintQueue::open(data_dir / "print-queue");
        if (!queue.ok())
            return fail(queue.error());
        auto queued = (*queue)->enqueue(job_id, *bytes);
        if (!queued.ok())
            return fail(queued.error());
        if (*queued == devices::EnqueueOutcome::AlreadyPrinted)
            std::cerr << "nafitha-ctl: this document was already printed; use --copy for a marked copy\n";
        auto report = (*queue)->drain([&] { return devices::open_transport(*address, devices::Millis(3000)); });
        if (report.stopped_by) {
            std::cerr << "nafitha-ctl: the job stays queued in " << (data_dir / "print-queue").string() << ": "
                      << report.stopped_by->to_string() << "\n";
            return 3;
        }
    }
    return 0;
}

Result<int64_t> count_for_day(const std::filesystem::path& dir, std::string_view sql, const std::string& day)
{
    auto db = TRY(db::Db::open(dir / "terminal.db", db::OpenMode::ReadOnly));
    auto stmt = TRY(db.prepare(sql));
    stmt.bind(1, day);
    if (!TRY(stmt.step()))
        return int64_t{0};
    return stmt.int64(0);
}

int run_z_report(ctl::Args& args)
{
    auto data = args.option("data");
    auto day = args.option("day").value_or("");
    auto width_text = args.option("width").value_or("576");
    auto lang_text = args.option("lang").value_or("ar");
    auto escpos_out = args.option("escpos");
    auto png_out = args.option("png");
    auto printer = args.option("printer");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    auto lang = parse_lang(lang_text);
    if (!data || (width_text != "384" && width_text != "576") || !lang.ok())
        return ctl::usage_error("usage: print z-report --data DIR [--day YYYY-MM-DD] [--width 384|576] [--lang ar|en] "
                                "[--escpos OUT.bin] [--png OUT.png] [--printer ADDRESS]");
    std::filesystem::path dir(*data);
    auto opened = open_existing_terminal(dir);
    if (!opened.ok())
        return fail(opened.error());
    auto& i18n = opened->i18n;
    auto& terminal = opened->terminal;
    auto totals = terminal->day_totals(day);
    if (!totals.ok())
        return fail(totals.error());
    auto journal = terminal->journal_status();
    auto catalogue = terminal->catalogue();
    std::string currency = catalogue ? catalogue->currency : "SYP";
    printing::ZReportData z;
    z.day = totals->day;
    const services::Centre* centre = catalogue ? catalogue->centre(terminal->centre()) : nullptr;
    z.centre = centre ? centre->name.in(*lang) : terminal->centre();
    z.terminal_id = terminal->identity().terminal_id;
    z.generated_utc = clock::now_iso8601();
    z.payments = totals->count;
    z.cash = {totals->cash_minor, currency};
    z.card = {totals->card_minor, currency};
    z.waived = {totals->waived_minor, currency};
    z.change = {totals->change_minor, currency};
    for (auto& s : totals->by_staff)
        z.by_staff.push_back({s.staff_name, s.count, {s.cash_minor, currency}, {s.card_minor, currency}});
    auto apps = count_for_day(dir, "SELECT count(*) FROM applications WHERE substr(submitted_at, 1, 10) = ?1", z.day);
    auto tickets = count_for_day(dir, "SELECT count(*) FROM tickets WHERE day = ?1", z.day);
    if (!apps.ok() || !tickets.ok())
        return fail(!apps.ok() ? apps.error() : tickets.error());
    z.applications = *apps;
    z.tickets = *tickets;
    z.journal_pending = journal.ok() ? journal->pending : 0;
    int rc = emit(printing::z_report_document(z, i18n, *lang), std::stoi(width_text), escpos_out, png_out, printer, dir,
                  "z-report:" + z.day + ":" + std::to_string(clock::unix_ms()));
    if (rc == 0)
        std::cout << "z-report " << z.day << " payments=" << z.payments << " cash=" << z.cash.minor
                  << " card=" << z.card.minor << "\n";
    return rc;
}

int run_summary(ctl::Args& args)
{
    auto data = args.option("data");
    auto ref = args.option("ref");
    auto lang_text = args.option("lang").value_or("ar");
    auto pdf_out = args.option("pdf");
    auto png_out = args.option("png");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    auto lang = parse_lang(lang_text);
    if (!data || !ref || !lang.ok() || (!pdf_out && !png_out))
        return ctl::usage_error("usage: print summary --data DIR --ref REF (--pdf OUT.pdf | --png OUT.png) [--lang ar|en]");
    std::filesystem::path dir(*data);
    auto opened = open_existing_terminal(dir);
    if (!opened.ok())
        return fail(opened.error());
    auto& i18n = opened->i18n;
    auto& terminal = opened->terminal;
    auto app = terminal->application(*ref);
    if (!app.ok())
        return fail(app.error());
    auto catalogue = terminal->catalogue();
    std::string currency = catalogue ? catalogue->currency : "SYP";
    const services::Service* service = catalogue ? catalogue->service(app->service_code) : nullptr;
    printing::SummaryData s;
    s.reference = app->reference;
    s.service_name = service ? service->name.in(*lang) : app->service_code;
    s.status_key = "printing.status." + std::string(services::app_status_name(app->status));
    const services::Centre* centre = catalogue ? catalogue->centre(app->centre) : nullptr;
    s.centre = centre ? centre->name.in(*lang) : app->centre;
    s.submitted_utc = app->submitted_at;
    s.expected_ready = app->expected_ready;
    if (app->fee.total > 0)
        s.fee = printing::Money{app->fee.total, currency};
    s.paid = printing::Money{app->paid_minor, currency};
    // Fields in the form's order, then any value the current form no longer has.
    auto add_field = [&](const std::string& name, const std::string& value) {
        const services::FormField* field = service ? service->field(name) : nullptr;
        std::string shown = value;
        if (field)
            for (auto& o : field->options)
                if (o.value == value)
                    shown = o.label.in(*lang);
        s.fields.emplace_back(field ? field->label.in(*lang) : name, shown);
    };
    if (service)
        for (auto& f : service->form)
            if (auto it = app->values.find(f.name); it != app->values.end() && !it->second.empty())
                add_field(f.name, it->second);
    for (auto& [name, value] : app->values)
        if (!service || !service->field(name))
            add_field(name, value);
    for (auto& h : app->history)
        s.history.emplace_back(h.time, i18n.tr(*lang, "printing.status." + std::string(services::app_status_name(h.status))));
    auto payload = protocol::sign_receipt(s.reference, terminal->identity().terminal_id,
                                          terminal->identity().keys.secret_key);
    if (payload.ok())
        s.qr_payload = *payload;
    auto doc = printing::summary_document(s, i18n, *lang);
    auto engine = text::TextEngine::create();
    if (!engine.ok())
        return fail(engine.error());
    if (pdf_out) {
        auto info = printing::write_pdf_a4(doc, **engine, *pdf_out);
        if (!info.ok())
            return fail(info.error());
        std::cout << "pages " << info->pages << "\n";
    }
    if (png_out)
        if (auto w = printing::write_a4_preview_png(doc, **engine, *png_out); !w.ok())
            return fail(w.error());
    std::cout << s.reference << "\n";
    return 0;
}

} // namespace

NAFITHA_CTL_COMMAND(print_z_report, "print z-report",
                    "print z-report --data DIR [--day YYYY-MM-DD] [--width 384|576] [--lang ar|en] [--escpos OUT.bin] "
                    "[--png OUT.png] [--printer ADDRESS]  the end-of-day report",
                    run_z_report);
NAFITHA_CTL_COMMAND(print_summary, "print summary",
                    "print summary --data DIR --ref REF (--pdf OUT.pdf | --png OUT.png) [--lang ar|en]  the application "
                    "summary (A4 PDF, or a PNG of its first page)",
                    run_summary);
NAFITHA_CTL_COMMAND(receipt, "receipt",
                    "receipt --data DIR (--ref REF | --last) --width 384|576 [--escpos OUT.bin] [--png OUT.png] "
                    "[--printer ADDRESS] [--lang ar|en] [--copy]  render a stored transaction's receipt",
                    run_receipt);
NAFITHA_CTL_COMMAND(verify_receipt, "verify-receipt",
                    "verify-receipt PAYLOAD (--data DIR | --public-key B64)  check a receipt QR code offline",
                    run_verify_receipt);
