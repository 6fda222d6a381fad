// Table of expressions that evaluate, with the exact JSON they must give (integers and
// doubles told apart, object key order kept). Failures name the row.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "tests/unit/runtime/expression_fixture.hpp"

using af::json;
using af::runtime::expression;
using namespace af::runtime::test;

namespace {

struct row {
  const char* expr;
  const char* expected;  // JSON text
};

const std::vector<row> literals = {
    {"1", "1"},
    {"0", "0"},
    {"-1", "-1"},
    {"1.5", "1.5"},
    {"0.1", "0.1"},
    {"1e3", "1000.0"},
    {"2.5E-1", "0.25"},
    {"9223372036854775807", "9223372036854775807"},
    {"9223372036854775808", "9.223372036854776e+18"},
    {"'abc'", R"("abc")"},
    {R"("abc")", R"("abc")"},
    {"''", R"("")"},
    {R"('it\'s')", R"("it's")"},
    {R"("say \"hi\"")", R"("say \"hi\"")"},
    {R"('a\nb\tc\\')", R"("a\nb\tc\\")"},
    {R"('\r\b\f\/')", R"("\r\b\f/")"},
    {R"('\u00e9')", R"("é")"},
    {R"('\uD83D\uDE00')", R"("😀")"},
    {"'é→'", R"("é→")"},
    {R"('"')", R"("\"")"},
    {R"("'")", R"("'")"},
    {"true", "true"},
    {"false", "false"},
    {"null", "null"},
    {"[]", "[]"},
    {"[1, 'a', null]", R"([1,"a",null])"},
    {"[[1], {a: 1}]", R"([[1],{"a":1}])"},
    {"{}", "{}"},
    {R"({a: 1, 'b-c': 2, "d": 3})", R"({"a":1,"b-c":2,"d":3})"},
    {"{z: 1, a: 2}", R"({"z":1,"a":2})"},
    {"{null: 1, true: 2}", R"({"null":1,"true":2})"},
    {"{a: input.n, b: [input.t]}", R"({"a":5,"b":[true]})"},
    {"  1  ", "1"},
    {"\t\n1\r\n", "1"},
};

const std::vector<row> field_access = {
    {"input.email", R"("a@b.c")"},
    {"input.missing", "null"},
    {"input.missing.deeper.still", "null"},
    {"input.nul.x", "null"},
    {"input.nul[0]", "null"},
    {"null.x", "null"},
    {"null[0]", "null"},
    {"input['email']", R"("a@b.c")"},
    {R"(input["email"])", R"("a@b.c")"},
    {"input.list[0]", "1"},
    {"input.list[2]", "3"},
    {"input.list[3]", "null"},
    {"input.list[-1]", "null"},
    {"input.list[1.0]", "2"},
    {"input.list[index]", "3"},
    {"input.list[input.list[0]]", "2"},
    {"input.nested.a.b[1].c", R"("deep")"},
    {"input.nested['a']['b'][0]", "10"},
    {"(input.nested).a.b[0]", "10"},
    {"input.obj", R"({"z":1,"a":2,"m":3})"},
    {"input[input.k]", "null"},
    {"steps['fetch-user'].output.id", "7"},
    {R"(steps["fetch-user"].status)", R"("succeeded")"},
    {"steps.score.output.score", "60"},
    {"steps.score.output", R"({"score":60})"},
    {"steps.score.error", "null"},
    {"steps.missing.output", "null"},
    {"steps[input.k].output.score", "60"},
    {"item.id", "3"},
    {"index", "2"},
    {"event.data.score", "12"},
    {"run.mode", R"("live")"},
    {"secrets.TOKEN", R"("s3cr3t")"},
    {"props.threshold", "50"},
    {"[1, 2, 3][1]", "2"},
    {"[1, 2, 3][5]", "null"},
    {"{a: {b: 5}}.a.b", "5"},
    {"{a: 1}['a']", "1"},
    {"{a: 1}.b", "null"},
    {"[input.obj][0].m", "3"},
};

const std::vector<row> arithmetic = {
    {"1 + 2", "3"},
    {"1 + 2 * 3", "7"},
    {"(1 + 2) * 3", "9"},
    {"10 - 4 - 3", "3"},
    {"2 * 3 + 4 * 5", "26"},
    {"8 / 4 * 2", "4"},
    {"4 % 3 * 2", "2"},
    {"2 - 3 * 4 / 2 % 5", "1"},
    {"6 / 2", "3"},
    {"7 / 2", "3.5"},
    {"-7 / 2", "-3.5"},
    {"1 / 3", "0.3333333333333333"},
    {"100 / 10 / 2", "5"},
    {"7 % 3", "1"},
    {"-7 % 3", "-1"},
    {"7 % -3", "1"},
    {"6 % 3", "0"},
    {"5.5 % 2", "1.5"},
    {"-5.5 % 2", "-1.5"},
    {"2 * 2.5", "5.0"},
    {"1.5 + 1.5", "3.0"},
    {"0.1 + 0.2", "0.30000000000000004"},
    {"10 - 2.5", "7.5"},
    {"input.n * input.pi", "12.5"},
    {"input.n + props.threshold", "55"},
    {"9223372036854775807 + 1", "9.223372036854776e+18"},
    {"-9223372036854775807 - 2", "-9.223372036854776e+18"},
    {"input.big * 2", "1.8446744073709552e+19"},
    {"input.big - -1", "9.223372036854776e+18"},
    {"input.min / -1", "9.223372036854776e+18"},
    {"input.min % -1", "0"},
    {"input.min / 2", "-4611686018427387904"},
    {"-input.min", "9.223372036854776e+18"},
    {"-input.n", "-5"},
    {"-input.pi", "-2.5"},
    {"-(-3)", "3"},
    {"- -3", "3"},
    {"-(1 + 2)", "-3"},
    {"-2 * 3", "-6"},
    {"2 * -3", "-6"},
    {"1 - -1", "2"},
    {"0 * -1", "0"},
};

const std::vector<row> strings_and_arrays = {
    {"'a' + 'b'", R"("ab")"},
    {"'n=' + 5", R"("n=5")"},
    {"5 + 'x'", R"("5x")"},
    {"'x' + null", R"("x")"},
    {"null + 'x'", R"("x")"},
    {"'x' + true", R"("xtrue")"},
    {"'x' + 2.5", R"("x2.5")"},
    {"'v' + 1.0", R"("v1.0")"},
    {"'x' + [1, 2]", R"("x[1,2]")"},
    {"'x' + {a: 1}", R"("x{\"a\":1}")"},
    {"1 + 2 + 'a'", R"("3a")"},
    {"'a' + 1 + 2", R"("a12")"},
    {"'a' + (1 + 2)", R"("a3")"},
    {"input.email + '!'", R"("a@b.c!")"},
    {"[1] + [2, 3]", "[1,2,3]"},
    {"[] + []", "[]"},
    {"input.list + [4]", "[1,2,3,4]"},
};

const std::vector<row> comparisons = {
    {"1 == 1", "true"},
    {"1 == 1.0", "true"},
    {"1 == '1'", "false"},
    {"'a' == 'a'", "true"},
    {"null == null", "true"},
    {"null == false", "false"},
    {"0 == false", "false"},
    {"'' == null", "false"},
    {"[1, 2] == [1, 2]", "true"},
    {"[1, 2] == [2, 1]", "false"},
    {"{a: 1, b: 2} == {b: 2, a: 1}", "true"},
    {"{a: [1]} == {a: [1.0]}", "true"},
    {"{a: 1} == {a: 1, b: null}", "false"},
    {"input.obj == {m: 3, a: 2, z: 1}", "true"},
    {"input.missing == null", "true"},
    {"1 != 2", "true"},
    {"1 != '1'", "true"},
    {"1 != 1.0", "false"},
    {"1 < 2", "true"},
    {"2 <= 2", "true"},
    {"3 > 2.5", "true"},
    {"2.5 >= 3", "false"},
    {"-1 < 0", "true"},
    {"'a' < 'b'", "true"},
    {"'B' < 'a'", "true"},
    {"'abc' < 'abd'", "true"},
    {"'ab' < 'abc'", "true"},
    {"'é' > 'z'", "true"},
    {"'b' >= 'b'", "true"},
    {"input.big > 9223372036854775806", "true"},
    {"input.big == 9223372036854775807", "true"},
    {"steps.score.output.score > props.threshold", "true"},
    {"1 + 2 == 3", "true"},
    {"1 < 2 == true", "true"},
    {"2 > 1 != false", "true"},
};

const std::vector<row> logic = {
    {"true && false", "false"},
    {"true && 1", "true"},
    {"1 && 'x'", "true"},
    {"0 || ''", "false"},
    {"'' || 'a'", "true"},
    {"null || 0", "false"},
    {"!true", "false"},
    {"!0", "true"},
    {"!0.0", "true"},
    {"!''", "true"},
    {"![]", "true"},
    {"!{}", "true"},
    {"!'a'", "false"},
    {"![0]", "false"},
    {"!{a: null}", "false"},
    {"!!input.list", "true"},
    {"!input.missing", "true"},
    {"!input.empty_a", "true"},
    {"!input.empty_o", "true"},
    {"!input.empty_s", "true"},
    {"!!-1", "true"},
    {"!true && false", "false"},
    {"!(true && false)", "true"},
    {"true || false && false", "true"},
    {"(true || false) && false", "false"},
    {"false && true || true", "true"},
    {"1 == 1 && 2 == 2", "true"},
    {"false && unknown_name", "false"},
    {"true || unknown_name", "true"},
    {"false && (1 / 0)", "false"},
    {"input.t && input.n > 3", "true"},
    {"true ? 1 : 2", "1"},
    {"0 ? 1 : 2", "2"},
    {"input.n > 3 ? 'big' : 'small'", R"("big")"},
    {"false ? 1 : true ? 2 : 3", "2"},
    {"false ? 1 : false ? 2 : 3", "3"},
    {"true ? false ? 1 : 2 : 3", "2"},
    {"input.missing ? 1 : 2", "2"},
    {"1 + 1 == 2 ? 'y' : 'n'", R"("y")"},
    {"(true ? 1 : 2) + 10", "11"},
    {"true ? 1 : 2 + 10", "1"},
    {"true ? 1 : 1 / 0", "1"},
    {"false ? 1 / 0 : 2", "2"},
    {"true || false ? 'a' : 'b'", R"("a")"},
};

const std::vector<row> functions = {
    {"len('héllo')", "5"},
    {"len(input.unicode)", "7"},
    {"len([1, 2, 3])", "3"},
    {"len({a: 1})", "1"},
    {"len('')", "0"},
    {"len(input.empty_o)", "0"},
    {"upper('abc-é')", R"("ABC-é")"},
    {"lower('ABC É')", R"("abc É")"},
    {"upper('')", R"("")"},
    {"trim(input.name)", R"("Ada")"},
    {R"(trim(' \t\n x y \r\n'))", R"("x y")"},
    {"trim('')", R"("")"},
    {"contains('hello', 'ell')", "true"},
    {"contains('hello', 'xyz')", "false"},
    {"contains('hello', '')", "true"},
    {"contains([1, 2, 3], 2)", "true"},
    {"contains([1, 2, 3], 2.0)", "true"},
    {"contains([1, 2, 3], '2')", "false"},
    {"contains([[1], {a: 1}], {a: 1})", "true"},
    {"contains([], null)", "false"},
    {"contains({a: 1}, 'a')", "true"},
    {"contains({a: 1}, 'b')", "false"},
    {"starts_with('hello', 'he')", "true"},
    {"starts_with('hello', 'lo')", "false"},
    {"starts_with('x', '')", "true"},
    {"ends_with('hello', 'lo')", "true"},
    {"ends_with('lo', 'hello')", "false"},
    {"default(input.missing, 'd')", R"("d")"},
    {"default(input.zero, 5)", "0"},
    {"default(input.empty_s, 'd')", R"("")"},
    {"default(input.f, true)", "false"},
    {"default(null, null)", "null"},
    {"default(1, 1 / 0)", "1"},
    {"coalesce(null, input.missing, 3, 4)", "3"},
    {"coalesce(null)", "null"},
    {"coalesce(0, 1)", "0"},
    {"coalesce(input.nul, 'x')", R"("x")"},
    {"coalesce(1, unknown_name)", "1"},
    {"to_number('42')", "42"},
    {"to_number('-3.5')", "-3.5"},
    {"to_number(' 7 ')", "7"},
    {"to_number('1e2')", "100.0"},
    {"to_number('1.0')", "1.0"},
    {"to_number('0')", "0"},
    {"to_number('-0')", "0"},
    {"to_number('9223372036854775808')", "9.223372036854776e+18"},
    {"to_number(12)", "12"},
    {"to_number(2.5)", "2.5"},
    {"to_string(5)", R"("5")"},
    {"to_string(2.5)", R"("2.5")"},
    {"to_string(3.0)", R"("3.0")"},
    {"to_string(0.1)", R"("0.1")"},
    {"to_string(1e21)", R"("1e+21")"},
    {"to_string(null)", R"("")"},
    {"to_string(true)", R"("true")"},
    {"to_string([1, 'a'])", R"("[1,\"a\"]")"},
    {"to_string({a: null})", R"("{\"a\":null}")"},
    {"to_string('s')", R"("s")"},
    {"json('s')", R"("\"s\"")"},
    {"json(null)", R"("null")"},
    {"json({a: [1, 2]})", R"("{\"a\":[1,2]}")"},
    {"json(1.5)", R"("1.5")"},
    {R"(json('a"b'))", R"("\"a\\\"b\"")"},
    {"parse_json(input.json_text)", R"({"k":[1,2]})"},
    {R"(parse_json('[1, 2.5, "x"]'))", R"([1,2.5,"x"])"},
    {"parse_json('null')", "null"},
    {"parse_json(' 12 ')", "12"},
    {"parse_json(json(input.obj)) == input.obj", "true"},
    {"now()", R"("2023-11-14T22:13:20.123Z")"},
    {"keys(input.obj)", R"(["z","a","m"])"},
    {"keys({})", "[]"},
    {"values(input.obj)", "[1,2,3]"},
    {"values({a: [1]})", "[[1]]"},
    {"join(['a', 'b', 'c'], '-')", R"("a-b-c")"},
    {"join([1, null, true, 2.5, [1]], ',')", R"("1,,true,2.5,[1]")"},
    {"join([], ',')", R"("")"},
    {"join(['x'], ', ')", R"("x")"},
    {"split(input.words, ',')", R"(["a","b","","c"])"},
    {"split('abc', '')", R"(["a","b","c"])"},
    {"split('héllo', '')", R"(["h","é","l","l","o"])"},
    {"split('', ',')", R"([""])"},
    {"split('', '')", "[]"},
    {"split('a--b', '--')", R"(["a","b"])"},
    {"split('abc', 'x')", R"(["abc"])"},
    {"len(split(input.words, ','))", "4"},
    {"upper(join(keys(input.obj), ''))", R"("ZAM")"},
    {"contains(keys(input.obj), 'a')", "true"},
    {"join(split('a b c', ' '), '+')", R"("a+b+c")"},
    {"len(input.list) * 2", "6"},
};

void run_table(const std::vector<row>& rows) {
  test_scope sc;
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT("expression: " << r.expr) {
      auto e = expression::parse(r.expr);
      BOOST_TEST_REQUIRE(e.has_value(), (e ? "" : e.error().message));
      auto v = e->evaluate(sc.s);
      BOOST_TEST_REQUIRE(v.has_value(), (v ? "" : v.error().message));
      BOOST_TEST(strict(*v) == strict(std::string(r.expected)));
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(expression_values)

BOOST_AUTO_TEST_CASE(literals_evaluate_to_their_json_values) {
  run_table(literals);
}
BOOST_AUTO_TEST_CASE(member_and_index_access_reads_the_scope_and_gives_null_when_missing) {
  run_table(field_access);
}
BOOST_AUTO_TEST_CASE(arithmetic_keeps_integers_exact_and_overflows_to_double) {
  run_table(arithmetic);
}
BOOST_AUTO_TEST_CASE(plus_joins_strings_and_concatenates_arrays) {
  run_table(strings_and_arrays);
}
BOOST_AUTO_TEST_CASE(equality_is_deep_and_never_coerces_and_ordering_is_typed) {
  run_table(comparisons);
}
BOOST_AUTO_TEST_CASE(logic_returns_booleans_short_circuits_and_follows_js_precedence) {
  run_table(logic);
}
BOOST_AUTO_TEST_CASE(every_function_computes_its_documented_result) {
  run_table(functions);
}

BOOST_AUTO_TEST_CASE(the_tables_are_large) {
  std::size_t total = literals.size() + field_access.size() + arithmetic.size() +
                      strings_and_arrays.size() + comparisons.size() + logic.size() +
                      functions.size();
  BOOST_TEST(total >= 200u);
}

BOOST_AUTO_TEST_CASE(an_expression_evaluates_many_times_against_different_scopes) {
  auto e = expression::parse("input.n * 2");
  BOOST_REQUIRE(e.has_value());
  for (int i = 0; i < 100; ++i) {
    json in = {{"n", i}};
    af::runtime::scope s;
    s.input = &in;
    auto v = e->evaluate(s);
    BOOST_REQUIRE(v.has_value());
    BOOST_TEST(v->get<int>() == 2 * i);
  }
  auto copy = *e;  // copies share the parsed tree
  json in = {{"n", 21}};
  af::runtime::scope s;
  s.input = &in;
  BOOST_TEST(copy.evaluate(s)->get<int>() == 42);
  BOOST_TEST(copy.text() == "input.n * 2");
}

BOOST_AUTO_TEST_CASE(results_are_copies_that_outlive_the_scope) {
  auto e = expression::parse("input.nested.a");
  BOOST_REQUIRE(e.has_value());
  json out;
  {
    test_scope sc;
    auto v = e->evaluate(sc.s);
    BOOST_REQUIRE(v.has_value());
    out = *v;
  }
  BOOST_TEST(af::dump(out) == R"({"b":[10,{"c":"deep"}]})");
}

BOOST_AUTO_TEST_SUITE_END()
