#include "runtime/run_plan.hpp"

#include <algorithm>
#include <cmath>

#include "base/duration.hpp"
#include "runtime/graph.hpp"

namespace af::runtime {
namespace {

constexpr std::pair<step_kind, std::string_view> kind_names[] = {
    {step_kind::transform, "transform"}, {step_kind::branch, "branch"},
    {step_kind::http, "http"},           {step_kind::delay, "delay"},
    {step_kind::fail, "fail"},           {step_kind::foreach, "foreach"},
    {step_kind::workflow, "workflow"},   {step_kind::wait_event, "wait_event"},
    {step_kind::emit, "emit"},           {step_kind::approval, "approval"},
    {step_kind::task, "task"},
};

error bad(std::string what) {
  return error(errc::invalid_definition, "stored definition cannot be compiled: " + what);
}

std::optional<millis> duration_field(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return parse_duration(it->get_ref<const std::string&>());
}

// Merges the retry fields of `spec` (an object or absent) over `base`, one by one (§9).
retry_policy merge_retry(retry_policy base, const json& holder) {
  auto it = holder.find("retry");
  if (it == holder.end() || !it->is_object()) return base;
  const json& r = *it;
  if (auto m = r.find("max_attempts"); m != r.end() && m->is_number_integer())
    base.max_attempts =
        std::max(1, static_cast<int>(std::min<std::int64_t>(m->get<std::int64_t>(), 1000)));
  if (auto d = duration_field(r, "initial_interval")) base.initial_interval = *d;
  if (auto d = duration_field(r, "max_interval")) base.max_interval = *d;
  if (auto b = r.find("backoff"); b != r.end() && b->is_number()) base.backoff = b->get<double>();
  return base;
}

result<std::optional<template_string>> condition(const json& v, bool& literal, const limits& lim) {
  if (v.is_boolean()) {
    literal = v.get<bool>();
    return std::optional<template_string>();
  }
  if (!v.is_string()) return bad("a condition is neither a boolean nor a template");
  auto t = template_string::parse(v.get_ref<const std::string&>(), lim.expression_bytes);
  if (!t) return std::move(t).error();
  return std::optional<template_string>(std::move(*t));
}

struct compiler {
  const limits& lim;
  const step_graph* graph = nullptr;
  retry_policy workflow_retry;
  on_error_kind default_on_error = on_error_kind::stop;

  result<std::vector<std::size_t>> targets(const json& list) {
    std::vector<std::size_t> out;
    if (!list.is_array()) return out;
    for (const auto& t : list) {
      if (!t.is_string()) return bad("a branch target is not a string");
      auto i = graph->find(t.get_ref<const std::string&>());
      if (!i) return bad("unknown branch target " + t.get<std::string>());
      out.push_back(*i);
    }
    return out;
  }

