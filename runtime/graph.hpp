#pragma once
// The step graph of a definition (DESIGN §3 and §9 "Graph"): who waits for whom once `needs`,
// the implicit chain, branch targets and fallback targets are resolved. Lint builds it to find
// unknown targets, cycles and "not upstream" references; the run planner builds it to schedule.
//
// Resolution of a step's predecessors (`needs` below):
// - explicit `needs` (an empty array starts the step at the beginning);
// - without `needs`: a branch target needs every branch naming it in a case's `next` or in
//   `default`; any other step needs the nearest EARLIER step that is neither a branch target nor
//   a fallback target (none: it starts at the beginning);
// - a fallback target (`on_error: fallback:<id>` of a primary) always needs its primary, and
//   without `needs` only its primary (fallback and branch targets are outside the implicit chain).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/json.hpp"
#include "runtime/problem.hpp"

namespace af::runtime {

struct step_graph {
  std::vector<std::string> ids;                 // step ids in definition order ("" if unusable)
  std::vector<std::vector<std::size_t>> needs;  // resolved predecessors, no duplicates
  std::vector<bool> branch_target;              // named by some branch's next/default
  std::vector<bool> fallback_target;            // named by some step's on_error fallback
  std::vector<std::optional<std::size_t>> fallback_of;  // the primary of a fallback target
  // True when every entry was well-formed, every target known and the graph acyclic. Only then
  // is `upstream` filled and the graph fit for planning.
  bool sound = false;

  // Index of the step with this id (the first one if ids repeat).
  std::optional<std::size_t> find(std::string_view id) const;
  // Whether `of` is a transitive predecessor of `step`. False when the graph is not sound or
  // upstream sets were not computed.
  bool is_upstream(std::size_t step, std::size_t of) const;
  // Whether the upstream sets were computed (the graph is sound and was not too large).
  bool upstream_known() const { return sound && upstream_.size() == ids.size(); }
  // The transitive predecessors of `step`, ascending.
  std::vector<std::size_t> upstream_of(std::size_t step) const;

 private:
  friend struct step_graph_builder;  // graph.cpp
  std::unordered_map<std::string, std::size_t> index_;
  // Transitive predecessors as one bitset row per step (n²/8 bytes: callers cap n first).
  std::vector<std::vector<std::uint64_t>> upstream_;
};

// Builds the graph of a definition's "steps" array. Malformed entries (a step that is not an
// object, an id or needs entry of the wrong type, a malformed on_error) are lint's structural
// problems: they are skipped here and make the graph unsound, without a problem of their own.
// Appends to `problems` (when not null), each with its JSON Pointer:
//   unknown_step  a needs / next / default entry or fallback target naming no step
//   invalid_value a step that falls back to itself, a step that is the fallback of two steps
//   cycle         one per cycle, found by a depth-first search in list order following needs;
//                 reported at the edge that closes it: /steps/i/needs/j, the branch's
//                 /steps/b/with/cases/j/next/k (or /with/default/k), the primary's
//                 /steps/p/on_error for a fallback edge, or /steps/i for an implicit edge.
// `compute_upstream` = false skips the quadratic upstream sets (for oversized definitions).
step_graph build_step_graph(const json& steps, std::vector<problem>* problems = nullptr,
                            bool compute_upstream = true);

}  // namespace af::runtime
