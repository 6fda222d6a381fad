#pragma once
// What the run end-to-end tests share: a node per test with its HTTP client and helpers to
// apply, start, read and wait, an in-test HTTP recorder for http steps, and definitions.
// Included by exactly one test file per binary (hence the unnamed namespace).

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
inline std::string with_port(std::string text, int port) {
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

[[maybe_unused]] const char* three_transforms = R"({"steps": [
  {"id": "a", "kind": "transform", "with": {"value": {"x": "{{ input.n + 1 }}"}}},
  {"id": "b", "kind": "transform", "with": {"value": "{{ steps.a.output.x * 2 }}"}},
  {"id": "c", "kind": "transform", "with": {"value": {"sum": "{{ steps.b.output + 1 }}"}}}],
  "output": "{{ steps.c.output }}"})";

[[maybe_unused]] const char* parked_on_delay = R"({"steps": [
  {"id": "nap", "kind": "delay", "with": {"for": "1h"}},
  {"id": "after", "kind": "transform", "with": {"value": 1}}]})";

}  // namespace
