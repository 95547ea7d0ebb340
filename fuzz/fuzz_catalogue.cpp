// libFuzzer target over catalogue documents (untrusted: central publishes them and the network carries them;
// the seed file ships on disk): the size-bounded JSON parse, parse_catalogue, and what a terminal does next
// with an accepted catalogue: listing, search, the canonical form it stores, and quoting every service's fee
// (money is integer minor units: rules must not overflow). Build and run: installer/dev fuzz catalogue; the
// normal suite replays fuzz/corpus/catalogue/ and fuzz/regressions/catalogue/ (tests/fuzz).

#include "kiosk/services/catalogue.h"
#include "kiosk/services/forms.h"
#include "sync/protocol/canonical.h"
#include "sync/protocol/messages.h"

#include <cstdint>
#include <string_view>

using namespace nafitha;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto json = protocol::parse_json(text, 4 << 20);
    if (!json.ok())
        return 0;
    auto catalogue = services::parse_catalogue(json.value());
    if (!catalogue.ok())
        return 0;
    (void)protocol::canonical_json(json.value());
    const auto& c = catalogue.value();
    (void)c.services_in({}, {});
    for (const auto& centre : c.centres)
        (void)c.services_in({}, centre.code);
    (void)c.search(text.substr(0, 16), {});
    for (const auto& service : c.services) {
        (void)services::assess(c, {}, service.code, {}, {});
        for (const auto& exemption : service.exemptions)
            (void)services::assess(c, {}, service.code, {}, exemption.code);
    }
    return 0;
}
