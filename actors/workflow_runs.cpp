// The workflow actor as supervisor of its runs (DESIGN §4 "Actors"): starts them, routes to
// them, wakes the parked ones, restarts crashed ones from the log, and keeps the workflow's run
// metrics and auto-pause.
#include <algorithm>
#include <thread>

#include "actors/run_actor.hpp"
#include "actors/workflow_internal.hpp"
#include "base/ids.hpp"
#include "base/log.hpp"
#include "runtime/input_schema.hpp"

namespace af::actors {
namespace {

using self_ptr = workflow_self;

reply fail(errc code, std::string message, json details = json::array()) {
  return reply{error(code, std::move(message), std::move(details)), nullptr, false};
}

// Numbers compare by value (DESIGN §9): 1.0 and 1 are the same request.
void whole_numbers_as_integers(nlohmann::json& v) {
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d > -9.2e18 && d < 9.2e18)
      v = static_cast<std::int64_t>(d);
  } else if (v.is_structured()) {
    for (auto& e : v) whole_numbers_as_integers(e);
  }
}

// The canonical JSON of what a key protects: object keys sorted, so field order never matters.
std::string request_hash(const json& input, const std::string& mode, bool batch) {
  nlohmann::json sorted =
      nlohmann::json::parse(dump(json{{"batch", batch}, {"input", input}, {"mode", mode}}));
  whole_numbers_as_integers(sorted);
  return sorted.dump();
}

result<std::shared_ptr<const runtime::run_plan>> plan_for(self_ptr self, int version) {
  auto& st = self->state;
  if (auto it = st.plans.find(version); it != st.plans.end()) return it->second;
  const auto* v = st.wf.version(version);
  if (!v)
    return error(errc::not_found,
                 "workflow '" + st.wf.id + "' has no version " + std::to_string(version));
  auto plan = runtime::compile_plan(v->definition, st.wf.id, version, st.ctx->lim);
  if (!plan) return error(errc::internal, plan.error().message);
  st.plans[version] = *plan;
  return *plan;
}

// Why a new run of this workflow cannot start, if it cannot.
std::optional<reply> refuse_start(self_ptr self) {
  auto& st = self->state;
  if (!st.wf.exists) return fail(errc::not_found, "workflow '" + st.wf.id + "' not found");
  if (st.wf.status == runtime::workflow_status::archived)
    return fail(errc::conflict, "workflow '" + st.wf.id + "' is archived; nothing runs");
  if (st.wf.live_version == 0)
    return fail(errc::conflict,
                "workflow '" + st.wf.id + "' was never published; publish it first");
  return std::nullopt;
}

std::optional<reply> refuse_plan(const runtime::run_plan& plan) {
  if (!plan.unsupported) return std::nullopt;
  return fail(errc::conflict, "step '" + plan.unsupported->first + "' is of kind '" +
                                  plan.unsupported->second +
                                  "', which this build cannot run yet; the version can be "
                                  "published, but not run");
}

std::optional<reply> check_input(const runtime::run_plan& plan, const json& value,
                                 const std::string& prefix) {
  if (plan.input_schema.is_null()) return std::nullopt;
  auto problems = runtime::validate_input(plan.input_schema, value);
  if (problems.empty()) return std::nullopt;
  json details = json::array();
  for (const auto& p : problems)
    details.push_back(json{{"path", prefix + p.path}, {"message", p.message}});
  return fail(errc::invalid_argument, "the input does not match the workflow's input_schema",
              std::move(details));
}

run_spawn spawn_args(self_ptr self, std::shared_ptr<const runtime::run_plan> plan) {
  run_spawn a;
  a.ctx = self->state.ctx;
  a.plan = std::move(plan);
  a.supervisor = caf::actor_cast<workflow_actor>(self);
  a.node = self->state.node;
  return a;
}

void track(self_ptr self, const std::string& run_id, run_actor actor) {
  auto& st = self->state;
  st.run_by_addr[actor.address()] = run_id;
  auto& entry = st.runs[run_id];
  entry.actor = std::move(actor);
  if (entry.wake) {  // one wake-up entry per run: drop the one this actor replaces
    auto [lo, hi] = st.wakes.equal_range(*entry.wake);
    for (auto w = lo; w != hi; ++w)
      if (w->second == run_id) {
        st.wakes.erase(w);
        break;
      }
  }
  entry.wake.reset();
  entry.sent = 0;
  entry.restarting = false;
}

