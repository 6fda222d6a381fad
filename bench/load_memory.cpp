// The memory figure (RSS per run parked on a long delay) and the effects server's self-check.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/load.hpp"
#include "bench/load_client.hpp"
#include "bench/load_node.hpp"

namespace af::bench {
namespace {

using json = nlohmann::json;
using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point t) {
  return std::chrono::duration<double>(steady::now() - t).count();
}

bool wait_quiet(pid_t pid, double window_s, double timeout_s) {
  const auto limit = steady::now() + std::chrono::duration<double>(timeout_s);
  while (steady::now() < limit) {
    double c0 = cpu_seconds(pid);
    std::this_thread::sleep_for(std::chrono::duration<double>(window_s));
    double c1 = cpu_seconds(pid);
    if (c0 < 0 || c1 < 0) return false;
    if ((c1 - c0) / window_s < 0.02) return true;  // under 2 % of a core
  }
  return false;
}

}  // namespace

int run_memory(const cli& c) {
  if (c.pid <= 0) {
    std::fprintf(stderr, "af_load memory: --pid is required\n");
    return 2;
  }
  const pid_t pid = static_cast<pid_t>(c.pid);
  const std::string wf = c.workflow.empty() ? "bench-park" : c.workflow;
  const long runs = c.runs > 0 ? c.runs : 100000;
  auto problem = apply_and_publish(
      c.port, wf,
      R"({"id":")" + wf + R"(","steps":[{"id":"sleep","kind":"delay","with":{"for":"1h"}}]})");
  if (!problem.empty()) {
    std::fprintf(stderr, "af_load memory: %s\n", problem.c_str());
    return 1;
  }
  // SIGUSR1 makes the node flush RocksDB's memtables and return free memory (app/serve.cpp):
  // the figure is then what the parked runs themselves hold, not the write buffer.
  ::kill(pid, SIGUSR1);
  wait_quiet(pid, 1.0, 30);
  const long before = rss_bytes(pid);
  load_options opt;
  opt.host = c.host;
  opt.port = c.port;
  opt.connections = c.connections;
  long issued = 0, ok = 0, failed = 0;
  std::string last_id;
  auto totals = run_load(
      opt,
      [&](int) -> std::optional<http_request> {
        if (issued >= runs) return std::nullopt;
        if (ok == 0 && failed >= 1000) return std::nullopt;  // nothing works: stop early
        http_request r;
        r.method = "POST";
        r.target = "/v1/workflows/" + wf + "/runs";
        r.tag = issued++;
        r.body = "{\"input\":{\"n\":" + std::to_string(r.tag) + "}}";
        return r;
      },
      [&](int, const http_request& req, http_response&& res, double) {
        if (res.status == 201) {
          ++ok;
          if (req.tag == runs - 1 || last_id.empty()) {
            json j = json::parse(res.body, nullptr, false);
            if (j.is_object()) last_id = j.value("id", "");
          }
        } else if (++failed <= 3) {
          std::fprintf(stderr, "start n=%ld: %d %s%s\n", req.tag, res.status, res.error.c_str(),
                       res.body.substr(0, 300).c_str());
        }
      });
  const auto t_quiet = steady::now();
  bool quiet = wait_quiet(pid, c.quiet_s, 600);
  ::kill(pid, SIGUSR1);
  quiet = wait_quiet(pid, c.quiet_s, 120) && quiet;
  const long after = rss_bytes(pid);
  std::string sample_status = "?";
  if (!last_id.empty()) {
    auto res = sync_request(c.host, c.port, "GET", "/v1/runs/" + last_id);
    json j = json::parse(res.body, nullptr, false);
    if (j.is_object()) sample_status = j.value("status", "?");
    if (sample_status == "?")
      std::fprintf(stderr, "GET /v1/runs/%s: %d %s%s\n", last_id.c_str(), res.status,
                   res.error.c_str(), res.body.substr(0, 300).c_str());
  }
  std::printf(
      "started %ld runs in %.1f s (%ld failures); quiet after %.1f s%s; a sample run is %s\n", ok,
      totals.elapsed_s, failed, seconds_since(t_quiet), quiet ? "" : " (never quiet)",
      sample_status.c_str());
  report rp("memory");
  rp.figure("rss_before_mib", static_cast<double>(before) / (1 << 20), "memory RSS before MiB");
  rp.figure("rss_after_mib", static_cast<double>(after) / (1 << 20), "memory RSS after MiB");
  rp.figure("runs", static_cast<double>(ok), "memory parked runs", 0);
  rp.figure("bytes_per_run", ok > 0 ? static_cast<double>(after - before) / ok : 0,
            "memory RSS per parked run bytes", 0);
  rp.note("flush", "memtables flushed (SIGUSR1) before both readings");
  if (c.json) rp.print_json();
  return failed == 0 && ok == runs && quiet ? 0 : 1;
}

int run_effects_check(const cli& c) {
  const long calls = c.runs > 0 ? c.runs : 2000;
  load_options opt;
  opt.host = c.host;
  opt.port = c.port;
  opt.connections = static_cast<int>(calls);
  opt.connect_first = true;
  long issued = 0, ok = 0;
  std::vector<double> ms;
  auto totals = run_load(
      opt,
      [&](int) -> std::optional<http_request> {
        if (issued >= calls) return std::nullopt;
        http_request r;
        r.method = "POST";
        r.tag = issued++;
        r.target = "/b?n=" + std::to_string(r.tag);
        r.extra_headers = "Idempotency-Key: check/" + std::to_string(r.tag) + "\r\n";
        return r;
      },
      [&](int, const http_request&, http_response&& res, double took) {
        if (res.status == 200)
          ++ok;
        else if (static_cast<long>(ms.size()) - ok < 3)
          std::fprintf(stderr, "/b failed: %d %s\n", res.status, res.error.c_str());
        ms.push_back(took);
      });
  std::sort(ms.begin(), ms.end());
  std::printf("%ld/%ld concurrent /b calls answered 200 in %.3f s (p50 %.0f ms, max %.0f ms)\n", ok,
              calls, totals.elapsed_s, percentile(ms, 0.5), percentile(ms, 1.0));
  return ok == calls ? 0 : 1;
}

}  // namespace af::bench
