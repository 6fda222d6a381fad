// Evaluation of the AST. Member chains read the scope through pointers (value::borrow) and
// copy only the final result; operators build owned values.

#include <cmath>
#include <cstdint>
#include <limits>

#include "base/result.hpp"
#include "runtime/expression_ast.hpp"

namespace af::runtime {
namespace expr_detail {
namespace {

const json* lookup(const scope& s, root_name root) {
  switch (root) {
    case root_name::input:
      return s.input;
    case root_name::props:
      return s.props;
    case root_name::steps:
      return s.steps;
    case root_name::item:
      return s.item;
    case root_name::index:
      return s.index;
    case root_name::event:
      return s.event;
    case root_name::run:
      return s.run;
    case root_name::secrets:
      return s.secrets;
    case root_name::unknown:
      return nullptr;
  }
  return nullptr;
}

std::string type_of(const json& j) {
  return std::string(type_name(j));
}

// A double result must still be JSON: no infinities, no NaN.
bool own_double(double d, const expr_node& n, eval_context& cx, value& out) {
  if (!std::isfinite(d)) return cx.fail("number out of range", n.position);
  out = value::own(d);
  return true;
}

std::string_view op_text(binary_op op) {
  switch (op) {
    case binary_op::add:
      return "+";
    case binary_op::sub:
      return "-";
    case binary_op::mul:
      return "*";
    case binary_op::div:
      return "/";
    case binary_op::mod:
      return "%";
    case binary_op::eq:
      return "==";
    case binary_op::ne:
      return "!=";
    case binary_op::lt:
      return "<";
    case binary_op::le:
      return "<=";
    case binary_op::gt:
      return ">";
    case binary_op::ge:
      return ">=";
  }
  return "?";
}

bool arithmetic(const expr_node& n, const json& a, const json& b, eval_context& cx, value& out) {
  if (!a.is_number() || !b.is_number()) {
    return cx.fail("operator '" + std::string(op_text(n.op)) + "' needs numbers, got " +
                       type_of(a) + " and " + type_of(b),
                   n.position);
  }
  std::int64_t x = 0, y = 0;
  if (as_int(a, x) && as_int(b, y)) {
    std::int64_t r = 0;
    switch (n.op) {
      case binary_op::add:
        if (!__builtin_add_overflow(x, y, &r)) return out = value::own(r), true;
        return own_double(static_cast<double>(x) + static_cast<double>(y), n, cx, out);
      case binary_op::sub:
        if (!__builtin_sub_overflow(x, y, &r)) return out = value::own(r), true;
        return own_double(static_cast<double>(x) - static_cast<double>(y), n, cx, out);
      case binary_op::mul:
        if (!__builtin_mul_overflow(x, y, &r)) return out = value::own(r), true;
        return own_double(static_cast<double>(x) * static_cast<double>(y), n, cx, out);
      case binary_op::div:
        if (y == 0) return cx.fail("division by zero", n.position);
        if (y == -1 && x == std::numeric_limits<std::int64_t>::min())
          return own_double(-static_cast<double>(x), n, cx, out);
        if (x % y == 0) return out = value::own(x / y), true;
        return own_double(static_cast<double>(x) / static_cast<double>(y), n, cx, out);
      case binary_op::mod:
        if (y == 0) return cx.fail("division by zero", n.position);
        if (y == -1) return out = value::own(std::int64_t{0}), true;  // INT64_MIN % -1 is UB
        return out = value::own(x % y), true;
      default:
        break;
    }
  }
  double p = as_double(a), q = as_double(b);
  switch (n.op) {
    case binary_op::add:
      return own_double(p + q, n, cx, out);
    case binary_op::sub:
      return own_double(p - q, n, cx, out);
    case binary_op::mul:
      return own_double(p * q, n, cx, out);
    case binary_op::div:
      if (q == 0) return cx.fail("division by zero", n.position);
      return own_double(p / q, n, cx, out);
    case binary_op::mod:
      if (q == 0) return cx.fail("division by zero", n.position);
      return own_double(std::fmod(p, q), n, cx, out);  // sign of the dividend, as in JavaScript
    default:
      break;
  }
  return cx.fail("internal: bad arithmetic operator", n.position);
}

bool add(const expr_node& n, const json& a, const json& b, eval_context& cx, value& out) {
  if (a.is_string() || b.is_string()) {
    std::string joined = interpolate(a);
    if (joined.size() <= max_string_bytes) joined += interpolate(b);
    if (joined.size() > max_string_bytes)
      return cx.fail(std::string(too_large_message), n.position);
    out = value::own(std::move(joined));
    return true;
  }
  if (a.is_array() && b.is_array()) {
    json joined = a;
    for (const auto& e : b) joined.push_back(e);
    out = value::own(std::move(joined));
    return true;
  }
  if (a.is_number() && b.is_number()) return arithmetic(n, a, b, cx, out);
  return cx.fail("cannot add " + type_of(a) + " and " + type_of(b), n.position);
}

bool compare(const expr_node& n, const json& a, const json& b, eval_context& cx, value& out) {
  int c = 0;
  if (a.is_number() && b.is_number()) {
    std::int64_t x = 0, y = 0;
    if (as_int(a, x) && as_int(b, y)) {
      c = x < y ? -1 : x > y ? 1 : 0;
    } else {
      double p = as_double(a), q = as_double(b);
      c = p < q ? -1 : p > q ? 1 : 0;
    }
  } else if (a.is_string() && b.is_string()) {
    // std::string compares bytes as unsigned char: UTF-8 byte order is code point order.
    int r = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    c = r < 0 ? -1 : r > 0 ? 1 : 0;
  } else {
    return cx.fail("cannot compare " + type_of(a) + " with " + type_of(b), n.position);
  }
  bool r = false;
  switch (n.op) {
    case binary_op::lt:
      r = c < 0;
      break;
    case binary_op::le:
      r = c <= 0;
      break;
    case binary_op::gt:
      r = c > 0;
      break;
    case binary_op::ge:
      r = c >= 0;
      break;
    default:
      break;
  }
  out = value::borrow(bool_json(r));
  return true;
}

bool eval_binary(const expr_node& n, eval_context& cx, value& out) {
  value a, b;
  if (!eval(*n.children[0], cx, a) || !eval(*n.children[1], cx, b)) return false;
  const json& x = a.get();
  const json& y = b.get();
  switch (n.op) {
    case binary_op::eq:
      out = value::borrow(bool_json(same_value(x, y)));
      return true;
    case binary_op::ne:
      out = value::borrow(bool_json(!same_value(x, y)));
      return true;
    case binary_op::lt:
    case binary_op::le:
    case binary_op::gt:
    case binary_op::ge:
      return compare(n, x, y, cx, out);
    case binary_op::add:
      return add(n, x, y, cx, out);
    default:
      return arithmetic(n, x, y, cx, out);
  }
}

// Reads field `key` of `base` into `out`: by pointer when borrowed, by move when owned.
void field(value& base, const std::string& key, value& out) {
  if (base.owned()) {
    json& obj = base.owned_json();
    auto it = obj.find(key);
    out = it == obj.end() ? value::borrow(null_json()) : value::own(std::move(*it));
    return;
  }
  const json& obj = base.get();
  auto it = obj.find(key);
  out = it == obj.end() ? value::borrow(null_json()) : value::borrow(*it);
}

bool eval_member(const expr_node& n, eval_context& cx, value& out) {
  value base;
  if (!eval(*n.children[0], cx, base)) return false;
  const json& b = base.get();
  if (b.is_null()) return out = value::borrow(null_json()), true;
  if (!b.is_object())
    return cx.fail("cannot read field '" + n.name.substr(0, 64) + "' of " + type_of(b), n.position);
  field(base, n.name, out);
  return true;
}

bool eval_index(const expr_node& n, eval_context& cx, value& out) {
  value base, key;
  if (!eval(*n.children[0], cx, base) || !eval(*n.children[1], cx, key)) return false;
  const json& b = base.get();
  const json& k = key.get();
  if (b.is_null()) return out = value::borrow(null_json()), true;
  if (b.is_object()) {
    if (!k.is_string())
      return cx.fail("object keys are strings, got " + type_of(k) + " in [ ]", n.position);
    field(base, k.get_ref<const std::string&>(), out);
    return true;
  }
  if (!b.is_array()) return cx.fail("cannot index " + type_of(b) + " with [ ]", n.position);
  std::int64_t i = 0;
  if (!as_int(k, i)) {
    // An integral double (e.g. from 1.0 or 3 / 1.5) is still a usable index.
    if (!k.is_number_float() || std::trunc(k.get<double>()) != k.get<double>())
      return cx.fail("array index must be an integer, got " + type_of(k), n.position);
    double d = k.get<double>();
    i = d < 0 || d >= 9.0e18 ? -1 : static_cast<std::int64_t>(d);
  }
  if (i < 0 || static_cast<std::uint64_t>(i) >= b.size())
    return out = value::borrow(null_json()), true;
  auto at = static_cast<std::size_t>(i);
  out = base.owned() ? value::own(std::move(base.owned_json()[at])) : value::borrow(b[at]);
  return true;
}

bool eval_negate(const expr_node& n, eval_context& cx, value& out) {
  value v;
  if (!eval(*n.children[0], cx, v)) return false;
  const json& j = v.get();
  if (!j.is_number()) return cx.fail("operator '-' needs a number, got " + type_of(j), n.position);
  std::int64_t i = 0;
  if (as_int(j, i) && i != std::numeric_limits<std::int64_t>::min())
    return out = value::own(-i), true;
  return own_double(-as_double(j), n, cx, out);
}

}  // namespace

bool eval(const expr_node& n, eval_context& cx, value& out) {
  switch (n.kind) {
    case node_kind::literal:
      out = value::borrow(n.value);
      return true;
    case node_kind::name: {
      const json* j = lookup(cx.s, n.root);
      if (!j) return cx.fail("unknown name '" + n.name.substr(0, 64) + "'", n.position);
      out = value::borrow(*j);
      return true;
    }
    case node_kind::member:
      return eval_member(n, cx, out);
    case node_kind::index:
      return eval_index(n, cx, out);
    case node_kind::call:
      return call_builtin(n, cx, out);
    case node_kind::negate:
      return eval_negate(n, cx, out);
    case node_kind::logical_not: {
      value v;
      if (!eval(*n.children[0], cx, v)) return false;
      out = value::borrow(bool_json(!truthy(v.get())));
      return true;
    }
    case node_kind::binary:
      return eval_binary(n, cx, out);
    case node_kind::logical_and:
    case node_kind::logical_or: {
      value v;
      if (!eval(*n.children[0], cx, v)) return false;
      bool left = truthy(v.get());
      bool is_and = n.kind == node_kind::logical_and;
      if (left != is_and) return out = value::borrow(bool_json(left)), true;  // short-circuit
      if (!eval(*n.children[1], cx, v)) return false;
      out = value::borrow(bool_json(truthy(v.get())));
      return true;
    }
    case node_kind::conditional: {
      value c;
      if (!eval(*n.children[0], cx, c)) return false;
      return eval(*n.children[truthy(c.get()) ? 1 : 2], cx, out);
    }
    case node_kind::array: {
      json arr = json::array();
      value v;
      for (const auto& child : n.children) {
        if (!eval(*child, cx, v)) return false;
        arr.push_back(std::move(v).take());
      }
      out = value::own(std::move(arr));
      return true;
    }
    case node_kind::object: {
      json obj = json::object();
      value v;
      for (std::size_t i = 0; i < n.children.size(); ++i) {
        if (!eval(*n.children[i], cx, v)) return false;
        obj.emplace(n.keys[i], std::move(v).take());
      }
      out = value::own(std::move(obj));
      return true;
    }
  }
  return cx.fail("internal: unknown node", n.position);
}

}  // namespace expr_detail

using namespace expr_detail;

result<json> expression::evaluate(const scope& s) const {
  if (!root_)
    return make_error(errc::expression_error, "empty expression", column_offset_ + 1, text_);
  eval_context cx{s, text_, std::nullopt};
  value out;
  if (!eval(*root_, cx, out)) return std::move(*cx.err);
  return std::move(out).take();
}

}  // namespace af::runtime
