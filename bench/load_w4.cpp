// W4: recovery after SIGKILL with side effects in flight. It runs the whole experiment itself so
// that its timings are exact: it starts the effects server and the node, loads, kills, restarts
// and audits.

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
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

std::int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct w4_result {
  double ready_s = -1, all_done_s = -1;
  long acked = 0, start_failures = 0, lost = 0, not_found = 0, duplicated = 0, extra_runs = 0;
  long listed = 0, unfinished_at_kill = 0, multi_key = 0, wrong_key = 0, missing = 0;
  long id_changes = 0;
  std::map<std::string, long> repeated, extra_calls;  // per path: items called > once, extra calls
  bool broken = false;                                // the experiment itself could not run
};

std::vector<std::string> node_argv(const cli& c, const std::string& data) {
  return {c.node, "serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--durability", "sync"};
}

// Starts every run without waiting; fills ids[n] with the acknowledged run id. Returns the time
// of the last acknowledgement.
steady::time_point start_runs(const cli& c, int port, const std::string& wf, long runs,
                              std::vector<std::string>& ids, long& failed, long& changed) {
  load_options opt;
  opt.host = c.host;
  opt.port = port;
  opt.connections = c.connections;
  long issued = 0;
  steady::time_point last = steady::now();
  run_load(
      opt,
      [&](int) -> std::optional<http_request> {
        if (issued >= runs) return std::nullopt;
        if (failed >= 1000 && failed >= issued - 64) return std::nullopt;  // nothing works
        http_request r;
        r.method = "POST";
        r.target = "/v1/workflows/" + wf + "/runs";
        r.tag = issued++;
        const std::string n = std::to_string(r.tag);
        r.body = "{\"input\":{\"n\":" + n + "},\"idempotency_key\":\"w4-" + n + "\"}";
        return r;
      },
      [&](int, const http_request& req, http_response&& res, double) {
        json j = (res.status == 201 || res.status == 200) ? json::parse(res.body, nullptr, false)
                                                          : json();
        if (!j.is_object() || !j["id"].is_string()) {
          if (++failed <= 3)
            std::fprintf(stderr, "start n=%ld: %d %s%s\n", req.tag, res.status, res.error.c_str(),
                         res.body.substr(0, 300).c_str());
          return;
        }
        auto& slot = ids[static_cast<std::size_t>(req.tag)];
        const std::string id = j["id"].get<std::string>();
        if (!slot.empty() && slot != id) ++changed;
        slot = id;
        last = steady::now();
      });
  return last;
}

bool terminal(const std::string& s) {
  return s == "succeeded" || s == "failed" || s == "canceled";
}

