#include "runtime/cron.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/duration.hpp"

namespace af::runtime {
namespace {

constexpr std::array<std::string_view, 12> month_names = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> day_names = {"SUN", "MON", "TUE", "WED",
                                                       "THU", "FRI", "SAT"};
// Days per month in the longest year: a day-of-month that occurs in no allowed month never fires.
constexpr std::array<int, 13> month_days = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

struct field_desc {
  std::string_view name;
  int min;
  int max;       // largest value that may be written (7 for day of week)
  int star_max;  // largest value `*` covers (6 for day of week: 7 is Sunday again)
  const std::string_view* names = nullptr;  // names for min, min+1, ...
  std::size_t name_count = 0;
};

constexpr field_desc second_field{"second", 0, 59, 59};
constexpr field_desc minute_field{"minute", 0, 59, 59};
constexpr field_desc hour_field{"hour", 0, 23, 23};
constexpr field_desc dom_field{"day of month", 1, 31, 31};
constexpr field_desc month_field{"month", 1, 12, 12, month_names.data(), month_names.size()};
constexpr field_desc dow_field{"day of week", 0, 7, 6, day_names.data(), day_names.size()};

std::string shown(std::string_view s) {
  return std::string(s.size() > 32 ? s.substr(0, 32) : s) + (s.size() > 32 ? "…" : "");
}

error fail(std::string message) {
  return error(errc::invalid_argument, std::move(message));
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

char upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool same_letters(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (upper(a[i]) != upper(b[i])) return false;
  return true;
}

// One value of a field: a number within range or (months, days) a three-letter name.
result<int> parse_value(std::string_view s, const field_desc& f) {
  if (all_digits(s)) {
    if (s.size() > 4) return fail(std::string(f.name) + " " + shown(s) + " is out of range");
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    if (v < f.min || v > f.max)
      return fail(std::string(f.name) + " " + std::to_string(v) + " is out of range " +
                  std::to_string(f.min) + "-" + std::to_string(f.max));
    return v;
  }
  for (std::size_t i = 0; i < f.name_count; ++i)
    if (same_letters(s, f.names[i])) return f.min + static_cast<int>(i);
  if (s == "?") return fail("'?' is not supported in " + std::string(f.name) + "; use '*'");
  if (s.empty()) return fail("missing value in " + std::string(f.name));
  return fail("invalid " + std::string(f.name) + " '" + shown(s) + "'" +
              (f.names
                   ? std::string(" (use a number or a name like ") + std::string(f.names[0]) + ")"
                   : std::string(" (use a number)")));
}

// One list element: `*`, `n`, `a-b`, `*/s`, `a-b/s`. Sets the allowed values in `mask`.
result<void> parse_element(std::string_view elem, const field_desc& f, std::uint64_t& mask) {
  auto slash = elem.find('/');
  std::string_view base = elem.substr(0, slash);
  int lo = f.min, hi = f.star_max;
  bool single = false;
  if (base != "*") {
    auto dash = base.find('-');
    auto first = parse_value(base.substr(0, dash), f);
    if (!first) return first.error();
    lo = hi = *first;
    single = dash == std::string_view::npos;
    if (!single) {
      auto second = parse_value(base.substr(dash + 1), f);
      if (!second) return second.error();
      hi = *second;
      if (lo > hi)
        return fail("range " + shown(base) + " in " + std::string(f.name) +
                    " goes backwards; write the smaller value first");
    }
  }
  int step = 1;
  if (slash != std::string_view::npos) {
    std::string_view s = elem.substr(slash + 1);
    if (single)
      return fail("step '" + shown(elem) + "' in " + std::string(f.name) +
                  " needs a range or '*' before '/', e.g. " + shown(base) + "-" +
                  std::to_string(f.star_max) + "/" + shown(s));
    int span = f.max - f.min + 1;
    if (!all_digits(s) || s.size() > 4)
      return fail("step '" + shown(s) + "' in " + std::string(f.name) + " is not a number");
    step = 0;
    for (char c : s) step = step * 10 + (c - '0');
    if (step < 1 || step > span)
      return fail("step " + std::to_string(step) + " in " + std::string(f.name) +
                  " is out of range 1-" + std::to_string(span));
  }
  for (int v = lo; v <= hi; v += step) mask |= std::uint64_t{1} << (v == 7 && f.max == 7 ? 0 : v);
  return ok();
}

result<std::uint64_t> parse_field(std::string_view text, const field_desc& f) {
  std::uint64_t mask = 0;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    auto elem =
        text.substr(start, comma == std::string_view::npos ? text.size() - start : comma - start);
    if (elem.empty()) return fail("empty element in the " + std::string(f.name) + " list");
    if (auto r = parse_element(elem, f, mask); !r) return r.error();
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return mask;
}

bool space(char c) {
  return c == ' ' || c == '\t';
}

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size() && out.size() <= 6) {
    while (i < text.size() && space(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !space(text[i])) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

// Vixie fires on a restricted day-of-month only when some allowed month has that day; with an
// unrestricted day-of-week nothing else can make such a schedule fire.
result<void> check_fires(const cron_spec& c) {
  if (!c.dom_restricted || c.dow_restricted) return ok();
  int first_day = 1;
  while (first_day <= 31 && !c.days_of_month.test(static_cast<std::size_t>(first_day))) ++first_day;
  for (int m = 1; m <= 12; ++m)
    if (c.months.test(static_cast<std::size_t>(m)) && first_day <= month_days[m]) return ok();
  return fail("never fires: day of month " + std::to_string(first_day) +
              " does not occur in any allowed month");
}

result<cron_spec> parse_fields(std::string_view text) {
  auto fields = split_fields(text);
  if (fields.size() != 5 && fields.size() != 6)
    return fail(
        "expected 5 fields (minute hour day-of-month month day-of-week) or 6 with "
        "seconds first, got " +
        (fields.size() > 6 ? std::string("more than 6") : std::to_string(fields.size())));
  cron_spec c;
  c.has_seconds = fields.size() == 6;
  std::size_t i = 0;
  std::uint64_t m = 1;  // second 0 when there is no seconds field
  if (c.has_seconds) {
    auto r = parse_field(fields[i++], second_field);
    if (!r) return r.error();
    m = *r;
  }
  c.seconds = std::bitset<60>(m);
  const field_desc* rest[] = {&minute_field, &hour_field, &dom_field, &month_field, &dow_field};
  std::uint64_t masks[5] = {};
  for (int k = 0; k < 5; ++k) {
    auto r = parse_field(fields[i], *rest[k]);
    if (!r) return r.error();
    masks[k] = *r;
    if (k == 2) c.dom_restricted = fields[i][0] != '*';
    if (k == 4) c.dow_restricted = fields[i][0] != '*';
    ++i;
  }
  c.minutes = std::bitset<60>(masks[0]);
  c.hours = std::bitset<24>(masks[1]);
  c.days_of_month = std::bitset<32>(masks[2]);
  c.months = std::bitset<13>(masks[3]);
  c.days_of_week = std::bitset<7>(masks[4]);
  if (auto r = check_fires(c); !r) return r.error();
  return c;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

result<cron_spec> parse_macro(std::string_view text) {
  static constexpr std::pair<std::string_view, std::string_view> macros[] = {
      {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"}};
  for (const auto& [name, fields] : macros)
    if (same_letters(text, name)) return parse_fields(fields);
  std::string_view word = text.substr(0, text.find_first_of(" \t"));
  if (!same_letters(word, "@every"))
    return fail("unknown macro '" + shown(word) +
                "' (use @yearly, @monthly, @weekly, @daily, @hourly or @every <duration>)");
  auto d = parse_duration(trim(text.substr(word.size())));
  if (!d) return fail("@every needs a duration like '90s' or '5m'");
  if (*d < 1000) return fail("@every needs an interval of at least 1s");
  cron_spec c;
  c.every = *d;
  return c;
}

}  // namespace

result<cron_spec> parse_cron(std::string_view text) {
  if (text.size() > max_cron_bytes)
    return fail("cron expression longer than " + std::to_string(max_cron_bytes) + " bytes");
  text = trim(text);
  if (text.empty()) return fail("empty cron expression");
  if (text[0] == '@') return parse_macro(text);
  return parse_fields(text);
}

}  // namespace af::runtime
