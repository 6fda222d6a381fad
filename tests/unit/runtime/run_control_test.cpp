// Run control in the run machine: cancel, pause, resume, retry-failed (DESIGN §4 "Run control",
// §9 "Execution (more)", "Answers and edge cases").
#include <boost/test/unit_test.hpp>

#include "tests/unit/runtime/run_support.hpp"

using namespace run_test;
using ak = run_action::kind;

namespace {

const char* two_calls = R"({"steps": [
    {"id": "call", "kind": "http", "with": {"url": "http://a.test/"}},
    {"id": "next", "kind": "transform", "with": {"value": "{{ steps.call.output.status }}"}}]})";

bool conflict(const af::result<run_outcome>& r) {
  return !r.has_value() && r.error().code == af::errc::conflict;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_control)

BOOST_AUTO_TEST_CASE(cancel_cancels_open_items_and_children_and_ends_the_run_canceled) {
  driver d(R"({"steps": [
    {"id": "sub", "kind": "workflow", "with": {"workflow": "child-wf"}},
    {"id": "call", "kind": "http", "needs": [], "with": {"url": "http://a.test/"}},
    {"id": "next", "kind": "transform", "with": {"value": 1}}]})");
  d.start();
  auto r = d.control(run_control_action::cancel);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(only_action(*r, ak::cancel_child, "sub").child_run_id == "r1-sub");
  BOOST_TEST(d.status_of("sub") == "canceled");
  BOOST_TEST(d.status_of("call") == "canceled");
  BOOST_TEST(d.status_of("next") == "canceled");
  BOOST_TEST(d.run_status_text() == "canceled");
  BOOST_TEST(d.st.error.is_null());
  BOOST_TEST(r->events.back().type == "run.canceled");
  d.check_replay();

  auto again = d.control(run_control_action::cancel);
  BOOST_TEST_REQUIRE(again.has_value());
  BOOST_TEST(again->events.empty());
  BOOST_TEST(conflict(d.control(run_control_action::pause)));
  BOOST_TEST(conflict(d.control(run_control_action::resume)));
  BOOST_TEST(conflict(d.control(run_control_action::retry_failed)));
  BOOST_TEST(d.http_status("call", 1, 200).events.empty());
}

BOOST_AUTO_TEST_CASE(control_of_a_succeeded_run_is_a_conflict) {
  driver d(R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": 1}}]})");
  d.start();
  BOOST_TEST(conflict(d.control(run_control_action::cancel)));
  BOOST_TEST(conflict(d.control(run_control_action::pause)));
  BOOST_TEST(conflict(d.control(run_control_action::resume)));
  BOOST_TEST(conflict(d.control(run_control_action::retry_failed)));
  BOOST_TEST(d.run_status_text() == "succeeded");
}

BOOST_AUTO_TEST_CASE(pause_lets_running_items_finish_and_starts_nothing_until_resume) {
  driver d(two_calls);
  d.start();
  auto p = d.control(run_control_action::pause);
  BOOST_TEST_REQUIRE(p.has_value());
  BOOST_TEST(types(*p) == std::vector<std::string>{"run.paused"}, boost::test_tools::per_element());
  BOOST_TEST(to_string(view_status(d.st)) == "paused");
  BOOST_TEST(d.control(run_control_action::pause)->events.empty());

  d.http_status("call", 1, 200);
  BOOST_TEST(d.status_of("call") == "succeeded");
  BOOST_TEST(d.status_of("next") == "pending");
  BOOST_TEST(d.run_status_text() == "paused");

  auto r = d.control(run_control_action::resume);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->events.front().type == "run.resumed");
  BOOST_TEST(d.status_of("next") == "succeeded");
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(resume_of_a_run_that_is_not_paused_changes_nothing) {
  driver d(two_calls);
  d.start();
  auto r = d.control(run_control_action::resume);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->events.empty());
  BOOST_TEST(d.run_status_text() == "running");
}

BOOST_AUTO_TEST_CASE(a_retry_that_falls_due_while_paused_starts_on_resume) {
  driver d(two_calls);
  d.start();
  d.http_status("call", 1, 500);
  BOOST_TEST(d.control(run_control_action::pause).has_value());
  auto fired = d.timer_at("call", t0 + 1000);
  BOOST_TEST(fired.events.empty());
  BOOST_TEST(actions(fired, ak::http_call).empty());
  BOOST_TEST(d.status_of("call") == "retrying");
  d.env.now = t0 + 5000;
  auto r = d.control(run_control_action::resume);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(only_action(*r, ak::http_call, "call").attempt == 2);
  BOOST_TEST(d.status_of("call") == "running");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_retry_not_yet_due_at_resume_waits_for_its_timer) {
  driver d(two_calls);
  d.start();
  d.http_status("call", 1, 500);
  BOOST_TEST(d.control(run_control_action::pause).has_value());
  d.env.now = t0 + 500;
  auto r = d.control(run_control_action::resume);
  BOOST_TEST(actions(*r, ak::http_call).empty());
  BOOST_TEST(only_action(d.timer_at("call", t0 + 1000), ak::http_call, "call").attempt == 2);
}

BOOST_AUTO_TEST_CASE(retry_failed_is_only_for_a_failed_run) {
  driver d(two_calls);
  d.start();
  BOOST_TEST(conflict(d.control(run_control_action::retry_failed)));
  BOOST_TEST(d.control(run_control_action::pause).has_value());
  BOOST_TEST(conflict(d.control(run_control_action::retry_failed)));
}

