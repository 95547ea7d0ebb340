#include "base/paths.h"

#include <cstdlib>

namespace nafitha::paths {

std::filesystem::path assets_dir()
{
    if (const char* env = std::getenv("NAFITHA_ASSETS"); env && *env)
        return env;
#ifdef NAFITHA_INSTALLED
    // A packaged build: the source tree it was built from is not on this machine.
    return NAFITHA_INSTALLED_ASSETS_DIR;
#else
    // A development build reads the assets of its own source tree, even where a package is installed too.
    std::error_code ec;
    if (std::filesystem::is_directory(std::filesystem::path(NAFITHA_SOURCE_ASSETS_DIR) / "i18n", ec))
        return NAFITHA_SOURCE_ASSETS_DIR;
    return NAFITHA_INSTALLED_ASSETS_DIR;
#endif
}

std::filesystem::path web_dir()
{
    if (const char* env = std::getenv("NAFITHA_WEB"); env && *env)
        return env;
#ifdef NAFITHA_INSTALLED
    return NAFITHA_INSTALLED_WEB_DIR;
#else
    std::error_code ec;
    if (std::filesystem::is_directory(std::filesystem::path(NAFITHA_SOURCE_WEB_DIR) / "app", ec))
        return NAFITHA_SOURCE_WEB_DIR;
    return NAFITHA_INSTALLED_WEB_DIR;
#endif
}

} // namespace nafitha::paths
