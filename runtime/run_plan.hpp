#pragma once
// A published version compiled for running: every template parsed once, the step graph resolved,
// policies merged (DESIGN §3, §9 "Graph", "Execution (more)"). Built once per (workflow,
// version) and shared, read-only, by every run of that version.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/json.hpp"
#include "base/limits.hpp"
#include "base/result.hpp"
#include "runtime/template.hpp"

namespace af::runtime {

enum class step_kind {
  transform,
  branch,
  http,
  delay,
  fail,
  foreach,
  workflow,  // runnable
  wait_event,
  emit,
  approval,
  task  // later issues
};
std::string_view to_string(step_kind k);
std::optional<step_kind> parse_step_kind(std::string_view s);
// Whether this build can run the kind (DESIGN §9: a run of a version holding another is a 409).
bool runnable(step_kind k);
// Steps whose evaluation has no effect outside the run: evaluated inline, recorded in one event.
bool inline_kind(step_kind k);

struct retry_policy {
  int max_attempts = 3;
  millis initial_interval = 1000;
  double backoff = 2.0;
  millis max_interval = 60000;
};

// Backoff before attempt n+1 after n failed attempts (n >= 1): min(max_interval, initial ×
// backoff^(n−1)) × `jitter`, jitter drawn by the caller from [0.8, 1.0].
millis backoff_delay(const retry_policy& p, int failed_attempts, double jitter);

enum class on_error_kind { stop, continue_on, fallback };

struct branch_case {
  std::optional<template_string> when;  // nullopt: the literal `when_value`
  bool when_value = false;
  std::vector<std::size_t> next;
};

struct step_plan {
  std::string id;  // "" for a foreach's inline step
  step_kind kind = step_kind::transform;
  std::vector<std::size_t> needs;          // resolved predecessors (graph.hpp)
  std::vector<std::size_t> chosen_by;      // branches naming this step as a target
  std::optional<std::size_t> fallback_of;  // this step is the fallback of that primary
  std::optional<std::size_t> fallback;     // this step's fallback target
  on_error_kind on_error = on_error_kind::stop;
  retry_policy retry;
  std::optional<millis> timeout;
  std::optional<template_string> condition;  // `if`; nullopt with condition_value
  bool condition_value = true;
  std::optional<template_value> mock;
  template_value with;  // the whole `with` (kinds rendered at start)
  // branch
  std::vector<branch_case> cases;
  std::vector<std::size_t> default_next;
  // foreach
  std::optional<template_value> items;
  std::shared_ptr<const step_plan> body;                   // inline step, or
  std::string child_workflow;                              // a child workflow per element, or
  std::optional<template_string> child_workflow_template;  // one named by a template
  int concurrency = 10;
};

struct run_plan {
  std::string workflow_id;
  int version = 0;
  std::vector<step_plan> steps;
  std::optional<template_value> output;
  json props = json::object();
  json input_schema;  // null when none
  std::string mode_default = "live";
  std::optional<millis> timeout;
  int smoke_sample = 3;
  int auto_pause_after = 5;  // consecutive failed live runs; 0 = never
  // The first step this build cannot run: {step id, kind}.
  std::optional<std::pair<std::string, std::string>> unsupported;
};

// Compiles a linted definition. Errors (invalid_definition) only for what lint should have
// refused: the caller treats them as a bug in the stored version.
result<std::shared_ptr<const run_plan>> compile_plan(const json& definition,
                                                     std::string workflow_id, int version,
                                                     const limits& lim);

}  // namespace af::runtime
