// Table of expressions that fail: at parse time (syntax, unknown functions, arity) or at
// evaluation (names, types, division by zero), each with a message fragment and the
// 1-based column it must point at.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "tests/unit/runtime/expression_fixture.hpp"

using af::errc;
using af::json;
using af::runtime::expression;
using af::runtime::expression_position;
using namespace af::runtime::test;

namespace {

struct row {
  std::string expr;
  const char* fragment;
  std::size_t position;
};

const std::vector<row> syntax_errors = {
    {"", "unexpected end of expression", 1},
    {"   ", "unexpected end of expression", 4},
    {"1 +", "unexpected end of expression", 4},
    {"1 + + 2", "unexpected token '+'", 5},
    {"+1", "unexpected token '+'", 1},
    {"(1", "expected ')' but found end of expression", 3},
    {"1)", "unexpected token ')'", 2},
    {"()", "unexpected token ')'", 2},
    {".", "unexpected token '.'", 1},
    {"[", "unexpected end of expression", 2},
    {"[1, 2", "expected ']' but found end of expression", 6},
    {"[1, 2,]", "unexpected token ']'", 7},
    {"[1 2]", "expected ']' but found token '2'", 4},
    {"{", "expected an object key", 2},
    {"{a 1}", "expected ':' but found token '1'", 4},
    {"{a: 1, a: 2}", "duplicate key 'a'", 8},
    {"{a: 1, a# 2}", "duplicate key 'a'", 8},
    {"1 2 #", "unexpected token '2'", 3},
    {"1 # 2", "unexpected character '#'", 3},
    {R"({'a': 1, "a": 2})", "duplicate key 'a'", 10},
    {"{1: 2}", "expected an object key", 2},
    {"{a: 1,}", "expected an object key", 7},
    {"{a: 1", "expected '}' but found end of expression", 6},
    {"input.", "expected a field name after '.'", 7},
    {"input.1", "expected a field name after '.'", 7},
    {"input..a", "expected a field name after '.'", 7},
    {"input[1", "expected ']'", 8},
    {"input[]", "unexpected token ']'", 7},
    {"1 ? 2", "expected ':' but found end of expression", 6},
    {"1 ? 2 : ", "unexpected end of expression", 9},
    {"1 : 2", "unexpected token ':'", 3},
    {"1 2", "unexpected token '2'", 3},
    {"a b", "unexpected token 'b'", 3},
    {"'a' 'b'", "unexpected string", 5},
    {"a = 1", "unexpected '='; compare with '=='", 3},
    {"a === b", "there is no '==='", 3},
    {"a !== b", "there is no '!=='", 3},
    {"a & b", "use '&&'", 3},
    {"a | b", "use '||'", 3},
    {"!", "unexpected end of expression", 2},
    {"-", "unexpected end of expression", 2},
    {"'abc", "unterminated string", 1},
    {"\"abc", "unterminated string", 1},
    {"1 + 'abc\\", "unterminated string", 5},
    {R"('a\qb')", R"(unknown escape '\q')", 3},
    {R"('\u12')", "needs 4 hex digits", 2},
    {R"('\uZZZZ')", "needs 4 hex digits", 2},
    {R"('\uD800')", "lone surrogate", 2},
    {R"('\uDC00')", "lone surrogate", 2},
    {R"('\uD800\u0041')", "lone surrogate", 2},
    {"01", "numbers cannot start with 0", 1},
    {"1.2.3", "malformed number", 1},
    {"1e", "malformed number", 1},
    {"1e+", "malformed number", 1},
    {"12abc", "malformed number", 1},
    {"1e400", "number out of range", 1},
    {"#", "unexpected character '#'", 1},
    {"a @ b", "unexpected character '@'", 3},
    {"input.a ~ 1", "unexpected character '~'", 9},
    {"a; b", "unexpected character ';'", 2},
    {"`a`", "unexpected character '`'", 1},
    {std::string("\x01", 1), "unexpected byte 0x01", 1},
    {std::string("1 +\0", 4), "unexpected byte 0x00", 4},
    {"\xff", "unexpected byte 0xFF", 1},
    {"'\xff'", "invalid UTF-8 in string", 2},
    {"'\xc3'", "invalid UTF-8 in string", 2},
    {"'\xed\xa0\x80'", "invalid UTF-8 in string", 2},
    {"é", "unexpected character 'é'", 1},
    {"'é' + é", "unexpected character 'é'", 7},
    {"'日本' + #", "unexpected character '#'", 8},
    {"len('😀') + )", "unexpected token ')'", 12},
    {"true()", "only built-in functions can be called", 5},
    {"(1)(2)", "only built-in functions can be called", 4},
    {"input.email()", "only built-in functions can be called", 12},
    {"lenn(input.email)", "unknown function 'lenn'", 1},
    {"input.n + foo(1)", "unknown function 'foo'", 11},
    {"input(1)", "unknown function 'input'", 1},
    {"LEN('a')", "unknown function 'LEN'", 1},
    {"len()", "len() takes 1 argument, got 0", 1},
    {"len(1, 2)", "len() takes 1 argument, got 2", 1},
    {"1 + upper()", "upper() takes 1 argument, got 0", 5},
    {"now(1)", "now() takes 0 arguments, got 1", 1},
    {"coalesce()", "coalesce() takes at least 1 argument, got 0", 1},
    {"contains('a')", "contains() takes 2 arguments, got 1", 1},
    {"split('a')", "split() takes 2 arguments, got 1", 1},
    {"join([])", "join() takes 2 arguments, got 1", 1},
    {"default(1)", "default() takes 2 arguments, got 1", 1},
    {"default(1, 2, 3)", "default() takes 2 arguments, got 3", 1},
    {"keys({}, 1)", "keys() takes 1 argument, got 2", 1},
    {"len(1,)", "unexpected token ')'", 7},
    {"len(1", "expected ')' but found end of expression", 6},
};

const std::vector<row> evaluation_errors = {
    {"foo", "unknown name 'foo'", 1},
    {"1 + foo", "unknown name 'foo'", 5},
    {"input.a + bar.x", "unknown name 'bar'", 11},
    {"len", "unknown name 'len'", 1},
    {"Input.email", "unknown name 'Input'", 1},
    {"true && unknown_name", "unknown name 'unknown_name'", 9},
    {"1 / 0", "division by zero", 3},
    {"1 % 0", "division by zero", 3},
    {"1.5 / 0", "division by zero", 5},
    {"1 / 0.0", "division by zero", 3},
    {"5 % 0.0", "division by zero", 3},
    {"input.n / input.zero", "division by zero", 9},
    {"true && 1 / 0", "division by zero", 11},
    {"false || 1 / 0", "division by zero", 12},
    {"1 - 'a'", "operator '-' needs numbers, got integer and string", 3},
    {"'a' * 2", "operator '*' needs numbers, got string and integer", 5},
    {"null / 1", "operator '/' needs numbers, got null and integer", 6},
    {"true % 2", "operator '%' needs numbers, got boolean and integer", 6},
    {"[1] - [1]", "operator '-' needs numbers, got array and array", 5},
    {"1 + null", "cannot add integer and null", 3},
    {"1 + true", "cannot add integer and boolean", 3},
    {"[1] + {}", "cannot add array and object", 5},
    {"{} + {}", "cannot add object and object", 4},
    {"null + null", "cannot add null and null", 6},
    {"[1] + 1", "cannot add array and integer", 5},
    {"1.5 + [1]", "cannot add number and array", 5},
    {"1 < 'a'", "cannot compare integer with string", 3},
    {"'a' >= 1", "cannot compare string with integer", 5},
    {"null < 1", "cannot compare null with integer", 6},
    {"[1] < [2]", "cannot compare array with array", 5},
    {"true > false", "cannot compare boolean with boolean", 6},
    {"input.missing <= 1", "cannot compare null with integer", 15},
    {"-'a'", "operator '-' needs a number, got string", 1},
    {"-null", "operator '-' needs a number, got null", 1},
    {"1e308 * 10", "number out of range", 7},
    {"-1e308 - 1e308", "number out of range", 8},
    {"input.n.x", "cannot read field 'x' of integer", 9},
    {"input.email.length", "cannot read field 'length' of string", 13},
    {"input.t.x", "cannot read field 'x' of boolean", 9},
    {"input.list.x", "cannot read field 'x' of array", 12},
    {"input.pi.x", "cannot read field 'x' of number", 10},
    {"input.n[0]", "cannot index integer", 8},
    {"input.email[0]", "cannot index string", 12},
    {"true['a']", "cannot index boolean", 5},
    {"input.list['a']", "array index must be an integer, got string", 11},
    {"input.list[1.5]", "array index must be an integer, got number", 11},
    {"input.list[null]", "array index must be an integer, got null", 11},
    {"input.obj[1]", "object keys are strings, got integer", 10},
    {"input.obj[null]", "object keys are strings, got null", 10},
    {"len(5)", "len() expects a string, array or object, got integer", 1},
    {"len(null)", "len() expects a string, array or object, got null", 1},
    {"len(true)", "len() expects a string, array or object, got boolean", 1},
    {"upper(1)", "upper() expects a string, got integer", 1},
    {"lower(null)", "lower() expects a string, got null", 1},
    {"trim([])", "trim() expects a string, got array", 1},
    {"contains(5, 1)", "contains() expects a string, array or object to search in, got integer", 1},
    {"contains(null, 'a')", "contains() expects a string, array or object", 1},
    {"contains('abc', 1)", "contains() expects a string to search in a string", 1},
    {"contains({a: 1}, 1)", "contains() expects a string key", 1},
    {"starts_with(1, 'a')", "starts_with() expects two strings, got integer and string", 1},
    {"ends_with('a', null)", "ends_with() expects two strings, got string and null", 1},
    {"to_number('abc')", "to_number() cannot convert", 1},
    {"to_number('')", "to_number() cannot convert", 1},
    {"to_number('12abc')", "to_number() cannot convert", 1},
    {"to_number('1.')", "to_number() cannot convert", 1},
    {"to_number('+5')", "to_number() cannot convert", 1},
    {"to_number('0x10')", "to_number() cannot convert", 1},
    {"to_number('1e999')", "to_number() cannot convert", 1},
    {"to_number(true)", "to_number() expects a string or number, got boolean", 1},
    {"to_number(null)", "to_number() expects a string or number, got null", 1},
    {"to_number([1])", "to_number() expects a string or number, got array", 1},
    {"parse_json('{')", "parse_json() failed", 1},
    {R"(parse_json('{"a":1,"a":2}'))", "duplicate", 1},
    {"parse_json('')", "parse_json() failed", 1},
    {"parse_json(5)", "parse_json() expects a string, got integer", 1},
    {"keys([1])", "keys() expects an object, got array", 1},
    {"values('x')", "values() expects an object, got string", 1},
    {"keys(null)", "keys() expects an object, got null", 1},
    {"join('a', ',')", "join() expects an array and a string, got string and string", 1},
    {"join(['a'], 1)", "join() expects an array and a string, got array and integer", 1},
    {"split(1, ',')", "split() expects two strings, got integer and string", 1},
    {"split('a', null)", "split() expects two strings, got string and null", 1},
    {"1 + upper(2)", "upper() expects a string", 5},
    {"[1, 2, 1 / 0]", "division by zero", 10},
    {"{a: foo}", "unknown name 'foo'", 5},
    {"default(null, 1 / 0)", "division by zero", 17},
    {"coalesce(null, nope)", "unknown name 'nope'", 16},
    {"input.n > 3 ? bad : 1", "unknown name 'bad'", 15},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(expression_errors)

BOOST_AUTO_TEST_CASE(syntax_errors_fail_parsing_with_a_message_and_column) {
  for (const auto& r : syntax_errors) {
    BOOST_TEST_CONTEXT("expression: " << r.expr) {
      auto e = expression::parse(r.expr);
      BOOST_TEST_REQUIRE(!e.has_value());
      check_error(e.error(), errc::expression_error, r.fragment, r.position);
    }
  }
}

BOOST_AUTO_TEST_CASE(evaluation_errors_name_the_problem_and_its_column) {
  test_scope sc;
  for (const auto& r : evaluation_errors) {
    BOOST_TEST_CONTEXT("expression: " << r.expr) {
      auto e = expression::parse(r.expr);
      BOOST_TEST_REQUIRE(e.has_value(), (e ? "" : e.error().message));
      auto v = e->evaluate(sc.s);
      BOOST_TEST_REQUIRE(!v.has_value());
      check_error(v.error(), errc::expression_error, r.fragment, r.position);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_error_tables_are_large) {
  BOOST_TEST(syntax_errors.size() + evaluation_errors.size() >= 150u);
}

BOOST_AUTO_TEST_CASE(names_with_a_null_scope_pointer_are_unknown) {
  test_scope full;
  af::runtime::scope empty;
  for (const char* name : {"input", "props", "steps", "item", "index", "event", "run", "secrets"}) {
    BOOST_TEST_CONTEXT("name: " << name) {
      auto e = expression::parse(std::string("  ") + name);
      BOOST_REQUIRE(e.has_value());
      auto v = e->evaluate(empty);
      BOOST_REQUIRE(!v.has_value());
      check_error(v.error(), errc::expression_error, std::string("unknown name '") + name + "'", 3);
      BOOST_TEST(e->evaluate(full.s).has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(details_carry_the_position_and_the_trimmed_expression) {
  auto e = expression::parse("  1 +  ");
  BOOST_REQUIRE(!e.has_value());
  const auto& d = e.error().details;
  BOOST_REQUIRE(d.is_array());
  BOOST_REQUIRE(d.size() == 1u);
  BOOST_TEST(d[0]["position"].get<int>() == 8);
  BOOST_TEST(d[0]["expression"].get<std::string>() == "1 +");
}

BOOST_AUTO_TEST_CASE(column_offset_shifts_parse_and_evaluation_positions) {
  auto bad = expression::parse("  1 +", 10);
  BOOST_REQUIRE(!bad.has_value());
  BOOST_TEST(expression_position(bad.error()) == 16u);

  auto e = expression::parse(" x", 4);
  BOOST_REQUIRE(e.has_value());
  auto v = e->evaluate(af::runtime::scope{});
  BOOST_REQUIRE(!v.has_value());
  BOOST_TEST(expression_position(v.error()) == 6u);
}

BOOST_AUTO_TEST_CASE(expression_position_is_zero_for_errors_without_one) {
  BOOST_TEST(expression_position(af::error(errc::internal, "x")) == 0u);
  BOOST_TEST(expression_position(af::error(errc::internal, "x", json::array({1}))) == 0u);
  BOOST_TEST(expression_position(
                 af::error(errc::internal, "x", json::array({json{{"position", "3"}}}))) == 0u);
  BOOST_TEST(expression_position(
                 af::error(errc::internal, "x", json::array({json{{"position", 3}}}))) == 3u);
}

BOOST_AUTO_TEST_CASE(messages_do_not_echo_values_read_from_the_scope) {
  test_scope sc;
  for (const char* text : {"to_number(secrets.TOKEN)", "input[secrets.TOKEN] + 1",
                           "input.list[secrets.TOKEN]", "secrets.TOKEN < 1"}) {
    BOOST_TEST_CONTEXT("expression: " << text) {
      auto e = expression::parse(text);
      BOOST_REQUIRE(e.has_value());
      auto v = e->evaluate(sc.s);
      BOOST_REQUIRE(!v.has_value());
      BOOST_TEST(v.error().message.find("s3cr3t") == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(long_expressions_are_cut_short_in_error_details) {
  std::string text = "1 + " + std::string(5000, 'a') + " +";
  auto e = expression::parse(text);
  BOOST_REQUIRE(!e.has_value());
  BOOST_TEST(e.error().details[0]["expression"].get<std::string>().size() < 300u);
  BOOST_TEST(expression_position(e.error()) == text.size() + 1);
}

BOOST_AUTO_TEST_SUITE_END()
