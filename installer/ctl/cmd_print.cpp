// nafitha-ctl receipt: renders the receipt of a stored transaction (ESC/POS, PNG, or to a printer through
// the terminal's durable print queue). nafitha-ctl verify-receipt: checks a receipt's QR payload against a
// terminal's public key, offline.

#include "base/clock.h"
#include "base/fs.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "devices/printer_station.h"
#include "installer/ctl/command.h"
#include "installer/ctl/print_output.h"
#include "installer/ctl/transparency.h"
#include "kiosk/documents/documents.h"
#include "kiosk/documents/press.h"
#include "kiosk/services/terminal.h"
#include "printing/pdf.h"
#include "printing/png.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/receipt.h"
#include "sync/client/config.h"

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
    bool online = args.flag("online");
    auto server = args.option("server");
    auto central_key = args.option("central-key");
    auto ca_file = args.option("ca-file");
    auto words = args.positionals();
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (words.size() != 1 || (!data && !key_b64) || (data && key_b64))
        return ctl::usage_error("usage: verify-receipt PAYLOAD (--data DIR | --public-key BASE64) [--online [--server URL --central-key B64]]");
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
    if (!online)
        return 0;
    // Online: central's URL and key from the options, else from the terminal's sync.json (pinned at enrollment).
    ctl::OnlineReceiptCheck check;
    if (data) {
        if (auto cfg = sync::load_config(*data); cfg.ok()) {
            check.server_url = cfg->server_url;
            check.ca_file = cfg->ca_file;
            if (auto k = protocol::decode_public_key(cfg->server_public_key); k.ok())
                check.central_key = k.value();
            else
                return ctl::usage_error("sync.json holds no central key");
        }
    }
    if (server)
        check.server_url = *server;
    if (ca_file)
        check.ca_file = *ca_file;
    if (central_key) {
        auto k = protocol::decode_public_key(*central_key);
        if (!k.ok())
            return ctl::usage_error("--central-key is not a base64 Ed25519 public key");
        check.central_key = k.value();
    } else if (!data) {
        return ctl::usage_error("verify-receipt --online needs --server URL and --central-key B64 (or --data DIR)");
    }
    if (check.server_url.empty())
        return ctl::usage_error("verify-receipt --online needs --server URL");
    while (check.server_url.back() == '/')
        check.server_url.pop_back();
    return ctl::verify_receipt_online(claim.value(), check);
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
    auto& terminal = *opened->terminal;
    std::string reference;
    if (last) {
        auto r = terminal.last_reference();
        if (!r.ok())
            return fail(r.error());
        reference = *r;
    } else {
        reference = *ref;
    }
    auto loc = documents::locale_for(terminal, opened->i18n, *lang);
    auto receipt = documents::receipt(terminal, reference, *loc,
                                      copy ? documents::Copy::Duplicate : documents::Copy::Original, clock::unix_ms());
    if (!receipt.ok())
        return fail(receipt.error());
    int rc = ctl::emit_document(*receipt, width, {escpos_out, png_out, printer, dir / "print-queue"});
    if (rc != 0 && rc != 3)
        return rc;
    // The reference is the last line even when the receipt stays queued for the printer (exit 3).
    std::cout << reference << "\n";
    return rc;
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
    auto& terminal = *opened->terminal;
    auto z = documents::z_report_data(terminal, day, *lang, clock::now_iso8601());
    if (!z.ok())
        return fail(z.error());
    auto loc = documents::locale_for(terminal, opened->i18n, *lang);
    int rc = ctl::emit_document(documents::z_report(*z, *loc), std::stoi(width_text),
                                {escpos_out, png_out, printer, dir / "print-queue"});
    if (rc == 0)
        std::cout << "z-report " << z->day << " payments=" << z->payments << " cash=" << z->cash.minor
                  << " card=" << z->card.minor << " applications=" << z->applications << " tickets=" << z->tickets
                  << " expected_cash=" << z->expected_cash.minor
                  << (z->declared ? " declared=" + std::to_string(z->declared->minor) : std::string())
                  << (z->difference ? " difference=" + std::to_string(z->difference->minor) : std::string()) << "\n";
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
    auto loc = documents::locale_for(*opened->terminal, opened->i18n, *lang);
    auto summary = documents::summary_data(*opened->terminal, *ref, *loc);
    if (!summary.ok())
        return fail(summary.error());
    auto doc = printing::summary_document(*summary, *loc);
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
    std::cout << summary->reference << "\n";
    return 0;
}

} // namespace

namespace nafitha::ctl {

// How long a printer may take with one job before the command gives up waiting (the job stays queued).
constexpr devices::Millis kPrintWait{150000};

// The bytes are the kiosk's bytes: the same documents:: path renders both.
int emit_document(const documents::Printable& doc, int width_dots, const PrintOutputs& out)
{
    auto press = documents::Press::create(width_dots);
    if (!press.ok())
        return fail(press.error());
    auto dots = press->render(doc.document);
    if (!dots.ok())
        return fail(dots.error());
    auto bytes = documents::Press::escpos(*dots);
    if (!bytes.ok())
        return fail(bytes.error());
    if (out.escpos)
        if (auto w = fs::write_file_atomic(*out.escpos, *bytes); !w.ok())
            return fail(w.error());
    if (out.png)
        if (auto w = printing::write_png(*dots, *out.png); !w.ok())
            return fail(w.error());
    if (out.printer) {
        auto address = devices::parse_address(*out.printer);
        if (!address.ok())
            return fail(address.error(), 2);
        auto station = devices::PrinterStation::open(out.queue_dir, *address);
        if (!station.ok())
            return fail(station.error());
        auto queued = (*station)->submit(doc.job_id, *bytes);
        if (!queued.ok())
            return fail(queued.error());
        if (*queued == devices::EnqueueOutcome::AlreadyPrinted)
            std::cerr << "nafitha-ctl: this document was already printed; use --copy for a marked copy\n";
        if (auto printed = (*station)->wait_printed(doc.job_id, kPrintWait); !printed.ok()) {
            std::cerr << "nafitha-ctl: the job stays queued in " << out.queue_dir.string() << ": "
                      << printed.error().to_string() << "\n";
            return 3;
        }
    }
    return 0;
}

} // namespace nafitha::ctl

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
                    "verify-receipt PAYLOAD (--data DIR | --public-key B64) [--online [--server URL --central-key B64]]  check a "
                    "receipt QR code offline, and with --online that its transaction is in central's transparency log",
                    run_verify_receipt);
