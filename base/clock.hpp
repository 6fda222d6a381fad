#pragma once
// Time as milliseconds since the Unix epoch (UTC), behind an interface so that tests and the
// pure runtime code never read the system clock themselves.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace af {

using millis = std::int64_t;  // ms since 1970-01-01T00:00:00Z

class clock {
 public:
  virtual ~clock() = default;
  virtual millis now() const = 0;
};

// The wall clock. Thread-safe.
class system_clock final : public clock {
 public:
  millis now() const override;
};

// A clock that moves only when told to. Thread-safe.
class manual_clock final : public clock {
 public:
  explicit manual_clock(millis start = 0) : now_(start) {}
  millis now() const override { return now_.load(); }
  void set(millis t) { now_.store(t); }
  void advance(millis d) { now_.fetch_add(d); }

 private:
  std::atomic<millis> now_;
};

// RFC 3339 UTC with milliseconds: "2026-11-22T02:13:46.123Z".
std::string format_time(millis t);

// Parses RFC 3339 ("2026-11-22T02:13:46Z", fractional seconds and offsets allowed).
std::optional<millis> parse_time(std::string_view text);

}  // namespace af
