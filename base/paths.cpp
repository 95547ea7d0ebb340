#include "base/paths.h"

#include <cstdlib>

namespace nafitha::paths {

std::filesystem::path assets_dir()
{
    if (const char* env = std::getenv("NAFITHA_ASSETS"); env && *env)
        return env;
    std::error_code ec;
    if (std::filesystem::is_directory("/usr/share/nafitha/assets/i18n", ec))
        return "/usr/share/nafitha/assets";
    return NAFITHA_SOURCE_ASSETS_DIR;
}

} // namespace nafitha::paths
