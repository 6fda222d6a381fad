#pragma once
// Loopback servers and a completion collector for the effects tests. Every wait here is on a
// condition with a deadline; nothing sleeps to "wait long enough".

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "effects/http_client.hpp"

namespace af::effects::test {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

inline long long millis_since(steady::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t0).count();
}

// Polls `pred` every millisecond until it holds (true) or `limit` passes (false).
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit = 10s) {
  auto deadline = steady::now() + limit;
  while (!pred()) {
    if (steady::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Raises `peak` to `value` if it is larger.
template <class T>
void raise_peak(std::atomic<T>& peak, T value) {
  T seen = peak.load();
  while (value > seen && !peak.compare_exchange_weak(seen, value)) {
  }
}

// A door handlers wait behind until the test opens it (instead of sleeping "forever").
class gate {
 public:
  // Blocks until open() (true) or until `limit` passes (false).
  bool wait(std::chrono::milliseconds limit = 60s);
  void open();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// An httplib server on 127.0.0.1 and a port the kernel picks. Register routes on server()
// before start(). httplib holds a pool thread per kept-alive connection, so `threads` must
// exceed the connections a test opens at once, or the extra ones wait for a keep-alive timeout. The
// destructor opens hold() first, so handlers parked there let go, then stops the server and joins
// its thread.
class http_server {
 public:
  explicit http_server(std::size_t threads = 16);
  ~http_server();
  httplib::Server& server() { return server_; }
  gate& hold() { return hold_; }
  void start();  // fails the test if the server is not running within 5 s
  std::string url(const std::string& target) const;

 private:
  gate hold_;  // declared before server_: outlives handler threads
  httplib::Server server_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// A plain TCP server (no HTTP library) that does one thing to every connection, on its own
// thread, one connection at a time.
class raw_server {
 public:
  enum class action {
    reply_and_close,      // read the request head, write `reply`, close
    close_at_once,        // close right after accept, reading nothing
    reset_after_request,  // read the request head, then close with RST (SO_LINGER 0)
  };
  explicit raw_server(action a, std::string reply = {});
  ~raw_server();
  std::string url(const std::string& target = "/") const;
  std::size_t connections() const { return connections_.load(); }
  std::string last_request_head() const;  // the bytes read from the latest connection

 private:
  void serve();
  void handle(int fd);

  action action_;
  std::string reply_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<std::size_t> connections_{0};
  mutable std::mutex mu_;
  std::string last_head_;  // guarded by mu_
  std::thread thread_;
};

// A port with nothing listening on it (bound once by the kernel, then closed).
int closed_port();

// A listener whose accept queue is full and never drained, so further SYNs are dropped and a
// connect attempt hangs until the client gives up.
class saturated_listener {
 public:
  saturated_listener();
  ~saturated_listener();
  std::string url() const;

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

// Records the outcome of call i and how many times its callback ran.
class collector {
 public:
  explicit collector(std::size_t n) : outcomes_(n), calls_(n, 0), threads_(n) {}
  http_done slot(std::size_t i);
  // True once every call has been answered at least once, false at the deadline.
  bool wait_all(std::chrono::milliseconds limit = 30s);
  const result<http_response>& at(std::size_t i) const { return *outcomes_.at(i); }
  std::thread::id thread_of(std::size_t i) const { return threads_.at(i); }
  bool each_called_exactly_once() const;
  std::size_t size() const { return calls_.size(); }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::optional<result<http_response>>> outcomes_;
  std::vector<int> calls_;
  std::vector<std::thread::id> threads_;
  std::size_t answered_ = 0;
};

// Submits one call and waits for it; fails the test if no answer comes within 30 s.
result<http_response> call(http_client& client, http_request req);

}  // namespace af::effects::test
