// libFuzzer target over what a terminal parses from central's answers (untrusted: the network and whatever
// sits on it): the enrollment answer, the ingest answer, the terminal state, decisions, the catalogue answer,
// and error bodies. The first input byte picks the message; the rest is the body, through the same size-
// bounded JSON parse the client uses. Invariant: every parse ends in a value or an error, and an accepted
// enrollment answer carries a decodable public key.
// Build and run: installer/dev fuzz answers. The normal suite replays fuzz/corpus/answers/ and
// fuzz/regressions/answers/ through this function (tests/fuzz).

#include "sync/protocol/crypto.h"
#include "sync/protocol/messages.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace nafitha::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto json = parse_json(body, 1 << 20);
    if (!json.ok())
        return 0;
    switch (data[0] % 6) {
    case 0: {
        auto m = enroll_response_from_json(json.value());
        if (m.ok() && !decode_public_key(m->server_public_key).ok())
            std::abort();
        break;
    }
    case 1: (void)ingest_response_from_json(json.value()); break;
    case 2: (void)terminal_state_from_json(json.value()); break;
    case 3: (void)status_response_from_json(json.value()); break;
    case 4: (void)catalogue_response_from_json(json.value()); break;
    default: (void)error_response_from_json(json.value()); break;
    }
    return 0;
}
