// nafitha-ctl doctor: what a technician checks first on a terminal, one line per finding in the chosen language
// (assets/i18n/<lang>/doctor.json), worst finding first in the exit code: 0 all ok, 1 a warning, 3 a failure
// (2 stays a usage error). --json prints the findings as an array instead.
//
// Findings: the data folder (exists, 0700), free disk, the database's integrity check, the journal (every hash,
// signature and link), the backlog (entries central has not acknowledged, and the age of the oldest), the
// enrollment, central (a signed request answered and verified), central's name in DNS, its TLS certificate (and
// the days it has left), the clock against central's, central's offline policy (days left before payments stop),
// the printer (with --printer), the scanner (with --scanner; a keyboard-wedge scanner needs nothing) and the
// payment devices.

#include "base/clock.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "locale/locale.h"
#include "devices/printer_status.h"
#include "devices/transport.h"
#include "installer/ctl/command.h"
#include "kiosk/services/inspect.h"
#include "sync/client/central_client.h"
#include "sync/client/config.h"
#include "sync/journal/identity.h"
#include "sync/journal/journal.h"

#include <algorithm>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <ctime>
#include <iostream>
#include <memory>
#include <netdb.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/statvfs.h>

using namespace nafitha;

namespace {

enum class Level { Ok, Warn, Fail };

const char* level_name(Level l)
{
    switch (l) {
    case Level::Ok: return "ok";
    case Level::Warn: return "warn";
    case Level::Fail: return "fail";
    }
    return "fail";
}

struct Finding {
    std::string check;  // data, disk, database, journal, backlog, enrollment, central, clock, printer
    Level level = Level::Ok;
    std::string key;    // translation key
    std::string text;   // rendered in the chosen language (counts through plural messages)
    std::string detail; // technical detail (error code), not translated
};

// Thresholds, documented in docs/OPERATIONS.md ("nafitha-ctl doctor").
constexpr uint64_t kDiskFailBytes = 64ull << 20;   // the terminal refuses transactions below 16 MiB
constexpr uint64_t kDiskWarnBytes = 512ull << 20;
constexpr int64_t kBacklogWarnMs = 60ll * 60 * 1000;       // an hour
constexpr int64_t kBacklogFailMs = 24ll * 60 * 60 * 1000;  // a day
constexpr int64_t kClockWarnMs = 30'000;
constexpr int64_t kClockFailMs = 5 * 60'000;

std::string error_text(const I18n& i18n, Lang lang, const Error& e)
{
    return i18n.message(lang, e);
}

int64_t minutes_of(int64_t ms)
{
    return std::max<int64_t>(0, ms / 60'000);
}

constexpr int64_t kTlsWarnDays = 30;

// The host of "scheme://host[:port]/..." (brackets of an IPv6 address removed).
std::string host_of(const std::string& url)
{
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    auto end = url.find('/', start);
    std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!authority.empty() && authority.front() == '[')
        return authority.substr(1, authority.find(']') - 1);
    return authority.substr(0, authority.rfind(':') == std::string::npos ? authority.size() : authority.rfind(':'));
}

bool is_address(const std::string& host)
{
    unsigned char buf[16];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// The addresses a name resolves to ("192.0.2.1, 2001:db8::1"), or the resolver's error.
Result<std::string> resolve(const std::string& host)
{
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
    if (rc != 0)
        return Error::make("error.doctor.dns", gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
    std::vector<std::string> seen;
    for (addrinfo* a = found; a; a = a->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        const void* where = a->ai_family == AF_INET ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                                                    : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
        if (::inet_ntop(a->ai_family, where, text, sizeof text) && std::find(seen.begin(), seen.end(), text) == seen.end())
            seen.emplace_back(text);
    }
    std::string out;
    for (const auto& a : seen)
        out += (out.empty() ? "" : ", ") + a;
    return out;
}

struct TlsCheck {
    bool reached = false;     // a TCP connection was made (otherwise the central finding already says why)
    bool accepted = false;    // the certificate chain and name verify
    std::string error;
    std::optional<int64_t> days_left;
};

// One HTTPS request to central's health endpoint with the terminal's CA file: does the certificate verify, and
// when does it expire.
TlsCheck check_tls(const std::string& url, const std::string& ca_file)
{
    TlsCheck t;
    std::unique_ptr<CURL, decltype(&::curl_easy_cleanup)> c(::curl_easy_init(), &::curl_easy_cleanup);
    if (!c) {
        t.error = "curl_easy_init failed";
        return t;
    }
    std::string target = url + "/v1/health";
    ::curl_easy_setopt(c.get(), CURLOPT_URL, target.c_str());
    ::curl_easy_setopt(c.get(), CURLOPT_NOBODY, 1L);
    ::curl_easy_setopt(c.get(), CURLOPT_CERTINFO, 1L);
    ::curl_easy_setopt(c.get(), CURLOPT_TIMEOUT, 10L);
    ::curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
    if (!ca_file.empty())
        ::curl_easy_setopt(c.get(), CURLOPT_CAINFO, ca_file.c_str());
    CURLcode rc = ::curl_easy_perform(c.get());
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_OPERATION_TIMEDOUT)
        return t;
    t.reached = true;
    if (rc != CURLE_OK) {
        t.error = ::curl_easy_strerror(rc);
        return t;
    }
    t.accepted = true;
    curl_certinfo* info = nullptr;
    if (::curl_easy_getinfo(c.get(), CURLINFO_CERTINFO, &info) == CURLE_OK && info && info->num_of_certs > 0) {
        for (curl_slist* l = info->certinfo[0]; l; l = l->next) {
            std::string_view line = l->data;
            if (line.rfind("Expire date:", 0) != 0)
                continue;
            std::tm tm{};
            std::string value(line.substr(12));
            if (::strptime(value.c_str(), "%b %d %H:%M:%S %Y", &tm)) {
                int64_t expires = static_cast<int64_t>(::timegm(&tm));
                t.days_left = (expires - static_cast<int64_t>(std::time(nullptr))) / 86400;
            }
        }
    }
    return t;
}

int run_doctor(ctl::Args& args)
{
    auto data = args.option("data");
    auto lang_opt = args.option("lang");
    auto printer = args.option("printer");
    auto scanner = args.option("scanner");
    bool as_json = args.flag("json");
    bool offline = args.flag("offline");
    if (auto extra = args.unused(); !extra.empty())
        return ctl::usage_error("unexpected argument '" + extra.front() + "'");
    if (!data)
        return ctl::usage_error("doctor needs --data DIR");
    auto lang = parse_lang(lang_opt.value_or("ar"));
    if (!lang.ok())
        return ctl::usage_error("--lang is ar or en");
    auto i18n_loaded = I18n::load(paths::assets_dir());
    if (!i18n_loaded.ok()) {
        std::cerr << "nafitha-ctl: " << i18n_loaded.error().to_string() << "\n";
        return 3;
    }
    const I18n& i18n = i18n_loaded.value();
    auto loc_made = locale::Locale::create(i18n, *lang);
    if (!loc_made.ok()) {
        std::cerr << "nafitha-ctl: " << loc_made.error().to_string() << "\n";
        return 3;
    }
    const locale::Locale& loc = *loc_made.value();
    const std::filesystem::path dir = *data;
    std::vector<Finding> findings;
    auto add = [&](std::string check, Level level, std::string key, std::string text, std::string detail = {}) {
        findings.push_back({std::move(check), level, std::move(key), std::move(text), std::move(detail)});
    };
    auto tr = [&](const std::string& key, locale::Args a = {}) { return loc.tr(key, a); };

    // The data folder.
    struct stat st {};
    bool have_dir = ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    if (!have_dir)
        add("data", Level::Fail, "doctor.data.missing", tr("doctor.data.missing", {{"dir", dir.string()}}));
    else if ((st.st_mode & 077) != 0)
        add("data", Level::Warn, "doctor.data.open", tr("doctor.data.open", {{"dir", dir.string()}}));
    else
        add("data", Level::Ok, "doctor.data.ok", tr("doctor.data.ok", {{"dir", dir.string()}}));

    // Free disk where the data lives.
    struct statvfs vfs {};
    if (::statvfs(have_dir ? dir.c_str() : dir.parent_path().c_str(), &vfs) == 0) {
        uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
        std::string mb = loc.number(static_cast<int64_t>(free_bytes >> 20));
        const char* key = free_bytes < kDiskFailBytes ? "doctor.disk.full" : (free_bytes < kDiskWarnBytes ? "doctor.disk.low" : "doctor.disk.ok");
        Level l = free_bytes < kDiskFailBytes ? Level::Fail : (free_bytes < kDiskWarnBytes ? Level::Warn : Level::Ok);
        add("disk", l, key, tr(key, {{"mb", mb}}));
    }

    // Database and journal.
    auto identity = journal::load_identity(dir);
    auto config = sync::load_config(dir);
    if (!identity.ok()) {
        add("journal", Level::Fail, "doctor.journal.no_identity", tr("doctor.journal.no_identity"), identity.error().to_string());
    } else {
        std::optional<protocol::PublicKey> central_key;
        if (config.ok())
            if (auto k = protocol::decode_public_key(config->server_public_key); k.ok())
                central_key = k.value();
        auto check = services::check_terminal(dir, identity->keys.public_key, central_key);
        if (!check.ok()) {
            add("database", Level::Fail, "doctor.database.unreadable", tr("doctor.database.unreadable", {{"error", error_text(i18n, *lang, check.error())}}),
                check.error().to_string());
        } else {
            if (check->integrity == "ok")
                add("database", Level::Ok, "doctor.database.ok", tr("doctor.database.ok"));
            else
                add("database", Level::Fail, "doctor.database.corrupt", tr("doctor.database.corrupt"), check->integrity);
            const auto& r = check->journal;
            if (r.ok())
                add("journal", Level::Ok, "doctor.journal.ok", tr("doctor.journal.ok", {{"entries", r.entries}}));
            else
                add("journal", Level::Fail, "doctor.journal.broken", tr("doctor.journal.broken", {{"seq", std::to_string(r.first_bad_seq)}}), r.problem);
        }
        // The backlog: what central has not acknowledged, and since when.
        auto facts = services::read_facts(dir);
        if (facts.ok()) {
            int64_t pending = facts->last_seq - facts->acked_seq;
            if (pending <= 0) {
                add("backlog", Level::Ok, "doctor.backlog.none", tr("doctor.backlog.none"));
            } else {
                int64_t age_ms = 0;
                if (auto reader = journal::Reader::open(dir / "terminal.db"); reader.ok())
                    if (auto oldest = reader.value().entries_after(facts->acked_seq, 1, 1 << 20); oldest.ok() && !oldest->empty())
                        if (auto t = clock::parse_iso8601_ms(oldest->front().time))
                            age_ms = clock::unix_ms() - *t;
                Level l = age_ms > kBacklogFailMs ? Level::Fail : (age_ms > kBacklogWarnMs ? Level::Warn : Level::Ok);
                add("backlog", l, "doctor.backlog.pending",
                    tr("doctor.backlog.pending", {{"count", pending}}) + " " + tr("doctor.backlog.age", {{"minutes", minutes_of(age_ms)}}));
            }
        }
    }

    // Enrollment, central and the clock.
    if (!config.ok()) {
        add("enrollment", Level::Fail, "doctor.enrollment.none", tr("doctor.enrollment.none"), config.error().to_string());
    } else {
        add("enrollment", Level::Ok, "doctor.enrollment.ok", tr("doctor.enrollment.ok", {{"centre", config->centre}, {"server", config->server_url}}));
        if (!offline && identity.ok()) {
            sync::HttpOptions http;
            http.ca_file = config->ca_file;
            http.connect_timeout_ms = 5000;
            http.transfer_timeout_ms = 15000;
            std::optional<protocol::PublicKey> central_key;
            if (auto k = protocol::decode_public_key(config->server_public_key); k.ok())
                central_key = k.value();
            sync::CentralClient client(config->server_url, identity.value(), http, central_key);
            client.set_clock_offset_ms(config->clock_offset_ms);
            auto state = client.terminal_state();
            if (!state.ok()) {
                add("central", Level::Fail, "doctor.central.unreachable",
                    tr("doctor.central.unreachable", {{"server", config->server_url}, {"error", error_text(i18n, *lang, state.error())}}),
                    state.error().to_string());
            } else {
                add("central", Level::Ok, "doctor.central.ok", tr("doctor.central.ok", {{"server", config->server_url}}));
                int64_t off = client.clock_offset_ms();
                int64_t abs_off = off < 0 ? -off : off;
                const char* key = abs_off > kClockFailMs ? "doctor.clock.off" : (abs_off > kClockWarnMs ? "doctor.clock.drift" : "doctor.clock.ok");
                Level l = abs_off > kClockFailMs ? Level::Fail : (abs_off > kClockWarnMs ? Level::Warn : Level::Ok);
                add("clock", l, key, tr(key, {{"seconds", abs_off / 1000}}));
            }
        }
        if (!offline) {
            // Central's name, then its certificate (HTTPS), each on its own line: a technician fixes DNS, an
            // expiring certificate or a wrong CA file in different places.
            std::string host = host_of(config->server_url);
            if (is_address(host)) {
                add("dns", Level::Ok, "doctor.dns.address", tr("doctor.dns.address", {{"host", host}}));
            } else {
                auto addresses = resolve(host);
                if (addresses.ok())
                    add("dns", Level::Ok, "doctor.dns.ok", tr("doctor.dns.ok", {{"host", host}, {"addresses", addresses.value()}}));
                else
                    add("dns", Level::Fail, "doctor.dns.fail", tr("doctor.dns.fail", {{"host", host}}), addresses.error().detail);
            }
            if (config->server_url.rfind("https://", 0) != 0) {
                add("tls", Level::Ok, "doctor.tls.plain", tr("doctor.tls.plain"));
            } else {
                auto t = check_tls(config->server_url, config->ca_file);
                if (!t.reached) {
                    // The central finding says why it cannot be reached.
                } else if (!t.accepted) {
                    add("tls", Level::Fail, "doctor.tls.refused", tr("doctor.tls.refused", {{"host", host}}), t.error);
                } else if (t.days_left && *t.days_left < 0) {
                    add("tls", Level::Fail, "doctor.tls.expired", tr("doctor.tls.expired", {{"host", host}}));
                } else if (t.days_left && *t.days_left < kTlsWarnDays) {
                    add("tls", Level::Warn, "doctor.tls.expiring",
                        tr("doctor.tls.expiring", {{"host", host}}) + " " + tr("doctor.tls.expires_in", {{"days", *t.days_left}}));
                } else {
                    add("tls", Level::Ok, "doctor.tls.ok",
                        tr("doctor.tls.ok", {{"host", host}}) + (t.days_left ? " " + tr("doctor.tls.expires_in", {{"days", *t.days_left}}) : std::string()));
                }
            }
        }
    }

    // Central's offline policy: days left before the kiosk stops taking payments.
    if (identity.ok()) {
        auto p = services::read_policy(dir, clock::unix_ms());
        if (!p.ok() || !p->has_policy) {
            add("policy", Level::Ok, "doctor.policy.none", tr("doctor.policy.none"));
        } else if (p->stop_payments) {
            add("policy", Level::Fail, "doctor.policy.stopped", tr("doctor.policy.stopped", {{"days", p->days_without_sync}}));
        } else if (p->warn) {
            add("policy", Level::Warn, "doctor.policy.warn",
                tr("doctor.policy.warn", {{"days", p->days_without_sync}}) + " "
                    + (p->days_until_stop >= 0 ? tr("doctor.policy.left", {{"days", p->days_until_stop}}) : std::string()));
        } else if (p->days_until_stop >= 0) {
            add("policy", Level::Ok, "doctor.policy.left", tr("doctor.policy.ok") + " " + tr("doctor.policy.left", {{"days", p->days_until_stop}}));
        } else {
            add("policy", Level::Ok, "doctor.policy.ok", tr("doctor.policy.ok"));
        }
    }

    // The printer, when named.
    if (printer) {
        auto address = devices::parse_address(*printer);
        if (!address.ok())
            return ctl::usage_error(address.error().to_string());
        auto t = devices::open_transport(*address, devices::Millis(3000));
        Result<devices::PrinterStatus> s = t.ok() ? devices::query_status(**t, devices::Millis(2000))
                                                  : Result<devices::PrinterStatus>(t.error());
        if (!s.ok())
            add("printer", Level::Fail, "doctor.printer.unreachable",
                tr("doctor.printer.unreachable", {{"printer", *printer}, {"error", error_text(i18n, *lang, s.error())}}), s.error().to_string());
        else if (s->paper_out || s->cover_open || s->error || !s->online)
            add("printer", Level::Fail, "doctor.printer.not_ready", tr("doctor.printer.not_ready", {{"printer", *printer}, {"state", s->code()}}));
        else if (s->paper_near_end)
            add("printer", Level::Warn, "doctor.printer.paper_low", tr("doctor.printer.paper_low", {{"printer", *printer}}));
        else
            add("printer", Level::Ok, "doctor.printer.ok", tr("doctor.printer.ok", {{"printer", *printer}}));
    }

    // The scanner: a serial one when named; a keyboard-wedge (USB) scanner types like a keyboard and needs nothing.
    if (scanner) {
        auto address = devices::parse_address(*scanner);
        if (!address.ok())
            return ctl::usage_error(address.error().to_string());
        auto t = devices::open_transport(*address, devices::Millis(3000));
        if (t.ok())
            add("scanner", Level::Ok, "doctor.scanner.ok", tr("doctor.scanner.ok", {{"scanner", *scanner}}));
        else
            add("scanner", Level::Fail, "doctor.scanner.unreachable",
                tr("doctor.scanner.unreachable", {{"scanner", *scanner}, {"error", error_text(i18n, *lang, t.error())}}), t.error().to_string());
    } else {
        add("scanner", Level::Ok, "doctor.scanner.wedge", tr("doctor.scanner.wedge"));
    }
    // Payment devices: the kiosk drives the cash acceptor and card terminal simulators (devices/payment.h); no
    // driver for real hardware exists yet. Said on every run (a technician must know it before a centre takes
    // money), but not a fault of this terminal: it does not change the exit code.
    add("payments", Level::Ok, "doctor.payments.simulated", tr("doctor.payments.simulated"));

    Level worst = Level::Ok;
    for (const auto& f : findings)
        worst = std::max(worst, f.level);
    auto text_of = [](const Finding& f) { return f.text; };
    if (as_json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& f : findings) {
            nlohmann::json j = {{"check", f.check}, {"level", level_name(f.level)}, {"key", f.key}, {"text", text_of(f)}};
            if (!f.detail.empty())
                j["detail"] = f.detail;
            out.push_back(j);
        }
        std::cout << out.dump(2) << "\n";
    } else {
        for (const auto& f : findings) {
            std::cout << i18n.tr(*lang, std::string("doctor.level.") + level_name(f.level)) << "  " << text_of(f);
            if (!f.detail.empty() && f.level != Level::Ok)
                std::cout << " (" << f.detail << ")";
            std::cout << "\n";
        }
    }
    return worst == Level::Ok ? 0 : (worst == Level::Warn ? 1 : 3);
}

} // namespace

NAFITHA_CTL_COMMAND(doctor, "doctor",
                    "doctor --data DIR [--lang ar|en] [--json] [--printer ADDRESS] [--scanner ADDRESS] [--offline]  what is wrong with this terminal, "
                    "one line per finding; exit 0 ok, 1 warning, 3 failure",
                    run_doctor);
