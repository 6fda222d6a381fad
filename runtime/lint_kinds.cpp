// Each step kind's `with` (DESIGN §3 "Step kinds", §9 "Step kinds"): exactly the fields listed
// for the kind, each checked by what its slot holds.
#include <algorithm>

#include "base/clock.hpp"
#include "base/duration.hpp"
#include "base/ids.hpp"
#include "runtime/lint_context.hpp"
#include "runtime/topic.hpp"

namespace af::runtime::lint_detail {
namespace {

enum class slot {
  payload,          // any JSON, strings are templates
  text,             // a string template
  url,              // a string template; a literal one starts with http:// or https://
  headers,          // object of string templates
  query,            // object of string templates, numbers, booleans
  condition,        // one {{ }} or a boolean
  event_condition,  // a condition that may also read `event`
  duration,         // a literal duration
  duration_or_template,
  time_or_template,  // RFC 3339, or a template
  pattern_or_template,
  topic_or_template,
  workflow_ref,  // a workflow id, or a template
  method,
  expect,
  version,
  concurrency,
  items,
  inline_step,
  queue,
  fail_code,
  cases,
  targets,  // an array of step ids (branch default)
};

struct field {
  std::string_view name;
  slot kind;
  bool required = false;
};

struct kind_spec {
  std::string_view kind;
  std::vector<field> fields;
  std::pair<std::string_view, std::string_view> exactly_one;  // both empty: no such rule
};

const std::vector<kind_spec>& specs() {
  static const std::vector<kind_spec> all = {
      {"transform", {{"value", slot::payload, true}}, {}},
      {"branch", {{"cases", slot::cases, true}, {"default", slot::targets}}, {}},
      {"http",
       {{"method", slot::method},
        {"url", slot::url, true},
        {"headers", slot::headers},
        {"query", slot::query},
        {"body", slot::payload},
        {"expect", slot::expect},
        {"timeout", slot::duration}},
       {}},
      {"delay",
       {{"for", slot::duration_or_template}, {"until", slot::time_or_template}},
       {"for", "until"}},
      {"wait_event",
       {{"topic", slot::pattern_or_template, true},
        {"match", slot::event_condition},
        {"timeout", slot::duration}},
       {}},
      {"approval",
       {{"prompt", slot::text, true}, {"timeout", slot::duration}, {"data", slot::payload}},
       {}},
      {"emit", {{"topic", slot::topic_or_template, true}, {"data", slot::payload}}, {}},
      {"workflow",
       {{"workflow", slot::workflow_ref, true},
        {"input", slot::payload},
        {"version", slot::version}},
       {}},
      {"foreach",
       {{"items", slot::items, true},
        {"step", slot::inline_step},
        {"workflow", slot::workflow_ref},
        {"concurrency", slot::concurrency}},
       {"step", "workflow"}},
      {"task",
       {{"queue", slot::queue, true},
        {"input", slot::payload},
        {"heartbeat_timeout", slot::duration},
        {"start_to_close", slot::duration}},
       {}},
      {"fail", {{"code", slot::fail_code}, {"message", slot::text}}, {}},
  };
  return all;
}

const std::vector<std::string_view> http_methods = {"GET",   "HEAD",   "POST",   "PUT",
                                                    "PATCH", "DELETE", "OPTIONS"};

bool token_char(char c) {  // RFC 9110 tchar
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool name_chars(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-'))
      return false;
  return true;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// "a step of kind http" (appended: g++ 12 warns falsely on "literal" + std::string&&).
std::string of_kind(std::string_view kind) {
  std::string out = "a step of kind ";
  out += kind;
  return out;
}

struct slot_checker {
  context& ctx;
  const expr_site& site;
  bool inline_step;

  // A string that is either a template (checked as one) or a literal checked by `literal`.
  template <class F>
  void literal_or_template(const json& v, const std::string& path, std::string_view wanted,
                           F literal) {
    if (!expect(ctx, v.is_string(), v, path, wanted)) return;
    const auto& s = v.get_ref<const std::string&>();
    if (has_template(s))
      check_template(ctx, v, path, site);
    else
      literal(s);
  }

  void string_map(const json& v, const std::string& path, bool scalars) {
    if (!expect(ctx, v.is_object(), v, path, "an object")) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      std::string where = pointer_append(path, it.key());
      if (it->is_string())
        check_template(ctx, *it, where, site);
      else if (scalars)
        expect(ctx, it->is_number() || it->is_boolean(), *it, where, "a string, number or boolean");
      else
        expect(ctx, false, *it, where, "a string");
    }
  }

  void headers(const json& v, const std::string& path) {
    string_map(v, path, false);
    if (!v.is_object()) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& name = it.key();
      if (!name.empty() && std::all_of(name.begin(), name.end(), token_char)) continue;
      ctx.add(pointer_append(path, name), problem_code::invalid_value,
              quote(name) + " is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)");
    }
  }

  void expect_list(const json& v, const std::string& path) {
    if (!expect(ctx, v.is_array(), v, path, "an array of statuses like [200, \"2xx\"]")) return;
    if (v.empty())
      ctx.add(path, problem_code::invalid_value, "list at least one status, e.g. [\"2xx\"]");
    for (std::size_t i = 0; i < v.size(); ++i) {
      const json& e = v[i];
      std::string where = pointer_append(path, i);
      if (is_integer(e)) {
        double d = e.get<double>();
        if (d < 100 || d > 599)
          ctx.add(where, problem_code::invalid_value,
                  "status " + dump(e) + " is out of range 100-599");
      } else if (e.is_string()) {
        const auto& s = e.get_ref<const std::string&>();
        if (!(s.size() == 3 && s[0] >= '1' && s[0] <= '5' && s[1] == 'x' && s[2] == 'x'))
          ctx.add(where, problem_code::invalid_value,
                  quote(s) + " is not a status range; use \"1xx\" to \"5xx\"");
      } else {
        expect(ctx, false, e, where, "a status code or a range like \"2xx\"");
      }
    }
  }

  void targets(const json& v, const std::string& path, bool non_empty) {
    if (!expect(ctx, v.is_array(), v, path, "an array of step ids")) return;
    if (non_empty && v.empty())
      ctx.add(path, problem_code::invalid_value, "name at least one step to go to");
    for (std::size_t k = 0; k < v.size(); ++k)
      expect(ctx, v[k].is_string(), v[k], pointer_append(path, k), "a step id string");
  }

  void cases(const json& v, const std::string& path) {
    if (!expect(ctx, v.is_array(), v, path, "an array of {when, next} cases")) return;
    if (v.empty()) ctx.add(path, problem_code::invalid_value, "a branch needs at least one case");
    for (std::size_t j = 0; j < v.size(); ++j) {
      const json& c = v[j];
      std::string where = pointer_append(path, j);
      if (!expect(ctx, c.is_object(), c, where, "an object {when, next}")) continue;
      check_fields(ctx, c, where, {"when", "next"}, "a branch case");
      auto when = c.find("when");
      if (when == c.end())
        ctx.add(pointer_append(where, "when"), problem_code::required,
                "a case needs 'when', one {{ expression }} or a boolean");
      else
        check_condition(ctx, *when, pointer_append(where, "when"), site);
      auto next = c.find("next");
      if (next == c.end())
        ctx.add(pointer_append(where, "next"), problem_code::required,
                "a case needs 'next', the step ids to run when it matches");
      else
        targets(*next, pointer_append(where, "next"), true);
    }
  }

  void items(const json& v, const std::string& path) {
    if (v.is_array()) return check_payload(ctx, v, path, site);
    if (!expect(ctx, v.is_string(), v, path, "an array or a {{ expression }} giving one")) return;
    auto info = check_template(ctx, v, path, site);
    if (info.parsed && !info.single)
      ctx.add(path, problem_code::invalid_value,
              "items must be an array or exactly one {{ expression }} giving an array");
  }

  void check(const field& f, const json& v, const std::string& path) {
    switch (f.kind) {
      case slot::payload:
        return check_payload(ctx, v, path, site);
      case slot::text:
        if (expect(ctx, v.is_string(), v, path, "a string")) check_template(ctx, v, path, site);
        return;
      case slot::url:
        if (!expect(ctx, v.is_string(), v, path, "a URL string")) return;
        check_template(ctx, v, path, site);
        if (const auto& s = v.get_ref<const std::string&>(); s.rfind("{{", 0) != 0 &&
                                                             !starts_with_ci(s, "http://") &&
                                                             !starts_with_ci(s, "https://"))
          ctx.add(path, problem_code::invalid_value,
                  quote(s) + " is not an http:// or https:// URL");
        return;
      case slot::headers:
        return headers(v, path);
      case slot::query:
        return string_map(v, path, true);
      case slot::condition:
        return check_condition(ctx, v, path, site);
      case slot::event_condition:
        return check_condition(ctx, v, path, expr_site{site.scope | in_event, site.step});
      case slot::duration:
        return check_duration(ctx, v, path);
      case slot::duration_or_template:
        return literal_or_template(v, path, "a duration string or a template",
                                   [&](auto& s) { check_duration(ctx, v, path); });
      case slot::time_or_template:
        return literal_or_template(v, path, "an RFC 3339 time or a template", [&](auto& s) {
          if (!parse_time(s))
            ctx.add(path, problem_code::invalid_time,
                    quote(s) + " is not an RFC 3339 time like \"2026-12-01T09:00:00Z\"");
        });
      case slot::pattern_or_template:
        return literal_or_template(v, path, "a topic string", [&](auto& s) {
          if (!valid_topic_pattern(s))
            ctx.add(path, problem_code::invalid_topic,
                    quote(s) +
                        " is not a topic pattern: segments of letters, digits, '_' "
                        "and '-' joined by '.', '*' for one segment, '#' only last");
        });
      case slot::topic_or_template:
        return literal_or_template(v, path, "a topic string", [&](auto& s) {
          if (!valid_topic(s))
            ctx.add(path, problem_code::invalid_topic,
                    quote(s) +
                        " is not a topic to publish on: segments of letters, "
                        "digits, '_' and '-' joined by '.', no wildcards, at most 255 bytes");
        });
      case slot::workflow_ref:
        return literal_or_template(v, path, "a workflow id", [&](auto& s) {
          if (!valid_workflow_id(s))
            ctx.add(path, problem_code::invalid_id,
                    quote(s) +
                        " is not a workflow id ([a-z0-9][a-z0-9_-]{0,63}, not "
                        "'schema' or 'lint')");
        });
      case slot::method: {
        if (!expect(ctx, v.is_string(), v, path, "an HTTP method")) return;
        const auto& s = v.get_ref<const std::string&>();
        if (std::find(http_methods.begin(), http_methods.end(), s) == http_methods.end())
          ctx.add(path, problem_code::invalid_value,
                  quote(s) + " is not a supported method" + did_you_mean(s, http_methods) +
                      "; use " + one_of(http_methods) + " (upper case)");
        return;
      }
      case slot::expect:
        return expect_list(v, path);
      case slot::version:
        return check_integer(ctx, v, path, 1, 1000000000);
      case slot::concurrency:
        return check_integer(ctx, v, path, 1, 10000);
      case slot::items:
        return items(v, path);
      case slot::inline_step:
        if (inline_step) return;  // a foreach inside a foreach is refused by its kind already
        return check_step(ctx, v, path, *site.step, true);
      case slot::queue:
        if (expect(ctx, v.is_string(), v, path, "a queue name") &&
            !name_chars(v.get_ref<const std::string&>(), 128))
          ctx.add(path, problem_code::invalid_value,
                  "a queue name is 1 to 128 characters of letters, digits, '_', '.' and '-'");
        return;
      case slot::fail_code:
        if (expect(ctx, v.is_string(), v, path, "an error code string") &&
            !name_chars(v.get_ref<const std::string&>(), 64))
          ctx.add(path, problem_code::invalid_value,
                  "an error code is 1 to 64 characters of letters, digits, '_', '.' and '-'");
        return;
      case slot::cases:
        return cases(v, path);
      case slot::targets:
        return targets(v, path, false);
    }
  }
};

}  // namespace

void check_with(context& ctx, std::string_view kind, const json* with, const std::string& path,
                const expr_site& site, bool inline_step) {
  const auto& all = specs();
  auto spec =
      std::find_if(all.begin(), all.end(), [&](const kind_spec& s) { return s.kind == kind; });
  if (spec == all.end()) return;
  bool needs_with =
      !spec->exactly_one.first.empty() || std::any_of(spec->fields.begin(), spec->fields.end(),
                                                      [](const field& f) { return f.required; });
  if (!with) {
    if (needs_with)
      ctx.add(path, problem_code::required, of_kind(kind) + " needs 'with' holding its settings");
    return;
  }
  if (!expect(ctx, with->is_object(), *with, path, "an object")) return;
  std::vector<std::string_view> names;
  for (const auto& f : spec->fields) names.push_back(f.name);
  check_fields(ctx, *with, path, names, "'with' of " + of_kind(kind));
  slot_checker checker{ctx, site, inline_step};
  for (const auto& f : spec->fields) {
    auto it = with->find(std::string(f.name));
    std::string where = pointer_append(path, f.name);
    if (it != with->end())
      checker.check(f, *it, where);
    else if (f.required)
      ctx.add(where, problem_code::required,
              of_kind(kind) + " needs 'with." + std::string(f.name) + "'");
  }
  auto [a, b] = spec->exactly_one;
  if (a.empty()) return;
  bool has_a = with->contains(std::string(a)), has_b = with->contains(std::string(b));
  if (!has_a && !has_b)
    ctx.add(path, problem_code::required,
            of_kind(kind) + " needs exactly one of 'with." + std::string(a) + "' or 'with." +
                std::string(b) + "'");
  else if (has_a && has_b)
    ctx.add(pointer_append(path, b), problem_code::invalid_value,
            "give either '" + std::string(a) + "' or '" + std::string(b) + "', not both");
}

}  // namespace af::runtime::lint_detail
