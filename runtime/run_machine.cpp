// The decisions of a run (run.hpp): which items start, how attempts end, retries, control.
#include <algorithm>

#include "base/duration.hpp"
#include "runtime/run.hpp"
#include "runtime/run_request.hpp"

namespace af::runtime {
namespace et = run_event_type;
namespace {

bool open(item_status s) {
  return !finished(s);
}

json error_json(const error& e, bool retryable, int attempt) {
  json j = json::object();
  j["code"] = std::string(to_string(e.code));
  j["message"] = e.message;
  j["retryable"] = retryable;
  j["attempt"] = attempt;
  if (e.code == errc::expression_error) {
    if (auto pos = expression_position(e)) j["position"] = pos;
  }
  return j;
}

json coded_error(std::string code, std::string message, bool retryable, int attempt) {
  return json{{"code", std::move(code)},
              {"message", std::move(message)},
              {"retryable", retryable},
              {"attempt", attempt}};
}

}  // namespace

const step_plan* run_machine::plan_of(const item_state& it) const {
  if (!it.step || *it.step >= plan_->steps.size()) return nullptr;
  const step_plan& s = plan_->steps[*it.step];
  if (it.parent) return s.body ? s.body.get() : nullptr;  // rows of a workflow fan-out: none
  return &s;
}

void run_machine::emit(std::string_view type, json data, std::optional<std::string> item) {
  run_event ev{std::string(type), std::move(data), std::move(item)};
  if (auto r = apply(st_, ev, env_.now); !r) throw std::logic_error(r.error().message);
  ++st_.seq;
  out_.events.push_back(std::move(ev));
}

run_outcome run_machine::start(const run_init& init) {
  out_ = {};
  json d = json::object();
  d["id"] = init.id;
  d["workspace"] = init.workspace;
  d["workflow_id"] = plan_->workflow_id;
  d["version"] = plan_->version;
  d["kind"] = init.batch ? "batch" : "workflow";
  d["mode"] = init.mode;
  d["trigger"] = init.trigger;
  d["input"] = init.batch ? init.rows : init.input;
  if (!init.idempotency_key.empty()) {
    d["idempotency_key"] = init.idempotency_key;
    d["request_hash"] = init.request_hash;
  }
  if (!init.parent_run_id.empty()) {
    d["parent_run_id"] = init.parent_run_id;
    d["parent_item_id"] = init.parent_item_id;
  }
  if (init.batch) {
    std::size_t n = init.rows.size();
    if (init.mode == "smoke_test") n = std::min<std::size_t>(n, plan_->smoke_sample);
    d["rows"] = n;
  } else {
    json steps = json::array();
    for (const auto& s : plan_->steps) steps.push_back(s.id);
    d["steps"] = std::move(steps);
  }
  emit(et::created, std::move(d));
  emit(et::started, json::object());
  if (plan_->timeout)
    out_.actions.push_back({run_action::kind::timer, "", 0, st_.started_at + *plan_->timeout});
  advance();
  return std::move(out_);
}

run_outcome run_machine::recover() {
  out_ = {};
  if (finished(st_.status)) return std::move(out_);
  if (plan_->timeout)
    out_.actions.push_back({run_action::kind::timer, "", 0, st_.started_at + *plan_->timeout});
  for (std::size_t i = 0; i < st_.items.size(); ++i) {
    auto& it = st_.items[i];
    const step_plan* p = plan_of(it);
    if (it.status == item_status::running && it.rows.empty()) {
      // A fresh attempt of a call: its own timeout travels with the request. A step timer at
      // started_at + timeout (the first attempt's start) would fail it at once.
      start_attempt(i, true);
      continue;
    } else if (it.status == item_status::retrying && it.next_attempt_at) {
      out_.actions.push_back({run_action::kind::timer, it.id, 0, *it.next_attempt_at});
    } else if (it.status == item_status::waiting) {
      if (it.wait_until)
        out_.actions.push_back({run_action::kind::timer, it.id, 0, *it.wait_until});
      if (!it.child_run_id.empty()) {
        run_action a{run_action::kind::start_child, it.id, it.attempt_count, 0, it.child_run_id};
        a.request = it.inputs;
        out_.actions.push_back(std::move(a));
      }
    }
    if (p && p->timeout && (it.status == item_status::waiting || it.status == item_status::running))
      out_.actions.push_back(
          {run_action::kind::timer, it.id, 0, it.attempt_started_at + *p->timeout});
  }
  advance();
  return std::move(out_);
}

void run_machine::advance() {
  if (finished(st_.status)) return;
  if (st_.status != run_status::paused) {
    for (std::size_t i = 0; i < st_.items.size() && !finished(st_.status); ++i) {
      auto& it = st_.items[i];
      if (it.parent) break;
      if (it.status == item_status::pending && it.step) {
        try_start(i);
      } else if (!it.step && it.status == item_status::pending) {
        // batch rows: 10 at a time (DESIGN §9)
        std::size_t active = 0;
        for (const auto& other : st_.items)
          if (!other.step &&
              (other.status == item_status::running || other.status == item_status::waiting ||
               other.status == item_status::retrying))
            ++active;
        if (active < 10) start_attempt(i, false);
      }
      auto& again = st_.items[i];
      if (again.status == item_status::running && !again.rows.empty()) {
        const step_plan& s = plan_->steps[*again.step];
        std::size_t active = 0;
        for (auto r : again.rows) {
          auto rs = st_.items[r].status;
          if (rs == item_status::running || rs == item_status::waiting ||
              rs == item_status::retrying)
            ++active;
        }
        for (std::size_t k = 0;
             k < again.rows.size() && active < static_cast<std::size_t>(s.concurrency); ++k) {
          const std::size_t r = st_.items[i].rows[k];
          if (st_.items[r].status != item_status::pending) continue;
          start_attempt(r, false);
          if (finished(st_.status) || st_.items[i].status != item_status::running) break;
          auto rs = st_.items[r].status;
          if (rs == item_status::running || rs == item_status::waiting ||
              rs == item_status::retrying)
            ++active;
        }
        // A foreach put back to running by retry-failed may have no open row left.
        if (!finished(st_.status) && st_.items[i].status == item_status::running)
          complete_parent_if_done(i);
      }
    }
  }
  finish_if_done();
}

bool run_machine::try_start(std::size_t i) {
  const std::size_t self = *st_.items[i].step;
  const step_plan& s = plan_->steps[self];
  bool all_skipped = !s.needs.empty();
  for (auto n : s.needs) {
    const auto& need = st_.items[n];
    if (open(need.status)) return false;
    if (need.status == item_status::failed) {
      // The primary's dependents wait for its fallback, but the fallback itself must not.
      const auto& np = plan_->steps[n];
      if (np.fallback && *np.fallback != self && open(st_.items[*np.fallback].status)) return false;
    }
    if (need.status != item_status::skipped) all_skipped = false;
  }
  bool chosen = s.chosen_by.empty();
  for (auto b : s.chosen_by) {
    const auto& br = st_.items[b];
    if (open(br.status)) return false;
    if (br.status == item_status::succeeded && br.chosen && br.chosen->is_array())
      for (const auto& id : *br.chosen)
        if (id == s.id) chosen = true;
  }
  bool skip = all_skipped || !chosen;
  if (!skip && s.fallback_of) skip = st_.items[*s.fallback_of].status != item_status::failed;
  if (!skip && (s.condition || !s.condition_value)) {
    bool go = s.condition_value;
    if (s.condition) {
      const json run = run_scope(st_);
      scope sc{&st_.input, &plan_->props, &st_.steps_scope, nullptr, nullptr,
               nullptr,    &run,          &empty_secrets(), env_.now};
      auto v = s.condition->render(sc);
      if (!v) {
        fail_final(i, error_json(v.error(), false, st_.items[i].attempt_count + 1),
                   st_.items[i].attempt_count + 1);
        return true;
      }
      go = truthy(*v);
    }
    skip = !go;
  }
  if (skip) {
    emit(et::item_skipped, json::object(), st_.items[i].id);
    return true;
  }
  start_attempt(i, false);
  return true;
}

void run_machine::succeed(std::size_t i, json output, bool simulated, int attempt) {
  auto& it = st_.items[i];
  const std::size_t size = dump(output).size();
  if (size > env_.lim.step_output_bytes) {
    fail_final(
        i,
        coded_error("limit_exceeded",
                    "the step output is " + std::to_string(size) + " bytes of JSON; the limit is " +
                        std::to_string(env_.lim.step_output_bytes),
                    false, attempt ? attempt : it.attempt_count),
        attempt);
    return;
  }
  json d = json::object();
  d["attempt"] = attempt ? attempt : std::max(1, it.attempt_count);
  d["output"] = std::move(output);
  if (simulated) d["simulated"] = true;
  if (it.step && !it.parent && plan_->steps[*it.step].fallback_of)
    d["stands_for"] = plan_->steps[*plan_->steps[*it.step].fallback_of].id;
  emit(et::item_succeeded, std::move(d), it.id);
  if (auto parent = st_.items[i].parent) complete_parent_if_done(*parent);
}

void run_machine::complete_parent_if_done(std::size_t parent) {
  auto& par = st_.items[parent];
  if (par.status != item_status::running) return;
  json outputs = json::array();
  for (auto r : par.rows) {
    const auto& row = st_.items[r];
    if (open(row.status)) return;
    outputs.push_back(row.status == item_status::succeeded ? row.outputs : json(nullptr));
  }
  succeed(parent, std::move(outputs));
}

void run_machine::fail_attempt(std::size_t i, const error& e, bool retryable,
                               std::string_view code) {
  auto& it = st_.items[i];
  const step_plan* p = plan_of(it);
  const retry_policy policy =
      p ? p->retry : (it.step ? plan_->steps[*it.step].retry : retry_policy{});
  const int used = it.attempt_count - it.budget_base - it.recovered;
  json err = error_json(e, retryable, it.attempt_count);
  if (!code.empty()) err["code"] = std::string(code);
  if (retryable && used < policy.max_attempts && (!p || p->kind != step_kind::fail)) {
    const double j = env_.jitter ? env_.jitter() : 1.0;
    const millis next = env_.now + backoff_delay(policy, std::max(1, used), j);
    emit(et::item_retrying, json{{"error", err}, {"next_attempt_at", next}}, it.id);
    out_.actions.push_back({run_action::kind::timer, it.id, 0, next});
    return;
  }
  fail_final(i, err);
}

void run_machine::fail_final(std::size_t i, const json& err, int attempt) {
  auto& it = st_.items[i];
  const step_plan* p = plan_of(it);
  bool handled = false;
  if (it.parent) {
    handled = p && p->on_error == on_error_kind::continue_on;
  } else if (it.step) {
    handled = p && p->on_error != on_error_kind::stop;
  }
  // A fan-out that fails (an element, its timeout) ends every open row with it: a handled
  // failure would otherwise leave rows that never start and keep the run open forever.
  auto cancel_rows = [this](std::size_t owner) {
    const std::vector<std::size_t> rows = st_.items[owner].rows;
    for (auto r : rows) {
      const auto& row = st_.items[r];
      if (!open(row.status)) continue;
      if (!row.child_run_id.empty() && row.status == item_status::waiting)
        out_.actions.push_back({run_action::kind::cancel_child, row.id, 0, 0, row.child_run_id});
      emit(et::item_canceled, json::object(), row.id);
    }
  };
  cancel_rows(i);
  json d = json::object();
  d["attempt"] = attempt ? attempt : std::max(1, st_.items[i].attempt_count);
  d["error"] = err;
  d["handled"] = handled;
  emit(et::item_failed, std::move(d), st_.items[i].id);
  if (auto parent = st_.items[i].parent) {
    if (handled) {
      complete_parent_if_done(*parent);
      return;
    }
    // An element's unhandled failure cancels the rest and fails the step (DESIGN §9).
    cancel_rows(*parent);
    json perr = err;
    perr["message"] = "element " + std::to_string(*st_.items[i].row) +
                      " failed: " + err.value("message", std::string());
    perr["attempt"] = std::max(1, st_.items[*parent].attempt_count);
    fail_final(*parent, perr);
    return;
  }
  if (!handled) {
    cancel_open(true);
    json e = json::object();
    e["code"] = err.value("code", std::string("failed"));
    e["message"] = err.value("message", std::string());
    e["item_id"] = st_.items[i].id;
    emit(et::failed, json{{"error", std::move(e)}});
  }
}

void run_machine::cancel_open(bool children) {
  for (auto& it : st_.items) {
    if (!open(it.status)) continue;
    if (children && !it.child_run_id.empty() && it.status == item_status::waiting)
      out_.actions.push_back({run_action::kind::cancel_child, it.id, 0, 0, it.child_run_id});
    emit(et::item_canceled, json::object(), it.id);
  }
}

void run_machine::finish_if_done() {
  if (finished(st_.status)) return;
  for (const auto& it : st_.items)
    if (open(it.status)) return;
  for (const auto& it : st_.items) {
    // A row's failure is its foreach's: that item says whether it was handled.
    if (it.status == item_status::failed && !it.handled && !it.parent) {
      json e{{"code", it.error.value("code", std::string("failed"))},
             {"message", it.error.value("message", std::string())},
             {"item_id", it.id}};
      emit(et::failed, json{{"error", std::move(e)}});
      return;
    }
  }
  json output = nullptr;
  if (st_.kind == "batch") {
    output = json::array();
    for (const auto& it : st_.items) output.push_back(it.outputs);
  } else if (plan_->output) {
    const json run = run_scope(st_);
    scope sc{&st_.input, &plan_->props, &st_.steps_scope, nullptr, nullptr,
             nullptr,    &run,          &empty_secrets(), env_.now};
    auto o = plan_->output->render(sc);
    if (!o) {
      emit(et::failed, json{{"error", json{{"code", "expression_error"},
                                           {"message", "output: " + o.error().message}}}});
      return;
    }
    output = std::move(*o);
  }
  emit(et::succeeded, json{{"output", std::move(output)}});
}

run_outcome run_machine::on_http_result(std::string_view item_id, int attempt,
                                        result<http_result> r) {
  out_ = {};
  auto i = st_.find_item(item_id);
  if (!i || st_.items[*i].status != item_status::running ||
      st_.items[*i].attempt_count != attempt || finished(st_.status))
    return std::move(out_);  // a late answer for an attempt that is over
  if (!r) {
    const bool retryable = r.error().code == errc::timeout || r.error().code == errc::unavailable;
    fail_attempt(*i, r.error(), retryable);
  } else {
    const json& expect =
        st_.items[*i].inputs.contains("expect") ? st_.items[*i].inputs["expect"] : json(nullptr);
    if (!status_expected(expect, r->status)) {
      const int s = r->status;
      fail_attempt(*i, error(errc::invalid_argument, "unexpected HTTP status " + std::to_string(s)),
                   s >= 500 || s == 408 || s == 429, "http_status");
    } else {
      succeed(*i, http_output(*r));
    }
  }
  advance();
  return std::move(out_);
}

run_outcome run_machine::on_timer(std::string_view item_id) {
  out_ = {};
  if (finished(st_.status)) return std::move(out_);
  if (item_id.empty()) {
    if (plan_->timeout && env_.now >= st_.started_at + *plan_->timeout) {
      cancel_open(true);
      emit(et::failed, json{{"error", json{{"code", "timeout"},
                                           {"message", "the run did not finish within " +
                                                           format_duration(*plan_->timeout)}}}});
    } else if (plan_->timeout) {
      // Fired early by the wall clock's measure (timers run on a steady clock): again, later.
      out_.actions.push_back({run_action::kind::timer, "", 0, st_.started_at + *plan_->timeout});
    }
    return std::move(out_);
  }
  auto i = st_.find_item(item_id);
  if (!i) return std::move(out_);
  auto& it = st_.items[*i];
  const step_plan* p = plan_of(it);
  if (it.status == item_status::retrying && it.next_attempt_at && env_.now >= *it.next_attempt_at) {
    if (st_.status != run_status::paused) start_attempt(*i, false);
  } else if (it.status == item_status::waiting && it.wait_until && env_.now >= *it.wait_until) {
    succeed(*i, json{{"until", format_time(*it.wait_until)}});
  } else if (it.status == item_status::retrying && it.next_attempt_at) {
    // Not due by the wall clock yet (timers run on a steady clock, deadlines are wall-clock
    // times): arm again rather than leave the item waiting for nothing.
    out_.actions.push_back({run_action::kind::timer, it.id, 0, *it.next_attempt_at});
  } else if (it.status == item_status::waiting && it.wait_until &&
             !(p && p->timeout && env_.now >= it.attempt_started_at + *p->timeout)) {
    out_.actions.push_back({run_action::kind::timer, it.id, 0, *it.wait_until});
  } else if (p && p->timeout &&
             (it.status == item_status::waiting || it.status == item_status::running) &&
             env_.now >= it.attempt_started_at + *p->timeout) {
    if (!it.child_run_id.empty())
      out_.actions.push_back({run_action::kind::cancel_child, it.id, 0, 0, it.child_run_id});
    fail_attempt(
        *i, error(errc::timeout, "the step did not finish within " + format_duration(*p->timeout)),
        false);
  }
  advance();
  return std::move(out_);
}

run_outcome run_machine::on_child_finished(std::string_view item_id, std::string_view child_run_id,
                                           const child_result& r) {
  out_ = {};
  auto i = st_.find_item(item_id);
  if (!i || finished(st_.status)) return std::move(out_);
  auto& it = st_.items[*i];
  if (it.status != item_status::waiting || it.child_run_id != child_run_id) return std::move(out_);
  if (r.status == run_status::succeeded) {
    succeed(*i, r.output);
  } else {
    std::string msg =
        "child run " + std::string(child_run_id) + " " + std::string(to_string(r.status));
    if (r.error.is_object()) msg += ": " + r.error.value("message", std::string());
    fail_attempt(*i, error(errc::failed_precondition, msg), false, "child_failed");
  }
  advance();
  return std::move(out_);
}

run_outcome run_machine::fail_run(json err) {
  out_ = {};
  if (finished(st_.status)) return std::move(out_);
  cancel_open(true);
  emit(et::failed, json{{"error", std::move(err)}});
  return std::move(out_);
}

result<run_outcome> run_machine::control(run_control_action a) {
  out_ = {};
  const bool done = finished(st_.status);
  switch (a) {
    case run_control_action::cancel:
      if (st_.status == run_status::canceled) return std::move(out_);
      if (done)
        return error(errc::conflict,
                     "run " + st_.id + " already " + std::string(to_string(st_.status)));
      cancel_open(true);
      emit(et::canceled, json::object());
      return std::move(out_);
    case run_control_action::pause:
      if (st_.status == run_status::paused) return std::move(out_);
      if (done)
        return error(errc::conflict, "run " + st_.id + " already " +
                                         std::string(to_string(st_.status)) +
                                         "; it cannot be paused");
      emit(et::paused, json::object());
      return std::move(out_);
    case run_control_action::resume:
      if (done)
        return error(errc::conflict, "run " + st_.id + " already " +
                                         std::string(to_string(st_.status)) +
                                         "; it cannot be resumed");
      if (st_.status != run_status::paused) return std::move(out_);
      emit(et::resumed, json::object());
      // Retries that fell due while paused start now.
      for (std::size_t i = 0; i < st_.items.size(); ++i) {
        auto& it = st_.items[i];
        if (it.status == item_status::retrying && it.next_attempt_at &&
            env_.now >= *it.next_attempt_at)
          start_attempt(i, false);
      }
      advance();
      return std::move(out_);
    case run_control_action::retry_failed: {
      if (st_.status != run_status::failed)
        return error(errc::conflict, "run " + st_.id + " is " + std::string(to_string(st_.status)) +
                                         "; only a failed run can retry its failed items");
      // Rows re-run only with their foreach: under a foreach that stays failed (handled) a
      // pending row would never start again.
      json ids = json::array();
      std::vector<bool> again(st_.items.size(), false);
      for (std::size_t k = 0; k < st_.items.size(); ++k) {
        const auto& it = st_.items[k];
        if (it.parent && !again[*it.parent]) continue;
        if ((it.status == item_status::failed && !it.handled) ||
            it.status == item_status::canceled) {
          again[k] = true;
          ids.push_back(it.id);
        }
      }
      emit(et::retrying, json{{"items", std::move(ids)}});
      // Fan-outs resume without a new item.started: their step timeout starts over here.
      for (const auto& it : st_.items)
        if (!it.parent && it.step && !it.rows.empty() && it.status == item_status::running)
          if (const auto& sp = plan_->steps[*it.step]; sp.timeout)
            out_.actions.push_back({run_action::kind::timer, it.id, 0, env_.now + *sp.timeout});
      advance();
      return std::move(out_);
    }
  }
  return std::move(out_);
}

}  // namespace af::runtime
