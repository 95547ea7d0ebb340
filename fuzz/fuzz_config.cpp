// libFuzzer target over configuration a terminal reads from files (untrusted: a technician edits them, a
// disk can corrupt them): sync.json (parse_config), device addresses (parse_address: printer, scanner,
// payment devices), keys (terminal.key, the public keys in sync.json and identity.json), language codes. The
// first byte picks the parser. Invariants: an accepted sync.json has an http(s) server URL without a trailing
// slash and no negative counters; an accepted address prints back to an address that parses the same way.
// Build and run: installer/dev fuzz config; the normal suite replays fuzz/corpus/config/ and
// fuzz/regressions/config/ (tests/fuzz).

#include "base/i18n.h"
#include "devices/transport.h"
#include "sync/client/config.h"
#include "sync/protocol/crypto.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace nafitha;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
    case 0: {
        auto c = sync::parse_config(text);
        if (c.ok()) {
            const auto& url = c->server_url;
            if ((url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) || url.back() == '/')
                std::abort();
            if (c->catalogue_version < 0 || c->status_cursor < 0)
                std::abort();
        }
        break;
    }
    case 1: {
        auto a = devices::parse_address(text);
        if (a.ok()) {
            auto again = devices::parse_address(a->to_string());
            if (!again.ok() || again->to_string() != a->to_string())
                std::abort();
        }
        break;
    }
    case 2:
        (void)protocol::decode_secret_key(text);
        (void)protocol::decode_public_key(text);
        break;
    default: (void)parse_lang(text); break;
    }
    return 0;
}