BOOST_AUTO_TEST_CASE(retry_failed_reruns_failed_and_canceled_items_with_a_fresh_budget) {
  driver d(R"({"steps": [
    {"id": "a", "kind": "transform", "with": {"value": "{{ input.v }}"}},
    {"id": "b", "kind": "http", "retry": {"max_attempts": 2}, "with": {"url": "http://b.test/"}},
    {"id": "c", "kind": "transform", "with": {"value": "{{ steps.a.output }}"}},
    {"id": "d", "kind": "http", "needs": [], "with": {"url": "http://d.test/"}}]})");
  d.start(init_for("r1", "live", json{{"v", 42}}));
  d.http_status("b", 1, 500);
  d.timer_at("b", d.env.now + 1000);
  d.http_status("b", 2, 500);
  BOOST_TEST(d.status_of("b") == "failed");
  BOOST_TEST(d.status_of("c") == "canceled");
  BOOST_TEST(d.status_of("d") == "canceled");
  BOOST_TEST(d.run_status_text() == "failed");

  d.env.now += 60000;
  auto r = d.control(run_control_action::retry_failed);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->events.front().type == "run.retrying");
  BOOST_TEST(af::dump(r->events.front().data["items"]) == R"(["b","c","d"])");
  BOOST_TEST(only_action(*r, ak::http_call, "b").attempt == 3);
  BOOST_TEST(only_action(*r, ak::http_call, "d").attempt == 2);
  BOOST_TEST(d.run_status_text() == "running");
  BOOST_TEST(d.st.error.is_null());
  BOOST_TEST(d.status_of("a") == "succeeded");

  // A fresh budget of two attempts: attempt 3 fails, attempt 4 is still allowed.
  d.http_status("b", 3, 500);
  BOOST_TEST(d.status_of("b") == "retrying");
  d.timer_at("b", d.env.now + 1000);
  d.http_status("b", 4, 200);
  d.http_status("d", 2, 200);
  BOOST_TEST(d.item("b").attempt_count == 4);
  BOOST_TEST(af::dump(d.item("c").outputs) == "42");
  BOOST_TEST(d.count("item.succeeded", "a") == 1);
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(retry_failed_keeps_handled_failures_and_succeeded_foreach_rows) {
  driver d(R"({"steps": [
    {"id": "soft", "kind": "fail", "on_error": "continue", "with": {"message": "fine"}},
    {"id": "each", "kind": "foreach", "needs": [], "with": {"items": [0, 1, 2], "concurrency": 1,
     "step": {"kind": "http", "retry": {"max_attempts": 1}, "with": {"url": "http://a.test/{{ item }}"}}}}]})");
  d.start();
  d.http_status("each.0", 1, 200, "0");
  d.http_status("each.1", 1, 404);
  BOOST_TEST(d.status_of("each.2") == "canceled");
  BOOST_TEST(d.run_status_text() == "failed");
  auto r = d.control(run_control_action::retry_failed);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(af::dump(r->events.front().data["items"]) == R"(["each","each.1","each.2"])");
  BOOST_TEST(only_action(*r, ak::http_call, "each.1").attempt == 2);
  BOOST_TEST(d.status_of("each.0") == "succeeded");
  d.http_status("each.1", 2, 200, "1");
  d.http_status("each.2", 1, 200, "2");
  BOOST_TEST(d.status_of("soft") == "failed");
  BOOST_TEST(af::dump(d.item("each").outputs[1]["body"]) == "1");
  BOOST_TEST(af::dump(d.item("each").outputs[0]["body"]) == "0");
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(retry_failed_leaves_rows_of_a_foreach_whose_failure_was_handled) {
  driver d(R"({"steps": [
    {"id": "each", "kind": "foreach", "on_error": "continue", "with": {"items": [1, 0],
     "step": {"kind": "transform", "with": {"value": "{{ 10 / item }}"}}}},
    {"id": "z", "kind": "http", "needs": [], "retry": {"max_attempts": 1},
     "with": {"url": "http://z.test/"}}]})");
  d.start();
  d.http_status("z", 1, 404);
  BOOST_TEST(d.run_status_text() == "failed");
  BOOST_TEST(d.st.error["item_id"] == "z");
  auto r = d.control(run_control_action::retry_failed);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(af::dump(r->events.front().data["items"]) == R"(["z"])");
  d.http_status("z", 2, 200);
  BOOST_TEST(d.run_status_text() == "succeeded");
}

BOOST_AUTO_TEST_CASE(retry_failed_of_a_foreach_whose_rows_all_finished_ends_it_again) {
  af::limits lim;
  lim.step_output_bytes = 50;
  driver d(R"({"steps": [{"id": "each", "kind": "foreach", "with": {"items": [1, 2, 3],
     "step": {"kind": "transform", "with": {"value": "{{ 'twenty characters..' }}"}}}}]})",
           lim);
  d.start();
  BOOST_TEST(d.item("each").error["code"] == "limit_exceeded");
  BOOST_TEST(d.run_status_text() == "failed");
  auto r = d.control(run_control_action::retry_failed);
  BOOST_TEST_REQUIRE(r.has_value());
  // Nothing is left to run: the foreach ends (failing the same way) instead of staying open.
  BOOST_TEST(d.status_of("each") == "failed");
  BOOST_TEST(d.run_status_text() == "failed");
  d.check_replay();
}

BOOST_AUTO_TEST_SUITE_END()
