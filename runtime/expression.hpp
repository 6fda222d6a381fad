#pragma once
// The expression language of DESIGN §3 and §9: parse once, evaluate many times.
//
// Grammar (JavaScript precedence): ?: < || < && < == != < < <= > >= < + - < * / % < unary ! -
// < postfix (.name, [expr], call). Literals: numbers, 'single' or "double" quoted strings,
// true false null, [arrays], {objects} with quoted or bare-identifier keys. Functions: len upper
// lower trim contains starts_with ends_with default coalesce to_number to_string json
// parse_json now keys values join split.
//
// Errors carry errc::expression_error, a message, and details
// [{"position": <1-based column>, "expression": <text>}]; see expression_position().
// Pure: no I/O, no clock but the `now` passed in the scope. Thread-safe once parsed.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/json.hpp"
#include "base/result.hpp"

namespace af::runtime {

struct expr_node;  // defined in expression.cpp

// A name the expression reads from its scope: `input.email` → {root "input"},
// `steps.score.output` or `steps['fetch-user']` → {root "steps", step "score"}.
struct reference {
  std::string root;
  std::optional<std::string> step;  // set when root == "steps" and the id is a literal
  std::size_t position = 0;         // 1-based column of the name in the expression
};

// What an expression can see. Null pointers are names that are not in scope here: reading
// one is an expression_error ("unknown name"). `steps` is an object {id: {output, status,
// error}}; a missing field reads as null.
struct scope {
  const json* input = nullptr;
  const json* props = nullptr;
  const json* steps = nullptr;
  const json* item = nullptr;
  const json* index = nullptr;
  const json* event = nullptr;
  const json* run = nullptr;
  const json* secrets = nullptr;
  millis now = 0;  // what now() answers
};

class expression {
 public:
  // Parses `text` (the part between {{ and }}). `column_offset` is added to every reported
  // position so that errors point into the enclosing template string.
  static result<expression> parse(std::string_view text, std::size_t column_offset = 0);

  result<json> evaluate(const scope& s) const;
  // Every name read from the scope, in source order.
  std::vector<reference> references() const;
  const std::string& text() const { return text_; }

 private:
  std::shared_ptr<const expr_node> root_;
  std::string text_;
  std::size_t column_offset_ = 0;
};

// 1-based column from an expression_error (0 when it carries none).
std::size_t expression_position(const error& err);

// JavaScript-like truthiness of DESIGN §9: false, null, 0, "", [], {} are falsy.
bool truthy(const json& value);

// How a value is rendered inside a string: strings as is, null as "", numbers in shortest
// round-trip form (integers without ".0"), objects and arrays as compact JSON.
std::string interpolate(const json& value);

}  // namespace af::runtime
