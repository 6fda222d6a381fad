// Recursive-descent parser with JavaScript precedence:
//   conditional  := or ('?' conditional ':' conditional)?
//   or           := and ('||' and)*
//   and          := equality ('&&' equality)*
//   equality     := relational (('==' | '!=') relational)*
//   relational   := additive (('<' | '<=' | '>' | '>=') additive)*
//   additive     := multiplicative (('+' | '-') multiplicative)*
//   multiplicative := unary (('*' | '/' | '%') unary)*
//   unary        := ('!' | '-') unary | postfix
//   postfix      := primary ('.' name | '[' conditional ']')*
//   primary      := number | string | true | false | null | name | name '(' args ')'
//                 | '(' conditional ')' | '[' elements ']' | '{' members '}'
// Binary operators loop instead of recursing; nesting and tree height are bounded
// (expression_ast.hpp) so that hostile input fails with an error, not a stack overflow.

#include <cstdint>
#include <deque>
#include <limits>
#include <unordered_set>
#include <utility>

#include "base/result.hpp"
#include "runtime/expression_ast.hpp"

namespace af::runtime {
namespace expr_detail {
namespace {

root_name classify(std::string_view name) {
  if (name == "input") return root_name::input;
  if (name == "props") return root_name::props;
  if (name == "steps") return root_name::steps;
  if (name == "item") return root_name::item;
  if (name == "index") return root_name::index;
  if (name == "event") return root_name::event;
  if (name == "run") return root_name::run;
  if (name == "secrets") return root_name::secrets;
  return root_name::unknown;
}

class parser {
 public:
  parser(std::string_view text, std::size_t column_offset)
      : lexer_(text, column_offset), text_(text) {
    toks_.push_back(lexer_.next());
  }

  result<node_ptr> run() {
    node_ptr root = expression();
    if (root && cur().kind != tok::end) unexpected();
    // The lexer runs one token ahead, so both may have failed: report the earlier error.
    if (lexer_.err && err_ && expression_position(*err_) < expression_position(*lexer_.err))
      return std::move(*err_);
    if (lexer_.err) return std::move(*lexer_.err);
    if (err_) return std::move(*err_);
    return root;
  }

 private:
  // toks_ holds the current token at the back; a deque keeps references to earlier ones.
  const token& cur() const { return toks_.back(); }
  bool at(tok k) const { return cur().kind == k; }
  const token& take() {
    toks_.push_back(lexer_.next());
    return toks_[toks_.size() - 2];
  }

  node_ptr fail(std::string message, std::size_t position) {
    if (!err_) err_ = make_error(errc::expression_error, std::move(message), position, text_);
    return nullptr;
  }
  node_ptr unexpected() {
    if (at(tok::end)) return fail("unexpected end of expression", cur().position);
    return fail("unexpected " + describe(cur()), cur().position);
  }
  bool expect(tok k, std::string_view shown) {
    if (at(k)) {
      take();
      return true;
    }
    fail("expected '" + std::string(shown) + "' but found " + describe(cur()), cur().position);
    return false;
  }

  node_ptr make(node_kind kind, std::size_t position) {
    auto n = std::make_unique<expr_node>();
    n->kind = kind;
    n->position = position;
    return n;
  }
  // Adds a child and keeps the height bound; false when the tree grew too tall.
  bool adopt(expr_node& parent, node_ptr child) {
    if (child->height + 1 > parent.height) parent.height = child->height + 1;
    parent.children.push_back(std::move(child));
    if (parent.height > max_tree_height) {
      fail("expression nested too deeply", parent.position);
      return false;
    }
    return true;
  }
  node_ptr binary(node_kind kind, binary_op op, std::size_t position, node_ptr l, node_ptr r) {
    node_ptr n = make(kind, position);
    n->op = op;
    if (!adopt(*n, std::move(l)) || !adopt(*n, std::move(r))) return nullptr;
    return n;
  }

  // Every nested construct passes through here, so this is where depth is counted.
  node_ptr expression() {
    if (++depth_ > max_nesting_depth) return fail("expression nested too deeply", cur().position);
    node_ptr n = conditional();
    --depth_;
    return n;
  }

  node_ptr conditional() {
    node_ptr cond = logical_or();
    if (!cond || !at(tok::question)) return cond;
    node_ptr n = make(node_kind::conditional, take().position);
    node_ptr then = expression();
    if (!then || !expect(tok::colon, ":")) return nullptr;
    node_ptr otherwise = expression();
    if (!otherwise) return nullptr;
    if (!adopt(*n, std::move(cond)) || !adopt(*n, std::move(then)) ||
        !adopt(*n, std::move(otherwise)))
      return nullptr;
    return n;
  }

