// Templates and references: syntax with positions, names in scope, steps upstream, limits.
#include <boost/test/unit_test.hpp>

#include "lint_support.hpp"

using namespace lint_test;

namespace {

std::vector<problem> transform(std::string_view value_json, std::string_view extra = "") {
  std::string steps = R"([{"id": "a", "kind": "transform", "with": {"value": )";
  steps += value_json;
  steps += "}}]";
  return lint_json(with_steps(steps, extra));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lint_expression_syntax)

BOOST_AUTO_TEST_CASE(syntax_errors_carry_the_column_in_the_string) {
  auto ps = transform(R"("n = {{ input.a + }}")");
  expect_problems(ps, {"/steps/0/with/value expression_syntax"});
  // "n = {{ input.a + }}": the operand is missing where the expression ends, column 18.
  BOOST_TEST(ps[0].position.value_or(0) == 18u);
}

BOOST_AUTO_TEST_CASE(an_unclosed_template_is_reported_at_its_braces) {
  auto ps = transform(R"("ab {{ input.a")");
  expect_problems(ps, {"/steps/0/with/value expression_syntax"});
  BOOST_TEST(ps[0].position.value_or(0) == 4u);
}

BOOST_AUTO_TEST_CASE(templates_are_checked_in_every_slot) {
  auto ps = lint_text(R"({
    "trigger": {"type": "event", "topic": "a", "filter": "{{ event. }}"},
    "steps": [
      {"id": "a", "kind": "transform", "with": {"value": {"k": [1, "{{ ( }}"]}},
       "if": "{{ ) }}", "mock": {"m": "{{ 1 + }}"}},
      {"id": "b", "kind": "branch", "with": {"cases": [{"when": "{{ ! }}", "next": ["c"]}]}},
      {"id": "c", "kind": "wait_event", "with": {"topic": "x", "match": "{{ == }}"}},
      {"id": "d", "kind": "http", "with": {"url": "http://x/{{ [ }}", "headers": {"h": "{{ , }}"},
                                           "body": ["{{ . }}"]}}
    ],
    "output": {"o": "{{ * }}"}})");
  expect_problems(
      ps, {"/trigger/filter expression_syntax", "/steps/0/with/value/k/1 expression_syntax",
           "/steps/0/if expression_syntax", "/steps/0/mock/m expression_syntax",
           "/steps/1/with/cases/0/when expression_syntax", "/steps/2/with/match expression_syntax",
           "/steps/3/with/url expression_syntax", "/steps/3/with/headers/h expression_syntax",
           "/steps/3/with/body/0 expression_syntax", "/output/o expression_syntax"});
  for (const auto& p : ps) BOOST_TEST(p.position.has_value(), p.path);
}

BOOST_AUTO_TEST_CASE(pointers_escape_slash_and_tilde_in_keys) {
  auto ps = transform(R"({"a/b": {"c~d": "{{ ( }}"}})");
  expect_problems(ps, {"/steps/0/with/value/a~1b/c~0d expression_syntax"});
}

BOOST_AUTO_TEST_CASE(an_expression_over_the_byte_limit_is_limit_exceeded) {
  std::string expr = "{{ input.a + '";
  expr.append(5000, 'x');
  expr += "' }}";
  af::json def = with_steps(R"([{"id": "a", "kind": "transform", "with": {"value": null}}])");
  def["steps"][0]["with"]["value"] = expr;
  auto ps = lint_json(def);
  expect_problems(ps, {"/steps/0/with/value limit_exceeded"});
  BOOST_TEST(ps[0].position.value_or(0) == 1u);
  af::limits roomy;
  roomy.expression_bytes = 8192;
  expect_clean(lint_json(def, roomy));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lint_references)

BOOST_AUTO_TEST_CASE(unknown_names_get_a_position_and_a_suggestion) {
  auto ps = transform(R"("{{ inptu.email }}")");
  expect_problems(ps, {"/steps/0/with/value unknown_reference"});
  BOOST_TEST(ps[0].position.value_or(0) == 4u);
  BOOST_TEST(ps[0].message.find("did you mean 'input'") != std::string::npos);
  auto second = transform(R"("{{ input.a }} and {{ foo }}")");
  expect_problems(second, {"/steps/0/with/value unknown_reference"});
  BOOST_TEST(second[0].position.value_or(0) == 22u);
}

BOOST_AUTO_TEST_CASE(every_step_scope_name_is_allowed_in_steps_and_output) {
  expect_clean(transform(R"({"a": "{{ input.x }}", "b": "{{ props.y }}", "c": "{{ run.id }}",
                             "d": "{{ secrets.KEY }}"})",
                         R"("output": "{{ [input, props, run.id, secrets.K, steps.a.output] }}")"));
}

BOOST_AUTO_TEST_CASE(functions_literals_and_bracket_access_are_not_names) {
  expect_clean(lint_json(with_steps(
      R"([{"id": "fetch-user", "kind": "transform", "with": {"value": 1}},)"
      R"({"id": "b", "kind": "transform", "with": {"value": "{{ [now(), len(input.x), {a: 1}, )"
      R"(coalesce(null, props.x), steps['fetch-user'].output, steps[input.which]] }}"}}])")));
}

BOOST_AUTO_TEST_CASE(item_and_index_only_inside_a_foreach_step) {
  auto outside = transform(R"("{{ item }}")");
  expect_problems(outside, {"/steps/0/with/value unknown_reference"});
  BOOST_TEST(outside[0].message.find("only available inside the step of a foreach") !=
             std::string::npos);
  expect_problems(transform(R"("{{ index }}")"), {"/steps/0/with/value unknown_reference"});
  expect_problems(
      lint_json(with_steps(R"([{"id": "a", "kind": "fail"}])", R"("output": "{{ item }}")")),
      {"/output unknown_reference"});
  // The foreach's own items are evaluated outside the loop.
  expect_problems(lint_json(with_steps(R"([{"id": "f", "kind": "foreach",
      "with": {"items": "{{ item }}", "step": {"kind": "transform", "with": {"value": "{{ item }}"}}}}])")),
                  {"/steps/0/with/items unknown_reference"});
  expect_clean(lint_json(with_steps(R"([{"id": "f", "kind": "foreach",
      "with": {"items": "{{ input.list }}", "step": {"kind": "transform",
               "with": {"value": "{{ [item, index, input.x] }}"}, "if": "{{ index < 3 }}",
               "mock": "{{ item }}"}}}])")));
}

BOOST_AUTO_TEST_CASE(event_is_in_scope_only_where_an_event_exists) {
  expect_problems(transform(R"("{{ event.data }}")"), {"/steps/0/with/value unknown_reference"});
  expect_clean(
      transform(R"("{{ event.data }}")",
                R"("trigger": {"type": "event", "topic": "a.b"}, "output": "{{ event.id }}")"));
  expect_clean(lint_json(with_steps(R"([{"id": "w", "kind": "wait_event",
      "with": {"topic": "x", "match": "{{ event.data.id == input.id }}"}}])")));
  // ...but not in the other fields of a wait_event.
  expect_problems(lint_json(with_steps(R"([{"id": "w", "kind": "wait_event",
      "with": {"topic": "x.{{ event.id }}"}}])")),
                  {"/steps/0/with/topic unknown_reference"});
}

