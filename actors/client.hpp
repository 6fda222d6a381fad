#pragma once
// The CAF-free facade http/ uses to reach the actors. Every call blocks the calling thread
// (an HTTP pool thread, never an actor) until the actors answer or `timeout` passes, and is
// safe to call from many threads at once.

#include <chrono>
#include <memory>

#include "actors/requests.hpp"
#include "base/result.hpp"

namespace af::actors {

struct answer {
  json body;
  bool created = false;  // something new came to be: 201
};

class client {
 public:
  class backend;  // implemented in client.cpp over the CAF node actor
  explicit client(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // True once replay finished and the actors serve requests. Before that every call answers
  // errc::not_ready.
  bool ready() const;

  result<answer> send(workflow_request req);
  result<answer> get(workflow_get req);
  result<answer> duplicate(workflow_duplicate req);
  result<list_reply> list(workflow_list req);

  // Runs. start/get/control wait up to their `wait` plus the client timeout.
  result<answer> start(run_start req);
  result<answer> get(run_get req);
  result<answer> control(run_control req);
  result<page_reply> items(run_items_get req);
  result<page_reply> history(run_history_get req);
  result<page_reply> list(run_list req);
  result<page_reply> failures(failure_list req);

  // Called once by actors::node when the node actor runs; ready() turns true.
  void attach(std::shared_ptr<backend> b);

 private:
  std::shared_ptr<backend> backend_;
  std::atomic<bool> ready_{false};
  std::chrono::milliseconds timeout_;
};

}  // namespace af::actors
