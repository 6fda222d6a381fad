#pragma once
// Cron expressions of schedule triggers (DESIGN §5, §9), parsed into sets of allowed values so
// that computing fire times (a later issue) is a walk over bitsets with no string handling.
//
// Accepted syntax (Vixie cron, plus an optional leading seconds field):
//   5 fields  "minute hour day-of-month month day-of-week"
//   6 fields  "second minute hour day-of-month month day-of-week"
//   each field: a comma list of `*`, `n`, `a-b`, `*/s` or `a-b/s`; months JAN–DEC and days
//   SUN–SAT by name (case-insensitive, also inside ranges); day-of-week 0–7 with 7 = Sunday.
//   macros (case-insensitive): @yearly @annually @monthly @weekly @daily @midnight @hourly,
//   and `@every <duration>` (at least 1s; fires are aligned to the Unix epoch).
// Not accepted: `?`, `L`, `W`, `#`, `@reboot`, a step on a single value ("5/10").
// Day-of-month and day-of-week are OR-ed when both are restricted (Vixie): a field counts as
// restricted when it does not start with `*`.

#include <bitset>
#include <optional>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace af::runtime {

inline constexpr std::size_t max_cron_bytes = 256;

struct cron_spec {
  // Allowed values; bit n set = value n allowed. With 5 fields `seconds` holds only 0.
  std::bitset<60> seconds;
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // bits 1..31
  std::bitset<13> months;         // bits 1..12
  std::bitset<7> days_of_week;    // bits 0..6, 0 = Sunday (a written 7 lands on bit 0)
  bool dom_restricted = false;    // day-of-month field did not start with '*'
  bool dow_restricted = false;    // day-of-week field did not start with '*'
  bool has_seconds = false;       // written with 6 fields
  // Set for `@every <duration>`: fires at every multiple of this many ms since the epoch; the
  // bitsets are then unused.
  std::optional<millis> every;
};

// Parses a cron expression. Errors: errc::invalid_argument with a message naming the field and
// the value at fault ("minute 60 is out of range 0-59"). Input longer than max_cron_bytes is
// refused before any parsing.
result<cron_spec> parse_cron(std::string_view text);

}  // namespace af::runtime