  node_ptr logical_or() {
    node_ptr left = logical_and();
    while (left && at(tok::or_or)) {
      std::size_t p = take().position;
      node_ptr right = logical_and();
      if (!right) return nullptr;
      left = binary(node_kind::logical_or, binary_op::add, p, std::move(left), std::move(right));
    }
    return left;
  }

  node_ptr logical_and() {
    node_ptr left = equality();
    while (left && at(tok::and_and)) {
      std::size_t p = take().position;
      node_ptr right = equality();
      if (!right) return nullptr;
      left = binary(node_kind::logical_and, binary_op::add, p, std::move(left), std::move(right));
    }
    return left;
  }

  // One level of left-associative binary operators.
  template <class Next>
  node_ptr level(Next next, std::initializer_list<std::pair<tok, binary_op>> ops) {
    node_ptr left = (this->*next)();
    while (left) {
      const std::pair<tok, binary_op>* found = nullptr;
      for (const auto& op : ops)
        if (at(op.first)) found = &op;
      if (!found) break;
      std::size_t p = take().position;
      node_ptr right = (this->*next)();
      if (!right) return nullptr;
      left = binary(node_kind::binary, found->second, p, std::move(left), std::move(right));
    }
    return left;
  }
  node_ptr equality() {
    return level(&parser::relational, {{tok::eq, binary_op::eq}, {tok::ne, binary_op::ne}});
  }
  node_ptr relational() {
    return level(&parser::additive, {{tok::lt, binary_op::lt},
                                     {tok::le, binary_op::le},
                                     {tok::gt, binary_op::gt},
                                     {tok::ge, binary_op::ge}});
  }
  node_ptr additive() {
    return level(&parser::multiplicative,
                 {{tok::plus, binary_op::add}, {tok::minus, binary_op::sub}});
  }
  node_ptr multiplicative() {
    return level(&parser::unary, {{tok::star, binary_op::mul},
                                  {tok::slash, binary_op::div},
                                  {tok::percent, binary_op::mod}});
  }

  node_ptr unary() {
    if (!at(tok::bang) && !at(tok::minus)) return postfix();
    const token& op = take();
    if (++depth_ > max_nesting_depth) return fail("expression nested too deeply", op.position);
    node_ptr operand = unary();
    --depth_;
    if (!operand) return nullptr;
    if (op.kind == tok::minus && operand->kind == node_kind::literal) {
      // Fold `-5` into a literal; INT64_MIN's negation is left to the evaluator.
      std::int64_t i = 0;
      if (as_int(operand->value, i) && i != std::numeric_limits<std::int64_t>::min()) {
        operand->value = -i;
        operand->position = op.position;
        return operand;
      }
      if (operand->value.is_number_float()) {
        operand->value = -operand->value.get<double>();
        operand->position = op.position;
        return operand;
      }
    }
    node_ptr n =
        make(op.kind == tok::bang ? node_kind::logical_not : node_kind::negate, op.position);
    if (!adopt(*n, std::move(operand))) return nullptr;
    return n;
  }

  node_ptr postfix() {
    node_ptr base = primary();
    while (base) {
      if (at(tok::dot)) {
        take();
        if (!at(tok::name))
          return fail("expected a field name after '.' but found " + describe(cur()),
                      cur().position);
        const token& field = take();
        node_ptr n = make(node_kind::member, field.position);
        n->name = field.value.get<std::string>();
        if (!adopt(*n, std::move(base))) return nullptr;
        base = std::move(n);
      } else if (at(tok::lbracket)) {
        node_ptr n = make(node_kind::index, take().position);
        node_ptr key = expression();
        if (!key || !expect(tok::rbracket, "]")) return nullptr;
        if (!adopt(*n, std::move(base)) || !adopt(*n, std::move(key))) return nullptr;
        base = std::move(n);
      } else if (at(tok::lparen)) {
        return fail("only built-in functions can be called", cur().position);
      } else {
        break;
      }
    }
    return base;
  }

  node_ptr primary() {
    const token& t = cur();
    switch (t.kind) {
      case tok::number:
      case tok::string: {
        node_ptr n = make(node_kind::literal, t.position);
        n->value = t.value;
        take();
        return n;
      }
      case tok::name:
        return name();
      case tok::lparen: {
        take();
        node_ptr inner = expression();
        if (!inner || !expect(tok::rparen, ")")) return nullptr;
        return inner;
      }
      case tok::lbracket:
        return array();
      case tok::lbrace:
        return object();
      default:
        return unexpected();
    }
  }

