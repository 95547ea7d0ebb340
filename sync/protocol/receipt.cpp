#include "sync/protocol/receipt.h"

#include <vector>

namespace nafitha::protocol {

namespace {

constexpr std::string_view kPrefix = "NFR1";
constexpr std::string_view kDomain = "nafitha-receipt-v1";

bool valid_part(std::string_view s)
{
    if (s.empty() || s.size() > 64)
        return false;
    for (char c : s)
        if (c == '|' || static_cast<unsigned char>(c) < 33 || static_cast<unsigned char>(c) > 126)
            return false;
    return true;
}

std::string to_b64url(const std::string& b64)
{
    std::string s;
    for (char c : b64) {
        if (c == '=')
            break;
        s.push_back(c == '+' ? '-' : c == '/' ? '_' : c);
    }
    return s;
}

std::string from_b64url(std::string_view s)
{
    std::string out;
    for (char c : s)
        out.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
    while (out.size() % 4)
        out.push_back('=');
    return out;
}

std::string message(std::string_view reference, std::string_view terminal_id)
{
    std::string m(kDomain);
    m += '|';
    m += reference;
    m += '|';
    m += terminal_id;
    return m;
}

} // namespace

Result<std::string> sign_receipt(std::string_view reference, std::string_view terminal_id,
                                 const SecretKey& secret_key)
{
    if (!valid_part(reference))
        return Error::make("error.receipt.malformed", "bad reference", "reference");
    if (!valid_part(terminal_id))
        return Error::make("error.receipt.malformed", "bad terminal id", "terminal_id");
    std::string sig = to_b64url(sign(secret_key, message(reference, terminal_id)));
    std::string payload(kPrefix);
    payload += '|';
    payload += reference;
    payload += '|';
    payload += terminal_id;
    payload += '|';
    payload += sig;
    return payload;
}

Result<ReceiptClaim> parse_receipt(std::string_view payload)
{
    if (payload.size() > 512)
        return Error::make("error.receipt.malformed", "payload too long");
    std::vector<std::string_view> parts;
    size_t pos = 0;
    for (;;) {
        size_t bar = payload.find('|', pos);
        parts.push_back(payload.substr(pos, bar == std::string_view::npos ? std::string_view::npos : bar - pos));
        if (bar == std::string_view::npos)
            break;
        pos = bar + 1;
    }
    if (parts.size() != 4 || parts[0] != kPrefix || !valid_part(parts[1]) || !valid_part(parts[2]) ||
        parts[3].size() != 86)
        return Error::make("error.receipt.malformed", "not a Nafitha receipt code");
    return ReceiptClaim{std::string(parts[1]), std::string(parts[2])};
}

Result<ReceiptClaim> verify_receipt(std::string_view payload, const PublicKey& public_key)
{
    auto claim = TRY(parse_receipt(payload));
    std::string_view sig = payload.substr(payload.rfind('|') + 1);
    if (!verify(public_key, message(claim.reference, claim.terminal_id), from_b64url(sig)))
        return Error::make("error.receipt.bad_signature", "signature does not match terminal " + claim.terminal_id);
    return claim;
}

} // namespace nafitha::protocol