BOOST_AUTO_TEST_CASE(a_trigger_filter_reads_only_event_and_props) {
  auto ps = lint_json(with_steps(
      R"([{"id": "a", "kind": "fail"}])",
      R"("trigger": {"type": "event", "topic": "a", "filter": "{{ input.x && steps.a.output }}"})"));
  expect_problems(ps, {"/trigger/filter unknown_reference", "/trigger/filter unknown_reference"});
  BOOST_TEST(ps[0].position.value_or(0) == 4u);
}

BOOST_AUTO_TEST_CASE(steps_must_exist) {
  auto ps = lint_json(with_steps(R"([{"id": "lookup", "kind": "fail"},
      {"id": "b", "kind": "transform", "with": {"value": "{{ steps.lokup.output }}"}}])",
                                 R"("output": "{{ steps['nope'].output }}")"));
  expect_problems(ps, {"/steps/1/with/value unknown_reference", "/output unknown_reference"});
  BOOST_TEST(ps[0].message.find("did you mean 'lookup'") != std::string::npos);
  BOOST_TEST(ps[0].position.value_or(0) == 4u);
}

BOOST_AUTO_TEST_CASE(steps_must_be_upstream) {
  auto ps = lint_json(with_steps(R"([
    {"id": "a", "kind": "transform", "with": {"value": "{{ steps.b.output }}"}},
    {"id": "b", "kind": "transform", "with": {"value": "{{ steps.a.output }}"}},
    {"id": "c", "kind": "transform", "needs": [], "with": {"value": "{{ steps.a.output }}"}},
    {"id": "d", "kind": "transform", "with": {"value": "{{ steps.d.output }}"}},
    {"id": "e", "kind": "transform", "needs": ["b"], "if": "{{ steps.a.status == 'succeeded' }}",
     "with": {"value": "{{ steps['c'].output }}"}}])",
                                 R"("output": "{{ [steps.a.output, steps.e.output] }}")"));
  expect_problems(
      ps, {"/steps/0/with/value unknown_reference", "/steps/2/with/value unknown_reference",
           "/steps/3/with/value unknown_reference", "/steps/4/with/value unknown_reference"});
  BOOST_TEST(ps[0].message == "step 'b' is not upstream of 'a'; add it to needs");
  BOOST_TEST(ps[2].message.find("its own output") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(branch_targets_and_fallbacks_see_what_they_follow) {
  expect_clean(lint_json(with_steps(R"([
    {"id": "score", "kind": "transform", "with": {"value": 1}},
    {"id": "route", "kind": "branch", "with": {"cases": [
        {"when": "{{ steps.score.output > 0 }}", "next": ["big"]}], "default": ["small"]}},
    {"id": "big", "kind": "transform", "with": {"value": "{{ steps.score.output }}"},
     "on_error": "fallback:rescue"},
    {"id": "small", "kind": "transform", "with": {"value": "{{ steps.route.output }}"}},
    {"id": "rescue", "kind": "transform", "with": {"value": "{{ steps.big.error }}"}}])")));
  // A sibling branch target is not upstream.
  auto ps = lint_json(with_steps(R"([
    {"id": "route", "kind": "branch", "with": {"cases": [{"when": true, "next": ["x"]}],
                                               "default": ["y"]}},
    {"id": "x", "kind": "transform", "with": {"value": 1}},
    {"id": "y", "kind": "transform", "with": {"value": "{{ steps.x.output }}"}}])"));
  expect_problems(ps, {"/steps/2/with/value unknown_reference"});
}

BOOST_AUTO_TEST_CASE(upstream_checks_are_skipped_when_the_graph_is_broken) {
  auto ps = lint_json(with_steps(R"([
    {"id": "a", "kind": "transform", "needs": ["c"], "with": {"value": "{{ steps.b.output }}"}},
    {"id": "b", "kind": "transform", "needs": ["a"], "with": {"value": "{{ steps.zz.output }}"}},
    {"id": "c", "kind": "transform", "needs": ["b", "nope"], "with": {"value": 1}}])"));
  // The cycle and the unknown need are reported; "b is not upstream of a" is not; an unknown
  // step id still is.
  expect_problems(ps, {"/steps/1/needs/0 cycle", "/steps/1/with/value unknown_reference",
                       "/steps/2/needs/1 unknown_step"});
}

BOOST_AUTO_TEST_CASE(foreach_inline_steps_are_bounded_by_their_foreach) {
  auto ps = lint_json(with_steps(R"([
    {"id": "a", "kind": "transform", "with": {"value": 1}},
    {"id": "f", "kind": "foreach", "with": {"items": [1], "step": {"kind": "transform",
      "with": {"value": "{{ [steps.a.output, steps.f.output, steps.z.output] }}"}}}},
    {"id": "z", "kind": "transform", "with": {"value": 2}}])"));
  expect_problems(ps, {"/steps/1/with/step/with/value unknown_reference",
                       "/steps/1/with/step/with/value unknown_reference"});
}

BOOST_AUTO_TEST_SUITE_END()
