#pragma once
// Rebuilding state from the log: the same runtime::apply that ran the first time, fed with the
// stored events. Blocking reads; called before the node is ready, or on a rare restart of a
// crashed actor.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "runtime/workflow.hpp"
#include "storage/event_log.hpp"

namespace af::actors {

struct recovered_workflow {
  std::string workspace;
  runtime::workflow_state state;
};

struct recovery_report {
  std::vector<recovered_workflow> workflows;  // deleted ones included (exists == false)
  std::uint64_t events = 0;
};

// Replays every workflow stream. Errors: corruption (an event the state machine refuses, a
// record that is not JSON), or the log's read error.
result<recovery_report> recover_workflows(storage::event_log& log);

// Replays one workflow stream (to restart a crashed workflow actor).
result<runtime::workflow_state> recover_workflow(storage::event_log& log,
                                                 const std::string& workspace,
                                                 const std::string& id);

}  // namespace af::actors
