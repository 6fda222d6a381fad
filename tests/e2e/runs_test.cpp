// Runs end to end through the real binary (issue 4, notes/runs-api.md): starting, reading,
// controlling and listing runs, every step kind this build runs, modes, metrics, restarts.
#define BOOST_TEST_MODULE e2e_runs
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <functional>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/clock.hpp"
#include "base/json.hpp"
#include "base/result.hpp"
#include "tests/e2e/node_process.hpp"

using af::json;
using namespace af::e2e;
using namespace std::chrono_literals;

namespace {

struct answer {
  int status = 0;
  json body;
};

answer call(httplib::Client& c, const std::string& method, const std::string& path,
            const std::string& body = "", const httplib::Headers& headers = {},
            const std::string& type = "application/json") {
  httplib::Result r = method == "GET"    ? c.Get(path.c_str(), headers)
                      : method == "PUT"  ? c.Put(path.c_str(), headers, body, type.c_str())
                      : method == "POST" ? c.Post(path.c_str(), headers, body, type.c_str())
                                         : c.Delete(path.c_str(), headers, body, type.c_str());
  BOOST_REQUIRE_MESSAGE(r, method + " " + path.substr(0, 200) + " got no answer");
  answer a{r->status, nullptr};
  if (!r->body.empty()) {
    auto parsed = af::parse_json(r->body);
    BOOST_REQUIRE_MESSAGE(parsed.has_value(), "answer is not JSON: " + r->body.substr(0, 500));
    a.body = *parsed;
  }
  return a;
}

json parse(const std::string& text) {
  return json::parse(text);
}

// `text` with every "PORT" replaced by `port`.
std::string with_port(std::string text, int port) {
  for (auto at = text.find("PORT"); at != std::string::npos; at = text.find("PORT", at))
    text.replace(at, 4, std::to_string(port));
  return text;
}

bool is_finished(const json& run) {
  const auto& s = run["status"];
  return s == "succeeded" || s == "failed" || s == "canceled";
}

af::millis time_of(const json& v) {
  BOOST_REQUIRE_MESSAGE(v.is_string(), "not a time: " + af::dump(v));
  auto t = af::parse_time(v.get<std::string>());
  BOOST_REQUIRE(t.has_value());
  return *t;
}

// A local HTTP server the workflows' http steps call: it records every call, fails /charge
// with a 500 while `failing` is set, echoes /echo, and answers GET /read.
struct recorder {
  struct seen {
    std::string method, path, key, content_type, body;
  };
  httplib::Server svr;
  std::thread thread;
  int port = 0;
  std::atomic<bool> failing{false};
  std::mutex m;
  std::vector<seen> calls;

  recorder() {
    auto record = [this](const httplib::Request& req) {
      std::lock_guard lock(m);
      calls.push_back({req.method, req.path, req.get_header_value("Idempotency-Key"),
                       req.get_header_value("Content-Type"), req.body});
    };
    svr.Post("/charge", [this, record](const httplib::Request& req, httplib::Response& res) {
      record(req);
      if (failing) {
        res.status = 500;
        res.set_content(R"({"error": "down"})", "application/json");
        return;
      }
      res.set_content(R"({"ok": true})", "application/json");
    });
    svr.Post("/echo", [record](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.set_header("X-Custom", "Yes");
      res.set_content(R"({"got": )" + req.body + "}", "application/json");
    });
    svr.Get("/read", [record](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.set_content(R"({"value": 42})", "application/json");
    });
    port = svr.bind_to_any_port("127.0.0.1");
    BOOST_REQUIRE(port > 0);
    thread = std::thread([this] { svr.listen_after_bind(); });
    BOOST_REQUIRE(wait_until([this] { return svr.is_running(); }, 5s));
  }
  ~recorder() {
    svr.stop();
    thread.join();
  }
  std::vector<seen> snapshot() {
    std::lock_guard lock(m);
    return calls;
  }
};

struct node_fixture {
  temp_dir dir;
  node_process node{binary_path(), dir.path() / "data"};
  std::unique_ptr<httplib::Client> http;

