#pragma once
// `actorflow serve`: wiring of config, logging, storage, actors and HTTP, and the shutdown
// in reverse order.

#include "config/options.hpp"

namespace af::app {

// Runs a node until SIGTERM or SIGINT. Returns the process exit code: 0 after a clean stop,
// non-zero when the node could not start (the reason is logged). Expects SIGTERM and SIGINT
// to be blocked in the calling thread (main() does it before any thread starts).
int serve(const config::node_options& opts);

}  // namespace af::app
