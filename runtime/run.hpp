#pragma once
// The run state machine (DESIGN §2 "Run", "Item", §3, §4, §9): plain C++, no I/O.
//
// State moves only through apply(event). The decision functions below (start, advance,
// on_http_result, on_timer, on_child_finished, control, recover) look at the state, emit events
// — each applied at once, so replay through apply() rebuilds exactly the same state — and return
// the actions the caller must carry out once those events are durable (outbound calls, timers,
// child runs). Side-effect-free steps (transform, branch, fail) are evaluated inside the
// decision and recorded as one finishing event each, so a run of such steps is one batch.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/json.hpp"
#include "base/limits.hpp"
#include "base/result.hpp"
#include "runtime/run_plan.hpp"

namespace af::runtime {

enum class run_status { queued, running, waiting, paused, succeeded, failed, canceled };
enum class item_status {
  pending,
  running,
  waiting,
  retrying,
  succeeded,
  failed,
  skipped,
  canceled
};
std::string_view to_string(run_status s);
std::string_view to_string(item_status s);
std::optional<run_status> parse_run_status(std::string_view s);
std::optional<item_status> parse_item_status(std::string_view s);
bool valid_mode(std::string_view mode);  // live | dry_run | smoke_test
bool finished(run_status s);
bool finished(item_status s);

struct item_state {
  std::string id;                   // step id, "<step>.<row>", or "row.<n>" (batch)
  std::string step_id;              // "" for batch rows
  std::optional<std::size_t> step;  // index into plan steps; nullopt for batch rows
  std::optional<std::size_t> row;
  std::optional<std::size_t> parent;  // the foreach item owning this row (items index)
  item_status status = item_status::pending;
  int attempt_count = 0;
  int budget_base = 0;  // attempts before the current max_attempts budget (retry-failed)
  int recovered = 0;    // re-runs after a crash in this budget: not capped by max_attempts
  json inputs = nullptr;
  json outputs = nullptr;
  json error = nullptr;  // {code, message, retryable, attempt}
  bool handled = false;
  bool simulated = false;
  millis started_at = 0, finished_at = 0;
  millis attempt_started_at = 0;  // the current attempt's start: step timeouts count from it
  std::optional<millis> next_attempt_at;  // retrying
  std::optional<millis> wait_until;       // delay
  std::string child_run_id;               // workflow / foreach-workflow / batch row
  std::vector<std::size_t> rows;          // foreach: its row items
  std::optional<json> chosen;             // branch: the step ids it chose
};

struct run_state {
  std::string id, workspace, workflow_id;
  int version = 0;
  std::string kind = "workflow";  // workflow | batch
  std::string mode = "live";
  json trigger = json::object();
  json input = json::object();
  json output = nullptr;
  json error = nullptr;  // {code, message, item_id?}
  std::string idempotency_key;
  std::string request_hash;
  std::string parent_run_id, parent_item_id;
  millis created_at = 0, started_at = 0, finished_at = 0;
  run_status status = run_status::queued;  // finished, paused, or running (see view_status)
  std::uint64_t seq = 0;                   // last event applied
  std::vector<item_state> items;           // plan-ordered views come from item_order()
  json steps_scope = json::object();       // {id: {output, status, error}} of finished steps
  bool exists() const { return !id.empty(); }
  std::optional<std::size_t> find_item(std::string_view item_id) const;
};

struct run_event {
  std::string type;
  json data = json::object();
  std::optional<std::string> item_id;  // for history
};

// What the run asks of the world once its events are durable.
struct run_action {
  enum class kind {
    http_call,     // item_id, attempt, request
                   // {method,url,headers[[n,v]],body,timeout_ms,connect_timeout_ms}
    timer,         // item_id ("" for the run's own timeout), at
    start_child,   // item_id, child_run_id, request {workflow, version?, input, mode}
    cancel_child,  // item_id, child_run_id
  };
  kind what = kind::timer;
  std::string item_id;
  int attempt = 0;
  millis at = 0;
  std::string child_run_id;
  json request = nullptr;
};

struct run_outcome {
  std::vector<run_event> events;
  std::vector<run_action> actions;
};

// What decisions may use besides the state: the time, randomness for jitter, the limits.
struct run_env {
  millis now = 0;
  std::function<double()> jitter;  // [0.8, 1.0]; nullptr → 1.0
  limits lim;
};

// The result of one outbound call, as effects/ reports it (errc::timeout, unavailable,
// limit_exceeded, invalid_argument on failure).
struct http_result {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-cased names
  std::string body;
};

// What a finished child run tells its parent.
struct child_result {
  run_status status = run_status::succeeded;
  json output = nullptr;
  json error = nullptr;
};

struct run_init {
  std::string id, workspace;
  std::string mode = "live";
  json trigger = json{{"type", "api"}};
  json input = json::object();
  bool batch = false;
  json rows = json::array();
  std::string idempotency_key, request_hash;
  std::string parent_run_id, parent_item_id;
};

enum class run_control_action { cancel, pause, resume, retry_failed };

namespace run_event_type {
inline constexpr std::string_view created = "run.created";
inline constexpr std::string_view started = "run.started";
inline constexpr std::string_view paused = "run.paused";
inline constexpr std::string_view resumed = "run.resumed";
inline constexpr std::string_view retrying = "run.retrying";
inline constexpr std::string_view succeeded = "run.succeeded";
inline constexpr std::string_view failed = "run.failed";
inline constexpr std::string_view canceled = "run.canceled";
inline constexpr std::string_view item_started = "item.started";
inline constexpr std::string_view item_succeeded = "item.succeeded";
inline constexpr std::string_view item_failed = "item.failed";
inline constexpr std::string_view item_retrying = "item.retrying";
inline constexpr std::string_view item_waiting = "item.waiting";
inline constexpr std::string_view item_skipped = "item.skipped";
inline constexpr std::string_view item_canceled = "item.canceled";
}  // namespace run_event_type

// Moves `st` by one event. Errors (corruption) mean an event this state cannot take.
result<void> apply(run_state& st, const run_event& ev, millis time);

class run_machine {
 public:
  run_machine(run_state& st, std::shared_ptr<const run_plan> plan, run_env env)
      : st_(st), plan_(std::move(plan)), env_(std::move(env)) {}

