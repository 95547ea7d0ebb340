// nafitha-ctl verify-receipt: checks a receipt's QR payload against a terminal's public key, offline.

#include "base/fs.h"
#include "installer/ctl/command.h"
#include "printing/qr.h"
#include "sync/protocol/crypto.h"

#include <filesystem>
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
    auto claim = printing::verify_receipt(words[0], *key);
    if (!claim.ok()) {
        std::cout << "INVALID " << claim.error().code << "\n";
        std::cerr << "nafitha-ctl: " << claim.error().to_string() << "\n";
        return 1;
    }
    std::cout << "VALID reference=" << claim->reference << " terminal=" << claim->terminal_id << "\n";
    return 0;
}

} // namespace

NAFITHA_CTL_COMMAND(verify_receipt, "verify-receipt",
                    "verify-receipt PAYLOAD (--data DIR | --public-key B64)  check a receipt QR code offline",
                    run_verify_receipt);
