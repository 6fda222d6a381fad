#include "actors/node.hpp"

#include <caf/all.hpp>

#include "actors/client_backend.hpp"
#include "actors/node_actor.hpp"

namespace af::actors {

struct node::impl {
  std::shared_ptr<const node_context> ctx;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  node_actor root;
  bool stopped = false;
};

node::node(std::shared_ptr<const node_context> ctx) : impl_(std::make_unique<impl>()) {
  impl_->ctx = std::move(ctx);
  // CAF's work-stealing workers poll with 50 µs sleeps for 25 ms before waiting on a condition
  // variable; under bursty load (W4's 2,000 completions) that polling was 28 % of the workers'
  // samples. Ten polls (0.5 ms) and then the condition variable.
  impl_->cfg.set("work-stealing.moderate-poll-attempts", static_cast<size_t>(10));
  impl_->system = std::make_unique<caf::actor_system>(impl_->cfg);
}

node::~node() {
  stop();
}

void node::restore(recovery_report recovered) {
  impl_->root = spawn_node(*impl_->system, impl_->ctx, std::move(recovered.workflows),
                           std::move(recovered.runs));
  client_.attach(std::make_shared<client::backend>(*impl_->system, impl_->root, impl_->ctx));
}

void node::crash_workflow_for_test(const std::string& workspace, const std::string& id) {
  if (impl_->root) caf::anon_send(impl_->root, crash_for_test{workspace, id});
}

void node::drain_waits() {
  if (impl_->root && !impl_->stopped) caf::anon_send(impl_->root, af::actors::drain_waits{});
}

void node::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->root) caf::anon_send_exit(impl_->root, caf::exit_reason::user_shutdown);
  impl_->system->await_all_actors_done();
}

}  // namespace af::actors
