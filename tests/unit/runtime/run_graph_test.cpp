// The run machine's graph rules: chains, needs, joins, `if`, branches, on_error, fallbacks,
// unhandled failures, run-time expression errors and the step output limit (DESIGN §3, §9).
#include <boost/test/unit_test.hpp>

#include "tests/unit/runtime/run_support.hpp"

using namespace run_test;
using ak = run_action::kind;

BOOST_AUTO_TEST_SUITE(run_graph)

BOOST_AUTO_TEST_CASE(a_chain_of_three_transforms_finishes_inside_start) {
  driver d(R"({"steps": [
    {"id": "a", "kind": "transform", "with": {"value": {"n": "{{ input.n }}"}}},
    {"id": "b", "kind": "transform", "with": {"value": "{{ steps.a.output.n * 2 }}"}},
    {"id": "c", "kind": "transform", "with": {"value": {"total": "{{ steps.b.output + 1 }}"}}}],
    "output": "{{ steps.c.output }}"})");
  auto out = d.start(init_for("r1", "live", json{{"n", 5}}));
  BOOST_TEST(types(out) == (std::vector<std::string>{"run.created", "run.started",
                                                     "item.succeeded a", "item.succeeded b",
                                                     "item.succeeded c", "run.succeeded"}),
             boost::test_tools::per_element());
  BOOST_TEST(out.actions.empty());
  BOOST_TEST(d.run_status_text() == "succeeded");
  BOOST_TEST(af::dump(d.st.output) == R"({"total":11})");
  BOOST_TEST(af::dump(d.item("b").outputs) == "10");
  BOOST_TEST(d.item("c").attempt_count == 1);
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_run_without_output_ends_with_null_output) {
  driver d(R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": 1}}]})");
  d.start();
  BOOST_TEST(d.run_status_text() == "succeeded");
  BOOST_TEST(d.st.output.is_null());
}

BOOST_AUTO_TEST_CASE(a_step_without_needs_waits_for_the_step_before_it) {
  driver d(R"({"steps": [
    {"id": "a", "kind": "http", "with": {"url": "http://a.test/"}},
    {"id": "b", "kind": "transform", "with": {"value": "{{ steps.a.output.status }}"}}]})");
  auto out = d.start();
  BOOST_TEST(d.status_of("a") == "running");
  BOOST_TEST(d.status_of("b") == "pending");
  BOOST_TEST(actions(out, ak::http_call).size() == 1u);
  d.http_status("a", 1, 200);
  BOOST_TEST(d.status_of("b") == "succeeded");
  BOOST_TEST(af::dump(d.item("b").outputs) == "200");
  BOOST_TEST(d.run_status_text() == "succeeded");
}

BOOST_AUTO_TEST_CASE(needs_empty_starts_a_step_at_the_beginning) {
  driver d(R"({"steps": [
    {"id": "a", "kind": "http", "with": {"url": "http://a.test/"}},
    {"id": "c", "kind": "transform", "needs": [], "with": {"value": "early"}}]})");
  d.start();
  BOOST_TEST(d.status_of("a") == "running");
  BOOST_TEST(d.status_of("c") == "succeeded");
  BOOST_TEST(d.run_status_text() == "running");
}

BOOST_AUTO_TEST_CASE(a_join_waits_for_every_one_of_its_needs) {
  driver d(R"({"steps": [
    {"id": "a", "kind": "http", "with": {"url": "http://a.test/"}},
    {"id": "b", "kind": "http", "needs": [], "with": {"url": "http://b.test/"}},
    {"id": "j", "kind": "transform", "needs": ["a", "b"],
     "with": {"value": ["{{ steps.a.output.status }}", "{{ steps.b.output.status }}"]}}]})");
  auto out = d.start();
  BOOST_TEST(actions(out, ak::http_call).size() == 2u);
  d.http_status("b", 1, 201);
  BOOST_TEST(d.status_of("j") == "pending");
  d.http_status("a", 1, 200);
  BOOST_TEST(d.status_of("j") == "succeeded");
  BOOST_TEST(af::dump(d.item("j").outputs) == "[200,201]");
}

BOOST_AUTO_TEST_CASE(a_false_if_skips_the_step_and_a_step_whose_needs_were_all_skipped) {
  driver d(R"({"steps": [
    {"id": "a", "kind": "transform", "with": {"value": 1}},
    {"id": "b", "kind": "transform", "if": "{{ input.go }}", "with": {"value": 2}},
    {"id": "c", "kind": "transform", "with": {"value": 3}},
    {"id": "d", "kind": "transform", "needs": ["a", "b"], "with": {"value": 4}},
    {"id": "e", "kind": "transform", "needs": [], "if": false, "with": {"value": 5}}]})");
  auto out = d.start(init_for("r1", "live", json{{"go", false}}));
  BOOST_TEST(d.status_of("b") == "skipped");
  BOOST_TEST(d.status_of("c") == "skipped");
  BOOST_TEST(d.status_of("d") == "succeeded");
  BOOST_TEST(d.status_of("e") == "skipped");
  BOOST_TEST(d.count("item.skipped") == 3);
  BOOST_TEST(d.run_status_text() == "succeeded");
}