  node_ptr name() {
    const token& t = take();
    const std::string& word = t.value.get_ref<const std::string&>();
    if (word == "true" || word == "false" || word == "null") {
      node_ptr n = make(node_kind::literal, t.position);
      if (word != "null") n->value = word == "true";
      return n;
    }
    if (!at(tok::lparen)) {
      node_ptr n = make(node_kind::name, t.position);
      n->name = word;
      n->root = classify(word);
      return n;
    }
    const builtin_info* info = find_builtin(word);
    if (!info) return fail("unknown function '" + word.substr(0, 64) + "'", t.position);
    node_ptr n = make(node_kind::call, t.position);
    n->name = word;
    n->fn = info->id;
    take();  // (
    if (!list(*n, tok::rparen, ")")) return nullptr;
    std::size_t got = n->children.size();
    if (got < info->min_args || got > info->max_args) {
      std::string want = info->min_args == info->max_args
                             ? std::to_string(info->min_args)
                             : "at least " + std::to_string(info->min_args);
      return fail(word + "() takes " + want + " argument" + (info->min_args == 1 ? "" : "s") +
                      ", got " + std::to_string(got),
                  t.position);
    }
    return n;
  }

  // Comma-separated expressions up to `close` (already past the opening token).
  bool list(expr_node& parent, tok close, std::string_view shown) {
    if (at(close)) {
      take();
      return true;
    }
    while (true) {
      node_ptr item = expression();
      if (!item || !adopt(parent, std::move(item))) return false;
      if (at(tok::comma)) {
        take();
        continue;
      }
      return expect(close, shown);
    }
  }

  // Elements and members go through expression(), which counts the nesting.
  node_ptr array() {
    node_ptr n = make(node_kind::array, take().position);
    if (!list(*n, tok::rbracket, "]")) return nullptr;
    return n;
  }

  node_ptr object() {
    node_ptr n = make(node_kind::object, take().position);
    if (!members(*n)) return nullptr;
    return n;
  }

  bool members(expr_node& obj) {
    std::unordered_set<std::string> seen;  // wide literals must not go quadratic
    if (at(tok::rbrace)) {
      take();
      return true;
    }
    while (true) {
      if (!at(tok::name) && !at(tok::string)) {
        fail("expected an object key (a name or a quoted string) but found " + describe(cur()),
             cur().position);
        return false;
      }
      const token& key = take();
      std::string k = key.value.get<std::string>();
      if (!seen.insert(k).second) {
        fail("duplicate key '" + k.substr(0, 64) + "'", key.position);
        return false;
      }
      if (!expect(tok::colon, ":")) return false;
      node_ptr v = expression();
      if (!v || !adopt(obj, std::move(v))) return false;
      obj.keys.push_back(std::move(k));
      if (at(tok::comma)) {
        take();
        continue;
      }
      return expect(tok::rbrace, "}");
    }
  }

  lexer lexer_;
  std::deque<token> toks_;
  std::string_view text_;
  std::size_t depth_ = 0;
  std::optional<error> err_;
};

bool is_steps(const expr_node& n) {
  return n.kind == node_kind::name && n.root == root_name::steps;
}

void collect(const expr_node& n, std::vector<reference>& out) {
  if ((n.kind == node_kind::member || n.kind == node_kind::index) && is_steps(*n.children[0])) {
    const expr_node& base = *n.children[0];
    if (n.kind == node_kind::member) {
      out.push_back({base.name, n.name, base.position});
      return;
    }
    const expr_node& key = *n.children[1];
    if (key.kind == node_kind::literal && key.value.is_string()) {
      out.push_back({base.name, key.value.get<std::string>(), base.position});
      return;
    }
    out.push_back({base.name, std::nullopt, base.position});
    collect(key, out);
    return;
  }
  if (n.kind == node_kind::name) {
    out.push_back({n.name, std::nullopt, n.position});
    return;
  }
  for (const auto& child : n.children) collect(*child, out);
}

}  // namespace
}  // namespace expr_detail

using namespace expr_detail;

result<expression> expression::parse(std::string_view text, std::size_t column_offset) {
  auto root = parser(text, column_offset).run();
  if (!root) return std::move(root).error();
  expression e;
  e.root_ = std::shared_ptr<const expr_node>(std::move(*root));
  e.text_ = std::string(text);
  e.column_offset_ = column_offset;
  return e;
}

std::vector<reference> expression::references() const {
  std::vector<reference> out;
  if (root_) collect(*root_, out);
  return out;
}

}  // namespace af::runtime
