// Runs end to end through the real binary (issue 4): run control, http steps, modes, items,
// history and list paging, bad inputs, metrics and auto-pause, restarts. Shared helpers:
// runs_support.hpp.
#define BOOST_TEST_MODULE e2e_run_control
#include "tests/e2e/runs_support.hpp"

BOOST_FIXTURE_TEST_SUITE(run_control, node_fixture)

BOOST_AUTO_TEST_CASE(cancel_of_a_parked_run_is_final_and_repeatable) {
  publish("parked", parked_on_delay);
  json r = start_ok("parked", "", "");
  const std::string id = r["id"];
  wait_for(id, [](const json& x) { return x["status"] == "waiting"; });
  auto c = req("POST", "/v1/runs/" + id + "/cancel");
  BOOST_TEST(c.status == 200);
  BOOST_TEST(c.body["status"] == "canceled");
  BOOST_TEST(c.body["error"].is_null());
  auto again = req("POST", "/v1/runs/" + id + "/cancel");
  BOOST_TEST(again.status == 200);
  BOOST_TEST(again.body["status"] == "canceled");
  BOOST_TEST(again.body["finished_at"] == c.body["finished_at"]);
  BOOST_TEST(req("POST", "/v1/runs/" + id + "/resume").status == 409);
  BOOST_TEST(req("POST", "/v1/runs/" + id + "/pause").status == 409);
  BOOST_TEST(req("POST", "/v1/runs/" + id + "/retry-failed").status == 409);
  auto it = items(id);
  BOOST_TEST(it["nap"]["status"] == "canceled");
  BOOST_TEST(it["after"]["status"] == "canceled");
  BOOST_TEST(history(id).back()["type"] == "run.canceled");
}

BOOST_AUTO_TEST_CASE(pause_holds_back_new_steps_until_resume) {
  publish("pausable", R"({"steps": [{"id": "nap", "kind": "delay", "with": {"for": "400ms"}},
    {"id": "after", "kind": "transform", "with": {"value": "done"}}],
    "output": "{{ steps.after.output }}"})");
  json r = start_ok("pausable", "", "");
  const std::string id = r["id"];
  auto p = req("POST", "/v1/runs/" + id + "/pause");
  BOOST_TEST(p.status == 200);
  BOOST_TEST(p.body["status"] == "paused");
  BOOST_TEST(req("POST", "/v1/runs/" + id + "/pause").body["status"] == "paused");
  // The running delay finishes; nothing after it starts while paused.
  bool fired = wait_until([&] { return items(id)["nap"]["status"] == "succeeded"; }, 5s);
  BOOST_TEST(fired);
  BOOST_TEST(run(id)["status"] == "paused");
  BOOST_TEST(items(id)["after"]["status"] == "pending");
  auto resumed = req("POST", "/v1/runs/" + id + "/resume");
  BOOST_TEST(resumed.status == 200);
  BOOST_TEST(resumed.body["status"] != "paused");
  json done = wait_finished(id);
  BOOST_TEST(done["status"] == "succeeded");
  BOOST_TEST(done["output"] == "done");
  BOOST_TEST(req("POST", "/v1/runs/" + id + "/resume").status == 409);
  std::vector<std::string> types;
  for (auto& e : history(id)) types.push_back(e["type"]);
  BOOST_TEST((std::find(types.begin(), types.end(), "run.paused") != types.end()));
  BOOST_TEST((std::find(types.begin(), types.end(), "run.resumed") != types.end()));
}

