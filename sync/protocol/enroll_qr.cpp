#include "sync/protocol/enroll_qr.h"

#include "sync/protocol/crypto.h"

#include <array>

namespace nafitha::protocol {

namespace {

bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

std::string encode(std::string_view v)
{
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : v) {
        if (unreserved(c)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

Error invalid(std::string detail) { return Error::make("error.provision.qr_invalid", std::move(detail)); }

Result<std::string> decode(std::string_view v)
{
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        char c = v[i];
        if (c == '%') {
            if (i + 2 >= v.size())
                return invalid("a % escape is cut short");
            int hi = hex_value(v[i + 1]), lo = hex_value(v[i + 2]);
            if (hi < 0 || lo < 0)
                return invalid("a % escape is not two hex digits");
            unsigned char b = static_cast<unsigned char>(hi * 16 + lo);
            if (b < 0x20 || b == 0x7F)
                return invalid("a value holds a control character");
            out += static_cast<char>(b);
            i += 2;
        } else if (unreserved(static_cast<unsigned char>(c)) || c == ':' || c == '/' || c == '+' || c == '=') {
            out += c;
        } else {
            return invalid(std::string("unexpected character '") + c + "'");
        }
    }
    return out;
}

} // namespace

std::string enrollment_qr_text(const EnrollmentTicket& t)
{
    std::string out(kEnrollmentQrPrefix);
    out += "server=" + encode(t.server_url);
    out += "&code=" + encode(t.code);
    if (!t.centre.empty())
        out += "&centre=" + encode(t.centre);
    if (!t.central_key.empty())
        out += "&key=" + encode(t.central_key);
    return out;
}

Result<EnrollmentTicket> parse_enrollment_qr(std::string_view text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    if (text.size() > kMaxEnrollmentQr)
        return invalid("longer than " + std::to_string(kMaxEnrollmentQr) + " bytes");
    if (text.substr(0, kEnrollmentQrPrefix.size()) != kEnrollmentQrPrefix)
        return invalid("not an enrollment code (it must start with " + std::string(kEnrollmentQrPrefix) + ")");
    text.remove_prefix(kEnrollmentQrPrefix.size());
    EnrollmentTicket t;
    std::array<bool, 4> seen{};
    while (!text.empty()) {
        size_t amp = text.find('&');
        std::string_view part = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
        size_t eq = part.find('=');
        if (eq == std::string_view::npos)
            return invalid("a field without '='");
        std::string_view name = part.substr(0, eq);
        auto value = decode(part.substr(eq + 1));
        if (!value.ok())
            return value.error();
        static constexpr std::string_view names[] = {"server", "code", "centre", "key"};
        size_t which = 0;
        while (which < 4 && names[which] != name)
            ++which;
        if (which == 4)
            return invalid("unknown field '" + std::string(name) + "'");
        if (seen[which])
            return invalid("field '" + std::string(name) + "' given twice");
        seen[which] = true;
        std::string* slot[] = {&t.server_url, &t.code, &t.centre, &t.central_key};
        *slot[which] = value.release_value();
    }
    if (t.server_url.rfind("http://", 0) != 0 && t.server_url.rfind("https://", 0) != 0)
        return invalid("the server must be an http:// or https:// address");
    if (t.code.empty() || t.code.size() > 64)
        return invalid("the code is missing or too long");
    if (t.centre.size() > 64)
        return invalid("the centre is too long");
    if (!t.central_key.empty() && !decode_public_key(t.central_key).ok())
        return invalid("the central key is not the base64 of 32 bytes");
    return t;
}

std::string key_fingerprint(std::string_view central_key_b64)
{
    auto key = decode_public_key(central_key_b64);
    if (!key.ok())
        return {};
    std::string hex = sha256_hex(std::string_view(reinterpret_cast<const char*>(key->data()), key->size()));
    std::string out;
    for (size_t i = 0; i < 32; i += 4) {
        if (!out.empty())
            out += ' ';
        out += hex.substr(i, 4);
    }
    return out;
}

} // namespace nafitha::protocol
