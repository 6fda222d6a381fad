// Lint driver: the top-level fields of a definition, then the step graph and the references
// that need it, then the problems in document order.
#include "runtime/lint.hpp"

#include <algorithm>

#include "base/ids.hpp"
#include "runtime/graph.hpp"
#include "runtime/input_schema.hpp"
#include "runtime/lint_context.hpp"

namespace af::runtime {
namespace {

using namespace lint_detail;

constexpr std::size_t max_name_chars = 200;
constexpr std::size_t max_description_chars = 4000;
constexpr std::size_t max_tags = 50;
constexpr std::size_t max_tag_chars = 64;

const std::vector<std::string_view> top_fields = {
    "id",           "name",  "description", "trigger", "mode_default",
    "input_schema", "props", "timeout",     "retry",   "error_handling",
    "auto_pause",   "tags",  "steps",       "output",  "smoke_sample"};

void check_tags(context& ctx, const json& v) {
  if (!expect(ctx, v.is_array(), v, "/tags", "an array of strings")) return;
  if (v.size() > max_tags)
    ctx.add("/tags", problem_code::invalid_value,
            std::to_string(v.size()) + " tags is more than the " + std::to_string(max_tags) +
                " allowed");
  for (std::size_t i = 0; i < v.size(); ++i)
    check_text(ctx, v[i], pointer_append("/tags", i), 1, max_tag_chars);
}

void check_auto_pause(context& ctx, const json& v) {
  if (!expect(ctx, v.is_object(), v, "/auto_pause", "an object {\"consecutive_failures\": n}"))
    return;
  check_fields(ctx, v, "/auto_pause", {"consecutive_failures"}, "auto_pause");
  if (auto it = v.find("consecutive_failures"); it != v.end())
    check_integer(ctx, *it, "/auto_pause/consecutive_failures", 1, 1000000);
}

void check_input_schema_field(context& ctx, const json& v) {
  if (!expect(ctx, v.is_object(), v, "/input_schema", "a JSON Schema object")) return;
  for (auto& p : check_input_schema(v, "/input_schema")) ctx.problems.push_back(std::move(p));
}

void check_top_level(context& ctx, const json& def) {
  check_fields(ctx, def, "", top_fields, "the workflow");
  if (auto it = def.find("id"); it != def.end() &&
                                expect(ctx, it->is_string(), *it, "/id", "a workflow id string") &&
                                !valid_workflow_id(it->get_ref<const std::string&>()))
    ctx.add("/id", problem_code::invalid_id,
            quote(it->get_ref<const std::string&>()) +
                " is not a workflow id: 1 to 64 characters of a-z, 0-9, '_' and '-', starting "
                "with a letter or digit, and not 'schema' or 'lint'");
  if (auto it = def.find("name"); it != def.end()) check_text(ctx, *it, "/name", 1, max_name_chars);
  if (auto it = def.find("description"); it != def.end())
    check_text(ctx, *it, "/description", 0, max_description_chars);
  if (auto it = def.find("trigger"); it != def.end()) check_trigger(ctx, *it);
  if (auto it = def.find("mode_default"); it != def.end())
    check_enum(ctx, *it, "/mode_default", {"live", "dry_run", "smoke_test"});
  if (auto it = def.find("input_schema"); it != def.end()) check_input_schema_field(ctx, *it);
  if (auto it = def.find("props"); it != def.end())
    expect(ctx, it->is_object(), *it, "/props", "an object");
  if (auto it = def.find("timeout"); it != def.end()) check_duration(ctx, *it, "/timeout");
  if (auto it = def.find("retry"); it != def.end()) check_retry(ctx, *it, "/retry");
  if (auto it = def.find("error_handling"); it != def.end())
    check_enum(ctx, *it, "/error_handling", {"stop", "continue"});
  if (auto it = def.find("auto_pause"); it != def.end()) check_auto_pause(ctx, *it);
  if (auto it = def.find("tags"); it != def.end()) check_tags(ctx, *it);
  check_steps(ctx, def);
  if (auto it = def.find("output"); it != def.end())
    check_payload(ctx, *it, "/output",
                  expr_site{step_scope | (ctx.event_trigger ? in_event : 0u), std::nullopt});
  if (auto it = def.find("smoke_sample"); it != def.end())
    check_integer(ctx, *it, "/smoke_sample", 1, 1000000);
}

bool event_triggered(const json& def) {
  auto t = def.find("trigger");
  if (t == def.end() || !t->is_object()) return false;
  auto type = t->find("type");
  return type != t->end() && *type == "event";
}

// The place of a pointer in the document: per token, the index of the member or element it
// names; a member that does not exist (a missing required field) sorts after its siblings.
std::vector<std::size_t> document_position(const json& root, std::string_view pointer) {
  std::vector<std::size_t> key;
  const json* at = &root;
  std::size_t i = 0;
  while (at && i < pointer.size() && pointer[i] == '/') {
    std::size_t end = pointer.find('/', i + 1);
    if (end == std::string_view::npos) end = pointer.size();
    std::string token;
    for (std::size_t k = i + 1; k < end; ++k) {
      if (pointer[k] == '~' && k + 1 < end) {
        token.push_back(pointer[k + 1] == '1' ? '/' : '~');
        ++k;
      } else {
        token.push_back(pointer[k]);
      }
    }
    i = end;
    if (at->is_object()) {
      auto it = at->find(token);
      if (it == at->end()) {
        key.push_back(at->size());
        at = nullptr;
      } else {
        key.push_back(static_cast<std::size_t>(std::distance(at->begin(), it)));
        at = &*it;
      }
    } else if (at->is_array()) {
      std::size_t n = 0;
      bool digits =
          !token.empty() && token.size() < 10 &&
          std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (digits) n = std::stoul(token);
      if (!digits || n >= at->size()) {
        key.push_back(at->size());
        at = nullptr;
      } else {
        key.push_back(n);
        at = &(*at)[n];
      }
    } else {
      at = nullptr;
    }
  }
  return key;
}

void sort_by_document(const json& def, std::vector<problem>& problems) {
  std::vector<std::pair<std::vector<std::size_t>, problem>> keyed;
  keyed.reserve(problems.size());
  for (auto& p : problems) keyed.emplace_back(document_position(def, p.path), std::move(p));
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < keyed.size(); ++i) problems[i] = std::move(keyed[i].second);
}

}  // namespace

std::vector<problem> lint(const json& definition, const limits& lim) {
  if (!definition.is_object())
    return {
        {"", std::string(problem_code::type),
         "a workflow definition must be a JSON object, got " + std::string(type_name(definition)),
         std::nullopt}};
  context ctx(lim);
  ctx.event_trigger = event_triggered(definition);
  check_top_level(ctx, definition);
  const json no_steps;
  auto steps_it = definition.find("steps");
  const json& steps = steps_it == definition.end() ? no_steps : *steps_it;
  // Upstream sets are quadratic: build them only for definitions within the step limit.
  step_graph g =
      build_step_graph(steps, &ctx.problems, steps.is_array() && steps.size() <= lim.steps);
  check_references(ctx, steps, g);
  sort_by_document(definition, ctx.problems);
  // A 1 MiB body of broken entries must not turn into a many-megabyte answer.
  if (ctx.problems.size() > max_problems) {
    const auto total = ctx.problems.size();
    ctx.problems.resize(max_problems);
    ctx.problems.push_back(
        {"", std::string(problem_code::limit_exceeded),
         std::to_string(total - max_problems) + " more problems not shown; fix these first",
         std::nullopt});
  }
  return std::move(ctx.problems);
}

}  // namespace af::runtime