  node_fixture() {
    BOOST_REQUIRE(node.start());
    http = node.client();
  }

  answer req(const std::string& method, const std::string& path, const std::string& body = "",
             const httplib::Headers& headers = {}) {
    return call(*http, method, path, body, headers);
  }

  // Applies and publishes `def` (given without its id) as workflow `id`.
  void publish(const std::string& id, const std::string& def) {
    auto put = req("PUT", "/v1/workflows/" + id, def);
    BOOST_REQUIRE_MESSAGE(put.status == 201, "PUT " + id + ": " + af::dump(put.body));
    auto pub = req("POST", "/v1/workflows/" + id + "/publish");
    BOOST_REQUIRE_MESSAGE(pub.status == 201, "publish " + id + ": " + af::dump(pub.body));
  }

  answer start(const std::string& wf, const std::string& body = "",
               const std::string& query = "?wait=5s", const httplib::Headers& headers = {}) {
    return req("POST", "/v1/workflows/" + wf + "/runs" + query, body, headers);
  }

  // Starts a run and requires it to be created (201); returns the run.
  json start_ok(const std::string& wf, const std::string& body = "",
                const std::string& query = "?wait=5s") {
    auto a = start(wf, body, query);
    BOOST_REQUIRE_MESSAGE(a.status == 201,
                          "start " + wf + ": " + std::to_string(a.status) + " " + af::dump(a.body));
    return a.body;
  }

  json run(const std::string& id) {
    auto a = req("GET", "/v1/runs/" + id);
    BOOST_REQUIRE_MESSAGE(a.status == 200, "GET run " + id + ": " + af::dump(a.body));
    return a.body;
  }

  json wait_for(const std::string& id, const std::function<bool(const json&)>& cond,
                std::chrono::milliseconds deadline = 10s) {
    json last;
    bool ok = wait_until(
        [&] {
          last = run(id);
          return cond(last);
        },
        deadline);
    BOOST_REQUIRE_MESSAGE(ok, "run " + id + " did not get there in time: " + af::dump(last));
    return last;
  }

  json wait_finished(const std::string& id, std::chrono::milliseconds deadline = 10s) {
    return wait_for(id, is_finished, deadline);
  }

  // The run's items in list order.
  std::vector<json> item_list(const std::string& id, const std::string& query = "") {
    auto a = req("GET", "/v1/runs/" + id + "/items?limit=1000" + query);
    BOOST_REQUIRE_MESSAGE(a.status == 200, "items of " + id + ": " + af::dump(a.body));
    return a.body["data"].get<std::vector<json>>();
  }

  std::map<std::string, json> items(const std::string& id) {
    std::map<std::string, json> out;
    for (auto& i : item_list(id)) out[i["id"].get<std::string>()] = i;
    return out;
  }

  std::vector<json> history(const std::string& id) {
    auto a = req("GET", "/v1/runs/" + id + "/history?limit=1000");
    BOOST_REQUIRE_MESSAGE(a.status == 200, "history of " + id + ": " + af::dump(a.body));
    return a.body["data"].get<std::vector<json>>();
  }

  std::size_t run_count(const std::string& query = "") {
    auto a = req("GET", "/v1/runs?limit=1000" + query);
    BOOST_REQUIRE(a.status == 200);
    return a.body["data"].size();
  }
};

const char* three_transforms = R"({"steps": [
  {"id": "a", "kind": "transform", "with": {"value": {"x": "{{ input.n + 1 }}"}}},
  {"id": "b", "kind": "transform", "with": {"value": "{{ steps.a.output.x * 2 }}"}},
  {"id": "c", "kind": "transform", "with": {"value": {"sum": "{{ steps.b.output + 1 }}"}}}],
  "output": "{{ steps.c.output }}"})";

const char* parked_on_delay = R"({"steps": [
  {"id": "nap", "kind": "delay", "with": {"for": "1h"}},
  {"id": "after", "kind": "transform", "with": {"value": 1}}]})";

}  // namespace

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