BOOST_AUTO_TEST_CASE(retry_failed_reruns_only_the_failed_items_after_the_remote_recovers) {
  recorder remote;
  remote.failing = true;
  publish("pay", with_port(R"({"steps": [
    {"id": "stamp", "kind": "transform", "with": {"value": "{{ now() }}"}},
    {"id": "charge", "kind": "http", "retry": {"max_attempts": 2, "initial_interval": "10ms"},
     "with": {"method": "POST", "url": "http://127.0.0.1:PORT/charge", "body": {"n": 1}}},
    {"id": "done", "kind": "transform", "with": {"value": "{{ steps.charge.output.body.ok }}"}}],
    "output": "{{ steps.done.output }}"})",
                           remote.port));
  json r = start_ok("pay");
  const std::string id = r["id"];
  r = wait_finished(id);
  BOOST_TEST(r["status"] == "failed");
  BOOST_TEST(r["error"]["item_id"] == "charge");
  BOOST_TEST(r["error"]["code"] == "http_status");
  auto before = items(id);
  BOOST_TEST(before["charge"]["attempt_count"] == 2);
  BOOST_TEST(before["charge"]["error"]["retryable"] == true);
  BOOST_TEST(before["done"]["status"] == "canceled");
  BOOST_TEST(remote.snapshot().size() == 2u);

  remote.failing = false;
  auto retried = req("POST", "/v1/runs/" + id + "/retry-failed");
  BOOST_TEST(retried.status == 200);
  json after_run = wait_finished(id);
  BOOST_TEST(after_run["status"] == "succeeded");
  BOOST_TEST(after_run["output"] == true);
  BOOST_TEST(after_run["error"].is_null());
  auto after = items(id);
  BOOST_TEST(after["stamp"]["outputs"] == before["stamp"]["outputs"]);
  BOOST_TEST(after["charge"]["attempt_count"] == 3);
  BOOST_TEST(after["done"]["status"] == "succeeded");
  auto calls = remote.snapshot();
  BOOST_TEST(calls.size() == 3u);
  for (auto& c : calls) BOOST_TEST(c.key == id + "/charge");
  BOOST_TEST(req("POST", "/v1/runs/" + id + "/retry-failed").status == 409);
  std::vector<std::string> types;
  for (auto& e : history(id)) types.push_back(e["type"]);
  BOOST_TEST((std::find(types.begin(), types.end(), "run.retrying") != types.end()));
}

BOOST_AUTO_TEST_CASE(http_step_sends_the_idempotency_key_and_json_body_and_parses_the_answer) {
  recorder remote;
  publish("echo", with_port(R"({"steps": [{"id": "call", "kind": "http",
    "with": {"method": "POST", "url": "http://127.0.0.1:PORT/echo",
             "body": {"a": "{{ input.a }}", "b": "x"}}}],
    "output": "{{ steps.call.output }}"})",
                            remote.port));
  json r = start_ok("echo", R"({"input": {"a": 1}})");
  BOOST_TEST(r["status"] == "succeeded");
  json out = r["output"];
  BOOST_TEST(out["status"] == 200);
  BOOST_TEST(out["headers"]["x-custom"] == "Yes");
  BOOST_TEST(out["body"] == parse(R"({"got": {"a": 1, "b": "x"}})"));
  auto calls = remote.snapshot();
  BOOST_REQUIRE(calls.size() == 1u);
  BOOST_TEST(calls[0].key == r["id"].get<std::string>() + "/call");
  BOOST_TEST(calls[0].content_type.rfind("application/json", 0) == 0u);
  BOOST_TEST(parse(calls[0].body) == parse(R"({"a": 1, "b": "x"})"));
}

BOOST_AUTO_TEST_CASE(dry_run_simulates_a_post_but_performs_a_get) {
  recorder remote;
  publish("dry", with_port(R"({"steps": [
    {"id": "read", "kind": "http", "with": {"url": "http://127.0.0.1:PORT/read"}},
    {"id": "write", "kind": "http", "mock": {"mocked": true},
     "with": {"method": "POST", "url": "http://127.0.0.1:PORT/charge", "body": {"n": 1}}}]})",
                           remote.port));
  json r = start_ok("dry", R"({"mode": "dry_run"})");
  BOOST_TEST(r["status"] == "succeeded");
  BOOST_TEST(r["mode"] == "dry_run");
  auto it = items(r["id"]);
  BOOST_TEST(it["write"]["status"] == "succeeded");
  BOOST_TEST(it["write"]["simulated"] == true);
  BOOST_TEST(it["write"]["outputs"] == parse(R"({"mocked": true})"));
  BOOST_TEST(it["read"]["simulated"] == false);
  BOOST_TEST(it["read"]["outputs"]["body"]["value"] == 42);
  auto calls = remote.snapshot();
  BOOST_REQUIRE(calls.size() == 1u);
  BOOST_TEST(calls[0].method == "GET");
  BOOST_TEST(calls[0].path == "/read");
}

