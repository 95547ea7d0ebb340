#pragma once
// Shared by the printing tests: one text engine, translations, a fixed terminal key and temp folders.

#include "base/fs.h"
#include "base/i18n.h"
#include "base/paths.h"
#include "locale/locale.h"
#include "printing/bitmap.h"
#include "printing/documents.h"
#include "sync/protocol/crypto.h"
#include "text/engine.h"

#include <filesystem>
#include <sodium.h>
#include <string>
#include <unistd.h>

namespace test_printing {

inline nafitha::text::TextEngine& engine()
{
    static auto e = nafitha::text::TextEngine::create();
    if (!e.ok())
        throw std::runtime_error("text engine: " + e.error().to_string());
    return **e;
}

inline const nafitha::I18n& i18n()
{
    static auto t = nafitha::I18n::load(nafitha::paths::assets_dir());
    if (!t.ok())
        throw std::runtime_error("i18n: " + t.error().to_string());
    return *t;
}

// The formatting of `lang` in the default zone (Asia/Damascus): one per language for the test process.
inline const nafitha::locale::Locale& loc(nafitha::Lang lang)
{
    static std::unique_ptr<nafitha::locale::Locale> made[2];
    auto& slot = made[lang == nafitha::Lang::Ar ? 0 : 1];
    if (!slot) {
        auto l = nafitha::locale::Locale::create(i18n(), lang);
        if (!l.ok())
            throw std::runtime_error("locale: " + l.error().to_string());
        slot = l.release_value();
    }
    return *slot;
}

// A fixed key so that signatures (Ed25519 is deterministic) and therefore golden images are stable.
inline nafitha::protocol::KeyPair fixed_keys()
{
    nafitha::protocol::init_crypto();
    nafitha::protocol::KeyPair k;
    unsigned char seed[32];
    for (int i = 0; i < 32; ++i)
        seed[i] = static_cast<unsigned char>(i * 7 + 1);
    crypto_sign_seed_keypair(k.public_key.data(), k.secret_key.data(), seed);
    return k;
}

inline std::filesystem::path temp_dir(const std::string& tag)
{
    auto p = std::filesystem::temp_directory_path() / ("nafitha-printtest-" + tag + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
}

// Where failing tests leave their pictures (the build folder).
inline std::filesystem::path artifacts_dir()
{
    auto p = std::filesystem::path(NAFITHA_BINARY_DIR) / "test-artifacts" / "printing";
    std::filesystem::create_directories(p);
    return p;
}

nafitha::printing::ReceiptData sample_receipt(nafitha::Lang lang);

} // namespace test_printing
