// Provisioning (sync::provision, under the kiosk's set-up screen and nafitha-ctl provision) against a real
// central on loopback: the enrollment QR's text, a first run, refusals that write nothing (wrong, used or
// foreign-centre code, unreachable server, a certificate that does not verify, a QR naming another central's
// key), and re-enrollment that moves a terminal to another central.

#include "tests/sync/harness.h"
#include "tests/support/self_signed.h"

#include "base/fs.h"
#include "sync/client/config.h"
#include "sync/client/enroll.h"
#include "sync/client/provision.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/enroll_qr.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

using namespace nafitha;
using namespace nafitha::testing;
namespace fsys = std::filesystem;

namespace {


sync::ProvisionRequest typed(const std::string& url, const std::string& code, Lang lang = Lang::Ar)
{
    sync::ProvisionRequest r;
    r.language = lang;
    r.server_url = url;
    r.code = code;
    return r;
}

bool enrolled(const fsys::path& data) { return fsys::exists(sync::config_file(data)); }
bool provisioned(const fsys::path& data) { return fsys::exists(sync::provision_file(data)); }

std::string central_key_of(InProcessCentral& central)
{
    // The key central signs with: the one a terminal pins when it enrolls.
    TempDir probe("provision-key-probe");
    auto cfg = sync::enroll(probe.path(), central.url(), central.add_code(), {});
    REQUIRE(cfg.ok());
    return cfg->server_public_key;
}

} // namespace

TEST_CASE("The enrollment QR text round-trips and refuses what is not one")
{
    protocol::EnrollmentTicket t{"https://central.example:8443/", "ABCD-EFGH-JKLM", "DAM-01",
                                 protocol::encode_public_key(protocol::PublicKey{})};
    std::string text = protocol::enrollment_qr_text(t);
    CHECK(text.rfind("NAFITHA-ENROLL:1?server=https%3A%2F%2Fcentral.example%3A8443%2F&code=ABCD-EFGH-JKLM&centre=DAM-01&key=", 0) == 0);
    auto back = protocol::parse_enrollment_qr(text + "\r\n"); // a serial scanner ends its line
    REQUIRE(back.ok());
    CHECK(back->server_url == t.server_url);
    CHECK(back->code == t.code);
    CHECK(back->centre == t.centre);
    CHECK(back->central_key == t.central_key);
    auto code_of = [](std::string_view s) {
        auto r = protocol::parse_enrollment_qr(s);
        return r.ok() ? std::string("ok") : r.error().code;
    };
    CHECK(code_of("NAFITHA-ENROLL:1?server=http%3A%2F%2Fh%3A1&code=X") == "ok");
    CHECK(code_of("NFR1.abc") == "error.provision.qr_invalid");                                       // a receipt
    CHECK(code_of("NAFITHA-ENROLL:2?server=http%3A%2F%2Fh&code=X") == "error.provision.qr_invalid"); // another version
    CHECK(code_of("NAFITHA-ENROLL:1?server=ftp%3A%2F%2Fh&code=X") == "error.provision.qr_invalid");
    CHECK(code_of("NAFITHA-ENROLL:1?server=http%3A%2F%2Fh") == "error.provision.qr_invalid");        // no code
    CHECK(code_of("NAFITHA-ENROLL:1?server=http%3A%2F%2Fh&code=X&code=Y") == "error.provision.qr_invalid");
    CHECK(code_of("NAFITHA-ENROLL:1?server=http%3A%2F%2Fh&code=X&shell=1") == "error.provision.qr_invalid");
    CHECK(code_of("NAFITHA-ENROLL:1?server=http%3A%2F%2Fh&code=X%0A") == "error.provision.qr_invalid"); // control char
    CHECK(code_of("NAFITHA-ENROLL:1?server=http%3A%2F%2Fh&code=X%4") == "error.provision.qr_invalid");  // cut escape
    CHECK(code_of("NAFITHA-ENROLL:1?server=http%3A%2F%2Fh&code=X&key=AAAA") == "error.provision.qr_invalid");
    CHECK(code_of("NAFITHA-ENROLL:1?server=http%3A%2F%2Fh&code=" + std::string(600, 'A')) == "error.provision.qr_invalid");
    CHECK(protocol::key_fingerprint(t.central_key).size() == 39);
    CHECK(protocol::key_fingerprint("not a key").empty());
}

