#pragma once
// The requests the outside world makes of the actors, and their answers: plain structs, no
// CAF, so that http/ can build them through actors/client.hpp.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "base/json.hpp"
#include "runtime/workflow.hpp"

namespace af::actors {

// A command for one workflow (apply, publish, pause, ...), from the outside world.
struct workflow_request {
  std::string workspace;
  std::string id;
  runtime::workflow_command cmd;
  // A command still queued at this point is refused (unavailable, nothing applied) rather
  // than applied after its caller stopped waiting. The client sets it short of its timeout.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Read one workflow: its GET shape, its versions (newest first, paged), or one version.
enum class workflow_view { workflow, versions, version };
struct workflow_get {
  std::string workspace;
  std::string id;
  workflow_view what = workflow_view::workflow;
  int version = 0;                   // for `version`
  std::size_t limit = 50;            // for `versions`
  std::optional<int> after_version;  // for `versions`: continue below this number
};

// Copy the live definition of `source` into a new draft-only workflow `target`.
struct workflow_duplicate {
  std::string workspace;
  std::string source;
  std::string target;
};

// Where a listing continues: after this (created_at, id) in newest-first order.
struct list_position {
  millis created_at = 0;
  std::string id;
};

struct workflow_list {
  std::string workspace;
  std::optional<runtime::workflow_status> status;
  std::optional<std::string> tag;
  std::size_t limit = 50;
  std::optional<list_position> after;
};

// The answer to every request: an error, or a body; `created` tells that something new
// came to be (a workflow, a version), so that http/ can answer 201.
struct reply {
  std::optional<af::error> err;
  json body;
  bool created = false;
};

struct list_reply {
  std::vector<json> items;
  std::optional<list_position> next;
};

// ---- Runs (DESIGN §2, §4, §6, §9) -------------------------------------------------------

// Start a run of the workflow's live version: POST /v1/workflows/{id}/runs (batch = false) or
// /batch (batch = true, `rows` = the rows). http/ has checked the shapes: `input` is any JSON
// value (default {}), `mode` one of live|dry_run|smoke_test when set, the key non-empty.
// Answer: the run (GET /v1/runs/{id} shape) as of its first durable batch, created = true; a
// repeated idempotency key answers the original run with created = false. With `wait`, the
// answer is held until the run finishes or the wait ends.
// Errors: not_found (workflow), conflict (never published, archived, a step kind this build
// cannot run), invalid_argument (input fails input_schema; details [{path, message}]),
// idempotency_key_reused, limit_exceeded (batch rows over the foreach limit).
struct run_start {
  std::string workspace;
  std::string workflow_id;
  json input = json::object();
  std::optional<std::string> mode;  // nullopt: the workflow's mode_default
  std::optional<std::string> idempotency_key;
  json trigger = json{{"type", "api"}};
  bool batch = false;
  json rows = json::array();  // batch only
  std::optional<std::chrono::milliseconds> wait;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// One run: the GET /v1/runs/{id} shape. With `wait`, held until the run finishes or the wait
// ends. Error: not_found.
struct run_get {
  std::string workspace;
  std::string run_id;
  std::optional<std::chrono::milliseconds> wait;
};

// A run's items in plan order, optionally only those with `status`; `after` is an opaque
// position from a previous page's `next`. Error: not_found.
struct run_items_get {
  std::string workspace;
  std::string run_id;
  std::optional<std::string> status;
  std::size_t limit = 50;
  std::optional<std::string> after;
};

// A run's history entries {seq, type, time, item_id?, data}, oldest first, seq > after_seq.
struct run_history_get {
  std::string workspace;
  std::string run_id;
  std::uint64_t after_seq = 0;
  std::size_t limit = 50;
};

enum class run_control_kind { cancel, pause, resume, retry_failed };

// Answer: the run once the control event is durable (or at once when it is already in the
// asked-for state). Errors: not_found, conflict (impossible transition).
struct run_control {
  std::string workspace;
  std::string run_id;
  run_control_kind kind = run_control_kind::cancel;
  // The run's workflow when the sender knows it (a parent canceling its child): reaches a run
  // the node does not route yet (its first batch is still in flight).
  std::string workflow_hint;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Runs newest first (created_at desc, then id), filtered; `after` from a previous `next`.
// `status` and `mode` are checked by http/ (run_status and mode names).
struct run_list {
  std::string workspace;
  std::optional<std::string> workflow_id;
  std::optional<std::string> status;
  std::optional<std::string> mode;
  std::size_t limit = 50;
  std::optional<std::string> after;
};

// Recent failed runs, newest first: items {run, failed_items}.
struct failure_list {
  std::string workspace;
  std::size_t limit = 50;
  std::optional<std::string> after;
};

// A page of a list whose position is an opaque string (http/ signs it into a cursor).
struct page_reply {
  std::vector<json> items;
  std::optional<std::string> next;
};

}  // namespace af::actors