  // A new run: run.created, run.started, and everything that can happen at once.
  run_outcome start(const run_init& init);
  // After a restart (or rehydration): items that were running start again with attempt + 1,
  // timers and child waits are re-armed.
  run_outcome recover();
  run_outcome on_http_result(std::string_view item_id, int attempt, result<http_result> r);
  // A timer fired: a delay ended, a retry is due, a step or the run ("") timed out.
  run_outcome on_timer(std::string_view item_id);
  run_outcome on_child_finished(std::string_view item_id, std::string_view child_run_id,
                                const child_result& r);
  // Errors: conflict (impossible transition). No events when it is already so.
  result<run_outcome> control(run_control_action a);
  // Ends an unfinished run as failed with `error` ({code, message}), canceling what is open:
  // for what the machine cannot decide (a bug caught by its actor).
  run_outcome fail_run(json error);

 private:
  void emit(std::string_view type, json data, std::optional<std::string> item = std::nullopt);
  void advance();
  bool try_start(std::size_t i);
  void start_attempt(std::size_t i, bool recovered);
  void start_child(std::size_t i, int attempt, bool recovered, json request);
  scope scope_for(const item_state& it, const json& run, json& element, json& index) const;
  void succeed(std::size_t i, json output, bool simulated = false, int attempt = 0);
  void complete_parent_if_done(std::size_t parent);
  // `code` overrides the error code name (http_status, child_failed).
  void fail_attempt(std::size_t i, const error& e, bool retryable, std::string_view code = {});
  void fail_final(std::size_t i, const json& err, int attempt = 0);
  void cancel_open(bool children);
  void finish_if_done();
  const step_plan* plan_of(const item_state& it) const;

  run_state& st_;
  std::shared_ptr<const run_plan> plan_;
  run_env env_;
  run_outcome out_;
};

// Views (DESIGN §2 shapes; docs/api.md).
json run_view(const run_state& st, std::string_view public_url);
json item_view(const run_state& st, const item_state& it);
// Items in plan order: each top-level item, then its rows by row number.
std::vector<std::size_t> item_order(const run_state& st);
// The status shown: finished and paused as stored; otherwise running unless nothing runs or
// retries and something waits.
run_status view_status(const run_state& st);

// The whole state as JSON and back, for snapshots (bounded replay) and finished runs.
json to_snapshot(const run_state& st);
result<run_state> from_snapshot(const json& snap);

}  // namespace af::runtime
