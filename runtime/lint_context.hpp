#pragma once
// Shared by the lint_*.cpp files; not a public interface (runtime/lint.hpp is).
// lint.cpp drives: top level, then steps (lint_steps.cpp, lint_kinds.cpp), trigger and retry
// (lint_trigger.cpp), templates (lint_expressions.cpp); then the step graph (graph.hpp) and the
// reference checks that need it; finally the problems are put in document order.

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"
#include "base/limits.hpp"
#include "runtime/expression.hpp"
#include "runtime/graph.hpp"
#include "runtime/problem.hpp"

namespace af::runtime::lint_detail {

// The names an expression may read at some place, as bits.
enum scope_bit : unsigned {
  in_input = 1u << 0,
  in_props = 1u << 1,
  in_steps = 1u << 2,
  in_run = 1u << 3,
  in_secrets = 1u << 4,
  in_item = 1u << 5,
  in_index = 1u << 6,
  in_event = 1u << 7,
};
inline constexpr unsigned step_scope = in_input | in_props | in_steps | in_run | in_secrets;

// Where an expression sits: what it may read, and whose upstream bounds `steps.<id>`.
struct expr_site {
  unsigned scope = step_scope;
  std::optional<std::size_t> step;  // none: any step may be read (the workflow output)
};

// References of one parsed template, checked once the graph is known.
struct recorded_refs {
  std::string path;
  expr_site site;
  std::vector<reference> refs;
};

struct context {
  explicit context(const limits& l) : lim(l) {}
  const limits& lim;
  std::vector<problem> problems;
  std::vector<recorded_refs> refs;
  bool event_trigger = false;  // event is in scope everywhere

  void add(std::string path, std::string_view code, std::string message,
           std::optional<std::size_t> position = std::nullopt);
};

// --- helpers (lint_util.cpp) ---
// A user-supplied text cut to 64 bytes for a message.
std::string shown(std::string_view s);
// shown(s) in single quotes. (Messages start from it, not from "'" + ...: g++ 12 warns
// falsely, -Wrestrict, on "literal" + std::string&&.)
std::string quote(std::string_view s);
// The closest candidate by edit distance, if close enough to be a likely typo.
std::optional<std::string_view> closest(std::string_view word,
                                        const std::vector<std::string_view>& candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);
// "a, b, c"
std::string join(const std::vector<std::string_view>& values);
// "one of a, b, c" ("a" for one value)
std::string one_of(const std::vector<std::string_view>& values);
// Reports every member of `obj` not in `allowed` (unknown_field, with a suggestion); `what`
// names the place in the message ("the workflow", "retry").
void check_fields(context& ctx, const json& obj, const std::string& path,
                  const std::vector<std::string_view>& allowed, std::string_view what);
// Reports a type problem unless `ok`; returns `ok`.
bool expect(context& ctx, bool ok, const json& value, const std::string& path,
            std::string_view wanted);
// An integer, or a number with an integral value (JSON Schema's "integer").
bool is_integer(const json& v);
// Checks an integer within [lo, hi]; reports type / invalid_value.
void check_integer(context& ctx, const json& v, const std::string& path, long long lo,
                   long long hi);
// A literal duration string ("10s"); reports type / invalid_duration.
void check_duration(context& ctx, const json& v, const std::string& path);
// One of `values`; reports type / invalid_value (with a suggestion).
void check_enum(context& ctx, const json& v, const std::string& path,
                const std::vector<std::string_view>& values);
// A string of at most `max_chars` code points (at least `min_chars`).
void check_text(context& ctx, const json& v, const std::string& path, std::size_t min_chars,
                std::size_t max_chars);
bool has_template(std::string_view s);  // contains "{{"

// --- retry and trigger (lint_trigger.cpp) ---
void check_retry(context& ctx, const json& v, const std::string& path);
void check_trigger(context& ctx, const json& v);
// Syntax of an IANA zone name ("Europe/Paris", "UTC"); no database is consulted.
bool plausible_time_zone(std::string_view tz);

// --- templates (lint_expressions.cpp) ---
struct template_info {
  bool parsed = false;
  bool single = false;  // exactly one {{ expr }}
  bool has_expressions = false;
};
// Parses a template string (`v` must be a string), reports syntax and length problems and
// records its references for check_references.
template_info check_template(context& ctx, const json& v, const std::string& path,
                             const expr_site& site);
// A payload slot: any JSON value whose strings are templates, recursively.
void check_payload(context& ctx, const json& v, const std::string& path, const expr_site& site);
// `if`, `when`, `filter`, `match`: exactly one {{ expr }} or a JSON boolean.
void check_condition(context& ctx, const json& v, const std::string& path, const expr_site& site);
// Unknown names, unknown steps and steps that are not upstream. `steps` is the definition's
// steps value; step checks are skipped unless it is an array, upstream checks unless the graph
// is sound.
void check_references(context& ctx, const json& steps, const step_graph& g);

// --- steps (lint_steps.cpp, lint_kinds.cpp) ---
void check_steps(context& ctx, const json& definition);
// One step. `inline_step`: the `step` of a foreach (no id, no needs), `owner` its foreach.
void check_step(context& ctx, const json& s, const std::string& path, std::size_t owner,
                bool inline_step);
const std::vector<std::string_view>& step_kinds();
// The `with` of a step of a known `kind`; `with` is null when absent.
void check_with(context& ctx, std::string_view kind, const json* with, const std::string& path,
                const expr_site& site, bool inline_step);

}  // namespace af::runtime::lint_detail
