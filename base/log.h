#pragma once
// A small leveled logger to stderr (journald picks it up). Never log secrets, keys, PINs, enrollment codes
// or personal data: log identifiers and sizes instead.

#include <string_view>

namespace nafitha::log {

enum class Level { Debug, Info, Warn, Error };

// The level comes from NAFITHA_LOG (debug, info, warn, error); info by default.
void set_level(Level level);
Level level();
void write(Level level, std::string_view component, std::string_view message);

inline void debug(std::string_view c, std::string_view m) { write(Level::Debug, c, m); }
inline void info(std::string_view c, std::string_view m) { write(Level::Info, c, m); }
inline void warn(std::string_view c, std::string_view m) { write(Level::Warn, c, m); }
inline void error(std::string_view c, std::string_view m) { write(Level::Error, c, m); }

} // namespace nafitha::log
