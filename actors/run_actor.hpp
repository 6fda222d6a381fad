#pragma once
// One actor per active run (DESIGN §4): drives the run machine of runtime/run.hpp, appends
// its events (one batch in flight at a time; events decided meanwhile go in the next batch),
// and only once a batch is durable carries out its actions (outbound calls, timers, child runs)
// and answers whoever waits. A run that only waits for a distant timer or a child parks: it
// writes a snapshot, tells its supervisor when to wake it, and stops.

#include <chrono>
#include <memory>
#include <optional>

#include "actors/context.hpp"
#include "actors/messages.hpp"

namespace af::actors {

struct run_spawn {
  std::shared_ptr<const node_context> ctx;
  std::shared_ptr<const runtime::run_plan> plan;
  workflow_actor supervisor;
  caf::actor node;
  // A new run: `init` and the caller's promise (answered after the first batch, or when the
  // run finishes within `wait`). A recovered or rehydrated run: `state`.
  std::optional<runtime::run_init> init;
  std::optional<caf::typed_response_promise<reply>> start_promise;
  std::optional<std::chrono::milliseconds> wait;
  std::optional<runtime::run_state> state;
};

run_actor spawn_run(caf::local_actor* parent, run_spawn args);

// How far away a wake-up must be for a waiting run to park instead of keeping its actor.
inline constexpr millis park_after = 2000;

}  // namespace af::actors
