// Small checks shared by every part of lint: field lists, types, numbers, durations, enums,
// and the "did you mean" suggestions.
#include <algorithm>
#include <cmath>

#include "base/duration.hpp"
#include "runtime/lint_context.hpp"

namespace af::runtime::lint_detail {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Edit distance with adjacent transpositions counted as one edit (optimal string alignment),
// case-insensitive; inputs are short (callers cap them).
std::size_t distance(std::string_view a, std::string_view b) {
  const std::size_t w = b.size() + 1;
  std::vector<std::size_t> d((a.size() + 1) * w);
  for (std::size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      std::size_t v =
          std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        v = std::min(v, d[(i - 2) * w + j - 2] + 1);
      d[i * w + j] = v;
    }
  }
  return d[a.size() * w + b.size()];
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

void context::add(std::string path, std::string_view code, std::string message,
                  std::optional<std::size_t> position) {
  problems.push_back({std::move(path), std::string(code), std::move(message), position});
}

std::string shown(std::string_view s) {
  if (s.size() <= 64) return std::string(s);
  std::size_t cut = 64;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8
  return std::string(s.substr(0, cut)) + "…";
}

std::string quote(std::string_view s) {
  std::string out = "'";
  out += shown(s);
  out += '\'';
  return out;
}

std::optional<std::string_view> closest(std::string_view word,
                                        const std::vector<std::string_view>& candidates) {
  if (word.empty() || word.size() > 64) return std::nullopt;
  std::optional<std::string_view> best;
  // A typo changes about one letter in three at most, and never every letter ("d" is no typo
  // of "a").
  std::size_t best_d = std::min(1 + word.size() / 3, word.size() - 1);
  for (auto c : candidates) {
    std::size_t d = distance(word, c);
    if (d <= best_d && (!best || d < distance(word, *best))) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  auto c = closest(word, candidates);
  return c ? " (did you mean '" + std::string(*c) + "'?)" : "";
}

std::string join(const std::vector<std::string_view>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += values[i];
  }
  return out;
}

std::string one_of(const std::vector<std::string_view>& values) {
  std::string out = values.size() == 1 ? "" : "one of ";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += values[i];
  }
  return out;
}

void check_fields(context& ctx, const json& obj, const std::string& path,
                  const std::vector<std::string_view>& allowed, std::string_view what) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& key = it.key();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    ctx.add(pointer_append(path, key), problem_code::unknown_field,
            "unknown field '" + shown(key) + "' in " + std::string(what) +
                did_you_mean(key, allowed) + "; allowed fields: " + join(allowed));
  }
}

bool expect(context& ctx, bool ok, const json& value, const std::string& path,
            std::string_view wanted) {
  if (!ok)
    ctx.add(path, problem_code::type,
            "expected " + std::string(wanted) + ", got " + std::string(type_name(value)));
  return ok;
}

bool is_integer(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15;
}

void check_integer(context& ctx, const json& v, const std::string& path, long long lo,
                   long long hi) {
  if (!expect(ctx, is_integer(v), v, path, "an integer")) return;
  double d = v.get<double>();
  if (d < static_cast<double>(lo) || d > static_cast<double>(hi))
    ctx.add(path, problem_code::invalid_value,
            "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                dump(v));
}

void check_duration(context& ctx, const json& v, const std::string& path) {
  if (!expect(ctx, v.is_string(), v, path, "a duration string like \"30s\"")) return;
  const auto& s = v.get_ref<const std::string&>();
  if (parse_duration(s)) return;
  std::string why = has_template(s) ? " (templates are not allowed here)" : "";
  ctx.add(path, problem_code::invalid_duration,
          quote(s) + " is not a duration" + why +
              "; write a positive integer and a unit: 500ms, 10s, 5m, 2h, 7d");
}

void check_enum(context& ctx, const json& v, const std::string& path,
                const std::vector<std::string_view>& values) {
  if (!expect(ctx, v.is_string(), v, path, "a string, " + one_of(values))) return;
  const auto& s = v.get_ref<const std::string&>();
  if (std::find(values.begin(), values.end(), s) != values.end()) return;
  ctx.add(path, problem_code::invalid_value,
          quote(s) + " is not allowed here" + did_you_mean(s, values) + "; use " + one_of(values));
}

void check_text(context& ctx, const json& v, const std::string& path, std::size_t min_chars,
                std::size_t max_chars) {
  if (!expect(ctx, v.is_string(), v, path, "a string")) return;
  std::size_t n = code_points(v.get_ref<const std::string&>());
  if (n < min_chars)
    ctx.add(path, problem_code::invalid_value, "must not be empty");
  else if (n > max_chars)
    ctx.add(path, problem_code::invalid_value,
            "is " + std::to_string(n) + " characters long; at most " + std::to_string(max_chars) +
                " are allowed");
}

bool has_template(std::string_view s) {
  return s.find("{{") != std::string_view::npos;
}

}  // namespace af::runtime::lint_detail