// Waits for every acknowledged run to finish (GET …?wait=10s, in rounds); final[n] is the last
// status seen ("not_found" for 404) and the result's all_done_s the time of the last finish.
void await_all(const cli& c, int port, const std::vector<std::string>& ids, steady::time_point t0,
               std::vector<std::string>& final, double& all_done_s) {
  std::vector<long> remaining;
  for (std::size_t n = 0; n < ids.size(); ++n)
    if (!ids[n].empty()) remaining.push_back(static_cast<long>(n));
  const auto limit = steady::now() + std::chrono::seconds(180);
  all_done_s = 0;
  while (!remaining.empty() && steady::now() < limit) {
    std::vector<long> still;
    std::size_t next = 0;
    load_options opt;
    opt.host = c.host;
    opt.port = port;
    opt.connections = c.connections;
    run_load(
        opt,
        [&](int) -> std::optional<http_request> {
          if (next >= remaining.size()) return std::nullopt;
          http_request r;
          r.tag = remaining[next++];
          r.target = "/v1/runs/" + ids[static_cast<std::size_t>(r.tag)] + "?wait=10s";
          return r;
        },
        [&](int, const http_request& req, http_response&& res, double) {
          auto n = static_cast<std::size_t>(req.tag);
          json j = res.status == 200 ? json::parse(res.body, nullptr, false) : json();
          std::string status = j.is_object() ? j.value("status", "") : "";
          if (res.status == 404) status = "not_found";
          if (!status.empty()) final[n] = status;
          if (terminal(status) || status == "not_found")
            all_done_s = std::max(all_done_s, seconds_since(t0));
          else
            still.push_back(req.tag);
        });
    remaining.swap(still);
    if (!remaining.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Every run of the workflow, through the list endpoint's pages: (run id, input.n).
std::vector<std::pair<std::string, long>> list_runs(const cli& c, int port, const std::string& wf,
                                                    bool& ok) {
  std::vector<std::pair<std::string, long>> out;
  std::string cursor;
  ok = true;
  for (int page = 0; page < 10000; ++page) {
    std::string target = "/v1/runs?workflow=" + wf + "&limit=100";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto res = sync_request(c.host, port, "GET", target);
    json j = res.status == 200 ? json::parse(res.body, nullptr, false) : json();
    if (!j.is_object() || !j["data"].is_array()) {
      std::fprintf(stderr, "GET %s: %d %s%s\n", target.c_str(), res.status, res.error.c_str(),
                   res.body.substr(0, 300).c_str());
      ok = false;
      return out;
    }
    for (const auto& run : j["data"]) {
      long n = -1;
      if (run.contains("input") && run["input"].is_object() && run["input"].contains("n") &&
          run["input"]["n"].is_number_integer())
        n = run["input"]["n"].get<long>();
      out.emplace_back(run.value("id", ""), n);
    }
    if (!j["next_cursor"].is_string() || j["next_cursor"].get<std::string>().empty()) return out;
    cursor = j["next_cursor"].get<std::string>();
  }
  return out;
}

struct call {
  long count = 0;
  std::set<std::string> keys;
  std::int64_t first_us = 0;
};

// (path, n) → the calls the effects server recorded.
std::map<std::pair<std::string, long>, call> read_calls(const std::string& record) {
  std::map<std::pair<std::string, long>, call> calls;
  std::ifstream in(record);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_object() || !j["n"].is_number_integer()) continue;
    auto& e = calls[{j.value("path", ""), j["n"].get<long>()}];
    if (e.count++ == 0) e.first_us = j.value("t_us", std::int64_t{0});
    e.keys.insert(j["key"].is_string() ? j["key"].get<std::string>() : "(none)");
  }
  return calls;
}

w4_result run_w4_once(const cli& c, const std::string& definition, const std::string& wf, long runs,
                      const std::string& dir, int rep) {
  w4_result out;
  const std::string record = dir + "/effects.jsonl", node_log = dir + "/node.log";
  const std::string data = dir + "/data";
  pid_t effects = spawn({c.effects, "--record", record}, dir + "/effects.log");
  if (wait_listening(effects, dir + "/effects.log", "effects_server listening on ", 10) != 17499) {
    std::fprintf(stderr, "w4: the effects server did not start on 17499 (in use?), see %s\n",
                 (dir + "/effects.log").c_str());
    stop_process(effects, SIGKILL);
    out.broken = true;
    return out;
  }
  pid_t node = spawn(node_argv(c, data), node_log);
  int port = wait_listening(node, node_log, "listening on ", 30);
  std::string problem;
  if (port <= 0 || !wait_ready(port, 60)) problem = "the node did not become ready";
  if (problem.empty()) problem = apply_and_publish(port, wf, definition);
  if (!problem.empty()) {
    std::fprintf(stderr, "w4: %s (logs in %s)\n", problem.c_str(), dir.c_str());
    stop_process(node, SIGKILL);
    stop_process(effects, SIGTERM);
    out.broken = true;
    return out;
  }
  std::vector<std::string> ids(static_cast<std::size_t>(runs));
  long changed = 0;
  auto last_ack = start_runs(c, port, wf, runs, ids, out.start_failures, changed);
  for (const auto& id : ids) out.acked += id.empty() ? 0 : 1;
  if (out.acked == 0) {
    std::fprintf(stderr, "w4: no run was acknowledged (logs in %s)\n", dir.c_str());
    stop_process(node, SIGKILL);
    stop_process(effects, SIGTERM);
    out.broken = true;
    return out;
  }
  std::this_thread::sleep_until(last_ack + std::chrono::milliseconds(c.kill_after_ms));
  const std::int64_t kill_us = wall_us();
  stop_process(node, SIGKILL);

  // Restart on the same data dir: ready = /readyz 200; all done = every acked run finished.
  const std::size_t log_from = file_size(node_log);
  const auto t0 = steady::now();
  const std::int64_t restart_us = wall_us();
  node = spawn(node_argv(c, data), node_log);
  port = wait_listening(node, node_log, "listening on ", 60, log_from);
  if (port <= 0 || !wait_ready(port, 180)) {
    std::fprintf(stderr, "w4: the node did not come back (logs in %s)\n", dir.c_str());
    stop_process(node, SIGKILL);
    stop_process(effects, SIGTERM);
    out.broken = true;
    return out;
  }
  out.ready_s = seconds_since(t0);
  std::vector<std::string> final(ids.size());
  await_all(c, port, ids, t0, final, out.all_done_s);
  for (std::size_t n = 0; n < ids.size(); ++n) {
    if (ids[n].empty()) continue;
    if (final[n] == "not_found") ++out.not_found;
    if (final[n] != "succeeded") {
      if (++out.lost <= 3)
        std::fprintf(stderr, "w4: run %s (n=%zu) ended %s\n", ids[n].c_str(), n,
                     final[n].empty() ? "(no answer)" : final[n].c_str());
    }
  }

  // Duplicates: more runs than starts, or two runs with the same n.
  bool listed_ok = false;
  auto all = list_runs(c, port, wf, listed_ok);
  out.listed = static_cast<long>(all.size());
  std::map<long, long> per_n;
  std::set<std::string> acked_ids(ids.begin(), ids.end());
  for (const auto& [id, n] : all) {
    if (++per_n[n] > 1) ++out.duplicated;
    if (!acked_ids.count(id)) ++out.extra_runs;
  }
  if (!listed_ok) out.duplicated = -1;

  // Side effects: calls per (step, n), keys per item, keys as <run_id>/<item_id>.
  auto calls = read_calls(record);
  for (const auto& [k, e] : calls) {
    const auto& [path, n] = k;
    if (e.count > 1) ++out.repeated[path], out.extra_calls[path] += e.count - 1;
    if (e.keys.size() > 1) ++out.multi_key;
    const bool known = n >= 0 && n < runs && !ids[static_cast<std::size_t>(n)].empty();
    if (!known || *e.keys.begin() != ids[static_cast<std::size_t>(n)] + "/" + path.substr(1) ||
        e.keys.size() > 1)
      ++out.wrong_key;
  }
  for (std::size_t n = 0; n < ids.size(); ++n) {
    if (ids[n].empty()) continue;
    auto c_call = calls.find({"/c", static_cast<long>(n)});
    if (c_call == calls.end() || c_call->second.first_us > kill_us) ++out.unfinished_at_kill;
    if (final[n] != "succeeded") continue;
    for (const char* p : {"/a", "/b", "/c"})
      if (!calls.count({p, static_cast<long>(n)})) ++out.missing;
  }

  // Where the time after the restart goes: when the re-issued calls of each step arrived.
  {
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> span;  // path → first, last
    std::ifstream in(record);
    std::string line;
    while (std::getline(in, line)) {
      json j = json::parse(line, nullptr, false);
      if (!j.is_object()) continue;
      auto t = j.value("t_us", std::int64_t{0});
      if (t < restart_us) continue;
      auto& s = span[j.value("path", "")];
      if (s.first == 0 || t < s.first) s.first = t;
      s.second = std::max(s.second, t);
    }
    std::printf("rep %d: calls after the restart (s after restart, first..last):", rep);
    for (const auto& [path, s] : span)
      std::printf(" %s %.3f..%.3f", path.c_str(), (s.first - restart_us) / 1e6,
                  (s.second - restart_us) / 1e6);
    std::printf("\n");
  }

  // The same keys again after the restart must answer the same runs.
  std::vector<std::string> again(ids.size());
  long again_failed = 0;
  start_runs(c, port, wf, runs, again, again_failed, changed);
  for (std::size_t n = 0; n < ids.size(); ++n)
    if (!ids[n].empty() && again[n] != ids[n]) ++out.id_changes;
  out.id_changes += changed;

  if (!c.ids_out.empty()) {
    std::string path = c.ids_out + (c.reps > 1 ? ".rep" + std::to_string(rep) : "");
    std::ofstream f(path);
    for (std::size_t n = 0; n < ids.size(); ++n)
      if (!ids[n].empty()) f << n << ' ' << ids[n] << '\n';
  }
  stop_process(node, SIGTERM);
  stop_process(effects, SIGTERM);
  return out;
}

}  // namespace

