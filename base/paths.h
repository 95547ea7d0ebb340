#pragma once

#include <filesystem>

namespace nafitha::paths {

// Where assets/ (translations, seed catalogue, icons, theme) live: $NAFITHA_ASSETS; else, in a packaged build
// (NAFITHA_INSTALLED), the installed /usr/share/nafitha/assets; else the source tree's assets/ (development
// builds), falling back to the installed folder when the source tree is gone.
std::filesystem::path assets_dir();

} // namespace nafitha::paths
