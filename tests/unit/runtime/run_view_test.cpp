// The API shapes of runs and items and the status shown (DESIGN §2, §9 "Graph", "Answers").
#include <boost/test/unit_test.hpp>

#include "tests/unit/runtime/run_support.hpp"

using namespace run_test;

namespace {

std::vector<std::string> keys_of(const json& obj) {
  std::vector<std::string> v;
  for (const auto& [k, _] : obj.items()) v.push_back(k);
  return v;
}

std::string shown(const run_state& st) {
  return std::string(to_string(view_status(st)));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_view_shapes)

BOOST_AUTO_TEST_CASE(a_run_view_has_the_design_fields) {
  driver d(R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": 1}},
                         {"id": "call", "kind": "http", "with": {"url": "http://a.test/"}}]})");
  run_init init = init_for("r1", "dry_run", json{{"x", 1}});
  init.parent_run_id = "p9";
  init.parent_item_id = "step";
  d.start(init);
  json v = run_view(d.st, "http://node:7400");
  BOOST_TEST(
      keys_of(v) == (std::vector<std::string>{"id",           "workflow_id",   "workflow_version",
                                              "kind",         "status",        "mode",
                                              "trigger",      "input",         "output",
                                              "error",        "items_total",   "items_succeeded",
                                              "items_failed", "items_pending", "credits_reserved",
                                              "credits_used", "created_at",    "started_at",
                                              "finished_at",  "parent_run_id", "web_url"}),
      boost::test_tools::per_element());
  BOOST_TEST(v["id"] == "r1");
  BOOST_TEST(v["workflow_id"] == "wf");
  BOOST_TEST(v["workflow_version"] == 1);
  BOOST_TEST(v["kind"] == "workflow");
  BOOST_TEST(v["status"] == "running");
  BOOST_TEST(v["mode"] == "dry_run");
  BOOST_TEST(af::dump(v["trigger"]) == R"({"type":"api"})");
  BOOST_TEST(af::dump(v["input"]) == R"({"x":1})");
  BOOST_TEST(v["items_total"] == 2);
  BOOST_TEST(v["items_succeeded"] == 1);
  BOOST_TEST(v["items_pending"] == 1);
  BOOST_TEST(v["created_at"] == af::format_time(t0));
  BOOST_TEST(v["finished_at"].is_null());
  BOOST_TEST(v["parent_run_id"] == "p9");
  BOOST_TEST(v["web_url"] == "http://node:7400/runs/r1");
}

BOOST_AUTO_TEST_CASE(a_failed_run_view_counts_failures_and_carries_the_error) {
  driver d(R"({"steps": [{"id": "a", "kind": "fail", "with": {"code": "nope", "message": "m"}},
                         {"id": "b", "kind": "transform", "with": {"value": 1}}]})");
  d.env.now = t0 + 5;
  d.start();
  json v = run_view(d.st, "");
  BOOST_TEST(v["status"] == "failed");
  BOOST_TEST(v["items_failed"] == 1);
  BOOST_TEST(v["items_pending"] == 0);
  BOOST_TEST(af::dump(v["error"]) == R"({"code":"nope","message":"m","item_id":"a"})");
  BOOST_TEST(v["finished_at"] == af::format_time(t0 + 5));
  BOOST_TEST(v["parent_run_id"].is_null());
}

BOOST_AUTO_TEST_CASE(an_item_view_has_the_design_fields) {
  driver d(R"({"steps": [{"id": "call", "kind": "http", "with": {"url": "http://a.test/"}}]})");
  d.start();
  d.env.now = t0 + 10;
  d.http_status("call", 1, 500);
  json v = item_view(d.st, d.item("call"));
  for (const char* k :
       {"id", "run_id", "step_id", "row", "status", "attempt_count", "inputs", "outputs", "error",
        "handled", "credits_used", "started_at", "finished_at", "next_attempt_at"})
    BOOST_TEST(v.contains(k), "item view has " << k);
  BOOST_TEST(v["id"] == "call");
  BOOST_TEST(v["run_id"] == "r1");
  BOOST_TEST(v["step_id"] == "call");
  BOOST_TEST(v["row"].is_null());
  BOOST_TEST(v["status"] == "retrying");
  BOOST_TEST(v["attempt_count"] == 1);
  BOOST_TEST(v["inputs"]["url"] == "http://a.test/");
  BOOST_TEST(v["error"]["code"] == "http_status");
  BOOST_TEST(v["handled"] == false);
  BOOST_TEST(v["started_at"] == af::format_time(t0));
  BOOST_TEST(v["next_attempt_at"] == af::format_time(t0 + 1010));
}

BOOST_AUTO_TEST_CASE(a_row_item_view_names_its_step_and_row) {
  driver d(R"({"steps": [{"id": "each", "kind": "foreach", "with": {"items": [5, 6],
     "step": {"kind": "transform", "with": {"value": "{{ item }}"}}}}]})");
  d.start();
  json v = item_view(d.st, d.item("each.1"));
  BOOST_TEST(v["step_id"] == "each");
  BOOST_TEST(v["row"] == 1);
  BOOST_TEST(v["outputs"] == 6);
}

