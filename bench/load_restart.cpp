// Restart time with many runs in the log (issue "bounded replay"): populate a node with --runs
// finished runs (peer-W1 style, three transforms) and --parked runs parked on a 1 h delay, stop
// it, and time restarts on that data: spawn → /readyz 200, the node's own "replayed …" line,
// RSS at ready; then check that sampled runs read back right and that a parked run wakes.
//
// The populated node is stopped with SIGKILL (memtables unflushed: RocksDB replays its WAL on
// open) and that data dir is kept as the "kill" snapshot; one restart on a copy of it stopped
// with SIGTERM gives the "clean" snapshot (its WAL already folded into tables by that restart).
// Every measured restart runs on a fresh copy of its snapshot, so the repetitions see the same
// bytes (the page cache is warm: a node restarted on the same machine, not a cold disk). The
// populating node runs with --setup-durability (sync by default), every restart with sync.
// A SIGTERM that has not stopped the node within 10 s is followed by SIGKILL and counted
// (hung_stops): the node must stop cleanly, but that is not what this measures.

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench/load.hpp"
#include "bench/load_client.hpp"
#include "bench/load_node.hpp"

namespace af::bench {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;

const char* short_wf = "bench-restart-w1";
const char* parked_wf = "bench-restart-park";

std::string short_definition() {
  return R"({"id":")" + std::string(short_wf) + R"(","trigger":{"type":"api"},"steps":[
    {"id":"a","kind":"transform","with":{"value":"{{ input.n * 2 }}"}},
    {"id":"b","kind":"transform","with":{"value":"{{ steps.a.output + 1 }}"}},
    {"id":"c","kind":"transform","with":{"value":{"result":"{{ steps.b.output }}"}}}],
    "output":"{{ steps.c.output }}"})";
}

std::string parked_definition() {
  return R"({"id":")" + std::string(parked_wf) + R"(","trigger":{"type":"api"},"steps":[
    {"id":"sleep","kind":"delay","with":{"for":"1h"}},
    {"id":"after","kind":"transform","with":{"value":"{{ input.n }}"}}]})";
}

double seconds_since(steady::time_point t) {
  return std::chrono::duration<double>(steady::now() - t).count();
}

// True once the process used under 2 % of a core for a whole window.
bool wait_quiet(pid_t pid, double window_s, double timeout_s) {
  const auto limit = steady::now() + std::chrono::duration<double>(timeout_s);
  while (steady::now() < limit) {
    double c0 = cpu_seconds(pid);
    std::this_thread::sleep_for(std::chrono::duration<double>(window_s));
    double c1 = cpu_seconds(pid);
    if (c0 < 0 || c1 < 0) return false;
    if ((c1 - c0) / window_s < 0.02) return true;
  }
  return false;
}

std::vector<std::string> node_argv(const cli& c, const std::string& data, const char* mode) {
  return {c.node, "serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--durability", mode};
}

double dir_mib(const std::string& dir, const std::string& suffix = {}) {
  std::uintmax_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->is_regular_file(ec) && (suffix.empty() || it->path().string().ends_with(suffix)))
      total += it->file_size(ec);
  return static_cast<double>(total) / (1 << 20);
}

// Starts `count` runs of wf over c.connections connections; every acknowledged id in ids.
long start_runs(const cli& c, int port, const std::string& wf, long count,
                std::vector<std::string>& ids, double& elapsed_s) {
  load_options opt;
  opt.host = c.host;
  opt.port = port;
  opt.connections = c.connections;
  long issued = 0, failed = 0;
  ids.assign(static_cast<std::size_t>(count), {});
  auto totals = run_load(
      opt,
      [&](int) -> std::optional<http_request> {
        if (issued >= count || (failed >= 1000 && failed >= issued - 64)) return std::nullopt;
        http_request r;
        r.method = "POST";
        r.target = "/v1/workflows/" + wf + "/runs";
        r.tag = issued++;
        r.body = "{\"input\":{\"n\":" + std::to_string(r.tag) + "}}";
        return r;
      },
      [&](int, const http_request& req, http_response&& res, double) {
        json j = res.status == 201 ? json::parse(res.body, nullptr, false) : json();
        if (j.is_object() && j["id"].is_string()) {
          ids[static_cast<std::size_t>(req.tag)] = j["id"].get<std::string>();
        } else if (++failed <= 3) {
          std::fprintf(stderr, "start %s n=%ld: %d %s%s\n", wf.c_str(), req.tag, res.status,
                       res.error.c_str(), res.body.substr(0, 300).c_str());
        }
      });
  elapsed_s = totals.elapsed_s;
  return count - failed;
}

