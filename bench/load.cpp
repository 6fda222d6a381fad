// af_load: the load generator of the peer workloads W1–W4 and the memory figure
// (../shared/bench/README.md, issue 4 "Benchmarks"). Every subcommand prints one human line per
// figure, and with --json one JSON line holding them all; exit code 0 when every answer was
// right, 1 when any failed, 2 on a usage error. bench/peers drives them all.
//
//   af_load w1          --port P [--connections 64] [--seconds 15 | --runs N] [--reps 3]
//   af_load w1-latency  --port P [--runs 500] [--reps 3]
//   af_load w2          --port P [--runs 1000] [--reps 3]
//   af_load w3|w3c      --port P [--items 1000] [--reps 3]
//   af_load w4          --node BIN --effects BIN --definition peer-w4.json [--runs 2000]
//                       [--connections 64] [--reps 3] [--kill-after-ms 500] [--ids-out FILE]
//                       [--work-dir DIR]
//   af_load memory      --port P --pid PID [--runs 100000] [--connections 64] [--quiet-s 3]
//   af_load restart     --node BIN [--runs 100000] [--parked 10000] [--connections 64] [--reps 3]
//                       [--setup-durability sync|async] [--work-dir DIR]
//   af_load effects-check --port 17499 [--runs 2000]
// Common: --host H, --workflow ID (instead of peer-w1 …), --json.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/load.hpp"
#include "bench/load_client.hpp"

namespace af::bench {

void report::figure(const std::string& key, double value, const std::string& human, int decimals) {
  std::printf("%-44s %.*f\n", (human + ":").c_str(), decimals, value);
  std::fflush(stdout);
  line[key] = value;
}

void report::note(const std::string& key, const std::string& value) {
  line[key] = value;
}

void report::print_json() const {
  std::printf("%s\n", line.dump().c_str());
  std::fflush(stdout);
}

}  // namespace af::bench

namespace {

const char* usage =
    "usage: af_load w1|w1-latency|w2|w3|w3c|w4|memory|restart [options]\n"
    "  w1          --port P [--connections 64] [--seconds 15 | --runs N] [--reps 3]\n"
    "  w1-latency  --port P [--runs 500] [--reps 3]\n"
    "  w2          --port P [--runs 1000] [--reps 3]\n"
    "  w3, w3c     --port P [--items 1000] [--reps 3]\n"
    "  w4          --node BIN --effects BIN --definition FILE [--runs 2000] [--connections 64]\n"
    "              [--reps 3] [--kill-after-ms 500] [--ids-out FILE] [--work-dir DIR]\n"
    "  memory      --port P --pid PID [--runs 100000] [--connections 64] [--quiet-s 3]\n"
    "  restart     --node BIN [--runs 100000 finished] [--parked 10000] [--connections 64]\n"
    "              [--reps 3] [--setup-durability sync|async] [--work-dir DIR]\n"
    "              (restarts always run with --durability sync)\n"
    "  effects-check --port 17499 [--runs 2000]   (concurrent /b calls to effects_server)\n"
    "  common      --host H  --workflow ID  --json\n";

bool parse_number(const char* s, double& out) {
  char* end = nullptr;
  out = std::strtod(s, &end);
  return end != s && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
  using namespace af::bench;
  if (argc < 2) {
    std::fputs(usage, stderr);
    return 2;
  }
  cli c;
  c.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      c.json = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      std::fputs(usage, stdout);
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "af_load: %s needs a value\n%s", a.c_str(), usage);
      return 2;
    }
    std::string v = argv[++i];
    double num = 0;
    bool numeric = parse_number(v.c_str(), num);
    auto need_number = [&](auto& field) {
      if (!numeric || num < 0) {
        std::fprintf(stderr, "af_load: %s wants a number, got '%s'\n", a.c_str(), v.c_str());
        std::exit(2);
      }
      field = static_cast<std::remove_reference_t<decltype(field)>>(num);
    };
    if (a == "--port")
      need_number(c.port);
    else if (a == "--host")
      c.host = v;
    else if (a == "--connections")
      need_number(c.connections);
    else if (a == "--seconds")
      need_number(c.seconds);
    else if (a == "--runs")
      need_number(c.runs);
    else if (a == "--reps")
      need_number(c.reps);
    else if (a == "--items")
      need_number(c.items);
    else if (a == "--workflow")
      c.workflow = v;
    else if (a == "--pid")
      need_number(c.pid);
    else if (a == "--node")
      c.node = v;
    else if (a == "--effects")
      c.effects = v;
    else if (a == "--definition")
      c.definition = v;
    else if (a == "--ids-out")
      c.ids_out = v;
    else if (a == "--work-dir")
      c.work_dir = v;
    else if (a == "--kill-after-ms")
      need_number(c.kill_after_ms);
    else if (a == "--quiet-s")
      need_number(c.quiet_s);
    else if (a == "--parked")
      need_number(c.parked);
    else if (a == "--setup-durability")
      c.setup_durability = v;
    else {
      std::fprintf(stderr, "af_load: unknown option %s\n%s", a.c_str(), usage);
      return 2;
    }
  }
  if (c.reps < 1 || c.connections < 1) {
    std::fprintf(stderr, "af_load: --reps and --connections must be at least 1\n");
    return 2;
  }
  raise_nofile();
  const bool needs_port = c.command != "w4" && c.command != "restart";
  if (needs_port && (c.port <= 0 || c.port > 65535)) {
    std::fprintf(stderr, "af_load %s: --port is required\n%s", c.command.c_str(), usage);
    return 2;
  }
  if (c.command == "w1") return run_w1(c);
  if (c.command == "w1-latency") return run_w1_latency(c);
  if (c.command == "w2") return run_w2(c);
  if (c.command == "w3") return run_w3(c, false);
  if (c.command == "w3c") return run_w3(c, true);
  if (c.command == "w4") return run_w4(c);
  if (c.command == "memory") return run_memory(c);
  if (c.command == "restart") return run_restart(c);
  if (c.command == "effects-check") return run_effects_check(c);
  std::fprintf(stderr, "af_load: unknown workload '%s'\n%s", c.command.c_str(), usage);
  return 2;
}
