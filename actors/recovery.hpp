#pragma once
// Rebuilding state from the log: the same runtime::apply that ran the first time, fed with the
// stored events. Blocking reads; called before the node is ready, or on a rare restart of a
// crashed actor.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "runtime/run.hpp"
#include "runtime/workflow.hpp"
#include "storage/event_log.hpp"

namespace af::actors {

struct recovered_workflow {
  std::string workspace;
  runtime::workflow_state state;
};

struct recovery_report {
  std::vector<recovered_workflow> workflows;  // deleted ones included (exists == false)
  std::vector<runtime::run_state> runs;       // unfinished runs
  std::uint64_t events = 0;                   // workflow events plus run events replayed
};

// Replays every workflow stream, then every unfinished run (snapshot + later events), and
// rebuilds workflow metrics from the run index (`now` for runs_7d). Errors: corruption (an event
// the state machine refuses, a record that is not JSON), or the log's read error.
result<recovery_report> recover_workflows(storage::event_log& log, millis now);

// A crashed supervisor, rebuilt: its workflow, metrics and unfinished runs.
struct recovered_supervisor {
  runtime::workflow_state state;
  std::vector<runtime::run_state> runs;
};
result<recovered_supervisor> recover_supervisor(storage::event_log& log,
                                                const std::string& workspace, const std::string& id,
                                                millis now);

// Replays one workflow stream (to restart a crashed workflow actor).
result<runtime::workflow_state> recover_workflow(storage::event_log& log,
                                                 const std::string& workspace,
                                                 const std::string& id);

}  // namespace af::actors