// Brings a run back from the log into a new actor. nullopt when it is gone or finished.
std::optional<run_actor> rehydrate(self_ptr self, const std::string& run_id) {
  auto& st = self->state;
  auto loaded = load_run(*st.ctx->log, st.workspace, run_id);
  if (!loaded || !*loaded || runtime::finished((*loaded)->status)) {
    if (!loaded)
      logger("actors")->error("run={} cannot be read back: {}", run_id, loaded.error().message);
    st.runs.erase(run_id);
    self->send(caf::actor_cast<node_actor>(st.node), run_owner{run_id, std::nullopt, st.workspace});
    return std::nullopt;
  }
  auto plan = plan_for(self, (*loaded)->version);
  if (!plan) {
    logger("actors")->error("run={} cannot be planned: {}", run_id, plan.error().message);
    return std::nullopt;
  }
  auto args = spawn_args(self, *plan);
  args.state = std::move(**loaded);
  auto actor = spawn_run(self, std::move(args));
  track(self, run_id, actor);
  return actor;
}

// The run's live actor, waking it when parked, for ONE message the caller forwards now (it is
// counted, see run_parked). nullopt: not one of our unfinished runs, or being restarted.
std::optional<run_actor> live_actor(self_ptr self, const std::string& run_id) {
  auto& st = self->state;
  auto it = st.runs.find(run_id);
  if (it == st.runs.end() || it->second.restarting) return std::nullopt;
  if (!it->second.actor && !rehydrate(self, run_id)) return std::nullopt;
  auto& entry = st.runs[run_id];
  ++entry.sent;
  return entry.actor;
}

void arm_wake(self_ptr self) {
  auto& st = self->state;
  if (st.wakes.empty()) return;
  const millis first = st.wakes.begin()->first;
  if (st.wake_armed && *st.wake_armed <= first) return;
  st.wake_armed = first;
  const millis delay = std::max<millis>(0, first - st.ctx->clock->now());
  self->delayed_send(self, std::chrono::milliseconds(delay), wake_check{});
}

// A run by id: its actor answers when it has one (or must wait for it to finish); a parked or
// finished run is read from the log without waking it.
caf::result<reply> existing_run(self_ptr self, const std::string& run_id,
                                std::optional<std::chrono::milliseconds> wait) {
  auto& st = self->state;
  if (auto it = st.runs.find(run_id); it != st.runs.end() && (it->second.actor || wait)) {
    if (auto actor = live_actor(self, run_id))
      return self->delegate(*actor, run_get{st.workspace, run_id, wait});
  }
  auto loaded = load_run(*st.ctx->log, st.workspace, run_id);
  if (!loaded) return fail(errc::unavailable, loaded.error().message);
  if (!*loaded) return fail(errc::not_found, "run " + run_id + " not found");
  return reply{std::nullopt, runtime::run_view(**loaded, st.ctx->public_url), false};
}

}  // namespace

