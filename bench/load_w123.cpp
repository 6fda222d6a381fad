// Workloads W1 (throughput and latency), W2 (1,000 concurrent 1 s timers) and W3/W3c (fan-out
// of 1,000 inline steps / child runs) of ../shared/bench/README.md.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/load.hpp"
#include "bench/load_client.hpp"
#include "bench/load_node.hpp"

namespace af::bench {
namespace {

using json = nlohmann::json;

// Counts failures and shows the first few on stderr (one bad node must not flood the terminal).
struct failures {
  long count = 0;
  void add(const std::string& what) {
    if (++count <= 3) std::fprintf(stderr, "failure: %s\n", what.substr(0, 400).c_str());
  }
};

std::string describe(const http_response& r) {
  if (!r.error.empty()) return r.error;
  return "HTTP " + std::to_string(r.status) + " " + r.body;
}

json parse(const std::string& body) {
  return json::parse(body, nullptr, false);
}

bool is_number(const json& v, double want) {
  return v.is_number() && v.get<double>() == want;
}

// W1's answer: 201, the finished run, output.result == 2n+1. The common exact shape is checked
// by a substring scan (parsing 10k answers/s would take client CPU from the node); anything
// else goes through the full parser before being called wrong.
bool w1_ok(const http_response& r, long n) {
  if (r.status != 201) return false;
  const std::string want = "\"output\":{\"result\":" + std::to_string(2 * n + 1) + "}";
  if (r.body.find("\"status\":\"succeeded\"") != std::string::npos &&
      r.body.find(want) != std::string::npos)
    return true;
  json j = parse(r.body);
  return j.is_object() && j.value("status", "") == "succeeded" && j.contains("output") &&
         j["output"].is_object() && is_number(j["output"].value("result", json()), 2.0 * n + 1);
}

std::string wf(const cli& c, const char* fallback) {
  return c.workflow.empty() ? fallback : c.workflow;
}

struct latency_set {
  std::vector<double> ms;
  double p(double q) {
    std::sort(ms.begin(), ms.end());
    return percentile(ms, q);
  }
};

}  // namespace

int run_w1(const cli& c) {
  const std::string target = "/v1/workflows/" + wf(c, "peer-w1") + "/runs?wait=60s";
  const double seconds = c.runs > 0 ? 0 : (c.seconds > 0 ? c.seconds : 15);
  std::vector<double> rate, p50, p90, p99;
  long total_failures = 0;
  for (int rep = 1; rep <= c.reps; ++rep) {
    load_options opt;
    opt.host = c.host;
    opt.port = c.port;
    opt.connections = c.connections;
    opt.deadline_s = seconds;
    long issued = 0, ok = 0;
    failures bad;
    latency_set lat;
    lat.ms.reserve(1 << 20);
    auto totals = run_load(
        opt,
        [&](int) -> std::optional<http_request> {
          if (c.runs > 0 && issued >= c.runs) return std::nullopt;
          if (ok == 0 && bad.count >= 1000) return std::nullopt;  // nothing works: stop early
          http_request r;
          r.method = "POST";
          r.target = target;
          r.tag = issued++;
          r.body = "{\"input\":{\"n\":" + std::to_string(r.tag) + "}}";
          return r;
        },
        [&](int, const http_request& req, http_response&& res, double ms) {
          lat.ms.push_back(ms);
          if (w1_ok(res, req.tag))
            ++ok;
          else
            bad.add("n=" + std::to_string(req.tag) + ": " + describe(res));
        });
    const double runs_per_s = totals.elapsed_s > 0 ? static_cast<double>(ok) / totals.elapsed_s : 0;
    std::printf(
        "rep %d: %ld runs in %.2f s, %.0f runs/s, p50 %.2f p90 %.2f p99 %.2f ms, %ld failures%s\n",
        rep, ok, totals.elapsed_s, runs_per_s, lat.p(0.5), lat.p(0.9), lat.p(0.99), bad.count,
        totals.gave_up ? " (gave up: node unreachable)" : "");
    rate.push_back(runs_per_s);
    p50.push_back(lat.p(0.5));
    p90.push_back(lat.p(0.9));
    p99.push_back(lat.p(0.99));
    total_failures += bad.count;
    if (totals.gave_up || ok == 0) break;
  }
  report r("w1");
  r.figure("runs_per_s", median(rate), "W1 throughput runs/s (median)", 0);
  r.figure("p50_ms", median(p50), "W1 throughput p50 ms");
  r.figure("p90_ms", median(p90), "W1 throughput p90 ms");
  r.figure("p99_ms", median(p99), "W1 throughput p99 ms");
  r.figure("failures", static_cast<double>(total_failures), "W1 failures (all reps)", 0);
  r.figure("connections", c.connections, "W1 connections", 0);
  if (c.json) r.print_json();
  return total_failures == 0 ? 0 : 1;
}

int run_w1_latency(const cli& c) {
  const std::string target = "/v1/workflows/" + wf(c, "peer-w1") + "/runs?wait=60s";
  const long warmup = 20, measured = c.runs > 0 ? c.runs : 500;
  std::vector<double> p50, p90, p99;
  long total_failures = 0;
  for (int rep = 1; rep <= c.reps; ++rep) {
    load_options opt;
    opt.host = c.host;
    opt.port = c.port;
    opt.connections = 1;
    opt.max_consecutive_errors = 20;
    long issued = 0;
    failures bad;
    latency_set lat;
    auto totals = run_load(
        opt,
        [&](int) -> std::optional<http_request> {
          if (issued >= warmup + measured) return std::nullopt;
          http_request r;
          r.method = "POST";
          r.target = target;
          r.tag = issued++;
          r.body = "{\"input\":{\"n\":" + std::to_string(r.tag) + "}}";
          return r;
        },
        [&](int, const http_request& req, http_response&& res, double ms) {
          if (req.tag >= warmup) lat.ms.push_back(ms);
          if (!w1_ok(res, req.tag)) bad.add("n=" + std::to_string(req.tag) + ": " + describe(res));
        });
    std::printf("rep %d: %zu sequential runs, p50 %.3f p90 %.3f p99 %.3f ms, %ld failures\n", rep,
                lat.ms.size(), lat.p(0.5), lat.p(0.9), lat.p(0.99), bad.count);
    p50.push_back(lat.p(0.5));
    p90.push_back(lat.p(0.9));
    p99.push_back(lat.p(0.99));
    total_failures += bad.count;
    if (totals.gave_up) break;
  }
  report r("w1-latency");
  r.figure("p50_ms", median(p50), "W1 latency p50 ms (median)", 3);
  r.figure("p90_ms", median(p90), "W1 latency p90 ms", 3);
  r.figure("p99_ms", median(p99), "W1 latency p99 ms", 3);
  r.figure("failures", static_cast<double>(total_failures), "W1 latency failures (all reps)", 0);
  if (c.json) r.print_json();
  return total_failures == 0 ? 0 : 1;
}

int run_w2(const cli& c) {
  const std::string target = "/v1/workflows/" + wf(c, "peer-w2") + "/runs?wait=60s";
  const long runs = c.runs > 0 ? c.runs : 1000;
  std::vector<double> c50, c99, cmax, n50, n99;
  long total_failures = 0;
  for (int rep = 1; rep <= c.reps; ++rep) {
    load_options opt;
    opt.host = c.host;
    opt.port = c.port;
    opt.connections = static_cast<int>(runs);  // one socket per run, all open before sending
    opt.connect_first = true;
    long issued = 0;
    failures bad;
    latency_set over;
    std::vector<std::string> ids;
    run_load(
        opt,
        [&](int) -> std::optional<http_request> {
          if (issued >= runs) return std::nullopt;
          http_request r;
          r.method = "POST";
          r.target = target;
          r.tag = issued++;
          r.body = "{\"input\":{\"n\":" + std::to_string(r.tag) + "}}";
          return r;
        },
        [&](int, const http_request& req, http_response&& res, double ms) {
          json j = res.status == 201 ? parse(res.body) : json();
          if (!j.is_object() || j.value("status", "") != "succeeded") {
            bad.add("n=" + std::to_string(req.tag) + ": " + describe(res));
            return;
          }
          over.ms.push_back(ms - 1000);
          ids.push_back(j.value("id", ""));
        });
    // Inside the node: finished_at − created_at − 1 s of each run, read back afterwards.
    latency_set inside;
    std::size_t next_id = 0;
    load_options get;
    get.host = c.host;
    get.port = c.port;
    get.connections = 16;
    run_load(
        get,
        [&](int) -> std::optional<http_request> {
          if (next_id >= ids.size()) return std::nullopt;
          http_request r;
          r.target = "/v1/runs/" + ids[next_id];
          r.tag = static_cast<long>(next_id++);
          return r;
        },
        [&](int, const http_request& req, http_response&& res, double) {
          json j = res.status == 200 ? parse(res.body) : json();
          auto created = j.is_object() && j["created_at"].is_string()
                             ? parse_ms(j["created_at"].get<std::string>())
                             : std::nullopt;
          auto finished = j.is_object() && j["finished_at"].is_string()
                              ? parse_ms(j["finished_at"].get<std::string>())
                              : std::nullopt;
          if (!created || !finished) {
            bad.add("GET " + req.target + ": " + describe(res));
            return;
          }
          inside.ms.push_back(static_cast<double>(*finished - *created) - 1000);
        });
    std::printf(
        "rep %d: %zu/%ld runs succeeded; over 1 s at the client p50 %.0f p99 %.0f max %.0f ms; "
        "inside the node p50 %.0f p99 %.0f ms; %ld failures\n",
        rep, over.ms.size(), runs, over.p(0.5), over.p(0.99), over.p(1.0), inside.p(0.5),
        inside.p(0.99), bad.count);
    c50.push_back(over.p(0.5));
    c99.push_back(over.p(0.99));
    cmax.push_back(over.p(1.0));
    n50.push_back(inside.p(0.5));
    n99.push_back(inside.p(0.99));
    total_failures += bad.count;
    if (over.ms.empty()) break;  // nothing works: do not wait through more reps
  }
  report r("w2");
  r.figure("client_over_p50_ms", median(c50), "W2 time over 1 s at the client p50 ms", 0);
  r.figure("client_over_p99_ms", median(c99), "W2 time over 1 s at the client p99 ms", 0);
  r.figure("client_over_max_ms", median(cmax), "W2 time over 1 s at the client max ms", 0);
  r.figure("node_over_p50_ms", median(n50), "W2 time over 1 s inside the node p50 ms", 0);
  r.figure("node_over_p99_ms", median(n99), "W2 time over 1 s inside the node p99 ms", 0);
  r.figure("failures", static_cast<double>(total_failures), "W2 failures (all reps)", 0);
  if (c.json) r.print_json();
  return total_failures == 0 ? 0 : 1;
}

int run_w3(const cli& c, bool children) {
  const std::string id = wf(c, children ? "peer-w3c" : "peer-w3");
  const std::string target = "/v1/workflows/" + id + "/runs?wait=60s";
  std::string body = "{\"input\":{\"items\":[";
  for (int i = 0; i < c.items; ++i) {
    if (i > 0) body += ',';
    body += std::to_string(i);
  }
  body += "]}}";
  std::vector<double> wall;
  long total_failures = 0;
  const char* name = children ? "W3c" : "W3";
  for (int rep = 1; rep <= c.reps; ++rep) {
    load_options opt;
    opt.host = c.host;
    opt.port = c.port;
    opt.connections = 1;
    bool sent = false;
    double ms = 0;
    std::string problem;
    run_load(
        opt,
        [&](int) -> std::optional<http_request> {
          if (sent) return std::nullopt;
          sent = true;
          http_request r;
          r.method = "POST";
          r.target = target;
          r.body = body;
          return r;
        },
        [&](int, const http_request&, http_response&& res, double took) {
          ms = took;
          json j = res.status == 201 ? parse(res.body) : json();
          if (!j.is_object() || j.value("status", "") != "succeeded") {
            problem = describe(res);
            return;
          }
          const json& out = j["output"];
          if (!out.is_array() || out.size() != static_cast<std::size_t>(c.items)) {
            problem = "output is not an array of " + std::to_string(c.items) + ": " +
                      out.dump().substr(0, 200);
            return;
          }
          for (int i = 0; i < c.items; ++i)
            if (!is_number(out[static_cast<std::size_t>(i)], 2.0 * i)) {
              problem =
                  "output[" + std::to_string(i) + "] = " + out[static_cast<std::size_t>(i)].dump();
              return;
            }
        });
    if (!problem.empty()) {
      ++total_failures;
      std::fprintf(stderr, "failure: %s\n", problem.substr(0, 400).c_str());
      std::printf("rep %d: failed after %.1f ms\n", rep, ms);
      break;
    }
    std::printf("rep %d: %.1f ms\n", rep, ms);
    wall.push_back(ms);
  }
  report r(children ? "w3c" : "w3");
  r.figure("wall_ms", median(wall), std::string(name) + " wall ms (median)", 1);
  r.figure("failures", static_cast<double>(total_failures), std::string(name) + " failures", 0);
  if (c.json) r.print_json();
  return total_failures == 0 ? 0 : 1;
}

}  // namespace af::bench
