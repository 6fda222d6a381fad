// Hostile input: nesting bombs must fail with an error (not overflow the stack), arbitrary
// bytes must never crash the lexer, parser or evaluator, and large values stay linear.

#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "tests/unit/runtime/expression_fixture.hpp"

using af::errc;
using af::json;
using af::runtime::expression;
using af::runtime::expression_position;
using af::runtime::template_string;
using namespace af::runtime::test;

namespace {

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

void expect_too_deep(const std::string& text) {
  auto e = expression::parse(text);
  BOOST_TEST_REQUIRE(!e.has_value());
  BOOST_TEST(e.error().code == errc::expression_error);
  BOOST_TEST(e.error().message == "expression nested too deeply");
  BOOST_TEST(expression_position(e.error()) > 0u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(expression_robustness)

BOOST_AUTO_TEST_CASE(nesting_bombs_fail_with_an_error_instead_of_a_stack_overflow) {
  const std::size_t n = 10000;
  const std::vector<std::string> bombs = {
      repeat("(", n) + "1" + repeat(")", n),
      repeat("(", n),
      repeat("!", n) + "true",
      repeat("-", n) + "1",
      repeat("- ", n) + "1",
      repeat("[", n) + repeat("]", n),
      repeat("{a:", n) + "1" + repeat("}", n),
      repeat("len(", n) + "'x'" + repeat(")", n),
      repeat("true ? ", n) + "1" + repeat(" : 2", n),
      repeat("1 ? 2 : ", n) + "3",
      "input" + repeat(".a", n),
      "input" + repeat("[0]", n),
      "1" + repeat(" + 1", n),
      "1" + repeat(" * 1", n),
      "true" + repeat(" && true", n),
      "false" + repeat(" || false", n),
      "1" + repeat(" == 1", n),
      "input" + repeat("[input", n) + repeat("]", n),
  };
  for (const auto& bomb : bombs) {
    BOOST_TEST_CONTEXT("bomb starting: " << bomb.substr(0, 24)) {
      expect_too_deep(bomb);
    }
  }
}

BOOST_AUTO_TEST_CASE(nesting_up_to_the_limit_is_accepted) {
  test_scope sc;
  // The whole expression counts as one level: 63 parentheses fit in 64, 64 do not.
  auto ok = expression::parse(repeat("(", 63) + "1" + repeat(")", 63));
  BOOST_REQUIRE(ok.has_value());
  BOOST_TEST(ok->evaluate(sc.s)->get<int>() == 1);
  expect_too_deep(repeat("(", 64) + "1" + repeat(")", 64));

  auto nots = expression::parse(repeat("!", 62) + "true");
  BOOST_REQUIRE(nots.has_value());
  BOOST_TEST(nots->evaluate(sc.s)->get<bool>() == true);

  // A chain of 255 field reads is 256 nodes tall; one more is too tall.
  auto chain = expression::parse("input" + repeat(".a", 255));
  BOOST_REQUIRE(chain.has_value());
  BOOST_TEST(chain->evaluate(sc.s)->is_null());
  expect_too_deep("input" + repeat(".a", 256));

  auto sum = expression::parse("1" + repeat(" + 1", 200));
  BOOST_REQUIRE(sum.has_value());
  BOOST_TEST(sum->evaluate(sc.s)->get<int>() == 201);
}

BOOST_AUTO_TEST_CASE(parse_json_inside_an_expression_keeps_the_depth_limit) {
  test_scope sc;
  json in = {{"deep", repeat("[", 100) + repeat("]", 100)},
             {"ok", repeat("[", 64) + repeat("]", 64)}};
  af::runtime::scope s = sc.s;
  s.input = &in;
  auto deep = expression::parse("parse_json(input.deep)");
  BOOST_REQUIRE(deep.has_value());
  auto v = deep->evaluate(s);
  BOOST_REQUIRE(!v.has_value());
  BOOST_TEST(v.error().code == errc::expression_error);
  BOOST_TEST(v.error().message.find("parse_json()") == 0u);
  auto ok = expression::parse("parse_json(input.ok)");
  BOOST_REQUIRE(ok.has_value());
  BOOST_TEST(ok->evaluate(s).has_value());
}

BOOST_AUTO_TEST_CASE(random_bytes_never_crash_the_parser_or_the_evaluator) {
  test_scope sc;
  std::mt19937 rng(12345);
  const std::string alphabet = "abcinputstepslen()[]{}.,:?!+-*/%<>=&|'\"\\ 0123456789eE_#\t\n{{}}";
  std::size_t parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::size_t len = rng() % 40;
    std::string text;
    for (std::size_t i = 0; i < len; ++i) {
      if (rng() % 8 == 0)
        text.push_back(static_cast<char>(rng() % 256));
      else
        text.push_back(alphabet[rng() % alphabet.size()]);
    }
    auto e = expression::parse(text);
    if (e) {
      ++parsed;
      (void)e->evaluate(sc.s);
      (void)e->references();
    } else {
      BOOST_TEST_REQUIRE(expression_position(e.error()) >= 1u);
      BOOST_TEST_REQUIRE(expression_position(e.error()) <= text.size() + 1);
    }
    auto t = template_string::parse(text, 4096);
    if (t) (void)t->render(sc.s);
  }
  BOOST_TEST(parsed > 0u);  // the generator does produce valid expressions too
}

BOOST_AUTO_TEST_CASE(valid_fragments_combined_at_random_evaluate_without_crashing) {
  test_scope sc;
  std::mt19937 rng(777);
  const std::vector<std::string> atoms = {"input.n",
                                          "input.list",
                                          "input.obj",
                                          "input.email",
                                          "input.nul",
                                          "input.pi",
                                          "1",
                                          "0",
                                          "2.5",
                                          "'s'",
                                          "''",
                                          "null",
                                          "true",
                                          "[1, 'a']",
                                          "{a: 1}",
                                          "input.big",
                                          "input.min",
                                          "steps.score.output",
                                          "now()",
                                          "len(input.list)",
                                          "keys(input.obj)"};
  const std::vector<std::string> ops = {
      " + ", " - ", " * ", " / ", " % ", " == ", " != ", " < ", " <= ", " && ", " || "};
  std::size_t ok = 0;
  for (int round = 0; round < 5000; ++round) {
    std::string text = atoms[rng() % atoms.size()];
    std::size_t terms = 1 + rng() % 5;
    for (std::size_t i = 0; i < terms; ++i) {
      if (rng() % 5 == 0) text = "!(" + text + ")";
      if (rng() % 7 == 0) text = "-(" + text + ")";
      if (rng() % 9 == 0) text = "(" + text + ")[0]";
      text += ops[rng() % ops.size()] + atoms[rng() % atoms.size()];
    }
    auto e = expression::parse(text);
    BOOST_TEST_REQUIRE(e.has_value(), text);
    auto v = e->evaluate(sc.s);
    if (v) {
      ++ok;
    } else {
      BOOST_TEST_REQUIRE(v.error().code == errc::expression_error);
      BOOST_TEST_REQUIRE(expression_position(v.error()) >= 1u);
    }
  }
  BOOST_TEST(ok > 0u);
}

BOOST_AUTO_TEST_CASE(split_and_join_handle_large_strings) {
  test_scope sc;
  std::string big = repeat("ab,", 100000);
  json in = {{"big", big}};
  af::runtime::scope s = sc.s;
  s.input = &in;
  auto e = expression::parse("len(split(input.big, ','))");
  BOOST_REQUIRE(e.has_value());
  BOOST_TEST(e->evaluate(s)->get<int>() == 100001);
  auto chars = expression::parse("len(split(input.big, ''))");
  BOOST_REQUIRE(chars.has_value());
  BOOST_TEST(chars->evaluate(s)->get<int>() == 300000);
  auto round = expression::parse("join(split(input.big, ','), ',') == input.big");
  BOOST_REQUIRE(round.has_value());
  BOOST_TEST(round->evaluate(s)->get<bool>() == true);
}

BOOST_AUTO_TEST_CASE(long_templates_with_many_expressions_parse_in_linear_time) {
  test_scope sc;
  std::string text = repeat("é{{ input.n }}", 20000);
  auto t = template_string::parse(text, 4096);
  BOOST_REQUIRE(t.has_value());
  auto v = t->render(sc.s);
  BOOST_REQUIRE(v.has_value());
  BOOST_TEST(v->get<std::string>() == repeat("é5", 20000));
  auto bad = template_string::parse(text + "é{{ 1 +* 2 }}", 4096);
  BOOST_REQUIRE(!bad.has_value());
  // 20000 pieces of 14 code points, then "é{{ 1 +" puts '*' at 8 more.
  BOOST_TEST(expression_position(bad.error()) == 20000u * 14u + 8u);
}

BOOST_AUTO_TEST_CASE(strings_cannot_grow_past_the_cap_through_escaping_or_joining) {
  test_scope sc;
  json in = {{"big", std::string(3u << 20, 'x')}};
  af::runtime::scope s = sc.s;
  s.input = &in;
  const std::vector<std::pair<std::string, std::size_t>> rows = {
      // Escaping doubles the size per level; some inner call crosses the cap (position 0:
      // any column).
      {repeat("json(", 60) + "'\"'" + repeat(")", 60), 0},
      {repeat("to_string([", 30) + "'\"'" + repeat("])", 30), 0},
      {"'<' + " + repeat("json(", 40) + "'\\\\'" + repeat(")", 40), 0},
      {"'<' + input.big + input.big", 17},
      {"input.big + input.big", 11},
      {"join([input.big, input.big], '')", 1},
      {"to_string([input.big, input.big])", 1},
      {"json([input.big, input.big])", 1},
  };
  for (const auto& [text, position] : rows) {
    BOOST_TEST_CONTEXT("expression starting: " << text.substr(0, 40)) {
      auto e = expression::parse(text);
      BOOST_TEST_REQUIRE(e.has_value(), (e ? "" : e.error().message));
      auto v = e->evaluate(s);
      BOOST_TEST_REQUIRE(!v.has_value());
      if (position == 0) {
        BOOST_TEST(v.error().message == "result is too large (over 4 MiB)");
        BOOST_TEST(expression_position(v.error()) >= 1u);
      } else {
        check_error(v.error(), errc::expression_error, "result is too large", position);
      }
    }
  }
  auto fits = expression::parse("len(input.big + '!')");
  BOOST_REQUIRE(fits.has_value());
  BOOST_TEST(fits->evaluate(s)->get<std::size_t>() == (3u << 20) + 1);

  auto t = template_string::parse("é {{ input.big }} {{ input.big }}", 4096);
  BOOST_REQUIRE(t.has_value());
  auto r = t->render(s);
  BOOST_REQUIRE(!r.has_value());
  check_error(r.error(), errc::expression_error, "result is too large", 19);
}

BOOST_AUTO_TEST_SUITE_END()
