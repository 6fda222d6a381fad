// Fan-outs in the run machine: foreach over an inline step or a child workflow, and batch runs
// (DESIGN §3, §9 "Graph", "Step kinds", "Execution (more)", "Answers and edge cases").
#include <boost/test/unit_test.hpp>

#include "tests/unit/runtime/run_support.hpp"

using namespace run_test;
using ak = run_action::kind;

namespace {

child_result child_ok(json output) {
  child_result r;
  r.status = run_status::succeeded;
  r.output = std::move(output);
  return r;
}

const char* http_each = R"({"steps": [{"id": "each", "kind": "foreach", "with": {
    "items": "{{ input.list }}", "concurrency": 2,
    "step": {"kind": "http", "retry": {"max_attempts": 1},
             "with": {"url": "http://a.test/{{ item }}"}}}}]})";

json list(int n) {
  json l = json::array();
  for (int i = 0; i < n; ++i) l.push_back(i);
  return l;
}

std::vector<std::string> ids_in_order(const run_state& st) {
  std::vector<std::string> v;
  for (auto i : item_order(st)) v.push_back(st.items[i].id);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_foreach)

BOOST_AUTO_TEST_CASE(an_inline_foreach_makes_a_row_per_element_and_outputs_in_order) {
  driver d(R"({"steps": [
    {"id": "each", "kind": "foreach", "with": {"items": "{{ input.list }}",
     "step": {"kind": "transform", "with": {"value": "{{ item * 10 + index }}"}}}},
    {"id": "after", "kind": "transform", "with": {"value": "{{ len(steps.each.output) }}"}}]})");
  d.start(init_for("r1", "live", json{{"list", {1, 2, 3}}}));
  BOOST_TEST(ids_in_order(d.st) ==
                 (std::vector<std::string>{"each", "each.0", "each.1", "each.2", "after"}),
             boost::test_tools::per_element());
  BOOST_TEST(d.item("each.1").row.value_or(99) == 1u);
  BOOST_TEST(d.item("each.1").step_id == "each");
  BOOST_TEST(af::dump(d.item("each").outputs) == "[10,21,32]");
  BOOST_TEST(af::dump(d.item("after").outputs) == "3");
  BOOST_TEST(run_view(d.st, "")["items_total"] == 5);
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(an_empty_foreach_succeeds_with_an_empty_array) {
  driver d(R"({"steps": [{"id": "each", "kind": "foreach", "with": {"items": [],
     "step": {"kind": "transform", "with": {"value": 1}}}}]})");
  d.start();
  BOOST_TEST(af::dump(d.item("each").outputs) == "[]");
  BOOST_TEST(d.run_status_text() == "succeeded");
}

BOOST_AUTO_TEST_CASE(the_concurrency_limit_holds_and_more_rows_start_as_results_arrive) {
  driver d(http_each);
  auto out = d.start(init_for("r1", "live", json{{"list", list(5)}}));
  auto calls = actions(out, ak::http_call);
  BOOST_TEST_REQUIRE(calls.size() == 2u);
  BOOST_TEST(calls[0]->item_id == "each.0");
  BOOST_TEST(calls[1]->item_id == "each.1");
  BOOST_TEST(calls[0]->request["url"] == "http://a.test/0");
  BOOST_TEST(d.status_of("each.2") == "pending");

  out = d.http_status("each.1", 1, 200, R"("one")");
  calls = actions(out, ak::http_call);
  BOOST_TEST_REQUIRE(calls.size() == 1u);
  BOOST_TEST(calls[0]->item_id == "each.2");
  out = d.http_status("each.2", 1, 200, R"("two")");
  BOOST_TEST(only_action(out, ak::http_call, "each.3").attempt == 1);
  d.http_status("each.0", 1, 200, R"("zero")");
  d.http_status("each.4", 1, 200, R"("four")");
  BOOST_TEST(d.status_of("each") == "running");
  d.http_status("each.3", 1, 200, R"("three")");
  BOOST_TEST(d.status_of("each") == "succeeded");
  std::vector<std::string> bodies;
  for (const auto& o : d.item("each").outputs) bodies.push_back(o["body"].get<std::string>());
  BOOST_TEST(bodies == (std::vector<std::string>{"zero", "one", "two", "three", "four"}),
             boost::test_tools::per_element());
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(an_element_failure_cancels_the_rest_and_fails_the_step) {
  driver d(http_each);
  d.start(init_for("r1", "live", json{{"list", list(4)}}));
  d.http_status("each.0", 1, 404);
  BOOST_TEST(d.status_of("each.0") == "failed");
  BOOST_TEST(d.status_of("each.1") == "canceled");
  BOOST_TEST(d.status_of("each.2") == "canceled");
  BOOST_TEST(d.status_of("each.3") == "canceled");
  BOOST_TEST(d.status_of("each") == "failed");
  BOOST_TEST(d.item("each").error["message"].get<std::string>().find("element 0") == 0u);
  BOOST_TEST(d.run_status_text() == "failed");
  BOOST_TEST(d.st.error["item_id"] == "each");
  BOOST_TEST(d.http_status("each.1", 1, 200).events.empty());
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(an_element_with_on_error_continue_leaves_a_null_slot) {
  driver d(R"({"steps": [{"id": "each", "kind": "foreach", "with": {"items": [1, 0, 2],
     "step": {"kind": "transform", "on_error": "continue",
              "with": {"value": "{{ 10 / item }}"}}}}]})");
  d.start();
  BOOST_TEST(d.status_of("each.1") == "failed");
  BOOST_TEST(d.item("each.1").handled);
  BOOST_TEST(af::dump(d.item("each").outputs) == "[10,null,5]");
  BOOST_TEST(d.run_status_text() == "succeeded");
}

