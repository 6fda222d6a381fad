#include "actors/node_actor.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "actors/workflow_actor.hpp"
#include "base/log.hpp"

namespace af::actors {
namespace {

// List order: workspace, then newest first (created_at desc), then id.
using index_key = std::tuple<std::string, millis, std::string>;  // (ws, -created_at, id)

struct entry {
  workflow_actor handle;
  std::optional<index_key> listed;  // where its summary sits in the index
};

struct state {
  std::shared_ptr<const node_context> ctx;
  std::unordered_map<std::string, entry> workflows;  // "<ws>/<id>"
  std::map<index_key, json> index;
  std::unordered_map<caf::actor_addr, std::string> by_addr;  // to restart crashed children
  std::unordered_set<std::string> restarting;                // crashed, being rebuilt from the log
  std::unordered_map<std::string, std::string> run_owners;   // "<ws>/<run id>" → workflow id
  // Every child ever started, for the exit functor: it runs after the state is destroyed.
  std::shared_ptr<std::vector<caf::actor>> children = std::make_shared<std::vector<caf::actor>>();
};

using self_ptr = node_actor::stateful_pointer<state>;

std::string key_of(const std::string& ws, const std::string& id) {
  return ws + "/" + id;
}

// The answer for a workflow without a live actor: gone, or being restarted after a crash.
reply missing(const state& st, const std::string& ws, const std::string& id) {
  if (st.restarting.count(key_of(ws, id)))
    return reply{error(errc::unavailable, "workflow '" + id + "' is restarting; retry shortly"),
                 nullptr, false};
  return reply{error(errc::not_found, "workflow '" + id + "' not found"), nullptr, false};
}

void set_summary(state& st, const std::string& ws, const std::string& id, millis created_at,
                 std::optional<json> summary) {
  auto& e = st.workflows[key_of(ws, id)];
  if (e.listed) st.index.erase(*e.listed);
  e.listed.reset();
  if (!summary) return;
  index_key k{ws, -created_at, id};
  st.index[k] = std::move(*summary);
  e.listed = k;
}

workflow_actor start_child(self_ptr self, const std::string& ws, runtime::workflow_state wf) {
  auto& st = self->state;
  auto id = wf.id;
  auto child = spawn_workflow(self, st.ctx, ws, std::move(wf), caf::actor_cast<caf::actor>(self));
  st.by_addr[child.address()] = key_of(ws, id);
  st.workflows[key_of(ws, id)].handle = child;
  st.children->push_back(caf::actor_cast<caf::actor>(child));
  return child;
}

// The workflow's actor; spawns an empty one (a workflow about to be created) when asked to.
std::optional<workflow_actor> find(self_ptr self, const std::string& ws, const std::string& id,
                                   bool create) {
  auto& st = self->state;
  auto it = st.workflows.find(key_of(ws, id));
  if (it != st.workflows.end() && it->second.handle) return it->second.handle;
  if (!create || st.restarting.count(key_of(ws, id))) return std::nullopt;
  runtime::workflow_state fresh;
  fresh.id = id;
  return start_child(self, ws, std::move(fresh));
}

bool creates(runtime::workflow_command_kind k) {
  return k == runtime::workflow_command_kind::apply ||
         k == runtime::workflow_command_kind::create_only;
}

list_reply list(const state& st, const workflow_list& q) {
  list_reply out;
  auto it =
      q.after
          ? st.index.upper_bound(index_key{q.workspace, -q.after->created_at, q.after->id})
          : st.index.lower_bound(index_key{q.workspace, std::numeric_limits<millis>::min(), ""});
  const json status = q.status ? json(std::string(runtime::to_string(*q.status))) : json();
  const index_key* last = nullptr;  // the index entry of the last item taken
  for (; it != st.index.end() && std::get<0>(it->first) == q.workspace; ++it) {
    const json& s = it->second;
    if (q.status && s["status"] != status) continue;
    if (q.tag) {
      const json& tags = s["tags"];
      if (std::find(tags.begin(), tags.end(), json(*q.tag)) == tags.end()) continue;
    }
    if (out.items.size() == q.limit) {
      out.next = list_position{-std::get<1>(*last), std::get<2>(*last)};
      break;
    }
    out.items.push_back(s);
    last = &it->first;
  }
  return out;
}

void on_child_down(self_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto it = st.by_addr.find(dm.source);
  if (it == st.by_addr.end()) return;
  std::string key = it->second;
  st.by_addr.erase(it);
  st.workflows[key].handle = nullptr;
  if (dm.reason == caf::exit_reason::normal || dm.reason == caf::exit_reason::user_shutdown) return;
  st.restarting.insert(key);
  auto slash = key.find('/');
  logger("actors")->warn("wf={} actor crashed ({}); restarting it from the log", key,
                         caf::to_string(dm.reason));
  // Off the scheduler: first a barrier append (appends complete in order, so once it is
  // acknowledged the dead actor's in-flight batch is settled), then the stream is read.
  std::thread([ctx = st.ctx, node = caf::actor_cast<node_actor>(self), ws = key.substr(0, slash),
               id = key.substr(slash + 1)] {
    storage::write_batch barrier;
    barrier.records.push_back({storage::space::meta, "restart_barrier", ws + "/" + id});
    // The dead supervisor's runs stopped with it (they are linked): its unfinished runs are
    // read back too, and handed to the new supervisor.
    auto wf = ctx->log->append_and_wait(std::move(barrier))
                  ? recover_supervisor(*ctx->log, ws, id, ctx->clock->now())
                  : result<recovered_supervisor>(error(errc::unavailable, "barrier append failed"));
    if (!wf) {
      logger("actors")->critical("wf={}/{} cannot be rebuilt from the log: {}", ws, id,
                                 wf.error().message);
      if (ctx->on_fatal) ctx->on_fatal(wf.error());
      return;
    }
    caf::anon_send(node, child_recovered{ws, std::move(wf->state), std::move(wf->runs)});
  }).detach();
}

// The supervisor of an unfinished run's workflow.
std::optional<workflow_actor> owner_of(self_ptr self, const std::string& ws,
                                       const std::string& run_id) {
  auto& st = self->state;
  auto it = st.run_owners.find(key_of(ws, run_id));
  if (it == st.run_owners.end()) return std::nullopt;
  return find(self, ws, it->second, false);
}

reply run_not_active(const std::string& run_id) {
  // The client reads finished runs from the log when it gets this.
  return reply{error(errc::not_found, "run " + run_id + " not found"), nullptr, false};
}

node_actor::behavior_type node_behavior(self_ptr self, std::shared_ptr<const node_context> ctx,
                                        std::vector<recovered_workflow> workflows,
                                        std::vector<runtime::run_state> open_runs) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  // Deleted workflows get an actor too: their stream's seq must carry on if the id is
  // applied again, or new events would overwrite old ones.
  for (auto& wf : workflows) {
    std::optional<json> summary;
    if (wf.state.exists) summary = runtime::workflow_summary(wf.state, st.ctx->public_url);
    auto created = wf.state.created_at;
    auto id = wf.state.id;
    start_child(self, wf.workspace, std::move(wf.state));
    set_summary(st, wf.workspace, id, created, std::move(summary));
  }
  // Unfinished runs go to their workflows' supervisors, which start their actors.
  std::unordered_map<std::string, runs_recovered> by_workflow;
  for (auto& run : open_runs) {
    st.run_owners[key_of(run.workspace, run.id)] = run.workflow_id;
    by_workflow[key_of(run.workspace, run.workflow_id)].runs.push_back(std::move(run));
  }
  for (auto& [key, msg] : by_workflow) {
    auto slash = key.find('/');
    if (auto wf = find(self, key.substr(0, slash), key.substr(slash + 1), false))
      self->send(*wf, std::move(msg));
    else
      logger("actors")->error("{} unfinished run(s) of unknown workflow {}", msg.runs.size(), key);
  }
  self->set_down_handler([self](caf::down_msg& dm) { on_child_down(self, dm); });
  self->attach_functor([children = st.children](const caf::error&) {
    for (auto& child : *children) caf::anon_send_exit(child, caf::exit_reason::user_shutdown);
  });
  return {
      [self](workflow_request& req) -> caf::result<reply> {
        auto child = find(self, req.workspace, req.id, creates(req.cmd.kind));
        if (!child) return missing(self->state, req.workspace, req.id);
        return self->delegate(*child, std::move(req));
      },
      [self](workflow_get& req) -> caf::result<reply> {
        auto child = find(self, req.workspace, req.id, false);
        if (!child) return missing(self->state, req.workspace, req.id);
        return self->delegate(*child, std::move(req));
      },
      [self](workflow_duplicate& req) -> caf::result<reply> {
        auto source = find(self, req.workspace, req.source, false);
        if (!source) return missing(self->state, req.workspace, req.source);
        auto rp = self->make_response_promise<reply>();
        self->request(*source, caf::infinite, live_definition_get{})
            .then(
                [self, rp, req](reply& live) mutable {
                  if (live.err) {
                    rp.deliver(std::move(live));
                    return;
                  }
                  json def = std::move(live.body);
                  if (def.contains("id")) def["id"] = req.target;
                  runtime::workflow_command cmd;
                  cmd.kind = runtime::workflow_command_kind::create_only;
                  cmd.definition = std::move(def);
                  auto target = find(self, req.workspace, req.target, true);
                  if (!target) {
                    rp.deliver(missing(self->state, req.workspace, req.target));
                    return;
                  }
                  rp.delegate(*target, workflow_request{req.workspace, req.target, std::move(cmd)});
                },
                [rp](caf::error& err) mutable {
                  rp.deliver(reply{error(errc::unavailable,
                                         "workflow actor unavailable: " + caf::to_string(err)),
                                   nullptr, false});
                });
        return rp;
      },
      [self](const workflow_list& q) -> caf::result<list_reply> { return list(self->state, q); },
      [self](child_recovered& rec) {
        auto& st = self->state;
        st.restarting.erase(key_of(rec.workspace, rec.state.id));
        logger("actors")->warn("wf={}/{} restarted from the log at seq {}", rec.workspace,
                               rec.state.id, rec.state.seq);
        auto child = start_child(self, rec.workspace, std::move(rec.state));
        if (!rec.runs.empty()) self->send(child, runs_recovered{std::move(rec.runs)});
      },
      [self](summary_update& up) {
        set_summary(self->state, up.workspace, up.id, up.created_at, std::move(up.summary));
      },
      [self](run_start& req) -> caf::result<reply> {
        auto wf = find(self, req.workspace, req.workflow_id, false);
        if (!wf) return missing(self->state, req.workspace, req.workflow_id);
        return self->delegate(*wf, std::move(req));
      },
      [self](run_get& req) -> caf::result<reply> {
        auto wf = owner_of(self, req.workspace, req.run_id);
        if (!wf) return run_not_active(req.run_id);
        return self->delegate(*wf, std::move(req));
      },
      [self](run_items_get& req) -> caf::result<page_reply> {
        auto wf = owner_of(self, req.workspace, req.run_id);
        if (!wf) return caf::make_error(caf::sec::runtime_error, "not active");
        return self->delegate(*wf, std::move(req));
      },
      [self](run_control& req) -> caf::result<reply> {
        auto wf = owner_of(self, req.workspace, req.run_id);
        if (!wf && !req.workflow_hint.empty())
          wf = find(self, req.workspace, req.workflow_hint, false);
        if (!wf) return run_not_active(req.run_id);
        return self->delegate(*wf, std::move(req));
      },
      [self](run_revive& req) -> caf::result<reply> {
        auto wf = find(self, req.ctl.workspace, req.workflow_id, false);
        if (!wf) return missing(self->state, req.ctl.workspace, req.workflow_id);
        return self->delegate(*wf, std::move(req));
      },
      [self](child_start& req) {
        if (auto wf = find(self, req.workspace, req.workflow_id, false)) {
          self->send(*wf, std::move(req));
          return;
        }
        // No such workflow: the parent's item fails.
        child_done done{req.workspace, req.parent_run_id, req.parent_item_id, req.child_run_id,
                        runtime::child_result{
                            runtime::run_status::failed, nullptr,
                            json{{"code", "not_found"},
                                 {"message", "workflow '" + req.workflow_id + "' not found"}}}};
        if (auto parent = owner_of(self, req.workspace, req.parent_run_id))
          self->send(*parent, std::move(done));
      },
      [self](child_done& msg) {
        if (auto parent = owner_of(self, msg.workspace, msg.parent_run_id))
          self->send(*parent, std::move(msg));
      },
      [self](const crash_for_test& c) {
        if (auto wf = find(self, c.workspace, c.id, false))
          self->send_exit(*wf, caf::exit_reason::kill);
      },
      [self](drain_waits) {
        for (auto& [key, e] : self->state.workflows)
          if (e.handle) self->send(e.handle, drain_waits{});
      },
      [self](run_owner& o) {
        auto& owners = self->state.run_owners;
        if (o.workflow_id)
          owners[key_of(o.workspace, o.run_id)] = std::move(*o.workflow_id);
        else
          owners.erase(key_of(o.workspace, o.run_id));
      },
  };
}

}  // namespace

node_actor spawn_node(caf::actor_system& sys, std::shared_ptr<const node_context> ctx,
                      std::vector<recovered_workflow> workflows,
                      std::vector<runtime::run_state> open_runs) {
  return sys.spawn(node_behavior, std::move(ctx), std::move(workflows), std::move(open_runs));
}

}  // namespace af::actors