BOOST_AUTO_TEST_CASE(items_list_in_plan_order_filter_by_status_and_page) {
  publish("mixed", R"({"steps": [
    {"id": "a", "kind": "transform", "with": {"value": 1}},
    {"id": "b", "kind": "fail", "on_error": "continue", "with": {"message": "x"}},
    {"id": "c", "kind": "transform", "with": {"value": 3}},
    {"id": "d", "kind": "transform", "if": false, "with": {"value": 4}}]})");
  const std::string id = start_ok("mixed")["id"];
  std::vector<std::string> order;
  for (auto& i : item_list(id)) order.push_back(i["id"]);
  BOOST_TEST((order == std::vector<std::string>{"a", "b", "c", "d"}));
  auto failed = item_list(id, "&status=failed");
  BOOST_REQUIRE(failed.size() == 1u);
  BOOST_TEST(failed[0]["id"] == "b");
  auto skipped = item_list(id, "&status=skipped");
  BOOST_REQUIRE(skipped.size() == 1u);
  BOOST_TEST(skipped[0]["id"] == "d");
  BOOST_TEST(item_list(id, "&status=succeeded").size() == 2u);
  std::vector<std::string> paged;
  std::string path = "/v1/runs/" + id + "/items?limit=1";
  for (int i = 0; i < 10; ++i) {
    auto page = req("GET", path);
    BOOST_REQUIRE(page.status == 200);
    BOOST_REQUIRE(page.body["data"].size() <= 1u);
    for (auto& x : page.body["data"]) paged.push_back(x["id"]);
    if (page.body["next_cursor"].is_null()) break;
    path =
        "/v1/runs/" + id + "/items?limit=1&cursor=" + page.body["next_cursor"].get<std::string>();
  }
  BOOST_TEST(paged == order);
  BOOST_TEST(req("GET", "/v1/runs/" + id + "/items?status=done").status == 400);
}

BOOST_AUTO_TEST_CASE(history_runs_oldest_first_from_run_created_to_run_succeeded) {
  publish("w1", three_transforms);
  const std::string id = start_ok("w1", R"({"input": {"n": 1}})")["id"];
  auto all = history(id);
  BOOST_REQUIRE(all.size() >= 5u);
  BOOST_TEST(all.front()["type"] == "run.created");
  BOOST_TEST(all.back()["type"] == "run.succeeded");
  std::set<std::string> succeeded;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i > 0) BOOST_TEST(all[i]["seq"].get<long>() > all[i - 1]["seq"].get<long>());
    BOOST_TEST(all[i]["time"].is_string());
    if (all[i]["type"] == "item.succeeded") succeeded.insert(all[i]["item_id"].get<std::string>());
  }
  BOOST_TEST((succeeded == std::set<std::string>{"a", "b", "c"}));
  std::vector<json> paged;
  std::string path = "/v1/runs/" + id + "/history?limit=2";
  for (int i = 0; i < 50; ++i) {
    auto page = req("GET", path);
    BOOST_REQUIRE(page.status == 200);
    for (auto& e : page.body["data"]) paged.push_back(e);
    if (page.body["next_cursor"].is_null()) break;
    path =
        "/v1/runs/" + id + "/history?limit=2&cursor=" + page.body["next_cursor"].get<std::string>();
  }
  BOOST_TEST((paged == all));
  BOOST_TEST(req("GET", "/v1/runs/run_00000000000000ff/history").status == 404);
}

