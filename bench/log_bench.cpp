// log_bench: appended events/s and append latency of the RocksDB event log with 1, 8 and 64
// concurrent appenders, each doing append_and_wait of one ~200-byte event in a loop, for
// durability sync and async. Prints the median of --reps runs of --seconds each.
//
//   log_bench [--seconds N] [--reps N] [--dir PATH] [--durability sync|async] [--appenders N]
//
// --durability and --appenders restrict the table to one row or column (for profiling).

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "storage/rocksdb_log.hpp"

namespace {

using namespace af::storage;
using steady = std::chrono::steady_clock;

struct options {
  double seconds = 3;
  int reps = 3;
  std::string dir = std::filesystem::temp_directory_path().string();
  std::string only_durability;  // empty: both
  int only_appenders = 0;       // 0: 1, 8 and 64
};

struct run_result {
  double events_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
  double writes = 0;
  double failed = 0;
};

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

run_result run_once(const options& opt, durability mode, int appenders) {
  auto pattern = (std::filesystem::path(opt.dir) / "af-log-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(1);
  }
  run_result out;
  {
    auto log = open_rocksdb_log({pattern + "/log", mode, nullptr});
    if (!log) {
      std::fprintf(stderr, "open: %s\n", log.error().message.c_str());
      std::exit(1);
    }
    // A 200-byte event: key (~20 bytes) + header (~30) + data (150).
    const std::string data = R"({"item":"fetch","output":{"status":200,"body":")" +
                             std::string(98, 'x') + R"("},"attempt":1})";
    std::atomic<bool> stop{false};
    std::atomic<int> ready{0};
    std::atomic<std::uint64_t> failed{0};
    std::vector<std::vector<double>> latencies(appenders);
    std::vector<std::thread> pool;
    for (int t = 0; t < appenders; ++t) {
      pool.emplace_back([&, t] {
        auto& mine = latencies[t];
        mine.reserve(1 << 16);
        const std::string stream = "run/bench/" + std::to_string(t);
        ready.fetch_add(1);
        while (ready.load() < appenders) std::this_thread::yield();
        for (std::uint64_t seq = 1; !stop.load(std::memory_order_relaxed); ++seq) {
          write_batch b;
          b.events.push_back(event{stream, seq, "item.completed", 1'763'777'626'000, data});
          auto start = steady::now();
          auto r = (*log)->append_and_wait(std::move(b));
          auto took = std::chrono::duration<double, std::micro>(steady::now() - start).count();
          if (!r) failed.fetch_add(1);
          mine.push_back(took);
        }
      });
    }
    while (ready.load() < appenders) std::this_thread::yield();
    auto start = steady::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(opt.seconds));
    stop = true;
    for (auto& th : pool) th.join();
    double elapsed = std::chrono::duration<double>(steady::now() - start).count();

    std::vector<double> all;
    for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
    std::sort(all.begin(), all.end());
    out.events_per_s = static_cast<double>(all.size()) / elapsed;
    out.p50_us = percentile(all, 0.50);
    out.p99_us = percentile(all, 0.99);
    out.writes = static_cast<double>((*log)->stats().writes);
    out.failed = static_cast<double>(failed.load());
  }
  std::error_code ec;
  std::filesystem::remove_all(pattern, ec);
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

bool parse(int argc, char** argv, options& opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return false;
    std::string value = argv[++i];
    char* end = nullptr;
    if (arg == "--seconds") {
      opt.seconds = std::strtod(value.c_str(), &end);
      if (*end != '\0' || !(opt.seconds > 0 && opt.seconds <= 3600)) return false;
    } else if (arg == "--reps") {
      opt.reps = static_cast<int>(std::strtol(value.c_str(), &end, 10));
      if (*end != '\0' || opt.reps < 1 || opt.reps > 100) return false;
    } else if (arg == "--dir") {
      opt.dir = value;
    } else if (arg == "--durability") {
      if (value != "sync" && value != "async") return false;
      opt.only_durability = value;
    } else if (arg == "--appenders") {
      opt.only_appenders = static_cast<int>(std::strtol(value.c_str(), &end, 10));
      if (*end != '\0' || opt.only_appenders < 1 || opt.only_appenders > 1024) return false;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  if (!parse(argc, argv, opt)) {
    std::fprintf(stderr,
                 "usage: log_bench [--seconds N] [--reps N] [--dir PATH] "
                 "[--durability sync|async] [--appenders N]\n");
    return 2;
  }
  std::printf(
      "event log: one ~200-byte event per append_and_wait; median of %d runs of %.1f s; "
      "dir %s; %u cores\n",
      opt.reps, opt.seconds, opt.dir.c_str(), std::thread::hardware_concurrency());
  std::printf("%-10s %9s %12s %9s %9s %10s %12s\n", "durability", "appenders", "events/s", "p50 us",
              "p99 us", "writes", "events/write");
  for (auto mode : {durability::sync, durability::async}) {
    const char* name = mode == durability::sync ? "sync" : "async";
    if (!opt.only_durability.empty() && opt.only_durability != name) continue;
    auto counts =
        opt.only_appenders != 0 ? std::vector<int>{opt.only_appenders} : std::vector<int>{1, 8, 64};
    for (int appenders : counts) {
      std::vector<double> eps, p50, p99, writes, failed;
      for (int r = 0; r < opt.reps; ++r) {
        auto res = run_once(opt, mode, appenders);
        eps.push_back(res.events_per_s);
        p50.push_back(res.p50_us);
        p99.push_back(res.p99_us);
        writes.push_back(res.writes);
        failed.push_back(res.failed);
      }
      double events = median(eps) * opt.seconds;
      std::printf("%-10s %9d %12.0f %9.0f %9.0f %10.0f %12.1f%s\n", name, appenders, median(eps),
                  median(p50), median(p99), median(writes),
                  median(writes) > 0 ? events / median(writes) : 0.0,
                  median(failed) > 0 ? "  (FAILED APPENDS)" : "");
      std::fflush(stdout);
    }
  }
  return 0;
}
