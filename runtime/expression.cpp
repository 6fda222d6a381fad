// Pieces of the expression language shared by the lexer, parser, evaluator and templates:
// truthiness, interpolation, error details, number and UTF-8 helpers.
// The parser is in expression_parser.cpp, evaluation in expression_eval.cpp, functions in
// expression_functions.cpp.

#include "runtime/expression.hpp"

#include <cstdint>
#include <limits>

#include "runtime/expression_ast.hpp"

namespace af::runtime {
namespace expr_detail {
namespace {

// Error details quote the expression; a 4 KiB expression should not make a 4 KiB message.
constexpr std::size_t max_quoted_bytes = 256;

std::string quoted(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' ||
                           text.front() == '\r'))
    text.remove_prefix(1);
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  if (text.size() <= max_quoted_bytes) return std::string(text);
  std::size_t cut = max_quoted_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

}  // namespace

const json& null_json() {
  static const json v;
  return v;
}

const json& bool_json(bool b) {
  static const json t = true;
  static const json f = false;
  return b ? t : f;
}

error make_error(errc code, std::string message, std::size_t position, std::string_view text) {
  json detail = json::object();
  detail["position"] = position;
  detail["expression"] = quoted(text);
  return error(code, std::move(message), json::array({std::move(detail)}));
}

}  // namespace expr_detail

std::size_t expression_position(const error& err) {
  if (!err.details.is_array() || err.details.empty()) return 0;
  const json& d = err.details.front();
  if (!d.is_object()) return 0;
  auto it = d.find("position");
  if (it == d.end() || !it->is_number_integer()) return 0;
  std::int64_t p = it->get<std::int64_t>();
  return p > 0 ? static_cast<std::size_t>(p) : 0;
}

bool truthy(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return false;
    case json::value_t::boolean:
      return v.get<bool>();
    case json::value_t::number_integer:
      return v.get<std::int64_t>() != 0;
    case json::value_t::number_unsigned:
      return v.get<std::uint64_t>() != 0;
    case json::value_t::number_float:
      return v.get<double>() != 0.0;
    case json::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case json::value_t::array:
    case json::value_t::object:
      return !v.empty();
    default:
      return true;
  }
}

std::string interpolate(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return dump(v);  // numbers, booleans, arrays, objects: compact JSON, shortest doubles
}

namespace expr_detail {

bool as_int(const json& j, std::int64_t& out) {
  if (j.is_number_unsigned()) {
    auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    out = static_cast<std::int64_t>(u);
    return true;
  }
  if (!j.is_number_integer()) return false;
  out = j.get<std::int64_t>();
  return true;
}

double as_double(const json& j) {
  if (j.is_number_unsigned()) return static_cast<double>(j.get<std::uint64_t>());
  if (j.is_number_integer()) return static_cast<double>(j.get<std::int64_t>());
  return j.get<double>();
}

std::size_t count_code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  auto cont = [&](std::size_t k) { return (at(k) & 0xC0) == 0x80; };
  unsigned c = at(0);
  if (i >= s.size()) return 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && at(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && at(1) >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && at(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && at(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace expr_detail
}  // namespace af::runtime
