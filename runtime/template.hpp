#pragma once
// Templates: strings containing {{ expr }}. A string that is only one {{ expr }} (whitespace
// around it ignored) takes the expression's JSON type; any other string renders its pieces
// into a string (DESIGN §3, §9). Payload slots hold any JSON value, with every string inside
// objects and arrays treated as a template.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "runtime/expression.hpp"

namespace af::runtime {

class template_string {
 public:
  // Parses `text`. Errors: an unclosed "{{", a bad expression (position = 1-based column in
  // `text`), an expression longer than `max_expression_bytes` (errc::limit_exceeded).
  static result<template_string> parse(std::string_view text, std::size_t max_expression_bytes);

  // A typed value for a lone expression, else a string. Errors: expression_error.
  result<json> render(const scope& s) const;

  bool is_single_expression() const;
  bool has_expressions() const;
  std::vector<reference> references() const;

 private:
  struct piece {
    std::string literal;  // used when !expr
    std::optional<expression> expr;
  };
  std::vector<piece> pieces_;
  bool single_ = false;
};

// A JSON value whose strings are templates (payload slots: transform.with.value, http body,
// mock, the workflow output, ...). Strings without "{{" are kept as plain values.
class template_value {
 public:
  static result<template_value> parse(const json& value, std::size_t max_expression_bytes);
  result<json> render(const scope& s) const;
  std::vector<reference> references() const;

 private:
  json shape_;  // the value with templated strings left in place
  std::vector<std::pair<json::json_pointer, template_string>> slots_;
};

}  // namespace af::runtime