TEST_CASE("A fresh terminal is provisioned from a scanned QR and a used or wrong code writes nothing")
{
    TempDir dir("provision-first");
    InProcessCentral central(dir / "central");
    std::string key = central_key_of(central);
    auto data = dir / "terminal";
    std::string code = central.add_code("ALP-02");
    std::string qr = protocol::enrollment_qr_text({central.url(), code, "ALP-02", key});
    auto request = sync::request_from_qr(qr, Lang::En);
    REQUIRE(request.ok());
    auto done = sync::provision(data, *request, {});
    INFO((done.ok() ? std::string() : done.error().to_string()));
    REQUIRE(done.ok());
    CHECK_FALSE(done->moved);
    CHECK(done->config.centre == "ALP-02");
    CHECK(done->config.server_public_key == key);
    auto record = sync::load_provision(data);
    REQUIRE(record.ok());
    REQUIRE(record->has_value());
    CHECK((*record)->language == Lang::En);
    CHECK((*record)->centre == "ALP-02");
    CHECK((*record)->server_url == central.url());
    CHECK((*record)->terminal_id == done->config.terminal_id);

    // The same code again, on another fresh terminal: refused, nothing written there.
    auto other = dir / "other";
    auto used = sync::provision(other, typed(central.url(), code), {});
    REQUIRE_FALSE(used.ok());
    CHECK(used.error().code == "error.central.enroll_code");
    CHECK_FALSE(enrolled(other));
    CHECK_FALSE(provisioned(other));
    // A wrong code (typed in lower case with spaces: normalised by central, still unknown).
    auto wrong = sync::provision(other, typed(central.url(), "abcd efgh jkmn"), {});
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == "error.central.enroll_code");
    CHECK_FALSE(enrolled(other));
    CHECK_FALSE(provisioned(other));
    // A code made for another centre than the one typed: refused before anything is written here.
    auto foreign = typed(central.url(), central.add_code("HOM-01"));
    foreign.centre = "DAM-01";
    auto mismatch = sync::provision(other, foreign, {});
    REQUIRE_FALSE(mismatch.ok());
    CHECK(mismatch.error().code == "error.provision.centre_mismatch");
    CHECK(mismatch.error().detail == "HOM-01");
    CHECK_FALSE(enrolled(other));
    // A QR that names another central's key: the answer is not signed by it.
    auto forged = typed(central.url(), central.add_code());
    forged.central_key = protocol::encode_public_key(protocol::generate_keypair().public_key);
    auto key_refused = sync::provision(other, forged, {});
    REQUIRE_FALSE(key_refused.ok());
    CHECK(key_refused.error().code == "error.provision.key_mismatch");
    CHECK_FALSE(enrolled(other));
    CHECK_FALSE(provisioned(other));
    // Fields checked before anything goes on the wire.
    CHECK(sync::provision(other, typed("central:8443", "X"), {}).error().code == "error.sync.bad_url");
    CHECK(sync::provision(other, typed(central.url(), ""), {}).error().code == "error.sync.bad_code");
    auto bad_centre = typed(central.url(), "X");
    bad_centre.centre = "DAM 01;";
    CHECK(sync::provision(other, bad_centre, {}).error().code == "error.provision.centre_invalid");
    CHECK_FALSE(enrolled(other));
}

TEST_CASE("Provisioning refuses an unreachable server and a certificate that does not verify")
{
    TempDir dir("provision-refused");
    auto data = dir / "terminal";
    std::string url;
    {
        InProcessCentral gone(dir / "gone");
        url = gone.url();
    }
    sync::HttpOptions quick;
    quick.connect_timeout_ms = 2000;
    auto unreachable = sync::provision(data, typed(url, "ABCD-EFGH-JKLM"), quick);
    REQUIRE_FALSE(unreachable.ok());
    CHECK(unreachable.error().code == "error.provision.unreachable");
    CHECK_FALSE(enrolled(data));
    CHECK_FALSE(provisioned(data));

    auto key = (dir / "key.pem").string(), cert = (dir / "cert.pem").string();
    REQUIRE(make_self_signed(key, cert));
    InProcessCentral tls(dir / "tls", cert, key);
    auto untrusted = sync::provision(data, typed(tls.url(), tls.add_code()), {});
    REQUIRE_FALSE(untrusted.ok());
    CHECK(untrusted.error().code == "error.sync.tls");
    CHECK_FALSE(enrolled(data));
    sync::HttpOptions trusted;
    trusted.ca_file = cert;
    auto ok = sync::provision(data, typed(tls.url(), tls.add_code()), trusted);
    INFO((ok.ok() ? std::string() : ok.error().to_string()));
    REQUIRE(ok.ok());
    CHECK(sync::load_config(data)->ca_file == cert);
}

TEST_CASE("Re-enrollment moves a terminal to another central and a failed one leaves it where it was")
{
    TempDir dir("provision-move");
    InProcessCentral first(dir / "first");
    InProcessCentral second(dir / "second");
    auto data = dir / "terminal";
    REQUIRE(sync::provision(data, typed(first.url(), first.add_code()), {}).ok());
    auto before = fs::read_file(sync::config_file(data), 1 << 16).value();
    auto before_record = fs::read_file(sync::provision_file(data), 1 << 16).value();
    // A used code at the second central: refused, the first enrollment untouched byte for byte.
    std::string code = second.add_code();
    TempDir elsewhere("provision-move-elsewhere");
    REQUIRE(sync::provision(elsewhere.path(), typed(second.url(), code), {}).ok());
    auto refused = sync::provision(data, typed(second.url(), code, Lang::En), {});
    REQUIRE_FALSE(refused.ok());
    CHECK(fs::read_file(sync::config_file(data), 1 << 16).value() == before);
    CHECK(fs::read_file(sync::provision_file(data), 1 << 16).value() == before_record);
    // A fresh code: moved.
    auto moved = sync::provision(data, typed(second.url(), second.add_code("HOM-01"), Lang::En), {});
    REQUIRE(moved.ok());
    CHECK(moved->moved);
    CHECK(moved->previous_server == first.url());
    auto cfg = sync::load_config(data);
    REQUIRE(cfg.ok());
    CHECK(cfg->server_url == second.url());
    CHECK(cfg->centre == "HOM-01");
    CHECK((*sync::load_provision(data).value()).language == Lang::En);
}
