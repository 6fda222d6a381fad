#include "runtime/topic.hpp"

namespace af::runtime {
namespace {

bool segment_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool plain_segment(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!segment_char(c)) return false;
  return true;
}

// Splits off the segment before the next '.', advancing `rest` past it. `last` tells whether
// the returned segment was the final one.
std::string_view next_segment(std::string_view& rest, bool& last) {
  auto dot = rest.find('.');
  if (dot == std::string_view::npos) {
    auto seg = rest;
    rest = {};
    last = true;
    return seg;
  }
  auto seg = rest.substr(0, dot);
  rest.remove_prefix(dot + 1);
  last = false;
  return seg;
}

}  // namespace

bool valid_topic(std::string_view topic) {
  if (topic.empty() || topic.size() > max_topic_bytes) return false;
  std::string_view rest = topic;
  bool last = false;
  while (!last)
    if (!plain_segment(next_segment(rest, last))) return false;
  return true;
}

bool valid_topic_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > max_topic_bytes) return false;
  std::string_view rest = pattern;
  bool last = false;
  while (!last) {
    auto seg = next_segment(rest, last);
    if (seg == "*") continue;
    if (seg == "#") {
      if (!last) return false;
      continue;
    }
    if (!plain_segment(seg)) return false;
  }
  return true;
}

bool topic_matches(std::string_view pattern, std::string_view topic) {
  if (!valid_topic_pattern(pattern) || !valid_topic(topic)) return false;
  std::string_view p = pattern, t = topic;
  bool p_last = false, t_last = false, t_done = false;
  while (true) {
    auto ps = next_segment(p, p_last);
    if (ps == "#") return true;  // zero or more remaining segments
    if (t_done) return false;    // the pattern wants a segment the topic does not have
    auto ts = next_segment(t, t_last);
    if (ps != "*" && ps != ts) return false;
    if (t_last) t_done = true;
    if (p_last) return t_done;
    // A pattern going on after the topic ended can still match through a final "#".
  }
}

}  // namespace af::runtime
