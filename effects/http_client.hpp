#pragma once
// Outbound HTTP calls for http steps: one libcurl multi loop on its own thread drives every
// call, so thousands can be in flight without a thread each. No CAF and no libcurl type in this
// header: completions come back through a callback that should just send a message.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace af::effects {

struct http_request {
  // Any HTTP token ("GET", "PATCH", "PURGE"); a non-token is invalid_argument. HEAD never waits
  // for a body and may not carry one (invalid_argument).
  std::string method = "GET";
  // Absolute http:// or https:// URL with the query already encoded (url_encode). Any other
  // scheme, or a URL libcurl cannot parse, is invalid_argument. Redirects are not followed and
  // no proxy is taken from the environment.
  std::string url;
  // Sent in order, as given. Names must be tokens and values free of CR, LF and NUL
  // (invalid_argument otherwise); an empty value is sent as an empty header. Content-Length and
  // Transfer-Encoding are ignored: the framing is always computed from `body`, so a wrong length
  // cannot desynchronise a kept-alive connection. Without a Content-Type none is added.
  std::vector<std::pair<std::string, std::string>> headers;
  // Sent as is; a non-empty body, or an empty one with POST/PUT/PATCH, goes with Content-Length.
  std::string body;
  std::chrono::milliseconds connect_timeout{5000};  // TCP + TLS set-up; at least 1 ms
  std::chrono::milliseconds timeout{30000};         // the whole attempt; at least 1 ms
  std::size_t max_response_bytes = 8 << 20;         // larger bodies fail with limit_exceeded
};

struct http_response {
  int status = 0;  // any status is a success here; the run engine decides what it expected
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;                                          // raw bytes, not decoded
};

// Errors a call can end with (af::error):
//   timeout           connect or attempt timeout; the message says which
//   unavailable       refused, reset, DNS, TLS, a reply that is not HTTP, or the client stopping;
//                     the message names the libcurl error
//   limit_exceeded    response body over max_response_bytes (or headers over 256 KiB)
//   invalid_argument  bad method, URL, scheme or header
//   internal          libcurl itself failed (out of memory, bad option)
using http_done = std::function<void(result<http_response>)>;

// Thread-safe: every member may be called from any thread, except stop() and the destructor,
// which must not be called from inside a `done` callback.
class http_client {
 public:
  struct options {
    // Calls driven at once; further submissions wait in a FIFO queue, and their timeouts start
    // only when they leave it. 0 counts as 1.
    std::size_t max_in_flight = 10000;
    std::size_t max_host_connections = 0;  // per host:port; 0 = unlimited
  };

  // Starts the loop thread. Throws std::runtime_error only if the process cannot create an
  // epoll set, an eventfd or a curl multi handle (out of descriptors or memory at start-up).
  explicit http_client(options o);
  // Not `options o = {}`: a nested struct's default member initialisers are not usable in a
  // default argument inside its enclosing class (g++ 12 rejects it).
  http_client() : http_client(options{}) {}
  ~http_client();  // stop()
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // Queues the call and returns at once. `done` runs exactly once: on the loop thread, or on the
  // calling thread when the client is already stopped (with unavailable). It must be quick
  // (send a message) and must not call stop(); it may call submit(). It should not throw: an
  // exception is logged and swallowed so the other calls carry on.
  void submit(http_request req, http_done done);

  // Fails every queued and in-flight call with unavailable ("stopping"), joins the loop thread
  // and closes every connection. Idempotent; returns promptly whatever the calls are doing.
  void stop();

  // Calls submitted whose `done` has not run yet (queued and driven).
  std::size_t in_flight() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Percent-encodes a query value: RFC 3986 unreserved characters (ALPHA DIGIT - . _ ~) are kept,
// every other byte becomes %XX (upper-case hex), a space included.
std::string url_encode(std::string_view s);

}  // namespace af::effects
