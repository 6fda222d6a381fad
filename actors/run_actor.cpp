#include "actors/run_actor.hpp"

#include <random>
#include <thread>
#include <unordered_map>

#include "actors/item_actor.hpp"
#include "actors/run_store.hpp"
#include "base/log.hpp"
#include "storage/streams.hpp"

namespace af::actors {
namespace {

using runtime::run_action;
using steady = std::chrono::steady_clock;

struct waiter {
  caf::typed_response_promise<reply> rp;
  steady::time_point deadline;
  bool created = false;
};

struct state {
  run_spawn args;
  runtime::run_state st;
  // The append pipeline: at most one batch in flight.
  std::vector<storage::event> unsent;
  std::vector<run_action> unsent_actions;
  std::vector<caf::typed_response_promise<reply>> unsent_replies;
  std::optional<std::uint64_t> in_flight;
  std::vector<run_action> in_flight_actions;
  std::vector<caf::typed_response_promise<reply>> in_flight_replies;
  std::uint64_t next_ticket = 1;
  bool durable = false;   // the run.created batch is in the log
  bool reopened = false;  // a finished run went back to running (retry-failed)
  std::vector<waiter> waiters;
  std::string shown_status;
  std::uint64_t snapshot_seq = 0;
  int http_in_flight = 0;
  std::unordered_map<caf::actor_addr, std::pair<std::string, int>> items_by_addr;
  bool done = false;     // finished and told everyone
  bool dormant = false;  // spawned finished (revived for a control); leaves quietly
  // Rebuilt from the log for a message that follows the spawn: no parking before one arrived.
  bool hold = false;
  // The node routes requests by run id to our supervisor. A run that finishes in its first
  // batch is never registered: nobody knew its id before it was final.
  bool registered = false;
  std::vector<std::pair<std::string, millis>> long_timers;  // not yet armed (see carry_out)
  // Parking handshake (run_parked): messages the supervisor forwarded and we handled, whether
  // we wait for its answer, and the timers that fired meanwhile.
  std::uint64_t seen = 0;
  bool parking = false;
  std::vector<timer_fired> parked_timers;
  std::optional<std::string> internal_failure;  // a decision threw while a batch was in flight
};

using self_ptr = run_actor::stateful_pointer<state>;

reply view_reply(const state& s, bool created = false) {
  return reply{std::nullopt, runtime::run_view(s.st, s.args.ctx->public_url), created};
}

runtime::run_env env_of(state& s) {
  runtime::run_env env;
  env.now = s.args.ctx->clock->now();
  env.lim = s.args.ctx->lim;
  env.jitter = [] {
    // One generator per scheduler thread: seeding one per run cost more than the run.
    thread_local std::minstd_rand rng(
        static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count() ^
                              std::hash<std::thread::id>{}(std::this_thread::get_id())));
    return std::uniform_real_distribution<double>(0.8, 1.0)(rng);
  };
  return env;
}

void flush(self_ptr self);
void carry_out(self_ptr self, std::vector<run_action> actions);
void idle(self_ptr self);
template <class F>
void decide(self_ptr self, F&& f);
void fail_internally(self_ptr self, const std::string& what);

// Events decided by the machine go to the next batch; their actions wait for it.
// `at` is the time the machine applied the events at: replay applies them at their stored time,
// so the two must be the same or a rebuilt run would differ (created_at, index keys).
void commit(self_ptr self, runtime::run_outcome out, millis at) {
  auto& s = self->state;
  const std::string stream = storage::run_stream(s.st.workspace, s.st.id);
  std::uint64_t seq = s.st.seq - out.events.size();
  for (auto& ev : out.events) {
    if (ev.item_id) ev.data["item"] = *ev.item_id;
    s.unsent.push_back(storage::event{stream, ++seq, std::move(ev.type), at, dump(ev.data)});
  }
  for (auto& a : out.actions) s.unsent_actions.push_back(std::move(a));
}

void flush(self_ptr self) {
  auto& s = self->state;
  if (s.in_flight) return;
  if (s.unsent.empty()) {
    // Nothing new to make durable: what was decided rests on events already in the log.
    auto actions = std::move(s.unsent_actions);
    s.unsent_actions.clear();
    auto replies = std::move(s.unsent_replies);
    s.unsent_replies.clear();
    carry_out(self, std::move(actions));
    for (auto& rp : replies) rp.deliver(view_reply(s));
    return;
  }
  storage::write_batch batch;
  batch.events = std::move(s.unsent);
  s.unsent.clear();
  decorate_batch(batch, s.st, s.args.ctx->public_url, !s.durable, s.shown_status, s.snapshot_seq);
  if (s.reopened) {
    batch.records.push_back(
        {storage::space::index, run_keys::open(s.st.workspace, s.st.id), s.st.workflow_id});
    s.reopened = false;
  }
  s.in_flight_actions = std::move(s.unsent_actions);
  s.unsent_actions.clear();
  s.in_flight_replies = std::move(s.unsent_replies);
  s.unsent_replies.clear();
  const std::uint64_t ticket = s.next_ticket++;
  s.in_flight = ticket;
  auto handle = caf::actor_cast<run_actor>(self);
  s.args.ctx->log->append(std::move(batch), [handle, ticket](result<void> r) {
    caf::anon_send(handle, append_done{ticket, std::move(r)});
  });
}

void answer_waiters(self_ptr self, bool all) {
  auto& s = self->state;
  const auto now = steady::now();
  std::vector<waiter> keep;
  for (auto& w : s.waiters) {
    if (all || now >= w.deadline)
      w.rp.deliver(view_reply(s, w.created));
    else
      keep.push_back(std::move(w));
  }
  s.waiters = std::move(keep);
}

void add_waiter(self_ptr self, caf::typed_response_promise<reply> rp,
                std::optional<std::chrono::milliseconds> wait, bool created) {
  auto& s = self->state;
  const auto d = wait.value_or(std::chrono::milliseconds(0));
  s.waiters.push_back(waiter{std::move(rp), steady::now() + d, created});
  if (d.count() > 0) self->delayed_send(self, d, wait_check{});
}

void carry_out(self_ptr self, std::vector<run_action> actions) {
  auto& s = self->state;
  const millis now = s.args.ctx->clock->now();
  auto handle = caf::actor_cast<run_actor>(self);
  for (auto& a : actions) {
    switch (a.what) {
      case run_action::kind::timer:
        // CAF's clock holds a reference to the receiver until a delayed message is due, so a
        // long timer would keep a parked run's memory alive: those wait for idle(), which
        // either parks the run (its supervisor wakes it) or arms them.
        if (a.at - now >= park_after)
          s.long_timers.push_back({a.item_id, a.at});
        else
          self->delayed_send(self, std::chrono::milliseconds(std::max<millis>(0, a.at - now)),
                             timer_fired{a.item_id});
        break;
      case run_action::kind::http_call: {
        effects::http_request req;
        const json& r = a.request;
        req.method = r.value("method", "GET");
        req.url = r.value("url", "");
        for (const auto& h : r["headers"])
          req.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
        req.body = r.value("body", "");
        req.timeout = std::chrono::milliseconds(r.value("timeout_ms", millis{30000}));
        req.connect_timeout =
            std::chrono::milliseconds(r.value("connect_timeout_ms", millis{5000}));
        ++s.http_in_flight;
        auto item =
            spawn_http_item(self, handle, s.args.ctx->http, std::move(req), a.item_id, a.attempt);
        s.items_by_addr[item.address()] = {a.item_id, a.attempt};
        break;
      }
      case run_action::kind::start_child: {
        child_start cs;
        cs.workspace = s.st.workspace;
        cs.workflow_id = a.request.value("workflow", "");
        if (auto v = a.request.find("version"); v != a.request.end() && v->is_number_integer())
          cs.version = v->get<int>();
        cs.input = a.request.contains("input") ? a.request["input"] : json::object();
        cs.mode = a.request.value("mode", s.st.mode);
        cs.child_run_id = a.child_run_id;
        cs.parent_run_id = s.st.id;
        cs.parent_item_id = a.item_id;
        self->send(caf::actor_cast<node_actor>(s.args.node), std::move(cs));
        break;
      }
      case run_action::kind::cancel_child: {
        run_control ctl{s.st.workspace, a.child_run_id, run_control_kind::cancel};
        if (auto i = s.st.find_item(a.item_id)) {
          const json& in = s.st.items[*i].inputs;
          if (in.is_object() && in.contains("workflow") && in["workflow"].is_string())
            ctl.workflow_hint = in["workflow"].get<std::string>();
        }
        self->request(caf::actor_cast<node_actor>(s.args.node), caf::infinite, std::move(ctl))
            .then([](reply&) {}, [](caf::error&) {});
        break;
      }
    }
  }
}

// The earliest moment something is due, when nothing but timers and children are awaited.
std::optional<millis> next_wake(const state& s) {
  std::optional<millis> wake;
  auto take = [&](millis t) { wake = wake ? std::min(*wake, t) : t; };
  for (const auto& it : s.st.items) {
    if (it.status == runtime::item_status::running) return std::nullopt;
    // A paused run starts no retry until it is resumed (which wakes it): not a wake-up.
    if (it.status == runtime::item_status::retrying && it.next_attempt_at &&
        s.st.status != runtime::run_status::paused)
      take(*it.next_attempt_at);
    if (it.status == runtime::item_status::waiting && it.wait_until) take(*it.wait_until);
    const auto* p = it.step && !it.parent ? &s.args.plan->steps[*it.step] : nullptr;
    if (p && p->timeout && it.status == runtime::item_status::waiting)
      take(it.attempt_started_at + *p->timeout);
  }
  if (s.args.plan->timeout) take(s.st.started_at + *s.args.plan->timeout);
  return wake.value_or(std::numeric_limits<millis>::max());
}

bool may_park(const state& s) {
  if (s.hold) return false;
  if (s.in_flight || !s.unsent.empty() || !s.waiters.empty() || s.http_in_flight > 0 || s.done)
    return false;
  if (runtime::finished(s.st.status)) return false;
  if (s.st.status != runtime::run_status::paused &&
      runtime::view_status(s.st) != runtime::run_status::waiting)
    return false;
  auto wake = next_wake(s);
  if (!wake) return false;
  return *wake - s.args.ctx->clock->now() >= park_after;
}

void finish(self_ptr self) {
  auto& s = self->state;
  s.done = true;
  answer_waiters(self, true);
  if (!s.st.parent_run_id.empty()) {
    child_done cd{s.st.workspace, s.st.parent_run_id, s.st.parent_item_id, s.st.id,
                  runtime::child_result{s.st.status, s.st.output, s.st.error}};
    self->send(caf::actor_cast<node_actor>(s.args.node), std::move(cd));
  }
  if (s.registered)
    self->send(caf::actor_cast<node_actor>(s.args.node),
               run_owner{s.st.id, std::nullopt, s.st.workspace});
  self->send(s.args.supervisor, run_finished{s.st.id, s.st.status, s.st.mode, s.dormant});
  self->quit();
}

void register_run(self_ptr self) {
  auto& s = self->state;
  s.registered = true;
  self->send(caf::actor_cast<node_actor>(s.args.node),
             run_owner{s.st.id, s.st.workflow_id, s.st.workspace});
}

void on_append_done(self_ptr self, append_done& done) {
  auto& s = self->state;
  if (!s.in_flight || *s.in_flight != done.ticket) return;
  s.in_flight.reset();
  if (!done.outcome) {
    const auto& e = done.outcome.error();
    logger("actors")->error("run={} log append failed: {}", s.st.id, e.message);
    const error answer(errc::unavailable, "the event log could not be written: " + e.message);
    for (auto& rp : s.in_flight_replies) rp.deliver(reply{answer, nullptr, false});
    if (!s.durable) {
      if (s.args.start_promise) s.args.start_promise->deliver(reply{answer, nullptr, false});
      for (auto& w : s.waiters) w.rp.deliver(reply{answer, nullptr, false});
      self->send(s.args.supervisor, run_aborted{s.st.id, s.st.idempotency_key, s.st.parent_run_id,
                                                s.st.parent_item_id});
      self->quit();
      return;
    }
    if (s.args.ctx->on_fatal && (e.code == errc::io_error || e.code == errc::corruption)) {
      s.args.ctx->on_fatal(e);
      return;
    }
    // The state ran ahead of the log. Our failed batch is settled and nobody else writes this
    // stream, so the log holds exactly what was acknowledged: read it back and carry on from
    // there, as after a restart. Whatever was decided on top of the lost events goes too.
    for (auto& rp : s.unsent_replies) rp.deliver(reply{answer, nullptr, false});
    s.unsent.clear();
    s.unsent_actions.clear();
    s.unsent_replies.clear();
    s.in_flight_actions.clear();
    auto loaded = load_run(*s.args.ctx->log, s.st.workspace, s.st.id);
    if (!loaded || !*loaded) {
      logger("actors")->error("run={} cannot be read back after a failed write", s.st.id);
      for (auto& w : s.waiters) w.rp.deliver(reply{answer, nullptr, false});
      s.waiters.clear();
      self->quit(caf::make_error(caf::sec::runtime_error));  // the supervisor tries again
      return;
    }
    s.st = std::move(**loaded);
    s.snapshot_seq = 0;
    s.shown_status.clear();
    decide(self, [](runtime::run_machine& m) { return m.recover(); });
    return;
  }
  const bool first = !s.durable;
  s.durable = true;
  if (s.internal_failure) fail_internally(self, *s.internal_failure);
  if (!s.registered && !runtime::finished(s.st.status)) register_run(self);
  carry_out(self, std::move(s.in_flight_actions));
  s.in_flight_actions.clear();
  for (auto& rp : s.in_flight_replies) rp.deliver(view_reply(s));
  s.in_flight_replies.clear();
  if (first && s.args.start_promise) {
    auto rp = std::move(*s.args.start_promise);
    s.args.start_promise.reset();
    if (s.args.wait && !runtime::finished(s.st.status))
      add_waiter(self, std::move(rp), s.args.wait, true);
    else
      rp.deliver(view_reply(s, true));
  }
  idle(self);
}

// No batch in flight: write what was decided, finish, or park.
void idle(self_ptr self) {
  auto& s = self->state;
  if (s.in_flight || s.done) return;
  flush(self);
  if (s.in_flight) return;
  if (runtime::finished(s.st.status)) {
    finish(self);
    return;
  }
  if (s.parking) return;
  if (may_park(s)) {
    auto wake = next_wake(s);
    std::optional<millis> at;
    if (wake && *wake != std::numeric_limits<millis>::max()) at = *wake;
    // Ask the supervisor: it agrees only when nothing it forwarded is still on its way here.
    // Meanwhile timers wait (the supervisor's wake-up re-arms them if we stop). No snapshot
    // needed: a rehydration reads the latest snapshot plus the events after it.
    s.parking = true;
    self->request(s.args.supervisor, caf::infinite, run_parked{s.st.id, at, s.seen})
        .then(
            [self](bool agreed) {
              auto& s = self->state;
              s.parking = false;
              if (agreed) {
                s.done = true;
                self->quit();
                return;
              }
              for (auto& t : std::exchange(s.parked_timers, {})) self->send(self, std::move(t));
              idle(self);
            },
            [self](caf::error&) {
              self->state.parking = false;
              for (auto& t : std::exchange(self->state.parked_timers, {}))
                self->send(self, std::move(t));
            });
    return;
  }
  // Staying: arm the long timers now.
  const millis now = s.args.ctx->clock->now();
  for (auto& [item, at] : s.long_timers)
    self->delayed_send(self, std::chrono::milliseconds(std::max<millis>(0, at - now)),
                       timer_fired{std::move(item)});
  s.long_timers.clear();
}

void fail_internally(self_ptr self, const std::string& what) {
  auto& s = self->state;
  if (s.in_flight) {
    s.internal_failure = what;  // the state holds the batch in flight: fail once it settles
    return;
  }
  s.internal_failure.reset();
  s.unsent.clear();
  s.unsent_actions.clear();
  auto loaded = load_run(*s.args.ctx->log, s.st.workspace, s.st.id);
  if (loaded && *loaded) s.st = std::move(**loaded);
  if (!s.durable || runtime::finished(s.st.status)) return;
  const auto env = env_of(s);
  runtime::run_machine m(s.st, s.args.plan, env);
  commit(self, m.fail_run(json{{"code", "internal"}, {"message", "internal error: " + what}}),
         env.now);
}

// A run rebuilt for a message may park again once that message is handled.
void release_hold(self_ptr self) {
  if (!self->state.hold) return;
  self->state.hold = false;
  self->send(self, wait_check{});
}

template <class F>
void decide(self_ptr self, F&& f) {
  auto& s = self->state;
  if (s.done) return;
  const auto env = env_of(s);
  try {
    runtime::run_machine m(s.st, s.args.plan, env);
    commit(self, f(m), env.now);
  } catch (const std::exception& e) {
    // A bug (or a value the machine did not expect). Rather than crash-looping, rebuild the
    // state from the log and fail the run durably with `internal`.
    logger("actors")->error("run={} decision failed: {}; failing the run", s.st.id, e.what());
    fail_internally(self, e.what());
  }
  idle(self);
}

}  // namespace

