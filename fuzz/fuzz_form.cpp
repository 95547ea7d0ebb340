// libFuzzer target over form values as a citizen types them (untrusted: anyone at the kiosk): every field of
// a service of the seed catalogue filled from the input, then the one validation authority (services::assess)
// and each single-field validator. The first byte picks the service, the second an exemption; the rest is
// split at NUL bytes into the fields' values, in form order. Invariant: an accepted form's values are valid
// UTF-8 and the quoted fee is not negative.
// Build and run: installer/dev fuzz form; the normal suite replays fuzz/corpus/form/ and
// fuzz/regressions/form/ (tests/fuzz).

#include "base/fs.h"
#include "base/utf8.h"
#include "kiosk/services/catalogue.h"
#include "kiosk/services/forms.h"
#include "sync/protocol/messages.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace nafitha;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const services::Catalogue* catalogue = [] {
        auto text = fs::read_file(NAFITHA_SEED_CATALOGUE, 4 << 20);
        auto json = text.ok() ? protocol::parse_json(text.value(), 4 << 20) : Result<nlohmann::json>(text.error());
        auto c = json.ok() ? services::parse_catalogue(json.value()) : Result<services::Catalogue>(json.error());
        if (!c.ok())
            std::abort();
        return new services::Catalogue(c.release_value());
    }();
    if (size < 2 || catalogue->services.empty())
        return 0;
    const auto& service = catalogue->services[data[0] % catalogue->services.size()];
    std::string exemption;
    if (!service.exemptions.empty() && data[1] % 2)
        exemption = service.exemptions[data[1] / 2 % service.exemptions.size()].code;
    std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
    services::FormValues values;
    for (const auto& field : service.form) {
        size_t nul = rest.find('\0');
        values[field.name] = std::string(rest.substr(0, nul));
        rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
    }
    auto a = services::assess(*catalogue, {}, service.code, values, exemption);
    if (a.ok()) {
        for (const auto& [name, value] : a.validation.values)
            if (!utf8::is_valid(value))
                std::abort();
        if (a.fee->total < 0)
            std::abort();
    }
    std::string_view whole(reinterpret_cast<const char*>(data), size);
    (void)services::validate_national_id(whole);
    (void)services::validate_phone(whole);
    (void)services::validate_arabic_name(whole);
    (void)services::validate_date(whole, data[0] & 1);
    (void)services::validate_number(whole, -1000, 1000000);
    return 0;
}
