#pragma once
// A small HTTP/1.1 load engine for the peer workloads: one thread, one epoll loop, N keep-alive
// connections (TCP_NODELAY), each carrying one request at a time. A client that costs little
// CPU matters here: the node and the load generator share the machine's 2 cores.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace af::bench {

struct http_request {
  std::string method = "GET";
  std::string target;         // path and query
  std::string body;           // sent with Content-Type: application/json when not empty
  std::string extra_headers;  // whole lines, each ending in "\r\n"
  long tag = 0;               // the caller's own reference (e.g. the run's n)
};

struct http_response {
  int status = 0;     // 0 when the request failed below HTTP (see error)
  std::string body;   // decoded (chunked bodies are joined)
  std::string error;  // empty when an HTTP answer arrived
};

struct load_options {
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 64;
  double deadline_s = 0;              // stop sending new requests after this many seconds (0: none)
  double request_timeout_s = 90;      // a request without a whole answer by then fails "timeout"
  bool connect_first = false;         // open every connection before the first request is sent
  long max_consecutive_errors = 500;  // transport errors in a row with no answer: give up
};

struct load_totals {
  double elapsed_s = 0;  // first send to last answer
  long answered = 0;     // HTTP answers of any status
  long transport_errors = 0;
  bool gave_up = false;  // max_consecutive_errors reached
};

// Asks for the next request of connection `conn`; nullopt closes that connection for good.
using next_fn = std::function<std::optional<http_request>(int conn)>;
// Called once per request, on the loop thread, with the time from its first byte written to
// its answer's last byte read (ms). A failed request has status 0 and a non-empty error.
using done_fn =
    std::function<void(int conn, const http_request& req, http_response&& res, double ms)>;

// Runs until every connection has been closed by `next` (or the deadline passed and every
// request in flight was answered or timed out). Never throws on network errors: they are
// reported through `done`.
load_totals run_load(const load_options& opt, const next_fn& next, const done_fn& done);

// One request on a fresh connection, blocking (for setup and checks, not for measuring).
http_response sync_request(const std::string& host, int port, const std::string& method,
                           const std::string& target, const std::string& body = {},
                           double timeout_s = 30);

// Nearest-rank percentile of an ascending vector (0 when empty).
double percentile(const std::vector<double>& sorted, double p);
double median(std::vector<double> v);

// Raises the soft open-files limit to the hard one; returns the new soft limit.
long raise_nofile();

}  // namespace af::bench
