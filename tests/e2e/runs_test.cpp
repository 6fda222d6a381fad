// Runs end to end through the real binary (issue 4, notes/runs-api.md): starting runs,
// idempotency, graph semantics and every step kind this build runs. Control, lists, modes,
// metrics and restarts: run_control_test.cpp.
#define BOOST_TEST_MODULE e2e_runs
#include "tests/e2e/runs_support.hpp"

BOOST_FIXTURE_TEST_SUITE(runs, node_fixture)

BOOST_AUTO_TEST_CASE(three_transforms_with_wait_succeed_with_the_workflow_output) {
  publish("w1", three_transforms);
  json r = start_ok("w1", R"({"input": {"n": 1}})");
  BOOST_TEST(r["status"] == "succeeded");
  BOOST_TEST(r["output"] == parse(R"({"sum": 5})"));
  BOOST_TEST(r["id"].get<std::string>().rfind("run_", 0) == 0u);
  BOOST_TEST(r["workflow_id"] == "w1");
  BOOST_TEST(r["workflow_version"] == 1);
  BOOST_TEST(r["kind"] == "workflow");
  BOOST_TEST(r["mode"] == "live");
  BOOST_TEST(r["trigger"]["type"] == "api");
  BOOST_TEST(r["input"] == parse(R"({"n": 1})"));
  BOOST_TEST(r["error"].is_null());
  BOOST_TEST(r["parent_run_id"].is_null());
  BOOST_TEST(r["items_total"] == 3);
  BOOST_TEST(r["items_succeeded"] == 3);
  BOOST_TEST(r["items_failed"] == 0);
  BOOST_TEST(r["items_pending"] == 0);
  BOOST_TEST(r["credits_used"] == 0);
  const std::string id = r["id"];
  const std::string url = r["web_url"];
  BOOST_TEST(url.size() > id.size());
  BOOST_TEST(url.substr(url.size() - id.size() - 6) == "/runs/" + id);
  BOOST_TEST(time_of(r["finished_at"]) >= time_of(r["created_at"]));
  auto again = run(id);
  BOOST_TEST(again["status"] == "succeeded");
  BOOST_TEST(again["output"] == r["output"]);
  // No body at all: input {}.
  auto empty = start("w1", "", "");
  BOOST_TEST(empty.status == 201);
  BOOST_TEST(empty.body["input"] == json::object());
}

BOOST_AUTO_TEST_CASE(input_failing_the_input_schema_is_a_400_with_details_and_creates_no_run) {
  publish("typed", R"({"input_schema": {"type": "object", "required": ["email"],
    "properties": {"email": {"type": "string"}}},
    "steps": [{"id": "a", "kind": "transform", "with": {"value": 1}}]})");
  auto bad = start("typed", R"({"input": {"email": 3}})");
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(bad.body["error"]["code"] == "invalid_argument");
  BOOST_REQUIRE(bad.body["error"]["details"].is_array());
  BOOST_REQUIRE(bad.body["error"]["details"].size() >= 1u);
  BOOST_TEST(bad.body["error"]["details"][0]["path"].is_string());
  BOOST_TEST(bad.body["error"]["details"][0]["message"].is_string());
  BOOST_TEST(start("typed", R"({"input": {}})").status == 400);
  BOOST_TEST(run_count("&workflow=typed") == 0u);
  BOOST_TEST(start("typed", R"({"input": {"email": "a@b.c"}})").status == 201);
  BOOST_TEST(run_count("&workflow=typed") == 1u);
}