// Up to n ids spread evenly over `ids` (empty slots skipped).
std::vector<std::string> sample(const std::vector<std::string>& ids, std::size_t n) {
  std::vector<std::string> out;
  const std::size_t step = std::max<std::size_t>(1, ids.size() / std::max<std::size_t>(1, n));
  for (std::size_t i = 0; i < ids.size() && out.size() < n; i += step)
    if (!ids[i].empty()) out.push_back(ids[i]);
  return out;
}

// How many of `ids` GET /v1/runs/{id} reports with status `want`.
long count_status(const cli& c, int port, const std::vector<std::string>& ids,
                  const std::string& want) {
  std::size_t next = 0;
  long matching = 0, shown = 0;
  load_options opt;
  opt.host = c.host;
  opt.port = port;
  opt.connections = 8;
  run_load(
      opt,
      [&](int) -> std::optional<http_request> {
        if (next >= ids.size()) return std::nullopt;
        http_request r;
        r.tag = static_cast<long>(next);
        r.target = "/v1/runs/" + ids[next++];
        return r;
      },
      [&](int, const http_request& req, http_response&& res, double) {
        json j = res.status == 200 ? json::parse(res.body, nullptr, false) : json();
        std::string status = j.is_object() ? j.value("status", "") : "";
        if (status == want)
          ++matching;
        else if (++shown <= 3)
          std::fprintf(stderr, "restart: %s is '%s', expected %s (%d %s)\n",
                       ids[static_cast<std::size_t>(req.tag)].c_str(), status.c_str(), want.c_str(),
                       res.status, res.error.c_str());
      });
  return matching;
}

struct restart_result {
  double listening_s = -1, ready_s = -1, log_replay_s = -1, log_ready_s = -1;
  // From the node's log timestamps (ms), relative to the spawn: its first line, "listening on"
  // (RocksDB open, WAL recovery included), "ready after".
  double first_line_s = -1, log_listening_s = -1, log_ready_at_s = -1, stop_s = -1;
  bool stopped_cleanly = false;
  double events = -1, workflows = -1, unfinished = -1, rss_mib = -1, cpu_s = -1, cancel_ms = -1;
  long finished_ok = 0, parked_ok = 0, sampled_finished = 0, sampled_parked = 0;
  bool canceled = false, broken = false;
};

// The wall time of the first line holding `needle` past `from`, relative to spawn_ms; -1 when
// absent. Lines start with an RFC 3339 time ("2026-11-22T04:49:24.657Z").
double line_time(const std::string& log, std::size_t from, const std::string& needle,
                 std::int64_t spawn_ms) {
  // `from` is a line start: the previous node's last line ended there.
  auto at = needle.empty() ? from : log.find(needle, from);
  if (at == std::string::npos || at >= log.size()) return -1;
  std::size_t bol = at;
  if (!needle.empty()) {
    auto nl = log.rfind('\n', at);
    bol = nl == std::string::npos ? 0 : nl + 1;
  }
  auto t = parse_ms(log.substr(bol, 24));
  return t ? static_cast<double>(*t - spawn_ms) / 1000 : -1;
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The numbers of "replayed N events in T s (W workflows, R unfinished runs)" and "ready after
// T s" in `log` past `from`.
void parse_log(const std::string& log, std::size_t from, restart_result& r) {
  auto at = log.find("replayed ", from);
  if (at != std::string::npos) {
    double n = 0, t = 0, w = 0, u = 0;
    if (std::sscanf(log.c_str() + at,
                    "replayed %lf events in %lf s (%lf workflows, %lf unfinished runs)", &n, &t, &w,
                    &u) == 4)
      r.events = n, r.log_replay_s = t, r.workflows = w, r.unfinished = u;
  }
  at = log.find("ready after ", from);
  if (at != std::string::npos) std::sscanf(log.c_str() + at, "ready after %lf s", &r.log_ready_s);
}

restart_result restart_once(const cli& c, const std::string& snapshot, const std::string& dir,
                            const std::vector<std::string>& finished,
                            const std::vector<std::string>& parked) {
  restart_result r;
  const std::string data = dir + "/run", log = dir + "/restart.log";
  fs::remove_all(data);
  fs::copy(snapshot, data, fs::copy_options::recursive);
  const std::size_t from = file_size(log);
  const auto t0 = steady::now();
  const std::int64_t spawn_ms = wall_ms();
  pid_t node = spawn(node_argv(c, data, "sync"), log);
  int port = wait_listening(node, log, "listening on ", 120, from);
  if (port > 0) r.listening_s = seconds_since(t0);
  if (port <= 0 || !wait_ready(port, 600)) {
    std::fprintf(stderr, "restart: the node did not become ready (log %s)\n", log.c_str());
    stop_process(node, SIGKILL);
    r.broken = true;
    return r;
  }
  r.ready_s = seconds_since(t0);
  r.rss_mib = static_cast<double>(rss_bytes(node)) / (1 << 20);
  r.cpu_s = cpu_seconds(node);
  {
    const std::string text = read_file(log);
    parse_log(text, from, r);
    r.first_line_s = line_time(text, from, "", spawn_ms);
    r.log_listening_s = line_time(text, from, "listening on ", spawn_ms);
    r.log_ready_at_s = line_time(text, from, "ready after ", spawn_ms);
  }
  r.sampled_finished = static_cast<long>(finished.size());
  r.sampled_parked = static_cast<long>(parked.size());
  r.finished_ok = count_status(c, port, finished, "succeeded");
  r.parked_ok = count_status(c, port, parked, "waiting");
  if (!parked.empty()) {
    const auto t = steady::now();
    auto res = sync_request(c.host, port, "POST", "/v1/runs/" + parked.front() + "/cancel");
    r.cancel_ms = seconds_since(t) * 1000;
    json j = res.status == 200 ? json::parse(res.body, nullptr, false) : json();
    r.canceled = j.is_object() && j.value("status", "") == "canceled";
    if (!r.canceled)
      std::fprintf(stderr, "restart: cancel %s: %d %s%s\n", parked.front().c_str(), res.status,
                   res.error.c_str(), res.body.substr(0, 300).c_str());
  }
  const std::size_t stop_from = file_size(log);
  const auto t_stop = steady::now();
  stop_process(node, SIGTERM);  // SIGKILL after 10 s
  r.stop_s = seconds_since(t_stop);
  r.stopped_cleanly = read_file(log).find("stopped cleanly", stop_from) != std::string::npos;
  return r;
}

}  // namespace

