// Per-step fields and each kind's `with`.
#include <boost/test/unit_test.hpp>

#include "lint_support.hpp"

using namespace lint_test;

namespace {

// Lints a definition whose only step is `step` (a JSON object text).
std::vector<problem> lint_step(std::string_view step) {
  std::string steps = "[";
  steps += step;
  steps += "]";
  return lint_json(with_steps(steps));
}

// Lints one step of `kind` with `with` (a JSON object text).
std::vector<problem> lint_with(std::string_view kind, std::string_view with) {
  std::string step = R"({"id": "s", "kind": ")";
  step += kind;
  step += R"(", "with": )";
  step += with;
  step += "}";
  return lint_step(step);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lint_step_fields)

BOOST_AUTO_TEST_CASE(a_step_must_be_an_object) {
  expect_problems(lint_json(with_steps(R"([{"id": "a", "kind": "fail"}, "b"])")),
                  {"/steps/1 type"});
}

BOOST_AUTO_TEST_CASE(unknown_step_fields) {
  auto ps = lint_step(R"({"id": "a", "kind": "fail", "retires": {}, "need": []})");
  expect_problems(ps, {"/steps/0/retires unknown_field", "/steps/0/need unknown_field"});
  BOOST_TEST(ps[0].message.find("did you mean 'retry'") != std::string::npos);
  BOOST_TEST(ps[1].message.find("did you mean 'needs'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(id_and_kind_are_required) {
  expect_problems(lint_step(R"({"kind": "fail"})"), {"/steps/0/id required"});
  expect_problems(lint_step(R"({"id": "a"})"), {"/steps/0/kind required"});
}

BOOST_AUTO_TEST_CASE(bad_step_ids) {
  expect_problems(lint_step(R"({"id": "Fetch User", "kind": "fail"})"), {"/steps/0/id invalid_id"});
  expect_problems(lint_step(R"({"id": "", "kind": "fail"})"), {"/steps/0/id invalid_id"});
  af::json def = with_steps(R"([{"id": "x", "kind": "fail"}])");
  def["steps"][0]["id"] = std::string(65, 'a');
  expect_problems(lint_json(def), {"/steps/0/id invalid_id"});
  expect_problems(lint_step(R"({"id": 1, "kind": "fail"})"), {"/steps/0/id type"});
}

BOOST_AUTO_TEST_CASE(duplicate_ids_are_reported_at_the_second) {
  auto ps = lint_json(with_steps(R"([{"id": "a", "kind": "fail"}, {"id": "b", "kind": "fail"},
                                     {"id": "a", "kind": "fail"}])"));
  expect_problems(ps, {"/steps/2/id duplicate_id"});
}

BOOST_AUTO_TEST_CASE(unknown_kinds) {
  auto ps = lint_step(R"({"id": "a", "kind": "transfrom", "with": {"value": 1}})");
  expect_problems(ps, {"/steps/0/kind unknown_kind"});
  BOOST_TEST(ps[0].message.find("did you mean 'transform'") != std::string::npos);
  expect_problems(lint_step(R"({"id": "a", "kind": "sleep"})"), {"/steps/0/kind unknown_kind"});
  expect_problems(lint_step(R"({"id": "a", "kind": ["fail"]})"), {"/steps/0/kind type"});
}

BOOST_AUTO_TEST_CASE(needs_is_an_array_of_strings) {
  expect_problems(lint_json(with_steps(R"([{"id": "a", "kind": "fail"},
                                           {"id": "b", "kind": "fail", "needs": "a"}])")),
                  {"/steps/1/needs type"});
  expect_problems(lint_json(with_steps(R"([{"id": "a", "kind": "fail"},
                                           {"id": "b", "kind": "fail", "needs": ["a", 2]}])")),
                  {"/steps/1/needs/1 type"});
}

BOOST_AUTO_TEST_CASE(timeout_on_error_cost_and_if) {
  expect_problems(lint_step(R"({"id": "a", "kind": "fail", "timeout": "5 s"})"),
                  {"/steps/0/timeout invalid_duration"});
  expect_problems(lint_step(R"({"id": "a", "kind": "fail", "on_error": "ignore"})"),
                  {"/steps/0/on_error invalid_value"});
  expect_problems(lint_step(R"({"id": "a", "kind": "fail", "on_error": "fallback:"})"),
                  {"/steps/0/on_error invalid_value"});
  expect_problems(lint_step(R"({"id": "a", "kind": "fail", "on_error": true})"),
                  {"/steps/0/on_error type"});
  expect_problems(lint_step(R"({"id": "a", "kind": "fail", "cost": -1})"),
                  {"/steps/0/cost invalid_value"});
  expect_problems(lint_step(R"({"id": "a", "kind": "fail", "cost": "1"})"), {"/steps/0/cost type"});
  expect_problems(lint_step(R"({"id": "a", "kind": "fail", "if": "true"})"),
                  {"/steps/0/if invalid_value"});
  expect_problems(lint_step(R"({"id": "a", "kind": "fail", "if": 1})"), {"/steps/0/if type"});
  expect_clean(lint_step(R"({"id": "a", "kind": "fail", "timeout": "5s", "on_error": "continue",
                             "cost": 0.5, "if": "  {{ input.go }}  ", "mock": {"x": [1, "{{ run.id }}"]},
                             "retry": {"max_attempts": 1}})"));
  expect_clean(lint_step(R"({"id": "a", "kind": "fail", "if": false, "on_error": "stop"})"));
}

BOOST_AUTO_TEST_CASE(with_must_be_an_object_and_is_required_when_the_kind_needs_settings) {
  expect_problems(lint_step(R"({"id": "a", "kind": "http"})"), {"/steps/0/with required"});
  expect_problems(lint_step(R"({"id": "a", "kind": "transform", "with": 1})"),
                  {"/steps/0/with type"});
  expect_clean(lint_step(R"({"id": "a", "kind": "fail"})"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lint_kinds)

BOOST_AUTO_TEST_CASE(every_kind_reports_unknown_with_fields) {
  const std::pair<const char*, const char*> cases[] = {
      {"transform", R"({"value": 1, "x": 1})"},
      {"branch", R"({"cases": [{"when": true, "next": ["s"]}], "x": 1})"},
      {"http", R"({"url": "http://a", "x": 1})"},
      {"delay", R"({"for": "1s", "x": 1})"},
      {"wait_event", R"({"topic": "a", "x": 1})"},
      {"approval", R"({"prompt": "p", "x": 1})"},
      {"emit", R"({"topic": "a", "x": 1})"},
      {"workflow", R"({"workflow": "child", "x": 1})"},
      {"foreach", R"({"items": [], "workflow": "child", "x": 1})"},
      {"task", R"({"queue": "q", "x": 1})"},
      {"fail", R"({"x": 1})"}};
  for (const auto& [kind, with] : cases) {
    BOOST_TEST_CONTEXT("kind " << kind) {
      auto ps = lint_with(kind, with);
      // branch naming itself would also be a cycle: name another step there.
      if (std::string_view(kind) == "branch") {
        BOOST_TEST(find(ps, "/steps/0/with/x", "unknown_field") != nullptr);
        continue;
      }
      expect_problems(ps, {"/steps/0/with/x unknown_field"});
    }
  }
}

BOOST_AUTO_TEST_CASE(missing_required_with_fields) {
  expect_problems(lint_with("transform", "{}"), {"/steps/0/with/value required"});
  expect_problems(lint_with("branch", "{}"), {"/steps/0/with/cases required"});
  expect_problems(lint_with("http", R"({"method": "GET"})"), {"/steps/0/with/url required"});
  expect_problems(lint_with("delay", "{}"), {"/steps/0/with required"});
  expect_problems(lint_with("wait_event", "{}"), {"/steps/0/with/topic required"});
  expect_problems(lint_with("approval", "{}"), {"/steps/0/with/prompt required"});
  expect_problems(lint_with("emit", "{}"), {"/steps/0/with/topic required"});
  expect_problems(lint_with("workflow", "{}"), {"/steps/0/with/workflow required"});
  expect_problems(lint_with("foreach", R"({"workflow": "c"})"), {"/steps/0/with/items required"});
  expect_problems(lint_with("foreach", R"({"items": []})"), {"/steps/0/with required"});
  expect_problems(lint_with("task", "{}"), {"/steps/0/with/queue required"});
  expect_clean(lint_with("fail", "{}"));
}

BOOST_AUTO_TEST_CASE(exactly_one_of_two_fields) {
  expect_problems(lint_with("delay", R"({"for": "1s", "until": "2026-01-01T00:00:00Z"})"),
                  {"/steps/0/with/until invalid_value"});
  expect_problems(lint_with("foreach", R"({"items": [], "workflow": "c",
                                            "step": {"kind": "fail"}})"),
                  {"/steps/0/with/workflow invalid_value"});
}

BOOST_AUTO_TEST_CASE(transform_takes_any_value) {
  expect_clean(lint_with("transform", R"({"value": null})"));
  expect_clean(lint_with("transform", R"({"value": [1, {"a": "{{ input.x }}"}, "}} {"]})"));
}

BOOST_AUTO_TEST_CASE(branch_cases) {
  const char* targets = R"(, {"id": "t", "kind": "fail"}, {"id": "u", "kind": "fail"}])";
  auto lint_branch = [&](std::string_view with) {
    std::string steps = R"([{"id": "b", "kind": "branch", "with": )";
    steps += with;
    steps += "}";
    steps += targets;
    return lint_json(with_steps(steps));
  };
  expect_clean(lint_branch(R"({"cases": [{"when": "{{ input.x > 1 }}", "next": ["t"]}],
                              "default": ["u"]})"));
  expect_clean(lint_branch(R"({"cases": [{"when": true, "next": ["t", "u"]}], "default": []})"));
  expect_problems(lint_branch(R"({"cases": []})"), {"/steps/0/with/cases invalid_value"});
  expect_problems(lint_branch(R"({"cases": {}})"), {"/steps/0/with/cases type"});
  expect_problems(lint_branch(R"({"cases": [1]})"), {"/steps/0/with/cases/0 type"});
  expect_problems(lint_branch(R"({"cases": [{"next": ["t"]}]})"),
                  {"/steps/0/with/cases/0/when required"});
  expect_problems(lint_branch(R"({"cases": [{"when": true}]})"),
                  {"/steps/0/with/cases/0/next required"});
  expect_problems(lint_branch(R"({"cases": [{"when": true, "next": []}]})"),
                  {"/steps/0/with/cases/0/next invalid_value"});
  expect_problems(lint_branch(R"({"cases": [{"when": true, "next": [3]}]})"),
                  {"/steps/0/with/cases/0/next/0 type"});
  expect_problems(lint_branch(R"({"cases": [{"when": "x > 1", "next": ["t"]}]})"),
                  {"/steps/0/with/cases/0/when invalid_value"});
  expect_problems(lint_branch(R"({"cases": [{"when": true, "next": ["t"], "then": 1}]})"),
                  {"/steps/0/with/cases/0/then unknown_field"});
  expect_problems(lint_branch(R"({"cases": [{"when": true, "next": ["t"]}], "default": "u"})"),
                  {"/steps/0/with/default type"});
}

BOOST_AUTO_TEST_CASE(http_settings) {
  expect_clean(lint_with("http", R"({"method": "POST", "url": "https://x.test/{{ input.id }}",
      "headers": {"X-Token": "{{ secrets.TOKEN }}"}, "query": {"a": "1", "n": 2, "b": true},
      "body": {"n": "{{ input.n }}"}, "expect": [200, "2xx", 404], "timeout": "3s"})"));
  expect_clean(lint_with("http", R"({"url": "{{ props.base }}/people"})"));
  expect_problems(lint_with("http", R"({"url": "http://a", "method": "get"})"),
                  {"/steps/0/with/method invalid_value"});
  auto ps = lint_with("http", R"({"url": "http://a", "method": "get"})");
  BOOST_TEST(ps[0].message.find("did you mean 'GET'") != std::string::npos);
  expect_problems(lint_with("http", R"({"url": "http://a", "method": "FETCH"})"),
                  {"/steps/0/with/method invalid_value"});
  expect_problems(lint_with("http", R"({"url": "ftp://a"})"), {"/steps/0/with/url invalid_value"});
  expect_problems(lint_with("http", R"({"url": 5})"), {"/steps/0/with/url type"});
  expect_problems(lint_with("http", R"({"url": "http://a", "headers": {"A": 1}})"),
                  {"/steps/0/with/headers/A type"});
  expect_problems(lint_with("http", R"({"url": "http://a", "headers": {"Bad Name": "x"}})"),
                  {"/steps/0/with/headers/Bad Name invalid_value"});
  expect_problems(lint_with("http", R"({"url": "http://a", "headers": []})"),
                  {"/steps/0/with/headers type"});
  expect_problems(lint_with("http", R"({"url": "http://a", "query": {"a": null}})"),
                  {"/steps/0/with/query/a type"});
  expect_problems(
      lint_with("http", R"({"url": "http://a", "expect": [99, "6xx", "2XX", 2.5, {}]})"),
      {"/steps/0/with/expect/0 invalid_value", "/steps/0/with/expect/1 invalid_value",
       "/steps/0/with/expect/2 invalid_value", "/steps/0/with/expect/3 type",
       "/steps/0/with/expect/4 type"});
  expect_problems(lint_with("http", R"({"url": "http://a", "expect": []})"),
                  {"/steps/0/with/expect invalid_value"});
  expect_problems(lint_with("http", R"({"url": "http://a", "timeout": "{{ props.t }}"})"),
                  {"/steps/0/with/timeout invalid_duration"});
}

BOOST_AUTO_TEST_CASE(delay_settings) {
  expect_clean(lint_with("delay", R"({"for": "30s"})"));
  expect_clean(lint_with("delay", R"({"for": "{{ props.wait }}"})"));
  expect_clean(lint_with("delay", R"({"until": "2026-12-01T09:00:00+01:00"})"));
  expect_clean(lint_with("delay", R"({"until": "{{ input.at }}"})"));
  expect_problems(lint_with("delay", R"({"for": "30 seconds"})"),
                  {"/steps/0/with/for invalid_duration"});
  expect_problems(lint_with("delay", R"({"for": 30})"), {"/steps/0/with/for type"});
  expect_problems(lint_with("delay", R"({"until": "tomorrow"})"),
                  {"/steps/0/with/until invalid_time"});
  expect_problems(lint_with("delay", R"({"until": "2026-02-30T00:00:00Z"})"),
                  {"/steps/0/with/until invalid_time"});
}

BOOST_AUTO_TEST_CASE(wait_event_settings) {
  expect_clean(lint_with("wait_event", R"({"topic": "order.*.paid",
      "match": "{{ event.data.id == input.id }}", "timeout": "1d"})"));
  expect_clean(lint_with("wait_event", R"({"topic": "order.{{ input.id }}.paid"})"));
  expect_problems(lint_with("wait_event", R"({"topic": "order..paid"})"),
                  {"/steps/0/with/topic invalid_topic"});
  expect_problems(lint_with("wait_event", R"({"topic": "a", "match": "event"})"),
                  {"/steps/0/with/match invalid_value"});
  expect_problems(lint_with("wait_event", R"({"topic": "a", "timeout": "soon"})"),
                  {"/steps/0/with/timeout invalid_duration"});
}

BOOST_AUTO_TEST_CASE(approval_emit_and_workflow_settings) {
  expect_clean(lint_with("approval", R"({"prompt": "OK {{ input.email }}?", "timeout": "2d",
                                          "data": {"a": 1}})"));
  expect_problems(lint_with("approval", R"({"prompt": ["x"]})"), {"/steps/0/with/prompt type"});
  expect_clean(lint_with("emit", R"({"topic": "lead.scored", "data": "{{ input }}"})"));
  expect_clean(lint_with("emit", R"({"topic": "lead.{{ input.kind }}"})"));
  expect_problems(lint_with("emit", R"({"topic": "lead.*"})"),
                  {"/steps/0/with/topic invalid_topic"});
  expect_problems(lint_with("emit", R"({"topic": "lead.#"})"),
                  {"/steps/0/with/topic invalid_topic"});
  expect_clean(lint_with("workflow", R"({"workflow": "child", "input": {"n": 1}, "version": 2})"));
  expect_clean(lint_with("workflow", R"({"workflow": "{{ props.child }}"})"));
  expect_problems(lint_with("workflow", R"({"workflow": "Child!"})"),
                  {"/steps/0/with/workflow invalid_id"});
  expect_problems(lint_with("workflow", R"({"workflow": "c", "version": 0})"),
                  {"/steps/0/with/version invalid_value"});
  expect_problems(lint_with("workflow", R"({"workflow": "c", "version": "1"})"),
                  {"/steps/0/with/version type"});
}

BOOST_AUTO_TEST_CASE(foreach_settings) {
  expect_clean(lint_with("foreach", R"({"items": "{{ input.items }}", "workflow": "child",
                                         "concurrency": 10000})"));
  expect_clean(
      lint_with("foreach", R"({"items": [1, "{{ input.a }}"], "step": {"kind": "fail"}})"));
  expect_problems(lint_with("foreach", R"({"items": "all", "workflow": "c"})"),
                  {"/steps/0/with/items invalid_value"});
  expect_problems(lint_with("foreach", R"({"items": "a {{ input.x }}", "workflow": "c"})"),
                  {"/steps/0/with/items invalid_value"});
  expect_problems(lint_with("foreach", R"({"items": 3, "workflow": "c"})"),
                  {"/steps/0/with/items type"});
  expect_problems(lint_with("foreach", R"({"items": [], "workflow": "c", "concurrency": 0})"),
                  {"/steps/0/with/concurrency invalid_value"});
  expect_problems(lint_with("foreach", R"({"items": [], "workflow": "c", "concurrency": 10001})"),
                  {"/steps/0/with/concurrency invalid_value"});
  expect_problems(lint_with("foreach", R"({"items": [], "workflow": "C"})"),
                  {"/steps/0/with/workflow invalid_id"});
}

BOOST_AUTO_TEST_CASE(foreach_inline_step_rules) {
  expect_problems(lint_with("foreach", R"({"items": [], "step": {"id": "x", "needs": [],
                                           "kind": "fail", "wiht": {}}})"),
                  {"/steps/0/with/step/id unknown_field", "/steps/0/with/step/needs unknown_field",
                   "/steps/0/with/step/wiht unknown_field"});
  expect_problems(lint_with("foreach", R"({"items": [], "step": {"kind": "foreach",
                                           "with": {"items": [], "workflow": "c"}}})"),
                  {"/steps/0/with/step/kind invalid_value"});
  expect_problems(lint_with("foreach", R"({"items": [], "step": {"kind": "branch"}})"),
                  {"/steps/0/with/step/kind invalid_value"});
  expect_problems(lint_with("foreach", R"({"items": [], "step": {"kind": "fail",
                                           "on_error": "fallback:s"}})"),
                  {"/steps/0/with/step/on_error invalid_value"});
  expect_problems(lint_with("foreach", R"({"items": [], "step": {"kind": "http",
                                           "with": {"url": "http://a", "timeout": "x"}}})"),
                  {"/steps/0/with/step/with/timeout invalid_duration"});
  expect_problems(lint_with("foreach", R"({"items": [], "step": {}})"),
                  {"/steps/0/with/step/kind required"});
  expect_problems(lint_with("foreach", R"({"items": [], "step": "fail"})"),
                  {"/steps/0/with/step type"});
  expect_clean(lint_with("foreach", R"({"items": [], "step": {"kind": "transform",
      "with": {"value": "{{ item * index }}"}, "if": "{{ index > 0 }}", "mock": "{{ item }}",
      "retry": {"max_attempts": 2}, "timeout": "1s", "on_error": "continue", "cost": 1}})"));
}

BOOST_AUTO_TEST_CASE(task_and_fail_settings) {
  expect_clean(lint_with("task", R"({"queue": "ml.gpu-1", "input": {"x": "{{ input }}"},
                                     "heartbeat_timeout": "30s", "start_to_close": "1h"})"));
  expect_problems(lint_with("task", R"({"queue": "my queue"})"),
                  {"/steps/0/with/queue invalid_value"});
  expect_problems(lint_with("task", R"({"queue": ""})"), {"/steps/0/with/queue invalid_value"});
  expect_problems(lint_with("task", R"({"queue": "q", "start_to_close": "1 h"})"),
                  {"/steps/0/with/start_to_close invalid_duration"});
  expect_clean(lint_with("fail", R"({"code": "not_eligible", "message": "no: {{ input.why }}"})"));
  expect_problems(lint_with("fail", R"({"code": "no way"})"), {"/steps/0/with/code invalid_value"});
  expect_problems(lint_with("fail", R"({"message": 3})"), {"/steps/0/with/message type"});
}

BOOST_AUTO_TEST_SUITE_END()
