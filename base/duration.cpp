#include "base/duration.hpp"

namespace af {

std::optional<millis> parse_duration(std::string_view s) {
  constexpr millis max_ms = 100LL * 366 * 24 * 3600 * 1000;
  std::size_t i = 0;
  millis n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    n = n * 10 + (s[i] - '0');
    if (n > max_ms) return std::nullopt;
    ++i;
  }
  if (i == 0 || i > 15) return std::nullopt;
  std::string_view unit = s.substr(i);
  millis scale;
  if (unit == "ms")
    scale = 1;
  else if (unit == "s")
    scale = 1000;
  else if (unit == "m")
    scale = 60 * 1000;
  else if (unit == "h")
    scale = 3600 * 1000;
  else if (unit == "d")
    scale = 24 * 3600 * 1000;
  else
    return std::nullopt;
  if (n > max_ms / scale) return std::nullopt;
  return n * scale;
}

std::string format_duration(millis d) {
  struct unit {
    millis size;
    const char* name;
  };
  static const unit units[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
  for (const auto& u : units)
    if (d != 0 && d % u.size == 0) return std::to_string(d / u.size) + u.name;
  return std::to_string(d) + "ms";
}

}  // namespace af
