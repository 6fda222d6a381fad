// Waiting kinds in the run machine: delays, child workflow runs, step and run timeouts
// (DESIGN §3 "Step kinds", §9 "Step kinds", "Execution (more)").
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

child_result child_failed(std::string message) {
  child_result r;
  r.status = run_status::failed;
  r.error = json{{"code", "bad"}, {"message", std::move(message)}};
  return r;
}

const char* sub_def = R"({"steps": [
    {"id": "sub", "kind": "workflow",
     "with": {"workflow": "child-wf", "input": {"x": "{{ input.x }}"}}},
    {"id": "after", "kind": "transform", "with": {"value": "{{ steps.sub.output.y }}"}}]})";

}  // namespace

BOOST_AUTO_TEST_SUITE(run_wait)

BOOST_AUTO_TEST_CASE(a_delay_for_waits_until_its_timer_is_due) {
  driver d(R"({"steps": [{"id": "pause", "kind": "delay", "with": {"for": "30s"}}]})");
  auto out = d.start();
  BOOST_TEST(types(out) == (std::vector<std::string>{"run.created", "run.started",
                                                     "item.started pause", "item.waiting pause"}),
             boost::test_tools::per_element());
  BOOST_TEST(d.status_of("pause") == "waiting");
  BOOST_TEST((d.item("pause").wait_until && *d.item("pause").wait_until == t0 + 30000));
  BOOST_TEST(only_action(out, ak::timer, "pause").at == t0 + 30000);
  BOOST_TEST(to_string(view_status(d.st)) == "waiting");

  auto early = d.timer_at("pause", t0 + 29999);
  BOOST_TEST(early.events.empty());
  BOOST_TEST(d.status_of("pause") == "waiting");
  d.timer_at("pause", t0 + 30000);
  BOOST_TEST(d.status_of("pause") == "succeeded");
  BOOST_TEST(d.item("pause").outputs["until"] == af::format_time(t0 + 30000));
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_delay_until_waits_for_that_time_and_a_past_time_ends_at_once) {
  driver d(R"({"steps": [{"id": "pause", "kind": "delay", "with": {"until": "{{ input.at }}"}}]})");
  d.start(init_for("r1", "live", json{{"at", af::format_time(t0 + 3600000)}}));
  BOOST_TEST(*d.item("pause").wait_until == t0 + 3600000);
  d.timer_at("pause", t0 + 3600000);
  BOOST_TEST(d.status_of("pause") == "succeeded");

  driver past(
      R"({"steps": [{"id": "pause", "kind": "delay", "with": {"until": "{{ input.at }}"}}]})");
  auto out = past.start(init_for("r1", "live", json{{"at", af::format_time(t0 - 1000)}}));
  BOOST_TEST(past.status_of("pause") == "succeeded");
  BOOST_TEST(actions(out, ak::timer).empty());
}

BOOST_AUTO_TEST_CASE(a_delay_with_a_bad_duration_fails_with_expression_error) {
  driver d(R"({"steps": [{"id": "pause", "kind": "delay", "with": {"for": "{{ input.d }}"}}]})");
  d.start(init_for("r1", "live", json{{"d", "soon"}}));
  BOOST_TEST(d.status_of("pause") == "failed");
  BOOST_TEST(d.item("pause").error["code"] == "expression_error");
}

