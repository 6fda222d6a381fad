#pragma once
// Durations as DESIGN §3 writes them: "500ms", "10s", "5m", "2h", "7d".

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"

namespace af {

// A positive integer followed by one unit (ms, s, m, h, d), at most ~100 years. Nothing else
// (no spaces, no fractions, no sign). nullopt when malformed.
std::optional<millis> parse_duration(std::string_view text);

// The shortest exact spelling: 1500 -> "1500ms", 60000 -> "1m".
std::string format_duration(millis d);

}  // namespace af
