#pragma once

#include <filesystem>

namespace nafitha::paths {

// Where assets/ (translations, seed catalogue, icons, theme) live: $NAFITHA_ASSETS, else the installed
// /usr/share/nafitha/assets, else the source tree's assets/ (development builds).
std::filesystem::path assets_dir();

} // namespace nafitha::paths
