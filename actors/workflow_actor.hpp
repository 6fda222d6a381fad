#pragma once
// One actor per workflow: the only writer of its stream. Commands are handled one at a time
// (later ones wait in a queue) so that each decision sees every acknowledged event before it;
// a change is applied and answered only after the log acknowledged it.

#include <memory>
#include <string>

#include "actors/context.hpp"
#include "actors/messages.hpp"

namespace af::actors {

// Spawns the actor for `state` (monitored by `parent`, which restarts it from the log) (which may
// be empty: a workflow about to be created).
workflow_actor spawn_workflow(caf::local_actor* parent, std::shared_ptr<const node_context> ctx,
                              std::string workspace, runtime::workflow_state state,
                              caf::actor node);

}  // namespace af::actors
