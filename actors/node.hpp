#pragma once
// The actor side of a running node: owns the CAF actor system, spawns the node actor from
// what replay recovered, and hands http/ its client. CAF-free interface.

#include <memory>

#include "actors/client.hpp"
#include "actors/context.hpp"
#include "actors/recovery.hpp"

namespace af::actors {

class node {
 public:
  // Starts the actor system; nothing is served until restore().
  explicit node(std::shared_ptr<const node_context> ctx);
  ~node();  // stop()s
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  // Spawns the node and workflow actors from the recovered state; the client turns ready.
  void restore(recovery_report recovered);

  // Valid for the node's lifetime; answers not_ready until restore().
  client& api() { return client_; }

  // Tests only: kills the workflow's actor as a crash would; the node rebuilds it (and its
  // runs) from the log.
  void crash_workflow_for_test(const std::string& workspace, const std::string& id);

  // Answers every waiting `?wait` request now (the first step of a shutdown).
  void drain_waits();

  // Stops every actor and waits for them. Appends already queued in the log still finish
  // (their acknowledgements go nowhere). Idempotent.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  client client_;
};

}  // namespace af::actors