BOOST_AUTO_TEST_CASE(a_true_if_runs_the_step) {
  driver d(R"({"steps": [{"id": "b", "kind": "transform", "if": "{{ input.go }}",
                          "with": {"value": 2}}]})");
  d.start(init_for("r1", "live", json{{"go", true}}));
  BOOST_TEST(d.status_of("b") == "succeeded");
}

const char* branch_def = R"({"steps": [
    {"id": "route", "kind": "branch",
     "with": {"cases": [{"when": "{{ input.big }}", "next": ["big"]}], "default": ["small"]}},
    {"id": "big", "kind": "transform", "with": {"value": "B"}},
    {"id": "small", "kind": "transform", "with": {"value": "S"}},
    {"id": "after", "kind": "transform", "needs": ["big", "small"],
     "with": {"value": ["{{ steps.big.status }}", "{{ steps.small.status }}"]}}]})";

BOOST_AUTO_TEST_CASE(a_branch_runs_the_chosen_target_and_skips_the_other) {
  driver d(branch_def);
  d.start(init_for("r1", "live", json{{"big", true}}));
  BOOST_TEST(af::dump(d.item("route").outputs) == R"({"next":["big"]})");
  BOOST_TEST(d.status_of("big") == "succeeded");
  BOOST_TEST(d.status_of("small") == "skipped");
  BOOST_TEST(af::dump(d.item("after").outputs) == R"(["succeeded","skipped"])");
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_branch_takes_its_default_when_no_case_matches) {
  driver d(branch_def);
  d.start(init_for("r1", "live", json{{"big", false}}));
  BOOST_TEST(af::dump(d.item("route").outputs) == R"({"next":["small"]})");
  BOOST_TEST(d.status_of("big") == "skipped");
  BOOST_TEST(d.status_of("small") == "succeeded");
  BOOST_TEST(af::dump(d.item("after").outputs) == R"(["skipped","succeeded"])");
}

BOOST_AUTO_TEST_CASE(a_branch_target_without_needs_waits_for_its_branch_not_the_step_before) {
  driver d(R"({"steps": [
    {"id": "slow", "kind": "http", "with": {"url": "http://slow.test/"}},
    {"id": "route", "kind": "branch", "with": {"cases": [{"when": true, "next": ["t"]}]}},
    {"id": "other", "kind": "http", "needs": [], "with": {"url": "http://other.test/"}},
    {"id": "t", "kind": "transform", "with": {"value": 1}}]})");
  d.start();
  // `t` follows `other` in the list, yet it waits for `route`, which waits for `slow`.
  BOOST_TEST(d.status_of("route") == "pending");
  BOOST_TEST(d.status_of("t") == "pending");
  d.http_status("slow", 1, 200);
  BOOST_TEST(d.status_of("route") == "succeeded");
  BOOST_TEST(d.status_of("t") == "succeeded");
  BOOST_TEST(d.status_of("other") == "running");
}

BOOST_AUTO_TEST_CASE(on_error_continue_leaves_a_handled_failure_and_the_run_succeeds) {
  driver d(R"({"steps": [
    {"id": "a", "kind": "fail", "on_error": "continue", "with": {"code": "bad", "message": "nope"}},
    {"id": "b", "kind": "transform",
     "with": {"value": {"err": "{{ steps.a.error }}", "st": "{{ steps.a.status }}"}}}]})");
  d.start();
  BOOST_TEST(d.status_of("a") == "failed");
  BOOST_TEST(d.item("a").handled);
  BOOST_TEST(
      af::dump(d.item("b").outputs) ==
      R"({"err":{"code":"bad","message":"nope","retryable":false,"attempt":1},"st":"failed"})");
  BOOST_TEST(d.run_status_text() == "succeeded");
  BOOST_TEST(d.st.error.is_null());
}

BOOST_AUTO_TEST_CASE(workflow_error_handling_continue_is_the_default_on_error) {
  driver d(R"({"error_handling": "continue", "steps": [
    {"id": "a", "kind": "fail", "with": {"message": "x"}},
    {"id": "b", "kind": "transform", "with": {"value": 1}}]})");
  d.start();
  BOOST_TEST(d.item("a").handled);
  BOOST_TEST(d.run_status_text() == "succeeded");
}

const char* fallback_def = R"({"steps": [
    {"id": "primary", "kind": "http", "on_error": "fallback:backup",
     "retry": {"max_attempts": 1}, "with": {"url": "http://p.test/"}},
    {"id": "backup", "kind": "http", "with": {"url": "http://b.test/"}},
    {"id": "use", "kind": "transform", "with": {"value": "{{ steps.primary.output.body }}"}}]})";