BOOST_AUTO_TEST_CASE(run_list_filters_and_pages_newest_first) {
  const char* def = R"({"steps": [{"id": "maybe-fail", "kind": "fail", "if": "{{ input.fail }}",
    "with": {"message": "asked to"}}]})";
  publish("one", def);
  publish("two", def);
  start_ok("one", R"({"input": {"fail": false}})");
  start_ok("one", R"({"input": {"fail": true}})");
  start_ok("one", R"({"input": {"fail": false}, "mode": "dry_run"})");
  start_ok("two", R"({"input": {"fail": false}})");
  BOOST_TEST(run_count() == 4u);
  BOOST_TEST(run_count("&workflow=one") == 3u);
  BOOST_TEST(run_count("&workflow=two") == 1u);
  BOOST_TEST(run_count("&workflow=three") == 0u);
  BOOST_TEST(run_count("&status=failed") == 1u);
  BOOST_TEST(run_count("&status=succeeded") == 3u);
  BOOST_TEST(run_count("&mode=dry_run") == 1u);
  BOOST_TEST(run_count("&mode=live&workflow=one&status=succeeded") == 1u);
  std::vector<std::pair<std::string, std::string>> seen;  // (created_at, id)
  std::string path = "/v1/runs?limit=1";
  for (int i = 0; i < 10; ++i) {
    auto page = req("GET", path);
    BOOST_REQUIRE(page.status == 200);
    BOOST_REQUIRE(page.body["data"].size() <= 1u);
    for (auto& x : page.body["data"]) seen.emplace_back(x["created_at"], x["id"]);
    if (page.body["next_cursor"].is_null()) break;
    path = "/v1/runs?limit=1&cursor=" + page.body["next_cursor"].get<std::string>();
  }
  BOOST_REQUIRE(seen.size() == 4u);
  for (std::size_t i = 1; i < seen.size(); ++i)
    BOOST_TEST((seen[i - 1].first > seen[i].first ||
                (seen[i - 1].first == seen[i].first && seen[i - 1].second < seen[i].second)));
  std::set<std::string> ids;
  for (auto& s : seen) ids.insert(s.second);
  BOOST_TEST(ids.size() == 4u);
}

BOOST_AUTO_TEST_CASE(bad_inputs_to_every_run_endpoint_are_refused_and_change_nothing) {
  publish("w1", three_transforms);
  publish("parked", parked_on_delay);
  const std::string id = start_ok("parked", "", "")["id"];
  const std::string done = start_ok("w1", R"({"input": {"n": 1}})")["id"];
  const std::size_t runs_before = run_count();
  const std::size_t history_before = history(id).size();
  const json other_page = req("GET", "/v1/runs/" + done + "/items?limit=1").body;
  BOOST_REQUIRE_MESSAGE(other_page["next_cursor"].is_string(), af::dump(other_page));
  const std::string cursor_of_other = other_page["next_cursor"];
  struct bad {
    std::string method, path, body;
    int status;
    httplib::Headers headers = {};
  };
  const std::string r = "/v1/runs/" + id;
  const std::string long_key(256, 'k');
  json too_many_rows = json::array();
  for (int i = 0; i < 10001; ++i) too_many_rows.push_back(json::object());
  const std::vector<bad> cases = {
      {"POST", "/v1/workflows/w1/runs", "{bad", 400},
      {"POST", "/v1/workflows/w1/runs", "[1]", 400},
      {"POST", "/v1/workflows/w1/runs", R"({"inputs": {}})", 400},
      {"POST", "/v1/workflows/w1/runs", R"({"rows": []})", 400},
      {"POST", "/v1/workflows/w1/runs", R"({"mode": "fast"})", 400},
      {"POST", "/v1/workflows/w1/runs", R"({"mode": 3})", 400},
      {"POST", "/v1/workflows/w1/runs", R"({"idempotency_key": ""})", 400},
      {"POST", "/v1/workflows/w1/runs", R"({"idempotency_key": 5})", 400},
      {"POST", "/v1/workflows/w1/runs", R"({"idempotency_key": ")" + long_key + "\"}", 400},
      {"POST", "/v1/workflows/w1/runs", "{}", 400, {{"Idempotency-Key", long_key}}},
      {"POST", "/v1/workflows/w1/runs?wait=61s", "{}", 400},
      {"POST", "/v1/workflows/w1/runs?wait=abc", "{}", 400},
      {"POST", "/v1/workflows/w1/runs?wait=0s", "{}", 400},
      {"POST", "/v1/workflows/w1/runs?wait=", "{}", 400},
      {"POST", "/v1/workflows/Bad!/runs", "{}", 400},
      {"POST", "/v1/workflows/w1/batch", "", 400},
      {"POST", "/v1/workflows/w1/batch", "{}", 400},
      {"POST", "/v1/workflows/w1/batch", R"({"rows": {}})", 400},
      {"POST", "/v1/workflows/w1/batch", R"({"rows": [], "input": {}})", 400},
      {"POST", "/v1/workflows/w1/batch", R"({"rows": [{}], "mode": "x"})", 400},
      {"POST", "/v1/workflows/w1/batch?wait=2m", R"({"rows": [{}]})", 400},
      {"POST", "/v1/workflows/w1/batch", af::dump(json{{"rows", too_many_rows}}), 400},
      {"GET", "/v1/runs?status=bogus", "", 400},
      {"GET", "/v1/runs?mode=bogus", "", 400},
      {"GET", "/v1/runs?workflow=Not!Valid", "", 400},
      {"GET", "/v1/runs?limit=0", "", 400},
      {"GET", "/v1/runs?cursor=forged.cursor", "", 400},
      {"GET", "/v1/runs/" + std::string(201, 'r'), "", 400},
      {"GET", "/v1/runs/a~b", "", 400},
      {"GET", "/v1/runs/run_0000000000000000", "", 404},
      {"GET", r + "?wait=abc", "", 400},
      {"GET", r + "?wait=61s", "", 400},
      {"GET", r + "/items?status=bogus", "", 400},
      {"GET", r + "/items?cursor=forged.cursor", "", 400},
      {"GET", r + "/items?cursor=" + cursor_of_other, "", 400},
      {"GET", r + "/history?cursor=forged.cursor", "", 400},
      {"GET", r + "/history?limit=5000", "", 400},
      {"GET", "/v1/failures?cursor=forged.cursor", "", 400},
      {"GET", "/v1/failures?limit=abc", "", 400},
      {"POST", "/v1/runs/a~b/cancel", "", 400},
      {"POST", r + "/cancel", "{bad", 400},
      {"POST", r + "/pause", "[1]", 400},
      {"POST", "/v1/runs/run_0000000000000000/cancel", "", 404},
      {"POST", r + "/retry-failed", "", 409},
      {"PUT", r, "{}", 405},
  };
  for (const auto& c : cases) {
    auto a = req(c.method, c.path, c.body, c.headers);
    const std::string what = c.method + " " + c.path.substr(0, 120) + " " + c.body.substr(0, 80) +
                             " -> " + std::to_string(a.status) + " " +
                             af::dump(a.body).substr(0, 300);
    BOOST_TEST(a.status == c.status, what);
    BOOST_TEST(a.body["error"]["code"].is_string());
  }
  auto unknown = req("POST", "/v1/workflows/w1/runs", R"({"input": {}, "inptu": 1})");
  BOOST_TEST(unknown.body["error"]["message"].get<std::string>().find("inptu") !=
             std::string::npos);
  BOOST_TEST(req("POST", "/v1/workflows/w1/runs", "x=1", {}).status == 400);
  auto typed = call(*http, "POST", "/v1/workflows/w1/runs", "a", {}, "text/plain");
  BOOST_TEST(typed.status == 415);
  BOOST_TEST(run_count() == runs_before);
  BOOST_TEST(run(id)["status"] == "waiting");
  BOOST_TEST(history(id).size() == history_before);
  BOOST_TEST(req("POST", r + "/cancel").status == 200);
}

