#pragma once
// Every CAF message type of actorflow, and the typed actor interfaces, in one header.
//
// Messages carry ids and small structs, never storage handles. They are local-only for now
// (CAF_ALLOW_UNSAFE_MESSAGE_TYPE: no serializer); the cluster issue gives them inspect().

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/requests.hpp"
#include "base/error.hpp"
#include "base/json.hpp"
#include "base/result.hpp"
#include "runtime/run.hpp"
#include "runtime/workflow.hpp"

namespace af::actors {

// From a workflow actor to the node: its list shape changed (nullopt: it is gone).
struct summary_update {
  std::string workspace;
  std::string id;
  millis created_at = 0;
  std::optional<json> summary;
};

// From the log's writer thread to the actor that appended: batch `ticket` is durable, or not.
struct append_done {
  std::uint64_t ticket = 0;
  result<void> outcome;
};

// From a recovery thread to the node: a crashed workflow's state, rebuilt from the log.
struct child_recovered {
  std::string workspace;
  runtime::workflow_state state;
  std::vector<runtime::run_state> runs;  // its unfinished runs, to its new supervisor
};

// The live definition of a workflow (for duplicate).
struct live_definition_get {};

// ---- Runs ----------------------------------------------------------------------------

// An outbound call of item `item_id` (attempt `attempt`) ended; from the effects loop.
struct http_done {
  std::string item_id;
  int attempt = 0;
  result<runtime::http_result> outcome;
};

// A run's timer: a delay ended, a retry is due, a step (or the run: "") may have timed out.
struct timer_fired {
  std::string item_id;
};

// A `?wait` may have run out.
struct wait_check {};

// Start (or re-attach to) a child run; to the node, then the child workflow's supervisor.
struct child_start {
  std::string workspace;
  std::string workflow_id;
  std::optional<int> version;
  json input;
  std::string mode;
  std::string child_run_id;
  std::string parent_run_id;
  std::string parent_item_id;
};

// A child run finished; to the node, then the parent run (rehydrated when parked).
struct child_done {
  std::string workspace;
  std::string parent_run_id;
  std::string item_id;
  std::string child_run_id;
  runtime::child_result outcome;
};

// From a run actor to its supervisor.
struct run_finished {
  std::string run_id;
  runtime::run_status status = runtime::run_status::succeeded;
  std::string mode;
  bool quiet = false;  // a finished run revived for a control that changed nothing
};
// A run asks to park. `seen` counts the messages its supervisor forwarded that it handled:
// the supervisor agrees (true) only when none is still on its way, so nothing is lost when
// the actor stops.
struct run_parked {
  std::string run_id;
  std::optional<millis> wake_at;  // nullopt: woken only by a message (a child finishing)
  std::uint64_t seen = 0;
};
// A run's first batch failed: it never existed.
struct run_aborted {
  std::string run_id;
  std::string idempotency_key;
  std::string parent_run_id, parent_item_id;  // a child run: its parent's item fails
};

// From a supervisor to the node: which workflow owns an unfinished run (nullopt: finished).
struct run_owner {
  std::string run_id;
  std::optional<std::string> workflow_id;
  std::string workspace;
};

// A supervisor's own timer for parked runs.
struct wake_check {};

// Tests only: stop a workflow's actor as if it had crashed (the node restarts it from the log).
struct crash_for_test {
  std::string workspace;
  std::string id;
};

// The node is stopping: answer every `?wait` now with the run as it is (HTTP threads must
// not hold the shutdown up for up to 60 s).
struct drain_waits {};

// Recovered unfinished runs of one workflow, handed to its supervisor at start.
struct runs_recovered {
  std::vector<runtime::run_state> runs;
};

// Revive a finished run (retry-failed): node → supervisor; the supervisor loads it from the log.
struct run_revive {
  run_control ctl;
  std::string workflow_id;
};

using run_actor =
    caf::typed_actor<caf::replies_to<run_get>::with<reply>,  // the run, now or when finished
                     caf::replies_to<run_items_get>::with<page_reply>,  // items in plan order
                     caf::replies_to<run_control>::with<reply>,         // cancel, pause, resume,
                                                                        // retry-failed
                     caf::reacts_to<append_done>,  // a batch is durable, or not
                     caf::reacts_to<http_done>,    // an outbound call ended
                     caf::reacts_to<timer_fired>,  // a timer
                     caf::reacts_to<wait_check>,   // a ?wait may have run out
                     caf::reacts_to<drain_waits>,  // answer every ?wait now (shutdown)
                     caf::reacts_to<child_done>>;  // a child run finished

// Handlers, one line each.
using workflow_actor = caf::typed_actor<
    caf::replies_to<workflow_request>::with<reply>,     // decide, log, apply, then answer
    caf::replies_to<workflow_get>::with<reply>,         // the GET shape
    caf::replies_to<live_definition_get>::with<reply>,  // body: the live definition (409 if none)
    caf::reacts_to<append_done>,                        // the log acknowledged or refused a batch
    caf::replies_to<run_start>::with<reply>,            // start a run (or answer a repeated key)
    caf::replies_to<run_get>::with<reply>,              // to the run's actor (rehydrated if parked)
    caf::replies_to<run_items_get>::with<page_reply>,   // to the run's actor
    caf::replies_to<run_control>::with<reply>,          // to the run's actor
    caf::replies_to<run_revive>::with<reply>,           // load a finished run and control it
    caf::reacts_to<child_start>,                        // start or re-attach a child run
    caf::reacts_to<child_done>,                         // to the parent run's actor
    caf::reacts_to<run_finished>,                       // metrics, auto-pause, bookkeeping
    caf::replies_to<run_parked>::with<bool>,            // may the run's actor stop? wake it later
    caf::reacts_to<run_aborted>,                        // forget a run that never existed
    caf::reacts_to<wake_check>,                         // rehydrate parked runs that are due
    caf::reacts_to<runs_recovered>,                     // unfinished runs after a restart
    caf::reacts_to<drain_waits>>;                       // to every live run (shutdown)

using node_actor = caf::typed_actor<
    caf::replies_to<workflow_request>::with<reply>,    // route to the workflow (spawn on create)
    caf::replies_to<workflow_get>::with<reply>,        // route, or 404
    caf::replies_to<workflow_duplicate>::with<reply>,  // read source, create target
    caf::replies_to<workflow_list>::with<list_reply>,  // newest first, filtered, paged
    caf::reacts_to<summary_update>,                    // keep the list index current
    caf::reacts_to<child_recovered>,                   // respawn a crashed workflow's actor
    caf::replies_to<run_start>::with<reply>,           // to the workflow's supervisor
    caf::replies_to<run_get>::with<reply>,             // to the owner; not_found when finished
    caf::replies_to<run_items_get>::with<page_reply>,  // to the owner; not_found when finished
    caf::replies_to<run_control>::with<reply>,         // to the owner; not_found when finished
    caf::replies_to<run_revive>::with<reply>,          // to the workflow's supervisor
    caf::reacts_to<child_start>,                       // to the child workflow's supervisor
    caf::reacts_to<child_done>,                        // to the parent run's owner
    caf::reacts_to<run_owner>,                         // keep the run routing table current
    caf::reacts_to<crash_for_test>,                    // tests: kill a workflow actor
    caf::reacts_to<drain_waits>>;                      // to every workflow (shutdown)

}  // namespace af::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::workflow_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::workflow_get)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::workflow_duplicate)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::workflow_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::list_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::summary_update)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::append_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::live_definition_get)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::child_recovered)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::run_start)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::run_get)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::run_items_get)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::run_control)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::run_revive)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::page_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::http_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::timer_fired)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::wait_check)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::child_start)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::child_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::run_finished)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::run_parked)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::run_aborted)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::run_owner)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::wake_check)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::drain_waits)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::crash_for_test)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(af::actors::runs_recovered)
