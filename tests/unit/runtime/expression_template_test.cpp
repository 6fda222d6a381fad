// Templates: typed lone expressions, rendered strings, the scanner's handling of quotes and
// braces, error positions in the template string, payload values, and references().

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#include "tests/unit/runtime/expression_fixture.hpp"

using af::errc;
using af::json;
using af::runtime::expression;
using af::runtime::expression_position;
using af::runtime::reference;
using af::runtime::template_string;
using af::runtime::template_value;
using namespace af::runtime::test;

namespace {

constexpr std::size_t max_bytes = 4096;

struct render_row {
  const char* text;
  const char* expected;  // JSON text
  bool single;
};

const std::vector<render_row> renders = {
    {"plain", R"("plain")", false},
    {"", R"("")", false},
    {"{{ input.n }}", "5", true},
    {"{{input.n}}", "5", true},
    {"  {{ input.n }}  ", "5", true},
    {"\n{{ input.obj }}\t", R"({"z":1,"a":2,"m":3})", true},
    {"{{ input.n }} ", "5", true},
    {"{{ input.nul }}", "null", true},
    {"{{ input.list }}", "[1,2,3]", true},
    {"{{ 6 / 2 }}", "3", true},
    {"{{ input.pi }}", "2.5", true},
    {"{{ input.t }}", "true", true},
    {"{{ 'text' }}", R"("text")", true},
    {"{{ steps['fetch-user'].output.id }}", "7", true},
    {"{{ steps.score.output }}", R"({"score":60})", true},
    {"n={{ input.n }}", R"("n=5")", false},
    {"{{ input.n }}{{ input.n }}", R"("55")", false},
    {"{{ input.n }} {{ input.n }}", R"("5 5")", false},
    {"a {{ input.nul }} b", R"("a  b")", false},
    {"x{{ input.obj }}", R"("x{\"z\":1,\"a\":2,\"m\":3}")", false},
    {"{{ input.list }}!", R"("[1,2,3]!")", false},
    {"{{ input.pi }}%", R"("2.5%")", false},
    {"v{{ 6 / 2 }}", R"("v3")", false},
    {"v{{ 7 / 2 }}", R"("v3.5")", false},
    {"v{{ 1.5 * 2 }}", R"("v3.0")", false},
    {"{{ input.t }} and {{ input.f }}", R"("true and false")", false},
    {"{{ '}}' }}", R"("}}")", true},
    {R"({{ "}}" + 'x' }})", R"("}}x")", true},
    {"{{ '{{' }}", R"("{{")", true},
    {R"({{ 'it\'s }}' }})", R"("it's }}")", true},
    {"{{ {a: {b: 1}} }}", R"({"a":{"b":1}})", true},
    {"{{ {a: 1}}}", R"({"a":1})", true},
    {"{{ [{a: 1}, {b: 2}] }}", R"([{"a":1},{"b":2}])", true},
    {"{{ input.n }}}", R"("5}")", false},
    {"}} {{ input.n }}", R"("}} 5")", false},
    {"{ {{ input.n }} }", R"("{ 5 }")", false},
    {"{ single brace }", R"("{ single brace }")", false},
    {"http://x/{{ input.email }}?q={{ props.threshold }}", R"("http://x/a@b.c?q=50")", false},
    {"héllo {{ input.n }}", R"("héllo 5")", false},
    {"{{ input.email }}", R"("a@b.c")", true},
    {"Hi {{ upper(trim(input.name)) }}!", R"("Hi ADA!")", false},
    {"{{ item.id }}/{{ index }}", R"("3/2")", false},
    {"{{ now() }}", R"("2023-11-14T22:13:20.123Z")", true},
    {"{{ input.n > 3 }}", "true", true},
};

struct error_row {
  const char* text;
  const char* fragment;
  std::size_t position;
  bool at_render;  // the template parses; rendering fails
};