BOOST_AUTO_TEST_CASE(a_step_timeout_on_a_delay_fails_it_with_timeout) {
  driver d(R"({"steps": [{"id": "pause", "kind": "delay", "timeout": "10s",
                          "with": {"for": "1m"}}]})");
  auto out = d.start();
  auto timers = actions(out, ak::timer);
  BOOST_TEST(timers.size() == 2u);
  auto fired = d.timer_at("pause", t0 + 10000);
  BOOST_TEST(d.status_of("pause") == "failed");
  BOOST_TEST(d.item("pause").error["code"] == "timeout");
  BOOST_TEST(d.run_status_text() == "failed");
  BOOST_TEST(d.st.error["code"] == "timeout");
  BOOST_TEST(d.st.error["item_id"] == "pause");
  // The delay's own timer, later, changes nothing.
  BOOST_TEST(d.timer_at("pause", t0 + 60000).events.empty());
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_run_timeout_fails_the_run_with_timeout_and_no_item) {
  driver d(R"({"timeout": "1m", "steps": [
    {"id": "call", "kind": "http", "with": {"url": "http://a.test/"}},
    {"id": "next", "kind": "transform", "with": {"value": 1}}]})");
  auto out = d.start();
  BOOST_TEST(only_action(out, ak::timer, "").at == t0 + 60000);
  BOOST_TEST(d.timer_at("", t0 + 59999).events.empty());
  d.timer_at("", t0 + 60000);
  BOOST_TEST(d.run_status_text() == "failed");
  BOOST_TEST(d.st.error["code"] == "timeout");
  BOOST_TEST(!d.st.error.contains("item_id"));
  BOOST_TEST(d.status_of("call") == "canceled");
  BOOST_TEST(d.status_of("next") == "canceled");
  BOOST_TEST(d.http_status("call", 1, 200).events.empty());
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_workflow_step_starts_a_child_run_and_takes_its_output) {
  driver d(sub_def);
  auto out = d.start(init_for("r1", "live", json{{"x", 2}}));
  const auto& a = only_action(out, ak::start_child, "sub");
  BOOST_TEST(a.child_run_id == "r1-sub");
  BOOST_TEST(a.attempt == 1);
  BOOST_TEST(af::dump(a.request) == R"({"workflow":"child-wf","input":{"x":2},"mode":"live"})");
  BOOST_TEST(d.status_of("sub") == "waiting");
  BOOST_TEST(d.item("sub").child_run_id == "r1-sub");
  BOOST_TEST(to_string(view_status(d.st)) == "waiting");

  BOOST_TEST(d.child("sub", "r1-other", child_ok(json{{"y", 0}})).events.empty());
  d.child("sub", "r1-sub", child_ok(json{{"y", 9}}));
  BOOST_TEST(d.status_of("sub") == "succeeded");
  BOOST_TEST(af::dump(d.item("after").outputs) == "9");
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_failed_child_run_fails_the_workflow_step) {
  driver d(sub_def);
  d.start();
  d.child("sub", "r1-sub", child_failed("it broke"));
  BOOST_TEST(d.status_of("sub") == "failed");
  BOOST_TEST(d.item("sub").error["code"] == "child_failed");
  BOOST_TEST(d.item("sub").error["message"].get<std::string>().find("it broke") !=
             std::string::npos);
  BOOST_TEST(d.status_of("after") == "canceled");
  BOOST_TEST(d.run_status_text() == "failed");
  BOOST_TEST(d.st.error["code"] == "child_failed");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_dry_run_starts_its_child_as_a_dry_run) {
  driver d(sub_def);
  auto out = d.start_mode("dry_run");
  BOOST_TEST(only_action(out, ak::start_child, "sub").request["mode"] == "dry_run");
}

BOOST_AUTO_TEST_CASE(a_workflow_step_timeout_cancels_the_child_and_fails_with_timeout) {
  driver d(R"({"steps": [{"id": "sub", "kind": "workflow", "timeout": "5s",
                          "with": {"workflow": "child-wf"}}]})");
  auto out = d.start();
  BOOST_TEST(only_action(out, ak::timer, "sub").at == t0 + 5000);
  auto fired = d.timer_at("sub", t0 + 5000);
  BOOST_TEST(only_action(fired, ak::cancel_child, "sub").child_run_id == "r1-sub");
  BOOST_TEST(d.status_of("sub") == "failed");
  BOOST_TEST(d.item("sub").error["code"] == "timeout");
  // The child's answer after the timeout is ignored.
  BOOST_TEST(d.child("sub", "r1-sub", child_ok(1)).events.empty());
}

BOOST_AUTO_TEST_CASE(a_step_timeout_counts_from_the_current_attempt_after_retry_failed) {
  driver d(R"({"steps": [{"id": "sub", "kind": "workflow", "timeout": "10s",
                          "with": {"workflow": "child-wf"}}]})");
  d.start();
  child_result failed;
  failed.status = run_status::failed;
  d.env.now = t0 + 2000;
  d.child("sub", "r1-sub", failed);
  BOOST_TEST(d.run_status_text() == "failed");
  d.env.now = t0 + 3000;
  BOOST_TEST_REQUIRE(d.control(run_control_action::retry_failed).has_value());
  // The first attempt's timer (t0 + 10 s) fires: the second attempt began at t0 + 3 s.
  d.timer_at("sub", t0 + 10000);
  BOOST_TEST(d.status_of("sub") == "waiting");
  BOOST_TEST(d.item("sub").attempt_started_at == t0 + 3000);
  // A rebuilt run arms the timer from the attempt, not from the first start.
  auto rec = d.recover();
  BOOST_TEST(only_action(rec, ak::timer, "sub").at == t0 + 13000);
  d.check_replay();
}

BOOST_AUTO_TEST_SUITE_END()
