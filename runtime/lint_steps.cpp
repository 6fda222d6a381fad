// The steps array and the per-step fields (DESIGN §3 per-step fields, §9 "Lint and workflow
// answers"). Each kind's `with` is lint_kinds.cpp; the graph rules are graph.cpp.
#include <algorithm>
#include <unordered_map>

#include "base/ids.hpp"
#include "runtime/lint_context.hpp"

namespace af::runtime::lint_detail {
namespace {

const std::vector<std::string_view> step_fields = {"id",      "kind",     "with", "needs", "retry",
                                                   "timeout", "on_error", "cost", "mock",  "if"};
const std::vector<std::string_view> inline_fields = {"kind",     "with", "retry", "timeout",
                                                     "on_error", "cost", "mock",  "if"};

void check_inline_fields(context& ctx, const json& s, const std::string& path) {
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string& key = it.key();
    if (std::find(inline_fields.begin(), inline_fields.end(), key) != inline_fields.end()) continue;
    std::string where = pointer_append(path, key);
    if (key == "id" || key == "needs")
      ctx.add(where, problem_code::unknown_field,
              "the step of a foreach has no '" + key + "': it runs once per element of items");
    else
      ctx.add(where, problem_code::unknown_field,
              "unknown field '" + shown(key) + "' in the step of a foreach" +
                  did_you_mean(key, inline_fields) + "; allowed fields: " + join(inline_fields));
  }
}

void check_id(context& ctx, const json& s, const std::string& path,
              std::unordered_map<std::string, std::size_t>& seen) {
  auto id = s.find("id");
  std::string where = pointer_append(path, "id");
  if (id == s.end()) {
    ctx.add(where, problem_code::required, "every step needs an 'id' ([a-z0-9_-]{1,64})");
    return;
  }
  if (!expect(ctx, id->is_string(), *id, where, "a string")) return;
  const auto& v = id->get_ref<const std::string&>();
  if (!valid_step_id(v)) {
    ctx.add(where, problem_code::invalid_id,
            "step id '" + shown(v) + "' must be 1 to 64 characters of a-z, 0-9, '_' and '-'");
    return;
  }
  auto [it, fresh] = seen.emplace(v, seen.size());
  if (!fresh) ctx.add(where, problem_code::duplicate_id, "another step already has id '" + v + "'");
}

// Returns the kind when it is known.
std::optional<std::string> check_kind(context& ctx, const json& s, const std::string& path,
                                      bool inline_step) {
  auto kind = s.find("kind");
  std::string where = pointer_append(path, "kind");
  if (kind == s.end()) {
    ctx.add(where, problem_code::required, "every step needs a 'kind': " + one_of(step_kinds()));
    return std::nullopt;
  }
  if (!expect(ctx, kind->is_string(), *kind, where, "a string")) return std::nullopt;
  const auto& k = kind->get_ref<const std::string&>();
  const auto& kinds = step_kinds();
  if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) {
    ctx.add(where, problem_code::unknown_kind,
            "unknown step kind " + quote(k) + did_you_mean(k, kinds) + "; use " + one_of(kinds));
    return std::nullopt;
  }
  if (inline_step && (k == "foreach" || k == "branch")) {
    ctx.add(where, problem_code::invalid_value,
            "the step of a foreach cannot be a " + k +
                (k == "foreach" ? "; start a child workflow with 'workflow' to nest loops"
                                : "; branch in a child workflow instead"));
    return std::nullopt;
  }
  return k;
}

void check_needs(context& ctx, const json& needs, const std::string& path) {
  if (!expect(ctx, needs.is_array(), needs, path, "an array of step ids")) return;
  for (std::size_t j = 0; j < needs.size(); ++j)
    expect(ctx, needs[j].is_string(), needs[j], pointer_append(path, j), "a step id string");
}

