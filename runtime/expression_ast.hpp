#pragma once
// Internal to the expression language (runtime/expression_*.cpp): tokens, the AST, the value
// the evaluator passes around, the built-in function table and the shared error helper.
// Nothing outside runtime/ includes this header.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/json.hpp"
#include "runtime/expression.hpp"

namespace af::runtime {
namespace expr_detail {

// Bounds that keep untrusted expressions from exhausting the stack: syntactic nesting
// (parentheses, brackets, braces, unary operators, ternary branches) and the height of the
// tree the parser builds (left-deep chains such as `a.b.c…` or `1 + 1 + …` grow it too).
inline constexpr std::size_t max_nesting_depth = 64;
inline constexpr std::size_t max_tree_height = 256;
// Strings an expression builds (+, json, to_string, join, template rendering). Without loops
// they grow only by escaping: json(json(json(...))) doubles per level, so without a cap 60
// levels would ask for 2^60 bytes.
inline constexpr std::size_t max_string_bytes = 4u << 20;
inline constexpr std::string_view too_large_message = "result is too large (over 4 MiB)";

enum class tok : std::uint8_t {
  end,
  number,
  string,
  name,
  dot,
  lbracket,
  rbracket,
  lparen,
  rparen,
  lbrace,
  rbrace,
  comma,
  colon,
  question,
  plus,
  minus,
  star,
  slash,
  percent,
  bang,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  and_and,
  or_or,
};

struct token {
  tok kind = tok::end;
  std::size_t position = 0;  // absolute 1-based column (column_offset included)
  std::string_view text;     // the source bytes of the token
  json value;                // numbers and decoded strings
};

enum class node_kind : std::uint8_t {
  literal,
  name,
  member,
  index,
  call,
  negate,
  logical_not,
  binary,
  logical_and,
  logical_or,
  conditional,
  array,
  object,
};

enum class binary_op : std::uint8_t { add, sub, mul, div, mod, eq, ne, lt, le, gt, ge };

enum class root_name : std::uint8_t {
  input,
  props,
  steps,
  item,
  index,
  event,
  run,
  secrets,
  unknown,
};

enum class builtin : std::uint8_t {
  len,
  upper,
  lower,
  trim,
  contains,
  starts_with,
  ends_with,
  default_,
  coalesce,
  to_number,
  to_string,
  json,
  parse_json,
  now,
  keys,
  values,
  join,
  split,
};

}  // namespace expr_detail

// The public header forward-declares this name; its vocabulary lives in expr_detail.
struct expr_node {
  expr_detail::node_kind kind = expr_detail::node_kind::literal;
  expr_detail::binary_op op = expr_detail::binary_op::add;        // binary
  expr_detail::root_name root = expr_detail::root_name::unknown;  // name
  expr_detail::builtin fn = expr_detail::builtin::len;            // call
  std::size_t position = 0;  // absolute 1-based column reported in errors
  std::size_t height = 1;
  json value;                     // literal
  std::string name;               // name, member field, function name
  std::vector<std::string> keys;  // object literal keys, parallel to children
  std::vector<std::unique_ptr<expr_node>> children;
};

namespace expr_detail {

using node_ptr = std::unique_ptr<expr_node>;

// A value during evaluation: either borrowed from the scope or the AST (member chains read
// without copying), or owned (results of operators and functions).
class value {
 public:
  static value borrow(const json& j) {
    value v;
    v.ptr_ = &j;
    return v;
  }
  static value own(json j) {
    value v;
    v.owned_ = std::move(j);
    return v;
  }
  const json& get() const { return ptr_ ? *ptr_ : owned_; }
  bool owned() const { return ptr_ == nullptr; }
  json& owned_json() { return owned_; }  // only when owned()
  json take() && { return ptr_ ? *ptr_ : std::move(owned_); }

 private:
  const json* ptr_ = nullptr;
  json owned_;
};

// Shared constants that borrowed values may point at.
const json& null_json();
const json& bool_json(bool b);

// An expression_error with details [{"position", "expression"}]; `text` is cut to a sane
// length so that messages built from huge expressions stay small.
error make_error(errc code, std::string message, std::size_t position, std::string_view text);

// Produces tokens on demand, so that the parser reports whichever error comes first in the
// text. After an error, next() keeps answering tok::end and `err` holds the error.
class lexer {
 public:
  lexer(std::string_view text, std::size_t column_offset) : text_(text), col_(column_offset + 1) {}
  token next();
  std::optional<error> err;

 private:
  void advance(std::size_t n);
  char peek(std::size_t ahead = 0) const {
    return i_ + ahead < text_.size() ? text_[i_ + ahead] : '\0';
  }
  bool fail(std::string message, std::size_t position);
  bool single(token& t, tok kind);
  bool pair(token& t, char second, tok both, tok one);
  bool scan(token& t);
  bool number(token& t);
  bool string(token& t);
  bool escape(std::string& out, std::size_t quote_position);
  bool hex4(std::uint32_t& cp, std::size_t position);

  std::string_view text_;
  std::size_t i_ = 0;
  std::size_t col_;  // absolute column of text_[i_]
};

// How a token is shown in "unexpected token" messages.
std::string describe(const token& t);

struct builtin_info {
  std::string_view name;
  builtin id;
  std::size_t min_args;
  std::size_t max_args;
};
const builtin_info* find_builtin(std::string_view name);

struct eval_context {
  const scope& s;
  std::string_view text;
  std::optional<error> err;

  bool fail(std::string message, std::size_t position) {
    err = make_error(errc::expression_error, std::move(message), position, text);
    return false;
  }
};

// Evaluates `n` into `out`; false with cx.err set on failure.
bool eval(const expr_node& n, eval_context& cx, value& out);
bool call_builtin(const expr_node& n, eval_context& cx, value& out);

// Numbers as the operators see them: int64 when the JSON integer fits, else double.
bool as_int(const json& j, std::int64_t& out);
double as_double(const json& j);

// Code points of a UTF-8 string (continuation bytes are not counted).
std::size_t count_code_points(std::string_view s);
// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

}  // namespace expr_detail
}  // namespace af::runtime