BOOST_AUTO_TEST_CASE(starting_an_unknown_or_never_published_workflow_is_refused) {
  BOOST_TEST(start("nobody").status == 404);
  BOOST_TEST(req("PUT", "/v1/workflows/drafty", three_transforms).status == 201);
  auto a = start("drafty");
  BOOST_TEST(a.status == 409);
  BOOST_TEST(a.body["error"]["code"] == "conflict");
  BOOST_TEST(run_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_step_kind_this_build_cannot_run_publishes_but_refuses_runs_by_name) {
  publish("waits", R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": 1}},
    {"id": "await-signal", "kind": "wait_event", "with": {"topic": "order.paid"}}]})");
  auto a = start("waits");
  BOOST_TEST(a.status == 409);
  const std::string msg = a.body["error"]["message"];
  BOOST_TEST(msg.find("await-signal") != std::string::npos, msg);
  BOOST_TEST(msg.find("wait_event") != std::string::npos, msg);
  publish("asks", R"({"steps": [{"id": "sign-off", "kind": "approval",
    "with": {"prompt": "ok?"}}]})");
  auto b = start("asks");
  BOOST_TEST(b.status == 409);
  const std::string msg2 = b.body["error"]["message"];
  BOOST_TEST(msg2.find("sign-off") != std::string::npos, msg2);
  BOOST_TEST(msg2.find("approval") != std::string::npos, msg2);
  BOOST_TEST(run_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_repeated_idempotency_key_answers_the_original_run) {
  publish("idem", three_transforms);
  auto first = start("idem", R"({"input": {"n": 1}, "idempotency_key": "k-1"})");
  BOOST_TEST(first.status == 201);
  auto second = start("idem", R"({"input": {"n": 1}, "idempotency_key": "k-1"})");
  BOOST_TEST(second.status == 200);
  BOOST_TEST(second.body["id"] == first.body["id"]);
  // The header carries the same key; numbers compare by value.
  auto third = start("idem", R"({"input": {"n": 1.0}})", "?wait=5s", {{"Idempotency-Key", "k-1"}});
  BOOST_TEST(third.status == 200);
  BOOST_TEST(third.body["id"] == first.body["id"]);
  auto both = start("idem", R"({"input": {"n": 1}, "idempotency_key": "k-1"})", "",
                    {{"Idempotency-Key", "k-1"}});
  BOOST_TEST(both.status == 200);
  BOOST_TEST(run_count("&workflow=idem") == 1u);
}

BOOST_AUTO_TEST_CASE(reusing_an_idempotency_key_with_another_body_is_a_422) {
  publish("idem", three_transforms);
  BOOST_TEST(start("idem", R"({"input": {"n": 1}, "idempotency_key": "k"})").status == 201);
  auto other = start("idem", R"({"input": {"n": 2}, "idempotency_key": "k"})");
  BOOST_TEST(other.status == 422);
  BOOST_TEST(other.body["error"]["code"] == "idempotency_key_reused");
  auto other_mode =
      start("idem", R"({"input": {"n": 1}, "mode": "dry_run", "idempotency_key": "k"})");
  BOOST_TEST(other_mode.status == 422);
  BOOST_TEST(run_count("&workflow=idem") == 1u);
}

BOOST_AUTO_TEST_CASE(header_and_body_keys_that_differ_are_a_400_and_start_nothing) {
  publish("idem", three_transforms);
  auto a = start("idem", R"({"idempotency_key": "body-key"})", "?wait=5s",
                 {{"Idempotency-Key", "header-key"}});
  BOOST_TEST(a.status == 400);
  BOOST_TEST(a.body["error"]["code"] == "invalid_argument");
  BOOST_TEST(run_count() == 0u);
}