caf::result<reply> start_run(self_ptr self, run_start& req) {
  auto& st = self->state;
  if (auto no = refuse_start(self)) return *no;
  auto plan = plan_for(self, st.wf.live_version);
  if (!plan) return fail(plan.error().code, plan.error().message);
  if (auto no = refuse_plan(**plan)) return *no;
  const std::string mode = req.mode.value_or((*plan)->mode_default);
  if (req.batch) {
    if (req.rows.size() > st.ctx->lim.foreach_elements)
      return fail(errc::invalid_argument, "a batch takes at most " +
                                              std::to_string(st.ctx->lim.foreach_elements) +
                                              " rows; got " + std::to_string(req.rows.size()));
    for (std::size_t i = 0; i < req.rows.size(); ++i)
      if (auto no = check_input(**plan, req.rows[i], "/rows/" + std::to_string(i))) return *no;
  } else if (auto no = check_input(**plan, req.input, "")) {
    return *no;
  }
  const millis now = st.ctx->clock->now();
  std::string hash;
  if (req.idempotency_key) {
    hash = request_hash(req.batch ? req.rows : req.input, mode, req.batch);
    std::optional<idempotency_record> known;
    if (auto it = st.keys.find(*req.idempotency_key); it != st.keys.end()) {
      known = it->second;
    } else {
      auto stored = load_idempotency(*st.ctx->log, st.workspace, st.wf.id, *req.idempotency_key);
      if (!stored) return fail(errc::unavailable, stored.error().message);
      known = *stored;
    }
    if (known && now - known->at < idempotency_window) {
      if (known->hash != hash)
        return fail(errc::idempotency_key_reused,
                    "idempotency key '" + *req.idempotency_key +
                        "' was used within 24 h for a different request (input or mode)");
      return existing_run(self, known->run_id, req.wait);
    }
  }
  runtime::run_init init;
  init.id = "run_" + random_hex(8);
  init.workspace = st.workspace;
  init.mode = mode;
  init.trigger = req.trigger;
  init.input = req.input;
  init.batch = req.batch;
  init.rows = req.rows;
  if (req.idempotency_key) {
    init.idempotency_key = *req.idempotency_key;
    init.request_hash = hash;
    // Keys older than the 24 h window are answered from the log no more; drop them now and
    // then so the map holds one day of keys at most.
    if (st.keys.size() % 1024 == 1023)
      std::erase_if(st.keys,
                    [now](const auto& k) { return now - k.second.at >= idempotency_window; });
    st.keys[*req.idempotency_key] = idempotency_record{init.id, hash, now};
  }
  auto rp = self->make_response_promise<reply>();
  auto args = spawn_args(self, *plan);
  const std::string id = init.id;
  args.init = std::move(init);
  args.start_promise = rp;
  args.wait = req.wait;
  track(self, id, spawn_run(self, std::move(args)));
  return rp;
}

caf::result<reply> get_run(self_ptr self, run_get& req) {
  auto& st = self->state;
  if (!st.runs.count(req.run_id)) return fail(errc::not_found, "run " + req.run_id + " not found");
  return existing_run(self, req.run_id, req.wait);
}

caf::result<page_reply> get_run_items(self_ptr self, run_items_get& req) {
  auto& st = self->state;
  auto it = st.runs.find(req.run_id);
  if (it != st.runs.end() && it->second.actor) {
    ++it->second.sent;
    return self->delegate(*it->second.actor, std::move(req));
  }
  auto loaded = load_run(*st.ctx->log, st.workspace, req.run_id);
  if (!loaded) return caf::make_error(caf::sec::runtime_error, loaded.error().message);
  if (!*loaded) return caf::make_error(caf::sec::runtime_error, "not found");
  return items_page(**loaded, req);
}

caf::result<reply> control_run(self_ptr self, run_control& req) {
  if (auto actor = live_actor(self, req.run_id)) return self->delegate(*actor, std::move(req));
  return fail(errc::not_found, "run " + req.run_id + " not found");
}

caf::result<reply> revive_run(self_ptr self, run_revive& req) {
  auto& st = self->state;
  if (auto actor = live_actor(self, req.ctl.run_id))
    return self->delegate(*actor, std::move(req.ctl));
  auto loaded = load_run(*st.ctx->log, st.workspace, req.ctl.run_id);
  if (!loaded) return fail(errc::unavailable, loaded.error().message);
  if (!*loaded) return fail(errc::not_found, "run " + req.ctl.run_id + " not found");
  auto plan = plan_for(self, (*loaded)->version);
  if (!plan) return fail(plan.error().code, plan.error().message);
  auto args = spawn_args(self, *plan);
  args.state = std::move(**loaded);
  auto actor = spawn_run(self, std::move(args));
  track(self, req.ctl.run_id, actor);
  ++st.runs[req.ctl.run_id].sent;
  return self->delegate(actor, std::move(req.ctl));
}

