// Whole definitions: the DESIGN §3 example and the benchmark workflows lint clean; limits; and a
// definition with many problems gets all of them at once, in document order.
#include <boost/test/unit_test.hpp>

#include "lint_support.hpp"

using namespace lint_test;

namespace {

// DESIGN.md §3, verbatim.
constexpr std::string_view design_example = R"({
  "id": "lead-enrichment",
  "name": "Lead enrichment",
  "description": "Score new leads, ask a human for the big ones",
  "trigger": {"type": "event", "topic": "lead.created",
              "filter": "{{ event.data.score >= 10 }}"},
  "mode_default": "live",
  "input_schema": {"type": "object", "required": ["email"],
                   "properties": {"email": {"type": "string"}}},
  "props": {"threshold": 50},
  "timeout": "10m",
  "retry": {"max_attempts": 3, "initial_interval": "1s",
            "backoff": 2.0, "max_interval": "1m"},
  "error_handling": "stop",
  "auto_pause": {"consecutive_failures": 5},
  "tags": ["sales"],
  "steps": [
    {"id": "lookup", "kind": "http",
     "with": {"method": "GET", "url": "http://crm.local/people?email={{ input.email }}"},
     "timeout": "5s"},
    {"id": "score", "kind": "transform",
     "with": {"value": {"score": "{{ steps.lookup.output.body.size * 2 }}"}}},
    {"id": "route", "kind": "branch",
     "with": {"cases": [{"when": "{{ steps.score.output.score > props.threshold }}",
                         "next": ["review"]}],
              "default": ["notify"]}},
    {"id": "review", "kind": "approval", "needs": ["route"],
     "with": {"prompt": "Big lead: {{ input.email }}", "timeout": "2d"}},
    {"id": "notify", "kind": "emit", "needs": ["route"],
     "with": {"topic": "lead.scored", "data": "{{ steps.score.output }}"}}
  ],
  "output": "{{ steps.score.output }}"
})";

// ../shared/bench/workflows/*.json, verbatim (CI has no ../shared).
constexpr std::string_view bench_workflows[] = {
    R"({"id": "peer-w1", "name": "peer W1: three steps", "trigger": {"type": "api"},
 "steps": [
  {"id": "a", "kind": "transform", "with": {"value": "{{ input.n * 2 }}"}},
  {"id": "b", "kind": "transform", "with": {"value": "{{ steps.a.output + 1 }}"}},
  {"id": "c", "kind": "transform", "with": {"value": {"result": "{{ steps.b.output }}"}}}
 ],
 "output": "{{ steps.c.output }}"})",
    R"({"id": "peer-w2", "name": "peer W2: durable 1 s timer", "trigger": {"type": "api"},
 "steps": [
  {"id": "sleep", "kind": "delay", "with": {"for": "1s"}},
  {"id": "out", "kind": "transform", "with": {"value": {"n": "{{ input.n }}"}}}
 ],
 "output": "{{ steps.out.output }}"})",
    R"({"id": "peer-w3", "name": "peer W3: fan-out of inline steps", "trigger": {"type": "api"},
 "steps": [
  {"id": "fan", "kind": "foreach", "with": {"items": "{{ input.items }}", "concurrency": 1000,
   "step": {"kind": "transform", "with": {"value": "{{ item * 2 }}"}}}}
 ],
 "output": "{{ steps.fan.output }}"})",
    R"({"id": "peer-w3c-child", "name": "peer W3c child", "trigger": {"type": "api"},
 "steps": [{"id": "w", "kind": "transform", "with": {"value": "{{ input * 2 }}"}}],
 "output": "{{ steps.w.output }}"})",
    R"({"id": "peer-w3c", "name": "peer W3c: fan-out of child workflows", "trigger": {"type": "api"},
 "steps": [
  {"id": "fan", "kind": "foreach", "with": {"items": "{{ input.items }}", "concurrency": 1000, "workflow": "peer-w3c-child"}}
 ],
 "output": "{{ steps.fan.output }}"})",
    R"({"id": "peer-w4", "name": "peer W4: three side effects, the middle one takes 2 s", "trigger": {"type": "api"},
 "retry": {"max_attempts": 10, "initial_interval": "200ms", "backoff": 2.0, "max_interval": "2s"},
 "steps": [
  {"id": "a", "kind": "http", "timeout": "10s", "with": {"method": "POST", "url": "http://127.0.0.1:17499/a?n={{ input.n }}"}},
  {"id": "b", "kind": "http", "timeout": "10s", "with": {"method": "POST", "url": "http://127.0.0.1:17499/b?n={{ input.n }}"}},
  {"id": "c", "kind": "http", "timeout": "10s", "with": {"method": "POST", "url": "http://127.0.0.1:17499/c?n={{ input.n }}"}}
 ],
 "output": {"result": "{{ input.n }}"}})",
};

