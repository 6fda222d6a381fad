// The built-in functions of DESIGN §3/§9. Arity is checked by the parser (find_builtin);
// argument types here, with messages that name the function.

#include <array>
#include <charconv>
#include <cstdint>
#include <system_error>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "runtime/expression_ast.hpp"

namespace af::runtime::expr_detail {
namespace {

constexpr std::size_t many = static_cast<std::size_t>(-1);

constexpr std::array<builtin_info, 18> table{{
    {"len", builtin::len, 1, 1},
    {"upper", builtin::upper, 1, 1},
    {"lower", builtin::lower, 1, 1},
    {"trim", builtin::trim, 1, 1},
    {"contains", builtin::contains, 2, 2},
    {"starts_with", builtin::starts_with, 2, 2},
    {"ends_with", builtin::ends_with, 2, 2},
    {"default", builtin::default_, 2, 2},
    {"coalesce", builtin::coalesce, 1, many},
    {"to_number", builtin::to_number, 1, 1},
    {"to_string", builtin::to_string, 1, 1},
    {"json", builtin::json, 1, 1},
    {"parse_json", builtin::parse_json, 1, 1},
    {"now", builtin::now, 0, 0},
    {"keys", builtin::keys, 1, 1},
    {"values", builtin::values, 1, 1},
    {"join", builtin::join, 2, 2},
    {"split", builtin::split, 2, 2},
}};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The number grammar of literals, with an optional leading '-': "12", "-3.5", "1e3".
bool parse_number(std::string_view s, json& out) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const std::size_t digits_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == digits_start) return false;
  bool integral = true;
  if (i < s.size() && s[i] == '.') {
    integral = false;
    const std::size_t frac = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == frac) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    integral = false;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t exp = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == exp) return false;
  }
  if (i != s.size()) return false;
  const char* end = s.data() + s.size();
  if (integral) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (ec == std::errc() && p == end) {
      out = v;
      return true;
    }
  }
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), end, d);
  if (ec != std::errc() || p != end) return false;
  out = d;
  return true;
}

class call {
 public:
  call(const expr_node& n, eval_context& cx, value& out) : n_(n), cx_(cx), out_(out) {}

  bool run() {
    switch (n_.fn) {
      case builtin::default_:
        return default_();
      case builtin::coalesce:
        return coalesce();
      case builtin::now:
        return give(format_time(cx_.s.now));
      default:
        break;
    }
    for (std::size_t i = 0; i < n_.children.size() && i < args_.size(); ++i)
      if (!eval(*n_.children[i], cx_, args_[i])) return false;
    const json& a = args_[0].get();
    const json& b = args_[1].get();
    switch (n_.fn) {
      case builtin::len:
        if (a.is_string())
          return give(
              static_cast<std::int64_t>(count_code_points(a.get_ref<const std::string&>())));
        if (a.is_array() || a.is_object()) return give(static_cast<std::int64_t>(a.size()));
        return bad("a string, array or object", a);
      case builtin::upper:
      case builtin::lower:
        return change_case(a, n_.fn == builtin::upper);
      case builtin::trim:
        if (!a.is_string()) return bad("a string", a);
        return give(std::string(trim_view(a.get_ref<const std::string&>())));
      case builtin::contains:
        return contains(a, b);
      case builtin::starts_with:
      case builtin::ends_with: {
        if (!a.is_string() || !b.is_string()) return bad2("two strings", a, b);
        std::string_view s = a.get_ref<const std::string&>();
        std::string_view p = b.get_ref<const std::string&>();
        bool yes = p.size() <= s.size() &&
                   (n_.fn == builtin::starts_with ? s.substr(0, p.size()) == p
                                                  : s.substr(s.size() - p.size()) == p);
        return give_bool(yes);
      }
      case builtin::to_number:
        return to_number(a);
      case builtin::to_string:
        return give_string(interpolate(a));
      case builtin::json:
        return give_string(dump(a));
      case builtin::parse_json: {
        if (!a.is_string()) return bad("a string", a);
        auto parsed = af::parse_json(a.get_ref<const std::string&>());
        if (!parsed) return fail("parse_json() failed: " + parsed.error().message);
        out_ = value::own(std::move(*parsed));
        return true;
      }
      case builtin::keys:
      case builtin::values:
        return keys_or_values(a, n_.fn == builtin::keys);
      case builtin::join:
        return join(a, b);
      case builtin::split:
        return split(a, b);
      default:
        break;
    }
    return fail("internal: unknown function");
  }

