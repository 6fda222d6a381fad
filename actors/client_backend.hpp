#pragma once
// Internal: what the client needs of the running actors.

#include <caf/all.hpp>

#include "actors/client.hpp"
#include "actors/messages.hpp"

namespace af::actors {

class client::backend {
 public:
  backend(caf::actor_system& sys, node_actor n) : system(sys), node(std::move(n)) {}
  caf::actor_system& system;
  node_actor node;
};

}  // namespace af::actors
