#pragma once
// Internal to the workflow actor: its state, shared by workflow_actor.cpp (definitions and
// versions) and workflow_runs.cpp (the supervisor of the workflow's runs).

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "actors/context.hpp"
#include "actors/messages.hpp"
#include "actors/run_store.hpp"

namespace af::actors {

struct pending_command {
  workflow_request req;
  std::optional<caf::typed_response_promise<reply>> rp;  // none for the actor's own commands
};

struct command_in_flight {
  std::uint64_t ticket = 0;
  pending_command job;
  std::vector<runtime::workflow_event> events;
  millis time = 0;
};

struct supervised_run {
  std::optional<run_actor> actor;  // nullopt: parked (or being restarted)
  std::optional<millis> wake;
  std::uint64_t sent = 0;   // messages forwarded to the current actor (see run_parked)
  bool restarting = false;  // its actor crashed; being rebuilt from the log
  int crashes = 0;
};

struct workflow_actor_state {
  std::shared_ptr<const node_context> ctx;
  std::string workspace;
  runtime::workflow_state wf;
  caf::actor node;
  std::deque<pending_command> queue;
  std::optional<command_in_flight> current;
  std::uint64_t next_ticket = 1;
  // Runs (workflow_runs.cpp).
  std::unordered_map<std::string, supervised_run> runs;  // unfinished runs
  std::unordered_map<caf::actor_addr, std::string> run_by_addr;
  std::unordered_map<int, std::shared_ptr<const runtime::run_plan>> plans;
  std::unordered_map<std::string, idempotency_record> keys;
  std::multimap<millis, std::string> wakes;
  std::optional<millis> wake_armed;
};

using workflow_self = workflow_actor::stateful_pointer<workflow_actor_state>;

// workflow_actor.cpp
void enqueue_command(workflow_self self, pending_command cmd);
void publish_summary(workflow_self self);

// workflow_runs.cpp
caf::result<reply> start_run(workflow_self self, run_start& req);
caf::result<reply> get_run(workflow_self self, run_get& req);
caf::result<page_reply> get_run_items(workflow_self self, run_items_get& req);
caf::result<reply> control_run(workflow_self self, run_control& req);
caf::result<reply> revive_run(workflow_self self, run_revive& req);
void start_child_run(workflow_self self, child_start& req);
void deliver_child_done(workflow_self self, child_done& msg);
void on_run_finished(workflow_self self, const run_finished& msg);
bool on_run_parked(workflow_self self, const run_parked& msg);
void on_run_aborted(workflow_self self, const run_aborted& msg);
void on_wake_check(workflow_self self);
void on_runs_recovered(workflow_self self, runs_recovered& msg);
void on_run_down(workflow_self self, const caf::down_msg& dm);
// A `remove` must wait until no run is unfinished.
std::optional<error> runs_block_removal(const workflow_actor_state& st);

}  // namespace af::actors