BOOST_AUTO_TEST_CASE(a_foreach_with_on_error_continue_fails_handled_when_an_element_fails) {
  driver d(R"({"steps": [
    {"id": "each", "kind": "foreach", "on_error": "continue", "with": {"items": [1, 0],
     "step": {"kind": "transform", "with": {"value": "{{ 10 / item }}"}}}},
    {"id": "after", "kind": "transform", "with": {"value": "{{ steps.each.status }}"}}]})");
  d.start();
  BOOST_TEST(d.status_of("each") == "failed");
  BOOST_TEST(d.item("each").handled);
  BOOST_TEST(d.item("after").outputs == "failed");
  BOOST_TEST(d.run_status_text() == "succeeded");
}

BOOST_AUTO_TEST_CASE(more_elements_than_the_limit_fail_with_limit_exceeded) {
  af::limits lim;
  lim.foreach_elements = 3;
  driver d(http_each, lim);
  auto out = d.start(init_for("r1", "live", json{{"list", list(4)}}));
  BOOST_TEST(actions(out, ak::http_call).empty());
  BOOST_TEST(d.status_of("each") == "failed");
  BOOST_TEST(d.item("each").error["code"] == "limit_exceeded");
  BOOST_TEST(d.item("each").rows.empty());
}

BOOST_AUTO_TEST_CASE(items_that_are_not_an_array_fail_with_expression_error) {
  driver d(http_each);
  d.start(init_for("r1", "live", json{{"list", json{{"a", 1}}}}));
  BOOST_TEST(d.status_of("each") == "failed");
  BOOST_TEST(d.item("each").error["code"] == "expression_error");
}

BOOST_AUTO_TEST_CASE(a_smoke_test_takes_only_the_smoke_sample) {
  driver d(R"({"steps": [{"id": "each", "kind": "foreach", "with": {"items": [1, 2, 3, 4, 5],
     "step": {"kind": "transform", "with": {"value": "{{ item }}"}}}}]})");
  d.start_mode("smoke_test");
  BOOST_TEST(af::dump(d.item("each").outputs) == "[1,2,3]");

  driver two(R"({"smoke_sample": 2, "steps": [{"id": "each", "kind": "foreach",
     "with": {"items": [1, 2, 3], "step": {"kind": "transform", "with": {"value": 0}}}}]})");
  two.start_mode("smoke_test");
  BOOST_TEST(two.item("each").rows.size() == 2u);
  two.check_replay();
}

