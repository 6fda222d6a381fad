#pragma once
// The node actor: the directory of workflows. It routes each request to the workflow's actor
// (spawning one when a workflow is created), keeps the list index that GET /v1/workflows
// pages through, and restarts a workflow actor that crashed by replaying its stream.

#include <memory>
#include <vector>

#include "actors/context.hpp"
#include "actors/messages.hpp"
#include "actors/recovery.hpp"

namespace af::actors {

node_actor spawn_node(caf::actor_system& sys, std::shared_ptr<const node_context> ctx,
                      std::vector<recovered_workflow> workflows,
                      std::vector<runtime::run_state> open_runs);

}  // namespace af::actors