  result<step_plan> step(const json& s, std::string id) {
    step_plan p;
    p.id = std::move(id);
    auto kind = parse_step_kind(s.value("kind", ""));
    if (!kind) return bad("unknown kind in step '" + p.id + "'");
    p.kind = *kind;
    p.retry = merge_retry(workflow_retry, s);
    p.timeout = duration_field(s, "timeout");
    p.on_error = default_on_error;
    if (auto oe = s.find("on_error"); oe != s.end() && oe->is_string()) {
      const auto& v = oe->get_ref<const std::string&>();
      if (v == "stop")
        p.on_error = on_error_kind::stop;
      else if (v == "continue")
        p.on_error = on_error_kind::continue_on;
      else if (v.rfind("fallback:", 0) == 0)
        p.on_error = on_error_kind::fallback;
    }
    if (auto c = s.find("if"); c != s.end()) {
      auto t = condition(*c, p.condition_value, lim);
      if (!t) return std::move(t).error();
      p.condition = std::move(*t);
    }
    if (auto m = s.find("mock"); m != s.end()) {
      auto t = template_value::parse(*m, lim.expression_bytes);
      if (!t) return std::move(t).error();
      p.mock = std::move(*t);
    }
    const json with = s.contains("with") ? s["with"] : json::object();
    if (p.kind == step_kind::branch) {
      if (auto cases = with.find("cases"); cases != with.end() && cases->is_array()) {
        for (const auto& c : *cases) {
          branch_case bc;
          auto w = condition(c.contains("when") ? c["when"] : json(false), bc.when_value, lim);
          if (!w) return std::move(w).error();
          bc.when = std::move(*w);
          auto next = targets(c.contains("next") ? c["next"] : json::array());
          if (!next) return std::move(next).error();
          bc.next = std::move(*next);
          p.cases.push_back(std::move(bc));
        }
      }
      auto def = targets(with.contains("default") ? with["default"] : json::array());
      if (!def) return std::move(def).error();
      p.default_next = std::move(*def);
      return p;
    }
    if (p.kind == step_kind::foreach) {
      auto items = template_value::parse(with.contains("items") ? with["items"] : json(nullptr),
                                         lim.expression_bytes);
      if (!items) return std::move(items).error();
      p.items = std::move(*items);
      if (auto c = with.find("concurrency"); c != with.end() && c->is_number_integer())
        p.concurrency =
            static_cast<int>(std::clamp<std::int64_t>(c->get<std::int64_t>(), 1, 10000));
      if (auto w = with.find("workflow"); w != with.end() && w->is_string()) {
        p.child_workflow = w->get<std::string>();
        if (p.child_workflow.find("{{") != std::string::npos) {
          auto t = template_string::parse(p.child_workflow, lim.expression_bytes);
          if (!t) return std::move(t).error();
          p.child_workflow_template = std::move(*t);
        }
      } else if (auto b = with.find("step"); b != with.end() && b->is_object()) {
        auto body = step(*b, "");
        if (!body) return std::move(body).error();
        if (body->kind == step_kind::foreach) return bad("a foreach inside a foreach");
        p.body = std::make_shared<const step_plan>(std::move(*body));
      } else {
        return bad("foreach step '" + p.id + "' has neither step nor workflow");
      }
      return p;
    }
    auto w = template_value::parse(with, lim.expression_bytes);
    if (!w) return std::move(w).error();
    p.with = std::move(*w);
    return p;
  }
};

}  // namespace

std::string_view to_string(step_kind k) {
  for (const auto& [kind, name] : kind_names)
    if (kind == k) return name;
  return "transform";
}

std::optional<step_kind> parse_step_kind(std::string_view s) {
  for (const auto& [kind, name] : kind_names)
    if (name == s) return kind;
  return std::nullopt;
}

bool runnable(step_kind k) {
  return k != step_kind::wait_event && k != step_kind::emit && k != step_kind::approval &&
         k != step_kind::task;
}

bool inline_kind(step_kind k) {
  return k == step_kind::transform || k == step_kind::branch || k == step_kind::fail;
}

millis backoff_delay(const retry_policy& p, int failed_attempts, double jitter) {
  double d = static_cast<double>(p.initial_interval) *
             std::pow(p.backoff, std::max(0, failed_attempts - 1));
  d = std::min(d, static_cast<double>(p.max_interval));
  return std::max<millis>(0, static_cast<millis>(d * jitter));
}

result<std::shared_ptr<const run_plan>> compile_plan(const json& def, std::string workflow_id,
                                                     int version, const limits& lim) {
  auto plan = std::make_shared<run_plan>();
  plan->workflow_id = std::move(workflow_id);
  plan->version = version;
  if (!def.is_object() || !def.contains("steps") || !def["steps"].is_array())
    return bad("no steps");
  const json& steps = def["steps"];
  step_graph graph = build_step_graph(steps, nullptr, false);
  if (!graph.sound) return bad("the step graph is not sound");
  compiler c{lim, &graph, merge_retry(retry_policy{}, def)};
  if (def.value("error_handling", "stop") == "continue")
    c.default_on_error = on_error_kind::continue_on;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto s = c.step(steps[i], graph.ids[i]);
    if (!s) return std::move(s).error();
    s->needs = graph.needs[i];
    s->fallback_of = graph.fallback_of[i];
    if (!runnable(s->kind) && !plan->unsupported)
      plan->unsupported.emplace(s->id, std::string(to_string(s->kind)));
    if (s->body && !runnable(s->body->kind) && !plan->unsupported)
      plan->unsupported.emplace(s->id, std::string(to_string(s->body->kind)));
    plan->steps.push_back(std::move(*s));
  }
  for (std::size_t i = 0; i < plan->steps.size(); ++i) {
    auto& s = plan->steps[i];
    if (s.fallback_of) plan->steps[*s.fallback_of].fallback = i;
    if (s.kind != step_kind::branch) continue;
    auto mark = [&](const std::vector<std::size_t>& targets) {
      for (auto t : targets) {
        auto& by = plan->steps[t].chosen_by;
        if (std::find(by.begin(), by.end(), i) == by.end()) by.push_back(i);
      }
    };
    for (const auto& bc : s.cases) mark(bc.next);
    mark(s.default_next);
  }
  if (auto o = def.find("output"); o != def.end()) {
    auto t = template_value::parse(*o, lim.expression_bytes);
    if (!t) return std::move(t).error();
    plan->output = std::move(*t);
  }
  if (auto p = def.find("props"); p != def.end() && p->is_object()) plan->props = *p;
  if (auto s = def.find("input_schema"); s != def.end()) plan->input_schema = *s;
  plan->mode_default = def.value("mode_default", "live");
  plan->timeout = duration_field(def, "timeout");
  if (auto n = def.find("smoke_sample"); n != def.end() && n->is_number_integer())
    plan->smoke_sample =
        static_cast<int>(std::clamp<std::int64_t>(n->get<std::int64_t>(), 1, 10000));
  if (auto ap = def.find("auto_pause"); ap != def.end() && ap->is_object())
    if (auto n = ap->find("consecutive_failures"); n != ap->end() && n->is_number_integer())
      plan->auto_pause_after =
          static_cast<int>(std::clamp<std::int64_t>(n->get<std::int64_t>(), 0, 1000000));
  return std::shared_ptr<const run_plan>(std::move(plan));
}

}  // namespace af::runtime
