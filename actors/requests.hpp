#pragma once
// The requests the outside world makes of the actors, and their answers: plain structs, no
// CAF, so that http/ can build them through actors/client.hpp.

#include <chrono>
#include <cstddef>
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

}  // namespace af::actors
