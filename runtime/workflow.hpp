#pragma once
// The workflow state machine: a command and the current state decide which events happen
// (decide), and events move the state (apply). Replay runs apply over the stored events, so
// a restarted node rebuilds exactly the state it acknowledged. Pure: the caller passes in the
// time and any randomness (the webhook token).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/json.hpp"
#include "base/result.hpp"

namespace af::runtime {

enum class workflow_status { draft, active, paused, archived };
enum class pause_reason { none, manual, consecutive_failures, credits_exhausted };

std::string_view to_string(workflow_status s);
std::string_view to_string(pause_reason r);
std::optional<workflow_status> parse_workflow_status(std::string_view s);

struct workflow_version {
  int number = 0;
  json definition;
  millis published_at = 0;
};

// Run outcomes of finished live runs (DESIGN §2, §9), rebuilt at start from the run index.
struct workflow_metrics {
  std::int64_t run_count = 0;
  std::int64_t success_count = 0;
  std::int64_t failure_count = 0;
  std::optional<millis> last_run_at;
  std::string last_run_status;
  std::int64_t runs_7d = 0;
  int consecutive_failures = 0;  // trailing failed live runs, for auto-pause (not shown)
};

struct workflow_state {
  bool exists = false;  // false before creation and after deletion
  std::string id;
  std::uint64_t seq = 0;  // seq of the last applied event; set by the caller, apply() keeps it
  workflow_status status = workflow_status::draft;
  pause_reason reason = pause_reason::none;
  std::optional<json> draft;
  std::vector<workflow_version> versions;  // versions[i].number == i + 1
  int live_version = 0;                    // 0: never published
  std::string webhook_token;               // changes with each publish; secret
  millis created_at = 0;
  millis updated_at = 0;
  workflow_metrics metrics;
  // The last pause or resume: failures before it do not count toward auto-pause again.
  millis streak_reset_at = 0;

  const workflow_version* live() const;
  const workflow_version* version(int number) const;
  // The definition that names the workflow: live, else the draft.
  const json* current_definition() const;
};

// Event type names, as stored in the log (docs/storage-format.md lists them).
namespace workflow_event_type {
inline constexpr std::string_view created = "workflow.created";          // {definition}
inline constexpr std::string_view draft_saved = "workflow.draft_saved";  // {definition}
inline constexpr std::string_view published =
    "workflow.published";  // {version, definition, webhook_token}
inline constexpr std::string_view draft_discarded = "workflow.draft_discarded";  // {}
inline constexpr std::string_view rolled_back = "workflow.rolled_back";          // {version}
inline constexpr std::string_view paused = "workflow.paused";                    // {reason}
inline constexpr std::string_view resumed = "workflow.resumed";                  // {}
inline constexpr std::string_view archived = "workflow.archived";                // {}
inline constexpr std::string_view deleted = "workflow.deleted";                  // {}
}  // namespace workflow_event_type

struct workflow_event {
  std::string type;
  json data = json::object();
};

enum class workflow_command_kind {
  apply,        // create, or replace the draft (definition: already linted)
  create_only,  // create; conflict when it exists (duplicate's target)
  publish,      // webhook_token: the new token
  rollback,     // version
  discard_draft,
  pause,  // reason
  resume,
  archive,
  remove,
};

struct workflow_command {
  workflow_command_kind kind = workflow_command_kind::apply;
  json definition;
  int version = 0;
  pause_reason reason = pause_reason::manual;
  std::string webhook_token;
};

// The events `cmd` causes in `state` (possibly none: asking for the state it is already in).
// Errors: not_found (no such workflow or version), conflict (wrong state: archived, never
// published, no draft, id taken).
result<std::vector<workflow_event>> decide(const workflow_state& state,
                                           const workflow_command& cmd);

// Moves `state` by one event of its stream. Errors (errc::corruption) mean the log holds an
// event this state cannot take: a broken invariant, never user input.
result<void> apply(workflow_state& state, const workflow_event& ev, millis time);

// The GET shape of DESIGN §9 ("GET /v1/workflows/{id}"). The webhook token is shown as ***.
// `public_url` is the node's configured public URL, e.g. "http://127.0.0.1:7400".
json workflow_view(const workflow_state& state, std::string_view public_url);

// The list shape: the GET shape without `definition` and `draft`, plus `has_draft`.
json workflow_summary(const workflow_state& state, std::string_view public_url);

// Versions newest first, at most `limit`, numbered below `after` when given:
// {"data": [{version, published_at}], "next": <last number shown when more follow> | null}.
json versions_page(const workflow_state& state, std::size_t limit, std::optional<int> after);

// {version, published_at, definition}; nullopt for an unknown version.
std::optional<json> version_view(const workflow_state& state, int number);

// `<public_url>/hooks/<id>/<token>` when the live definition has a webhook trigger.
std::optional<std::string> webhook_url(const workflow_state& state, std::string_view public_url,
                                       bool reveal_token);

}  // namespace af::runtime
