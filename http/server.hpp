#pragma once
// The HTTP gateway: cpp-httplib tuned and guarded as notes §7 and §10 say (a sized pool,
// TCP_NODELAY, long keep-alive, a 4096 backlog, bodies read through our own size-checked
// reader, our JSON on httplib's own errors), turning requests into calls on actors::client.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "actors/client.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "config/options.hpp"
#include "http/paging.hpp"

namespace httplib {
class Server;
}

namespace af::http {

// What /v1/node reports. Filled by app/; replay figures are set once replay finished.
struct node_status {
  std::string version;
  std::string node_id;
  std::string data_dir;
  millis started_at = 0;
  std::atomic<std::uint64_t> replay_events{0};
  std::atomic<std::int64_t> replay_micros{0};
};

struct server_context {
  config::node_options opts;
  actors::client* client = nullptr;     // outlives the server
  const node_status* status = nullptr;  // outlives the server
  std::shared_ptr<const af::clock> clock;
  std::string cursor_secret;  // signs list cursors; kept in the data dir
};

class server {
 public:
  explicit server(server_context ctx);
  ~server();  // stop()s

  // Binds opts.listen and serves on a thread of its own. Returns the bound port (useful when
  // the configured port is 0). Errors: the address cannot be bound.
  result<std::uint16_t> start();

  // Stops accepting, lets in-flight requests finish, joins. Idempotent.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace af::http
