#pragma once
// A self-signed TLS certificate for "localhost" (RSA 2048, valid from an hour ago for 2 days, X.509 v3 with
// subjectAltName DNS:localhost and basicConstraints CA:TRUE so that it can be its own CA file), written as
// PEM files: the key and the certificate central serves in the TLS tests (tests/central, tests/sync).

#include <string>

namespace nafitha::testing {

// False (and a reason in `why`) when OpenSSL could not make or write it.
bool make_self_signed(const std::string& key_path, const std::string& cert_path, std::string* why = nullptr);

} // namespace nafitha::testing
