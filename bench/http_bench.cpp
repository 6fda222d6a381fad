// http_bench: PUT + publish requests/s over HTTP against a running node. Each of --connections
// keep-alive clients applies a fresh workflow (PUT /v1/workflows/{id}) and publishes it, in a
// loop, for --seconds; every answer must be 201. Prints requests/s and p50/p99 latency.
//
//   http_bench --port N [--host H] [--connections N] [--seconds N] [--prefix P]

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;

struct options {
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 64;
  double seconds = 5;
  std::string prefix = "b";
};

const char* definition =
    R"({"name": "bench", "steps": [{"id": "a", "kind": "transform", "with": {"value": "{{ input.n * 2 }}"}},)"
    R"( {"id": "b", "kind": "transform", "with": {"value": {"result": "{{ steps.a.output + 1 }}"}}}],)"
    R"( "output": "{{ steps.b.output }}"})";

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--host")
      opt.host = argv[i + 1];
    else if (a == "--port")
      opt.port = std::atoi(argv[i + 1]);
    else if (a == "--connections")
      opt.connections = std::atoi(argv[i + 1]);
    else if (a == "--seconds")
      opt.seconds = std::atof(argv[i + 1]);
    else if (a == "--prefix")
      opt.prefix = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (opt.port <= 0) {
    std::fprintf(stderr,
                 "usage: http_bench --port N [--connections N] [--seconds N] [--prefix P]\n");
    return 2;
  }
  std::atomic<bool> stop{false};
  std::atomic<long> failures{0};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(opt.connections));
  std::vector<std::thread> threads;
  const auto start = steady::now();
  for (int c = 0; c < opt.connections; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client cli(opt.host, opt.port);
      cli.set_keep_alive(true);
      cli.set_tcp_nodelay(true);  // else Nagle holds the body behind the headers for ~40 ms
      cli.set_connection_timeout(5);
      cli.set_read_timeout(30);
      auto& mine = lat[static_cast<std::size_t>(c)];
      for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const std::string id = opt.prefix + "-" + std::to_string(c) + "-" + std::to_string(i);
        auto t0 = steady::now();
        auto put = cli.Put(("/v1/workflows/" + id).c_str(), definition, "application/json");
        auto t1 = steady::now();
        auto pub = cli.Post(("/v1/workflows/" + id + "/publish").c_str());
        auto t2 = steady::now();
        if (!put || put->status != 201 || !pub || pub->status != 201) ++failures;
        mine.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        mine.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(opt.seconds));  // the measured period
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(steady::now() - start).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  std::printf("%-12d %10.0f %10.0f %10.0f %8ld\n", opt.connections,
              static_cast<double>(all.size()) / elapsed, percentile(all, 0.5),
              percentile(all, 0.99), failures.load());
  return failures.load() == 0 ? 0 : 1;
}