BOOST_AUTO_TEST_CASE(concurrent_duplicate_starts_with_one_key_create_exactly_one_run) {
  publish("idem", three_transforms);
  constexpr int callers = 16;
  std::latch go(callers);
  std::vector<int> statuses(callers);
  std::vector<std::string> ids(callers), bodies(callers);
  std::vector<std::thread> threads;
  for (int i = 0; i < callers; ++i)
    threads.emplace_back([&, i] {
      auto c = node.client();
      go.arrive_and_wait();
      auto r = c->Post("/v1/workflows/idem/runs",
                       R"({"input": {"n": 7}, "idempotency_key": "same"})", "application/json");
      if (!r) return;
      statuses[i] = r->status;
      bodies[i] = r->body.substr(0, 300);
      auto body = af::parse_json(r->body);
      if (body.has_value() && body->contains("id")) ids[i] = (*body)["id"];
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < callers; ++i)
    BOOST_TEST((statuses[i] == 200 || statuses[i] == 201),
               std::to_string(statuses[i]) + " " + bodies[i]);
  BOOST_TEST(std::count(statuses.begin(), statuses.end(), 201) == 1);
  BOOST_TEST(std::count(statuses.begin(), statuses.end(), 200) == callers - 1);
  std::set<std::string> distinct(ids.begin(), ids.end());
  BOOST_TEST(distinct.size() == 1u);
  BOOST_TEST(!distinct.begin()->empty());
  BOOST_TEST(run_count("&workflow=idem") == 1u);
}

BOOST_AUTO_TEST_CASE(branch_and_if_skip_the_paths_not_taken) {
  publish("route", R"({"steps": [
    {"id": "route", "kind": "branch",
     "with": {"cases": [{"when": "{{ input.n > 5 }}", "next": ["big"]}], "default": ["small"]}},
    {"id": "big", "kind": "transform", "with": {"value": "big"}},
    {"id": "small", "kind": "transform", "with": {"value": "small"}},
    {"id": "maybe", "kind": "transform", "needs": [], "if": "{{ input.n == 99 }}",
     "with": {"value": "m"}},
    {"id": "after", "kind": "transform", "needs": ["big", "small"],
     "with": {"value": "{{ coalesce(steps.big.output, steps.small.output) }}"}}],
    "output": "{{ steps.after.output }}"})");
  json r = start_ok("route", R"({"input": {"n": 1}})");
  BOOST_TEST(r["status"] == "succeeded");
  BOOST_TEST(r["output"] == "small");
  auto it = items(r["id"]);
  BOOST_TEST(it["big"]["status"] == "skipped");
  BOOST_TEST(it["small"]["status"] == "succeeded");
  BOOST_TEST(it["maybe"]["status"] == "skipped");
  BOOST_TEST(it["after"]["status"] == "succeeded");
  BOOST_TEST(start_ok("route", R"({"input": {"n": 9}})")["output"] == "big");
}

BOOST_AUTO_TEST_CASE(a_fail_step_fails_the_run_and_failures_lists_it_with_the_item) {
  publish("boom", R"({"steps": [
    {"id": "a", "kind": "transform", "with": {"value": 1}},
    {"id": "explode", "kind": "fail", "with": {"code": "bad_thing", "message": "it broke"}},
    {"id": "c", "kind": "transform", "with": {"value": 2}}]})");
  json r = start_ok("boom");
  BOOST_TEST(r["status"] == "failed");
  BOOST_TEST(r["error"]["code"] == "bad_thing");
  BOOST_TEST(r["error"]["message"] == "it broke");
  BOOST_TEST(r["error"]["item_id"] == "explode");
  auto it = items(r["id"]);
  BOOST_TEST(it["a"]["status"] == "succeeded");
  BOOST_TEST(it["explode"]["status"] == "failed");
  BOOST_TEST(it["explode"]["handled"] == false);
  BOOST_TEST(it["explode"]["error"]["code"] == "bad_thing");
  BOOST_TEST(it["c"]["status"] == "canceled");
  auto f = req("GET", "/v1/failures");
  BOOST_TEST(f.status == 200);
  BOOST_REQUIRE(f.body["data"].size() == 1u);
  BOOST_TEST(f.body["data"][0]["run"]["id"] == r["id"]);
  BOOST_REQUIRE(f.body["data"][0]["failed_items"].size() == 1u);
  BOOST_TEST(f.body["data"][0]["failed_items"][0]["id"] == "explode");
  BOOST_TEST(f.body["next_cursor"].is_null());
}