BOOST_AUTO_TEST_CASE(a_fallback_runs_when_its_primary_fails_and_stands_in_for_its_output) {
  driver d(fallback_def);
  auto out = d.start();
  BOOST_TEST(actions(out, ak::http_call).size() == 1u);
  BOOST_TEST(d.status_of("backup") == "pending");
  BOOST_TEST(d.status_of("use") == "pending");
  out = d.http_status("primary", 1, 404);
  BOOST_TEST(d.status_of("primary") == "failed");
  BOOST_TEST(d.item("primary").handled);
  BOOST_TEST(d.status_of("backup") == "running");
  // The primary's dependents wait for the fallback.
  BOOST_TEST(d.status_of("use") == "pending");
  d.http_status("backup", 1, 200, R"({"from": "backup"})");
  BOOST_TEST(d.status_of("use") == "succeeded");
  BOOST_TEST(af::dump(d.item("use").outputs) == R"({"from":"backup"})");
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_fallback_not_taken_is_skipped) {
  driver d(fallback_def);
  d.start();
  d.http_status("primary", 1, 200, R"({"from": "primary"})");
  BOOST_TEST(d.status_of("backup") == "skipped");
  BOOST_TEST(af::dump(d.item("use").outputs) == R"({"from":"primary"})");
  BOOST_TEST(d.run_status_text() == "succeeded");
}

BOOST_AUTO_TEST_CASE(an_unhandled_failure_cancels_open_items_and_fails_the_run) {
  driver d(R"({"steps": [
    {"id": "a", "kind": "http", "with": {"url": "http://a.test/"}},
    {"id": "b", "kind": "fail", "needs": [], "with": {"code": "bad_input", "message": "no"}},
    {"id": "c", "kind": "transform", "with": {"value": 1}}]})");
  d.start();
  BOOST_TEST(d.status_of("b") == "failed");
  BOOST_TEST(!d.item("b").handled);
  BOOST_TEST(d.status_of("a") == "canceled");
  BOOST_TEST(d.status_of("c") == "canceled");
  BOOST_TEST(d.run_status_text() == "failed");
  BOOST_TEST(af::dump(d.st.error) == R"({"code":"bad_input","message":"no","item_id":"b"})");
  // The canceled call's answer changes nothing.
  auto late = d.http_status("a", 1, 200);
  BOOST_TEST(late.events.empty());
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_run_time_expression_error_fails_that_item_with_expression_error) {
  driver d(R"({"steps": [
    {"id": "a", "kind": "transform", "with": {"value": 1}},
    {"id": "b", "kind": "transform", "on_error": "continue", "with": {"value": "{{ 1 / 0 }}"}},
    {"id": "c", "kind": "transform", "needs": ["a"], "with": {"value": 3}}]})");
  d.start();
  BOOST_TEST(d.status_of("b") == "failed");
  BOOST_TEST(d.item("b").error["code"] == "expression_error");
  BOOST_TEST(d.item("b").error["retryable"] == false);
  BOOST_TEST(d.status_of("a") == "succeeded");
  BOOST_TEST(d.status_of("c") == "succeeded");
  BOOST_TEST(d.run_status_text() == "succeeded");
}

BOOST_AUTO_TEST_CASE(an_unhandled_expression_error_fails_the_run_naming_the_item) {
  driver d(R"({"steps": [{"id": "b", "kind": "transform", "with": {"value": "{{ 1 / 0 }}"}}]})");
  d.start();
  BOOST_TEST(d.run_status_text() == "failed");
  BOOST_TEST(d.st.error["code"] == "expression_error");
  BOOST_TEST(d.st.error["item_id"] == "b");
}

BOOST_AUTO_TEST_CASE(an_if_that_cannot_be_evaluated_fails_the_item) {
  driver d(R"({"steps": [{"id": "b", "kind": "transform", "if": "{{ input.n < 'x' }}",
                          "with": {"value": 1}}]})");
  d.start(init_for("r1", "live", json{{"n", 1}}));
  BOOST_TEST(d.status_of("b") == "failed");
  BOOST_TEST(d.item("b").error["code"] == "expression_error");
}

BOOST_AUTO_TEST_CASE(an_output_over_the_step_output_limit_fails_with_limit_exceeded) {
  af::limits lim;
  lim.step_output_bytes = 50;
  driver d(R"({"steps": [
    {"id": "small", "kind": "transform", "with": {"value": "{{ input.s }}"}},
    {"id": "big", "kind": "transform", "with": {"value": "{{ input.s + input.s }}"}}]})",
           lim);
  d.start(init_for("r1", "live", json{{"s", std::string(30, 'x')}}));
  BOOST_TEST(d.status_of("small") == "succeeded");
  BOOST_TEST(d.status_of("big") == "failed");
  BOOST_TEST(d.item("big").error["code"] == "limit_exceeded");
  BOOST_TEST(d.item("big").outputs.is_null());
  BOOST_TEST(d.run_status_text() == "failed");
}

BOOST_AUTO_TEST_CASE(a_run_output_that_cannot_be_rendered_fails_the_run) {
  driver d(R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": 0}}],
               "output": "{{ 1 / steps.a.output }}"})");
  d.start();
  BOOST_TEST(d.run_status_text() == "failed");
  BOOST_TEST(d.st.error["code"] == "expression_error");
}

BOOST_AUTO_TEST_SUITE_END()