BOOST_AUTO_TEST_CASE(a_foreach_over_a_workflow_starts_a_child_per_element) {
  driver d(R"({"steps": [{"id": "each", "kind": "foreach",
     "with": {"items": [{"a": 1}, {"a": 2}], "workflow": "child-wf"}}]})");
  auto out = d.start();
  auto starts = actions(out, ak::start_child);
  BOOST_TEST_REQUIRE(starts.size() == 2u);
  BOOST_TEST(starts[0]->child_run_id == "r1-each.0");
  BOOST_TEST(af::dump(starts[1]->request) ==
             R"({"workflow":"child-wf","input":{"a":2},"mode":"live"})");
  BOOST_TEST(d.status_of("each.0") == "waiting");
  BOOST_TEST(to_string(view_status(d.st)) == "waiting");
  d.child("each.1", "r1-each.1", child_ok("B"));
  d.child("each.0", "r1-each.0", child_ok("A"));
  BOOST_TEST(af::dump(d.item("each").outputs) == R"(["A","B"])");
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_foreach_timeout_ends_the_whole_fan_out) {
  driver d(R"({"steps": [
    {"id": "each", "kind": "foreach", "timeout": "5s", "on_error": "continue",
     "with": {"items": [1, 2, 3], "concurrency": 1, "workflow": "child-wf"}},
    {"id": "after", "kind": "transform", "with": {"value": 1}}]})");
  auto out = d.start();
  BOOST_TEST(only_action(out, ak::timer, "each").at == t0 + 5000);
  auto fired = d.timer_at("each", t0 + 5000);
  BOOST_TEST(d.status_of("each") == "failed");
  BOOST_TEST(d.item("each").error["code"] == "timeout");
  // Its rows end too (the waiting child is canceled), so the run can finish.
  BOOST_TEST(only_action(fired, ak::cancel_child, "each.0").child_run_id == "r1-each.0");
  BOOST_TEST(d.status_of("each.0") == "canceled");
  BOOST_TEST(d.status_of("each.2") == "canceled");
  BOOST_TEST(d.status_of("after") == "succeeded");
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_batch_runs_a_child_per_row_ten_at_a_time) {
  driver d(R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": 1}}]})");
  run_init init = init_for();
  init.batch = true;
  init.rows = list(12);
  auto out = d.start(init);
  BOOST_TEST(d.st.kind == "batch");
  BOOST_TEST(d.st.items.size() == 12u);
  BOOST_TEST(d.st.items[11].id == "row.11");
  auto starts = actions(out, ak::start_child);
  BOOST_TEST_REQUIRE(starts.size() == 10u);
  BOOST_TEST(starts[3]->child_run_id == "r1-row.3");
  BOOST_TEST(af::dump(starts[3]->request) ==
             R"({"workflow":"wf","version":1,"input":3,"mode":"live"})");
  BOOST_TEST(d.status_of("row.10") == "pending");
  out = d.child("row.0", "r1-row.0", child_ok("r0"));
  BOOST_TEST(only_action(out, ak::start_child, "row.10").child_run_id == "r1-row.10");
  for (int r = 1; r < 12; ++r) {
    const std::string id = "row." + std::to_string(r);
    d.child(id, "r1-" + id, child_ok("r" + std::to_string(r)));
  }
  BOOST_TEST(d.run_status_text() == "succeeded");
  BOOST_TEST(d.st.output.size() == 12u);
  BOOST_TEST(d.st.output[11] == "r11");
  BOOST_TEST(af::dump(d.st.input) == af::dump(list(12)));
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_failed_batch_row_cancels_the_other_rows_and_fails_the_run) {
  driver d(R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": 1}}]})");
  run_init init = init_for();
  init.batch = true;
  init.rows = list(11);
  d.start(init);
  child_result bad;
  bad.status = run_status::failed;
  auto out = d.child("row.2", "r1-row.2", bad);
  BOOST_TEST(d.status_of("row.2") == "failed");
  BOOST_TEST(d.status_of("row.10") == "canceled");
  BOOST_TEST(d.status_of("row.0") == "canceled");
  BOOST_TEST(actions(out, ak::cancel_child).size() == 9u);
  BOOST_TEST(actions(out, ak::start_child).empty());
  BOOST_TEST(d.run_status_text() == "failed");
  BOOST_TEST(d.st.error["item_id"] == "row.2");
}

BOOST_AUTO_TEST_CASE(a_foreach_whose_workflow_is_a_template_names_it_once_for_every_element) {
  driver d(R"({"steps": [{"id": "each", "kind": "foreach",
     "with": {"items": [1, 2], "workflow": "{{ input.wf }}"}}]})");
  run_init init = init_for("r1", "live");
  init.input = af::json::parse(R"({"wf": "child-wf"})");
  auto out = d.start(init);
  auto starts = actions(out, ak::start_child);
  BOOST_TEST_REQUIRE(starts.size() == 2u);
  BOOST_TEST(starts[1]->request["workflow"] == "child-wf");
  d.check_replay();

  driver bad(R"({"steps": [{"id": "each", "kind": "foreach",
     "with": {"items": [1], "workflow": "{{ input.wf }}"}}]})");
  run_init not_an_id = init_for("r2", "live");
  not_an_id.input = af::json::parse(R"({"wf": 7})");
  bad.start(not_an_id);
  BOOST_TEST(bad.status_of("each") == "failed");
  BOOST_TEST(bad.item("each").error["code"] == "expression_error");
}

BOOST_AUTO_TEST_CASE(a_smoke_test_batch_takes_only_the_smoke_sample_rows) {
  driver d(R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": 1}}]})");
  run_init init = init_for("r1", "smoke_test");
  init.batch = true;
  init.rows = list(5);
  d.start(init);
  BOOST_TEST(d.st.items.size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
