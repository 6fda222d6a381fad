// How each step kind starts an attempt (DESIGN §3 "Step kinds", §9).
#include "base/duration.hpp"
#include "base/ids.hpp"
#include "runtime/run.hpp"
#include "runtime/run_request.hpp"

namespace af::runtime {
namespace et = run_event_type;
namespace {

json failure(const error& e, int attempt) {
  json j{{"code", std::string(to_string(e.code))},
         {"message", e.message},
         {"retryable", false},
         {"attempt", attempt}};
  if (e.code == errc::expression_error)
    if (auto pos = expression_position(e)) j["position"] = pos;
  return j;
}

}  // namespace

scope run_machine::scope_for(const item_state& it, const json& run, json& element,
                             json& index) const {
  scope sc{&st_.input, &plan_->props, &st_.steps_scope, nullptr, nullptr,
           nullptr,    &run,          &empty_secrets(), env_.now};
  if (it.parent && it.row) {
    const json& all = st_.items[*it.parent].inputs;
    if (all.is_object() && all.contains("items") && *it.row < all["items"].size())
      element = all["items"][*it.row];
    index = *it.row;
    sc.item = &element;
    sc.index = &index;
  }
  return sc;
}

void run_machine::start_child(std::size_t i, int attempt, bool recovered, json request) {
  auto& it = st_.items[i];
  std::string child = st_.id + "-" + it.id;
  if (attempt > 1) child += "-" + std::to_string(attempt);
  // Child ids nest one segment per level; stream names are at most 256 bytes.
  if (child.size() > 200)
    return fail_final(i,
                      failure(error(errc::limit_exceeded,
                                    "child runs are nested too deeply (the child's id would be " +
                                        std::to_string(child.size()) + " bytes)"),
                              attempt),
                      attempt);
  json started{{"attempt", attempt}, {"inputs", request}};
  if (recovered) started["recovered"] = true;
  emit(et::item_started, std::move(started), it.id);
  emit(et::item_waiting, json{{"child_run_id", child}}, it.id);
  run_action a{run_action::kind::start_child, it.id, attempt, 0, child};
  a.request = std::move(request);
  out_.actions.push_back(std::move(a));
  if (const step_plan* p = it.step ? &plan_->steps[*it.step] : nullptr;
      p && p->timeout && !it.parent)
    out_.actions.push_back({run_action::kind::timer, it.id, 0, env_.now + *p->timeout});
}

void run_machine::start_attempt(std::size_t i, bool recovered) {
  const int attempt = st_.items[i].attempt_count + 1;
  const item_state& it = st_.items[i];
  // Batch rows and the rows of a workflow fan-out are child runs.
  if (!it.step || (it.parent && !plan_->steps[*it.step].body)) {
    json req = json::object();
    if (!it.step) {
      req["workflow"] = st_.workflow_id;
      req["version"] = st_.version;
      req["input"] = it.row && *it.row < st_.input.size() ? st_.input[*it.row] : json(nullptr);
    } else {
      const json& all = st_.items[*it.parent].inputs;
      req["workflow"] = all.is_object() && all.contains("workflow") && all["workflow"].is_string()
                            ? all["workflow"]
                            : json(plan_->steps[*it.step].child_workflow);
      req["input"] = all.is_object() && all.contains("items") && *it.row < all["items"].size()
                         ? all["items"][*it.row]
                         : json(nullptr);
    }
    req["mode"] = st_.mode;
    start_child(i, attempt, recovered, std::move(req));
    return;
  }
  const step_plan& p = it.parent ? *plan_->steps[*it.step].body : plan_->steps[*it.step];
  const json run = run_scope(st_);
  json element, index;
  const scope sc = scope_for(it, run, element, index);

  if (p.kind == step_kind::foreach) {
    auto items = p.items->render(sc);
    if (!items) return fail_final(i, failure(items.error(), attempt), attempt);
    if (!items->is_array())
      return fail_final(
          i,
          failure(error(errc::expression_error,
                        "foreach items must be an array, got " + std::string(type_name(*items))),
                  attempt),
          attempt);
    if (items->size() > env_.lim.foreach_elements)
      return fail_final(
          i,
          failure(error(errc::limit_exceeded, "foreach has " + std::to_string(items->size()) +
                                                  " elements; the limit is " +
                                                  std::to_string(env_.lim.foreach_elements)),
                  attempt),
          attempt);
    if (st_.mode == "smoke_test" && items->size() > static_cast<std::size_t>(plan_->smoke_sample))
      items->erase(items->begin() + plan_->smoke_sample, items->end());
    const std::size_t n = items->size();
    json inputs{{"items", std::move(*items)}};
    if (p.child_workflow_template) {  // the child workflow is named once, for every element
      auto wf = p.child_workflow_template->render(sc);
      if (!wf) return fail_final(i, failure(wf.error(), attempt), attempt);
      if (!wf->is_string() || !valid_workflow_id(wf->get_ref<const std::string&>()))
        return fail_final(
            i,
            failure(error(errc::expression_error, "foreach workflow must name a workflow id, got " +
                                                      dump(*wf).substr(0, 100)),
                    attempt),
            attempt);
      inputs["workflow"] = std::move(*wf);
    }
    json started{{"attempt", attempt}, {"inputs", std::move(inputs)}, {"rows", n}};
    emit(et::item_started, std::move(started), it.id);
    if (p.timeout)
      out_.actions.push_back({run_action::kind::timer, st_.items[i].id, 0, env_.now + *p.timeout});
    if (n == 0) succeed(i, json::array());
    return;
  }

  if (p.kind == step_kind::branch) {
    json chosen = json::array();
    bool matched = false;
    for (const auto& c : p.cases) {
      bool yes = c.when_value;
      if (c.when) {
        auto v = c.when->render(sc);
        if (!v) return fail_final(i, failure(v.error(), attempt), attempt);
        yes = truthy(*v);
      }
      if (yes) {
        for (auto t : c.next) chosen.push_back(plan_->steps[t].id);
        matched = true;
        break;
      }
    }
    if (!matched)
      for (auto t : p.default_next) chosen.push_back(plan_->steps[t].id);
    json d{{"attempt", attempt}, {"output", json{{"next", chosen}}}, {"chosen", chosen}};
    emit(et::item_succeeded, std::move(d), it.id);
    return;
  }

  auto with = p.with.render(sc);
  if (!with) return fail_final(i, failure(with.error(), attempt), attempt);

  switch (p.kind) {
    case step_kind::transform:
      return succeed(i, with->contains("value") ? (*with)["value"] : json(nullptr), false, attempt);
    case step_kind::fail: {
      // Templates may give any type: render non-strings as interpolation does.
      auto text = [&](const char* name, const char* fallback) {
        auto it = with->find(name);
        if (it == with->end() || it->is_null()) return std::string(fallback);
        return interpolate(*it);
      };
      json e{{"code", text("code", "failed")},
             {"message", text("message", "the step failed")},
             {"retryable", false},
             {"attempt", attempt}};
      return fail_final(i, e, attempt);
    }
    case step_kind::http: {
      auto req = build_http_request(*with, st_.id, it.id, p.timeout);
      if (!req) return fail_final(i, failure(req.error(), attempt), attempt);
      const std::string& method = (*req)["method"].get_ref<const std::string&>();
      json started{{"attempt", attempt}, {"inputs", *req}};
      if (recovered) started["recovered"] = true;
      if (st_.mode == "dry_run" && method != "GET" && method != "HEAD") {
        emit(et::item_started, std::move(started), it.id);
        json mock = nullptr;
        if (p.mock) {
          auto m = p.mock->render(sc);
          if (!m) return fail_final(i, failure(m.error(), attempt), attempt);
          mock = std::move(*m);
        }
        return succeed(i, std::move(mock), true, attempt);
      }
      emit(et::item_started, std::move(started), it.id);
      run_action a{run_action::kind::http_call, st_.items[i].id, attempt};
      a.request = std::move(*req);
      out_.actions.push_back(std::move(a));
      return;
    }
    case step_kind::delay: {
      millis until = env_.now;
      if (auto f = with->find("for"); f != with->end()) {
        auto d = f->is_string() ? parse_duration(f->get_ref<const std::string&>()) : std::nullopt;
        if (!d)
          return fail_final(i,
                            failure(error(errc::expression_error,
                                          "delay 'for' must be a duration like \"30s\", got " +
                                              dump(*f).substr(0, 100)),
                                    attempt),
                            attempt);
        until += *d;
      } else if (auto u = with->find("until"); u != with->end()) {
        auto t = u->is_string() ? parse_time(u->get_ref<const std::string&>()) : std::nullopt;
        if (!t)
          return fail_final(
              i,
              failure(error(errc::expression_error, "delay 'until' must be an RFC 3339 time, got " +
                                                        dump(*u).substr(0, 100)),
                      attempt),
              attempt);
        until = *t;
      }
      emit(et::item_started, json{{"attempt", attempt}, {"inputs", *with}}, it.id);
      if (until <= env_.now) return succeed(i, json{{"until", format_time(until)}});
      emit(et::item_waiting, json{{"until", until}}, st_.items[i].id);
      out_.actions.push_back({run_action::kind::timer, st_.items[i].id, 0, until});
      if (p.timeout && !st_.items[i].parent)
        out_.actions.push_back(
            {run_action::kind::timer, st_.items[i].id, 0, env_.now + *p.timeout});
      return;
    }
    case step_kind::workflow: {
      json req = json::object();
      const auto wf = with->find("workflow");
      if (wf == with->end() || !wf->is_string() ||
          !valid_workflow_id(wf->get_ref<const std::string&>()))
        return fail_final(
            i,
            failure(error(errc::expression_error,
                          "workflow must name a workflow id, got " +
                              dump(wf == with->end() ? json(nullptr) : *wf).substr(0, 100)),
                    attempt),
            attempt);
      req["workflow"] = *wf;
      if (with->contains("version")) req["version"] = (*with)["version"];
      req["input"] = with->contains("input") ? (*with)["input"] : json::object();
      req["mode"] = st_.mode;
      return start_child(i, attempt, recovered, std::move(req));
    }
    default:
      return fail_final(
          i,
          failure(error(errc::failed_precondition, "step kind " + std::string(to_string(p.kind)) +
                                                       " cannot run in this build"),
                  attempt),
          attempt);
  }
}

}  // namespace af::runtime
