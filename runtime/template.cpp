#include "runtime/template.hpp"

#include <utility>

#include "runtime/expression_ast.hpp"
#include "runtime/problem.hpp"

namespace af::runtime {
namespace {

using expr_detail::make_error;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool blank(std::string_view s) {
  for (char c : s)
    if (!is_space(c)) return false;
  return true;
}

// Column counter that only moves forward, so a template is scanned in linear time.
class columns {
 public:
  explicit columns(std::string_view text) : text_(text) {}
  // 1-based column of the byte at `offset`.
  std::size_t at(std::size_t offset) {
    for (; byte_ < offset && byte_ < text_.size(); ++byte_)
      if ((static_cast<unsigned char>(text_[byte_]) & 0xC0) != 0x80) ++col_;
    return col_;
  }

 private:
  std::string_view text_;
  std::size_t byte_ = 0;
  std::size_t col_ = 1;
};

// Where the expression that starts at `from` ends: the offset of its closing "}}", or npos.
// Quotes are skipped (a "}}" inside a string literal does not end the expression) and braces
// of object literals are balanced, so "{{ {a: {b: 1}} }}" ends at the last "}}".
std::size_t find_close(std::string_view text, std::size_t from) {
  std::size_t depth = 0;
  for (std::size_t i = from; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"' || c == '\'') {
      for (++i; i < text.size() && text[i] != c; ++i)
        if (text[i] == '\\') ++i;
      if (i >= text.size()) return std::string_view::npos;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (depth == 0 && i + 1 < text.size() && text[i + 1] == '}') return i;
      if (depth > 0) --depth;
    }
  }
  return std::string_view::npos;
}

error with_path(error err, const std::string& path) {
  if (err.details.is_array() && !err.details.empty() && err.details.front().is_object())
    err.details.front()["path"] = path;
  else
    err.details = json::array({json{{"path", path}}});
  return err;
}

}  // namespace

result<template_string> template_string::parse(std::string_view text,
                                               std::size_t max_expression_bytes) {
  template_string t;
  columns col(text);
  std::string literal;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      literal.append(text.substr(i));
      break;
    }
    literal.append(text.substr(i, open - i));
    const std::size_t start = open + 2;
    const std::size_t open_col = col.at(open);
    std::size_t close = find_close(text, start);
    if (close == std::string_view::npos) {
      // An unterminated string literal hides the "}}": parse up to the first "}}" so that
      // the error names the string rather than the braces.
      std::size_t naive = text.find("}}", start);
      if (naive != std::string_view::npos && naive - start <= max_expression_bytes) {
        auto e = expression::parse(text.substr(start, naive - start), col.at(start) - 1);
        if (!e) return std::move(e).error();
      }
      return make_error(errc::expression_error, "unclosed '{{'", open_col, text.substr(start));
    }
    std::string_view expr_text = text.substr(start, close - start);
    if (expr_text.size() > max_expression_bytes) {
      return make_error(
          errc::limit_exceeded,
          "expression is longer than " + std::to_string(max_expression_bytes) + " bytes", open_col,
          expr_text);
    }
    if (blank(expr_text))
      return make_error(errc::expression_error, "empty expression", open_col, expr_text);
    auto e = expression::parse(expr_text, col.at(start) - 1);
    if (!e) return std::move(e).error();
    if (!literal.empty()) t.pieces_.push_back({std::move(literal), std::nullopt});
    literal.clear();
    t.pieces_.push_back({std::string(), std::move(*e)});
    i = close + 2;
  }
  if (!literal.empty()) t.pieces_.push_back({std::move(literal), std::nullopt});

  std::size_t exprs = 0;
  bool only_blank = true;
  for (const auto& p : t.pieces_) {
    if (p.expr)
      ++exprs;
    else if (!blank(p.literal))
      only_blank = false;
  }
  t.single_ = exprs == 1 && only_blank;
  if (t.single_) {
    // The whitespace around a lone expression is not part of the value.
    std::erase_if(t.pieces_, [](const piece& p) { return !p.expr; });
  }
  return t;
}