BOOST_AUTO_TEST_CASE(workflow_metrics_count_finished_live_runs_only) {
  publish("metered", R"({"steps": [{"id": "maybe-fail", "kind": "fail",
    "if": "{{ input.fail }}", "with": {"message": "asked to"}}]})");
  BOOST_TEST(start_ok("metered", R"({"input": {"fail": true}, "mode": "dry_run"})")["status"] ==
             "failed");
  BOOST_TEST(start_ok("metered", R"({"input": {"fail": false}})")["status"] == "succeeded");
  BOOST_TEST(start_ok("metered", R"({"input": {"fail": false}})")["status"] == "succeeded");
  BOOST_TEST(start_ok("metered", R"({"input": {"fail": true}})")["status"] == "failed");
  json m;
  bool counted = wait_until(
      [&] {
        m = req("GET", "/v1/workflows/metered").body["metrics"];
        return m["run_count"].is_number() && m["run_count"].get<int>() >= 3;
      },
      5s);
  BOOST_REQUIRE_MESSAGE(counted, af::dump(m));
  BOOST_TEST(m["run_count"] == 3);
  BOOST_TEST(m["success_count"] == 2);
  BOOST_TEST(m["failure_count"] == 1);
  BOOST_TEST(m["last_run_status"] == "failed");
  BOOST_TEST(m["last_run_at"].is_string());
  BOOST_REQUIRE(m["success_rate"].is_number());
  BOOST_TEST(std::abs(m["success_rate"].get<double>() - 2.0 / 3.0) < 1e-6);
}