BOOST_AUTO_TEST_CASE(on_error_continue_lets_the_run_succeed_with_a_handled_failed_item) {
  publish("shrug", R"({"steps": [
    {"id": "explode", "kind": "fail", "on_error": "continue", "with": {"message": "meh"}},
    {"id": "c", "kind": "transform", "with": {"value": "{{ steps.explode.status }}"}}],
    "output": "{{ steps.c.output }}"})");
  json r = start_ok("shrug");
  BOOST_TEST(r["status"] == "succeeded");
  BOOST_TEST(r["output"] == "failed");
  auto it = items(r["id"]);
  BOOST_TEST(it["explode"]["status"] == "failed");
  BOOST_TEST(it["explode"]["handled"] == true);
  BOOST_TEST(it["c"]["status"] == "succeeded");
  BOOST_TEST(req("GET", "/v1/failures").body["data"].size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_fallback_stands_in_for_its_failed_primary_and_is_skipped_otherwise) {
  const std::string def = R"({"steps": [
    {"id": "primary", "kind": "PRIMARY_KIND", "on_error": "fallback:backup", "with": PRIMARY_WITH},
    {"id": "backup", "kind": "transform", "with": {"value": {"v": "fallback"}}},
    {"id": "use", "kind": "transform", "needs": ["primary"],
     "with": {"value": "{{ steps.primary.output.v }}"}}],
    "output": "{{ steps.use.output }}"})";
  auto make = [&](const std::string& kind, const std::string& with) {
    std::string s = def;
    s.replace(s.find("PRIMARY_KIND"), 12, kind);
    s.replace(s.find("PRIMARY_WITH"), 12, with);
    return s;
  };
  publish("fb-fail", make("fail", R"({"message": "no"})"));
  json r = start_ok("fb-fail");
  BOOST_TEST(r["status"] == "succeeded");
  BOOST_TEST(r["output"] == "fallback");
  auto it = items(r["id"]);
  BOOST_TEST(it["primary"]["status"] == "failed");
  BOOST_TEST(it["primary"]["handled"] == true);
  BOOST_TEST(it["backup"]["status"] == "succeeded");

  publish("fb-ok", make("transform", R"({"value": {"v": "primary"}})"));
  json ok = start_ok("fb-ok");
  BOOST_TEST(ok["status"] == "succeeded");
  BOOST_TEST(ok["output"] == "primary");
  BOOST_TEST(items(ok["id"])["backup"]["status"] == "skipped");
}

BOOST_AUTO_TEST_CASE(a_run_time_expression_error_fails_only_that_item) {
  publish("expr", R"({"error_handling": "continue", "steps": [
    {"id": "bad", "kind": "transform", "needs": [], "with": {"value": "{{ to_number(input.s) }}"}},
    {"id": "good", "kind": "transform", "needs": [], "with": {"value": "{{ len(input.s) }}"}}]})");
  json r = start_ok("expr", R"({"input": {"s": "abc"}})");
  BOOST_TEST(r["status"] == "succeeded");
  auto it = items(r["id"]);
  BOOST_TEST(it["bad"]["status"] == "failed");
  BOOST_TEST(it["bad"]["error"]["code"] == "expression_error");
  BOOST_TEST(it["good"]["status"] == "succeeded");
  BOOST_TEST(it["good"]["outputs"] == 3);
  BOOST_TEST(req("GET", "/healthz").status == 200);
}

BOOST_AUTO_TEST_CASE(a_step_output_over_256_kib_fails_the_item_with_limit_exceeded) {
  publish("big", R"({"steps": [
    {"id": "glue", "kind": "transform", "with": {"value": "{{ join(input.parts, '') }}"}}]})");
  json parts = json::array();
  for (int i = 0; i < 300; ++i) parts.push_back(std::string(1000, 'x'));
  json body = {{"input", {{"parts", parts}}}};
  json r = start_ok("big", af::dump(body));
  BOOST_TEST(r["status"] == "failed");
  BOOST_TEST(r["error"]["code"] == "limit_exceeded");
  BOOST_TEST(items(r["id"])["glue"]["error"]["code"] == "limit_exceeded");
  // Just under the limit is fine.
  json small = {{"input", {{"parts", json::array({std::string(1000, 'y')})}}}};
  BOOST_TEST(start_ok("big", af::dump(small))["status"] == "succeeded");
}