void check_on_error(context& ctx, const json& v, const std::string& path, bool inline_step) {
  if (!expect(ctx, v.is_string(), v, path, "a string")) return;
  const auto& s = v.get_ref<const std::string&>();
  if (s == "stop" || s == "continue") return;
  constexpr std::string_view prefix = "fallback:";
  if (std::string_view(s).substr(0, prefix.size()) == prefix) {
    if (inline_step)
      ctx.add(path, problem_code::invalid_value,
              "the step of a foreach takes on_error stop or continue, not a fallback");
    else if (s.size() == prefix.size())
      ctx.add(path, problem_code::invalid_value, "name the fallback step: fallback:<step-id>");
    return;  // the target is checked with the graph
  }
  ctx.add(path, problem_code::invalid_value,
          quote(s) + " is not allowed" + did_you_mean(s, {"stop", "continue", "fallback:"}) +
              "; use stop, continue" + (inline_step ? "" : " or fallback:<step-id>"));
}

}  // namespace

const std::vector<std::string_view>& step_kinds() {
  static const std::vector<std::string_view> kinds = {"transform",  "branch",   "http", "delay",
                                                      "wait_event", "approval", "emit", "workflow",
                                                      "foreach",    "task",     "fail"};
  return kinds;
}

void check_step(context& ctx, const json& s, const std::string& path, std::size_t owner,
                bool inline_step) {
  if (!expect(ctx, s.is_object(), s, path, "a step object")) return;
  if (inline_step)
    check_inline_fields(ctx, s, path);
  else
    check_fields(ctx, s, path, step_fields, "a step");
  expr_site site{step_scope | (ctx.event_trigger ? in_event : 0u), owner};
  if (inline_step) site.scope |= in_item | in_index;
  auto kind = check_kind(ctx, s, path, inline_step);
  if (!inline_step)
    if (auto n = s.find("needs"); n != s.end()) check_needs(ctx, *n, pointer_append(path, "needs"));
  if (auto r = s.find("retry"); r != s.end()) check_retry(ctx, *r, pointer_append(path, "retry"));
  if (auto t = s.find("timeout"); t != s.end())
    check_duration(ctx, *t, pointer_append(path, "timeout"));
  if (auto e = s.find("on_error"); e != s.end())
    check_on_error(ctx, *e, pointer_append(path, "on_error"), inline_step);
  if (auto c = s.find("cost"); c != s.end()) {
    std::string where = pointer_append(path, "cost");
    if (expect(ctx, c->is_number(), *c, where, "a number") && c->get<double>() < 0)
      ctx.add(where, problem_code::invalid_value, "cost must be 0 or more, got " + dump(*c));
  }
  if (auto m = s.find("mock"); m != s.end())
    check_payload(ctx, *m, pointer_append(path, "mock"), site);
  if (auto c = s.find("if"); c != s.end())
    check_condition(ctx, *c, pointer_append(path, "if"), site);
  if (!kind) return;
  auto w = s.find("with");
  check_with(ctx, *kind, w == s.end() ? nullptr : &*w, pointer_append(path, "with"), site,
             inline_step);
}

void check_steps(context& ctx, const json& definition) {
  auto it = definition.find("steps");
  if (it == definition.end()) {
    ctx.add(
        "/steps", problem_code::required,
        "a workflow needs 'steps', an array of 1 to " + std::to_string(ctx.lim.steps) + " steps");
    return;
  }
  const json& steps = *it;
  if (!expect(ctx, steps.is_array(), steps, "/steps", "an array of steps")) return;
  if (steps.empty()) {
    ctx.add("/steps", problem_code::invalid_value, "a workflow needs at least one step");
    return;
  }
  if (steps.size() > ctx.lim.steps)
    ctx.add("/steps", problem_code::limit_exceeded,
            std::to_string(steps.size()) + " steps is more than the limit of " +
                std::to_string(ctx.lim.steps) + "; split the work into child workflows");
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    std::string path = pointer_append("/steps", i);
    if (steps[i].is_object()) check_id(ctx, steps[i], path, seen);
    check_step(ctx, steps[i], path, i, false);
  }
}

}  // namespace af::runtime::lint_detail