int run_w4(const cli& c) {
  if (c.node.empty() || c.effects.empty() || c.definition.empty()) {
    std::fprintf(stderr, "af_load w4: --node, --effects and --definition are required\n");
    return 2;
  }
  const std::string definition = read_file(c.definition);
  json def = json::parse(definition, nullptr, false);
  if (!def.is_object() || !def["id"].is_string()) {
    std::fprintf(stderr, "af_load w4: %s is not a workflow definition\n", c.definition.c_str());
    return 2;
  }
  const std::string wf = c.workflow.empty() ? def["id"].get<std::string>() : c.workflow;
  const long runs = c.runs > 0 ? c.runs : 2000;
  std::vector<double> ready, done;
  std::vector<w4_result> results;
  bool bad = false;
  for (int rep = 1; rep <= c.reps; ++rep) {
    std::string dir;
    if (!c.work_dir.empty()) {
      dir = c.work_dir + "/rep-" + std::to_string(rep);
      std::filesystem::remove_all(dir);
      std::filesystem::create_directories(dir);
    } else {
      dir = make_temp_dir("af-w4");
    }
    auto r = run_w4_once(c, definition, wf, runs, dir, rep);
    std::printf(
        "rep %d: acked %ld/%ld (unfinished at kill %ld), ready %.3f s, all done %.3f s, lost %ld "
        "(404 %ld), duplicated %ld, runs listed %ld (not acked %ld), repeated calls a/b/c "
        "%ld/%ld/%ld items (%ld/%ld/%ld extra calls), multi-key items %ld, wrong keys %ld, "
        "missing calls %ld, id changes %ld\n",
        rep, r.acked, runs, r.unfinished_at_kill, r.ready_s, r.all_done_s, r.lost, r.not_found,
        r.duplicated, r.listed, r.extra_runs, r.repeated["/a"], r.repeated["/b"], r.repeated["/c"],
        r.extra_calls["/a"], r.extra_calls["/b"], r.extra_calls["/c"], r.multi_key, r.wrong_key,
        r.missing, r.id_changes);
    std::fflush(stdout);
    const bool rep_bad = r.broken || r.acked != runs || r.lost != 0 || r.duplicated != 0 ||
                         r.multi_key != 0 || r.wrong_key != 0 || r.missing != 0 ||
                         r.id_changes != 0;
    if (rep_bad)
      std::printf("rep %d: problems found; files kept in %s\n", rep, dir.c_str());
    else if (c.work_dir.empty())
      std::filesystem::remove_all(dir);
    bad = bad || rep_bad;
    if (r.broken) break;
    ready.push_back(r.ready_s);
    done.push_back(r.all_done_s);
    results.push_back(r);
  }
  auto sum = [&](auto field) {
    double s = 0;
    for (const auto& r : results) s += static_cast<double>(field(r));
    return s;
  };
  auto med = [&](auto field) {
    std::vector<double> v;
    for (const auto& r : results) v.push_back(static_cast<double>(field(r)));
    return median(v);
  };
  report rp("w4");
  if (results.empty()) {
    std::printf("W4: no repetition completed\n");
    rp.note("error", "no repetition completed");
    if (c.json) rp.print_json();
    return 1;
  }
  rp.figure("lost", sum([](const w4_result& r) { return r.lost; }), "W4 lost runs (all reps)", 0);
  rp.figure("duplicated", sum([](const w4_result& r) { return r.duplicated; }),
            "W4 duplicated runs (all reps)", 0);
  rp.figure("restart_to_ready_s", median(ready), "W4 restart to ready s (median)", 3);
  rp.figure("restart_to_all_done_s", median(done), "W4 restart to all done s (median)", 3);
  rp.figure("unfinished_at_kill", med([](const w4_result& r) { return r.unfinished_at_kill; }),
            "W4 runs unfinished at the kill (median)", 0);
  for (const char* p : {"/a", "/b", "/c"}) {
    std::string step = std::string(p).substr(1);
    rp.figure("repeated_" + step,
              med([p](const w4_result& r) { return r.repeated.count(p) ? r.repeated.at(p) : 0; }),
              "W4 items of step " + step + " called more than once (median)", 0);
  }
  rp.figure("multi_key_items", sum([](const w4_result& r) { return r.multi_key; }),
            "W4 items with more than one Idempotency-Key (all reps)", 0);
  rp.figure("wrong_keys", sum([](const w4_result& r) { return r.wrong_key; }),
            "W4 items whose key is not <run_id>/<item_id> (all reps)", 0);
  rp.figure("missing_calls", sum([](const w4_result& r) { return r.missing; }),
            "W4 side effects missing for succeeded runs (all reps)", 0);
  rp.figure("id_changes", sum([](const w4_result& r) { return r.id_changes; }),
            "W4 keys answering another run id after restart (all reps)", 0);
  if (c.json) rp.print_json();
  return bad ? 1 : 0;
}

}  // namespace af::bench