run_actor spawn_run(caf::local_actor* parent, run_spawn args) {
  // Linked to its supervisor, so that stopping the node stops every run actor with it.
  return parent->spawn<caf::monitored + caf::linked>(
      [](self_ptr self, run_spawn a) -> run_actor::behavior_type {
        auto& s = self->state;
        s.args = std::move(a);
        self->set_exception_handler([self](std::exception_ptr& ep) -> caf::error {
          try {
            std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            logger("actors")->error("run={} crashed: {}", self->state.st.id, e.what());
          } catch (...) {
            logger("actors")->error("run={} crashed", self->state.st.id);
          }
          return caf::make_error(caf::sec::runtime_error);
        });
        // Linked to its supervisor (and its item actors to it): only a shutdown stops it; an
        // item's crash arrives as a down message below.
        self->set_exit_handler([self](caf::exit_msg& m) {
          // A shutdown, or our supervisor crashed: stop (the new supervisor rebuilds us from
          // the log after a barrier append).
          if (m.reason == caf::exit_reason::user_shutdown || m.reason == caf::exit_reason::kill ||
              (m.source == self->state.args.supervisor.address() &&
               m.reason != caf::exit_reason::normal))
            self->quit(m.reason);
        });
        self->set_down_handler([self](caf::down_msg& dm) {
          // An item actor stopped without reporting: a failed, retryable attempt.
          auto& s = self->state;
          auto it = s.items_by_addr.find(dm.source);
          if (it == s.items_by_addr.end()) return;
          auto [item, attempt] = it->second;
          s.items_by_addr.erase(it);
          if (dm.reason == caf::exit_reason::normal) return;
          --s.http_in_flight;
          decide(self, [&](runtime::run_machine& m) {
            return m.on_http_result(
                item, attempt,
                error(errc::unavailable, "the item's actor stopped: " + caf::to_string(dm.reason)));
          });
        });
        if (s.args.state) {
          s.st = std::move(*s.args.state);
          s.args.state.reset();
          s.durable = true;
          s.shown_status = std::string(runtime::to_string(runtime::view_status(s.st)));
          s.snapshot_seq = s.st.seq;
          s.hold = true;
          s.registered = !runtime::finished(s.st.status);  // recovery or an earlier start did
          if (runtime::finished(s.st.status))
            s.dormant = true;  // the control that revived it comes next
          else
            decide(self, [](runtime::run_machine& m) { return m.recover(); });
        } else {
          s.st.id = s.args.init->id;
          s.st.workspace = s.args.init->workspace;
          decide(self, [&](runtime::run_machine& m) { return m.start(*s.args.init); });
        }
        // While a batch is in flight, requests wait in the mailbox (skip), so every answer
        // shows durable state. Results (calls, timers, children) are decided at once: their
        // events join the next batch, so a burst of them (1,000 children finishing) costs one
        // write, not one each.
        return {
            [self](run_get& req) -> caf::result<reply> {
              auto& s = self->state;
              if (s.in_flight) return caf::skip;
              ++s.seen;
              release_hold(self);
              if (!req.wait || runtime::finished(s.st.status)) return view_reply(s);
              auto rp = self->make_response_promise<reply>();
              add_waiter(self, rp, req.wait, false);
              return rp;
            },
            [self](run_items_get& req) -> caf::result<page_reply> {
              if (self->state.in_flight) return caf::skip;
              ++self->state.seen;
              release_hold(self);
              return items_page(self->state.st, req);
            },
            [self](run_control& req) -> caf::result<reply> {
              auto& s = self->state;
              if (s.done)
                return reply{error(errc::unavailable, "the run is being moved; retry"), nullptr,
                             false};
              if (s.in_flight) return caf::skip;
              ++s.seen;
              release_hold(self);
              const bool was_finished = runtime::finished(s.st.status);
              const auto env = env_of(s);
              runtime::run_machine m(s.st, s.args.plan, env);
              runtime::run_control_action a = static_cast<runtime::run_control_action>(req.kind);
              auto out = m.control(a);
              if (!out || out->events.empty()) {
                reply r = out ? view_reply(s) : reply{std::move(out).error(), nullptr, false};
                if (s.dormant) finish(self);
                return r;
              }
              if (was_finished && !runtime::finished(s.st.status)) {
                s.reopened = true;
                s.dormant = false;
              }
              auto rp = self->make_response_promise<reply>();
              s.unsent_replies.push_back(rp);
              commit(self, std::move(*out), env.now);
              idle(self);
              return rp;
            },
            [self](append_done& d) { on_append_done(self, d); },
            [self](http_done& d) -> caf::result<void> {
              auto& s = self->state;
              --s.http_in_flight;
              if (auto src = self->current_sender()) s.items_by_addr.erase(src->address());
              decide(self, [&](runtime::run_machine& m) {
                return m.on_http_result(d.item_id, d.attempt, std::move(d.outcome));
              });
              return caf::unit;
            },
            [self](timer_fired& t) -> caf::result<void> {
              if (self->state.parking) {
                self->state.parked_timers.push_back(std::move(t));
                return caf::unit;
              }
              self->state.hold = false;
              decide(self, [&](runtime::run_machine& m) { return m.on_timer(t.item_id); });
              return caf::unit;
            },
            [self](drain_waits) { answer_waiters(self, true); },
            [self](wait_check) -> caf::result<void> {
              if (self->state.in_flight) return caf::skip;
              answer_waiters(self, false);
              idle(self);
              return caf::unit;
            },
            [self](child_done& c) -> caf::result<void> {
              ++self->state.seen;
              self->state.hold = false;
              decide(self, [&](runtime::run_machine& m) {
                return m.on_child_finished(c.item_id, c.child_run_id, c.outcome);
              });
              return caf::unit;
            },
        };
      },
      std::move(args));
}

}  // namespace af::actors