void start_child_run(self_ptr self, child_start& req) {
  auto& st = self->state;
  if (st.runs.count(req.child_run_id)) return;  // running: it reports to its parent when done
  auto tell_parent = [&](runtime::child_result r) {
    self->send(caf::actor_cast<node_actor>(st.node),
               child_done{req.workspace, req.parent_run_id, req.parent_item_id, req.child_run_id,
                          std::move(r)});
  };
  auto failed = [&](const reply& why) {
    tell_parent(runtime::child_result{
        runtime::run_status::failed, nullptr,
        json{{"code", std::string(to_string(why.err->code))}, {"message", why.err->message}}});
  };
  auto loaded = load_run(*st.ctx->log, st.workspace, req.child_run_id);
  if (!loaded) {  // never create over a child we could not read
    tell_parent(
        runtime::child_result{runtime::run_status::failed, nullptr,
                              json{{"code", "unavailable"}, {"message", loaded.error().message}}});
    return;
  }
  if (*loaded) {
    if (runtime::finished((*loaded)->status))
      tell_parent(runtime::child_result{(*loaded)->status, (*loaded)->output, (*loaded)->error});
    else
      rehydrate(self, req.child_run_id);
    return;
  }
  if (auto no = refuse_start(self)) return failed(*no);
  auto plan = plan_for(self, req.version.value_or(st.wf.live_version));
  if (!plan) return failed(fail(plan.error().code, plan.error().message));
  if (auto no = refuse_plan(**plan)) return failed(*no);
  if (auto no = check_input(**plan, req.input, "")) return failed(*no);
  runtime::run_init init;
  init.id = req.child_run_id;
  init.workspace = st.workspace;
  init.mode = req.mode;
  init.trigger = json{{"type", "child"},
                      {"parent_run_id", req.parent_run_id},
                      {"parent_item_id", req.parent_item_id}};
  init.input = req.input;
  init.parent_run_id = req.parent_run_id;
  init.parent_item_id = req.parent_item_id;
  auto args = spawn_args(self, *plan);
  args.init = std::move(init);
  track(self, req.child_run_id, spawn_run(self, std::move(args)));
}

void deliver_child_done(self_ptr self, child_done& msg) {
  if (auto actor = live_actor(self, msg.parent_run_id)) self->send(*actor, std::move(msg));
}

void on_run_finished(self_ptr self, const run_finished& msg) {
  auto& st = self->state;
  st.runs.erase(msg.run_id);
  if (msg.quiet || msg.mode != "live") return;
  auto& m = st.wf.metrics;
  const millis now = st.ctx->clock->now();
  ++m.run_count;
  ++m.runs_7d;
  m.last_run_at = now;
  m.last_run_status = std::string(runtime::to_string(msg.status));
  if (msg.status == runtime::run_status::succeeded) {
    ++m.success_count;
    st.wf.metrics.consecutive_failures = 0;
  } else if (msg.status == runtime::run_status::failed) {
    ++m.failure_count;
    ++st.wf.metrics.consecutive_failures;
  }
  publish_summary(self);
  if (msg.status != runtime::run_status::failed || st.wf.status != runtime::workflow_status::active)
    return;
  auto plan = plan_for(self, st.wf.live_version);
  const int limit = plan ? (*plan)->auto_pause_after : 5;
  if (limit > 0 && st.wf.metrics.consecutive_failures >= limit) {
    logger("actors")->warn("wf={}/{} paused after {} consecutive failed runs", st.workspace,
                           st.wf.id, st.wf.metrics.consecutive_failures);
    workflow_request req{st.workspace, st.wf.id, runtime::workflow_command{}};
    req.cmd.kind = runtime::workflow_command_kind::pause;
    req.cmd.reason = runtime::pause_reason::consecutive_failures;
    st.wf.metrics.consecutive_failures = 0;
    enqueue_command(self, pending_command{std::move(req), std::nullopt});
  }
}

bool on_run_parked(self_ptr self, const run_parked& msg) {
  auto& st = self->state;
  auto it = st.runs.find(msg.run_id);
  if (it == st.runs.end() || !it->second.actor) return false;
  // Something we forwarded has not reached it yet: it must stay and handle that first.
  if (msg.seen != it->second.sent) return false;
  it->second.actor.reset();
  it->second.wake = msg.wake_at;
  if (msg.wake_at) {
    st.wakes.emplace(*msg.wake_at, msg.run_id);
    arm_wake(self);
  }
  return true;
}