BOOST_AUTO_TEST_CASE(foreach_inline_outputs_in_input_order_with_an_item_per_element) {
  publish("each", R"({"steps": [
    {"id": "each", "kind": "foreach", "with": {"items": "{{ input.xs }}", "concurrency": 3,
     "step": {"kind": "transform", "with": {"value": "{{ item * 10 + index }}"}}}}],
    "output": "{{ steps.each.output }}"})");
  json r = start_ok("each", R"({"input": {"xs": [1, 2, 3, 4, 5, 6, 7]}})");
  BOOST_TEST(r["status"] == "succeeded");
  BOOST_TEST(r["output"] == parse("[10, 21, 32, 43, 54, 65, 76]"));
  BOOST_TEST(r["items_total"] == 8);
  auto list = item_list(r["id"]);
  BOOST_REQUIRE(list.size() == 8u);
  BOOST_TEST(list[0]["id"] == "each");
  BOOST_TEST(list[0]["row"].is_null());
  for (int i = 0; i < 7; ++i) {
    BOOST_TEST(list[i + 1]["id"] == "each." + std::to_string(i));
    BOOST_TEST(list[i + 1]["row"] == i);
  }
}

BOOST_AUTO_TEST_CASE(foreach_over_more_than_10000_elements_fails_the_item_with_limit_exceeded) {
  publish("many", R"({"steps": [
    {"id": "each", "kind": "foreach", "with": {"items": "{{ input.xs }}",
     "step": {"kind": "transform", "with": {"value": "{{ item }}"}}}}]})");
  json xs = json::array();
  for (int i = 0; i < 10001; ++i) xs.push_back(0);
  json r = start_ok("many", af::dump(json{{"input", {{"xs", xs}}}}));
  BOOST_TEST(r["status"] == "failed");
  auto it = items(r["id"]);
  BOOST_TEST(it["each"]["status"] == "failed");
  BOOST_TEST(it["each"]["error"]["code"] == "limit_exceeded");
}

BOOST_AUTO_TEST_CASE(a_workflow_step_runs_a_child_whose_output_becomes_the_step_output) {
  publish("child", R"({"steps": [{"id": "inc", "kind": "transform",
    "with": {"value": "{{ input.v + 1 }}"}}], "output": "{{ steps.inc.output }}"})");
  publish("parent", R"({"steps": [{"id": "call", "kind": "workflow",
    "with": {"workflow": "child", "input": {"v": "{{ input.v }}"}}}],
    "output": "{{ steps.call.output }}"})");
  json r = start_ok("parent", R"({"input": {"v": 41}})");
  BOOST_TEST(r["status"] == "succeeded");
  BOOST_TEST(r["output"] == 42);
  const std::string id = r["id"];
  auto call_item = items(id)["call"];
  BOOST_TEST(call_item["outputs"] == 42);
  BOOST_REQUIRE(call_item["child_run_id"].is_string());
  BOOST_TEST(call_item["child_run_id"] == id + "-call");
  json child = run(call_item["child_run_id"]);
  BOOST_TEST(child["workflow_id"] == "child");
  BOOST_TEST(child["status"] == "succeeded");
  BOOST_TEST(child["trigger"]["type"] == "child");
  BOOST_TEST(child["trigger"]["parent_run_id"] == id);
  BOOST_TEST(child["trigger"]["parent_item_id"] == "call");
  BOOST_TEST(child["parent_run_id"] == id);
  BOOST_TEST(child["input"] == parse(R"({"v": 41})"));
}