 private:
  bool fail(std::string message) { return cx_.fail(std::move(message), n_.position); }
  bool bad(std::string_view wanted, const json& got) {
    return fail(n_.name + "() expects " + std::string(wanted) + ", got " +
                std::string(type_name(got)));
  }
  bool bad2(std::string_view wanted, const json& a, const json& b) {
    return fail(n_.name + "() expects " + std::string(wanted) + ", got " +
                std::string(type_name(a)) + " and " + std::string(type_name(b)));
  }
  bool give(json j) {
    out_ = value::own(std::move(j));
    return true;
  }
  bool give_string(std::string s) {
    if (s.size() > max_string_bytes) return fail(std::string(too_large_message));
    return give(std::move(s));
  }
  bool give_bool(bool b) {
    out_ = value::borrow(bool_json(b));
    return true;
  }

  // The fallback is evaluated only when needed, so it may refer to things that fail.
  bool default_() {
    if (!eval(*n_.children[0], cx_, out_)) return false;
    if (!out_.get().is_null()) return true;
    return eval(*n_.children[1], cx_, out_);
  }
  bool coalesce() {
    for (const auto& child : n_.children) {
      if (!eval(*child, cx_, out_)) return false;
      if (!out_.get().is_null()) return true;
    }
    return true;  // all null: out_ holds the last null
  }

  bool change_case(const json& a, bool up) {
    if (!a.is_string()) return bad("a string", a);
    std::string s = a.get<std::string>();
    for (char& c : s) {
      if (up && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!up && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return give(std::move(s));
  }

  bool contains(const json& a, const json& b) {
    if (a.is_string()) {
      if (!b.is_string()) return bad2("a string to search in a string", a, b);
      return give_bool(a.get_ref<const std::string&>().find(b.get_ref<const std::string&>()) !=
                       std::string::npos);
    }
    if (a.is_array()) {
      for (const auto& e : a)
        if (same_value(e, b)) return give_bool(true);
      return give_bool(false);
    }
    if (a.is_object()) {
      if (!b.is_string()) return bad2("a string key to look up in an object", a, b);
      return give_bool(a.contains(b.get_ref<const std::string&>()));
    }
    return fail("contains() expects a string, array or object to search in, got " +
                std::string(type_name(a)));
  }

  bool to_number(const json& a) {
    if (a.is_number()) return give(a);
    if (!a.is_string()) return bad("a string or number", a);
    json n;
    if (!parse_number(trim_view(a.get_ref<const std::string&>()), n))
      return fail("to_number() cannot convert this string to a number");
    return give(std::move(n));
  }

  bool keys_or_values(const json& a, bool keys) {
    if (!a.is_object()) return bad("an object", a);
    json out = json::array();
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (keys)
        out.push_back(it.key());
      else
        out.push_back(*it);
    }
    return give(std::move(out));
  }

  bool join(const json& a, const json& sep) {
    if (!a.is_array() || !sep.is_string()) return bad2("an array and a string", a, sep);
    const auto& s = sep.get_ref<const std::string&>();
    std::string out;
    bool first = true;
    for (const auto& e : a) {
      if (!first) out += s;
      first = false;
      out += interpolate(e);
      if (out.size() > max_string_bytes) return fail(std::string(too_large_message));
    }
    return give_string(std::move(out));
  }

  bool split(const json& a, const json& sep) {
    if (!a.is_string() || !sep.is_string()) return bad2("two strings", a, sep);
    std::string_view s = a.get_ref<const std::string&>();
    std::string_view d = sep.get_ref<const std::string&>();
    json out = json::array();
    if (d.empty()) {
      // Into characters (code points); an invalid byte stands alone.
      for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_sequence_length(s, i);
        if (n == 0) n = 1;
        out.push_back(std::string(s.substr(i, n)));
        i += n;
      }
      return give(std::move(out));
    }
    std::size_t start = 0;
    while (true) {
      std::size_t at = s.find(d, start);
      if (at == std::string_view::npos) break;
      out.push_back(std::string(s.substr(start, at - start)));
      start = at + d.size();
    }
    out.push_back(std::string(s.substr(start)));
    return give(std::move(out));
  }

  const expr_node& n_;
  eval_context& cx_;
  value& out_;
  std::array<value, 2> args_;
};

}  // namespace

const builtin_info* find_builtin(std::string_view name) {
  for (const auto& info : table)
    if (info.name == name) return &info;
  return nullptr;
}

bool call_builtin(const expr_node& n, eval_context& cx, value& out) {
  return call(n, cx, out).run();
}

}  // namespace af::runtime::expr_detail
