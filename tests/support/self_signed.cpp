#include "tests/support/self_signed.h"

#include <cstdio>
#include <memory>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace nafitha::testing {

namespace {

struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
    void operator()(X509* c) const { X509_free(c); }
};
struct ExtFree {
    void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
struct FileClose {
    void operator()(FILE* f) const { std::fclose(f); }
};

bool fail(std::string* why, const char* what)
{
    if (why)
        *why = what;
    return false;
}

} // namespace

bool make_self_signed(const std::string& key_path, const std::string& cert_path, std::string* why)
{
    std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_RSA_gen(2048));
    if (!key)
        return fail(why, "EVP_RSA_gen");
    std::unique_ptr<X509, CertFree> cert(X509_new());
    if (!cert)
        return fail(why, "X509_new");
    X509_set_version(cert.get(), 2); // v3: GnuTLS refuses a v1 certificate that carries extensions
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 2 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost"}, std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
        std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
        if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1)
            return fail(why, "X509_add_ext");
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        return fail(why, "X509_sign");
    {
        std::unique_ptr<FILE, FileClose> f(std::fopen(key_path.c_str(), "w"));
        if (!f || PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
            return fail(why, "writing the key");
    }
    std::unique_ptr<FILE, FileClose> f(std::fopen(cert_path.c_str(), "w"));
    if (!f || PEM_write_X509(f.get(), cert.get()) != 1)
        return fail(why, "writing the certificate");
    return true;
}

} // namespace nafitha::testing