void on_run_aborted(self_ptr self, const run_aborted& msg) {
  auto& st = self->state;
  st.runs.erase(msg.run_id);
  if (!msg.parent_run_id.empty())
    self->send(caf::actor_cast<node_actor>(st.node),
               child_done{st.workspace, msg.parent_run_id, msg.parent_item_id, msg.run_id,
                          runtime::child_result{runtime::run_status::failed, nullptr,
                                                json{{"code", "unavailable"},
                                                     {"message",
                                                      "the child run could not be "
                                                      "written to the log"}}}});
  if (!msg.idempotency_key.empty()) {
    auto k = st.keys.find(msg.idempotency_key);
    if (k != st.keys.end() && k->second.run_id == msg.run_id) st.keys.erase(k);
  }
}

void on_wake_check(self_ptr self) {
  auto& st = self->state;
  st.wake_armed.reset();
  const millis now = st.ctx->clock->now();
  while (!st.wakes.empty() && st.wakes.begin()->first <= now) {
    auto [at, id] = *st.wakes.begin();
    st.wakes.erase(st.wakes.begin());
    auto it = st.runs.find(id);
    if (it == st.runs.end() || it->second.actor || it->second.wake != at) continue;
    rehydrate(self, id);
  }
  arm_wake(self);
}

void on_runs_recovered(self_ptr self, runs_recovered& msg) {
  auto& st = self->state;
  for (auto& run : msg.runs) {
    const std::string id = run.id;
    if (auto it = st.runs.find(id); it != st.runs.end() && it->second.actor) continue;
    auto plan = plan_for(self, run.version);
    if (!plan) {
      logger("actors")->error("run={} cannot be recovered: {}", id, plan.error().message);
      continue;
    }
    if (!run.idempotency_key.empty())
      st.keys[run.idempotency_key] = idempotency_record{id, run.request_hash, run.created_at};
    auto args = spawn_args(self, *plan);
    args.state = std::move(run);
    track(self, id, spawn_run(self, std::move(args)));
  }
}

void on_run_down(self_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto it = st.run_by_addr.find(dm.source);
  if (it == st.run_by_addr.end()) return;
  const std::string id = it->second;
  st.run_by_addr.erase(it);
  if (dm.reason == caf::exit_reason::normal || dm.reason == caf::exit_reason::user_shutdown) return;
  auto run = st.runs.find(id);
  if (run == st.runs.end()) return;
  run->second.actor.reset();
  run->second.restarting = true;  // no rehydration meanwhile: one actor per run
  if (++run->second.crashes > 3) {
    // A run that keeps crashing is a bug; restarting it forever would only fill the log.
    logger("actors")->critical("run={} crashed {} times; left as it is in the log", id,
                               run->second.crashes);
    return;
  }
  logger("actors")->warn("run={} actor stopped ({}); rebuilding it from the log", id,
                         caf::to_string(dm.reason));
  // Off the scheduler: a barrier append settles whatever the dead actor had in flight, then
  // the run is read back and handed over like a recovered one.
  std::thread([ctx = st.ctx, ws = st.workspace, id,
               handle = caf::actor_cast<workflow_actor>(self)] {
    storage::write_batch barrier;
    barrier.records.push_back({storage::space::meta, "restart_barrier", ws + "/" + id});
    if (!ctx->log->append_and_wait(std::move(barrier))) return;  // storage is failing: fatal path
    auto loaded = load_run(*ctx->log, ws, id);
    if (!loaded) {
      logger("actors")->critical("run={} cannot be read back: {}", id, loaded.error().message);
      return;
    }
    if (!*loaded || runtime::finished((*loaded)->status)) {
      // Nothing left to run: forget it (quietly: its finish was counted, if it happened).
      caf::anon_send(handle, run_finished{id, runtime::run_status::canceled, "", true});
      return;
    }
    runs_recovered msg;
    msg.runs.push_back(std::move(**loaded));
    caf::anon_send(handle, std::move(msg));
  }).detach();
}

std::optional<error> runs_block_removal(const workflow_actor_state& st) {
  if (st.runs.empty()) return std::nullopt;
  return error(errc::conflict, "workflow '" + st.wf.id + "' has " + std::to_string(st.runs.size()) +
                                   " unfinished run(s); cancel them or wait until they finish");
}

}  // namespace af::actors