af::json chain_of(std::size_t n) {
  af::json steps = af::json::array();
  for (std::size_t i = 0; i < n; ++i)
    steps.push_back({{"id", numbered("s", i)},
                     {"kind", "transform"},
                     {"with", {{"value", i == 0 ? "{{ input }}" : "{{ steps.s0.output }}"}}}});
  return af::json{{"steps", steps}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lint_examples)

BOOST_AUTO_TEST_CASE(the_design_example_lints_clean) {
  expect_clean(lint_text(design_example));
}

BOOST_AUTO_TEST_CASE(the_benchmark_workflows_lint_clean) {
  for (auto text : bench_workflows) expect_clean(lint_text(text));
}

BOOST_AUTO_TEST_CASE(the_step_limit_is_enforced_at_steps) {
  expect_clean(lint_json(chain_of(500)));
  auto ps = lint_json(chain_of(501));
  expect_problems(ps, {"/steps limit_exceeded"});
  BOOST_TEST(ps[0].message.find("501 steps") == 0u);
  af::limits small;
  small.steps = 3;
  expect_problems(lint_json(chain_of(4), small), {"/steps limit_exceeded"});
}

BOOST_AUTO_TEST_CASE(every_problem_is_reported_at_once_in_document_order) {
  auto ps = lint_text(R"({
    "nmae": "typo",
    "trigger": {"type": "schedule", "cron": "61 * * * *"},
    "steps": [
      {"id": "a", "kind": "transfrom", "with": {"value": 1}},
      {"id": "b", "kind": "delay", "needs": ["ghost"], "with": {"for": "soon"}},
      {"id": "c", "kind": "transform", "with": {"value": "{{ input.x + }}"}},
      {"id": "c", "kind": "transform", "with": {"value": "{{ steps.d.output }}"}},
      {"id": "e", "kind": "emit", "with": {"topic": "a.*"}}
    ],
    "output": "{{ itme }}"})");
  expect_problems(
      ps, {"/nmae unknown_field", "/trigger/cron invalid_cron", "/steps/0/kind unknown_kind",
           "/steps/1/needs/0 unknown_step", "/steps/1/with/for invalid_duration",
           "/steps/2/with/value expression_syntax", "/steps/3/id duplicate_id",
           "/steps/3/with/value unknown_reference", "/steps/4/with/topic invalid_topic",
           "/output unknown_reference"});
  for (const auto& p : ps) BOOST_TEST(!p.message.empty(), p.path);
  BOOST_TEST(ps[0].message.find("did you mean 'name'") != std::string::npos);
  BOOST_TEST(ps.back().message.find("did you mean 'item'") == std::string::npos);  // not in scope
}

BOOST_AUTO_TEST_CASE(problems_serialize_with_position_only_for_expressions) {
  auto ps = lint_text(R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": "{{ ) }}"}},
                                    {"id": "A", "kind": "fail"}]})");
  auto j = af::runtime::to_json(ps);
  BOOST_TEST_REQUIRE(j.size() == 2u);
  BOOST_TEST(j[0].contains("position"));
  BOOST_TEST(!j[1].contains("position"));
  BOOST_TEST(j[1]["path"] == "/steps/1/id");
}

BOOST_AUTO_TEST_CASE(hostile_input_does_not_crash_or_explode) {
  // A huge unknown key, a huge id, a huge topic and a cycle of many steps.
  af::json def = chain_of(400);
  def[std::string(100000, 'k')] = 1;
  def["steps"][0]["needs"] = af::json::array({"s399"});
  def["steps"][1]["id"] = std::string(100000, 'I');
  def["trigger"] = {{"type", "event"}, {"topic", std::string(100000, 'a')}};
  auto ps = lint_json(def);
  for (const auto& p : ps) BOOST_TEST(p.message.size() < 2000u, p.path);
  BOOST_TEST(find(ps, "/trigger/topic", "invalid_topic") != nullptr);
  BOOST_TEST(find(ps, "/steps/1/id", "invalid_id") != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
