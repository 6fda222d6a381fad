// The workflow lifecycle end to end, through the real binary.
#define BOOST_TEST_MODULE e2e_workflows
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <csignal>

#include "base/json.hpp"
#include "base/result.hpp"
#include "tests/e2e/node_process.hpp"

using af::json;
using namespace af::e2e;

namespace {

struct node_fixture {
  temp_dir dir;
  node_process node{binary_path(), dir.path() / "data"};
  std::unique_ptr<httplib::Client> http;
  node_fixture() {
    BOOST_REQUIRE(node.start());
    http = node.client();
  }
};

struct answer {
  int status = 0;
  json body;
};

answer call(httplib::Client& c, const std::string& method, const std::string& path,
            const std::string& body = "") {
  httplib::Result r = method == "GET"    ? c.Get(path.c_str())
                      : method == "PUT"  ? c.Put(path.c_str(), body, "application/json")
                      : method == "POST" ? c.Post(path.c_str(), body, "application/json")
                                         : c.Delete(path.c_str());
  BOOST_REQUIRE_MESSAGE(r, method + " " + path + " got no answer");
  answer a{r->status, nullptr};
  if (!r->body.empty()) {
    auto parsed = af::parse_json(r->body);
    BOOST_REQUIRE_MESSAGE(parsed.has_value(), "answer is not JSON: " + r->body);
    a.body = *parsed;
  }
  return a;
}

std::string definition(const std::string& id, int value, const std::string& extra = "") {
  return R"({"id": ")" + id + R"(", "name": "Flow )" + id + R"(", "tags": ["t1"])" + extra +
         R"(, "steps": [{"id": "a", "kind": "transform", "with": {"value": )" +
         std::to_string(value) + "}}]}";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(workflow_lifecycle, node_fixture)

BOOST_AUTO_TEST_CASE(apply_get_publish_version_rollback_round_trip) {
  auto created = call(*http, "PUT", "/v1/workflows/flow", definition("flow", 1));
  BOOST_TEST(created.status == 201);
  BOOST_TEST(created.body["status"] == "draft");
  BOOST_TEST(created.body["live_version"].is_null());
  BOOST_TEST(created.body["draft"]["steps"][0]["with"]["value"] == 1);

  BOOST_TEST(call(*http, "PUT", "/v1/workflows/flow", definition("flow", 1)).status == 200);

  auto v1 = call(*http, "POST", "/v1/workflows/flow/publish");
  BOOST_TEST(v1.status == 201);
  BOOST_TEST(v1.body["version"] == 1);
  BOOST_TEST(!v1.body.contains("webhook_url"));
  auto again = call(*http, "POST", "/v1/workflows/flow/publish");
  BOOST_TEST(again.status == 200);
  BOOST_TEST(again.body["version"] == 1);

  call(*http, "PUT", "/v1/workflows/flow", definition("flow", 2));
  BOOST_TEST(call(*http, "POST", "/v1/workflows/flow/publish").body["version"] == 2);

  auto got = call(*http, "GET", "/v1/workflows/flow");
  BOOST_TEST(got.status == 200);
  BOOST_TEST(got.body["status"] == "active");
  BOOST_TEST(got.body["live_version"] == 2);
  BOOST_TEST(got.body["definition"]["steps"][0]["with"]["value"] == 2);
  BOOST_TEST(got.body["draft"].is_null());
  BOOST_TEST(got.body["metrics"]["run_count"] == 0);

  auto versions = call(*http, "GET", "/v1/workflows/flow/versions");
  BOOST_TEST(versions.body["data"].size() == 2u);
  BOOST_TEST(versions.body["data"][0]["version"] == 2);
  BOOST_TEST(versions.body["next_cursor"].is_null());
  auto v1def = call(*http, "GET", "/v1/workflows/flow/versions/1");
  BOOST_TEST(v1def.body["definition"]["steps"][0]["with"]["value"] == 1);
  BOOST_TEST(call(*http, "GET", "/v1/workflows/flow/versions/9").status == 404);

  auto rolled = call(*http, "POST", "/v1/workflows/flow/rollback", R"({"version": 1})");
  BOOST_TEST(rolled.status == 200);
  BOOST_TEST(rolled.body["live_version"] == 1);
  BOOST_TEST(call(*http, "POST", "/v1/workflows/flow/rollback", R"({"version": 5})").status == 404);
  BOOST_TEST(call(*http, "POST", "/v1/workflows/flow/rollback", R"({"version": "1"})").status ==
             400);
}

BOOST_AUTO_TEST_CASE(put_refuses_invalid_definitions_with_every_problem_and_keeps_nothing) {
  auto bad = call(
      *http, "PUT", "/v1/workflows/broken",
      R"({"retires": 3, "steps": [{"id": "a", "kind": "nope"}, {"id": "a", "kind": "transform", "with": {"value": 1}}]})");
  BOOST_TEST(bad.status == 422);
  BOOST_TEST(bad.body["error"]["code"] == "invalid_definition");
  BOOST_TEST(bad.body["error"]["details"].size() >= 3u);
  for (const auto& p : bad.body["error"]["details"])
    BOOST_TEST(p["path"].get<std::string>().size() > 0u);
  BOOST_TEST(call(*http, "GET", "/v1/workflows/broken").status == 404);

  auto lint_ok = call(*http, "POST", "/v1/workflows/lint", definition("x", 1));
  BOOST_TEST(lint_ok.status == 200);
  BOOST_TEST(lint_ok.body["valid"] == true);
  auto lint_bad = call(*http, "POST", "/v1/workflows/lint", R"({"steps": []})");
  BOOST_TEST(lint_bad.status == 422);
  BOOST_TEST(call(*http, "PUT", "/v1/workflows/other", definition("flow", 1)).status == 400);
}

BOOST_AUTO_TEST_CASE(draft_discard_pause_resume_archive_delete) {
  call(*http, "PUT", "/v1/workflows/life", definition("life", 1));
  BOOST_TEST(call(*http, "POST", "/v1/workflows/life/pause").status == 409);  // never published
  BOOST_TEST(call(*http, "POST", "/v1/workflows/life/discard-draft").status == 409);
  call(*http, "POST", "/v1/workflows/life/publish");
  call(*http, "PUT", "/v1/workflows/life", definition("life", 2));
  auto discarded = call(*http, "POST", "/v1/workflows/life/discard-draft");
  BOOST_TEST(discarded.status == 200);
  BOOST_TEST(discarded.body["draft"].is_null());
  BOOST_TEST(call(*http, "POST", "/v1/workflows/life/discard-draft").status == 409);

  auto paused = call(*http, "POST", "/v1/workflows/life/pause");
  BOOST_TEST(paused.body["status"] == "paused");
  BOOST_TEST(paused.body["pause_reason"] == "manual");
  BOOST_TEST(call(*http, "POST", "/v1/workflows/life/pause").status == 200);
  BOOST_TEST(call(*http, "POST", "/v1/workflows/life/resume").body["status"] == "active");

  BOOST_TEST(call(*http, "POST", "/v1/workflows/life/archive").body["status"] == "archived");
  BOOST_TEST(call(*http, "PUT", "/v1/workflows/life", definition("life", 3)).status == 409);
  BOOST_TEST(call(*http, "POST", "/v1/workflows/life/publish").status == 409);
  BOOST_TEST(call(*http, "POST", "/v1/workflows/life/resume").status == 409);
  BOOST_TEST(call(*http, "DELETE", "/v1/workflows/life").status == 204);
  BOOST_TEST(call(*http, "GET", "/v1/workflows/life").status == 404);
  BOOST_TEST(call(*http, "PUT", "/v1/workflows/life", definition("life", 4)).status == 201);
}

BOOST_AUTO_TEST_CASE(duplicate_copies_the_live_definition_into_a_new_draft) {
  call(*http, "PUT", "/v1/workflows/src", definition("src", 7));
  BOOST_TEST(call(*http, "POST", "/v1/workflows/src/duplicate", R"({"id": "copy"})").status == 409);
  call(*http, "POST", "/v1/workflows/src/publish");
  auto copy = call(*http, "POST", "/v1/workflows/src/duplicate", R"({"id": "copy"})");
  BOOST_TEST(copy.status == 201);
  BOOST_TEST(copy.body["id"] == "copy");
  BOOST_TEST(copy.body["status"] == "draft");
  BOOST_TEST(copy.body["draft"]["id"] == "copy");
  BOOST_TEST(copy.body["draft"]["steps"][0]["with"]["value"] == 7);
  BOOST_TEST(call(*http, "POST", "/v1/workflows/src/duplicate", R"({"id": "copy"})").status == 409);
  BOOST_TEST(call(*http, "POST", "/v1/workflows/nope/duplicate", R"({"id": "x"})").status == 404);
  BOOST_TEST(call(*http, "POST", "/v1/workflows/src/duplicate", R"({"id": "Bad Id"})").status ==
             400);
}

BOOST_AUTO_TEST_CASE(list_filters_and_pages_newest_first_with_signed_cursors) {
  for (int i = 0; i < 7; ++i) {
    std::string id = "w" + std::to_string(i);
    std::string extra = i % 2 ? R"(, "description": "odd")" : "";
    call(*http, "PUT", "/v1/workflows/" + id, definition(id, i, extra));
    if (i < 3) call(*http, "POST", "/v1/workflows/" + id + "/publish");
  }
  std::vector<std::string> seen;
  std::vector<std::pair<std::string, std::string>> order;  // (created_at, id) as listed
  std::string path = "/v1/workflows?limit=3";
  for (int pages = 0; pages < 10; ++pages) {
    auto page = call(*http, "GET", path);
    BOOST_REQUIRE(page.status == 200);
    BOOST_TEST(page.body["data"].size() <= 3u);
    for (const auto& w : page.body["data"]) {
      seen.push_back(w["id"]);
      order.emplace_back(w["created_at"], w["id"]);
      BOOST_TEST(!w.contains("definition"));
    }
    if (page.body["next_cursor"].is_null()) break;
    path = "/v1/workflows?limit=3&cursor=" + page.body["next_cursor"].get<std::string>();
  }
  BOOST_REQUIRE(seen.size() == 7u);
  std::sort(seen.begin(), seen.end());
  BOOST_TEST((std::unique(seen.begin(), seen.end()) == seen.end()));  // no repeats across pages
  // Newest first (created_at descending, RFC 3339 sorts as text), then id ascending.
  for (std::size_t i = 1; i < order.size(); ++i)
    BOOST_TEST((order[i - 1].first > order[i].first ||
                (order[i - 1].first == order[i].first && order[i - 1].second < order[i].second)));
  auto active = call(*http, "GET", "/v1/workflows?status=active");
  BOOST_TEST(active.body["data"].size() == 3u);
  BOOST_TEST(call(*http, "GET", "/v1/workflows?tag=t1").body["data"].size() == 7u);
  BOOST_TEST(call(*http, "GET", "/v1/workflows?tag=zzz").body["data"].size() == 0u);
  BOOST_TEST(call(*http, "GET", "/v1/workflows?status=sleepy").status == 400);
  BOOST_TEST(call(*http, "GET", "/v1/workflows?limit=0").status == 400);
  BOOST_TEST(call(*http, "GET", "/v1/workflows?limit=1001").status == 400);
  BOOST_TEST(call(*http, "GET", "/v1/workflows?cursor=forged.cursor").status == 400);
}

BOOST_AUTO_TEST_CASE(schema_node_health_and_readiness) {
  auto schema = call(*http, "GET", "/v1/workflows/schema");
  BOOST_TEST(schema.status == 200);
  BOOST_TEST(schema.body["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  auto node = call(*http, "GET", "/v1/node");
  for (const char* f :
       {"version", "node_id", "durability", "data_dir", "started_at", "uptime_s", "replay"})
    BOOST_TEST(node.body.contains(f), f);
  BOOST_TEST(node.body["durability"] == "sync");
  BOOST_TEST(call(*http, "GET", "/healthz").status == 200);
  BOOST_TEST(call(*http, "GET", "/readyz").status == 200);
}

BOOST_AUTO_TEST_CASE(webhook_token_is_revealed_by_publish_only_and_changes_each_publish) {
  std::string hook = R"(, "trigger": {"type": "webhook"})";
  call(*http, "PUT", "/v1/workflows/hook", definition("hook", 1, hook));
  auto p1 = call(*http, "POST", "/v1/workflows/hook/publish");
  std::string url1 = p1.body["webhook_url"];
  // The default public URL names the bound port, not the configured 0.
  BOOST_TEST(url1.rfind("http://127.0.0.1:" + std::to_string(node.port()) + "/hooks/hook/", 0) ==
             0);
  BOOST_TEST(url1.find("***") == std::string::npos);
  auto got = call(*http, "GET", "/v1/workflows/hook");
  BOOST_TEST(got.body["webhook_url"].get<std::string>().find("***") != std::string::npos);
  call(*http, "PUT", "/v1/workflows/hook", definition("hook", 2, hook));
  auto p2 = call(*http, "POST", "/v1/workflows/hook/publish");
  BOOST_TEST(p2.body["webhook_url"] != url1);
}

BOOST_AUTO_TEST_CASE(sigterm_stops_cleanly_with_exit_zero_and_state_survives) {
  call(*http, "PUT", "/v1/workflows/keep", definition("keep", 3));
  call(*http, "POST", "/v1/workflows/keep/publish");
  http.reset();
  int status = node.stop(SIGTERM);
  BOOST_REQUIRE(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0);
  BOOST_TEST(node.log_text().find("stopped cleanly") != std::string::npos);
  BOOST_REQUIRE(node.start());
  http = node.client();
  auto got = call(*http, "GET", "/v1/workflows/keep");
  BOOST_TEST(got.body["live_version"] == 1);
  BOOST_TEST(node.log_text().find("replayed 2 events") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_id_deleted_then_applied_again_survives_restarts) {
  auto restart = [&] {
    http.reset();
    BOOST_REQUIRE(WIFEXITED(node.stop(SIGTERM)));
    BOOST_REQUIRE(node.start());
    http = node.client();
  };
  call(*http, "PUT", "/v1/workflows/z", definition("z", 1));
  call(*http, "POST", "/v1/workflows/z/publish");
  BOOST_TEST(call(*http, "DELETE", "/v1/workflows/z").status == 204);
  restart();
  BOOST_TEST(call(*http, "GET", "/v1/workflows/z").status == 404);
  BOOST_TEST(call(*http, "PUT", "/v1/workflows/z", definition("z", 2)).status == 201);
  restart();
  auto again = call(*http, "GET", "/v1/workflows/z");
  BOOST_TEST(again.status == 200);
  BOOST_TEST(again.body["draft"]["steps"][0]["with"]["value"] == 2);
  BOOST_TEST(again.body["live_version"].is_null());
  BOOST_TEST(call(*http, "DELETE", "/v1/workflows/z").status == 204);
  restart();
  BOOST_TEST(call(*http, "GET", "/v1/workflows/z").status == 404);
  BOOST_TEST(call(*http, "PUT", "/v1/workflows/z", definition("z", 3)).status == 201);
}

BOOST_AUTO_TEST_CASE(sigterm_right_after_start_still_exits_zero) {
  http.reset();
  BOOST_REQUIRE(WIFEXITED(node.stop(SIGTERM)));
  for (int i = 0; i < 5; ++i) {
    BOOST_REQUIRE(node.start_listening());
    int status = node.stop(SIGTERM, std::chrono::seconds(15));
    BOOST_REQUIRE(status != -1);  // -1: it hung
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
  }
  BOOST_REQUIRE(node.start());
  http = node.client();
}

BOOST_AUTO_TEST_SUITE_END()
