#include "actors/workflow_actor.hpp"

#include <deque>

#include "actors/workflow_internal.hpp"

#include "base/log.hpp"
#include "storage/streams.hpp"

namespace af::actors {
namespace {

using runtime::workflow_command_kind;

using self_ptr = workflow_self;
using state = workflow_actor_state;

reply error_reply(error e) {
  return reply{std::move(e), nullptr, false};
}

// RocksDB refuses every write after a failed WAL write until the process restarts; the log
// reports the underlying storage code in the error's details.
bool storage_failed_for_good(const error& e) {
  if (e.code == errc::io_error || e.code == errc::corruption) return true;
  for (const auto& d : e.details)
    if (d.is_object() &&
        (d.value("storage_code", "") == "io_error" || d.value("storage_code", "") == "corruption"))
      return true;
  return false;
}

// The answer to a command once its events (possibly none) are applied.
reply answer(const state& st, const workflow_command_kind kind,
             const std::vector<runtime::workflow_event>& events) {
  namespace et = runtime::workflow_event_type;
  const std::string_view first = events.empty() ? std::string_view() : events.front().type;
  switch (kind) {
    case workflow_command_kind::remove:
      return reply{std::nullopt, nullptr, false};
    case workflow_command_kind::publish: {
      json body = json::object();
      body["version"] = st.wf.live_version;
      if (auto url = runtime::webhook_url(st.wf, st.ctx->public_url, true))
        body["webhook_url"] = *url;
      return reply{std::nullopt, std::move(body), first == et::published};
    }
    default:
      return reply{std::nullopt, runtime::workflow_view(st.wf, st.ctx->public_url),
                   first == et::created};
  }
}

}  // namespace

void publish_summary(self_ptr self) {
  auto& st = self->state;
  summary_update up{st.workspace, st.wf.id, st.wf.created_at, std::nullopt};
  if (st.wf.exists) up.summary = runtime::workflow_summary(st.wf, st.ctx->public_url);
  self->send(caf::actor_cast<node_actor>(st.node), std::move(up));
}

namespace {

storage::write_batch to_batch(const state& st, const std::vector<runtime::workflow_event>& events,
                              millis time) {
  storage::write_batch batch;
  const auto stream = storage::workflow_stream(st.workspace, st.wf.id);
  std::uint64_t seq = st.wf.seq;
  for (const auto& ev : events)
    batch.events.push_back(storage::event{stream, ++seq, ev.type, time, dump(ev.data)});
  return batch;
}

// Takes queued commands until one needs the log; that one waits for append_done.
void pump(self_ptr self) {
  auto& st = self->state;
  while (!st.current && !st.queue.empty()) {
    pending_command job = std::move(st.queue.front());
    st.queue.pop_front();
    auto deliver = [&job](reply r) {
      if (job.rp) job.rp->deliver(std::move(r));
    };
    if (job.req.cmd.kind == workflow_command_kind::remove) {
      if (auto blocked = runs_block_removal(st)) {
        deliver(error_reply(std::move(*blocked)));
        continue;
      }
    }
    if (std::chrono::steady_clock::now() > job.req.deadline) {
      deliver(error_reply(
          error(errc::unavailable,
                "the node was too busy to take this change in time; nothing was applied")));
      continue;
    }
    auto events = runtime::decide(st.wf, job.req.cmd);
    if (!events) {
      deliver(error_reply(std::move(events).error()));
      continue;
    }
    if (events->empty()) {
      deliver(answer(st, job.req.cmd.kind, *events));
      continue;
    }
    const millis now = st.ctx->clock->now();
    const std::uint64_t ticket = st.next_ticket++;
    auto batch = to_batch(st, *events, now);
    st.current = command_in_flight{ticket, std::move(job), std::move(*events), now};
    auto handle = caf::actor_cast<workflow_actor>(self);
    st.ctx->log->append(std::move(batch), [handle, ticket](result<void> r) {
      caf::anon_send(handle, append_done{ticket, std::move(r)});
    });
  }
}

void on_append_done(self_ptr self, append_done& done) {
  auto& st = self->state;
  if (!st.current || st.current->ticket != done.ticket) return;
  command_in_flight job = std::move(*st.current);
  auto deliver = [&job](reply r) {
    if (job.job.rp) job.job.rp->deliver(std::move(r));
  };
  st.current.reset();
  if (!done.outcome) {
    const auto& e = done.outcome.error();
    logger("actors")->error("wf={}/{} log append failed: {}", st.workspace, st.wf.id, e.message);
    deliver(
        error_reply(error(errc::unavailable, "the event log could not be written: " + e.message)));
    if (storage_failed_for_good(e) && st.ctx->on_fatal) st.ctx->on_fatal(e);
  } else {
    for (const auto& ev : job.events) {
      if (auto r = runtime::apply(st.wf, ev, job.time); !r) {
        // decide() produced an event apply() refuses: a bug. The log already holds it, so a
        // restart would refuse it too; stop loudly rather than serve a state that disagrees.
        logger("actors")->critical("wf={}/{} {}", st.workspace, st.wf.id, r.error().message);
        if (st.ctx->on_fatal) st.ctx->on_fatal(r.error());
        deliver(error_reply(error(errc::internal, r.error().message)));
        return;
      }
      ++st.wf.seq;
    }
    SPDLOG_LOGGER_DEBUG(logger("actors"), "wf={}/{} {} event(s), seq {}", st.workspace, st.wf.id,
                        job.events.size(), st.wf.seq);
    publish_summary(self);
    deliver(answer(st, job.job.req.cmd.kind, job.events));
  }
  pump(self);
}

}  // namespace

void enqueue_command(self_ptr self, pending_command cmd) {
  self->state.queue.push_back(std::move(cmd));
  pump(self);
}

namespace {

workflow_actor::behavior_type workflow_behavior(self_ptr self,
                                                std::shared_ptr<const node_context> ctx,
                                                std::string workspace, runtime::workflow_state wf,
                                                caf::actor node) {
  self->state.ctx = std::move(ctx);
  self->state.workspace = std::move(workspace);
  self->state.wf = std::move(wf);
  self->state.node = std::move(node);
  self->set_down_handler([self](caf::down_msg& dm) { on_run_down(self, dm); });
  // Run actors are linked to us so that a shutdown takes them along; their own ends (normal or
  // a crash) arrive as down messages, so only a shutdown stops this actor.
  self->set_exit_handler([self](caf::exit_msg& m) {
    if (m.reason == caf::exit_reason::user_shutdown || m.reason == caf::exit_reason::kill)
      self->quit(m.reason);
  });
  self->set_exception_handler([self](std::exception_ptr& ep) -> caf::error {
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      logger("actors")->error("wf={}/{} crashed: {}", self->state.workspace, self->state.wf.id,
                              e.what());
    } catch (...) {
      logger("actors")->error("wf={}/{} crashed", self->state.workspace, self->state.wf.id);
    }
    return caf::make_error(caf::sec::runtime_error);
  });
  return {
      [self](workflow_request& req) -> caf::result<reply> {
        auto rp = self->make_response_promise<reply>();
        enqueue_command(self, pending_command{std::move(req), rp});
        return rp;
      },
      [self](const workflow_get& req) -> caf::result<reply> {
        const auto& st = self->state;
        if (!st.wf.exists)
          return error_reply(error(errc::not_found, "workflow '" + st.wf.id + "' not found"));
        switch (req.what) {
          case workflow_view::versions:
            return reply{std::nullopt, runtime::versions_page(st.wf, req.limit, req.after_version),
                         false};
          case workflow_view::version: {
            auto v = runtime::version_view(st.wf, req.version);
            if (!v)
              return error_reply(error(
                  errc::not_found,
                  "workflow '" + st.wf.id + "' has no version " + std::to_string(req.version)));
            return reply{std::nullopt, std::move(*v), false};
          }
          case workflow_view::workflow:
            break;
        }
        return reply{std::nullopt, runtime::workflow_view(st.wf, st.ctx->public_url), false};
      },
      [self](const live_definition_get&) -> caf::result<reply> {
        const auto& st = self->state;
        if (!st.wf.exists)
          return error_reply(error(errc::not_found, "workflow '" + st.wf.id + "' not found"));
        const auto* live = st.wf.live();
        if (!live)
          return error_reply(
              error(errc::conflict, "workflow '" + st.wf.id + "' was never published"));
        return reply{std::nullopt, live->definition, false};
      },
      [self](append_done& done) { on_append_done(self, done); },
      [self](run_start& req) { return start_run(self, req); },
      [self](run_get& req) { return get_run(self, req); },
      [self](run_items_get& req) { return get_run_items(self, req); },
      [self](run_control& req) { return control_run(self, req); },
      [self](run_revive& req) { return revive_run(self, req); },
      [self](child_start& req) { start_child_run(self, req); },
      [self](child_done& msg) { deliver_child_done(self, msg); },
      [self](const run_finished& msg) { on_run_finished(self, msg); },
      [self](const run_parked& msg) { return on_run_parked(self, msg); },
      [self](const run_aborted& msg) { on_run_aborted(self, msg); },
      [self](wake_check) { on_wake_check(self); },
      [self](runs_recovered& msg) { on_runs_recovered(self, msg); },
      [self](drain_waits) {
        for (auto& [id, run] : self->state.runs)
          if (run.actor) self->send(*run.actor, drain_waits{});
      },
  };
}

}  // namespace

workflow_actor spawn_workflow(caf::local_actor* parent, std::shared_ptr<const node_context> ctx,
                              std::string workspace, runtime::workflow_state state,
                              caf::actor node) {
  return parent->spawn<caf::monitored>(workflow_behavior, std::move(ctx), std::move(workspace),
                                       std::move(state), std::move(node));
}

}  // namespace af::actors
