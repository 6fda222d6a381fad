#include "http/router.hpp"

#include <algorithm>

namespace af::http {
namespace {

constexpr std::size_t max_segments = 16;

// Splits "/a/b/" into {"a", "b", ""}; false when the path does not start with '/' or has
// too many segments.
bool split(std::string_view path, std::vector<std::string_view>& out) {
  if (path.empty() || path[0] != '/') return false;
  path.remove_prefix(1);
  while (true) {
    if (out.size() == max_segments) return false;
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

void router::add(std::string method, std::string_view pattern, handler fn) {
  std::vector<std::string_view> parts;
  split(pattern, parts);
  route r{std::move(method), {}, std::move(fn)};
  for (auto p : parts)
    r.segments.emplace_back(p.size() > 1 && p.front() == '{' ? "{}" : std::string(p));
  routes_.push_back(std::move(r));
}

route_match router::match(std::string_view method, std::string_view path) const {
  route_match out;
  std::vector<std::string_view> parts;
  if (!split(path, parts)) return out;
  const route* best = nullptr;
  int best_literals = -1;
  std::vector<std::string> allowed;
  for (const auto& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    int literals = 0;
    bool fits = true;
    for (std::size_t i = 0; i < parts.size() && fits; ++i) {
      if (r.segments[i] == "{}")
        fits = !parts[i].empty();
      else if (r.segments[i] == parts[i])
        ++literals;
      else
        fits = false;
    }
    if (!fits) continue;
    out.path_known = true;
    const bool same_method = r.method == method || (method == "HEAD" && r.method == "GET");
    if (!same_method) {
      if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end())
        allowed.push_back(r.method);
      continue;
    }
    if (literals > best_literals) {
      best = &r;
      best_literals = literals;
    }
  }
  if (best) {
    out.fn = &best->fn;
    for (std::size_t i = 0; i < parts.size(); ++i)
      if (best->segments[i] == "{}") out.params.emplace_back(parts[i]);
    return out;
  }
  for (const auto& m : allowed) out.allow += (out.allow.empty() ? "" : ", ") + m;
  return out;
}

}  // namespace af::http
