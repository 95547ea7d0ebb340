#pragma once
// nafitha-ctl's side of the transparency log (installer/ctl/cmd_audit.cpp): `audit` and `verify-receipt --online`.

#include "base/result.h"
#include "sync/protocol/crypto.h"
#include "sync/protocol/receipt.h"

#include <string>

namespace nafitha::ctl {

struct OnlineReceiptCheck {
    std::string server_url;
    protocol::PublicKey central_key{};
    std::string ca_file;
};

// Proves that the receipt's transaction is in central's log up to a signed checkpoint; prints the outcome in
// Arabic and English. Returns the exit code (0 included, 1 not included or forged, 3 central unreachable).
int verify_receipt_online(const protocol::ReceiptClaim& claim, const OnlineReceiptCheck& check);

} // namespace nafitha::ctl
