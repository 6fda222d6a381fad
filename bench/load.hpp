#pragma once
// af_load's workloads (see load.cpp for the command line). Each returns the process exit code:
// 0 when every answer was right, 1 when some failed or a check found a problem.

#include <nlohmann/json.hpp>
#include <string>

namespace af::bench {

struct cli {
  std::string command;
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 64;
  double seconds = 0;  // w1: measured period (default 15 s unless --runs is given)
  long runs = 0;       // w1: fixed number of runs; w2/w4/memory: how many runs
  int reps = 3;
  int items = 1000;         // w3 / w3c
  std::string workflow;     // overrides the workload's workflow id
  bool json = false;        // also print one JSON line with every figure
  long pid = 0;             // memory: the node's pid
  std::string node;         // w4: the actorflow binary
  std::string effects;      // w4: the effects_server binary
  std::string definition;   // w4: peer-w4.json
  std::string ids_out;      // w4: where acknowledged run ids are written
  std::string work_dir;     // w4: keep data dir, logs and the effects record here
  int kill_after_ms = 500;  // w4: SIGKILL this long after the last acknowledgement
  double quiet_s = 3;       // memory: CPU-quiet period that ends the wait

  long parked = -1;              // restart: runs parked on a 1 h delay (default 10,000)
  std::string setup_durability;  // restart: durability while populating (sync | async)
};

// Prints "name: value unit" and adds the figure to the JSON line.
struct report {
  explicit report(std::string workload) { line["workload"] = std::move(workload); }
  void figure(const std::string& key, double value, const std::string& human, int decimals = 1);
  void note(const std::string& key, const std::string& value);
  void print_json() const;
  nlohmann::json line;
};

int run_w1(const cli& c);
int run_w1_latency(const cli& c);
int run_w2(const cli& c);
int run_w3(const cli& c, bool children);
int run_w4(const cli& c);
int run_memory(const cli& c);
// Restart time with --runs finished and --parked parked runs in the log (load_restart.cpp).
int run_restart(const cli& c);
// Sanity check of effects_server: --runs concurrent POST /b calls (default 2,000).
int run_effects_check(const cli& c);

}  // namespace af::bench
