// Templates and expressions in a definition (DESIGN §3 "Templates and expressions", §9
// "Expressions"): syntax and length when a template is met, names and steps once the step graph
// is known.
#include <algorithm>

#include "runtime/lint_context.hpp"
#include "runtime/template.hpp"

namespace af::runtime::lint_detail {
namespace {

// Payloads nest at most as deep as the JSON parser allows; this bound only guards values built
// in code.
constexpr std::size_t max_payload_depth = 256;

struct root_name {
  std::string_view name;
  scope_bit bit;
};
constexpr root_name root_names[] = {
    {"input", in_input},     {"props", in_props}, {"steps", in_steps}, {"run", in_run},
    {"secrets", in_secrets}, {"item", in_item},   {"index", in_index}, {"event", in_event}};

std::vector<std::string_view> names_in(unsigned scope) {
  std::vector<std::string_view> out;
  for (const auto& r : root_names)
    if (scope & r.bit) out.push_back(r.name);
  return out;
}

std::string unknown_root_message(const reference& ref, unsigned scope) {
  const root_name* known = nullptr;
  for (const auto& r : root_names)
    if (r.name == ref.root) known = &r;
  auto here = names_in(scope);
  std::string tail = "; names in scope here: " + join(here);
  if (!known) return "unknown name " + quote(ref.root) + did_you_mean(ref.root, here) + tail;
  switch (known->bit) {
    case in_item:
    case in_index:
      return quote(known->name) + " is only available inside the step of a foreach" + tail;
    case in_event:
      return "'event' is only available in event-triggered workflows, in trigger.filter and in "
             "wait_event.match" +
             tail;
    default:
      return quote(known->name) + " is not available here" + tail;
  }
}

void walk_payload(context& ctx, const json& v, const std::string& path, const expr_site& site,
                  std::size_t depth) {
  if (depth > max_payload_depth) {
    ctx.add(path, problem_code::limit_exceeded, "value nested too deeply");
    return;
  }
  if (v.is_string()) {
    if (has_template(v.get_ref<const std::string&>())) check_template(ctx, v, path, site);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      walk_payload(ctx, v[i], pointer_append(path, i), site, depth + 1);
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it)
      walk_payload(ctx, *it, pointer_append(path, it.key()), site, depth + 1);
  }
}

}  // namespace

template_info check_template(context& ctx, const json& v, const std::string& path,
                             const expr_site& site) {
  template_info info;
  auto t = template_string::parse(v.get_ref<const std::string&>(), ctx.lim.expression_bytes);
  if (!t) {
    const auto& err = t.error();
    std::optional<std::size_t> pos;
    if (std::size_t p = expression_position(err); p > 0) pos = p;
    if (err.code == errc::limit_exceeded)
      ctx.add(path, problem_code::limit_exceeded,
              "an expression is longer than " + std::to_string(ctx.lim.expression_bytes) +
                  " bytes; compute the value in a transform step or shorten it",
              pos);
    else
      ctx.add(path, problem_code::expression_syntax, err.message, pos);
    return info;
  }
  info.parsed = true;
  info.single = t->is_single_expression();
  info.has_expressions = t->has_expressions();
  auto refs = t->references();
  if (!refs.empty()) ctx.refs.push_back({path, site, std::move(refs)});
  return info;
}

void check_payload(context& ctx, const json& v, const std::string& path, const expr_site& site) {
  walk_payload(ctx, v, path, site, 0);
}

void check_condition(context& ctx, const json& v, const std::string& path, const expr_site& site) {
  if (v.is_boolean()) return;
  if (!expect(ctx, v.is_string(), v, path, "a boolean or a string holding one {{ expression }}"))
    return;
  auto info = check_template(ctx, v, path, site);
  if (info.parsed && !info.single)
    ctx.add(path, problem_code::invalid_value,
            "a condition must be exactly one {{ expression }} (e.g. \"{{ input.n > 3 }}\") or "
            "true/false, with no text around it");
}

void check_references(context& ctx, const json& steps, const step_graph& g) {
  const bool have_steps = steps.is_array();
  const bool upstream = have_steps && g.upstream_known();
  std::vector<std::string_view> ids;
  for (const auto& id : g.ids)
    if (!id.empty()) ids.push_back(id);
  for (const auto& rec : ctx.refs) {
    for (const auto& ref : rec.refs) {
      std::optional<std::size_t> pos;
      if (ref.position > 0) pos = ref.position;
      auto r = std::find_if(std::begin(root_names), std::end(root_names),
                            [&](const root_name& n) { return n.name == ref.root; });
      if (r == std::end(root_names) || !(rec.site.scope & r->bit)) {
        ctx.add(rec.path, problem_code::unknown_reference,
                unknown_root_message(ref, rec.site.scope), pos);
        continue;
      }
      if (ref.root != "steps" || !ref.step || !have_steps) continue;
      auto target = g.find(*ref.step);
      if (!target) {
        ctx.add(rec.path, problem_code::unknown_reference,
                "no step " + quote(*ref.step) + did_you_mean(*ref.step, ids), pos);
        continue;
      }
      if (!rec.site.step || !upstream) continue;
      std::size_t user = *rec.site.step;
      if (*target == user)
        ctx.add(rec.path, problem_code::unknown_reference,
                "step '" + g.ids[user] + "' cannot read its own output", pos);
      else if (!g.is_upstream(user, *target))
        ctx.add(rec.path, problem_code::unknown_reference,
                "step '" + g.ids[*target] + "' is not upstream of '" + g.ids[user] +
                    "'; add it to needs",
                pos);
    }
  }
}

}  // namespace af::runtime::lint_detail
