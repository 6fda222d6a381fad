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
};

// The live definition of a workflow (for duplicate).
struct live_definition_get {};

// Handlers, one line each.
using workflow_actor = caf::typed_actor<
    caf::replies_to<workflow_request>::with<reply>,     // decide, log, apply, then answer
    caf::replies_to<workflow_get>::with<reply>,         // the GET shape
    caf::replies_to<live_definition_get>::with<reply>,  // body: the live definition (409 if none)
    caf::reacts_to<append_done>>;                       // the log acknowledged or refused a batch

using node_actor = caf::typed_actor<
    caf::replies_to<workflow_request>::with<reply>,    // route to the workflow (spawn on create)
    caf::replies_to<workflow_get>::with<reply>,        // route, or 404
    caf::replies_to<workflow_duplicate>::with<reply>,  // read source, create target
    caf::replies_to<workflow_list>::with<list_reply>,  // newest first, filtered, paged
    caf::reacts_to<summary_update>,                    // keep the list index current
    caf::reacts_to<child_recovered>>;                  // respawn a crashed workflow's actor

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
