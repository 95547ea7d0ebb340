#pragma once

#include <filesystem>

namespace nafitha::paths {

// Where assets/ (translations, seed catalogue, icons, theme) live: $NAFITHA_ASSETS; else, in a packaged build
// (NAFITHA_INSTALLED), the installed /usr/share/nafitha/assets; else the source tree's assets/ (development
// builds), falling back to the installed folder when the source tree is gone.
std::filesystem::path assets_dir();

// Where the web application's files live (web/: app/ with the pages, scripts and styles of the project, and the
// npm packages it serves): $NAFITHA_WEB; else, in a packaged build, the installed /usr/share/nafitha/web (app/ and
// vendor/); else the source tree's web/ (app/ and node_modules/ after `installer/dev deps`).
std::filesystem::path web_dir();

} // namespace nafitha::paths
