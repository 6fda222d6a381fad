#pragma once
// What every actor of a node shares: the log, the clock, how the node is reached from outside,
// and what to do when storage fails for good. Built once by app/, read-only afterwards.

#include <functional>
#include <memory>
#include <string>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "base/limits.hpp"
#include "effects/http_client.hpp"
#include "storage/event_log.hpp"

namespace af::actors {

struct node_context {
  std::shared_ptr<storage::event_log> log;
  std::shared_ptr<effects::http_client> http;  // outbound calls of http steps
  std::shared_ptr<const af::clock> clock;
  std::string public_url;  // "http://127.0.0.1:7400", no trailing slash
  af::limits lim;
  // Called (from any thread) when the log fails in a way retrying cannot fix; the app logs
  // critical and exits non-zero, so that a restart replays.
  std::function<void(const error&)> on_fatal;
};

}  // namespace af::actors