BOOST_AUTO_TEST_CASE(the_status_shown_is_running_while_anything_runs_or_retries) {
  driver d(R"({"steps": [
    {"id": "call", "kind": "http", "with": {"url": "http://a.test/"}},
    {"id": "pause", "kind": "delay", "needs": [], "with": {"for": "1h"}}]})");
  d.start();
  BOOST_TEST(shown(d.st) == "running");
  d.http_status("call", 1, 500);
  BOOST_TEST(shown(d.st) == "running");  // retrying counts as running
  d.timer_at("call", t0 + 1000);
  d.http_status("call", 2, 200);
  BOOST_TEST(shown(d.st) == "waiting");          // only the delay is left
  BOOST_TEST(d.run_status_text() == "running");  // stored: running; shown: waiting
  BOOST_TEST(d.control(run_control_action::pause).has_value());
  BOOST_TEST(shown(d.st) == "paused");
  BOOST_TEST(d.control(run_control_action::resume).has_value());
  BOOST_TEST(shown(d.st) == "waiting");
  d.timer_at("pause", t0 + 3600000);
  BOOST_TEST(shown(d.st) == "succeeded");
}

BOOST_AUTO_TEST_CASE(a_foreach_whose_rows_all_wait_shows_waiting) {
  driver d(R"({"steps": [{"id": "each", "kind": "foreach", "with": {"items": [1, 2],
     "step": {"kind": "delay", "with": {"for": "1m"}}}}]})");
  d.start();
  BOOST_TEST(d.status_of("each") == "running");
  BOOST_TEST(shown(d.st) == "waiting");
}

BOOST_AUTO_TEST_CASE(item_order_puts_rows_right_after_their_step) {
  driver d(R"({"steps": [
    {"id": "first", "kind": "foreach", "with": {"items": [1, 2],
     "step": {"kind": "transform", "with": {"value": 0}}}},
    {"id": "mid", "kind": "transform", "with": {"value": 0}},
    {"id": "second", "kind": "foreach", "with": {"items": [1],
     "step": {"kind": "transform", "with": {"value": 0}}}},
    {"id": "last", "kind": "transform", "with": {"value": 0}}]})");
  d.start();
  std::vector<std::string> ids;
  for (auto i : item_order(d.st)) ids.push_back(d.st.items[i].id);
  BOOST_TEST(ids == (std::vector<std::string>{"first", "first.0", "first.1", "mid", "second",
                                              "second.0", "last"}),
             boost::test_tools::per_element());
  BOOST_TEST(item_order(d.st).size() == d.st.items.size());
}

BOOST_AUTO_TEST_CASE(status_names_parse_back) {
  for (auto s : {run_status::queued, run_status::running, run_status::waiting, run_status::paused,
                 run_status::succeeded, run_status::failed, run_status::canceled})
    BOOST_TEST((parse_run_status(to_string(s)) == s));
  for (auto s :
       {item_status::pending, item_status::running, item_status::waiting, item_status::retrying,
        item_status::succeeded, item_status::failed, item_status::skipped, item_status::canceled})
    BOOST_TEST((parse_item_status(to_string(s)) == s));
  BOOST_TEST(!parse_run_status("done").has_value());
  BOOST_TEST(valid_mode("smoke_test"));
  BOOST_TEST(!valid_mode("live "));
}

BOOST_AUTO_TEST_SUITE_END()