const std::vector<error_row> errors = {
    {"{{ input.n", "unclosed '{{'", 1, false},
    {"abc {{ x", "unclosed '{{'", 5, false},
    {"é {{ 1", "unclosed '{{'", 3, false},
    {"{{ 1 }} {{", "unclosed '{{'", 9, false},
    {"{{ }}", "empty expression", 1, false},
    {"a{{}}", "empty expression", 2, false},
    {"{{ 1 + }}", "unexpected end of expression", 8, false},
    {"ab {{ foo( }}", "unknown function 'foo'", 7, false},
    {"x {{ 'abc }}", "unterminated string", 6, false},
    {"{{ 1 }} {{ 2 +* 3 }}", "unexpected token '*'", 15, false},
    {"日本{{ # }}", "unexpected character '#'", 6, false},
    {"{{ { }}", "expected an object key", 6, false},
    {"{{ a }}", "unknown name 'a'", 4, true},
    {"x {{ 1 / 0 }}", "division by zero", 8, true},
    {"é→ {{ input.n.x }}", "cannot read field 'x' of integer", 15, true},
    {"{{ 1 }} and {{ len(5) }}", "len() expects", 16, true},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(templates)

BOOST_AUTO_TEST_CASE(templates_render_typed_lone_expressions_and_strings_otherwise) {
  test_scope sc;
  for (const auto& r : renders) {
    BOOST_TEST_CONTEXT("template: " << r.text) {
      auto t = template_string::parse(r.text, max_bytes);
      BOOST_TEST_REQUIRE(t.has_value(), (t ? "" : t.error().message));
      BOOST_TEST(t->is_single_expression() == r.single);
      auto v = t->render(sc.s);
      BOOST_TEST_REQUIRE(v.has_value(), (v ? "" : v.error().message));
      BOOST_TEST(strict(*v) == strict(std::string(r.expected)));
    }
  }
}

BOOST_AUTO_TEST_CASE(template_errors_point_at_columns_of_the_template_string) {
  test_scope sc;
  for (const auto& r : errors) {
    BOOST_TEST_CONTEXT("template: " << r.text) {
      auto t = template_string::parse(r.text, max_bytes);
      if (r.at_render) {
        BOOST_TEST_REQUIRE(t.has_value(), (t ? "" : t.error().message));
        auto v = t->render(sc.s);
        BOOST_TEST_REQUIRE(!v.has_value());
        check_error(v.error(), errc::expression_error, r.fragment, r.position);
      } else {
        BOOST_TEST_REQUIRE(!t.has_value());
        check_error(t.error(), errc::expression_error, r.fragment, r.position);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(has_expressions_tells_plain_strings_from_templates) {
  auto plain = template_string::parse("no braces {here}", max_bytes);
  BOOST_REQUIRE(plain.has_value());
  BOOST_TEST(!plain->has_expressions());
  BOOST_TEST(!plain->is_single_expression());
  BOOST_TEST(plain->references().empty());
  auto mixed = template_string::parse("a {{ input.x }}", max_bytes);
  BOOST_REQUIRE(mixed.has_value());
  BOOST_TEST(mixed->has_expressions());
  BOOST_TEST(!mixed->is_single_expression());
}

BOOST_AUTO_TEST_CASE(expressions_longer_than_the_limit_are_rejected_with_limit_exceeded) {
  std::string expr = "'" + std::string(5000, 'a') + "'";
  auto t = template_string::parse("ab{{" + expr + "}}", max_bytes);
  BOOST_REQUIRE(!t.has_value());
  check_error(t.error(), errc::limit_exceeded, "longer than 4096 bytes", 3);

  auto at_limit = template_string::parse("{{" + std::string(4094, ' ') + "1 }}", max_bytes);
  BOOST_TEST(at_limit.has_value());
  auto over = template_string::parse("{{" + std::string(4095, ' ') + "1 }}", max_bytes);
  BOOST_REQUIRE(!over.has_value());
  BOOST_TEST(over.error().code == errc::limit_exceeded);
}

BOOST_AUTO_TEST_CASE(template_values_render_every_string_inside_objects_and_arrays) {
  test_scope sc;
  json shape = must_parse(R"({
    "a": "{{ input.n }}",
    "b": ["x{{ input.n }}", 1, "plain", {"c": "{{ input.list }}"}],
    "d": null, "e": {"f": "{{ input.nul }}"},
    "a/b": {"c~d": "{{ 'escaped pointer' }}"}})");
  auto t = template_value::parse(shape, max_bytes);
  BOOST_REQUIRE(t.has_value());
  auto v = t->render(sc.s);
  BOOST_REQUIRE(v.has_value());
  BOOST_TEST(af::dump(*v) == R"({"a":5,"b":["x5",1,"plain",{"c":[1,2,3]}],"d":null,"e":{"f":null},)"
                             R"("a/b":{"c~d":"escaped pointer"}})");
}

BOOST_AUTO_TEST_CASE(template_values_without_templates_render_as_they_are) {
  test_scope sc;
  for (const char* text : {R"({"a": "b", "n": [1, 2.5, null]})", R"("just text")", "42", "null",
                           R"(["{ not a template }"])"}) {
    BOOST_TEST_CONTEXT("value: " << text) {
      json shape = must_parse(text);
      auto t = template_value::parse(shape, max_bytes);
      BOOST_REQUIRE(t.has_value());
      BOOST_TEST(t->references().empty());
      auto v = t->render(sc.s);
      BOOST_REQUIRE(v.has_value());
      BOOST_TEST(af::dump(*v) == af::dump(shape));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_template_value_that_is_one_string_takes_the_expression_type) {
  test_scope sc;
  auto t = template_value::parse(json("{{ steps.score.output }}"), max_bytes);
  BOOST_REQUIRE(t.has_value());
  auto v = t->render(sc.s);
  BOOST_REQUIRE(v.has_value());
  BOOST_TEST(af::dump(*v) == R"({"score":60})");
}

BOOST_AUTO_TEST_CASE(template_value_errors_carry_the_json_pointer_of_the_string) {
  test_scope sc;
  auto bad = template_value::parse(must_parse(R"({"a": {"b": "x {{ 1 + }}"}})"), max_bytes);
  BOOST_REQUIRE(!bad.has_value());
  check_error(bad.error(), errc::expression_error, "unexpected end", 10);
  BOOST_TEST(bad.error().details[0]["path"].get<std::string>() == "/a/b");

  auto t = template_value::parse(must_parse(R"({"x": [1, "{{ foo }}"]})"), max_bytes);
  BOOST_REQUIRE(t.has_value());
  auto v = t->render(sc.s);
  BOOST_REQUIRE(!v.has_value());
  check_error(v.error(), errc::expression_error, "unknown name 'foo'", 4);
  BOOST_TEST(v.error().details[0]["path"].get<std::string>() == "/x/1");

  auto root = template_value::parse(json("{{ nope }}"), max_bytes);
  BOOST_REQUIRE(root.has_value());
  auto rv = root->render(sc.s);
  BOOST_REQUIRE(!rv.has_value());
  BOOST_TEST(rv.error().details[0]["path"].get<std::string>() == "");
}

BOOST_AUTO_TEST_CASE(template_values_reject_values_nested_beyond_the_guard) {
  json deep = "{{ 1 }}";
  for (int i = 0; i < 200; ++i) deep = json::array({deep});
  auto t = template_value::parse(deep, max_bytes);
  BOOST_REQUIRE(!t.has_value());
  BOOST_TEST(t.error().code == errc::limit_exceeded);
}

// ---------------------------------------------------------------- references

struct ref_row {
  const char* expr;
  std::vector<reference> expected;
};

bool same(const std::vector<reference>& a, const std::vector<reference>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].root != b[i].root || a[i].step != b[i].step || a[i].position != b[i].position)
      return false;
  return true;
}

std::string show(const std::vector<reference>& refs) {
  std::string out;
  for (const auto& r : refs)
    out += r.root + (r.step ? "(" + *r.step + ")" : "") + "@" + std::to_string(r.position) + " ";
  return out;
}

BOOST_AUTO_TEST_CASE(references_list_names_read_from_the_scope_in_source_order) {
  const std::vector<ref_row> rows = {
      {"input.email", {{"input", std::nullopt, 1}}},
      {"steps.score.output.score > props.threshold",
       {{"steps", "score", 1}, {"props", std::nullopt, 28}}},
      {"steps['fetch-user'].output", {{"steps", "fetch-user", 1}}},
      {R"(steps["x"])", {{"steps", "x", 1}}},
      {"steps[input.k]", {{"steps", std::nullopt, 1}, {"input", std::nullopt, 7}}},
      {"steps", {{"steps", std::nullopt, 1}}},
      {"foo + bar.baz", {{"foo", std::nullopt, 1}, {"bar", std::nullopt, 7}}},
      {"len(item) + index", {{"item", std::nullopt, 5}, {"index", std::nullopt, 13}}},
      {"{a: event.x, b: [run.id, secrets.K]}",
       {{"event", std::nullopt, 5}, {"run", std::nullopt, 18}, {"secrets", std::nullopt, 26}}},
      {"true ? null : x", {{"x", std::nullopt, 15}}},
      {"1 + 2", {}},
      {"{input: 1}.input", {}},
      {"now()", {}},
      {"default(steps.a.output, steps.b.output)", {{"steps", "a", 9}, {"steps", "b", 25}}},
      {"-steps.a.output.n", {{"steps", "a", 2}}},
  };
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT("expression: " << r.expr) {
      auto e = expression::parse(r.expr);
      BOOST_REQUIRE(e.has_value());
      auto got = e->references();
      BOOST_TEST(same(got, r.expected), "got " << show(got) << "want " << show(r.expected));
    }
  }
}

BOOST_AUTO_TEST_CASE(template_references_are_positioned_in_the_template_string) {
  auto t = template_string::parse("a {{ input.x }} {{ steps.y.output }}", max_bytes);
  BOOST_REQUIRE(t.has_value());
  std::vector<reference> want = {{"input", std::nullopt, 6}, {"steps", "y", 20}};
  BOOST_TEST(same(t->references(), want), "got " << show(t->references()));

  auto v = template_value::parse(
      must_parse(R"({"a": "{{ input.x }}", "b": ["{{ steps.s.output }} {{ item }}"]})"), max_bytes);
  BOOST_REQUIRE(v.has_value());
  std::vector<reference> want_v = {
      {"input", std::nullopt, 4}, {"steps", "s", 4}, {"item", std::nullopt, 25}};
  BOOST_TEST(same(v->references(), want_v), "got " << show(v->references()));
}

BOOST_AUTO_TEST_SUITE_END()