BOOST_AUTO_TEST_CASE(auto_pause_pauses_the_workflow_after_consecutive_failed_live_runs) {
  publish("flaky", R"({"auto_pause": {"consecutive_failures": 2},
    "steps": [{"id": "nope", "kind": "fail", "with": {"message": "always"}}]})");
  BOOST_TEST(start_ok("flaky")["status"] == "failed");
  BOOST_TEST(req("GET", "/v1/workflows/flaky").body["status"] == "active");
  BOOST_TEST(start_ok("flaky")["status"] == "failed");
  json wf;
  bool paused = wait_until(
      [&] {
        wf = req("GET", "/v1/workflows/flaky").body;
        return wf["status"] == "paused";
      },
      5s);
  BOOST_TEST(paused, af::dump(wf));
  BOOST_TEST(wf["pause_reason"] == "consecutive_failures");
}

BOOST_AUTO_TEST_CASE(delete_of_a_workflow_with_an_unfinished_run_is_a_409) {
  publish("parked", parked_on_delay);
  const std::string id = start_ok("parked", "", "")["id"];
  auto del = req("DELETE", "/v1/workflows/parked");
  BOOST_TEST(del.status == 409);
  BOOST_TEST(req("GET", "/v1/workflows/parked").status == 200);
  BOOST_TEST(req("POST", "/v1/runs/" + id + "/cancel").status == 200);
  BOOST_TEST(req("DELETE", "/v1/workflows/parked").status == 204);
  BOOST_TEST(run(id)["status"] == "canceled");  // runs of a deleted workflow stay readable
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(runs_survive_a_sigterm_restart) {
  temp_dir dir;
  node_process node{binary_path(), dir.path() / "data"};
  BOOST_REQUIRE(node.start());
  auto http = node.client();
  BOOST_REQUIRE(call(*http, "PUT", "/v1/workflows/w1", three_transforms).status == 201);
  BOOST_REQUIRE(call(*http, "POST", "/v1/workflows/w1/publish").status == 201);
  BOOST_REQUIRE(call(*http, "PUT", "/v1/workflows/nap", R"({"steps": [
    {"id": "nap", "kind": "delay", "with": {"for": "1500ms"}},
    {"id": "after", "kind": "transform", "with": {"value": "awake"}}],
    "output": "{{ steps.after.output }}"})")
                    .status == 201);
  BOOST_REQUIRE(call(*http, "POST", "/v1/workflows/nap/publish").status == 201);
  auto finished = call(*http, "POST", "/v1/workflows/w1/runs?wait=5s", R"({"input": {"n": 1}})");
  BOOST_REQUIRE(finished.status == 201);
  BOOST_TEST(finished.body["status"] == "succeeded");
  auto parked = call(*http, "POST", "/v1/workflows/nap/runs");
  BOOST_REQUIRE(parked.status == 201);
  const std::string done_id = finished.body["id"], parked_id = parked.body["id"];

  http.reset();
  const int status = node.stop(SIGTERM);
  BOOST_TEST(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0);
  BOOST_REQUIRE(node.start());
  http = node.client();

  auto again = call(*http, "GET", "/v1/runs/" + done_id);
  BOOST_TEST(again.status == 200);
  BOOST_TEST(again.body["status"] == "succeeded");
  BOOST_TEST(again.body["output"] == finished.body["output"]);
  json last;
  bool woke = wait_until(
      [&] {
        last = call(*http, "GET", "/v1/runs/" + parked_id).body;
        return is_finished(last);
      },
      10s);
  BOOST_REQUIRE_MESSAGE(woke, af::dump(last));
  BOOST_TEST(last["status"] == "succeeded");
  BOOST_TEST(last["output"] == "awake");
  BOOST_TEST(time_of(last["finished_at"]) - time_of(last["created_at"]) >= 1500);
  auto h = call(*http, "GET", "/v1/runs/" + parked_id + "/history?limit=1000").body["data"];
  BOOST_REQUIRE(!h.empty());
  BOOST_TEST(h.back()["type"] == "run.succeeded");
}
