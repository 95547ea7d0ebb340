// nafitha-ctl provision: a technician's first run of a terminal from the command line, the same steps as the
// kiosk's first-run screen and the same function underneath (sync::provision): language, centre, server URL and
// one-time code (typed as options, or the text of the QR that `nafitha-central terminal add --qr` prints), then
// a printer test page, then done. Every line in the chosen language (assets/i18n/<lang>/sync.json).

#include "base/clock.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "installer/ctl/command.h"
#include "installer/ctl/print_output.h"
#include "kiosk/documents/documents.h"
#include "locale/locale.h"
#include "printing/render.h"
#include "sync/client/provision.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/enroll_qr.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

using namespace nafitha;

namespace {

int run_provision(ctl::Args& args)
{
    auto data = args.option("data");
    auto server = args.option("server");
    auto code = args.option("code");
    auto qr = args.option("qr");
    auto centre = args.option("centre");
    auto lang_text = args.option("lang");
    auto ca = args.option("ca");
    auto central_key = args.option("central-key");
    auto printer = args.option("printer");
    auto png = args.option("png");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!data || (qr && (server || code)) || (!qr && (!server || !code)))
        return ctl::usage_error("provision needs --data DIR and either --server URL --code CODE or --qr TEXT");
    auto lang = parse_lang(lang_text.value_or("ar"));
    if (!lang.ok())
        return ctl::usage_error("--lang is ar or en");
    auto i18n = I18n::load(paths::assets_dir());
    if (!i18n.ok()) {
        std::cerr << "nafitha-ctl: " << i18n.error().to_string() << "\n";
        return 1;
    }
    // A refusal in the technician's language (and the technical detail for the log).
    auto refuse = [&](const Error& e) {
        std::string text = i18n->has(*lang, e.code) ? i18n->tr(*lang, e.code, {{"centre", e.detail}}) : e.code;
        std::cerr << i18n->tr(*lang, "provision.failed", {{"error", text}}) << "\n" << "nafitha-ctl: " << e.to_string() << "\n";
        return 1;
    };

    sync::ProvisionRequest request;
    if (qr) {
        auto r = sync::request_from_qr(*qr, *lang);
        if (!r.ok())
            return refuse(r.error());
        request = r.release_value();
    } else {
        request.language = *lang;
        request.server_url = *server;
        request.code = *code;
    }
    if (centre) {
        if (!request.centre.empty() && request.centre != *centre)
            return refuse(Error::make("error.provision.centre_mismatch", request.centre, "centre"));
        request.centre = *centre;
    }
    if (central_key)
        request.central_key = *central_key;
    sync::HttpOptions http;
    if (ca)
        http.ca_file = std::filesystem::absolute(*ca).string();
    protocol::init_crypto();

    // 1. Enroll (nothing is written on failure).
    auto done = sync::provision(*data, request, http);
    if (!done.ok())
        return refuse(done.error());
    const auto& cfg = done->config;
    std::cout << i18n->tr(*lang, done->moved ? "provision.moved" : "provision.enrolled",
                          {{"terminal", cfg.terminal_id}, {"centre", cfg.centre}, {"server", cfg.server_url},
                           {"previous", done->previous_server}})
              << "\n"
              << i18n->tr(*lang, "provision.fingerprint", {{"fingerprint", protocol::key_fingerprint(cfg.server_public_key)}}) << "\n";

    // 2. The printer's test page (the kiosk prints the same page from its screen).
    if (printer || png) {
        auto loc = locale::Locale::create(*i18n, *lang);
        if (!loc.ok())
            return refuse(loc.error());
        auto page = documents::test_page(cfg.terminal_id, printer.value_or("png"), printing::kWidth80mm, **loc, clock::unix_ms());
        auto qdir = std::filesystem::temp_directory_path() / ("nafitha-provision-page-" + std::to_string(::getpid()));
        int rc = ctl::emit_document(page, printing::kWidth80mm, {std::nullopt, png, printer, qdir});
        std::error_code ec;
        std::filesystem::remove_all(qdir, ec);
        if (rc != 0) {
            std::cerr << i18n->tr(*lang, "provision.print_failed") << "\n";
            return rc == 2 ? 2 : 1;
        }
        std::cout << i18n->tr(*lang, "provision.printed") << "\n";
    } else {
        std::cout << i18n->tr(*lang, "provision.no_printer") << "\n";
    }
    // 3. Done.
    std::cout << i18n->tr(*lang, "provision.done", {{"language", i18n->tr(*lang, std::string("provision.language.") + std::string(lang_code(*lang)))}})
              << "\n";
    return 0;
}

} // namespace

NAFITHA_CTL_COMMAND(provision, "provision",
                    "provision --data DIR (--server URL --code CODE | --qr TEXT) [--centre CODE] [--lang ar|en] [--ca FILE] "
                    "[--central-key B64] [--printer ADDRESS] [--png OUT.png]  first run: enroll at central (or move to "
                    "another), then a printer test page",
                    run_provision);