BOOST_AUTO_TEST_CASE(parallel_children_finishing_together_all_reach_their_parent) {
  // Three children finish while their parent is parked or has a batch in flight: every
  // child_done must reach it (a parent that parked with one still on its way waited forever).
  publish("kid", R"({"steps": [{"id": "w", "kind": "transform",
    "with": {"value": "{{ input.x }}"}}], "output": "{{ steps.w.output }}"})");
  publish("fan3", R"({"steps": [
    {"id": "x", "kind": "workflow", "needs": [], "with": {"workflow": "kid", "input": {"x": 1}}},
    {"id": "y", "kind": "workflow", "needs": [], "with": {"workflow": "kid", "input": {"x": 2}}},
    {"id": "z", "kind": "workflow", "needs": [], "with": {"workflow": "kid", "input": {"x": 3}}}],
    "output": ["{{ steps.x.output }}", "{{ steps.y.output }}", "{{ steps.z.output }}"]})");
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(start_ok("fan3", "", "")["id"]);  // no wait: may park
  for (const auto& id : ids) {
    json done = wait_finished(id);
    BOOST_TEST(done["status"] == "succeeded");
    BOOST_TEST(done["output"] == parse("[1, 2, 3]"));
  }
}

BOOST_AUTO_TEST_CASE(a_template_giving_a_number_where_text_is_expected_fails_cleanly) {
  publish("numfail", R"({"steps": [{"id": "f", "kind": "fail",
    "with": {"message": "{{ input.n * 2 }}"}}]})");
  json r = start_ok("numfail", R"({"input": {"n": 5}})");
  BOOST_TEST(r["status"] == "failed");
  BOOST_TEST(r["error"]["code"] == "failed");
  BOOST_TEST(r["error"]["message"] == "10");
  publish("numchild", R"({"steps": [{"id": "c", "kind": "workflow",
    "with": {"workflow": "{{ input.n }}"}}]})");
  json c = start_ok("numchild", R"({"input": {"n": 5}})");
  BOOST_TEST(c["status"] == "failed");
  BOOST_TEST(c["error"]["code"] == "expression_error");
}

BOOST_AUTO_TEST_CASE(a_batch_of_three_rows_outputs_the_row_outputs_in_order) {
  publish("w1", three_transforms);
  auto a =
      req("POST", "/v1/workflows/w1/batch?wait=5s", R"({"rows": [{"n": 1}, {"n": 2}, {"n": 3}]})");
  BOOST_REQUIRE_MESSAGE(a.status == 201, af::dump(a.body));
  json r = a.body;
  BOOST_TEST(r["kind"] == "batch");
  BOOST_TEST(r["status"] == "succeeded");
  BOOST_TEST(r["output"] == parse(R"([{"sum": 5}, {"sum": 7}, {"sum": 9}])"));
  auto list = item_list(r["id"]);
  BOOST_REQUIRE(list.size() == 3u);
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(list[i]["id"] == "row." + std::to_string(i));
    BOOST_TEST(list[i]["status"] == "succeeded");
  }
}

BOOST_AUTO_TEST_CASE(a_300ms_delay_with_wait_succeeds_after_the_delay) {
  publish("nap", R"({"steps": [{"id": "nap", "kind": "delay", "with": {"for": "300ms"}},
    {"id": "after", "kind": "transform", "with": {"value": "awake"}}],
    "output": "{{ steps.after.output }}"})");
  const auto began = std::chrono::steady_clock::now();
  json r = start_ok("nap");
  const auto took = std::chrono::steady_clock::now() - began;
  BOOST_TEST(r["status"] == "succeeded");
  BOOST_TEST(r["output"] == "awake");
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() >= 300);
  BOOST_TEST(time_of(r["finished_at"]) - time_of(r["created_at"]) >= 300);
  // GET ?wait holds the answer until the run finishes, too.
  json later = start_ok("nap", "", "");
  BOOST_TEST(later["status"] == "waiting");
  auto got = req("GET", "/v1/runs/" + later["id"].get<std::string>() + "?wait=5s");
  BOOST_TEST(got.status == 200);
  BOOST_TEST(got.body["status"] == "succeeded");
}

BOOST_AUTO_TEST_SUITE_END()