int run_restart(const cli& c) {
  if (c.node.empty()) {
    std::fprintf(stderr, "af_load restart: --node is required\n");
    return 2;
  }
  const std::string setup_mode = c.setup_durability.empty() ? "sync" : c.setup_durability;
  if (setup_mode != "sync" && setup_mode != "async") {
    std::fprintf(stderr, "af_load restart: --setup-durability is sync or async\n");
    return 2;
  }
  const long finished_runs = c.runs > 0 ? c.runs : 100000;
  const long parked_runs = c.parked >= 0 ? c.parked : 10000;
  std::string dir = c.work_dir;
  if (dir.empty())
    dir = make_temp_dir("af-restart");
  else
    fs::remove_all(dir), fs::create_directories(dir);
  const std::string base = dir + "/killed", clean = dir + "/clean";

  // Populate: both workflows, the runs, quiet, SIGKILL.
  const std::string setup_log = dir + "/setup.log";
  pid_t node = spawn(node_argv(c, base, setup_mode.c_str()), setup_log);
  int port = wait_listening(node, setup_log, "listening on ", 30);
  std::string problem;
  if (port <= 0 || !wait_ready(port, 60)) problem = "the node did not become ready";
  if (problem.empty()) problem = apply_and_publish(port, short_wf, short_definition());
  if (problem.empty()) problem = apply_and_publish(port, parked_wf, parked_definition());
  if (!problem.empty()) {
    std::fprintf(stderr, "af_load restart: %s (files in %s)\n", problem.c_str(), dir.c_str());
    stop_process(node, SIGKILL);
    return 1;
  }
  std::vector<std::string> finished_ids, parked_ids;
  double short_s = 0, park_s = 0;
  long ok_short = start_runs(c, port, short_wf, finished_runs, finished_ids, short_s);
  long ok_park = start_runs(c, port, parked_wf, parked_runs, parked_ids, park_s);
  const auto t_quiet = steady::now();
  const bool quiet = wait_quiet(node, 2.0, 300);
  std::printf(
      "populated (durability %s): %ld/%ld finished runs in %.1f s (%.0f/s), %ld/%ld parked "
      "runs in %.1f s; quiet after %.1f s%s\n",
      setup_mode.c_str(), ok_short, finished_runs, short_s, ok_short / std::max(short_s, 1e-9),
      ok_park, parked_runs, park_s, seconds_since(t_quiet), quiet ? "" : " (never quiet)");
  const double setup_rss = static_cast<double>(rss_bytes(node)) / (1 << 20);
  stop_process(node, SIGKILL);
  const double data_mib = dir_mib(base), wal_mib = dir_mib(base, ".log");
  std::printf("data dir %.1f MiB (WAL files %.1f MiB) after SIGKILL; node RSS before it %.1f MiB\n",
              data_mib, wal_mib, setup_rss);

  // The clean snapshot: one restart of a copy, stopped with SIGTERM.
  fs::copy(base, clean, fs::copy_options::recursive);
  node = spawn(node_argv(c, clean, "sync"), dir + "/clean.log");
  port = wait_listening(node, dir + "/clean.log", "listening on ", 120);
  if (port <= 0 || !wait_ready(port, 600)) {
    std::fprintf(stderr, "af_load restart: the first restart failed (files in %s)\n", dir.c_str());
    stop_process(node, SIGKILL);
    return 1;
  }
  stop_process(node, SIGTERM);
  std::printf("clean snapshot %.1f MiB (WAL files %.1f MiB) after SIGTERM\n", dir_mib(clean),
              dir_mib(clean, ".log"));
  std::fflush(stdout);

  const auto finished_sample = sample(finished_ids, 100), parked_sample = sample(parked_ids, 100);
  report rp("restart");
  bool bad = ok_short != finished_runs || ok_park != parked_runs || !quiet;
  long hung_stops = 0;
  for (const char* variant : {"clean", "kill"}) {
    std::vector<restart_result> rs;
    for (int rep = 1; rep <= c.reps; ++rep) {
      auto r = restart_once(c, variant == std::string("clean") ? clean : base, dir, finished_sample,
                            parked_sample);
      std::printf(
          "%s rep %d: listening %.3f s, ready %.3f s (node: replayed %.0f events in %.3f s, %.0f "
          "workflows, %.0f unfinished runs; ready after %.3f s), RSS %.1f MiB, CPU %.2f s; "
          "samples succeeded %ld/%ld, waiting %ld/%ld; cancel %s in %.1f ms\n"
          "%s rep %d: node log times after spawn: first line %.3f, listening %.3f, ready %.3f s; "
          "SIGTERM stop %s in %.1f s\n",
          variant, rep, r.listening_s, r.ready_s, r.events, r.log_replay_s, r.workflows,
          r.unfinished, r.log_ready_s, r.rss_mib, r.cpu_s, r.finished_ok, r.sampled_finished,
          r.parked_ok, r.sampled_parked, r.canceled ? "200 canceled" : "FAILED", r.cancel_ms,
          variant, rep, r.first_line_s, r.log_listening_s, r.log_ready_at_s,
          r.stopped_cleanly ? "clean" : "HUNG (killed)", r.stop_s);
      if (!r.stopped_cleanly) ++hung_stops;
      std::fflush(stdout);
      bad = bad || r.broken || r.finished_ok != r.sampled_finished ||
            r.parked_ok != r.sampled_parked || !r.canceled || r.unfinished != parked_runs;
      if (r.broken) break;
      rs.push_back(r);
    }
    auto med = [&](double restart_result::*field) {
      std::vector<double> v;
      for (const auto& r : rs) v.push_back(r.*field);
      return median(v);
    };
    const std::string k = variant, h = std::string("restart after ") +
                                       (k == "clean" ? "SIGTERM" : "SIGKILL") + ": ";
    rp.figure(k + "_ready_s", med(&restart_result::ready_s), h + "spawn to ready s", 3);
    rp.figure(k + "_listening_s", med(&restart_result::listening_s), h + "spawn to listening s", 3);
    rp.figure(k + "_log_first_line_s", med(&restart_result::first_line_s),
              h + "spawn to first log line s", 3);
    rp.figure(k + "_log_listening_s", med(&restart_result::log_listening_s),
              h + "spawn to 'listening' (log) s", 3);
    rp.figure(k + "_log_ready_s", med(&restart_result::log_ready_at_s),
              h + "spawn to 'ready after' (log) s", 3);
    rp.figure(k + "_replay_s", med(&restart_result::log_replay_s), h + "replay (node log) s", 3);
    rp.figure(k + "_events", med(&restart_result::events), h + "events replayed", 0);
    rp.figure(k + "_unfinished", med(&restart_result::unfinished), h + "unfinished runs", 0);
    rp.figure(k + "_rss_mib", med(&restart_result::rss_mib), h + "RSS at ready MiB");
    rp.figure(k + "_cpu_s", med(&restart_result::cpu_s), h + "node CPU at ready s", 2);
    rp.figure(k + "_cancel_ms", med(&restart_result::cancel_ms), h + "cancel parked run ms");
  }
  rp.figure("finished_runs", static_cast<double>(ok_short), "finished runs in the log", 0);
  rp.figure("parked_runs", static_cast<double>(ok_park), "parked runs in the log", 0);
  rp.figure("data_mib", data_mib, "data dir MiB");
  rp.figure("hung_stops", static_cast<double>(hung_stops),
            "SIGTERM stops not done in 10 s (killed)", 0);
  rp.note("durability", "setup " + setup_mode + ", restarts sync");
  if (hung_stops > 0)
    std::printf("warning: %ld SIGTERM stops did not finish within 10 s (see the *.log files)\n",
                hung_stops);
  if (c.json) rp.print_json();
  if (bad)
    std::printf("problems found; files kept in %s\n", dir.c_str());
  else if (c.work_dir.empty())
    fs::remove_all(dir);
  return bad ? 1 : 0;
}

}  // namespace af::bench