result<json> template_string::render(const scope& s) const {
  if (single_) return pieces_.front().expr->evaluate(s);
  if (pieces_.size() == 1 && !pieces_.front().expr) return json(pieces_.front().literal);
  std::string out;
  for (std::size_t k = 0; k < pieces_.size(); ++k) {
    const piece& p = pieces_[k];
    if (!p.expr) {
      out += p.literal;
      continue;
    }
    auto v = p.expr->evaluate(s);
    if (!v) return std::move(v).error();
    out += interpolate(*v);
    if (out.size() > expr_detail::max_string_bytes) {
      // Rare path: recover the column of this piece's "{{" from the pieces before it.
      std::size_t column = 1;
      for (std::size_t j = 0; j < k; ++j)
        column += pieces_[j].expr ? 4 + expr_detail::count_code_points(pieces_[j].expr->text())
                                  : expr_detail::count_code_points(pieces_[j].literal);
      return make_error(errc::expression_error, std::string(expr_detail::too_large_message), column,
                        p.expr->text());
    }
  }
  return json(std::move(out));
}

bool template_string::is_single_expression() const {
  return single_;
}

bool template_string::has_expressions() const {
  for (const auto& p : pieces_)
    if (p.expr) return true;
  return false;
}

std::vector<reference> template_string::references() const {
  std::vector<reference> out;
  for (const auto& p : pieces_) {
    if (!p.expr) continue;
    auto refs = p.expr->references();
    out.insert(out.end(), std::make_move_iterator(refs.begin()),
               std::make_move_iterator(refs.end()));
  }
  return out;
}

namespace {

// Values from outside are at most 64 deep; this guards values built in code.
constexpr std::size_t max_value_depth = 128;

struct slot_finder {
  std::size_t max_expression_bytes;
  std::vector<std::pair<json::json_pointer, template_string>>& slots;

  result<void> walk(const json& v, const std::string& path, std::size_t depth) {
    if (depth > max_value_depth)
      return error(errc::limit_exceeded, "value nested too deeply for templates",
                   json::array({json{{"path", path}}}));
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      if (s.find("{{") == std::string::npos) return ok();
      auto t = template_string::parse(s, max_expression_bytes);
      if (!t) return with_path(std::move(t).error(), path);
      slots.emplace_back(json::json_pointer(path), std::move(*t));
      return ok();
    }
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        auto r = walk(*it, pointer_append(path, it.key()), depth + 1);
        if (!r) return r;
      }
    } else if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        auto r = walk(v[i], pointer_append(path, i), depth + 1);
        if (!r) return r;
      }
    }
    return ok();
  }
};

}  // namespace

result<template_value> template_value::parse(const json& value, std::size_t max_expression_bytes) {
  template_value t;
  slot_finder finder{max_expression_bytes, t.slots_};
  auto r = finder.walk(value, "", 1);
  if (!r) return std::move(r).error();
  t.shape_ = value;
  return t;
}

result<json> template_value::render(const scope& s) const {
  // A lone template at the root (the common `"output": "{{ steps.x.output }}"`): no copy.
  if (slots_.size() == 1 && slots_.front().first.empty()) {
    auto v = slots_.front().second.render(s);
    if (!v) return with_path(std::move(v).error(), "");
    return v;
  }
  json out = shape_;
  for (const auto& [ptr, tmpl] : slots_) {
    auto v = tmpl.render(s);
    if (!v) return with_path(std::move(v).error(), ptr.to_string());
    out[ptr] = std::move(*v);
  }
  return out;
}

std::vector<reference> template_value::references() const {
  std::vector<reference> out;
  for (const auto& [ptr, tmpl] : slots_) {
    auto refs = tmpl.references();
    out.insert(out.end(), std::make_move_iterator(refs.begin()),
               std::make_move_iterator(refs.end()));
  }
  return out;
}

}  // namespace af::runtime
